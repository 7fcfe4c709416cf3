"""A deterministic synthetic fan fiction archive, for the search benchmark.

Why synthetic: a benchmark must give the same archive on every machine, without anyone's
stories, and at sizes (1,000,000 works) no fixture reaches. What search costs depends on
the shape of the data more than on its words, so the shape follows AO3's:

- fandoms are Zipf-distributed, the biggest holding about 17% of works (as AO3's
  biggest fandom does); about 6% of works are crossovers with a second fandom;
- characters, relationships and additional tags are Zipf-distributed within each
  fandom (a few characters are in most of its works, most in a few);
- ratings in AO3's mix (General 30%, Teen 30%, Mature 15%, Explicit 15%, Not Rated
  10%), archive warnings and categories likewise; kudos and hits heavy-tailed;
- lengths lognormal with a mean of about 5,000 words (median about 3,600, capped at
  100,000), long works often in several chapters;
- text drawn word by word from about 2,700 common English words with Zipf weights, in
  sentences and paragraphs, plus a few hundred made-up rare words used with a very low
  probability, so a "rare-word" query has few hits, as a remembered name would.

Everything comes from one seed: the metadata of all works from vectorised draws, and
work i's text from a generator seeded with (seed, i), so any work's text can be made
again (for a floor, say) without keeping it. Text is made as numpy arrays of word-form
ids and gathered into bytes in one pass, never word by word in Python: about 20-40 MB/s
per core on a 2-core machine (the 2.7 GB of a full run in about a minute with two
processes), far faster than anything it feeds.

No Django here: bench/search.py turns these works into story files and rows.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from fanarchive.tags.constants import ARCHIVE_WARNINGS, CATEGORIES, RATINGS


def _word_list(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of `text`, each once, in order."""
    return tuple(dict.fromkeys(text.split()))


# About 2,700 common English words, roughly most frequent first (a story's vocabulary:
# function words, then the verbs, nouns and adjectives of narration and dialogue). The
# rank gives the Zipf weight; the exact order below the first few hundred matters little.
COMMON_WORDS: tuple[str, ...] = _word_list(
    """
the and to of a I he was you in it her that his she had said with for on at as him but not
is be they what me my all so out up there we from back were like one have this no do could
would just into them an if down then over know about been when by your or their now did can
looked eyes head around time get go more even only still hand something before again see
face through right away way off how who going think too here because want thought got make
where well other felt than room door why never us very much some that's looking let come
long little made good after nothing took turned first last asked moment night while told
let's day things really smile voice hands take tell two our any himself herself man across
sure though enough those always bit side against mouth under another each maybe should body
anything lips next heart own need went came yes left feel home seemed these which okay
course mind pulled already people say look almost once hair gave together knew since kind
inside world bed until both keep without few small shoulder words arms behind stood put
front found gaze being light fingers everything floor whole others toward towards three
softly quietly slowly breath open best old life tried help new years minutes someone call
called chest name neck trying feeling end least table word turn thing point might during sat
stop beside lot half seen else sound hard quiet wanted sorry dark yet later quickly heard
shook air rest wall hold outside started feet water pain morning skin done whatever arm
gently eye cheek moved began leaned close whispered fine hear car mean place tears stay
house asleep sleep kiss kissed great leave far leaving held nodded glanced rather slightly
tongue wasn't finally reached watched brought nose walked smiled laughed shrugged sighed
replied answered grinned frowned muttered probably instead able set low moving either often
saw many such top high part family school work friend friends father mother brother sister
love loved hope thank thanks anyway perhaps hours week hour second seconds several along
among beneath above below between beyond within upon onto near past most less better worse
worst young big large short early late hot cold warm cool soft heavy bright deep clear loud
strong weak fast slow happy sad angry afraid alone ready tired busy sick dead alive free
full empty real true wrong certain different important possible simple strange familiar
careful gentle rough sharp smooth thick thin wide narrow tight loose wet dry clean dirty
fresh calm wild bad nice pretty beautiful lovely ugly perfect terrible awful horrible
wonderful stupid smart clever silly serious funny cruel honest proud worried nervous scared
excited surprised confused embarrassed ashamed jealous lonely hungry thirsty sleepy awake
broken hurt injured bleeding shaking trembling burning freezing red blue green black white
grey gray gold silver brown pink purple yellow orange city town village street road path
river sea ocean lake forest wood woods tree trees mountain hill field garden grass flower
flowers stone rock sand snow rain wind storm sky sun moon star stars cloud clouds fire smoke
ash dust earth ground land shore beach island bridge tower castle palace church temple ship
boat train station market shop office kitchen bedroom bathroom hallway stairs window windows
roof corner couch sofa chair desk shelf book books paper letter letters pen page pages story
stories phone message messages screen computer picture photo photograph music song songs
radio coffee tea wine beer bread food dinner breakfast lunch meal cup glass bottle plate
knife sword gun blade shield bow arrow armor armour horse dog cat bird wolf dragon king
queen prince princess lord lady knight soldier captain doctor teacher student child children
boy girl woman women men baby son daughter husband wife uncle aunt cousin grandmother
grandfather parents stranger enemy ally leader master servant guard guards army war battle
fight fighting killed kill death dying blood wound wounds scar scars bone bones teeth tooth
throat jaw shoulders spine hip hips waist stomach belly leg legs knee knees foot ankle toes
wrist wrists palm thumb finger nails forehead brow eyebrow eyebrows cheeks chin ear ears lip
collar jacket coat shirt dress boots shoes hat scarf gloves ring necklace bag pocket pockets
key keys sheets pillow blanket blankets mirror lamp candle candles clock bell box doors gate
walls fence step steps porch yard lawn cars truck bus highway alley basement attic closet
cellar cave tunnel hall library classroom hospital prison cell camp tent fireplace hearth
oven sink bath shower towel soap mug kettle spoon fork bowl jar basket bucket rope chain
lock handle button buttons thread needle cloth silk leather wool cotton velvet lace metal
iron steel plastic ink murmured shouted yelled screamed cried smirked groaned growled
snapped hissed breathed gasped swallowed blinked stared glared noticed realized realised
remembered forgot wondered believed understood decided needed managed stopped finished
continued kept waited stayed arrived returned followed led ran stepped climbed fell jumped
lay lied rose raised lifted dropped pushed grabbed caught touched pressed rubbed stroked
brushed traced hugged wrapped squeezed tugged dragged carried threw tossed handed placed
laid opened closed shut locked slammed knocked broke cut tore burned wrote read spoke talked
listened smelled tasted ate drank cooked poured washed cleaned dressed slept woke dreamed
lived died saved helped hit struck kicked punched fought won lost searched hid hidden showed
shown appeared sounded became grew changed happened worked played sang danced wept shivered
trembled shuddered flinched winced relaxed tensed stiffened paused hesitated lingered
wandered hurried rushed raced bent knelt crouched curled stretched yawned sneezed coughed
cleared licked chewed sipped choked spat hummed whistled giggled chuckled snorted scoffed
huffed sniffed sobbed wailed howled roared barked mumbled stammered stuttered repeated added
explained agreed argued insisted admitted promised warned offered suggested ordered demanded
begged pleaded prayed wished hoped feared hated liked enjoyed missed owed paid bought sold
spent counted measured weighed says saying telling ask asking knowing thinking seeing coming
getting making taking give giving find finding keeping letting putting seem seeming calling
try turning start starting show showing hearing play playing run running move live living
believe believing holding bring bringing happen happening write writing sit sitting stand
standing lose losing pay paying meet meeting include continue learn change lead understand
watch follow create speak allow add spend grow walk win offer remember consider appear buy
wait serve die send expect build fall reach remain suggest raise pass sell require report
decide pull person year days case number group problem fact area money month study job
business issue service power game line member law president team minute idea kid information
parent level health art history party result reason research guy force education age policy
process sense nation plan college interest experience effect use class control care
development role effort rate drug police price decision view relationship difference value
building action model season society tax director position player record space form event
official matter center couple site project activity court oil situation cost industry figure
image data practice piece product patient worker news test movie north support technology
type attention film source organization evidence population truth energy nature silence
darkness shadow shadows memory memories dream dreams nightmare secret secrets promise lie
lies trust fear anger joy grief guilt shame pride desire warmth comfort safety danger
trouble mistake chance choice answer question questions reasons plans ideas thoughts
feelings touch taste scent smell sounds noise whisper scream laugh laughter grin frown sigh
breathing heartbeat pulse tear kisses hug embrace glance stare expression tone manner
moments pause distance edge middle surface bottom sides beginning ending future present
today tonight tomorrow yesterday evening afternoon midnight dawn dusk sunset sunrise summer
winter spring autumn weather heat frost ice mist fog thunder lightning rainbow magic spell
spells wand potion curse witch wizard mage demon angel ghost spirit god gods goddess devil
hell heaven soul souls powers gift gifts fate destiny prophecy legend myth crown throne
kingdom empire realm council crew pilot planet galaxy universe base mission agent agents
officer officers detective crime murder killer victim clue clues witness suspect lawyer
judge jury trial jail cop cops nurse surgery medicine pills bandage fever illness lesson
homework exam professor students university dorm campus cafe café bakery restaurant bar pub
club wedding funeral birthday holiday christmas vacation trip journey travel flight plane
airport hotel apartment flat elevator lift farm barn stable horses fields meadow orchard
stream pond harbour harbor pier dock boats sail sails wave waves tide cliff cliffs rocks
shell shells salt gull gulls lion lions seal seals fish whale whales crab net nets anchor
lighthouse lantern quite fairly nearly barely hardly simply merely truly actually certainly
possibly definitely absolutely completely entirely totally fully partly mostly mainly
especially particularly suddenly immediately instantly eventually soon twice sometimes
usually rarely seldom ever forever apart carefully firmly tightly loosely lightly heavily
deeply briefly easily exactly clearly obviously apparently honestly seriously somehow
somewhere anywhere everywhere nowhere elsewhere otherwise however therefore although unless
whether whenever wherever whoever whichever nor besides meanwhile afterwards forward
backward upward downward inward outward homeward sideways oh yeah hey hello goodbye please
alright sir madam mister miss darling dear honey sweetheart babe mate buddy ability absence
abandon abandoned absolute accept accepted accident accidentally account accused ache ached
aching acknowledge acquaintance act acted acting active actor actress adjust admire admit
adore adult advance advantage adventure advice afford agree ahead aim aimed alarm alert
alike allowed amazed amazing amount amused ancient angle announce annoyed annoying anxious
anxiety apologize apologise apology apple approach approached approval arch archway argue
argument arrange arrangement arrest arrival arrive ashes aside assume assured attack
attacked attempt attend attitude attract audience avoid avoided award aware awkward
awkwardly background bacon badly balance balcony ball band bank bare bargain bark barrel bay
beam bean bear beard beast beat beaten beauty beg beggar begin behave belief belong belonged
belt bench bend berries bet betray betrayal bike bill bind birth biscuit bitter blame blank
blind blink bloody blossom blow blowing blush blushed blushing board boast bold bolt bond
bonfire border bored boring born borrow boss bother bothered bounce bound bowed brain brave
bravely break breaking breast breathe breathless breeze brick bride brief brilliant broad
broom bruise bruised bruises brush bubble bunch bundle burden burn burst bury bush butter
butterfly cabin cage cake calmly camera canal cap capable capital card cards career careless
carpet carriage carry carved catch cattle cause caution cautious ceiling celebrate challenge
champion chapel chapter charge charm charming chase chat cheap cheat check cheer cheerful
cheese cherry chess chew chicken chief chill chilly chimney chocolate choir choke choose
chose chosen circle claim clap clasp clatter claw clay clearing clench clenched climb cling
clinging cloak closely closer closest clothes clothing clumsy coal coast coin collapse
collapsed collect colour color comb comfortable command comment common company compare
complain complaint complete concern concerned confess confession confidence confident
confuse confusion connect constant contact content contest conversation cook cookie cope
copper copy cord corn corpse correct corridor cottage cough counter country courage cover
covered crack cracked craft crash crawl crazy cream creature creep crept crisp crooked cross
crossed crowd crowded crude crumble crumpled crush crystal cuddle cupboard cure curious
curiously curl curtain curtains curve cushion custom cute cycle damage damp dance dangerous
dare dared daring dash date deaf deal dealt debt decent deck defeat defend defense delay
delicate delight delighted deliver demand deny depend describe desert deserve design despair
desperate desperately destroy destroyed detail determined dial diary dig dim dip direct
direction dirt disappear disappeared disappoint disappointed discover discovered disease
disgust dish dismiss distant distract disturb dive divide dizzy dodge doll dormitory doubt
dozen drag drain drama drawer drawn dread dreadful drift drink drip drive driver drop drown
drowned drum drunk duck dull dumb duty eager eagle ease eat elbow elder elegant embarrass
emotion encourage engine enjoy enormous enter entire entrance envelope equal escape escaped
evil exact examine example excellent except exchange excite excuse exercise exhausted exist
exit expensive explain explore express extra fade faded faint fair faith fake fancy fault
favour favor favourite favorite feast feather fed fellow fetch fierce fill filthy final
finish firm fist fit fix flag flame flash flesh flicker float flood flow flutter fly fold
folded fond fool foolish forget forgive fortune fox frame freeze frighten frightened frozen
fruit fuel fun fur furious fury gain gang gap gasp gather gathered gear general giant giggle
glad glare gleam glimpse glitter glove glow glowing goal goat golden gossip grab grace grand
grant grasp grateful grave greet grip groan growl grown guess guest guide guilty gulp habit
hammer handsome hang hanging happiness harm harsh hate haunt haunted hay heal heap hedge
heel height helmet hero hesitate hide hint hire hobby hole hollow holy honour honor hook
horizon horn horror host huge human hum humour humor hunger hunt hunter hurry hush ignore
ill imagine impatient impossible impress indeed inform injury innocent insist instant
instinct insult intend invite itch jewel join joke juice jump jungle junk justice keen kick
kindly kindness kitten kneel knit knock knot label labour labor ladder lane language lap
lazy lean leap lecture ledge lend lid limb limp linen liquid list listen loaf local loss
loyal luck lucky lump lung mad maid mail mark marriage marry marsh mask mass mat match
meaning measure meat medal melt mend mention mercy mess mild mill mine mischief miserable
misery mix mock monster mood moss mud murmur muscle museum mutter mystery nail naked nasty
native naughty neat necessary neighbour neighbor nephew nerve nest niece noble nod noisy
nonsense notice novel nut oak oath obey object odd offend ordinary organ outfit owe owl pace
pack paint pair pale pan panic pant parcel pardon park partner passage passion paste pat
patch patience pattern peace peaceful pearl peek peer pencil penny perfume permission
persuade pet piano pick picnic pie pig pile pill pin pine pinch pipe pity plain plant
platform pleasant pleased pleasure plenty plot plump poem poet poison pole polish polite
pool poor pop pork portrait pose possess post pot potato pound pour powder praise pray
prayer precious prefer prepare press pretend prey priest print prize proof proper protect
protest prove pudding puddle pump punish pupil puppy purse push puzzle quarrel quest quick
quit rabbit race rag rage rail rank rare rat rattle raw ray realise realize rear rebel
recall receive recognise recognize recover refuse regret reject relax relief relieved remind
remove repair replace reply rescue respect respond restless reveal revenge reward rib ribbon
rice rich ride ridiculous rifle rim ripe rise risk rival roast rob robe rod roll rot rotten
round route row royal rub rubbish rude rug ruin rule rumour rumor rush rust sack sacred
saddle sadly safe sailor sample sauce save scale scare scatter scene scold scrape scratch
scrub search seat seed seek seize select selfish sensible sentence settle shade shake
shallow shape share shave shed sheep sheet shelter shift shine shiny shiver shock shoot
shout shove shovel shy sight sign signal silent similar sin sing single sip skill skip skirt
skull slam slap sleeve slice slide slight slip slope smack smash snake snap snatch sneak
snore soak sob sock soil solid solve soothe sore sorrow soup sour spare spark spear speed
spill spin spit splash split spoil spot spread spy square squeeze stab stack stain stake
stale stamp starve state steady steal steam steep steer stem stick stiff sting stir stool
stoop store stove straight strain strap straw strength stretch strict strike string strip
stroke stuck stuff stumble subject succeed suck sudden suffer sugar suit sum supper supply
suppose surely surprise surrender surround survive swallow swear sweat sweep sweet swell
swift swim swing tail tale talent tap task tease temper tender terror thief thigh thirst
thorn threat throw tickle tidy tie timber tiny tip toast tool torch toss total tour trace
track trade trail tramp trap tray treasure treat tremble trick trousers trunk tuck tug
tumble tune twist uneasy unfair unhappy uniform unknown upset urge useful useless usual
valley vanish vast vegetable veil vein victory violent visit vow wage wagon wake wander warn
wash waste wealth weapon wear weary weave weep weigh welcome wheel whip whisker whistle
wicked widow willing wing wink wipe wire wise wish wonder wooden worm worry worth wrap wreck
wrinkle yawn yell youth zone
"""
)

# PostgreSQL's English stop words that occur above: a query word must not be one, or
# PostgreSQL drops it while FTS5 keeps it, and the engines would answer different
# questions.
STOPWORDS = frozenset(
    _word_list(
        """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
    """
    )
)

# Work i's text and summary take their words from these weights: Zipf-Mandelbrot,
# p(rank) ~ 1 / (rank + 2.7), which puts "the" near 7%, as in English prose.
ZIPF_SHIFT = 2.7
# Made-up words, each used with a tiny probability (all together 1 in 100,000 words, Zipf
# among themselves): at 100,000 works the commonest is in several hundred works, most in
# a few dozen or fewer.
RARE_WORDS = 300
RARE_RATE = 1e-5
# Shape of the prose: fractions of words followed by a comma, and of sentences that
# are questions, end a paragraph, or end a paragraph with a scene break.
COMMA_RATE = 0.06
QUESTION_RATE = 0.08
PARAGRAPH_RATE = 0.2
SCENE_BREAK_RATE = 0.03

# AO3's mixes, as fractions of works.
RATING_WEIGHTS = {
    "General Audiences": 0.30,
    "Teen And Up Audiences": 0.30,
    "Mature": 0.15,
    "Explicit": 0.15,
    "Not Rated": 0.10,
}
CATEGORY_WEIGHTS = {
    "Gen": 0.20,
    "F/M": 0.25,
    "M/M": 0.38,
    "F/F": 0.08,
    "Multi": 0.06,
    "Other": 0.03,
}
SECOND_CATEGORY = 0.15
# Archive warnings: "Creator Chose Not To Use" or the specific ones; "No Archive Warnings
# Apply" when neither.
CHOSE_NOT_TO_WARN_RATE = 0.30
SPECIFIC_WARNING_RATES = {
    "Graphic Depictions Of Violence": 0.08,
    "Major Character Death": 0.04,
    "Rape/Non-Con": 0.015,
    "Underage Sex": 0.01,
}
LANGUAGE_WEIGHTS = {
    "en": 0.94,
    "es": 0.015,
    "fr": 0.01,
    "de": 0.008,
    "ru": 0.008,
    "zh": 0.008,
    "pt-BR": 0.006,
    "it": 0.005,
}
BIGGEST_FANDOM_SHARE = 0.17
CROSSOVER_RATE = 0.06
# Metadata is made this many works at a time (see SyntheticArchive._meta_block).
META_BLOCK = 1024
MEAN_WORDS = 5_000
WORDS_SIGMA = 0.8
MIN_WORDS, MAX_WORDS = 100, 100_000
ONE_SHOT_RATE = 0.55
CHAPTER_WORDS_MEDIAN = 2_500
MAX_CHAPTERS = 120
FIRST_DAY = datetime.date(2008, 11, 1)
LAST_DAY = datetime.date(2026, 6, 30)

# Common additional tags on AO3; the rest of the vocabulary is made from word pairs.
BASE_FREEFORMS = """
Fluff|Angst|Hurt/Comfort|Established Relationship|Romance|Humor|Slow Burn|Friendship|
Alternate Universe - Canon Divergence|Alternate Universe - Modern Setting|Smut|Kissing|
Fluff and Angst|Happy Ending|Family|Mutual Pining|Pining|Angst with a Happy Ending|
Canon Compliant|Alternate Universe|Drama|Introspection|Character Study|Whump|
Friends to Lovers|Enemies to Lovers|First Kiss|Comfort|Domestic Fluff|Missing Scene|
Post-Canon|Pre-Canon|Hurt No Comfort|Dark|Violence|Minor Character Death|Grief|
Mental Health Issues|Nightmares|Cuddling & Snuggling|Love Confessions|Jealousy|
Misunderstandings|Found Family|Slice of Life|Crack|Crack Treated Seriously|Bad Jokes|
Alternate Universe - Coffee Shops & Cafés|Alternate Universe - College/University|
Alternate Universe - High School|Alternate Universe - Soulmates|Soulmates|Time Travel|
Magic|Mystery|Adventure|Action/Adventure|Sickfic|Injury|Protective|Banter|Flirting|
Sexual Tension|Oral Sex|Anal Sex|Praise Kink|Dom/sub|Aftercare|Polyamory|Threesome|
Gen|Holidays|Christmas|Halloween|Birthday|Wedding|Fake Dating|Marriage of Convenience|
Road Trips|Roommates|Coming Out|Coming of Age|Self-Harm|Suicidal Thoughts|
Emotional Hurt/Comfort|Period-Typical Attitudes|Unreliable Narrator|Poetry|Drabble
""".replace("\n", "").split("|")

# Given names for characters; surnames and pen names are made from syllables.
GIVEN_NAMES = _word_list(
    """
Ada Agnes Alba Alden Alma Ambrose Anders Anya Arden Ari Arlo Asa Astrid August Aurora
Basil Bea Bram Briar Cal Callum Cass Cedric Celia Cleo Colm Cora Cyrus Dael Dara Del
Dex Dima Eamon Edda Elio Elise Ellis Elsa Emil Enzo Esme Ezra Fenn Finch Fleur Flint
Freya Gael Gemma Gideon Greer Gus Hale Hana Hart Hazel Ines Ira Iris Isolde Ivo Jago
Jora Jude Juno Kael Kasia Kit Lark Leif Lena Leo Levi Lila Linus Lior Lorne Lux Mabel
Mads Mara Marek Mina Mira Moss Nell Nico Nils Noor Nora Odile Orla Oren Otto Pax Pell
Penn Perry Piet Quill Rafe Rhea Rhys Rosa Rook Rune Sable Sage Saul Sela Silas Sora
Stellan Tam Tavi Tess Theo Thea Tobin Tova Uma Una Vale Vera Vida Wren Xan Yara Yves
Zara Zeke Zoe
"""
)
SYLLABLES = _word_list(
    """
ka ri to ven mar el sa lo ny dra ke thal wyn or is an bel cor dun fe gal har ix jor
kel lun mor nas ol pra quen ros sil tor ul vas wen yr zel ash bri cay dor eth fal gri
hol ith jas kor lis mae nor oph pel rav sar tam uth vor wil zan
"""
)
FANDOM_SUFFIXES = (
    "Chronicles",
    "Saga",
    "(TV)",
    "(Anime)",
    "(Video Game)",
    "- All Media Types",
    "Cycle",
    "Academy",
    "Legends",
    "(Comics)",
    "Trilogy",
    "(Band)",
)


@dataclass(frozen=True)
class WorkMeta:
    """One work's metadata, as a story file's header or the bulk path writes it."""

    index: int
    title: str
    creators: tuple[str, ...]
    rating: str
    warnings: tuple[str, ...]
    categories: tuple[str, ...]
    fandoms: tuple[str, ...]
    relationships: tuple[str, ...]
    characters: tuple[str, ...]
    freeforms: tuple[str, ...]
    summary: str
    language: str
    complete: bool
    chapters: int
    expected_chapters: int | None
    words: int
    published: datetime.date
    updated: datetime.date
    kudos: int
    hits: int
    bookmarks: int
    comments: int


def _log_uniform(rng: np.random.Generator, sizes: np.ndarray) -> np.ndarray:
    """A rank in [0, size) per entry, Zipf-like with exponent 1 (p(r) ~ log((r+2)/(r+1))):
    the inverse of the continuous Zipf CDF, so it vectorises over different sizes."""
    u = rng.random(len(sizes))
    ranks = np.floor(np.exp(u * np.log(sizes + 1.0))).astype(np.int64) - 1
    return np.clip(ranks, 0, sizes - 1)


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    p = np.array(list(weights.values()), dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum())


def zipf_exponent_for_share(count: int, share: float) -> float:
    """The Zipf exponent s for which the first of `count` items holds `share`:
    1 / H(count, s) = share, solved by bisection."""
    ranks = np.arange(1, count + 1, dtype=np.float64)
    low, high = 0.0, 5.0
    for _ in range(60):
        middle = (low + high) / 2
        if 1.0 / np.sum(ranks**-middle) < share:
            low = middle
        else:
            high = middle
    return (low + high) / 2


class _NameMaker:
    """Unique made-up names from syllables, reproducible from a generator."""

    def __init__(self, rng: np.random.Generator, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken: set[str] = taken if taken is not None else set()

    def word(self, low: int = 2, high: int = 3) -> str:
        count = int(self.rng.integers(low, high + 1))
        picks = self.rng.integers(0, len(SYLLABLES), count)
        return "".join(SYLLABLES[i] for i in picks)

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            name = make()
            if name not in self.taken and name.lower() not in self.taken:
                self.taken.add(name)
                return name
        raise RuntimeError("no unique name left")


class TextMaker:
    """English-like text from word ids: sentences of 4 to 21 words, paragraphs of about
    five sentences, some dialogue in quotes, commas, questions, the odd scene break.

    Every word has a few written forms ("door ", "Door ", "door, ", "door.\\n\\n",
    ...); text is an array of form ids joined in one call, which is what makes
    generation fast."""

    TABLE_BITS = 22
    # Forms: (prefix, suffix); a form id is form * vocabulary size + word id.
    FORMS = (
        ("", " "),  # 0 plain
        ("", " "),  # 1 sentence start (capitalised)
        ("", ", "),  # 2 comma
        ("", ". "),  # 3 end of sentence
        ("", ".\n\n"),  # 4 end of paragraph
        ('"', " "),  # 5 quoted sentence start (capitalised)
        ("", '." '),  # 6 end of quoted sentence
        ("", '."\n\n'),  # 7 end of quoted sentence and paragraph
        ("", "? "),  # 8 question
        ("", '?" '),  # 9 quoted question
        ("", ".\n\n* * *\n\n"),  # 10 scene break after the paragraph
    )
    CAPITALISED = frozenset({1, 5})

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 0])
        names = _NameMaker(rng, set(COMMON_WORDS))
        self.rare_words = [names.unique(lambda: names.word(3, 4)) for _ in range(RARE_WORDS)]
        self.words = [*COMMON_WORDS, *self.rare_words]
        self.common = len(COMMON_WORDS)
        self.size = len(self.words)
        ranks = np.arange(self.common, dtype=np.float64)
        weights = 1.0 / (ranks + 1.0 + ZIPF_SHIFT)
        self.probabilities = weights / weights.sum()
        # A lookup table: a uniform 22-bit integer indexes a word id with the Zipf
        # weights (quantised to 1 / 4 million, finer than the rarest common word).
        counts = np.round(self.probabilities * (1 << self.TABLE_BITS)).astype(np.int64)
        counts[0] += (1 << self.TABLE_BITS) - counts.sum()
        self.table = np.repeat(np.arange(self.common, dtype=np.int32), counts)
        rare_weights = 1.0 / np.arange(1, RARE_WORDS + 1, dtype=np.float64)
        self.rare_probabilities = rare_weights / rare_weights.sum()
        forms = [
            prefix + (_capitalised(word) if form in self.CAPITALISED else word) + suffix
            for form, (prefix, suffix) in enumerate(self.FORMS)
            for word in self.words
        ]
        # All forms as one byte array: text is gathered from it with numpy, never
        # word by word in Python.
        encoded = [form.encode() for form in forms]
        self.form_lengths = np.array([len(form) for form in encoded], dtype=np.int32)
        self.form_starts = np.cumsum(self.form_lengths, dtype=np.int32) - self.form_lengths
        self.form_bytes = np.frombuffer(b"".join(encoded), dtype=np.uint8)

    def word_ids(self, rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        """`count` word ids, and where commas go. One draw of 64 random bits per word
        serves both: the top 22 bits index the Zipf table, the low 16 place commas."""
        raw = rng.bit_generator.random_raw(count)
        ids = self.table[raw >> np.uint64(64 - self.TABLE_BITS)]
        commas = (raw & np.uint64(0xFFFF)) < np.uint64(COMMA_RATE * 0x10000)
        rare = rng.poisson(RARE_RATE * count)
        if rare:
            where = rng.integers(0, count, rare)
            ids[where] = self.common + rng.choice(RARE_WORDS, rare, p=self.rare_probabilities)
        return ids, commas

    def text(self, rng: np.random.Generator, count: int, *, dialogue: float = 0.25) -> str:
        """About `count` words of prose: paragraphs separated by blank lines."""
        count = max(count, 4)
        ids, commas = self.word_ids(rng, count)
        ends = np.cumsum(rng.integers(4, 22, count // 4 + 2, dtype=np.int32)) - 1
        ends = np.append(ends[ends < count - 1], count - 1)
        starts = np.concatenate(([0], ends[:-1] + 1))
        quoted, question, paragraph, scene = rng.random((4, len(ends))) < np.array(
            [[dialogue], [QUESTION_RATE], [PARAGRAPH_RATE], [SCENE_BREAK_RATE]]
        )
        paragraph[-1] = True
        scene &= paragraph
        scene[-1] = False
        # A question never ends a paragraph: rare enough not to matter, and it keeps
        # the forms few.
        end_forms = np.where(
            quoted,
            np.where(question, 9, np.where(paragraph, 7, 6)),
            np.where(question, 8, np.where(scene, 10, np.where(paragraph, 4, 3))),
        )
        forms = commas.astype(np.int32) * 2
        forms[starts] = np.where(quoted, 5, 1)
        forms[ends] = end_forms
        return self._join(forms * self.size + ids).decode().rstrip()

    def _join(self, tokens: np.ndarray) -> bytes:
        """The forms `tokens` names, concatenated: each output byte's source position
        is its form's start plus its offset within the form (int32 throughout: half the
        memory traffic of numpy's default int64)."""
        lengths = self.form_lengths[tokens]
        ends = np.cumsum(lengths, dtype=np.int32)
        shift = np.repeat(self.form_starts[tokens] - (ends - lengths), lengths)
        shift += np.arange(ends[-1], dtype=np.int32)
        return self.form_bytes[shift].tobytes()

    def title(self, rng: np.random.Generator) -> str:
        return self.titles(rng, 1)[0]

    def titles(self, rng: np.random.Generator, count: int) -> list[str]:
        """`count` titles of one to five capitalised words."""
        lengths = rng.integers(1, 6, count)
        ids = rng.integers(20, self.common, int(lengths.sum()), dtype=np.int32)
        return [title.rstrip() for title in self._split(self.size + ids, lengths)]

    def summaries(self, rng: np.random.Generator, lengths: np.ndarray) -> list[str]:
        """Blurbs of `lengths` words (at least 4) each, in one or two sentences."""
        ids, commas = self.word_ids(rng, int(lengths.sum()))
        forms = commas.astype(np.int32) * 2
        ends = np.cumsum(lengths) - 1
        starts = ends - lengths + 1
        middles = (starts + lengths // 2)[rng.random(len(lengths)) < 0.5]
        forms[middles] = 3
        forms[middles + 1] = 1
        forms[starts] = 1
        forms[ends] = 3
        return [summary.rstrip() for summary in self._split(forms * self.size + ids, lengths)]

    def _split(self, tokens: np.ndarray, counts: np.ndarray) -> list[str]:
        """The text of `tokens` cut into pieces of `counts` tokens each."""
        data = self._join(tokens)
        cuts = np.cumsum(self.form_lengths[tokens])[np.cumsum(counts) - 1].tolist()
        return [data[a:b].decode() for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


class SyntheticArchive:
    """`works` works, of which the first `full_text` have chapter text.

    Tags are numbered in one id space (ratings, warnings, categories, fandoms,
    characters, relationships, additional tags) with `tag_types` and `tag_names`; each
    work's tag ids are a CSR array (`tag_indptr`, `tag_ids`), which is also what the
    numpy floor counts facets with."""

    def __init__(self, works: int, full_text: int, seed: int = 4) -> None:
        if not 0 <= full_text <= works:
            raise ValueError("full_text must be between 0 and works")
        self.works = works
        self.full_text = full_text
        self.seed = seed
        self.text_maker = TextMaker(seed)
        self._block: tuple[int, list[WorkMeta]] | None = None
        rng = np.random.default_rng([seed, 1])
        self._draw_fandoms(rng)
        self._name_tags(np.random.default_rng([seed, 2]))
        self._draw_tags(rng)
        self._draw_numbers(rng)
        self._draw_creators(rng)

    # Drawing ------------------------------------------------------------------------

    def _draw_fandoms(self, rng: np.random.Generator) -> None:
        n = self.works
        self.fandom_count = max(20, n // 200)
        exponent = zipf_exponent_for_share(self.fandom_count, BIGGEST_FANDOM_SHARE)
        weights = np.arange(1, self.fandom_count + 1, dtype=np.float64) ** -exponent
        self.fandom_weights = weights / weights.sum()
        self.fandom = rng.choice(self.fandom_count, size=n, p=self.fandom_weights)
        second = rng.choice(self.fandom_count, size=n, p=self.fandom_weights)
        crossover = (rng.random(n) < CROSSOVER_RATE) & (second != self.fandom)
        self.second_fandom = np.where(crossover, second, -1)
        expected = n * self.fandom_weights
        self.characters_per_fandom = np.clip(np.round(6 + 1.5 * np.sqrt(expected)), 6, 400).astype(
            np.int64
        )
        self.relationships_per_fandom = np.ceil(1.5 * self.characters_per_fandom).astype(np.int64)
        self.freeform_count = 300 + n // 250

    def _name_tags(self, rng: np.random.Generator) -> None:
        """Every tag's type and name; ids are positions in these lists."""
        types: list[str] = []
        names: list[str] = []

        def add(tag_type: str, values: list[str]) -> int:
            start = len(names)
            types.extend([tag_type] * len(values))
            names.extend(values)
            return start

        self.rating_base = add("rating", list(RATINGS))
        self.warning_base = add("warning", list(ARCHIVE_WARNINGS))
        self.category_base = add("category", list(CATEGORIES))
        made = _NameMaker(rng, {name.lower() for name in COMMON_WORDS})

        def fandom_name() -> str:
            suffix = FANDOM_SUFFIXES[int(rng.integers(len(FANDOM_SUFFIXES)))]
            return f"{_capitalised(made.word(2, 3))} {suffix}"

        self.fandom_base = add(
            "fandom", [made.unique(fandom_name) for _ in range(self.fandom_count)]
        )
        character_names: list[list[str]] = []
        for count in self.characters_per_fandom:
            character_names.append(
                [
                    made.unique(
                        lambda: (
                            f"{GIVEN_NAMES[int(rng.integers(len(GIVEN_NAMES)))]} "
                            f"{_capitalised(made.word(2, 3))}"
                        )
                    )
                    for _ in range(int(count))
                ]
            )
        self.character_base = add("character", [n for group in character_names for n in group])
        self.character_offsets = self.character_base + np.concatenate(
            ([0], np.cumsum(self.characters_per_fandom)[:-1])
        )
        relationship_names: list[str] = []
        for fandom, count in enumerate(self.relationships_per_fandom):
            relationship_names += _relationships(rng, character_names[fandom], int(count))
        self.relationship_base = add("relationship", relationship_names)
        self.relationship_offsets = self.relationship_base + np.concatenate(
            ([0], np.cumsum(self.relationships_per_fandom)[:-1])
        )
        freeforms = list(dict.fromkeys(BASE_FREEFORMS))
        taken = {name.lower() for name in freeforms}
        words = COMMON_WORDS[150:]
        while len(freeforms) < self.freeform_count:
            first, second = (words[int(i)] for i in rng.integers(0, len(words), 2))
            pattern = int(rng.integers(4))
            name = (
                f"Alternate Universe - {_capitalised(first)} {_capitalised(second)}"
                if pattern == 0
                else f"{_capitalised(first)} {_capitalised(second)}"
            )
            if name.lower() not in taken and first != second:
                taken.add(name.lower())
                freeforms.append(name)
        self.freeform_base = add("freeform", freeforms[: self.freeform_count])
        self.tag_types = types
        self.tag_names = names
        self.fandom_freeform_shift = rng.integers(0, 40, self.fandom_count)

    def _draw_tags(self, rng: np.random.Generator) -> None:
        n = self.works
        works = np.arange(n)
        rating = _choice(rng, RATING_WEIGHTS, n)
        rating_ids = np.array([RATINGS.index(name) for name in RATING_WEIGHTS])[rating]
        parts: list[tuple[np.ndarray, np.ndarray]] = [(works, self.rating_base + rating_ids)]

        specific = np.zeros(n, dtype=bool)
        for name, rate in SPECIFIC_WARNING_RATES.items():
            has = rng.random(n) < rate
            specific |= has
            parts.append((works[has], np.full(has.sum(), self.warning_id(name))))
        chose_not = rng.random(n) < CHOSE_NOT_TO_WARN_RATE
        parts.append(
            (works[chose_not], np.full(chose_not.sum(), self.warning_id(ARCHIVE_WARNINGS[0])))
        )
        none = ~chose_not & ~specific
        parts.append((works[none], np.full(none.sum(), self.warning_id(ARCHIVE_WARNINGS[1]))))

        category_order = np.array([CATEGORIES.index(name) for name in CATEGORY_WEIGHTS])
        category = category_order[_choice(rng, CATEGORY_WEIGHTS, n)]
        parts.append((works, self.category_base + category))
        has_second = rng.random(n) < SECOND_CATEGORY
        second = category_order[_choice(rng, CATEGORY_WEIGHTS, n)]
        has_second &= second != category
        parts.append((works[has_second], self.category_base + second[has_second]))
        gen_only = (category == CATEGORIES.index("Gen")) & ~has_second

        parts.append((works, self.fandom_base + self.fandom))
        crossover = self.second_fandom >= 0
        parts.append((works[crossover], self.fandom_base + self.second_fandom[crossover]))

        def per_fandom(counts: np.ndarray, sizes: np.ndarray, offsets: np.ndarray) -> None:
            owner = np.repeat(works, counts)
            fandom = self.fandom[owner]
            other = self.second_fandom[owner]
            use_other = (other >= 0) & (rng.random(len(owner)) < 0.4)
            fandom = np.where(use_other, other, fandom)
            parts.append((owner, offsets[fandom] + _log_uniform(rng, sizes[fandom])))

        characters = np.clip(1 + rng.poisson(1.6, n), 1, 8)
        per_fandom(characters, self.characters_per_fandom, self.character_offsets)
        relationships = np.clip(rng.poisson(1.2, n), 0, 6)
        relationships[gen_only & (rng.random(n) < 0.7)] = 0
        per_fandom(relationships, self.relationships_per_fandom, self.relationship_offsets)

        freeforms = np.clip(rng.poisson(3.0, n), 0, 15)
        owner = np.repeat(works, freeforms)
        ranks = _log_uniform(rng, np.full(len(owner), self.freeform_count))
        shifted = (ranks + self.fandom_freeform_shift[self.fandom[owner]]) % self.freeform_count
        parts.append((owner, self.freeform_base + shifted))

        owners = np.concatenate([p[0] for p in parts]).astype(np.int64)
        tags = np.concatenate([p[1] for p in parts]).astype(np.int64)
        # Sorted by work, then tag; duplicates (the same character drawn twice) dropped.
        keys = np.unique(owners * len(self.tag_names) + tags)
        owners, tags = np.divmod(keys, len(self.tag_names))
        self.tag_ids = tags.astype(np.int32)
        self.tag_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(owners, minlength=n), out=self.tag_indptr[1:])
        self.rating = rating_ids

    def _draw_numbers(self, rng: np.random.Generator) -> None:
        n = self.works
        median = MEAN_WORDS / math.exp(WORDS_SIGMA**2 / 2)
        self.word_counts = np.clip(
            np.round(rng.lognormal(math.log(median), WORDS_SIGMA, n)), MIN_WORDS, MAX_WORDS
        ).astype(np.int64)
        chapter_words = rng.lognormal(math.log(CHAPTER_WORDS_MEDIAN), 0.5, n)
        chapters = np.clip(np.round(self.word_counts / chapter_words), 2, MAX_CHAPTERS)
        one_shot = (rng.random(n) < ONE_SHOT_RATE) | (self.word_counts < 1_500)
        self.chapter_counts = np.where(one_shot, 1, chapters).astype(np.int64)
        self.complete = np.where(one_shot, rng.random(n) < 0.97, rng.random(n) < 0.7)
        span = (LAST_DAY - FIRST_DAY).days
        # Archives grow: more works were posted recently.
        self.published_days = np.floor(rng.random(n) ** 0.6 * span).astype(np.int64)
        gaps = np.where(
            self.chapter_counts > 1, rng.exponential(30.0, n) * self.chapter_counts, 0
        ).astype(np.int64)
        self.updated_days = np.minimum(self.published_days + gaps, span)
        self.kudos = np.clip(np.round(rng.lognormal(math.log(40), 1.6, n)), 0, 500_000).astype(
            np.int64
        )
        self.hits = (
            self.kudos * rng.lognormal(math.log(14), 0.5, n) + rng.integers(5, 200, n)
        ).astype(np.int64)
        self.bookmarks = np.round(self.kudos * 0.12 * rng.lognormal(0, 0.5, n)).astype(np.int64)
        self.comments = np.round(self.kudos * 0.10 * rng.lognormal(0, 0.6, n)).astype(np.int64)
        self.language = _choice(rng, LANGUAGE_WEIGHTS, n)
        self.summary_words = rng.integers(12, 60, n)
        # A work in progress names its planned chapter count six times in ten.
        planned = self.chapter_counts + rng.integers(1, 10, n)
        known = rng.random(n) < 0.6
        self.expected_chapters = np.where(
            self.complete, self.chapter_counts, np.where(known, planned, 0)
        )

    def _draw_creators(self, rng: np.random.Generator) -> None:
        n = self.works
        pool = max(50, n // 4)
        made = _NameMaker(np.random.default_rng([self.seed, 3]))

        def pen_name() -> str:
            name = made.word(2, 4)
            if made.rng.random() < 0.4:
                name += str(int(made.rng.integers(1, 1000)))
            return name

        self.creator_names = [made.unique(pen_name) for _ in range(pool)]
        # p(rank) ~ 1 / sqrt(rank): some prolific creators, most with a work or two.
        self.creator = np.floor(pool * rng.random(n) ** 2).astype(np.int64)
        second = np.floor(pool * rng.random(n) ** 2).astype(np.int64)
        self.second_creator = np.where(
            (rng.random(n) < 0.03) & (second != self.creator), second, -1
        )

    # Reading ------------------------------------------------------------------------

    def warning_id(self, name: str) -> int:
        return self.warning_base + ARCHIVE_WARNINGS.index(name)

    def tag_id(self, tag_type: str, name: str) -> int:
        return self.tag_ids_by_key[tag_type, name]

    @cached_property
    def tag_ids_by_key(self) -> dict[tuple[str, str], int]:
        """{(type, name): tag id}."""
        return {key: i for i, key in enumerate(zip(self.tag_types, self.tag_names, strict=True))}

    def tags_of(self, index: int) -> np.ndarray:
        return self.tag_ids[self.tag_indptr[index] : self.tag_indptr[index + 1]]

    def works_with(self, tag: int) -> np.ndarray:
        """Indexes of the works carrying `tag` (a full scan: for checks and choosing
        query parameters, not for timing)."""
        owners = np.repeat(np.arange(self.works), np.diff(self.tag_indptr))
        return owners[self.tag_ids == tag]

    def fingerprint(self) -> str:
        """A digest of what was generated: a kept run measured again (bench/search.py
        --reuse) must be measured against the same archive, not one a later version of
        this module makes from the same seed."""
        digest = hashlib.sha256()
        digest.update("\n".join(self.tag_names).encode())
        for array in (self.tag_ids, self.tag_indptr, self.word_counts, self.kudos):
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(self.text_maker.text(np.random.default_rng(self.seed), 200).encode())
        return digest.hexdigest()[:16]

    def tag_work_counts(self) -> np.ndarray:
        return np.bincount(self.tag_ids, minlength=len(self.tag_names))

    def meta(self, index: int) -> WorkMeta:
        return self._meta_block(index // META_BLOCK)[index % META_BLOCK]

    def metas(self, start: int, stop: int) -> Iterator[WorkMeta]:
        """The metadata of works start..stop-1, in order."""
        for block in range(start // META_BLOCK, (max(start, stop) - 1) // META_BLOCK + 1):
            for meta in self._meta_block(block):
                if start <= meta.index < stop:
                    yield meta

    def _meta_block(self, block: int) -> list[WorkMeta]:
        """Metadata of a block of META_BLOCK works, made together (titles and summaries
        are drawn for the whole block at once) and kept until another block is asked
        for: works are read in order."""
        if self._block is not None and self._block[0] == block:
            return self._block[1]
        start, stop = block * META_BLOCK, min(self.works, (block + 1) * META_BLOCK)
        rng = np.random.default_rng([self.seed, 5, block])
        titles = self.text_maker.titles(rng, stop - start)
        summaries = self.text_maker.summaries(rng, self.summary_words[start:stop])
        languages = list(LANGUAGE_WEIGHTS)
        metas = []
        for index, title, summary in zip(range(start, stop), titles, summaries, strict=True):
            by_type: dict[str, list[str]] = {}
            for tag in self.tags_of(index).tolist():
                by_type.setdefault(self.tag_types[tag], []).append(self.tag_names[tag])
            creators = [self.creator_names[self.creator[index]]]
            if (second := self.second_creator[index]) >= 0:
                creators.append(self.creator_names[second])
            expected = int(self.expected_chapters[index])
            metas.append(
                WorkMeta(
                    index=index,
                    title=title,
                    creators=tuple(creators),
                    rating=by_type["rating"][0],
                    warnings=tuple(by_type.get("warning", ())),
                    categories=tuple(by_type.get("category", ())),
                    fandoms=tuple(by_type.get("fandom", ())),
                    relationships=tuple(by_type.get("relationship", ())),
                    characters=tuple(by_type.get("character", ())),
                    freeforms=tuple(by_type.get("freeform", ())),
                    summary=summary,
                    language=languages[self.language[index]],
                    complete=bool(self.complete[index]),
                    chapters=int(self.chapter_counts[index]),
                    expected_chapters=expected if expected > 0 else None,
                    words=int(self.word_counts[index]),
                    published=FIRST_DAY + datetime.timedelta(days=int(self.published_days[index])),
                    updated=FIRST_DAY + datetime.timedelta(days=int(self.updated_days[index])),
                    kudos=int(self.kudos[index]),
                    hits=int(self.hits[index]),
                    bookmarks=int(self.bookmarks[index]),
                    comments=int(self.comments[index]),
                )
            )
        self._block = (block, metas)
        return metas

    def chapters(self, index: int) -> list[tuple[str, str]]:
        """(title, text) of each chapter of a full-text work; the words are split
        between chapters at random."""
        rng = np.random.default_rng([self.seed, 6, index])
        words = int(self.word_counts[index])
        count = int(self.chapter_counts[index])
        if count == 1:
            return [("", self.text_maker.text(rng, words))]
        shares = rng.dirichlet(np.full(count, 4.0))
        sizes = np.maximum(50, np.round(shares * words)).astype(np.int64)
        titled = rng.random() < 0.3
        return [
            (self.text_maker.title(rng) if titled else "", self.text_maker.text(rng, int(size)))
            for size in sizes
        ]

    def story_file(self, index: int) -> str:
        """Work `index` as a plain-text story file in the header shape the plain-text
        importer reads (docs/cli.md, "Plain-text stories")."""
        meta = self.meta(index)
        status = "complete" if meta.complete else "wip"
        expected = meta.expected_chapters if meta.expected_chapters is not None else "?"
        header = [
            ("title", meta.title),
            ("author", ", ".join(meta.creators)),
            ("fandom", ", ".join(meta.fandoms)),
            ("category", ", ".join(meta.categories)),
            ("rating", meta.rating),
            ("warnings", ", ".join(meta.warnings)),
            ("pairing", ", ".join(meta.relationships)),
            ("characters", ", ".join(meta.characters)),
            ("tags", ", ".join(meta.freeforms)),
            ("summary", meta.summary),
            ("language", meta.language),
            ("status", status),
            ("chapters", f"{meta.chapters}/{expected}"),
            ("published", meta.published.isoformat()),
            ("updated", meta.updated.isoformat()),
            # Not read by the importer (kept in the provenance); see bench/search.py.
            ("kudos", str(meta.kudos)),
            ("hits", str(meta.hits)),
        ]
        lines = [f"{key}: {value}" for key, value in header if value]
        chapters = self.chapters(index)
        if len(chapters) == 1:
            body = chapters[0][1]
        else:
            body = "\n\n".join(
                f"Chapter {n}: {title}\n\n{text}" if title else f"Chapter {n}\n\n{text}"
                for n, (title, text) in enumerate(chapters, start=1)
            )
        return "\n".join(lines) + "\n\n" + body + "\n"

    def story_files(self) -> Iterator[tuple[int, str]]:
        for index in range(self.full_text):
            yield index, self.story_file(index)


def _relationships(rng: np.random.Generator, characters: list[str], count: int) -> list[str]:
    """`count` distinct pairings of a fandom's characters, the popular characters in
    most of them; about one in five a friendship ("A & B")."""
    names: list[str] = []
    seen: set[tuple[int, int]] = set()
    sizes = np.full(4 * count + 8, len(characters))
    firsts, seconds = _log_uniform(rng, sizes), _log_uniform(rng, sizes)
    friendly = rng.random(len(sizes)) < 0.2
    for a, b, friends in zip(firsts.tolist(), seconds.tolist(), friendly.tolist(), strict=True):
        pair = (min(a, b), max(a, b))
        if a == b or pair in seen:
            continue
        seen.add(pair)
        names.append(f"{characters[a]}{' & ' if friends else '/'}{characters[b]}")
        if len(names) == count:
            return names
    # A small fandom can run out of random pairs: take the rest in order.
    for a in range(len(characters)):
        for b in range(a + 1, len(characters)):
            if (a, b) not in seen:
                seen.add((a, b))
                names.append(f"{characters[a]}/{characters[b]}")
                if len(names) == count:
                    return names
    raise ValueError(f"{len(characters)} characters cannot make {count} pairings")
