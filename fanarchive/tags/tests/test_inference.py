"""The suggested-tags engine on small stories written for these tests, with stub packs."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanarchive.tags import constants
from fanarchive.tags.inference import Suggestion, Suggestions, Tagger
from fanarchive.tags.inference.lexicon import CUES, expand, parse_spec
from fanarchive.tags.inference.model import TYPES
from fanarchive.tags.inference.scan import Document, case_matches, trie_pattern
from fanarchive.tags.packs import SHIPPED_PACKS, Character, Pack, load_packs

BUFFY = Pack(
    name="Buffy the Vampire Slayer",
    aliases=("BtVS", "Buffy"),
    terms=("Sunnydale", "Hellmouth", "the Bronze", "Slayer", "Watcher's Council"),
    characters=(
        Character("Buffy Summers", ("Buffy Anne Summers",), ("Buffy", "Buff"), "f"),
        Character("Spike", ("William the Bloody",), ("Spike",), "m"),
        Character("Willow Rosenberg", (), ("Willow",), "f"),
        Character("Xander Harris", (), ("Xander",), "m"),
        Character("Rupert Giles", (), ("Giles",), "m"),
        Character("Angel", ("Angelus",), ("Angel",), "m"),
        Character("Faith Lehane", (), ("Faith",), "f"),
    ),
    relationships=("Buffy Summers/Spike", "Buffy Summers & Willow Rosenberg"),
)
SUPERNATURAL = Pack(
    name="Supernatural",
    aliases=("SPN",),
    terms=("the Impala", "Men of Letters", "salt and burn"),
    characters=(
        Character("Dean Winchester", (), ("Dean",), "m"),
        Character("Sam Winchester", (), ("Sam", "Sammy"), "m"),
        Character("Castiel", (), ("Cas", "Castiel"), "m"),
        Character("Crowley (Supernatural)", (), ("Crowley",), "m"),
    ),
    relationships=("Castiel/Dean Winchester", "Dean Winchester & Sam Winchester"),
)
GOOD_OMENS = Pack(
    name="Good Omens (TV)",
    terms=("the Bentley", "Armageddon", "Soho", "Antichrist"),
    characters=(
        Character("Aziraphale", (), ("Aziraphale", "angel"), "m"),
        Character("Crowley", ("Anthony J. Crowley",), ("Crowley",), "m"),
    ),
    relationships=("Aziraphale/Crowley",),
)
STAR_TREK = Pack(
    name="Star Trek",
    terms=("Enterprise", "Starfleet", "Vulcan", "sickbay"),
    characters=(
        Character("Data", (), ("Data",), "m"),
        Character("Leonard McCoy", ("Dr. McCoy",), ("Bones", "McCoy"), "m"),
        Character("James T. Kirk", ("Captain Kirk",), ("Kirk", "Jim"), "m"),
        Character("Spock", (), ("Spock",), "m"),
    ),
)
SHERLOCK_TV = Pack(
    name="Sherlock (TV)",
    terms=("Baker Street", "texted", "mobile"),
    characters=(
        Character("Sherlock Holmes", (), ("Sherlock", "Holmes"), "m"),
        Character("John Watson", (), ("John", "Watson"), "m"),
    ),
)
SHERLOCK_BOOKS = Pack(
    name="Sherlock Holmes - Arthur Conan Doyle",
    terms=("Baker Street", "hansom", "telegram"),
    characters=(
        Character("Sherlock Holmes", (), ("Sherlock", "Holmes"), "m"),
        Character("John Watson", (), ("John", "Watson"), "m"),
    ),
)
PACKS = [BUFFY, SUPERNATURAL, GOOD_OMENS, STAR_TREK, SHERLOCK_TV, SHERLOCK_BOOKS]


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(PACKS)


def names(suggestions: list[Suggestion], threshold: float = 0.5) -> list[str]:
    return [s.name for s in suggestions if s.confidence >= threshold]


def confidence(suggestions: list[Suggestion], name: str) -> float:
    return next((s.confidence for s in suggestions if s.name == name), 0.0)


# Stories written for these tests -----------------------------------------------------

CEMETERY = """\
Buffy Summers kicked the crypt door open and found Spike sitting on a sarcophagus with a \
bottle of something terrible. "Patrol's over, Slayer," Spike said. "Sunnydale's dead quiet."

"Nothing in Sunnydale is ever quiet," said Buffy. She sat down beside him anyway.

Spike looked at her for a long moment. Then he leaned in and kissed her, slow and careful, \
as if she might break, and Buffy kissed him back and held on to his coat.

"This is a terrible idea," she whispered against his mouth. Spike only smiled and kissed \
her again, and she could feel his hand at the small of her back.

Later, at the Bronze, Willow asked where she had been. Buffy said patrol, and Willow \
pretended to believe her.
"""

TRAINING = """\
Giles set the crossbow on the table. "Again," he said.

Buffy rolled her eyes and picked up the stake. "Giles, we've done this six times."

"And you have missed the dummy's heart four of them," said Giles. "The Hellmouth does not \
grade on a curve, Buffy."

Xander came in with doughnuts and sat on the library counter. Buffy hit the dummy on the \
seventh try. Giles polished his glasses and told her it was adequate, and Buffy decided to \
take that as praise.
"""

GALAXY_CLASS = """\
Data tilted his head. "I do not understand the joke, Captain Kirk."

Kirk laughed and clapped him on the shoulder as they walked down to sickbay, where Bones \
was waiting with a hypospray and a lecture. "You two," said McCoy. "Sit."

Data sat. Kirk did not, and McCoy jabbed him in the neck anyway. Somewhere below them the \
Enterprise hummed, steady and patient, and Data recorded the sound for later study.
"""

SPREADSHEET = """\
Data is the new oil, the consultant said, and nobody in the meeting laughed.

Bones of old projects littered the shared drive. Angel investors wanted numbers by Friday, \
and Will from accounting had gone home with a migraine.

Spike in traffic, said the dashboard. Faith in the quarterly plan was low. Nobody knew why, \
and the coffee machine was broken again.
"""

BOOKSHOP = """\
Aziraphale was rearranging the poetry shelf when Crowley came in out of the rain, shaking \
water from his sunglasses.

"Angel," said Crowley, "you have a customer. Make him go away."

"I will do no such thing," said Aziraphale. They had lunch in Soho instead, and Crowley \
drove the Bentley far too fast on the way back, and Aziraphale complained about it the \
whole way.
"""

ROADHOUSE = """\
Dean parked the Impala behind the roadhouse and killed the engine. "Crowley's inside," he \
said. "Let me do the talking."

"You never let anyone do the talking," said Sam.

Crowley was at the bar with a glass of scotch and a smile Dean wanted to punch off his \
face. "Boys," Crowley said. "Sam. Dean. I have a deal for you."

Sam sighed and sat down. Dean stayed standing, one hand near the knife in his jacket.
"""

CROSSOVER = """\
The Impala rolled into Sunnydale a little after midnight. Dean Winchester took one look at \
the cemetery and said, "This town has a problem."

"This town has a Hellmouth," said Buffy Summers from the top of a headstone. "Who are you?"

Sam Winchester stepped forward with his hands up. "Hunters. We heard about the vampires."

Buffy hopped down. "I'm the Slayer. The vampires are my job." Dean looked at Sam, and Sam \
looked at Dean, and Buffy sighed and told them to follow her to the library, where Giles \
would want to hear all about the Men of Letters.
"""

FLAT = """\
John put the kettle on. Sherlock was at the window, playing nothing in particular on the \
violin, and John watched him for a while without saying anything.

"You're staring," Sherlock said.

"I'm thinking," said John, and Sherlock smiled at the glass.
"""

FLAT_TEXTED = (
    FLAT
    + """
His phone buzzed. Sherlock had texted him from three feet away: Tea, please. John threw \
his mobile onto the sofa and made the tea anyway. Sherlock texted again. John ignored it.
"""
)

ORIGINAL = """\
John had lived on the same street in Leeds for thirty years. Mary, his wife, grew roses in \
the front garden, and every Sunday their son Sam came round for lunch.

That Sunday it rained. John and Mary watched the water run down the window while Sam \
talked about his new job at the bank, and afterwards they washed up together and did the \
crossword.
"""

MORNING_AFTER = """\
Buffy woke up in Spike's bed with the sheet tangled around her legs and no idea what time \
it was. Her clothes were scattered across the floor of the crypt. Spike was asleep beside \
her, one arm thrown over her waist.

Last night came back to her all at once: the fight, the kiss, the way they had stumbled \
down the ladder together. They had slept together. She had slept with Spike.

"Morning, love," Spike mumbled into the pillow, and Buffy pulled the sheet up to her chin.
"""

EXPLICIT = """\
Spike pushed her up against the wall of the crypt and Buffy dragged his shirt over his \
head. They were naked before they reached the bed. She straddled him, and he moaned when \
she took his cock in her hand, and she laughed against his throat.

He slid inside her slowly and she rolled her hips, and he thrust up into her until she \
came with a cry, shaking, her nails in his shoulders. He came a moment later with her name \
on his lips, and afterwards they lay tangled in the sheets, breathing hard.
"""

AFTERMATH = """\
Faith came back from the warehouse with blood soaked through her shirt. The knife wound in \
her side was deep and still bleeding, and there was a broken rib under it.

Buffy pressed a towel to the gash while Giles threaded the needle. Blood ran down Faith's \
hip and pooled on the library floor. "Hold still," Giles said, and put in the first stitch.

Faith screamed in pain and Buffy held her down. It took eleven stitches. Afterwards Buffy \
scrubbed the blood off her hands for a long time.
"""

FUNERAL = """\
Joyce died on a Tuesday. Buffy found her on the couch, and for a long time she could not \
understand what she was looking at.

"Joyce is dead," Giles said on the phone, very quietly, when Buffy could not say it.

At the funeral Willow held Buffy's hand, and Xander stood at the graveside with his jaw \
set. Afterwards there was grief in every room of the house, and Buffy kept setting the \
table for three. She mourned her mother every day of that long summer.
"""

BAR_NIGHT = """\
Dean was already drunk when Sam found him, three beers and most of a bottle of whiskey \
into the night. "You're wasted," Sam said.

"I'm celebrating." Dean waved the empty glass at the bartender for another shot of \
whiskey. "Cas is back. Drink with me."

Sam had a beer to keep the peace. Dean drank until the bar closed, and in the morning he \
had a hangover that made him swear at the sunlight.
"""

FRIENDS = """\
Buffy and Willow spent the whole afternoon on Buffy's bed painting their toenails and \
making a list of reasons the new history teacher was secretly a demon.

"You're my best friend," Willow said, out of nowhere. Buffy hugged her so hard she smeared \
the polish.

"Best friends," Buffy agreed. Willow laughed, and Buffy hugged her again, and they went \
back to the list. Their friendship had survived the Hellmouth; it could survive nail \
polish.
"""

PICNIC = """\
Willow brought sandwiches and Xander brought a frisbee and a folding chair. They ate in the \
park by the lake, and Willow read aloud from a book about the history of Sunnydale while \
Xander tried and failed to teach Giles how to throw.

The sun went down slowly. Giles admitted that the afternoon had been pleasant, and Willow \
wrote that down so that he could never deny it.
"""

NEWS = """\
Sam read the article twice. The rape trial in the next town had ended with a conviction, \
and the paper had printed the verdict on the front page under a photograph of the court.

Dean said nothing. They drove on through the rain towards the next hunt, the Impala \
rumbling under them, and Sam folded the newspaper and put it in the glove box.
"""


# Fandoms ----------------------------------------------------------------------------


def test_fandom_from_names_and_terms(tagger):
    result = tagger.infer(CEMETERY)
    assert result.fandoms[0].name == "Buffy the Vampire Slayer"
    assert result.fandoms[0].confidence >= 0.8


def test_a_crossover_suggests_both_fandoms(tagger):
    result = tagger.infer(CROSSOVER)
    assert set(names(result.fandoms)) == {"Buffy the Vampire Slayer", "Supernatural"}
    assert {"Buffy Summers", "Dean Winchester", "Sam Winchester"} <= set(names(result.characters))


def test_tied_packs_get_low_confidence_and_distinctive_terms_break_the_tie(tagger):
    tied = tagger.infer(FLAT)
    assert {s.name for s in tied.fandoms[:2]} == {"Sherlock (TV)", SHERLOCK_BOOKS.name}
    assert tied.fandoms[0].confidence < 0.5
    # The characters are the same in both packs, so they are still suggested.
    assert {"John Watson", "Sherlock Holmes"} <= set(names(tied.characters))

    broken = tagger.infer(FLAT_TEXTED)
    assert broken.fandoms[0].name == "Sherlock (TV)"
    assert broken.fandoms[0].confidence > confidence(broken.fandoms, SHERLOCK_BOOKS.name)


def test_an_unpacked_fandom_gets_no_confident_fandom_or_characters(tagger):
    result = tagger.infer(ORIGINAL)
    assert names(result.fandoms) == []
    assert names(result.characters) == []
    assert names(result.relationships) == []


# Characters -------------------------------------------------------------------------


def test_characters_resolve_nicknames_and_rank_by_salience(tagger):
    result = tagger.infer(TRAINING)
    ranked = names(result.characters)
    assert ranked[:2] == ["Rupert Giles", "Buffy Summers"] or ranked[:2] == [
        "Buffy Summers",
        "Rupert Giles",
    ]
    # Xander is mentioned once in passing.
    assert confidence(result.characters, "Xander Harris") < 0.5


def test_common_word_nicknames_are_not_names_without_their_fandom(tagger):
    result = tagger.infer(SPREADSHEET)
    assert names(result.fandoms) == []
    assert names(result.characters, 0.3) == []


def test_common_word_nicknames_are_names_within_their_fandom(tagger):
    result = tagger.infer(GALAXY_CLASS)
    assert result.fandoms[0].name == "Star Trek"
    assert {"Data", "James T. Kirk", "Leonard McCoy"} <= set(names(result.characters))


def test_a_shared_name_resolves_within_the_detected_fandom(tagger):
    omens = tagger.infer(BOOKSHOP)
    assert omens.fandoms[0].name == "Good Omens (TV)"
    assert "Crowley" in names(omens.characters)
    assert "Crowley (Supernatural)" not in names(omens.characters, 0.0)

    hunters = tagger.infer(ROADHOUSE)
    assert hunters.fandoms[0].name == "Supernatural"
    assert "Crowley (Supernatural)" in names(hunters.characters)
    assert "Crowley" not in names(hunters.characters, 0.0)


def test_given_fandoms_restrict_characters(tagger):
    everyone = tagger.infer(CROSSOVER)
    assert "Buffy Summers" in names(everyone.characters)

    hunters_only = tagger.infer(CROSSOVER, given_fandoms=["SPN"])
    assert {c.name for c in hunters_only.characters} <= {c.name for c in SUPERNATURAL.characters}
    assert "Dean Winchester" in names(hunters_only.characters)


def test_given_fandoms_unknown_to_the_packs_need_a_sure_detection(tagger):
    # The creator's fandom is not packed: a pack's characters are suggested only when
    # the text points to that pack very clearly.
    vague = tagger.infer(FLAT, given_fandoms=["Some Other Canon"])
    assert vague.characters == []
    clear = tagger.infer(CROSSOVER, given_fandoms=["Some Other Canon"])
    assert "Dean Winchester" in names(clear.characters)
    # Fandom suggestions are the text's, whatever was given.
    assert names(clear.fandoms) == names(tagger.infer(CROSSOVER).fandoms)


def test_given_fandoms_match_names_loosely(tagger):
    result = tagger.infer(CEMETERY, given_fandoms=["Buffy the Vampire Slayer (TV)"])
    assert "Spike" in names(result.characters)


# Relationships and category ------------------------------------------------------------


def test_a_romance_suggests_the_pair_in_the_packs_order(tagger):
    result = tagger.infer(CEMETERY)
    assert names(result.relationships)[0] == "Buffy Summers/Spike"
    assert names(result.category)[0] == "F/M"


def test_a_pair_not_in_the_pack_is_named_alphabetically():
    pack = Pack(
        name="Original Pack",
        terms=("Lowfield",),
        characters=(
            Character("Zed Morrow", (), ("Zed",), "m"),
            Character("Abel Quist", (), ("Abel",), "m"),
        ),
    )
    text = (
        "Zed found Abel on the roof at Lowfield, watching the rain. Zed kissed him, and "
        "Abel kissed him back.\n\nLater Zed said he loved him, and Abel held his hand and "
        "said he loved him too. They kissed again in the doorway."
    )
    result = Tagger([pack]).infer(text)
    assert names(result.relationships) == ["Abel Quist/Zed Morrow"]
    assert names(result.category)[0] == "M/M"


def test_no_romance_no_relationship_and_gen(tagger):
    result = tagger.infer(TRAINING)
    assert [r for r in names(result.relationships) if "/" in r] == []
    assert names(result.category)[0] == "Gen"


def test_strong_friendship_may_suggest_a_platonic_pair(tagger):
    result = tagger.infer(FRIENDS)
    assert [r for r in names(result.relationships, 0.3) if "/" in r] == []
    platonic = [s for s in result.relationships if s.name == "Buffy Summers & Willow Rosenberg"]
    assert platonic and platonic[0].confidence < confidence(result.characters, "Buffy Summers")


# Rating ----------------------------------------------------------------------------------


def rating(result: Suggestions) -> str:
    return result.rating[0].name


def test_gentle_story_is_general(tagger):
    assert rating(tagger.infer(PICNIC)) == constants.GENERAL


def test_a_kiss_alone_is_teen(tagger):
    assert rating(tagger.infer(CEMETERY)) == constants.TEEN


def test_implied_sex_is_mature(tagger):
    assert rating(tagger.infer(MORNING_AFTER)) == constants.MATURE


def test_explicit_sex_is_explicit(tagger):
    assert rating(tagger.infer(EXPLICIT)) == constants.EXPLICIT


def test_bloody_aftermath_is_mature_with_graphic_violence(tagger):
    result = tagger.infer(AFTERMATH)
    assert rating(result) == constants.MATURE
    assert constants.GRAPHIC_VIOLENCE in names(result.warnings)
    assert "blood" in names(result.freeforms)


def test_rating_lists_every_level_once_chosen_first(tagger):
    result = tagger.infer(EXPLICIT)
    assert sorted(s.name for s in result.rating) == sorted(
        [constants.GENERAL, constants.TEEN, constants.MATURE, constants.EXPLICIT]
    )
    assert result.rating[0].confidence >= 0.5


# Warnings and content notes ------------------------------------------------------------


def test_a_named_characters_death_is_major_character_death(tagger):
    result = tagger.infer(FUNERAL)
    assert constants.MAJOR_CHARACTER_DEATH in names(result.warnings)
    assert "grief" in names(result.freeforms)


def test_non_consent_needs_sexual_content_nearby(tagger):
    result = tagger.infer(NEWS)
    assert constants.NONCON not in names(result.warnings, 0.3)
    assert constants.UNDERAGE not in names(result.warnings, 0.3)


def test_nothing_to_warn_about(tagger):
    result = tagger.infer(PICNIC)
    assert names(result.warnings, 0.3) == []
    assert names(result.freeforms, 0.3) == []


def test_drinking_is_an_alcohol_note(tagger):
    result = tagger.infer(BAR_NIGHT)
    assert "alcohol" in names(result.freeforms)
    assert set(names(result.freeforms)) <= {"alcohol", "substance abuse"}


# Evidence and shape ------------------------------------------------------------------------

ALL_STORIES = [
    CEMETERY, TRAINING, GALAXY_CLASS, SPREADSHEET, BOOKSHOP, ROADHOUSE, CROSSOVER, FLAT,
    FLAT_TEXTED, ORIGINAL, MORNING_AFTER, EXPLICIT, AFTERMATH, FUNERAL, BAR_NIGHT, FRIENDS,
    PICNIC, NEWS,
]  # fmt: skip


@pytest.mark.parametrize("story", ALL_STORIES)
def test_evidence_is_quoted_from_the_text(tagger, story):
    result = tagger.infer(story)
    for kind in TYPES:
        for suggestion in getattr(result, kind):
            assert len(suggestion.evidence) <= 3
            for quote in suggestion.evidence:
                assert quote and quote in story
                assert len(quote) <= 200


def test_evidence_names_the_reason(tagger):
    result = tagger.infer(CEMETERY)
    relationship = result.relationships[0]
    assert any("kiss" in quote for quote in relationship.evidence)
    spike = next(s for s in result.characters if s.name == "Spike")
    assert all("Spike" in quote for quote in spike.evidence)


def test_to_dict_shape(tagger):
    data = tagger.infer(CEMETERY).to_dict()
    assert list(data) == list(TYPES)
    assert list(TYPES) == [
        "fandoms", "characters", "relationships", "rating", "warnings", "category", "freeforms"
    ]  # fmt: skip
    for items in data.values():
        for item in items:
            assert set(item) == {"name", "confidence", "evidence"}
            assert isinstance(item["name"], str)
            assert isinstance(item["confidence"], float)
            assert isinstance(item["evidence"], list)


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Hi.", "Buffy kissed Spike.", "\x00\x01"])
def test_empty_or_very_short_text_gives_no_suggestions(tagger, text):
    assert tagger.infer(text) == Suggestions()


def test_a_long_sentence_gives_a_cut_quote():
    text = "Buffy " + "ran and " * 100 + "kissed Spike. " + "They ran and " * 60 + "stopped."
    doc = Document(text)
    quote = doc.sentence_at(text.index("kissed"))
    assert "kissed" in quote and quote in text and len(quote) <= 200


def test_tagger_with_no_packs_still_rates(tagger):
    result = Tagger([]).infer(EXPLICIT)
    assert result.fandoms == [] and result.characters == []
    assert rating(result) == constants.EXPLICIT


def test_shipped_packs_build_a_tagger():
    tagger = Tagger(load_packs(SHIPPED_PACKS))
    assert tagger.infer(CEMETERY).rating


def sorted_best_first(suggestions: list[Suggestion]) -> bool:
    values = [s.confidence for s in suggestions]
    return values == sorted(values, reverse=True)


TEXT_PIECES = st.sampled_from(
    [
        "Buffy", "Spike", "kissed", "blood", "Crowley", "Data", "died", "funeral", "naked",
        "cock", "\n\n", "\n", ". ", "“", "'", "—", "İ", "ß", "ﬁ", "Dr.", "Mr.", "  ", "!",
        "fifteen years old", "raped", "Sunnydale", "whiskey", "drunk", "Will", "will",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=30), TEXT_PIECES), max_size=60))
def test_infer_never_raises_and_stays_in_bounds(pieces):
    text = " ".join(pieces)
    result = TAGGER.infer(text)
    for kind in TYPES:
        suggestions = getattr(result, kind)
        assert sorted_best_first(suggestions), kind
        for suggestion in suggestions:
            assert 0.0 <= suggestion.confidence <= 1.0
            assert all(quote in text for quote in suggestion.evidence)


TAGGER = Tagger(PACKS)


# Building blocks -------------------------------------------------------------------------


def test_lexicon_items_expand():
    assert expand("kiss{,es,ed}") == ["kiss", "kisses", "kissed"]
    assert expand("{his,her} {hand,arm}") == ["his hand", "his arm", "her hand", "her arm"]
    with pytest.raises(ValueError):
        expand("{a,{b,c}}")


def test_every_lexicon_class_parses():
    for spec in CUES.values():
        phrases = parse_spec(spec)
        assert phrases
        assert all(phrase == phrase.lower() and "{" not in phrase for phrase, _ in phrases)


def test_trie_pattern_matches_exactly_its_phrases():
    pattern = re.compile(
        rf"(?<!\w)(?:{trie_pattern(['kiss', 'kissed', 'self-harm', "he's"])})(?!\w)"
    )
    assert pattern.findall("kiss kissed kisses self harm he\u2019s") == [
        "kiss",
        "kissed",
        "self harm",
        "he\u2019s",
    ]


def test_capitalisation_rules():
    assert case_matches("Data", "Data")
    assert not case_matches("data", "Data")
    assert case_matches("DATA", "Data")
    assert case_matches("The Bronze", "the Bronze")
    assert case_matches("Mr Holmes", "Mr. Holmes")
    assert not case_matches("cam", "CAM")
