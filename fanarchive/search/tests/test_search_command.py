"""`fanarchive search`: the operator's view, --json shape, plain lines, the site's
filters as options, and exit codes."""

import datetime
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from fanarchive.tags.constants import EXPLICIT
from fanarchive.works.models import Work

from .stories import store

pytestmark = pytest.mark.django_db


def search_cli(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("search", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def search_json(*args: str) -> dict:
    stdout, _ = search_cli(*args, "--json")
    return json.loads(stdout)


@pytest.fixture
def archive():
    store(
        "The Lighthouse",
        "<p>Intro.</p>",
        "<p>Dusk.</p><p>Night.</p><p>The lighthouse keeper &amp; his &lt;lamp&gt;.</p>",
        freeforms=["Sea"],
        kudos=5,
    )
    store("Mentions", "<p>A lighthouse, far off.</p>", kudos=50)
    store("Unrelated", "<p>Fields.</p>")


def test_json_is_one_object_with_the_total_and_results_in_rank_order(archive):
    stdout, stderr = search_cli("lighthouse keeper OR far", "--json")

    payload = json.loads(stdout)  # one object: the whole of stdout
    assert set(payload) == {"total", "results"}
    assert payload["total"] == 2
    first, second = payload["results"]
    assert list(first) == ["work_id", "title", "snippet", "chapter", "paragraph"]
    assert first["title"] == "The Lighthouse"
    assert first["work_id"] == Work.objects.get(title="The Lighthouse").pk
    assert (first["chapter"], first["paragraph"]) == (2, 3)
    assert "<mark>keeper</mark> &amp; his &lt;lamp&gt;" in first["snippet"]
    assert second["title"] == "Mentions"
    assert "2 works found" in stderr


def test_options_narrow_and_sort(archive):
    assert [r["title"] for r in search_json("lighthouse", "--sort", "kudos")["results"]] == [
        "Mentions",
        "The Lighthouse",
    ]
    assert search_json("lighthouse", "--include", "freeform:Sea")["total"] == 1
    assert search_json("lighthouse", "--exclude", "Sea")["total"] == 1
    assert search_json("lighthouse", "--rating", "general audiences")["total"] == 2
    assert search_json("lighthouse", "--rating", "Explicit")["total"] == 0
    assert len(search_json("lighthouse", "--limit", "1")["results"]) == 1
    assert search_json("lighthouse", "--limit", "1")["total"] == 2


def test_plain_output_is_one_line_per_result(archive):
    stdout, _ = search_cli("lighthouse", "--sort", "title")

    lines = stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#")
    assert "'Mentions' chapter 1, paragraph 1: A *lighthouse*, far off." in lines[0]
    assert "'The Lighthouse' chapter 2, paragraph 3:" in lines[1]
    assert "*lighthouse* keeper & his <lamp>." in lines[1]


def test_no_results_and_unknown_tags_are_not_errors(archive):
    assert search_json("zeppelin") == {"total": 0, "results": []}
    assert search_json("lighthouse", "--include", "No Such Tag") == {"total": 0, "results": []}
    assert search_json('"unbalanced NEAR( title: *') == {"total": 0, "results": []}


def test_the_operator_sees_restricted_and_adult_works_but_not_drafts_or_hidden_ones():
    store("Restricted", "<p>A lighthouse.</p>")
    store("Adult", "<p>A lighthouse at night.</p>", rating=EXPLICIT)
    store("Draft", "<p>A lighthouse.</p>")
    store("Hidden", "<p>A lighthouse.</p>")
    Work.objects.filter(title="Restricted").update(restricted=True)
    Work.objects.filter(title="Draft").update(posted=False)
    Work.objects.filter(title="Hidden").update(hidden_by_admin=True)

    results = search_json("lighthouse")["results"]

    assert {r["title"] for r in results} == {"Restricted", "Adult"}
    adult = next(r for r in results if r["title"] == "Adult")
    assert "<mark>lighthouse</mark> at night" in adult["snippet"]


def test_an_unknown_rating_is_bad_usage():
    with pytest.raises(CommandError, match="unknown rating") as raised:
        search_cli("lighthouse", "--rating", "PG-13ish")
    assert raised.value.returncode == 2


@pytest.fixture
def shelf():
    """Three lighthouse works that differ in every filter the site has."""
    store(
        "Crossover Light",
        "<p>The lighthouse keeper.</p>",
        "<p>He met a detective.</p>",
        fandoms=["Buffy the Vampire Slayer", "Sherlock (TV)"],
        complete=False,
        language="en",
        published=datetime.date(2020, 3, 1),
        updated=datetime.date(2024, 6, 1),
        hits=1000, kudos=100, comments=40, bookmarks=7,
    )  # fmt: skip
    store(
        "Buffy Light",
        "<p>The lighthouse at Sunnydale, " + "word " * 200 + "</p>",
        fandoms=["Buffy the Vampire Slayer"],
        language="fr",
        published=datetime.date(2022, 1, 1),
        updated=datetime.date(2022, 1, 1),
        hits=50, kudos=3, comments=1, bookmarks=90,
    )  # fmt: skip
    store(
        "Sherlock Light",
        "<p>A lighthouse on Baker Street.</p>",
        fandoms=["Sherlock (TV)"],
        language="en",
        published=datetime.date(2023, 5, 5),
        updated=datetime.date(2023, 5, 5),
        hits=10, kudos=10, comments=10, bookmarks=10,
    )  # fmt: skip


def found(*args: str) -> set[str]:
    return {result["title"] for result in search_json("lighthouse", *args)["results"]}


ALL = {"Crossover Light", "Buffy Light", "Sherlock Light"}


@pytest.mark.usefixtures("shelf")
def test_it_includes_crossovers_unless_told_otherwise():
    assert found() == ALL
    assert found("--crossover", "include") == ALL


@pytest.mark.usefixtures("shelf")
def test_it_excludes_crossovers():
    assert found("--crossover", "exclude") == {"Buffy Light", "Sherlock Light"}


@pytest.mark.usefixtures("shelf")
def test_it_finds_only_crossovers():
    assert found("--crossover", "only") == {"Crossover Light"}


@pytest.mark.usefixtures("shelf")
def test_completion_chapters_and_language_narrow():
    assert found("--complete") == {"Buffy Light", "Sherlock Light"}
    assert found("--wip") == {"Crossover Light"}
    assert found("--single-chapter") == {"Buffy Light", "Sherlock Light"}
    assert found("--language", "fr") == {"Buffy Light"}
    assert found("--language", "en", "--complete") == {"Sherlock Light"}


@pytest.mark.usefixtures("shelf")
@pytest.mark.parametrize(
    ("args", "titles"),
    [
        (("--words-from", "100"), {"Buffy Light"}),
        (("--words-to", "1,000"), ALL),
        (("--hits-from", "50", "--hits-to", "999"), {"Buffy Light"}),
        (("--kudos-from", "10"), {"Crossover Light", "Sherlock Light"}),
        (("--kudos-to", "9"), {"Buffy Light"}),
        (("--comments-from", "20"), {"Crossover Light"}),
        (("--comments-to", "10"), {"Buffy Light", "Sherlock Light"}),
        (("--bookmarks-from", "50"), {"Buffy Light"}),
        (("--bookmarks-to", "10", "--comments-to", "10"), {"Sherlock Light"}),
        (("--posted-from", "2021-01-01"), {"Buffy Light", "Sherlock Light"}),
        (("--posted-to", "2021-01-01"), {"Crossover Light"}),
        (("--updated-from", "2023-01-01", "--updated-to", "2023-12-31"), {"Sherlock Light"}),
    ],
)
def test_range_options_bound_their_field(args, titles):
    assert found(*args) == titles


@pytest.mark.usefixtures("shelf")
def test_range_options_combine_with_every_other_filter():
    assert found("--crossover", "exclude", "--kudos-from", "5", "--complete") == {"Sherlock Light"}


@pytest.mark.parametrize(
    ("option", "value", "wanted"),
    [
        ("--words-from", "lots", "a whole number"),
        ("--kudos-to", "-3", "a whole number"),
        ("--bookmarks-from", "1.5", "a whole number"),
        ("--posted-from", "2024-13-01", "a date YYYY-MM-DD"),
        ("--updated-to", "yesterday", "a date YYYY-MM-DD"),
    ],
)
def test_a_bad_number_or_date_is_bad_usage_naming_the_option(option, value, wanted):
    with pytest.raises(CommandError, match=f"{option} must be {wanted}, not '{value}'") as raised:
        search_cli("lighthouse", option, value)
    assert raised.value.returncode == 2


def test_complete_and_wip_are_mutually_exclusive():
    with pytest.raises(CommandError, match="not allowed with"):
        search_cli("lighthouse", "--complete", "--wip")


def test_an_unknown_crossover_choice_is_bad_usage():
    with pytest.raises(CommandError, match="invalid choice"):
        search_cli("lighthouse", "--crossover", "sometimes")


def run_console(*args: str, tmp_path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FANARCHIVE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "fanarchive", "search", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.django_db(databases=[])
def test_the_console_script_exits_0_for_any_query_and_2_for_bad_usage(tmp_path):
    empty = run_console("lighthouse", "--json", tmp_path=tmp_path)
    assert empty.returncode == 0, empty.stderr
    assert json.loads(empty.stdout) == {"total": 0, "results": []}

    assert run_console("lighthouse", "--sort", "relevance", tmp_path=tmp_path).returncode == 2
    assert run_console("lighthouse", "--limit", "0", tmp_path=tmp_path).returncode == 2
    assert run_console("lighthouse", "--rating", "PG-13ish", tmp_path=tmp_path).returncode == 2
    assert run_console("lighthouse", "--frobnicate", tmp_path=tmp_path).returncode == 2
    assert run_console("lighthouse", "--complete", "--wip", tmp_path=tmp_path).returncode == 2
    bad_date = run_console("lighthouse", "--posted-from", "soon", tmp_path=tmp_path)
    assert bad_date.returncode == 2
    assert "--posted-from must be a date YYYY-MM-DD" in bad_date.stderr
