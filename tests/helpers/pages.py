"""Fixtures for the page and negotiation tests: an app and a live server over tests/data/pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from server import create_app
from tests.helpers.servers import serve_in_thread

PAGES_DATA = Path(__file__).parent.parent / "data" / "pages"
BASE = "https://w3id.org/ptce/"
CAFE = BASE + "id/pole/café-solidaire"
CAFE_PATH = "/id/pole/caf%C3%A9-solidaire"
CAFE_DOC = "/doc/pole/caf%C3%A9-solidaire"
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


@pytest.fixture(scope="session")
def pages_app():
    """The app over the small page-test dataset (IRIs with é and %20, hostile literals)."""
    return create_app({"TESTING": True, "DATA_DIRS": [str(PAGES_DATA)]})


@pytest.fixture
def pages_client(pages_app):
    """A test client for the page-test app."""
    return pages_app.test_client()


@pytest.fixture(scope="session")
def pages_live(pages_app) -> Iterator[str]:
    """A real threaded HTTP server over the page-test app; yields its base URL."""
    with serve_in_thread(pages_app) as base:
        yield base


def parse_body(response) -> Graph:
    """Parse an RDF response body with the parser its Content-Type names."""
    media_type = response.headers["Content-Type"].split(";")[0]
    return Graph().parse(data=response.get_data(as_text=True), format=RDF_PARSERS[media_type])
