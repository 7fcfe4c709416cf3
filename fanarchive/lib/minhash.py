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
import zlib
from collections.abc import Iterable

import numpy as np

from fanarchive.lib.codepoints import code_points, run_bounds, utf8_lengths, word_characters

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

_CHUNK = 8192  # shingles hashed at once: bounds memory on a 500,000-word work

# Fixed, not random per run: signatures stored by one import are compared by the next.
_PARAMETERS = np.random.default_rng(20261130).integers(
    1, 2**63 - 1, size=(2, PERMUTATIONS), dtype=np.uint64
)
_MULTIPLIERS = _PARAMETERS[0] | np.uint64(1)  # multiply-shift hashing needs odd multipliers
_INCREMENTS = _PARAMETERS[1]


def signature(texts: Iterable[str]) -> bytes | None:
    """The MinHash signature of the words of ``texts`` read as one text, or None when
    it has fewer than MIN_SHINGLES different shingles. A word is a run of ``\\w`` in the
    lower-cased text, hashed as zlib.crc32 of its UTF-8 (`word_hashes`)."""
    hashes = word_hashes(texts)
    if len(hashes) - SHINGLE_WORDS + 1 < MIN_SHINGLES:
        return None
    # A shingle's hash mixes its words' hashes by position: vectorised, no string joins.
    count = len(hashes) - SHINGLE_WORDS + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        shingles = shingles * np.uint64(0x100000001B3) + hashes[offset : offset + count]
    # Sets, not sequences: a refrain repeated a hundred times is one shingle.
    shingles = _distinct(shingles)
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


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: np.unique's answer, four times faster than numpy
    2.5's np.unique, which goes through a hash table first."""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


# Word hashes -----------------------------------------------------------------------
#
# zlib's CRC-32 is affine over GF(2): the CRC of n bytes is the CRC of n zero bytes
# XOR what each byte contributes, and a byte's contribution depends only on its value
# and how many bytes follow it. With both tabulated, the CRCs of all the words of a
# text are a few numpy passes: the same numbers zlib.crc32 gives word by word.

_CRC_SPAN = 64
"""Words up to this many bytes of UTF-8 are hashed from the tables; longer ones (rare)
by zlib.crc32 itself."""
_CRC_OF_ZEROS = np.array([zlib.crc32(bytes(n)) for n in range(_CRC_SPAN + 1)], dtype=np.uint32)
_CRC_OF_BYTE = np.array(
    [
        [zlib.crc32(bytes([byte]) + bytes(after)) ^ _CRC_OF_ZEROS[after + 1] for byte in range(256)]
        for after in range(_CRC_SPAN)
    ],
    dtype=np.uint32,
)
"""[n, b]: what byte b contributes to a CRC when n bytes follow it."""


def word_hashes(texts: Iterable[str]) -> np.ndarray:
    """zlib.crc32 of the UTF-8 of each word of the lower-cased texts, in order (uint64):
    the words a signature is made of."""
    # A space between texts ends a word as the end of a text does.
    return _word_hashes(" ".join(text.lower() for text in texts))


def _word_hashes(text: str) -> np.ndarray:
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    points = code_points(text)
    in_word = word_characters()[points]
    if len(points) != len(data):
        # Each character's flag, once for each of its bytes of UTF-8.
        in_word = np.repeat(in_word, utf8_lengths(points))
    starts, ends = run_bounds(in_word)
    if not len(starts):
        return np.zeros(0, dtype=np.uint64)
    lengths = ends - starts
    word_bytes = data[in_word]
    word_ends = np.cumsum(lengths)
    bytes_after = np.repeat(word_ends - 1, lengths) - np.arange(len(word_bytes))
    contributions = _CRC_OF_BYTE[np.minimum(bytes_after, _CRC_SPAN - 1), word_bytes]
    hashes = np.bitwise_xor.reduceat(contributions, word_ends - lengths)
    hashes ^= _CRC_OF_ZEROS[np.minimum(lengths, _CRC_SPAN)]
    for index in np.flatnonzero(lengths > _CRC_SPAN):
        hashes[index] = zlib.crc32(data[starts[index] : ends[index]])
    return hashes.astype(np.uint64)


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
