import hashlib
import re
import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fanarchive.lib import minhash

_WORD = re.compile(r"\w+")


def reference_signature(texts: list[str]) -> bytes | None:
    """The signature as first written, word by word with re and zlib: the stored
    signatures were made this way, so the fast one must give the same bytes."""
    words = [word for text in texts for word in _WORD.findall(text.lower())]
    if len(words) - minhash.SHINGLE_WORDS + 1 < minhash.MIN_SHINGLES:
        return None
    word_hashes = np.array([zlib.crc32(word.encode()) for word in words], dtype=np.uint64)
    count = len(words) - minhash.SHINGLE_WORDS + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for offset in range(minhash.SHINGLE_WORDS):
        shingles = shingles * np.uint64(0x100000001B3) + word_hashes[offset : offset + count]
    shingles = np.unique(shingles)
    if len(shingles) < minhash.MIN_SHINGLES:
        return None
    hashed = minhash._MULTIPLIERS[:, None] * shingles[None, :] + minhash._INCREMENTS[:, None]
    return (hashed.min(axis=1) >> np.uint64(32)).astype("<u4").tobytes()


# Words short and long (past the tables' 64 bytes), ASCII and not, with the characters
# that end words or change under lower(): apostrophes, combining marks, final sigma.
_PIECES = st.sampled_from(
    [
        "lamp", "harbour", "Ödön", "naïve", "ΣΟΦΙΑΣ", "straße", "İstanbul", "日本語", "x",
        "don't", "well-known", "a\u0301", "_", "42", "😀", "\u2019", "\U00020001",
        "w" * 63, "w" * 64, "w" * 65, "é" * 40, "long" * 50,
    ]
)  # fmt: skip
_SEPARATORS = st.sampled_from([" ", "  ", "\n\n", ", ", ". ", "\u2014", "\t", "\u00a0", ""])
_TEXTS = st.lists(
    st.lists(st.tuples(_PIECES, _SEPARATORS), max_size=80).map(
        lambda pairs: "".join(piece + separator for piece, separator in pairs)
    )
    | st.text(),
    max_size=4,
)


@settings(max_examples=400)
@given(_TEXTS)
def test_word_hashes_are_zlib_crc32_of_each_word(texts):
    expected = [zlib.crc32(word.encode()) for text in texts for word in _WORD.findall(text.lower())]
    assert minhash.word_hashes(texts).tolist() == expected


@settings(max_examples=300)
@given(_TEXTS)
def test_the_signature_is_the_reference_signature(texts):
    assert minhash.signature(texts) == reference_signature(texts)


def test_it_keeps_the_signatures_stored_by_earlier_imports():
    text = " ".join(
        f"The lamp{i % 7} burned low over the harbour and Ödön\u2019s ΣΟΦΙΑ ledger {i}"
        for i in range(60)
    )
    signature = minhash.signature([text, "A second chapter, short."])
    # Made by the first implementation (word by word with re and zlib).
    expected = "61c0c8de6c23be910df29c0098884e0ba8e61fc852fa8f872082156eb3e85079"
    assert signature is not None and hashlib.sha256(signature).hexdigest() == expected


def test_a_refrain_counts_once():
    refrain = "row row row your boat gently down the stream " * 50
    assert minhash.signature([refrain]) is None
    assert reference_signature([refrain]) is None


def test_it_hashes_words_that_span_no_texts():
    assert minhash.word_hashes(["one two", "three"]).tolist() == [
        zlib.crc32(b"one"),
        zlib.crc32(b"two"),
        zlib.crc32(b"three"),
    ]
    assert minhash.word_hashes(["", "  ", "--"]).tolist() == []


def test_a_lone_surrogate_ends_a_word_as_any_other_non_word_character():
    # Text decoded with surrogateescape can hold them; the first implementation read
    # them as word boundaries.
    assert minhash.word_hashes(["caf\u00e9\ud800Ab"]).tolist() == [
        zlib.crc32("caf\u00e9".encode()),
        zlib.crc32(b"ab"),
    ]
