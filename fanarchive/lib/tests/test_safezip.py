"""Zip archives from strangers: what open_zip refuses, and reads that stop in time."""

import contextlib
import io
import re
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.lib.safezip import RATIO_FLOOR, SafeZip, UnsafeArchive, open_zip


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            # ZipInfo keeps a name as given; ZipFile.writestr(str) would tidy it.
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def open_bytes(data: bytes, **limits: int) -> SafeZip:
    return open_zip(io.BytesIO(data), **limits)


STORY = b"The ferry left at six, and Ines was not on it.\n" * 20
ARCHIVE = make_zip({"stories/ferry.txt": STORY, "stories/": b"", "readme.txt": b"Two stories."})


def test_it_lists_members_in_archive_order_and_reads_them():
    archive = open_bytes(ARCHIVE)
    assert archive.names() == ["stories/ferry.txt", "stories/", "readme.txt"]
    assert archive.read("stories/ferry.txt", limit=10_000) == STORY
    assert archive.read("readme.txt", limit=100) == b"Two stories."
    assert "readme.txt" in archive
    assert archive.size("stories/ferry.txt") == len(STORY)


def test_it_reads_from_a_stream_that_cannot_seek():
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: bytearray) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    archive = open_zip(io.BufferedReader(Pipe(ARCHIVE)))
    assert archive.read("readme.txt", limit=100) == b"Two stories."


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 40, ARCHIVE[: len(ARCHIVE) // 2]],
    ids=["empty", "text", "bare header", "truncated"],
)
def test_it_refuses_what_is_not_a_whole_zip(data):
    with pytest.raises(UnsafeArchive, match="not a zip archive, or a truncated or corrupt one"):
        open_bytes(data)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/etc/passwd", "absolute path"),
        ("../escape.txt", "climbs out"),
        ("stories/../../escape.txt", "climbs out"),
        ("stories\\escape.txt", "backslash"),
        ("..\\escape.txt", "backslash"),
        ("C:/Windows/escape.txt", "names a drive"),
        ("c:escape.txt", "names a drive"),
    ],
)
def test_it_refuses_member_names_that_escape_the_directory(name, reason):
    with pytest.raises(UnsafeArchive, match=reason):
        open_bytes(make_zip({"fine.txt": b"fine", name: b"escaped"}))


def test_a_name_with_dots_inside_a_part_is_fine():
    archive = open_bytes(make_zip({"stories/..hidden/ch..1.txt": b"fine"}))
    assert archive.names() == ["stories/..hidden/ch..1.txt"]


def test_it_refuses_too_many_members():
    data = make_zip({f"part{number}.txt": b"x" for number in range(4)})
    assert open_bytes(data, max_members=4).names()
    with pytest.raises(UnsafeArchive, match=r"too many members in the archive \(4; at most 3\)"):
        open_bytes(data, max_members=3)


def test_it_refuses_an_archive_declaring_more_than_the_total():
    data = make_zip({"one.txt": b"a" * 600, "two.txt": b"b" * 600}, zipfile.ZIP_STORED)
    assert open_bytes(data, max_total=1200).names()
    with pytest.raises(UnsafeArchive, match="would expand to more than 1,000 bytes"):
        open_bytes(data, max_total=1000)


def test_it_refuses_a_zip_bomb_by_its_ratio():
    bomb = make_zip({"zeros.xhtml": b"\0" * (4 * 1024 * 1024)})
    assert len(bomb) < 20_000
    with pytest.raises(
        UnsafeArchive, match=re.escape("'zeros.xhtml' would expand more than 200 times")
    ):
        open_bytes(bomb)


def test_a_small_member_that_compresses_well_is_no_bomb():
    spaces = b" " * (RATIO_FLOOR - 1)
    assert open_bytes(make_zip({"spaces.txt": spaces})).read("spaces.txt", RATIO_FLOOR) == spaces


def test_it_refuses_a_read_over_the_callers_limit():
    archive = open_bytes(ARCHIVE)
    with pytest.raises(
        UnsafeArchive, match=re.escape("'stories/ferry.txt' is larger than 100 bytes")
    ):
        archive.read("stories/ferry.txt", limit=100)


def _understate_size(data: bytes, size: int) -> bytes:
    """The archive with its one member's expanded size rewritten to ``size``, in both
    the local header (offset 22) and the central directory (offset 24)."""
    lying = bytearray(data)
    struct.pack_into("<I", lying, 22, size)
    struct.pack_into("<I", lying, lying.find(b"PK\x01\x02") + 24, size)
    return bytes(lying)


def test_a_member_whose_header_understates_its_size_is_stopped_not_expanded():
    honest = make_zip({"big.txt": b"a" * (1024 * 1024)})
    archive = open_bytes(_understate_size(honest, 100))
    assert archive.size("big.txt") == 100
    with pytest.raises(UnsafeArchive, match=re.escape("'big.txt' is corrupt")):
        archive.read("big.txt", limit=1000)


def test_it_refuses_encrypted_members():
    data = bytearray(make_zip({"secret.txt": b"hidden"}))
    flags_at = data.find(b"PK\x01\x02") + 8
    data[flags_at] |= 0x1
    with pytest.raises(UnsafeArchive, match=re.escape("'secret.txt' is encrypted")):
        open_bytes(bytes(data))


def test_it_refuses_a_name_given_twice():
    buffer = io.BytesIO()
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        archive.writestr("chapter.txt", "one")
        archive.writestr("chapter.txt", "two")
    with pytest.raises(UnsafeArchive, match=re.escape("names the member 'chapter.txt' twice")):
        open_bytes(buffer.getvalue())


def test_it_says_when_a_member_is_missing():
    with pytest.raises(UnsafeArchive, match=re.escape("no member 'nope.txt'")):
        open_bytes(ARCHIVE).read("nope.txt", limit=100)


def _read_everything(data: bytes) -> None:
    try:
        archive = open_bytes(data, max_total=1_000_000)
    except UnsafeArchive:
        return
    for name in archive.names():
        with contextlib.suppress(UnsafeArchive):
            assert isinstance(archive.read(name, limit=100_000), bytes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_an_archive_or_unsafe_archive(data):
    _read_everything(data)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(ARCHIVE) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )
)
def test_mutated_archives_give_an_archive_or_unsafe_archive(changes):
    data = bytearray(ARCHIVE)
    for position, value in changes:
        data[position] = value
    _read_everything(bytes(data))
