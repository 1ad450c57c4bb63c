"""The curator's review in words in headless Chromium at 390 px and 1366 px: the old and the new value in words,
axe-core finds nothing, nothing scrolls sideways (long IRIs wrap), no console error; the triples and the Turtle
one click away."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from server import create_app
from tests.helpers.contributions import CHANGE_DIJON, TOKEN, VALID_POLE, copy_data
from tests.helpers.servers import CHROMIUM, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by .ci/run"),
]
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
#: A long IRI that must wrap rather than widen the page.
WIDE = (1366, 900, False)
LONG = VALID_POLE.replace(b"la-fabrique-du-test", b"la-fabrique-du-test-" + b"tres-long-" * 12)


def test_the_review_in_words_fits_a_phone_and_a_desktop(tmp_path):
    from tests.helpers.browser import PHONE, Browser

    app = create_app(
        {
            "TESTING": True,
            "DATA_DIRS": [str(copy_data(tmp_path))],
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
            "CURATORS": {"carol": generate_password_hash(TOKEN)},
            "SECRET_KEY": "browser test: a secret of at least 32 characters",
        }
    )
    client = app.test_client()
    changed = client.post("/contribute", data=CHANGE_DIJON, headers=TURTLE).get_json()["id"]
    new = client.post("/contribute", data=LONG, headers=TURTLE).get_json()["id"]
    with serve_in_thread(app) as base, Browser() as browser:
        browser.open(base + "/contributions/login?lang=fr")
        browser.eval(f"(() => {{ document.getElementById('token').value = {TOKEN!r}; return true; }})()")
        browser.click("form button[type=submit]")
        for size in (PHONE, WIDE):
            for number, expected in ((changed, "Latitude\u202f: 47,33187 → 47,3222"), (new, "Nouveau pôle")):
                browser.open(f"{base}/contributions/{number}?lang=fr", size)
                words = browser.eval("document.querySelector('section.words').innerText")
                assert expected in words, words
                widths = browser.eval(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                assert widths[0] <= widths[1], (size, number, widths)
                assert browser.axe() == [], (size, number)
                assert browser.eval("document.querySelector('details.raw').open") is False
                assert "Différences avec le graphe" not in browser.eval("document.body.innerText")
                browser.eval(
                    "(() => { document.querySelector('details.raw summary').click(); return true; })()"
                )
                assert "Différences avec le graphe" in browser.eval("document.body.innerText")
                widths = browser.eval(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                assert widths[0] <= widths[1], ("opened", size, number, widths)
        assert browser.errors() == []
