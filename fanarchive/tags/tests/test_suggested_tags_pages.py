"""Suggested tags on work pages: shown apart from the given tags and labelled, evidence
only for wranglers and never before consent, accepted or rejected by staff only (POST,
CSRF), and their admin."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from fanarchive.tags.constants import EXPLICIT, GENERAL, MATURE
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag, SuggestionStatus, Tag, TagType
from fanarchive.works.models import Work
from fanarchive.works.tests.factories import make_tag, make_user, make_work

pytestmark = pytest.mark.django_db

EVIDENCE = "Giles polished his glasses and sighed at the Slayer."
SECRET = "The text of the story, behind the gate."
LABEL = "Suggested by fanarchive from the text of the work, not given by its creator."


def suggest(
    work: Work,
    tag_type: str,
    name: str,
    confidence: float = 0.9,
    evidence: list[str] | None = None,
    status: str = SuggestionStatus.PENDING,
) -> SuggestedTag:
    suggestion = SuggestedTag.objects.create(
        work=work,
        tag=make_tag(tag_type, name),
        confidence=confidence,
        evidence=[EVIDENCE] if evidence is None else evidence,
        status=status,
    )
    refresh_work_filters([work.pk])
    return suggestion


def page(client, work: Work, query: str = "") -> str:
    response = client.get(work.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def suggested_block(content: str) -> str:
    """The "Suggested tags" section of a work page ("" when there is none)."""
    match = re.search(r'<section class="suggested-tags".*?</section>', content, re.DOTALL)
    return match.group(0) if match else ""


def given_block(content: str) -> str:
    match = re.search(r'<dl class="work meta">.*?</dl>', content, re.DOTALL)
    assert match
    return match.group(0)


@pytest.fixture
def staff(client):
    client.force_login(make_user("wrangler", is_staff=True))
    return client


def decide_url(suggestion: SuggestedTag, decision: str) -> str:
    return reverse("tags:decide", args=[suggestion.pk, decision])


# Shown apart, labelled ---------------------------------------------------------------


def test_suggested_tags_are_shown_apart_from_the_given_tags_and_labelled(client):
    work = make_work(rating=GENERAL, freeforms=["Libraries"])
    suggest(work, TagType.CHARACTER, "Rupert Giles", 0.874)
    suggest(work, TagType.FREEFORM, "Slow Burn", 0.6)

    content = page(client, work)
    block = suggested_block(content)

    assert block and content.index("</dl>") < content.index(block)
    assert "<h2" in block and "Suggested tags</h2>" in block
    assert LABEL in block
    assert "<dt>Character:</dt>" in block and "<dt>Additional Tags:</dt>" in block
    assert block.index("Character:") < block.index("Additional Tags:")  # the meta block's order
    assert "Rupert Giles</a>" in block and "87% confident" in block
    assert "Slow Burn</a>" in block and "60% confident" in block
    assert "Libraries" not in block
    given = given_block(content)
    assert "Libraries" in given and "Rupert Giles" not in given and "Slow Burn" not in given


def test_readers_see_neither_evidence_nor_decisions(client):
    work = make_work(rating=GENERAL)
    suggest(work, TagType.CHARACTER, "Rupert Giles")
    client.force_login(make_user())

    block = suggested_block(page(client, work))

    assert "Rupert Giles" in block
    assert EVIDENCE not in block and "<details" not in block
    assert "Accept" not in block and "<form" not in block


def test_staff_see_the_evidence_and_accept_and_reject_buttons(staff):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.CHARACTER, "Rupert Giles", evidence=[EVIDENCE, "<b>2</b>"])

    block = suggested_block(page(staff, work))

    assert '<details class="evidence">' in block
    assert f"<q>{EVIDENCE}</q>" in block
    assert "<q>&lt;b&gt;2&lt;/b&gt;</q>" in block  # evidence is text, escaped
    for decision in ("accept", "reject"):
        assert f'<form method="post" action="{decide_url(suggestion, decision)}">' in block
    assert block.count('name="csrfmiddlewaretoken"') == 2


def test_suggestions_below_the_threshold_are_shown_only_to_staff(client, settings):
    settings.SUGGESTION_THRESHOLD = 0.5
    work = make_work(rating=GENERAL)
    suggest(work, TagType.FREEFORM, "Maybe Angst", 0.3)

    assert "Maybe Angst" not in page(client, work)
    client.force_login(make_user("wrangler", is_staff=True))
    assert "Maybe Angst" in suggested_block(page(client, work))


def test_only_pending_suggestions_are_shown(staff):
    work = make_work(rating=GENERAL)
    suggest(work, TagType.FREEFORM, "Rejected Tag", status=SuggestionStatus.REJECTED)
    suggest(work, TagType.FREEFORM, "Accepted Tag", status=SuggestionStatus.ACCEPTED)

    content = page(staff, work)

    assert suggested_block(content) == ""
    assert "Rejected Tag" not in content and "Accepted Tag" not in content


def test_a_suggestion_of_a_tag_the_work_was_given_is_not_shown(staff):
    canonical = make_tag(TagType.CHARACTER, "Rupert Giles")
    make_tag(TagType.CHARACTER, "Ripper", synonym_of=canonical)
    work = make_work(rating=GENERAL, characters=["Ripper"])
    suggest(work, TagType.CHARACTER, "Rupert Giles")

    assert suggested_block(page(staff, work)) == ""


# Evidence and the adult gate ---------------------------------------------------------


def test_suggested_tag_names_are_shown_behind_the_adult_gate_but_never_the_evidence(client):
    work = make_work(rating=EXPLICIT, chapters=[f"<p>{SECRET}</p>"])
    suggest(work, TagType.CHARACTER, "Rupert Giles")

    gated = page(client, work)
    assert "This work could have adult content" in gated
    assert "Rupert Giles" in suggested_block(gated)
    assert EVIDENCE not in gated and SECRET not in gated

    consented = page(client, work, "?view_adult=true")
    assert SECRET in consented and EVIDENCE not in consented  # evidence is for wranglers


def test_the_evidence_template_never_shows_evidence_behind_the_gate():
    work = make_work(rating=EXPLICIT)
    suggestion = suggest(work, TagType.CHARACTER, "Rupert Giles")
    request = RequestFactory().get(work.get_absolute_url())
    request.user = make_user("wrangler", is_staff=True)
    group = {"label": "Character", "suggestions": [suggestion]}

    def render(gated: bool) -> str:
        context = {"suggestion_groups": [group], "gated": gated, "user": request.user}
        return render_to_string("works/_suggested_tags.html", context, request=request)

    assert EVIDENCE not in render(gated=True)
    assert EVIDENCE in render(gated=False)


# Deciding ------------------------------------------------------------------------------


def test_a_staff_member_accepts_a_suggestion(staff):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.CHARACTER, "Rupert Giles")

    response = staff.post(decide_url(suggestion, "accept"))

    assert response.status_code == 302
    assert response["Location"] == work.get_absolute_url()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert suggestion.decided_by.username == "wrangler" and suggestion.decided
    assert work.tags.filter(name="Rupert Giles").exists()
    content = page(staff, work)
    assert "Accepted Rupert Giles: it is now a given tag." in content
    assert "Rupert Giles" in given_block(content) and suggested_block(content) == ""
    listed = staff.get(reverse("works:index"), {"tag": "character:Rupert Giles"})
    assert list(listed.context["page_obj"]) == [work]


def test_an_accepted_rating_replaces_the_given_one(staff):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.RATING, EXPLICIT)

    staff.post(decide_url(suggestion, "accept"))

    work = Work.objects.prefetch_related("tags").get(pk=work.pk)
    assert [tag.name for tag in work.tags.all() if tag.type == TagType.RATING] == [EXPLICIT]
    assert work.rating == EXPLICIT and not work.needs_rating_review


def test_a_staff_member_rejects_a_suggestion(staff):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.FREEFORM, "Angst")

    response = staff.post(decide_url(suggestion, "reject"))

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REJECTED
    assert not work.tags.filter(name="Angst").exists()
    content = page(staff, work)
    assert "Rejected Angst." in content and suggested_block(content) == ""
    excluding = staff.get(reverse("works:index"), {"exclude": "Angst"})
    assert list(excluding.context["page_obj"]) == [work]


def test_a_decision_returns_to_the_page_it_was_made_on_if_it_is_on_this_site(staff):
    work = make_work(rating=GENERAL, chapters=["<p>One.</p>", "<p>Two.</p>"])
    first = suggest(work, TagType.FREEFORM, "Angst")
    second = suggest(work, TagType.FREEFORM, "Fluff")
    chapter_two = reverse("works:chapter", args=[work.pk, 2])

    here = staff.post(decide_url(first, "reject"), {"next": chapter_two})
    away = staff.post(decide_url(second, "reject"), {"next": "https://evil.example/"})

    assert here["Location"] == chapter_two
    assert away["Location"] == work.get_absolute_url()


def test_the_decision_forms_carry_the_page_they_are_on(staff):
    work = make_work(rating=GENERAL, chapters=["<p>One.</p>", "<p>Two.</p>"])
    suggest(work, TagType.FREEFORM, "Angst")
    chapter_two = reverse("works:chapter", args=[work.pk, 2])

    response = staff.get(chapter_two)

    assert f'name="next" value="{chapter_two}"' in response.content.decode()


def test_readers_may_not_decide(client):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.FREEFORM, "Angst")

    assert client.post(decide_url(suggestion, "accept")).status_code == 403
    client.force_login(make_user())
    assert client.post(decide_url(suggestion, "accept")).status_code == 403
    assert client.post(decide_url(suggestion, "reject")).status_code == 403

    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING
    assert not work.tags.filter(name="Angst").exists()


def test_deciding_takes_a_post(client, staff):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.FREEFORM, "Angst")

    assert staff.get(decide_url(suggestion, "accept")).status_code == 405
    assert Client().get(decide_url(suggestion, "reject")).status_code == 405
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING


def test_deciding_needs_the_csrf_token():
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.FREEFORM, "Angst")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("wrangler", is_staff=True))

    assert browser.post(decide_url(suggestion, "accept")).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING

    content = browser.get(work.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    response = browser.post(decide_url(suggestion, "accept"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED


def test_an_unknown_suggestion_or_decision_is_404(staff):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.FREEFORM, "Angst")
    assert staff.post(reverse("tags:decide", args=[suggestion.pk + 1, "accept"])).status_code == 404
    assert staff.post(f"/tags/suggestions/{suggestion.pk}/maybe/").status_code == 404


# Rating review -------------------------------------------------------------------------


def test_staff_are_told_a_safe_work_is_gated_by_a_suggested_rating(client, staff):
    work = make_work(rating=GENERAL)
    suggest(work, TagType.RATING, EXPLICIT, 0.8)
    notice = (
        "Rated General Audiences by its creator, suggested Explicit: "
        "gated until a wrangler decides."
    )

    assert notice in page(staff, work)
    assert notice not in page(Client(), work)


def test_no_rating_review_notice_for_a_work_its_creator_rated_adult(staff):
    work = make_work(rating=MATURE)
    suggest(work, TagType.RATING, EXPLICIT, 0.8)
    assert "gated until a wrangler decides" not in page(staff, work)


# Admin ---------------------------------------------------------------------------------


def test_the_suggestion_admin_lists_and_filters_suggestions(admin_client):
    work = make_work("Night Shift", rating=GENERAL)
    pending = suggest(work, TagType.CHARACTER, "Rupert Giles", 0.87)
    suggest(work, TagType.FREEFORM, "Angst", status=SuggestionStatus.REJECTED)
    url = reverse("admin:tags_suggestedtag_changelist")

    response = admin_client.get(url)
    content = response.content.decode()

    assert response.status_code == 200
    for text in ("Night Shift", "Rupert Giles", "Character", "87%", "Suggested", "Angst"):
        assert text in content, text
    assert "Accept selected suggestions" in content and "Reject selected suggestions" in content
    status = admin_client.get(url, {"status__exact": SuggestionStatus.PENDING}).context["cl"]
    assert list(status.result_list) == [pending]
    by_type = admin_client.get(url, {"tag__type__exact": TagType.FREEFORM}).context["cl"]
    assert [suggestion.tag.name for suggestion in by_type.result_list] == ["Angst"]
    change = admin_client.get(reverse("admin:tags_suggestedtag_change", args=[pending.pk]))
    assert change.status_code == 200 and EVIDENCE in change.content.decode()
    assert admin_client.get(reverse("admin:tags_suggestedtag_add")).status_code == 403


def test_admin_actions_accept_and_reject_suggestions(admin_client):
    work = make_work(rating=GENERAL)
    rating = suggest(work, TagType.RATING, EXPLICIT)
    angst = suggest(work, TagType.FREEFORM, "Angst")
    url = reverse("admin:tags_suggestedtag_changelist")

    accepted = admin_client.post(
        url, {"action": "accept_selected", "_selected_action": [rating.pk]}, follow=True
    )
    rejected = admin_client.post(
        url, {"action": "reject_selected", "_selected_action": [angst.pk]}, follow=True
    )

    assert "Accepted 1 suggestion(s)." in accepted.content.decode()
    assert "Rejected 1 suggestion(s)." in rejected.content.decode()
    rating.refresh_from_db()
    angst.refresh_from_db()
    assert rating.status == SuggestionStatus.ACCEPTED and angst.status == SuggestionStatus.REJECTED
    assert Work.objects.get(pk=work.pk).rating == EXPLICIT
    assert not work.tags.filter(name="Angst").exists()


def test_deleting_a_suggestion_in_the_admin_updates_the_filters(admin_client):
    work = make_work(rating=GENERAL)
    suggestion = suggest(work, TagType.FREEFORM, "Angst")
    assert work.filter_taggings.filter(tag__name="Angst", suggested=True).exists()

    admin_client.post(reverse("admin:tags_suggestedtag_delete", args=[suggestion.pk]),
                      {"post": "yes"})  # fmt: skip

    assert not SuggestedTag.objects.exists()
    assert not work.filter_taggings.filter(tag__name="Angst").exists()


def test_a_work_with_suggestions_shows_them_in_its_admin_page(admin_client):
    work = make_work(rating=GENERAL)
    suggest(work, TagType.FREEFORM, "Angst")
    content = admin_client.get(reverse("admin:works_work_change", args=[work.pk])).content
    assert "Angst" in content.decode()
    assert Tag.objects.filter(name="Angst").exists()
