"""Wrangling from a tag's page (staff only, POST with CSRF) and in the admin: make
canonical, make a synonym, add a meta tag, add a parent; refusals shown, never a 500;
filters follow every change."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from fanarchive.tags.constants import EXPLICIT, MATURE
from fanarchive.tags.models import MetaTagging, ParentLink, Tag, TagType
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_user, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(make_user("wrangler", is_staff=True))
    return client


def wrangle(client, tag: Tag, action: str, other: str = ""):
    return client.post(reverse("tags:wrangle", args=[tag.pk]), {"action": action, "other": other})


def listed(client, **query: str) -> list[str]:
    response = client.get(reverse("works:index"), query)
    return sorted(work.title for work in response.context["page_obj"])


def listed_on(client, tag: Tag) -> list[str]:
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    return sorted(work.title for work in response.context["page_obj"])


def errors(response) -> str:
    assert response.status_code == 200
    return " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())
    )


# Who sees and may use the tools ---------------------------------------------------------


def test_staff_see_the_wrangling_forms_and_readers_do_not(client, staff):
    tag = make_tag(TagType.FREEFORM, "Libraries")
    url = reverse("tags:wrangle", args=[tag.pk])

    content = staff.get(tag.get_absolute_url()).content.decode()
    reader = Client().get(tag.get_absolute_url()).content.decode()

    assert "Wrangle this tag" in content
    assert content.count(f'<form method="post" action="{url}"') == 4
    assert content.count('name="csrfmiddlewaretoken"') >= 4
    for label in ("Make canonical", "Make synonym of", "Add meta tag", "Add parent"):
        assert label in content, label
    assert "Wrangle this tag" not in reader and url not in reader


def test_only_the_changes_that_apply_are_offered(staff):
    canonical = make_tag(TagType.FREEFORM, "Libraries")
    canonical.make_canonical()
    content = staff.get(canonical.get_absolute_url()).content.decode()
    assert "Make canonical" not in content and "Add parent" in content
    media = make_tag(TagType.MEDIA, "TV Shows")
    assert "Add parent" not in staff.get(media.get_absolute_url()).content.decode()


def test_readers_may_not_wrangle(client):
    tag = make_tag(TagType.FREEFORM, "Libraries")
    assert wrangle(client, tag, "canonical").status_code == 403
    client.force_login(make_user())
    assert wrangle(client, tag, "canonical").status_code == 403
    tag.refresh_from_db()
    assert not tag.canonical


def test_wrangling_takes_a_post_with_the_csrf_token(staff):
    tag = make_tag(TagType.FREEFORM, "Libraries")
    url = reverse("tags:wrangle", args=[tag.pk])
    assert staff.get(url).status_code == 405

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("other wrangler", is_staff=True))
    assert browser.post(url, {"action": "canonical"}).status_code == 403
    tag.refresh_from_db()
    assert not tag.canonical
    content = browser.get(tag.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    response = browser.post(url, {"action": "canonical", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.canonical


# Status and relations --------------------------------------------------------------------


def test_the_tag_page_shows_status_meta_and_sub_tags_parents_and_children(client):
    fandom = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    media = make_tag(TagType.MEDIA, "TV Shows")
    fandom.add_parent(media)
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    teeth = make_tag(TagType.FREEFORM, "Tooth-Rotting Fluff")
    teeth.add_meta_tag(fluff)
    teeth.add_parent(fandom)
    giles = make_tag(TagType.CHARACTER, "Rupert Giles")
    giles.add_parent(fandom)
    unwrangled = make_tag(TagType.FREEFORM, "libraries!!")

    fandom_page = client.get(fandom.get_absolute_url()).content.decode()
    assert "Parent tags:" in fandom_page and "TV Shows</a>" in fandom_page
    assert "Child tags:" in fandom_page
    assert 'Rupert Giles</a> <span class="count">(Character)</span>' in fandom_page
    assert 'Tooth-Rotting Fluff</a> <span class="count">(Additional Tags)</span>' in fandom_page
    fluff_page = client.get(fluff.get_absolute_url()).content.decode()
    assert "It's a common tag." in fluff_page
    assert "Sub tags:" in fluff_page and "Tooth-Rotting Fluff</a>" in fluff_page
    teeth_page = client.get(teeth.get_absolute_url()).content.decode()
    assert (
        "Meta tags:" in teeth_page and f'href="{fluff.get_absolute_url()}">Fluff</a>' in teeth_page
    )
    assert (
        "It has not been wrangled yet."
        in client.get(unwrangled.get_absolute_url()).content.decode()
    )


def test_staff_see_a_synonyms_own_page_and_readers_its_canonical_tags(client, staff):
    canonical = make_tag(TagType.CHARACTER, "Rupert Giles")
    ripper = make_tag(TagType.CHARACTER, "Ripper", synonym_of=canonical)
    make_work("Ripper's night", characters=["Ripper"])

    response = staff.get(ripper.get_absolute_url())
    content = response.content.decode()

    assert response.status_code == 200
    assert "It has been made a synonym of" in content
    assert f'href="{canonical.get_absolute_url()}">Rupert Giles</a>' in content
    assert "Ripper&#x27;s night" in content
    assert Client().get(ripper.get_absolute_url())["Location"] == canonical.get_absolute_url()


# Each change ---------------------------------------------------------------------------------


def test_a_staff_member_makes_a_tag_canonical(staff):
    tag = make_tag(TagType.FREEFORM, "Libraries")

    response = wrangle(staff, tag, "canonical")

    assert response.status_code == 302 and response["Location"] == tag.get_absolute_url()
    tag.refresh_from_db()
    assert tag.canonical
    assert "Libraries is canonical." in staff.get(tag.get_absolute_url()).content.decode()


def test_a_staff_member_makes_a_tag_a_synonym_and_filters_follow(staff):
    canonical = make_tag(TagType.CHARACTER, "Rupert Giles")
    ripper = make_tag(TagType.CHARACTER, "Ripper")
    make_work("Canonical work", characters=["Rupert Giles"])
    make_work("Synonym work", characters=["Ripper"])
    assert listed(staff, tag="Ripper") == ["Synonym work"]

    response = wrangle(staff, ripper, "synonym", "character:Rupert Giles")

    assert response.status_code == 302
    content = staff.get(response["Location"]).content.decode()
    assert "Ripper is now a synonym of Rupert Giles." in content
    ripper.refresh_from_db()
    assert ripper.merger == canonical
    both = ["Canonical work", "Synonym work"]
    assert listed(staff, tag="Ripper") == both
    assert listed(staff, tag="character:Rupert Giles") == both
    assert listed_on(staff, canonical) == both


def test_a_staff_member_adds_a_meta_tag_and_the_meta_tag_finds_the_sub_tags_works(staff):
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    teeth = make_tag(TagType.FREEFORM, "Tooth-Rotting Fluff")
    make_work("Sweet", freeforms=["Tooth-Rotting Fluff"])
    make_work("Mild", freeforms=["Fluff"])
    make_work("Neither", freeforms=["Angst"])

    response = wrangle(staff, teeth, "meta", "Fluff")

    assert response.status_code == 302
    content = staff.get(response["Location"]).content.decode()
    assert "Tooth-Rotting Fluff is now a sub tag of Fluff." in content
    assert MetaTagging.objects.filter(sub_tag=teeth, meta_tag=fluff).exists()
    assert listed_on(staff, fluff) == ["Mild", "Sweet"]
    assert listed(staff, tag="Fluff") == ["Mild", "Sweet"]
    assert listed(staff, tag="Tooth-Rotting Fluff") == ["Sweet"]


def test_a_staff_member_adds_a_parent(staff):
    fandom = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    giles = make_tag(TagType.CHARACTER, "Rupert Giles")

    response = wrangle(staff, giles, "parent", "fandom:Buffy the Vampire Slayer")

    assert response.status_code == 302
    assert ParentLink.objects.filter(child=giles, parent=fandom).exists()
    assert "Rupert Giles</a>" in staff.get(fandom.get_absolute_url()).content.decode()


# Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "other", "message"),
    [
        ("synonym", "No Such Tag", "no tag named &#x27;No Such Tag&#x27;"),
        ("synonym", "Angel", "&#x27;Angel&#x27; is ambiguous; write one of:"),
        ("synonym", "fandom:Angel", "cannot merge into fandom"),
        ("synonym", "character:Spike", "cannot be a synonym of itself"),
        ("synonym", "", "Name the tag, as Name or type:Name."),
        ("meta", "fandom:Angel", "a fandom tag cannot be a meta tag of a character tag"),
        ("meta", "character:Spike", "that would loop"),
        ("parent", "character:Angel", "a character tag cannot be the parent of a character tag"),
        ("bogus", "Angel", "Select a valid choice."),
    ],
)
def test_a_refused_change_is_shown_on_the_page_and_changes_nothing(staff, action, other, message):
    spike = make_tag(TagType.CHARACTER, "Spike")
    make_tag(TagType.CHARACTER, "Angel")
    make_tag(TagType.FANDOM, "Angel")

    response = wrangle(staff, spike, action, other)

    assert message in errors(response)
    assert f'value="{other}"' in response.content.decode() or action == "bogus"
    spike.refresh_from_db()
    assert not spike.canonical and spike.merger is None
    assert not MetaTagging.objects.exists() and not ParentLink.objects.exists()


def test_a_meta_tag_loop_is_refused(staff):
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    teeth = make_tag(TagType.FREEFORM, "Tooth-Rotting Fluff")
    teeth.add_meta_tag(fluff)

    response = wrangle(staff, fluff, "meta", "Tooth-Rotting Fluff")

    assert "is already below" in errors(response)
    assert list(fluff.meta_tags.all()) == []


def test_a_fixed_tag_cannot_become_a_synonym(staff):
    explicit = Tag.objects.get(type=TagType.RATING, name=EXPLICIT)

    response = wrangle(staff, explicit, "synonym", f"rating:{MATURE}")

    assert "one of AO3&#x27;s fixed tags" in errors(response)
    explicit.refresh_from_db()
    assert explicit.canonical and explicit.merger is None


# The admin --------------------------------------------------------------------------------


def test_the_admin_lists_unwrangled_tags(admin_client):
    make_tag(TagType.FREEFORM, "libraries!!")
    canonical = make_tag(TagType.FREEFORM, "Libraries")
    canonical.make_canonical()
    make_tag(TagType.FREEFORM, "Library", synonym_of=canonical)
    url = reverse("admin:tags_tag_changelist")

    unwrangled = admin_client.get(url, {"wrangling": "unwrangled"}).context["cl"]
    synonyms = admin_client.get(url, {"wrangling": "synonym"}).context["cl"]

    assert [tag.name for tag in unwrangled.result_list] == ["libraries!!"]
    assert [tag.name for tag in synonyms.result_list] == ["Library"]


def test_the_admin_makes_selected_tags_canonical(admin_client):
    first = make_tag(TagType.FREEFORM, "Libraries")
    second = make_tag(TagType.FREEFORM, "Books")

    response = admin_client.post(
        reverse("admin:tags_tag_changelist"),
        {"action": "make_canonical", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert "Made 2 tag(s) canonical." in response.content.decode()
    assert Tag.objects.filter(pk__in=[first.pk, second.pk], canonical=True).count() == 2


def test_the_admin_shows_meta_tags_and_parents_read_only(admin_client):
    fandom = make_tag(TagType.FANDOM, "Buffy the Vampire Slayer")
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    teeth = make_tag(TagType.FREEFORM, "Tooth-Rotting Fluff")
    teeth.add_meta_tag(fluff)
    teeth.add_parent(fandom)

    content = admin_client.get(reverse("admin:tags_tag_change", args=[teeth.pk])).content
    content = content.decode()

    assert f'href="{reverse("admin:tags_tag_change", args=[fluff.pk])}">Fluff</a>' in content
    assert "Buffy the Vampire Slayer</a> (Fandom)" in content
    assert 'name="meta_tag_list"' not in content
    assert admin_client.get(reverse("admin:tags_tag_add")).status_code == 200


def test_unmerging_in_the_admin_takes_the_works_back_out_of_the_canonical_filter(admin_client):
    canonical = make_tag(TagType.CHARACTER, "Rupert Giles")
    ripper = make_tag(TagType.CHARACTER, "Ripper", synonym_of=canonical)
    make_work("Synonym work", characters=["Ripper"])
    assert Work.objects.tagged(canonical).count() == 1

    response = admin_client.post(
        reverse("admin:tags_tag_change", args=[ripper.pk]),
        {"type": TagType.CHARACTER, "name": "Ripper", "merger": ""},
    )

    assert response.status_code == 302
    ripper.refresh_from_db()
    assert ripper.merger is None
    assert Work.objects.tagged(canonical).count() == 0
    assert Work.objects.tagged(ripper).count() == 1


def test_tags_added_to_a_work_in_the_admin_reach_its_filters(admin_client):
    work = make_work("Night Shift")
    fluff = make_tag(TagType.FREEFORM, "Fluff")
    url = reverse("admin:works_work_change", args=[work.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None
        and name not in {"word_count", "posted_chapters", "created", "modified"}
    }
    data |= {"published": "2024-01-01", "updated": "2024-01-01"}
    for prefix, total in [
        ("creator_links", work.creator_links.count()),
        ("taggings", work.taggings.count()),
        ("suggestions", 0),
        ("series_entries", 0),
        ("chapters", 0),
    ]:
        data |= {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total}
    for index, link in enumerate(work.creator_links.all()):
        data |= {
            f"creator_links-{index}-id": link.pk,
            f"creator_links-{index}-work": work.pk,
            f"creator_links-{index}-creator": link.creator_id,
            f"creator_links-{index}-position": link.position,
        }
    taggings = list(work.taggings.all())
    for index, tagging in enumerate(taggings):
        data |= {
            f"taggings-{index}-id": tagging.pk,
            f"taggings-{index}-work": work.pk,
            f"taggings-{index}-tag": tagging.tag_id,
        }
    new = len(taggings)
    data |= {
        "taggings-TOTAL_FORMS": new + 1,
        f"taggings-{new}-work": work.pk,
        f"taggings-{new}-tag": fluff.pk,
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Work.objects.tagged(fluff)) == [work]
