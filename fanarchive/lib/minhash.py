"""Near-duplicate texts by MinHash over word shingles, with banded lookup keys.

Two copies of one story rarely match byte for byte: one was downloaded as HTML, the
other re-wrapped as text, a typo fixed in between. Their sets of five-word shingles
still overlap almost entirely, and MinHash estimates that overlap (Jaccard similarity)
from a fixed-size signature. Banding (locality-sensitive hashing) turns a signature
into a few lookup keys, so finding the stored works a new one may copy is an index
lookup, not a comparison with every work.

No Django: signatures are made where the text is read, in import worker processes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 16
"""16 bands of 8 rows: a pair at similarity 0.9 shares a band with probability
0.99999, a pair at 0.5 with probability 0.06 (each such candidate is then compared by
its whole signature, so a stray candidate costs a comparison, never a wrong answer)."""
ROWS = PERMUTATIONS // BANDS
MIN_SHINGLES = 20
"""Below this many different shingles, a text is too short (or too repetitive) to call
a copy by overlap alone."""
SIGNATURE_BYTES = PERMUTATIONS * 4

_WORD = re.compile(r"\w+")
_CHUNK = 8192  # shingles hashed at once: bounds memory on a 500,000-word work

# Fixed, not random per run: signatures stored by one import are compared by the next.
_PARAMETERS = np.random.default_rng(20261130).integers(
    1, 2**63 - 1, size=(2, PERMUTATIONS), dtype=np.uint64
)
_MULTIPLIERS = _PARAMETERS[0] | np.uint64(1)  # multiply-shift hashing needs odd multipliers
_INCREMENTS = _PARAMETERS[1]


def signature(texts: Iterable[str]) -> bytes | None:
    """The MinHash signature of the words of ``texts`` read as one text, or None when
    it has fewer than MIN_SHINGLES different shingles."""
    words = [word for text in texts for word in _WORD.findall(text.lower())]
    if len(words) - SHINGLE_WORDS + 1 < MIN_SHINGLES:
        return None
    word_hashes = np.fromiter(
        (zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words)
    )
    # A shingle's hash mixes its words' hashes by position: vectorised, no string joins.
    count = len(words) - SHINGLE_WORDS + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        shingles = shingles * np.uint64(0x100000001B3) + word_hashes[offset : offset + count]
    # Sets, not sequences: a refrain repeated a hundred times is one shingle.
    shingles = np.unique(shingles)
    count = len(shingles)
    if count < MIN_SHINGLES:
        return None
    minimum = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, count, _CHUNK):
        chunk = shingles[start : start + _CHUNK]
        # An outer product and an in-place add: ten times faster than the broadcast
        # expression of the same arithmetic, which made two strided temporaries.
        hashed = np.multiply.outer(_MULTIPLIERS, chunk)
        hashed += _INCREMENTS[:, None]
        np.minimum(minimum, hashed.min(axis=1), out=minimum)
    return (minimum >> np.uint64(32)).astype("<u4").tobytes()


def band_keys(signature_bytes: bytes) -> list[int]:
    """One lookup key per band, as signed 64-bit integers (a database bigint); the band's
    number is part of the key, so equal keys mean the same band agrees."""
    keys = []
    for band in range(BANDS):
        rows = signature_bytes[band * ROWS * 4 : (band + 1) * ROWS * 4]
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(first: bytes, second: bytes) -> float:
    """The estimated Jaccard similarity of the shingle sets two signatures came from."""
    a = np.frombuffer(first, dtype="<u4")
    b = np.frombuffer(second, dtype="<u4")
    return float(np.count_nonzero(a == b)) / PERMUTATIONS
