/* fanarchive: the listing pages (works index, search) after htmx swaps their #listing
   region in place (templates/works/_listing_hx.html): keeps empty fields out of the
   URL, keeps the reader's place and tells screen readers the new count. The pages
   work without it, and without htmx. */
(function () {
  "use strict";

  var swap = null;

  // Empty fields stay out of the URL, so the address bar (and a bookmark made from it)
  // names only the filters chosen; the server reads a blank field as no filter.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (event.detail.verb !== "get" || !data || !event.detail.elt.matches("form[hx-get]")) {
      return;
    }
    var kept = [];
    data.forEach(function (value, name) {
      if (value !== "") {
        kept.push([name, value]);
      }
    });
    Array.from(new Set(Array.from(data.keys()))).forEach(function (name) {
      data.delete(name);
    });
    kept.forEach(function (entry) {
      data.append(entry[0], entry[1]);
    });
  });

  // Where focus was before the swap. htmx itself puts focus back on a field with an
  // id; the sidebar's checkboxes and radios have none, so they are found by name.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    var inside = Boolean(active && target && active !== target && target.contains(active));
    swap = { inside: inside, name: "", type: "", value: "" };
    if (inside) {
      swap.name = active.name;
      swap.type = active.type;
      swap.value = active.value;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.detail.elt;
    var before = swap;
    if (!region || region.id !== "listing" || before === null) {
      return;
    }
    swap = null;
    var count = region.querySelector(".listing-count");
    if (!before.inside || region.contains(document.activeElement)) {
      announce(count);
      return;
    }
    var field = sameField(region, before);
    if (field) {
      field.focus({ preventScroll: true });
      announce(count);
      return;
    }
    // The link or button that was pressed is gone (a page link, a removed tag): go to
    // the count, which a screen reader then reads, as it would after a page load.
    var heading = count || region.querySelector(".page-title");
    if (heading) {
      heading.focus({ preventScroll: true });
    }
  });

  function sameField(region, before) {
    if (before.type !== "checkbox" && before.type !== "radio") {
      return null;
    }
    var fields = region.querySelectorAll("input[type='" + before.type + "']");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].name === before.name && fields[i].value === before.value) {
        return fields[i];
      }
    }
    return null;
  }

  // The count is an aria-live region, but the swap brings in a new element, whose
  // first words most screen readers do not read out: write them again once it is in.
  function announce(count) {
    if (!count) {
      return;
    }
    var words = count.textContent;
    count.textContent = "\u00a0";
    window.setTimeout(function () {
      count.textContent = words;
    }, 100);
  }
})();
