import pytest

from fanarchive.lib import wordcount
from fanarchive.lib.codepoints import word_characters


@pytest.fixture(autouse=True, scope="session")
def _code_point_tables() -> None:
    """Builds the tables made once a process before any test runs: hypothesis's
    deadline would otherwise charge the build to the first example of a property."""
    word_characters()
    wordcount._classes()
