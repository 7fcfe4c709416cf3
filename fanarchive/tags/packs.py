"""Fandom data packs: what fanarchive knows about a fandom, as plain TOML files.

Framework-free: the inference code and the tests load packs without Django. The
format is documented in docs/tagging.md. fanarchive ships packs in
`fanarchive/tags/packs/`; operators add or override packs in `<data dir>/packs/`
(a pack there with the same fandom name replaces the shipped one).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SHIPPED_PACKS = Path(__file__).resolve().parent / "packs"
GENDERS = {"f", "m", "nb", "unknown"}


class PackError(ValueError):
    """A pack file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Character:
    name: str
    """The canonical character tag, e.g. "Buffy Summers"."""
    aliases: tuple[str, ...] = ()
    """Other names that mean this character and little else: "William the Bloody"."""
    nicknames: tuple[str, ...] = ()
    """Short or common names that need context to mean this character: "Buffy", "Spike"."""
    gender: str = "unknown"

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.nicknames)


@dataclass(frozen=True)
class Pack:
    name: str
    """The canonical fandom tag."""
    media: str = ""
    aliases: tuple[str, ...] = ()
    """Other names of the fandom, as writers tag it: "BtVS", "Buffy"."""
    terms: tuple[str, ...] = ()
    """Places, things and words that point to this fandom in story text."""
    characters: tuple[Character, ...] = ()
    relationships: tuple[str, ...] = ()
    """Canonical relationship tags, "A/B" (romantic) or "A & B" (platonic), written with
    the characters' canonical names."""
    source: Path = field(default=Path(), compare=False)

    def character(self, name: str) -> Character | None:
        return next((c for c in self.characters if c.name == name), None)


def _strings(data: dict, key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PackError(f"{path}: {key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _text(data: dict, key: str, path: Path, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise PackError(f"{path}: {key} must be a {'non-empty ' if required else ''}string")
    return value.strip()


def load_pack(path: Path) -> Pack:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise PackError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise PackError(f"{path}: not valid TOML: {error}") from None

    characters = []
    for index, entry in enumerate(data.get("characters", []), start=1):
        where = Path(f"{path} [characters #{index}]")
        if not isinstance(entry, dict):
            raise PackError(f"{where}: must be a table")
        gender = _text(entry, "gender", where) or "unknown"
        if gender not in GENDERS:
            raise PackError(f"{where}: gender must be one of {', '.join(sorted(GENDERS))}")
        characters.append(
            Character(
                name=_text(entry, "name", where, required=True),
                aliases=_strings(entry, "aliases", where),
                nicknames=_strings(entry, "nicknames", where),
                gender=gender,
            )
        )
    names = [c.name for c in characters]
    if len(names) != len(set(names)):
        raise PackError(f"{path}: a character is listed twice")
    relationships = _strings(data, "relationships", path)
    for relationship in relationships:
        members = [m.strip() for m in relationship.replace("&", "/").split("/")]
        unknown = [m for m in members if m not in names]
        if unknown:
            raise PackError(
                f"{path}: relationship {relationship!r} names unknown characters: "
                + ", ".join(unknown)
            )
    return Pack(
        name=_text(data, "name", path, required=True),
        media=_text(data, "media", path),
        aliases=_strings(data, "aliases", path),
        terms=_strings(data, "terms", path),
        characters=tuple(characters),
        relationships=relationships,
        source=path,
    )


def load_packs(*directories: Path) -> list[Pack]:
    """Every pack in the directories, in order; a later pack with the same fandom name
    replaces an earlier one (so an operator's pack overrides a shipped one)."""
    packs: dict[str, Pack] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            pack = load_pack(path)
            packs[pack.name] = pack
    return list(packs.values())


def pack_directories(data_dir: Path) -> list[Path]:
    return [SHIPPED_PACKS, data_dir / "packs"]
