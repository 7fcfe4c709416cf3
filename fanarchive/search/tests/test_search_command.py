"""`fanarchive search`: the operator's view, --json shape, plain lines and exit codes."""

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
