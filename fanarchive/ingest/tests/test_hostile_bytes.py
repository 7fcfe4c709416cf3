"""Every importer, through the one entry point an import uses (`read_path`), given random
bytes and damaged copies of every fixture: each file yields whole works or a clear
error, never an exception and never a work without text."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.ingest.reading import ReadFile, read_path
from fanarchive.ingest.registry import importable_extensions

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = sorted(
    path
    for path in FIXTURES.rglob("*")
    if path.is_file() and path.suffix.lower() in importable_extensions()
)
NAMES = sorted(f"story{extension}" for extension in importable_extensions() | {".zip", ""})


def check(files: list[ReadFile]) -> None:
    assert files
    for read in files:
        assert read.works or read.error, read.file
        for ready in read.works:
            assert ready.chapters, read.file
            assert all(isinstance(chapter.body, str) for chapter in ready.chapters)
        assert isinstance(read.error, str)
        assert "unexpected error" not in read.error, read.error


def mutate(data: bytes, edits: list[tuple[int, int, int]], cut: int) -> bytes:
    """`data` with bytes overwritten, inserted or deleted at positions drawn from the
    edits, then truncated at `cut` (a fraction in thousandths)."""
    mutable = bytearray(data)
    for kind, position, value in edits:
        if not mutable:
            break
        at = position % len(mutable)
        if kind == 0:
            mutable[at] = value
        elif kind == 1:
            mutable.insert(at, value)
        else:
            del mutable[at]
    return bytes(mutable[: max(1, len(mutable) * cut // 1000)])


HOSTILE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HOSTILE
@given(data=st.binary(max_size=4096), name=st.sampled_from(NAMES))
def test_random_bytes_never_raise(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("random") / name
    path.write_bytes(data)
    check(read_path(path))


@HOSTILE
@given(
    index=st.integers(min_value=0),
    edits=st.lists(
        st.tuples(
            st.integers(0, 2), st.integers(min_value=0), st.integers(min_value=0, max_value=255)
        ),
        max_size=12,
    ),
    cut=st.integers(min_value=1, max_value=1000),
)
def test_damaged_fixtures_never_raise(tmp_path_factory, index, edits, cut):
    if not FIXTURE_FILES:
        return
    source = FIXTURE_FILES[index % len(FIXTURE_FILES)]
    path = tmp_path_factory.mktemp("damaged") / source.name
    path.write_bytes(mutate(source.read_bytes(), edits, cut))
    check(read_path(path))


def test_every_fixture_reads_whole():
    """The fixtures the damaged copies come from read without error, so the property
    above starts from real works."""
    assert FIXTURE_FILES
    for path in FIXTURE_FILES:
        files = read_path(path)
        check(files)
