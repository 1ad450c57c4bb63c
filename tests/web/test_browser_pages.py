"""Pages rendered by headless Chromium: label, incoming links and a working map even when tiles fail."""

from __future__ import annotations

import os
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server import create_app
from tests.helpers.pages import CAFE_DOC, PAGES_DATA
from tests.helpers.servers import CHROMIUM, run_chromium, serve_in_thread

ARTEFACTS = Path(os.environ.get("PTCE_TEST_ARTEFACTS", Path(tempfile.gettempdir()) / "ptce-test-artefacts"))
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by .ci/run"),
]


@pytest.fixture(scope="module")
def offline_tiles_server():
    """A live server whose map tiles point to a closed port (the map must still show its points)."""
    app = create_app(
        {"TESTING": True, "DATA_DIRS": [str(PAGES_DATA)], "TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}
    )
    with serve_in_thread(app) as base:
        yield base


def chromium(url: str, *mode: str) -> str:
    """Run headless Chromium on a URL with a fresh profile; return stdout."""
    return run_chromium(url, *mode, budget_ms=5000)


class DomParser(HTMLParser):
    """Collect element classes by id and the text of the rendered DOM."""

    def __init__(self):
        super().__init__()
        self.classes: dict[str, str] = {}
        self.text: list[str] = []
        self.markers = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.classes[attrs["id"]] = attrs.get("class") or ""
        if "leaflet-marker-icon" in (attrs.get("class") or ""):
            self.markers += 1

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize(
    ("path", "label", "markers"),
    [
        (CAFE_DOC + ".html", "Café solidaire", 3),
        ("/doc/organisation/atelier.html", "L'Atelier", 1),
        ("/", "PTCE Graph", 2),
    ],
)
def test_page_renders_with_map_in_chromium(offline_tiles_server, path, label, markers):
    dom = DomParser()
    dom.feed(chromium(offline_tiles_server + path, "--dump-dom"))
    text = " ".join(dom.text)
    assert label in text
    assert "leaflet-container" in dom.classes.get("map", ""), "Leaflet did not start"
    assert "map-ready" in dom.classes.get("map", "")
    assert dom.markers >= markers
    if path != "/":
        assert "incoming" in dom.classes or "Liens entrants" in text
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"{path.strip('/').replace('/', '_') or 'home'}.png"
    chromium(offline_tiles_server + path, "--window-size=1200,1400", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000
