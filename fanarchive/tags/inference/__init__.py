"""Suggested tags: fandoms, characters, relationships, rating, warnings, category and
content notes inferred from a story's text with fandom packs and cue lexicons.

Rule- and data-driven, framework-free (no Django), nothing fetched at run time::

    tagger = Tagger(load_packs(SHIPPED_PACKS))
    suggestions = tagger.infer(text, given_fandoms=["Buffy the Vampire Slayer"])
    suggestions.to_dict()
"""

from fanarchive.tags.inference.model import Suggestion, Suggestions
from fanarchive.tags.inference.tagger import Tagger

__all__ = ["Suggestion", "Suggestions", "Tagger"]
