"""Every page type in headless Chromium at phone (390 px) and desktop widths: the profile first, in words,
citations with titles, WCAG 2.1 AA (axe-core, 0 violations), no request to another host, the map's outline
drawn, the language kept from page to page, and keyboard use of the map and the search."""

from __future__ import annotations

import os
import re
import tempfile
from itertools import groupby
from pathlib import Path

import pytest

from server import create_app
from tests.helpers.browser import DESKTOP, PHONE, Browser
from tests.helpers.servers import CHROMIUM, serve_in_thread

ARTEFACTS = Path(os.environ.get("PTCE_TEST_ARTEFACTS", Path(tempfile.gettempdir()) / "ptce-test-artefacts"))
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by .ci/run"),
]
#: One page of each type (and the site's other pages), with the facts its profile shows, in order.
PAGES = {
    "pole": (
        "/doc/pole/coursive-boutaric?lang=fr",
        [
            "place_Commune",
            "place_Intercommunalite",
            "place_Departement",
            "place_Region",
            "founded",
            "legal_form",
            "website",
            "members",
            "awards",
            "recognitions",
            "figures",
            "sectors",
            "characteristics_editorial",
        ],
    ),
    "organisation": ("/doc/organisation/zutique-productions?lang=fr", ["category", "member_of"]),
    "territory": ("/doc/region/27?lang=fr", ["insee", "poles_here"]),
    "call": ("/doc/call/aap-ptce-2013?lang=en", ["year", "launched", "budget", "funders", "laureates"]),
    "characteristic": ("/doc/characteristic/decloisonnement?lang=fr", ["poles_here"]),
    "sector": ("/doc/sector/culture?lang=en", ["poles_here"]),
    "award": (
        "/doc/award/aap-ptce-2015--eco-domaine-pays-d-auge?lang=fr",
        ["call", "funded", "date", "amount"],
    ),
    "home": ("/?lang=fr", []),
    "sparql": ("/sparql?lang=fr", []),
    "validator": ("/validate?lang=en", []),
    "ontology": ("/ontology.html?lang=fr", []),
    "dataset": ("/void.html?lang=en", []),
    "shapes": ("/shapes.html?lang=fr", []),
    "named-graph": ("/graph/classification?lang=en", []),
    "not-found": ("/id/pole/nope?lang=fr", []),
}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
FACT_KEYS = """Array.from(document.querySelectorAll('#profile .fact')).map(f =>
  Array.from(f.classList).find(c => c.startsWith('fact-')).slice(5))"""


@pytest.fixture(scope="module")
def site():
    """The app over the project's data on a live server, with no tile server configured (the default)."""
    with serve_in_thread(create_app({"TESTING": True})) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module."""
    with Browser() as chromium:
        yield chromium


def text_of(browser: Browser, selector: str) -> str:
    """Return the visible text of the first element matching a selector ('' if none)."""
    return browser.eval(f"(document.querySelector({selector!r}) || {{innerText: ''}}).innerText")


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("kind", PAGES, ids=list(PAGES))
def test_page_is_accessible_local_and_fits(site, browser, kind, size):
    path, facts = PAGES[kind]
    browser.requests.clear()
    browser.open(site + path, SIZES[size])
    violations = browser.axe()
    assert violations == [], violations
    errors = [e for e in browser.errors() if not (kind == "not-found" and "404" in e)]
    assert errors == [], errors
    browser.console.clear()
    foreign = [u for u in browser.requests if not u.startswith(site) and not u.startswith(("data:", "blob:"))]
    assert foreign == [], foreign
    width = SIZES[size][0]
    assert browser.eval("document.documentElement.scrollWidth") <= width, "the page is wider than the screen"
    assert [key for key, _ in groupby(browser.eval(FACT_KEYS))] == facts  # members: one fact per role
    if browser.eval("!!document.getElementById('map')"):
        classes = browser.eval("document.getElementById('map').className")
        assert "map-ready" in classes and "outline-drawn" in classes
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(ARTEFACTS / f"profile-{kind}-{size}.png")


def test_pole_profile_reads_as_words_with_sources(site, browser):
    browser.open(site + PAGES["pole"][0], PHONE)
    profile = text_of(browser, "#profile")
    assert "2 décembre 2010" in profile and "Association loi 1901" in profile
    assert "Zutique Productions" in profile and "autre entreprise" in profile  # member with its category
    assert "Membre fondateur" in profile  # grouped by role
    assert "10 janvier 2014" in profile and "Fabrique de territoire" in profile
    assert "4\u202f000\u202f000" in profile  # figures with French thousands separators
    assert not re.search(r"@fr|@en|\bgYear\b|xsd:|\^\^|\b2010-12-02\b", profile)
    assert "lecture éditoriale" in profile.lower()
    assert browser.eval("document.querySelectorAll('.profile .description').length") == 1
    description = text_of(browser, ".profile .description")[:60]
    assert browser.eval("document.body.innerText").count(description) == 1, "the description is repeated"
    statements = text_of(browser, "#statements")
    assert "Zutique Productions" not in statements and "Association loi 1901" not in statements
    citations = browser.eval(
        "Array.from(document.querySelectorAll('ol.citations li')).map(li => li.querySelector('cite').innerText)"
    )
    assert citations and all(len(c) > 3 for c in citations)
    assert "Ville de Dijon" in citations and any("Labo de l" in c for c in citations)
    assert all(not re.fullmatch(r"[\w,-]+", c) for c in citations), "a citation is a bare slug"
    assert browser.eval("document.querySelectorAll('#profile a.cite').length") >= 3  # facts cite sources


def test_home_says_how_many_poles_are_located_and_lists_the_others(site, browser):
    browser.open(site + "/?lang=fr", PHONE)
    located = text_of(browser, "#located-count")
    assert re.fullmatch(r"\d+ pôles sur \d+ localisés sur la carte", located.strip())
    shown, total = map(int, re.findall(r"\d+", located))
    others = browser.eval("document.querySelectorAll('#unlocated li').length")
    assert shown + others == total and 0 < shown < total
    assert browser.eval("document.querySelectorAll('.leaflet-marker-icon').length") == shown
    assert browser.eval("document.querySelectorAll('#map path').length") >= 1  # the outline
    # the borders between regions, dashed, drawn over the land (the last path of the outline layer)
    last = "Array.from(document.querySelectorAll('#map path')).pop().getAttribute('stroke-dasharray')"
    assert browser.eval(last) == "3 3"


def test_language_is_kept_after_two_clicks(site, browser):
    browser.open(site + "/doc/pole/coursive-boutaric?lang=en", DESKTOP)
    browser.click(".fact-place_Commune a")
    assert browser.eval("document.documentElement.lang") == "en"
    browser.click(".fact-poles_here a")
    assert browser.eval("document.documentElement.lang") == "en"
    assert "Founded" in text_of(browser, "#profile")
    browser.click("a[href^='/sparql']")
    assert browser.eval("document.documentElement.lang") == "en"
    browser.open(site + "/?lang=fr", DESKTOP)  # back to French for the other tests


def test_search_by_keyboard_says_when_nothing_matches(site, browser):
    browser.open(site + "/?lang=fr", DESKTOP)
    browser.eval("document.getElementById('pole-search').focus()")
    browser.send("Input.insertText", text="zzzz")
    browser.settle()
    assert text_of(browser, "#search-status") == "Aucun pôle ne correspond à «\u202fzzzz\u202f»."
    browser.eval("(() => { const i = document.getElementById('pole-search'); i.value = ''; })()")
    browser.send("Input.insertText", text="dijon")
    browser.settle()
    assert "correspondent" in text_of(browser, "#search-status")
    others = text_of(browser, "#search-others-section")
    assert "Dijon" in others and "commune" in others  # from /search.json


def test_map_markers_are_reached_and_opened_with_the_keyboard(site, browser):
    browser.open(site + "/doc/region/27?lang=fr", DESKTOP)
    assert browser.eval("document.getElementById('map').tabIndex") == 0  # arrows pan, +/- zoom
    marker = "document.querySelector('.leaflet-marker-icon')"
    assert browser.eval(f"{marker}.tabIndex") == 0 and browser.eval(f"{marker}.title")
    browser.eval(f"{marker}.focus()")
    with browser.navigation():
        browser.key("Enter", "\r")
    assert "/doc/pole/" in browser.eval("location.pathname")
