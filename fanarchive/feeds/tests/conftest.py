"""The RFC 4287 schema every feed the tests fetch is checked against, and a way to fetch
one as a feed reader or e-reader app would."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from fanarchive.feeds.opds import ATOM, DC, OPDS, OPENSEARCH

SCHEMA = Path(__file__).parent / "schemas" / "atom.rnc"
NS = {"atom": ATOM, "opds": OPDS, "opensearch": OPENSEARCH, "dc": DC}

Fetch = Callable[..., etree._Element]


@pytest.fixture(scope="session")
def atom_schema(tmp_path_factory: pytest.TempPathFactory) -> etree.RelaxNG:
    """RFC 4287's RELAX NG schema, converted from its compact syntax with Debian's
    trang. Without trang the tests that need it skip, except under CI, where a skip
    would hide a broken setup."""
    trang = shutil.which("trang")
    if trang is None:
        message = "trang not installed: apt-get install -y trang"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    rng = tmp_path_factory.mktemp("schema") / "atom.rng"
    subprocess.run([trang, str(SCHEMA), str(rng)], check=True, capture_output=True, timeout=120)
    return etree.RelaxNG(etree.parse(str(rng)))


@pytest.fixture
def fetch(client, atom_schema: etree.RelaxNG) -> Fetch:
    """GET a feed anonymously, check it is well-formed Atom that RFC 4287's schema
    accepts, and return its root element."""

    def get(url: str, content_type: str = "application/atom+xml") -> etree._Element:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(content_type), response["Content-Type"]
        root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False))
        if not atom_schema.validate(root):
            raise AssertionError(f"{url} is not valid Atom: {atom_schema.error_log}")
        return root

    return get
