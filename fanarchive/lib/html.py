"""Story HTML on the way in: sanitised by nh3, paragraphs numbered for links."""

import html as html_module
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "caption", "center",
    "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
    "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "p": {"id"},
    "hr": {"class"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
SCENE_BREAK = '<hr class="scene-break">'
PARAGRAPH_ID = re.compile(r"p\d+")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    # Only the markup fanarchive itself writes may carry ids and classes, so a story
    # cannot dress itself up as part of the site.
    if attribute == "id":
        return value if PARAGRAPH_ID.fullmatch(value) else None
    if attribute == "class":
        return value if value == "scene-break" else None
    return value


# The only links stored story HTML may hold, and downloads may carry out of it.
LINK_SCHEMES = ("http", "https", "mailto")


def is_allowed_link(href: str) -> bool:
    """Whether a link goes somewhere a story may point: a web page or an address."""
    return href.strip().lower().startswith(tuple(f"{scheme}:" for scheme in LINK_SCHEMES))


# Built once: nh3.clean builds its sanitiser anew on every call, which cost more than
# cleaning the short fields (summary, notes) most chapters have.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel="nofollow noopener noreferrer",
    strip_comments=True,
)


def sanitize(html: str) -> str:
    """Everything a story brings passes through here before it is stored."""
    return _CLEANER.clean(html)


_P_OPEN = re.compile(r"<p(\s[^>]*)?>")
_ID_ATTR = re.compile(r'\s+id="[^"]*"')


def number_paragraphs(html: str) -> str:
    """Give every <p> the id p1, p2, ... in document order (expects sanitised HTML)."""
    counter = 0

    def renumber(match: re.Match[str]) -> str:
        nonlocal counter
        counter += 1
        attributes = _ID_ATTR.sub("", match.group(1) or "")
        return f'<p id="p{counter}"{attributes}>'

    return _P_OPEN.sub(renumber, html)


def clean_story_html(html: str) -> str:
    return number_paragraphs(sanitize(html))


_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


_LINE_ENDS = re.compile(r"</(p|div|h\d|li|blockquote|tr)>|<br\s*/?>|<hr[^>]*>")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, block elements ending in newlines."""
    return html_module.unescape(_TAG.sub("", _LINE_ENDS.sub("\n", html)))


def looks_like_html(text: str) -> bool:
    """True when a body uses the tags stories are written with, not just a stray '<'."""
    return bool(
        re.search(
            r"</?(p|br|i|b|em|strong|u|s|div|span|blockquote|hr|center|font|h[1-6]|a|img|sup|sub)(\s[^>]*)?/?>",
            text,
            re.IGNORECASE,
        )
    )


_PARAGRAPH_ID_ATTR = re.compile(r'<p id="(p\d+)"')


def scope_paragraph_ids(html: str, prefix: str) -> str:
    """Prefix the p<n> ids of stored HTML, so chapters shown together on one page keep
    unique ids (`c2p5` for paragraph 5 of chapter 2)."""
    return _PARAGRAPH_ID_ATTR.sub(lambda match: f'<p id="{prefix}{match.group(1)}"', html)
