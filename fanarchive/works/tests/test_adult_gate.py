"""The adult-content gate: no chapter text or notes before the reader agrees."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from fanarchive.tags.constants import EXPLICIT, GENERAL, MATURE, NOT_RATED, TEEN
from fanarchive.tags.filtering import refresh_work_filters
from fanarchive.tags.models import SuggestedTag, TagType
from fanarchive.works import gate
from fanarchive.works.models import Creator, Work
from fanarchive.works.tests.factories import make_tag, make_user, make_work, tag_work

pytestmark = pytest.mark.django_db

SECRET = "The vampire kissed the librarian behind the stacks."
NOTICE = "This work could have adult content. If you continue, you have agreed"


def make_adult_work(rating: str | None, title: str = "After Hours") -> Work:
    return make_work(
        title,
        rating=rating,
        relationships=["Angel/Cordelia Chase"],
        summary="<p>A summary anyone may read.</p>",
        notes="<p>Secret beginning notes.</p>",
        end_notes="<p>Secret end notes.</p>",
        chapters=[
            {
                "body": f"<p>{SECRET}</p>",
                "notes": "<p>Secret chapter notes.</p>",
                "summary": "<p>Secret chapter summary.</p>",
                "end_notes": "<p>Secret chapter end notes.</p>",
            },
            "<p>Chapter two text, also secret.</p>",
        ],
    )


def pages(work: Work) -> list[str]:
    return [
        work.get_absolute_url(),
        reverse("works:chapter", args=[work.pk, 1]),
        reverse("works:chapter", args=[work.pk, 2]),
        work.get_absolute_url() + "?view_full_work=true",
    ]


def get(client, url: str, **headers: str) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


ADULT = [MATURE, EXPLICIT, NOT_RATED, None]


@pytest.mark.parametrize("rating", ADULT, ids=["mature", "explicit", "not-rated", "unrated"])
def test_it_hides_adult_text_before_consent(client, rating):
    work = make_adult_work(rating)
    for url in pages(work):
        content = get(client, url)
        assert NOTICE in content, url
        for secret in (SECRET, "Chapter two text", "Secret beginning notes.",
                       "Secret end notes.", "Secret chapter"):  # fmt: skip
            assert secret not in content, (url, secret)
        # The tags and the summary are shown.
        assert "Angel/Cordelia Chase" in content
        assert "A summary anyone may read." in content
        assert f">{rating or NOT_RATED}<" in content


@pytest.mark.parametrize("rating", ADULT, ids=["mature", "explicit", "not-rated", "unrated"])
def test_it_shows_adult_text_after_consent(client, rating):
    work = make_adult_work(rating)
    content = get(client, work.get_absolute_url() + "?view_adult=true")
    assert NOTICE not in content
    assert SECRET in content
    assert "Secret beginning notes." in content
    full = get(client, work.get_absolute_url() + "?view_full_work=true&view_adult=true")
    assert SECRET in full and "Chapter two text" in full and "Secret end notes." in full


def test_consent_is_remembered_for_the_session_and_every_work(client):
    first = make_adult_work(EXPLICIT, "First")
    second = make_adult_work(MATURE, "Second")

    get(client, first.get_absolute_url() + "?view_adult=true")

    assert client.session[gate.SESSION_KEY] is True
    for url in pages(first) + pages(second):
        content = get(client, url)
        assert NOTICE not in content, url
    assert "Chapter two text" in get(client, reverse("works:chapter", args=[second.pk, 2]))


def test_consent_on_a_general_work_counts_too(client):
    general = make_work(rating=GENERAL)
    adult = make_adult_work(EXPLICIT)
    get(client, general.get_absolute_url() + "?view_adult=true")
    assert SECRET in get(client, adult.get_absolute_url())


def test_consent_needs_the_exact_word_true(client):
    work = make_adult_work(EXPLICIT)
    content = get(client, work.get_absolute_url() + "?view_adult=1")
    assert NOTICE in content and SECRET not in content


@pytest.mark.parametrize("rating", [GENERAL, TEEN])
def test_general_and_teen_works_show_text_without_consent(client, rating):
    work = make_adult_work(rating)
    content = get(client, work.get_absolute_url())
    assert NOTICE not in content
    assert SECRET in content
    assert gate.SESSION_KEY not in client.session


def test_yes_continue_leads_to_the_same_page_agreeing(client):
    work = make_adult_work(EXPLICIT)
    content = get(client, work.get_absolute_url() + "?view_full_work=true")
    assert (
        f'<a class="button primary" href="{work.get_absolute_url()}'
        '?view_full_work=true&amp;view_adult=true">Yes, Continue</a>'
    ) in content


def test_no_go_back_returns_to_the_page_the_reader_came_from_on_this_site(client):
    work = make_adult_work(EXPLICIT)
    came_from = get(client, work.get_absolute_url(), HTTP_REFERER="http://testserver/works/?page=2")
    assert '<a class="button" href="http://testserver/works/?page=2">No, Go Back</a>' in came_from
    elsewhere = get(client, work.get_absolute_url(), HTTP_REFERER="https://evil.example/")
    assert '<a class="button" href="/works/">No, Go Back</a>' in elsewhere


def test_staff_always_see_the_text(client):
    work = make_adult_work(EXPLICIT)
    client.force_login(make_user("operator", is_staff=True))
    assert SECRET in get(client, work.get_absolute_url())


def test_a_logged_in_reader_still_has_to_agree(client):
    work = make_adult_work(EXPLICIT)
    client.force_login(make_user())
    assert SECRET not in get(client, work.get_absolute_url())


def test_the_works_creator_sees_the_text(client):
    work = make_adult_work(EXPLICIT)
    user = make_user("author")
    Creator.objects.filter(pk=work.creators.get().pk).update(user=user)
    client.force_login(user)
    assert SECRET in get(client, work.get_absolute_url())


def test_blurbs_of_adult_works_are_listed_without_text(client):
    make_adult_work(EXPLICIT)
    for url in (reverse("works:index"), reverse("home")):
        content = get(client, url)
        assert "After Hours" in content and "A summary anyone may read." in content
        assert SECRET not in content and "Secret beginning notes." not in content


def test_a_missing_chapter_is_404_even_before_consent(client):
    work = make_adult_work(EXPLICIT)
    assert client.get(reverse("works:chapter", args=[work.pk, 3])).status_code == 404


# Work.is_adult errs towards the gate -------------------------------------------------


def rated(*names: str) -> Work:
    work = make_work(rating=None)
    tag_work(work, *(make_tag(TagType.RATING, name) for name in names))
    return Work.objects.prefetch_related("tags").get(pk=work.pk)


def test_a_rating_that_is_not_ao3s_is_adult():
    assert rated("R").is_adult


def test_an_adult_rating_beside_a_safe_one_is_adult():
    assert rated(GENERAL, EXPLICIT).is_adult


def test_a_synonym_of_a_safe_rating_is_safe():
    make_tag(TagType.RATING, "PG", synonym_of=make_tag(TagType.RATING, GENERAL))
    assert not rated("PG").is_adult
    assert not rated(TEEN).is_adult


def test_must_gate_reads_consent_from_the_query_and_remembers_it():
    work = rated(EXPLICIT)
    request = RequestFactory().get("/works/1/", {"view_adult": "true"})
    request.session = {}
    request.user = AnonymousUser()
    assert not gate.must_gate(request, work)
    assert request.session == {gate.SESSION_KEY: True}
    later = RequestFactory().get("/works/2/")
    later.session, later.user = request.session, request.user
    assert gate.reader_consents(later)


# A suggested adult rating gates a safe-rated work until a wrangler decides --------------


def suggest_rating(work: Work, rating: str, confidence: float = 0.9) -> SuggestedTag:
    suggestion = SuggestedTag.objects.create(
        work=work, tag=make_tag(TagType.RATING, rating), confidence=confidence
    )
    refresh_work_filters([work.pk])
    return suggestion


def flagged(admin_client) -> list[str]:
    response = admin_client.get(reverse("admin:works_work_changelist"), {"rating_review": "needed"})
    assert response.status_code == 200
    return [work.title for work in response.context["cl"].result_list]


def test_a_general_work_suggested_explicit_is_gated_and_flagged_for_review(client, admin_client):
    work = make_adult_work(GENERAL)
    suggest_rating(work, EXPLICIT, 0.8)

    for url in pages(work):
        content = get(client, url)
        assert NOTICE in content, url
        assert SECRET not in content and "Secret beginning notes." not in content, url
    assert SECRET in get(client, work.get_absolute_url() + "?view_adult=true")
    assert flagged(admin_client) == ["After Hours"]
    assert "Needs rating review" in get(admin_client, reverse("admin:works_work_changelist"))


def test_a_suggestion_below_the_threshold_neither_gates_nor_flags(client, admin_client, settings):
    settings.SUGGESTION_THRESHOLD = 0.5
    work = make_adult_work(TEEN)
    suggest_rating(work, EXPLICIT, 0.49)

    assert SECRET in get(client, work.get_absolute_url())
    assert flagged(admin_client) == []


def test_after_a_wrangler_rejects_the_suggested_rating_the_work_is_not_gated(client, admin_client):
    work = make_adult_work(GENERAL)
    suggestion = suggest_rating(work, MATURE)
    assert NOTICE in get(client, work.get_absolute_url())

    wrangler = Client()
    wrangler.force_login(make_user("wrangler", is_staff=True))
    response = wrangler.post(reverse("tags:decide", args=[suggestion.pk, "reject"]))

    assert response.status_code == 302
    content = get(client, work.get_absolute_url())
    assert NOTICE not in content and SECRET in content
    assert flagged(admin_client) == []


def test_after_a_wrangler_accepts_the_suggested_rating_the_work_is_rated_so(client, admin_client):
    work = make_adult_work(GENERAL)
    suggestion = suggest_rating(work, EXPLICIT)

    wrangler = Client()
    wrangler.force_login(make_user("wrangler", is_staff=True))
    wrangler.post(reverse("tags:decide", args=[suggestion.pk, "accept"]))

    content = get(client, work.get_absolute_url())
    assert NOTICE in content and SECRET not in content
    assert f">{EXPLICIT}<" in content and f">{GENERAL}<" not in content
    assert flagged(admin_client) == []


def test_only_works_rated_safe_by_their_creators_await_rating_review(admin_client):
    suggest_rating(make_adult_work(MATURE, "Mature"), EXPLICIT)
    suggest_rating(make_adult_work(None, "Unrated"), EXPLICIT)
    suggest_rating(make_adult_work(TEEN, "Teen, suggested General"), GENERAL)
    suggest_rating(make_adult_work(TEEN, "Teen, suggested Mature"), MATURE)
    make_tag(TagType.RATING, "PG", synonym_of=make_tag(TagType.RATING, GENERAL))
    suggest_rating(make_adult_work("PG", "PG, suggested Explicit"), EXPLICIT)

    assert sorted(flagged(admin_client)) == ["PG, suggested Explicit", "Teen, suggested Mature"]


def test_a_safe_suggested_rating_never_exposes_an_adult_work(client):
    work = make_adult_work(EXPLICIT)
    suggest_rating(work, GENERAL, 0.99)
    content = get(client, work.get_absolute_url())
    assert NOTICE in content and SECRET not in content


def test_not_adult_is_work_is_adult_as_a_query():
    custom = make_tag(TagType.RATING, "All Ages")
    custom.make_synonym_of(make_tag(TagType.RATING, GENERAL))
    works = [
        make_work("general", rating=GENERAL),
        make_work("teen", rating=TEEN),
        make_work("mature", rating=MATURE),
        make_work("explicit", rating=EXPLICIT),
        make_work("not rated", rating=NOT_RATED),
        make_work("unrated", rating=None),
        make_work("synonym of general", rating="All Ages"),
        make_work("unwrangled rating", rating="PG-13"),
    ]
    both = make_work("general and explicit", rating=GENERAL)
    tag_work(both, make_tag(TagType.RATING, EXPLICIT))
    suggested = make_work("suggested explicit", rating=TEEN)
    weak = make_work("weakly suggested explicit", rating=TEEN)
    for work, confidence in ((suggested, 0.9), (weak, 0.1)):
        SuggestedTag.objects.create(
            work=work, tag=make_tag(TagType.RATING, EXPLICIT), confidence=confidence
        )
    refresh_work_filters([suggested.pk, weak.pk])
    works += [both, suggested, weak]
    expected = {work.title for work in works if not Work.objects.get(pk=work.pk).is_adult}
    assert expected == {"general", "teen", "synonym of general", "weakly suggested explicit"}
    assert set(Work.objects.not_adult().values_list("title", flat=True)) == expected
