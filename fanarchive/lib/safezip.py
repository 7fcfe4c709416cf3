"""Zip archives from strangers: EPUBs, and the .zip files ``fanarchive import`` is given.

A zip file says in its central directory how many members it has, what they are
called and how big each one will be once expanded; every one of those claims can be
a lie. :func:`open_zip` refuses, before anything is expanded, an archive whose
directory is unreadable, whose member names could escape a directory when extracted
(absolute paths, ``..``, backslashes, drive letters), that has too many members,
that declares more expanded bytes than ``max_total`` or a member that expands more
than ``max_ratio`` times (a zip bomb). :meth:`SafeZip.read` then counts the bytes as
they are really expanded, so a member whose header understates its size is stopped
at the limit instead of filling memory.

No Django: this module is used by the importers, which run in worker processes.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from typing import BinaryIO, Self

MAX_TOTAL = 512 * 1024 * 1024
"""Expanded bytes an archive may hold, declared or read."""
MAX_RATIO = 200
"""How many times a member may expand. Prose compresses about four to one; a zip
bomb of zeros a thousand to one."""
MAX_MEMBERS = 10_000
RATIO_FLOOR = 64 * 1024
"""Members smaller than this are never refused for their ratio: a few kilobytes of
repeated spaces may compress well, but cannot hurt."""

_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# What zipfile and its decompressors raise for archives that are corrupt or truncated.
_CORRUPT = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
    UnicodeError,
    zlib.error,
    lzma.LZMAError,
)


class UnsafeArchive(ValueError):
    """An archive that is not a zip file, is damaged, or could hurt whoever opens it.
    The message says which, without the file name."""


def open_zip(
    stream: BinaryIO,
    *,
    max_total: int = MAX_TOTAL,
    max_ratio: int = MAX_RATIO,
    max_members: int = MAX_MEMBERS,
) -> SafeZip:
    """The archive in ``stream`` (seekable), checked as the module docstring says.
    Raises UnsafeArchive."""
    if not _seekable(stream):
        stream = io.BytesIO(stream.read())
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except _CORRUPT as error:
        raise UnsafeArchive(f"not a zip archive, or a truncated or corrupt one ({error})") from None
    if len(infos) > max_members:
        raise UnsafeArchive(
            f"too many members in the archive ({len(infos)}; at most {max_members})"
        )
    seen: set[str] = set()
    declared = 0
    for info in infos:
        _check_name(info.filename)
        if info.filename in seen:
            raise UnsafeArchive(f"the archive names the member {info.filename!r} twice")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeArchive(f"the member {info.filename!r} is encrypted")
        declared += info.file_size
        if declared > max_total:
            raise UnsafeArchive(
                f"the archive would expand to more than {max_total:,} bytes (a zip bomb?)"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UnsafeArchive(
                f"the member {info.filename!r} would expand more than {max_ratio} times "
                "(a zip bomb?)"
            )
    return SafeZip(archive, infos, max_total=max_total, max_ratio=max_ratio)


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _check_name(name: str) -> None:
    """Refuse a member name that could land outside the directory it is extracted to."""
    if not name:
        raise UnsafeArchive("the archive has a member without a name")
    if "\\" in name:
        raise UnsafeArchive(f"the member name {name!r} has a backslash")
    if name.startswith("/"):
        raise UnsafeArchive(f"the member name {name!r} is an absolute path")
    if _DRIVE.match(name):
        raise UnsafeArchive(f"the member name {name!r} names a drive")
    if ".." in name.split("/"):
        raise UnsafeArchive(f"the member name {name!r} climbs out of the archive with '..'")
    if "\x00" in name:
        raise UnsafeArchive(f"the member name {name!r} has a NUL character")


class SafeZip:
    """An archive :func:`open_zip` has checked. Reads count real expanded bytes
    against the archive's limits."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        infos: list[zipfile.ZipInfo],
        *,
        max_total: int,
        max_ratio: int,
    ) -> None:
        self._archive = archive
        self._infos = {info.filename: info for info in infos}
        self._order = [info.filename for info in infos]
        self._max_total = max_total
        self._max_ratio = max_ratio
        self._expanded = 0

    def names(self) -> list[str]:
        """Member names in the order the archive lists them (directories end in "/")."""
        return list(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def size(self, name: str) -> int:
        """The expanded size the archive declares for a member (may be a lie)."""
        return self._info(name).file_size

    def read(self, name: str, limit: int) -> bytes:
        """The expanded bytes of a member. Raises UnsafeArchive when the member is
        missing, corrupt, or expands past ``limit`` bytes, its ratio or the archive's
        total, whatever its header claims: reading stops at the first byte too many."""
        info = self._info(name)
        if info.file_size > limit:
            raise UnsafeArchive(f"the member {name!r} is larger than {limit:,} bytes")
        ratio_limit = max(RATIO_FLOOR, self._max_ratio * max(info.compress_size, 1))
        chunks: list[bytes] = []
        size = 0
        try:
            with self._archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    self._expanded += len(chunk)
                    if size > limit:
                        raise UnsafeArchive(f"the member {name!r} is larger than {limit:,} bytes")
                    if size > ratio_limit:
                        raise UnsafeArchive(
                            f"the member {name!r} expands more than {self._max_ratio} times "
                            "(a zip bomb?)"
                        )
                    if self._expanded > self._max_total:
                        raise UnsafeArchive(
                            f"the archive expands to more than {self._max_total:,} bytes "
                            "(a zip bomb?)"
                        )
                    chunks.append(chunk)
        except UnsafeArchive:
            raise
        except _CORRUPT as error:
            raise UnsafeArchive(f"the member {name!r} is corrupt ({error})") from None
        return b"".join(chunks)

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self._infos.get(name)
        if info is None:
            raise UnsafeArchive(f"the archive has no member {name!r}")
        return info

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
