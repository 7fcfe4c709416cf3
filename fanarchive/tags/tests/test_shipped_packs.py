"""The fandom packs fanarchive ships in fanarchive/tags/packs/ load and are well formed.

No database: packs are plain TOML files read by fanarchive.tags.packs.
"""

from collections import Counter

import pytest

from fanarchive.tags.packs import SHIPPED_PACKS, load_pack, load_packs

PACK_FILES = sorted(SHIPPED_PACKS.glob("*.toml"))
PACKS = load_packs(SHIPPED_PACKS)


def test_every_shipped_pack_loads():
    assert len(PACKS) == len(PACK_FILES)
    assert {pack.source for pack in PACKS} == set(PACK_FILES)


def test_at_least_twelve_packs_are_shipped():
    assert len(PACKS) >= 12


def test_pack_names_are_unique_across_files():
    # load_packs keeps the last pack of a name, so count names file by file.
    names = Counter(load_pack(path).name for path in PACK_FILES)
    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.source.name)
def test_pack_is_big_enough(pack):
    assert pack.media
    assert len(pack.characters) >= 15
    assert len(pack.terms) >= 15
    assert len(pack.relationships) >= 5


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.source.name)
def test_no_alias_or_nickname_is_empty_or_one_letter(pack):
    names = [*pack.aliases]
    for character in pack.characters:
        names += [*character.aliases, *character.nicknames]
    assert [name for name in names if len(name.strip()) < 2] == []


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.source.name)
def test_no_two_characters_share_an_alias(pack):
    # A name or alias means one character; only nicknames may be shared.
    owners: dict[str, set[str]] = {}
    for character in pack.characters:
        for name in {character.name, *character.aliases}:
            owners.setdefault(name.casefold(), set()).add(character.name)
    shared = {name: sorted(chars) for name, chars in owners.items() if len(chars) > 1}
    assert shared == {}


@pytest.mark.parametrize("pack", PACKS, ids=lambda pack: pack.source.name)
def test_pack_lists_hold_no_duplicates(pack):
    def repeated(values):
        return [v for v, n in Counter(v.casefold() for v in values).items() if n > 1]

    assert repeated(pack.terms) == []
    assert repeated(pack.relationships) == []
    for character in pack.characters:
        assert repeated([*character.aliases, *character.nicknames]) == [], character.name
