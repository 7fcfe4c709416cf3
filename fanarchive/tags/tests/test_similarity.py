import pytest

from fanarchive.tags.similarity import MIN_SCORE, Candidate, name_similarity, rank_candidates

CHARACTERS = [
    "Hermione Granger",
    "Harry Potter",
    "Ron Weasley",
    "Ginny Weasley",
    "Draco Malfoy",
    "Angel",
    "Jon Snow",
    "Jon Arryn",
    "Spike",
    "Spike Spiegel",
]


def _names(candidates: list[Candidate]) -> list[str]:
    return [c.name for c in candidates]


def test_it_finds_the_intended_tag_despite_a_typo():
    ranked = rank_candidates("Hermoine Granger", CHARACTERS)
    assert ranked[0].name == "Hermione Granger"
    assert ranked[0].score == pytest.approx(0.9375)
    assert ranked[0].reasons == ("name similarity 0.94",)


def test_it_does_not_reward_fragments_of_a_longer_tag():
    # "angel" is inside "hermoine granger"; that is no reason to propose Angel
    assert "Angel" not in _names(rank_candidates("Hermoine Granger", CHARACTERS))


def test_it_orders_by_similarity_best_first():
    ranked = rank_candidates("Ron Weasly", CHARACTERS)
    assert _names(ranked)[:2] == ["Ron Weasley", "Ginny Weasley"]
    assert ranked[0].score > ranked[1].score


def test_it_ignores_case_punctuation_and_word_order():
    assert name_similarity("Willow/Spike", "Spike/Willow") == 1.0
    assert name_similarity("hermione  granger.", "Hermione Granger") == 1.0
    assert name_similarity("Spike x Willow", "Spike/Willow") == 1.0


def test_a_short_tag_matches_the_full_name():
    assert _names(rank_candidates("Draco", CHARACTERS)) == ["Draco Malfoy"]


def test_cooccurrence_breaks_ties():
    assert name_similarity("Jon", "Jon Snow") == name_similarity("Jon", "Jon Arryn")
    assert _names(rank_candidates("Jon", CHARACTERS))[:2] == ["Jon Arryn", "Jon Snow"]
    ranked = rank_candidates("Jon", CHARACTERS, cooccurrence={"Jon Snow": 3, "Jon Arryn": 1})
    assert _names(ranked)[:2] == ["Jon Snow", "Jon Arryn"]
    assert ranked[0].reasons == ("name similarity 0.90", "shares 3 works")
    assert ranked[1].reasons == ("name similarity 0.90", "shares 1 work")


def test_cooccurrence_share_is_combined_into_the_score():
    ranked = rank_candidates(
        "Spike", CHARACTERS, cooccurrence={"Spike Spiegel": 20}, works_of_tag=20
    )
    assert _names(ranked)[:2] == ["Spike Spiegel", "Spike"]
    spiegel, spike = ranked[:2]
    assert spiegel.score == pytest.approx(0.9)  # 0.9 * (0.7 + 0.3 * 1)
    assert spike.score == pytest.approx(0.7)  # 1.0 * (0.7 + 0.3 * 0)
    assert spiegel.reasons == ("name similarity 0.90", "shares 20 of its 20 works")
    assert spike.reasons == ("name similarity 1.00", "shares 0 of its 20 works")


def test_without_cooccurrence_the_score_is_the_name_similarity():
    for candidate in rank_candidates("Spike", CHARACTERS, works_of_tag=20):
        assert candidate.score == name_similarity("Spike", candidate.name)


def test_cooccurrence_alone_never_proposes_a_candidate():
    ranked = rank_candidates(
        "Hermoine Granger", CHARACTERS, cooccurrence={"Harry Potter": 50}, works_of_tag=50
    )
    assert "Harry Potter" not in _names(ranked)


def test_it_leaves_out_candidates_below_the_floor_and_respects_the_limit():
    ranked = rank_candidates("Spike", CHARACTERS)
    assert all(MIN_SCORE <= c.score <= 1.0 for c in ranked)
    assert "Draco Malfoy" not in _names(ranked)
    assert len(rank_candidates("Spike", CHARACTERS, limit=1)) == 1
    assert rank_candidates("Spike", CHARACTERS, limit=0) == []
    assert rank_candidates("Spike", CHARACTERS, floor=0.95) == [
        Candidate("Spike", 1.0, ("name similarity 1.00",))
    ]
    assert rank_candidates("...", CHARACTERS) == []
    assert rank_candidates("Spike", []) == []


def test_a_relationship_of_the_other_kind_ranks_lower():
    ranked = rank_candidates("Spike/Wilow", ["Spike & Willow", "Spike/Willow"])
    assert _names(ranked) == ["Spike/Willow", "Spike & Willow"]
    assert ranked[1].reasons == ("name similarity 0.96", "platonic, the tag is romantic")
