"""The browser harness itself: it drives today's Debian Chromium, and a start that fails leaves no browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.servers import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by .ci/run"),
]


def _chromium_processes() -> set[int]:
    found = set()
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            command = (folder / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if command.endswith((b"chromium", b"chromedriver", b"chrome")):
            found.add(int(folder.name))
    return found


def test_a_failed_start_closes_its_browser(monkeypatch):
    from tests.helpers import browser

    before = _chromium_processes()

    def broken(self, method, **params):
        raise RuntimeError("DevTools refused")

    monkeypatch.setattr(browser.Browser, "send", broken)
    with pytest.raises(RuntimeError, match="DevTools refused"):
        browser.Browser()
    assert _chromium_processes() - before == set()


def test_a_page_is_driven_and_its_requests_and_errors_recorded(tmp_path):
    from tests.helpers.browser import PHONE, Browser

    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><meta name=viewport content=\"width=device-width\"><title>t</title><input id=i><script>console.error('boom')</script>",
        encoding="utf-8",
    )
    with Browser() as chromium:
        chromium.open(page.as_uri(), PHONE)
        assert chromium.eval("window.innerWidth") == 390
        assert any(url.endswith("page.html") for url in chromium.requests)
        chromium.eval("document.getElementById('i').focus()")
        chromium.type("Quimper")
        assert chromium.eval("document.getElementById('i').value") == "Quimper"
        assert any("boom" in error for error in chromium.errors())
