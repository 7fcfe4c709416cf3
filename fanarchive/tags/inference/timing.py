"""How fast the tagger reads: ``python -m fanarchive.tags.inference.timing [MEGABYTES]``.

Builds a synthetic story (seeded, so runs compare) from ordinary words, the shipped
packs' names and terms and some cue words, in paragraphs of a few sentences, then
times ``Tagger.infer`` on it. Not a test: the figure depends on the machine.
"""

from __future__ import annotations

import random
import sys
import time

from fanarchive.tags.inference.scan import display_form
from fanarchive.tags.inference.tagger import Tagger
from fanarchive.tags.inference.wordlist import FREQUENT_WORDS
from fanarchive.tags.packs import SHIPPED_PACKS, load_packs

CUE_WORDS = (
    "kissed", "blood", "whiskey", "said", "naked", "funeral", "knife", "laughed",
    "damn", "bed", "love", "friend", "brother", "wound", "drunk", "afterwards",
)  # fmt: skip


def synthetic_text(size: int, names: list[str], seed: int = 1) -> str:
    rng = random.Random(seed)
    words = sorted(FREQUENT_WORDS)
    paragraphs: list[str] = []
    length = 0
    while length < size:
        sentences = []
        for _ in range(rng.randint(1, 6)):
            sentence = [rng.choice(words) for _ in range(rng.randint(5, 20))]
            for _ in range(rng.randint(0, 2)):
                sentence.insert(rng.randrange(len(sentence)), rng.choice(names))
            if rng.random() < 0.3:
                sentence.insert(rng.randrange(len(sentence)), rng.choice(CUE_WORDS))
            text = " ".join(sentence)
            sentences.append(text[0].upper() + text[1:] + rng.choice(".!?."))
        if rng.random() < 0.4:
            sentences[0] = f'"{sentences[0]}" said {rng.choice(names)}.'
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def main(megabytes: float = 5.0) -> None:
    packs = load_packs(SHIPPED_PACKS)
    started = time.perf_counter()
    tagger = Tagger(packs)
    built = time.perf_counter() - started
    names = [display_form(c.name) for p in packs for c in p.characters] or ["Buffy"]
    names += [nick for p in packs for c in p.characters for nick in c.nicknames]
    names += [term for p in packs for term in p.terms]
    text = synthetic_text(int(megabytes * 1_000_000), names)
    started = time.perf_counter()
    result = tagger.infer(text)
    elapsed = time.perf_counter() - started
    print(f"packs: {len(packs)}, index built in {built:.2f} s")
    print(
        f"text: {len(text) / 1e6:.1f} MB, inferred in {elapsed:.2f} s: "
        f"{len(text) / 1e6 / elapsed:.1f} MB/s"
    )
    print("top fandom:", result.fandoms[0].name if result.fandoms else None)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)
