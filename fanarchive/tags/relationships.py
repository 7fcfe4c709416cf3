"""Relationship tag names: parsing, equivalence and synonym suggestions.

Framework-free (no Django): wrangling views, importers and tests call it with plain
strings and fandom packs (`fanarchive.tags.packs`).

Writers tag one relationship many ways: "Spike/Willow", "Willow/Spike", "Spike x Willow",
"Spike / Willow" and "William the Bloody/Willow Rosenberg" are one romantic relationship;
"Buffy & Willow" and "Willow&Buffy" one friendship. This module reduces a name to an
*equivalence key* (its kind and the set of its characters, each resolved to the
character's canonical name through the packs where possible) and from that SUGGESTS
synonyms. A wrangler confirms a suggestion; an archive setting may auto-apply the ones
marked `exact`.

Rules, in the order they are applied to a name:

* A trailing parenthetical after a space, "Sherlock/John (BBC)", is a *qualifier*. It is
  kept on the parsed `Relationship` but left out of the equivalence key. When it names a
  fandom (a pack's name or alias) and the caller gave no fandoms, that pack is used to
  resolve the members. "Original Character(s)" (no space before the parenthesis) is a
  member name, not a qualifier.
* "/" is romantic and "&" platonic (full-width forms too), each anywhere in the name:
  every "/" separates members, so a character whose name contains "/" cannot be told
  apart. A name with both "/" and "&" ("A/B & C") mixes kinds and is not parsed.
* "x", "X" or the multiplication sign (U+00D7) surrounded by whitespace is romantic,
  but only in a name with no "/" and no "&" (so "Malcolm X & Betty Shabazz" is a
  friendship of "Malcolm X").
* At least two members, none empty after stripping; otherwise the name is not a
  relationship.

Members are normalised for comparison by `normalise_name`: case-folded, apostrophes and
full stops dropped ("O'Neill" = "ONeill", "B.A." = "BA"), other punctuation and symbols
read as spaces, accents on Latin letters dropped ("Zoë" = "Zoe"), runs of spaces
collapsed.

The key holds a frozenset, so "A/A/B" and "A/B" have the same key.

A suggestion is `exact` (safe to auto-apply) unless it relies on a nickname found with
no fandom to confirm it (nicknames "need context", docs/tagging.md: "Willow/Spike" is
exact within Buffy the Vampire Slayer, a suggestion to confirm without fandoms) or
ignores a qualifier that is not a fandom ("(past)").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from fanarchive.tags.packs import Pack

Kind = Literal["romantic", "platonic"]
Via = Literal["name", "alias", "nickname"]
EquivalenceKey = tuple[str, frozenset[str]]

ROMANTIC: Kind = "romantic"
PLATONIC: Kind = "platonic"

_SLASHES = "/\uff0f"  # "/" and the full-width solidus
_AMPERSANDS = "&\uff06"  # "&" and the full-width ampersand
_SLASH_SPLIT = re.compile(f"[{_SLASHES}]")
_AMPERSAND_SPLIT = re.compile(f"[{_AMPERSANDS}]")
_X_SPLIT = re.compile(r"\s+[xX\u00d7]\s+")
_QUALIFIER = re.compile(r"\s+\(([^()]*)\)\s*$")
_DROPPED = frozenset("'\u2018\u2019\u02bc`\u00b4.")  # apostrophes and full stops
_LAST_LATIN = 0x024F  # end of Latin Extended-B
_STRENGTH: dict[Via, int] = {"name": 0, "alias": 1, "nickname": 2}


def normalise_name(text: str) -> str:
    """The form names are compared in (see the module docstring); "" for a name made
    only of punctuation."""
    out: list[str] = []
    after_latin = False
    for char in unicodedata.normalize("NFKD", text.casefold()):
        category = unicodedata.category(char)
        if category == "Mn":
            if not after_latin:  # keep marks that carry meaning in other scripts
                out.append(char)
            continue
        after_latin = char.isalpha() and ord(char) <= _LAST_LATIN
        if char in _DROPPED:
            continue
        out.append(" " if category[0] in "PSZC" else char)
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


def normalise_spacing(name: str) -> str:
    """`name` with the usual spacing: runs of whitespace collapsed, none around "/",
    one space either side of "&". Case, separators and member order are kept."""
    text = " ".join(name.split())
    text = re.sub(rf"\s*[{_SLASHES}]\s*", lambda m: m.group().strip(), text)
    return re.sub(rf"\s*[{_AMPERSANDS}]\s*", lambda m: f" {m.group().strip()} ", text)


def _split_qualifier(text: str) -> tuple[str, str]:
    """("A/B", "BBC") for "A/B (BBC)"; (text, "") when there is no trailing qualifier."""
    match = _QUALIFIER.search(text)
    if match is None or match.start() == 0:
        return text, ""
    return text[: match.start()], match.group(1).strip()


@dataclass(frozen=True)
class Relationship:
    kind: Kind
    """"romantic" ("/", "x") or "platonic" ("&")."""
    members: tuple[str, ...]
    """The names as written, stripped, inner whitespace collapsed, in written order."""
    qualifier: str = ""
    """A trailing parenthetical without its parentheses ("BBC" for "A/B (BBC)"); not
    part of the equivalence key."""


def parse_relationship(name: str) -> Relationship | None:
    """The relationship `name` writes, or None when it is not one (one member, an empty
    member, or "/" and "&" mixed)."""
    text, qualifier = _split_qualifier(" ".join(name.split()))
    has_slash = any(c in text for c in _SLASHES)
    has_ampersand = any(c in text for c in _AMPERSANDS)
    kind: Kind
    if has_slash and has_ampersand:
        return None
    if has_slash:
        kind, parts = ROMANTIC, _SLASH_SPLIT.split(text)
    elif has_ampersand:
        kind, parts = PLATONIC, _AMPERSAND_SPLIT.split(text)
    else:
        kind, parts = ROMANTIC, _X_SPLIT.split(text)
    members = tuple(part.strip() for part in parts)
    if len(members) < 2 or not all(members):
        return None
    return Relationship(kind=kind, members=members, qualifier=qualifier)


@dataclass(frozen=True)
class CharacterMatch:
    """How a written name resolved to a character."""

    canonical: str
    """The character's canonical name."""
    via: Via
    """Which of the character's names was written: its name, an alias or a nickname."""
    fandom: str
    """The pack (fandom) the character was found in."""
    in_context: bool
    """True when it was found in one of the fandoms the caller gave (or the name's own
    qualifier named), False when found by searching every pack."""


@dataclass(frozen=True)
class _Entry:
    canonical: str
    via: Via
    fandom: str


class CharacterResolver:
    """Maps the names of characters (canonical names, aliases and nicknames, compared
    through `normalise_name`) to their canonical names.

    A name that means different characters (different canonical names) is ambiguous and
    does not resolve unless `fandoms` narrows it to one. With `fandoms` given, the
    characters of those fandoms are searched first; failing that, every pack is searched
    for canonical names and aliases but not nicknames, which need context ("Will" is
    Willow in Buffy the Vampire Slayer and nobody in particular elsewhere).
    """

    def __init__(self, packs: Iterable[Pack]) -> None:
        self._names: dict[str, list[_Entry]] = {}
        self._fandoms: dict[str, set[str]] = {}
        for pack in packs:
            for fandom_name in (pack.name, *pack.aliases):
                self._fandoms.setdefault(normalise_name(fandom_name), set()).add(pack.name)
            for character in pack.characters:
                written: list[tuple[str, Via]] = [(character.name, "name")]
                written += [(alias, "alias") for alias in character.aliases]
                written += [(nickname, "nickname") for nickname in character.nicknames]
                for text, via in written:
                    key = normalise_name(text)
                    if key:
                        entry = _Entry(character.name, via, pack.name)
                        self._names.setdefault(key, []).append(entry)

    def fandom(self, name: str) -> str | None:
        """The pack name that `name` (a fandom's name or alias) means, None when it
        means none or several."""
        packs = self._fandoms.get(normalise_name(name), set())
        return next(iter(packs)) if len(packs) == 1 else None

    def _packs(self, fandoms: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for fandom in fandoms:
            found |= self._fandoms.get(normalise_name(fandom), set())
        return found

    def _lookup(self, key: str, fandoms: Sequence[str]) -> CharacterMatch | None:
        entries = self._names.get(key, [])
        if fandoms:
            packs = self._packs(fandoms)
            narrowed = [entry for entry in entries if entry.fandom in packs]
            if narrowed:
                return _single(narrowed, in_context=True)
            entries = [entry for entry in entries if entry.via != "nickname"]
        return _single(entries, in_context=False)

    def match(self, name: str, fandoms: Sequence[str] = ()) -> CharacterMatch | None:
        """How `name` resolves, or None (unknown or ambiguous). A name ending in a
        parenthetical that names a fandom, "Spike (BtVS)", is looked up without it in
        that fandom when the whole name is not known."""
        found = self._lookup(normalise_name(name), fandoms)
        if found is None:
            base, qualifier = _split_qualifier(" ".join(name.split()))
            fandom = self.fandom(qualifier) if qualifier else None
            if fandom is not None:
                found = self._lookup(normalise_name(base), (fandom,))
        return found

    def resolve(self, name: str, fandoms: Sequence[str] = ()) -> str | None:
        """The canonical name of the character `name` means, or None."""
        found = self.match(name, fandoms)
        return found.canonical if found else None


def _single(entries: Sequence[_Entry], *, in_context: bool) -> CharacterMatch | None:
    if len({entry.canonical for entry in entries}) != 1:
        return None
    best = min(entries, key=lambda entry: (_STRENGTH[entry.via], entry.fandom))
    return CharacterMatch(best.canonical, best.via, best.fandom, in_context)


@dataclass(frozen=True)
class _Member:
    written: str
    match: CharacterMatch | None
    key: str


@dataclass(frozen=True)
class _Analysis:
    name: str
    relationship: Relationship
    members: tuple[_Member, ...]
    qualifier_fandom: str | None

    @property
    def key(self) -> EquivalenceKey:
        return self.relationship.kind, frozenset(member.key for member in self.members)

    @property
    def uses_x(self) -> bool:
        return self.relationship.kind == ROMANTIC and not any(c in self.name for c in _SLASHES)


def _analyse(name: str, resolver: CharacterResolver, fandoms: Sequence[str]) -> _Analysis | None:
    relationship = parse_relationship(name)
    if relationship is None:
        return None
    qualifier_fandom = resolver.fandom(relationship.qualifier) if relationship.qualifier else None
    context = tuple(fandoms) or ((qualifier_fandom,) if qualifier_fandom else ())
    members = []
    for written in relationship.members:
        found = resolver.match(written, context)
        text = found.canonical if found else written
        members.append(_Member(written, found, normalise_name(text) or text.casefold()))
    return _Analysis(name, relationship, tuple(members), qualifier_fandom)


def equivalence_key(
    name: str, resolver: CharacterResolver, fandoms: Sequence[str] = ()
) -> EquivalenceKey | None:
    """(kind, the members' normalised canonical names) for a relationship name, None
    for a name that is not a relationship. Members that do not resolve are kept in their
    normalised written form, so "Spike/Willow" and "Willow/Spike" share a key with no
    packs at all."""
    analysis = _analyse(name, resolver, fandoms)
    return analysis.key if analysis else None


def _constructed_name(analysis: _Analysis) -> str:
    members = [
        member.match.canonical if member.match else " ".join(member.written.split())
        for member in analysis.members
    ]
    members.sort(key=lambda member: (member.casefold(), member))
    return ("/" if analysis.relationship.kind == ROMANTIC else " & ").join(members)


def canonical_name(
    name: str,
    resolver: CharacterResolver,
    fandoms: Sequence[str] = (),
    known: Iterable[str] = (),
) -> str | None:
    """The relationship written canonically: the first of `known` (canonical
    relationship tags, e.g. a pack's `relationships`) with the same equivalence key;
    otherwise the members, resolved where possible and as written where not, in
    alphabetical order, joined by "/" (romantic) or " & " (platonic), without any
    qualifier. None when `name` is not a relationship."""
    analysis = _analyse(name, resolver, fandoms)
    if analysis is None:
        return None
    known = list(known)
    if name in known:
        return name
    for candidate in known:
        if equivalence_key(candidate, resolver, fandoms) == analysis.key:
            return candidate
    return _constructed_name(analysis)


@dataclass(frozen=True)
class SynonymSuggestion:
    tag: str
    """The tag name to make a synonym."""
    canonical: str
    """The name it should merge into (an existing canonical tag, or one to create)."""
    exact: bool
    """True when both names are the same kind of relationship between the same
    characters, differing only in order, spacing, capitalisation, punctuation, separator,
    aliases, nicknames found within the given fandoms, or a qualifier that only names the
    fandom: safe to apply without a wrangler. False when the match relies on a nickname
    with no fandom to confirm it or ignores a qualifier such as "(past)"."""
    reason: str
    """Why, for the wrangler: "same characters in another order; 'William the Bloody'
    is an alias of Spike"."""


def _describe(member: _Member) -> str | None:
    found = member.match
    if found is None or member.key == normalise_name(member.written):
        return None
    if found.via == "nickname":
        where = (
            f" in {found.fandom}"
            if found.in_context
            else f" (unconfirmed: no fandom given; found in {found.fandom})"
        )
        return f"{member.written!r} is a nickname of {found.canonical}{where}"
    if found.via == "alias":
        return f"{member.written!r} is an alias of {found.canonical}"
    return f"{member.written!r} is written for {found.canonical}"


def _compare(tag: _Analysis, target: _Analysis) -> tuple[bool, str]:
    """Whether merging `tag` into `target` (same key) is exact, and why."""
    exact = True
    reasons: list[str] = []
    theirs = {member.key: member for member in target.members}
    for mine in tag.members:
        other = theirs.get(mine.key)
        if other is None or normalise_name(mine.written) == normalise_name(other.written):
            continue
        for member in (mine, other):
            description = _describe(member)
            if description and description not in reasons:
                reasons.append(description)
            if member.match and member.match.via == "nickname" and not member.match.in_context:
                exact = False
    if [m.key for m in tag.members] != [m.key for m in target.members]:
        reasons.append("same characters in another order")
    if tag.uses_x and not target.uses_x:
        reasons.append("written with 'x' for '/'")
    mine_q, their_q = tag.relationship.qualifier, target.relationship.qualifier
    if normalise_name(mine_q) != normalise_name(their_q):
        for analysis, qualifier in ((tag, mine_q), (target, their_q)):
            if not qualifier:
                continue
            if analysis.qualifier_fandom:
                reasons.append(f"'({qualifier})' only names the fandom")
            else:
                reasons.append(f"the qualifier '({qualifier})' is ignored")
                exact = False
    if not reasons:
        if normalise_spacing(tag.name) == normalise_spacing(target.name):
            reasons.append("same name with different spacing")
        else:
            reasons.append("same characters written differently (case, punctuation or spacing)")
    return exact, "; ".join(reasons)


def suggest_relationship_synonyms(
    tags: Iterable[str],
    canonical_tags: Iterable[str],
    resolver: CharacterResolver,
    fandoms: Sequence[str] = (),
) -> list[SynonymSuggestion]:
    """For each relationship name in `tags` that is not itself in `canonical_tags`: a
    suggestion to merge it into the (first) canonical tag with the same equivalence key;
    or, when none exists but several of `tags` share a key, into the canonical name of
    that group, which the wrangler would create. The group's name is the first tag in it
    that is already written canonically, else `canonical_name` of its first tag; that tag
    gets no suggestion. Names that are not relationships, and lone tags with no canonical
    match, get none. Suggestions follow the order of `tags`."""
    canonical_list = list(dict.fromkeys(canonical_tags))
    canonical_set = set(canonical_list)
    by_key: dict[EquivalenceKey, _Analysis] = {}
    for name in canonical_list:
        analysis = _analyse(name, resolver, fandoms)
        if analysis is not None:
            by_key.setdefault(analysis.key, analysis)

    pending: list[_Analysis] = []
    for name in dict.fromkeys(tags):
        if name in canonical_set:
            continue
        analysis = _analyse(name, resolver, fandoms)
        if analysis is not None:
            pending.append(analysis)

    groups: dict[EquivalenceKey, list[_Analysis]] = {}
    for analysis in pending:
        if analysis.key not in by_key:
            groups.setdefault(analysis.key, []).append(analysis)
    targets: dict[EquivalenceKey, _Analysis] = dict(by_key)
    for key, group in groups.items():
        if len(group) < 2:
            continue
        written = next((a for a in group if a.name == _constructed_name(a)), None)
        name = written.name if written else _constructed_name(group[0])
        target = written or _analyse(name, resolver, fandoms)
        if target is None or target.key != key:  # the canonical names resolve differently
            target = replace(group[0], name=name)
        targets[key] = target

    suggestions = []
    for analysis in pending:
        target = targets.get(analysis.key)
        if target is None or target.name == analysis.name:
            continue
        exact, reason = _compare(analysis, target)
        suggestions.append(SynonymSuggestion(analysis.name, target.name, exact, reason))
    return suggestions
