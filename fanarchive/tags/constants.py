"""AO3's fixed tag values, free of Django so importers can use them anywhere."""

# The values AO3 fixes; they exist from the first migration and are always canonical.
NOT_RATED = "Not Rated"
GENERAL = "General Audiences"
TEEN = "Teen And Up Audiences"
MATURE = "Mature"
EXPLICIT = "Explicit"
RATINGS = [NOT_RATED, GENERAL, TEEN, MATURE, EXPLICIT]
# Readers see the text of works with these ratings without agreeing to adult content.
SAFE_RATINGS = frozenset({GENERAL, TEEN})

CHOSE_NOT_TO_WARN = "Creator Chose Not To Use Archive Warnings"
NO_WARNINGS = "No Archive Warnings Apply"
GRAPHIC_VIOLENCE = "Graphic Depictions Of Violence"
MAJOR_CHARACTER_DEATH = "Major Character Death"
NONCON = "Rape/Non-Con"
UNDERAGE = "Underage Sex"
ARCHIVE_WARNINGS = [
    CHOSE_NOT_TO_WARN,
    NO_WARNINGS,
    GRAPHIC_VIOLENCE,
    MAJOR_CHARACTER_DEATH,
    NONCON,
    UNDERAGE,
]
CATEGORIES = ["Gen", "F/M", "M/M", "F/F", "Multi", "Other"]
