import nh3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanarchive.lib.html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    SCENE_BREAK,
    _keep_attribute,
    clean_story_html,
    html_to_text,
    is_allowed_link,
    looks_like_html,
    number_paragraphs,
    sanitize,
)


def test_it_removes_scripts_and_event_handlers():
    cleaned = sanitize(
        '<p onclick="steal()">Hi<script>alert(1)</script></p>'
        '<img src="x" onerror="alert(2)"><iframe src="https://evil"></iframe>'
    )
    assert "script" not in cleaned
    assert "onclick" not in cleaned
    assert "onerror" not in cleaned
    assert "iframe" not in cleaned
    assert "<p>Hi</p>" in cleaned


def test_it_removes_javascript_links():
    cleaned = sanitize('<a href="javascript:alert(1)">x</a><a href="https://ok.example/">y</a>')
    assert "javascript" not in cleaned
    assert 'href="https://ok.example/"' in cleaned


def test_it_keeps_story_formatting():
    html = (
        "<p><i>Italic</i>, <b>bold</b>, <em>em</em>, <u>u</u><br>next</p><blockquote>q</blockquote>"
    )
    assert sanitize(html) == html


def test_it_strips_ids_and_classes_a_story_brings():
    cleaned = sanitize('<p id="main" class="adult-notice">x</p><hr class="evil">')
    assert cleaned == "<p>x</p><hr>"


def test_it_keeps_the_scene_break_element():
    assert sanitize(SCENE_BREAK) == SCENE_BREAK


def test_it_numbers_paragraphs_from_one_replacing_old_ids():
    html = number_paragraphs(
        '<p id="p9">a</p><hr><p title="t">b</p><blockquote><p>c</p></blockquote>'
    )
    assert html == (
        '<p id="p1">a</p><hr><p id="p2" title="t">b</p><blockquote><p id="p3">c</p></blockquote>'
    )


def test_it_does_not_number_other_elements_starting_with_p():
    assert number_paragraphs("<pre>x</pre><p>y</p>") == '<pre>x</pre><p id="p1">y</p>'


def test_clean_story_html_sanitises_then_numbers():
    assert clean_story_html('<p id="x">a<script>b</script></p><p>c</p>') == (
        '<p id="p1">a</p><p id="p2">c</p>'
    )


def test_it_turns_html_into_text():
    assert html_to_text("<p>a &amp; b</p><p>c<br>d</p>").split() == ["a", "&", "b", "c", "d"]


def test_it_tells_html_bodies_from_text_with_angle_brackets():
    assert looks_like_html("She said <i>no</i>.")
    assert looks_like_html("one<br>two")
    assert not looks_like_html("x < y and y > z")
    assert not looks_like_html("<3 you")


def test_it_scopes_paragraph_ids_for_a_whole_work_page():
    from fanarchive.lib.html import scope_paragraph_ids

    assert scope_paragraph_ids('<p id="p1">a</p><p id="p2" title="x">b</p>', "c3") == (
        '<p id="c3p1">a</p><p id="c3p2" title="x">b</p>'
    )


def _sanitize_as_first_written(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


_MARKUP = st.lists(
    st.sampled_from(
        [
            "<p>", "</p>", '<p id="p7">', '<p id="x">', '<hr class="scene-break">',
            '<hr class="x">',
            '<a href="javascript:alert(1)">', '<a href="https://example.org/" rel="x">', "</a>",
            "<script>", "</script>", "<!-- note -->", '<img src="data:x" onerror="y">', "<i>",
            "</i>", "&amp;", "&", "<", ">", "text", " ", "\n", '<table><td colspan="2">', "<style>",
        ]
    )
    | st.text(max_size=5),
    max_size=30,
).map("".join)  # fmt: skip


@given(_MARKUP)
def test_the_reused_sanitiser_cleans_as_nh3_clean_does(html):
    assert sanitize(html) == _sanitize_as_first_written(html)


@pytest.mark.parametrize(
    ("href", "allowed"),
    [
        ("https://example.org/", True),
        ("  HTTP://example.org/", True),
        ("mailto:keeper@example.org", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,hi", False),
        ("#p3", False),
        ("ftp://example.org/", False),
    ],
)
def test_only_web_and_mail_links_are_allowed(href, allowed):
    assert is_allowed_link(href) is allowed
