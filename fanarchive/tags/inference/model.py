"""What the tagger returns: suggested tags with a confidence and quoted evidence."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

TYPES = ("fandoms", "characters", "relationships", "rating", "warnings", "category", "freeforms")


@dataclass
class Suggestion:
    name: str
    """A tag name: a pack's canonical fandom or character name, "A/B" or "A & B" with
    canonical character names, an AO3 rating, warning or category, or a content note."""
    confidence: float
    """0..1."""
    evidence: list[str] = field(default_factory=list)
    """Up to 3 sentences (or fragments of at most 200 characters) quoted from the text."""

    def to_dict(self) -> dict:
        return {"name": self.name, "confidence": self.confidence, "evidence": list(self.evidence)}


@dataclass
class Suggestions:
    """Suggested tags by type, each list best (most confident) first."""

    fandoms: list[Suggestion] = field(default_factory=list)
    characters: list[Suggestion] = field(default_factory=list)
    relationships: list[Suggestion] = field(default_factory=list)
    rating: list[Suggestion] = field(default_factory=list)
    warnings: list[Suggestion] = field(default_factory=list)
    category: list[Suggestion] = field(default_factory=list)
    freeforms: list[Suggestion] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[dict]]:
        return {f.name: [s.to_dict() for s in getattr(self, f.name)] for f in fields(self)}
