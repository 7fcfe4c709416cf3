"""A text as a numpy array of code points, and which code points are word characters.

The passes over a whole story that count or hash its words (`lib/wordcount.py`,
`lib/minhash.py`) find the regex ``\\w+``'s runs with a few numpy passes over these
arrays instead of making a Python string for every word, which cost more than all the
rest of reading a story. No Django.
"""

from __future__ import annotations

import re
import sys
from functools import cache

import numpy as np

_UTF8_LENGTH_STEPS = np.array([0x80, 0x800, 0x10000], dtype=np.uint32)


def code_points(text: str) -> np.ndarray:
    """The text's code points: uint8 for ASCII text (CPython knows that without a
    scan), else uint32. Lone surrogates are kept as the code points they are."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def utf8_lengths(points: np.ndarray) -> np.ndarray:
    """How many bytes of UTF-8 each code point takes (surrogates: 3, as surrogatepass
    writes them)."""
    return np.searchsorted(_UTF8_LENGTH_STEPS, points, side="right") + 1


@cache
def word_characters() -> np.ndarray:
    """A table, indexed by code point, of the characters the regex ``\\w`` matches in
    a str pattern. Made by asking the regex engine itself about every code point
    (once a process, about a tenth of a second), so it is the regex's own rule for
    this Python's Unicode version, not a copy of it."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    table = np.zeros(len(every), dtype=bool)
    table[[match.start() for match in re.finditer(r"\w", every)]] = True
    table.flags.writeable = False
    return table


def run_bounds(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of True in a boolean array, ends exclusive."""
    edges = np.flatnonzero(np.diff(flags, prepend=False, append=False))
    return edges[0::2], edges[1::2]


def count_runs(flags: np.ndarray) -> int:
    """How many runs of True a boolean array holds."""
    if not len(flags):
        return 0
    return int(flags[0]) + int(np.count_nonzero(flags[1:] & ~flags[:-1]))
