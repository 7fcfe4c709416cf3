import pytest

from fanarchive.tags.packs import Character, Pack
from fanarchive.tags.relationships import (
    CharacterResolver,
    Relationship,
    SynonymSuggestion,
    canonical_name,
    equivalence_key,
    normalise_name,
    normalise_spacing,
    parse_relationship,
    suggest_relationship_synonyms,
)

BTVS = Pack(
    name="Buffy the Vampire Slayer",
    aliases=("BtVS", "Buffy"),
    characters=(
        Character("Buffy Summers", aliases=("Buffy Anne Summers",), nicknames=("Buffy", "Buff")),
        Character("Willow Rosenberg", nicknames=("Willow", "Wills")),
        Character("Spike", aliases=("William the Bloody", "William Pratt"), nicknames=("Spike",)),
        Character("Angel", nicknames=("Angel", "Angelus")),
    ),
    relationships=("Buffy Summers/Spike", "Spike/Willow Rosenberg"),
)
BEBOP = Pack(
    name="Cowboy Bebop",
    characters=(
        Character("Spike Spiegel", nicknames=("Spike",)),
        Character("Faye Valentine", nicknames=("Faye",)),
    ),
)


@pytest.fixture
def resolver() -> CharacterResolver:
    return CharacterResolver([BTVS])


@pytest.fixture
def both() -> CharacterResolver:
    return CharacterResolver([BTVS, BEBOP])


NO_PACKS = CharacterResolver([])


# parse_relationship


def test_it_parses_romantic_and_platonic_names():
    assert parse_relationship("Spike/Willow") == Relationship("romantic", ("Spike", "Willow"))
    assert parse_relationship("Buffy & Willow") == Relationship("platonic", ("Buffy", "Willow"))


@pytest.mark.parametrize("name", ["Spike x Willow", "Spike X Willow", "Spike \u00d7 Willow"])
def test_it_reads_x_between_names_as_romantic(name):
    assert parse_relationship(name) == Relationship("romantic", ("Spike", "Willow"))


@pytest.mark.parametrize(
    "name", ["Spike / Willow", "Spike /Willow", "  Spike/  Willow ", "Spike\uff0fWillow"]
)
def test_it_ignores_spacing_around_the_slash(name):
    assert parse_relationship(name) == Relationship("romantic", ("Spike", "Willow"))


@pytest.mark.parametrize(
    "name", ["Buffy&Willow", "Buffy & Willow", "Buffy  &Willow", "Buffy\uff06Willow"]
)
def test_it_reads_every_ampersand_spelling_as_platonic(name):
    assert parse_relationship(name) == Relationship("platonic", ("Buffy", "Willow"))


def test_it_keeps_members_in_written_order_with_inner_spaces_collapsed():
    parsed = parse_relationship("Willow   Rosenberg/Spike")
    assert parsed is not None
    assert parsed.members == ("Willow Rosenberg", "Spike")


def test_it_parses_poly_relationships():
    assert parse_relationship("Buffy/Spike/Angel") == Relationship(
        "romantic", ("Buffy", "Spike", "Angel")
    )
    assert parse_relationship("Buffy & Willow & Xander") == Relationship(
        "platonic", ("Buffy", "Willow", "Xander")
    )


@pytest.mark.parametrize("name", ["Buffy/Spike & Willow", "Buffy & Willow/Tara"])
def test_it_refuses_names_that_mix_kinds(name):
    assert parse_relationship(name) is None


@pytest.mark.parametrize(
    "name", ["Spike", "", "   ", "Spike/", "/Willow", "Spike//Willow", "& Willow", "Spike x", "x"]
)
def test_it_refuses_a_single_name_or_empty_members(name):
    assert parse_relationship(name) is None


def test_it_only_reads_x_as_a_separator_between_spaces_and_alone():
    assert parse_relationship("Xander/Max") == Relationship("romantic", ("Xander", "Max"))
    assert parse_relationship("Malcolm X & Betty Shabazz") == Relationship(
        "platonic", ("Malcolm X", "Betty Shabazz")
    )
    assert parse_relationship("Malcolm X") is None
    assert parse_relationship("Xena") is None


def test_it_splits_a_trailing_parenthetical_into_a_qualifier():
    assert parse_relationship("Sherlock/John (BBC)") == Relationship(
        "romantic", ("Sherlock", "John"), qualifier="BBC"
    )
    # "(s)" without a space before it is part of the member's name
    assert parse_relationship("Spike/Original Character(s)") == Relationship(
        "romantic", ("Spike", "Original Character(s)")
    )


def test_normalise_spacing_writes_slashes_tight_and_ampersands_spaced():
    assert normalise_spacing("Spike  /  Willow ") == "Spike/Willow"
    assert normalise_spacing("Willow&Buffy") == "Willow & Buffy"
    assert normalise_spacing("Buffy   &   Willow (BtVS)") == "Buffy & Willow (BtVS)"
    assert normalise_spacing("Spike x  Willow") == "Spike x Willow"


def test_normalise_name_drops_case_punctuation_and_latin_accents():
    assert normalise_name("  Jack O'Neill ") == normalise_name("jack o\u2019neill") == "jack oneill"
    assert normalise_name("B.A. Baracus") == normalise_name("BA Baracus")
    assert normalise_name('"Zoë" Washburne') == "zoe washburne"
    assert normalise_name("Jean-Luc Picard") == "jean luc picard"
    assert normalise_name("が") == "が"  # marks that change a letter elsewhere are kept
    assert normalise_name("...") == ""


# equivalence


def test_it_treats_order_of_names_as_irrelevant():
    assert equivalence_key("Spike/Willow", NO_PACKS) == equivalence_key("Willow/Spike", NO_PACKS)
    assert equivalence_key("A/B/C", NO_PACKS) == equivalence_key("C/A/B", NO_PACKS)


def test_it_treats_separators_spacing_and_case_as_irrelevant():
    keys = {
        equivalence_key(name, NO_PACKS)
        for name in ["Spike/Willow", "Spike x Willow", "willow X spike", "Spike / Willow"]
    }
    assert keys == {("romantic", frozenset({"spike", "willow"}))}


def test_it_keeps_romance_and_friendship_apart():
    assert equivalence_key("Buffy & Willow", NO_PACKS) == equivalence_key("Willow&Buffy", NO_PACKS)
    assert equivalence_key("Buffy & Willow", NO_PACKS) != equivalence_key("Buffy/Willow", NO_PACKS)


def test_it_ignores_the_qualifier_for_equivalence():
    assert equivalence_key("Sherlock/John (BBC)", NO_PACKS) == equivalence_key(
        "John/Sherlock", NO_PACKS
    )


def test_it_has_no_key_for_names_that_are_not_relationships(resolver):
    assert equivalence_key("Spike", resolver) is None
    assert canonical_name("Spike", resolver) is None


def test_aliases_resolve_to_the_canonical_character(resolver):
    assert resolver.resolve("William the Bloody") == "Spike"
    assert resolver.resolve("william  the bloody.") == "Spike"
    assert equivalence_key("William the Bloody/Willow Rosenberg", resolver) == equivalence_key(
        "Spike/Willow", resolver
    )


def test_nicknames_resolve_when_only_one_pack_knows_them(resolver):
    assert resolver.resolve("Buffy") == "Buffy Summers"
    assert resolver.resolve("Buffy", ["Buffy the Vampire Slayer"]) == "Buffy Summers"
    assert resolver.resolve("Giles") is None
    key = equivalence_key("Buffy/Spike", resolver)
    assert key == ("romantic", frozenset({"buffy summers", "spike"}))


def test_an_ambiguous_nickname_resolves_only_with_fandoms(both):
    assert both.resolve("Spike") is None
    assert both.resolve("Spike", ["Buffy the Vampire Slayer"]) == "Spike"
    assert both.resolve("Spike", ["Cowboy Bebop"]) == "Spike Spiegel"
    assert both.resolve("Spike", ["BtVS"]) == "Spike"  # a fandom's alias names it too
    assert both.resolve("Spike", ["Buffy the Vampire Slayer", "Cowboy Bebop"]) is None
    assert equivalence_key("Spike/Faye", both) == (
        "romantic",
        frozenset({"spike", "faye valentine"}),
    )
    assert equivalence_key("Spike/Faye", both, ["Cowboy Bebop"]) == (
        "romantic",
        frozenset({"spike spiegel", "faye valentine"}),
    )


def test_outside_the_given_fandoms_only_names_and_aliases_resolve(both):
    assert both.resolve("Spike Spiegel", ["Buffy the Vampire Slayer"]) == "Spike Spiegel"
    assert both.resolve("William the Bloody", ["Cowboy Bebop"]) == "Spike"
    assert both.resolve("Faye", ["Buffy the Vampire Slayer"]) is None
    assert both.resolve("Faye") == "Faye Valentine"


def test_a_qualifier_naming_a_fandom_narrows_resolution(both):
    assert both.resolve("Spike (Cowboy Bebop)") == "Spike Spiegel"
    assert both.resolve("Spike (BtVS)") == "Spike"
    assert equivalence_key("Spike/Faye (Cowboy Bebop)", both) == (
        "romantic",
        frozenset({"spike spiegel", "faye valentine"}),
    )


def test_match_says_how_a_name_resolved(both):
    found = both.match("William the Bloody")
    assert found is not None
    assert (found.canonical, found.via, found.fandom) == (
        "Spike",
        "alias",
        "Buffy the Vampire Slayer",
    )
    found = both.match("Spike", ["Buffy the Vampire Slayer"])
    assert found is not None
    assert (found.via, found.in_context) == ("name", True)


# canonical_name


def test_canonical_name_prefers_a_known_canonical_string(resolver):
    known = ["Buffy Summers & Willow Rosenberg", *BTVS.relationships]
    assert canonical_name("Willow/William the Bloody", resolver, known=known) == (
        "Spike/Willow Rosenberg"
    )
    assert canonical_name("Spike x Buffy", resolver, known=known) == "Buffy Summers/Spike"
    assert canonical_name("Willow&Buffy", resolver, known=known) == (
        "Buffy Summers & Willow Rosenberg"
    )


def test_canonical_name_otherwise_sorts_resolved_members(resolver):
    assert canonical_name("Willow x William Pratt", resolver) == "Spike/Willow Rosenberg"
    assert canonical_name("Willow&Buffy", resolver) == "Buffy Summers & Willow Rosenberg"
    assert canonical_name("Xander / Anya (past)", resolver) == "Anya/Xander"
    assert canonical_name("zed x  Amy   Madison", NO_PACKS) == "Amy Madison/zed"


# suggest_relationship_synonyms


def _by_tag(suggestions: list[SynonymSuggestion]) -> dict[str, SynonymSuggestion]:
    return {s.tag: s for s in suggestions}


def test_it_suggests_merging_variants_into_the_canonical_tag(resolver):
    tags = ["Willow/Spike", "Spike x Willow Rosenberg", "William the Bloody/Willow Rosenberg"]
    suggestions = _by_tag(suggest_relationship_synonyms(tags, ["Spike/Willow Rosenberg"], resolver))
    assert {s.canonical for s in suggestions.values()} == {"Spike/Willow Rosenberg"}
    alias = suggestions["William the Bloody/Willow Rosenberg"]
    assert alias.exact
    assert alias.reason == "'William the Bloody' is an alias of Spike"
    reordered = suggestions["Spike x Willow Rosenberg"]
    assert reordered.exact
    assert "'x' for '/'" in reordered.reason


def test_order_and_spacing_variants_are_exact(resolver):
    suggestions = _by_tag(
        suggest_relationship_synonyms(
            ["Willow Rosenberg/Spike", "Spike / Willow Rosenberg"],
            ["Spike/Willow Rosenberg"],
            resolver,
        )
    )
    assert suggestions["Willow Rosenberg/Spike"].exact
    assert suggestions["Willow Rosenberg/Spike"].reason == "same characters in another order"
    assert suggestions["Spike / Willow Rosenberg"].exact
    assert suggestions["Spike / Willow Rosenberg"].reason == "same name with different spacing"


def test_a_nickname_is_exact_only_within_a_given_fandom(resolver):
    without = suggest_relationship_synonyms(["Willow/Spike"], ["Spike/Willow Rosenberg"], resolver)
    assert [(s.canonical, s.exact) for s in without] == [("Spike/Willow Rosenberg", False)]
    assert "'Willow' is a nickname of Willow Rosenberg" in without[0].reason
    within = suggest_relationship_synonyms(
        ["Willow/Spike"], ["Spike/Willow Rosenberg"], resolver, ["Buffy the Vampire Slayer"]
    )
    assert [(s.canonical, s.exact) for s in within] == [("Spike/Willow Rosenberg", True)]
    by_qualifier = suggest_relationship_synonyms(
        ["Willow/Spike (BtVS)"], ["Spike/Willow Rosenberg"], resolver
    )
    assert [s.exact for s in by_qualifier] == [True]
    assert "only names the fandom" in by_qualifier[0].reason


def test_a_nickname_written_the_same_on_both_sides_needs_no_fandom(resolver):
    suggestions = suggest_relationship_synonyms(["Spike/Buffy"], ["Buffy/Spike"], resolver)
    assert [(s.canonical, s.exact) for s in suggestions] == [("Buffy/Spike", True)]


def test_an_ignored_qualifier_is_not_exact(resolver):
    suggestions = suggest_relationship_synonyms(
        ["Buffy Summers/Spike (past)"], ["Buffy Summers/Spike"], resolver
    )
    assert [(s.canonical, s.exact) for s in suggestions] == [("Buffy Summers/Spike", False)]
    assert "'(past)' is ignored" in suggestions[0].reason


def test_without_a_canonical_tag_a_group_merges_into_its_canonical_name():
    suggestions = suggest_relationship_synonyms(
        ["Willow/Spike", "Spike x Willow", "Tara/Willow"], [], NO_PACKS
    )
    assert [(s.tag, s.canonical, s.exact) for s in suggestions] == [
        ("Willow/Spike", "Spike/Willow", True),
        ("Spike x Willow", "Spike/Willow", True),
    ]


def test_a_group_member_already_written_canonically_gets_no_suggestion():
    suggestions = suggest_relationship_synonyms(
        ["Willow/Spike", "Spike/Willow", "Spike/Willow"], [], NO_PACKS
    )
    assert [(s.tag, s.canonical) for s in suggestions] == [("Willow/Spike", "Spike/Willow")]


def test_canonical_tags_and_non_relationships_get_no_suggestion(resolver):
    suggestions = suggest_relationship_synonyms(
        ["Spike/Willow Rosenberg", "Spike", "Buffy/Spike & Willow", "Anya/Xander"],
        ["Spike/Willow Rosenberg"],
        resolver,
    )
    assert suggestions == []


def test_romance_is_never_suggested_as_a_synonym_of_friendship(resolver):
    suggestions = suggest_relationship_synonyms(
        ["Buffy Summers & Spike", "Buffy/Spike"], ["Buffy Summers/Spike"], resolver
    )
    assert [(s.tag, s.canonical) for s in suggestions] == [("Buffy/Spike", "Buffy Summers/Spike")]


def test_an_ambiguous_member_blocks_the_suggestion_until_fandoms_are_given(both):
    canonical = ["Faye Valentine/Spike Spiegel"]
    assert suggest_relationship_synonyms(["Spike/Faye"], canonical, both) == []
    suggestions = suggest_relationship_synonyms(["Spike/Faye"], canonical, both, ["Cowboy Bebop"])
    assert [(s.canonical, s.exact) for s in suggestions] == [("Faye Valentine/Spike Spiegel", True)]


def test_an_ambiguous_name_written_alike_on_both_sides_still_matches(both):
    suggestions = suggest_relationship_synonyms(["Spike/Buffy"], ["Buffy Summers/Spike"], both)
    assert [(s.canonical, s.exact) for s in suggestions] == [("Buffy Summers/Spike", False)]
