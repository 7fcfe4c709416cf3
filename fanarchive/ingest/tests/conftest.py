import os
import shutil

import pytest


@pytest.fixture
def calibre() -> None:
    """For tests that convert through the real calibre: skipped with the reason where it
    is not installed, but failed in CI, where a skip would hide a broken setup."""
    if shutil.which("ebook-convert") and shutil.which("web2disk"):
        return
    message = "calibre's ebook-convert and web2disk are not installed (apt-get install calibre)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
