"""The pole form in headless Chromium, used as a person would: fields found by their French labels, text typed
with key events, the commune and a member picked from suggestions, preview, propose; axe-core finds nothing at
390 px and 1366 px, nothing scrolls sideways on a phone, no console error."""

from __future__ import annotations

import json
import time

import pytest

from server import create_app
from tests.helpers.contributions import copy_data
from tests.helpers.servers import CHROMIUM, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by .ci/run"),
]
WIDE = (1366, 900, False)


class Person:
    """Drives the form through its labels and counts the actions (typing a field, a pick, a click)."""

    def __init__(self, browser):
        self.browser, self.actions = browser, 0

    def focus(self, label: str, nth: int = 0) -> None:
        """Focus the field whose <label> reads ``label`` (the nth one, for member rows)."""
        script = f"""(() => {{
            const labels = [...document.querySelectorAll('label')]
                .filter(l => l.textContent.replace(/\\s*\\((obligatoire|facultatif)\\)\\s*$/, '').trim() === {json.dumps(label)});
            const field = document.getElementById(labels[{nth}].htmlFor);
            field.focus();
            return document.activeElement === field;
        }})()"""
        assert self.browser.eval(script), label

    def type_in(self, label: str, text: str, nth: int = 0) -> None:
        """Type into a field found by its label."""
        self.focus(label, nth)
        self.browser.type(text)
        self.actions += 1

    def pick(self, label: str, text: str, nth: int = 0) -> str:
        """Type into a picker, wait for its suggestions, take the first with the keyboard; return its text."""
        self.type_in(label, text, nth)
        count = self.browser.eval(
            "(async () => { for (let i = 0; i < 50; i++) { const id = document.activeElement.getAttribute('aria-controls');"
            " const n = id ? document.getElementById(id).querySelectorAll('[role=option]').length : 0;"
            " if (n) return n; await new Promise(r => setTimeout(r, 100)); } return 0; })()"
        )
        assert count, f"no suggestion for {text}"
        self.browser.key("ArrowDown")
        self.browser.key("Enter", "\r")
        self.actions += 1
        return self.browser.eval("document.activeElement.value")

    def choose(self, label: str, option: str, nth: int = 0) -> None:
        """Choose an option of a drop-down list by its text."""
        self.focus(label, nth)
        assert self.browser.eval(
            f"(() => {{ const s = document.activeElement; const o = [...s.options].find(o => o.text === {json.dumps(option)});"
            " s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return s.value !== ''; })()"
        ), option
        self.actions += 1

    def tick(self, text: str) -> None:
        """Tick the checkbox whose label reads ``text``."""
        assert self.browser.eval(
            f"(() => {{ const l = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === {json.dumps(text)});"
            " l.click(); return document.getElementById(l.htmlFor).checked; })()"
        )
        self.actions += 1

    def click(self, selector: str) -> None:
        """Click a button that loads a new page."""
        self.browser.click(selector)
        self.actions += 1


def fits(browser) -> None:
    assert browser.axe() == []
    assert browser.eval("document.documentElement.scrollWidth") <= browser.eval("window.innerWidth")


def test_a_new_pole_with_two_members_by_the_form(tmp_path):
    from tests.helpers.browser import PHONE, Browser

    data = copy_data(tmp_path)
    app = create_app(
        {"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    )
    with serve_in_thread(app) as base, Browser() as browser:
        browser.open(base + "/contribute/pole?lang=fr", WIDE)
        assert browser.axe() == []
        browser.open(base + "/?lang=fr", PHONE)  # the way in, from the home page
        person = Person(browser)
        started = time.monotonic()
        person.click('a[href="/contribute/pole?lang=fr"]')
        assert browser.eval("window.innerWidth") == 390
        fits(browser)
        person.type_in("Nom", "Pôle des Essais de Quimper")
        person.type_in("Description", "Un pôle culturel de Quimper, pour les tests du formulaire.")
        person.type_in("Site web", "https://www.pole-essais-quimper.fr/")
        person.type_in("Année de création", "2019")
        assert person.pick("Commune", "29000") == "Quimper (29232)"
        person.tick("Culture")
        assert person.pick("Organisation membre", "Labo de l", 0) == "Le Labo de l’ESS"
        assert browser.eval("document.querySelector('input[name=\"member-0-iri\"]').value").endswith(
            "/labo-ess"
        )
        person.choose("Rôle", "Membre", 0)
        person.type_in("Organisation membre", "Atelier Quimpérois", 1)
        person.choose("Catégorie selon la loi", "entreprise de l'économie sociale et solidaire", 1)
        person.choose("Rôle", "Membre fondateur", 1)
        person.type_in("Sources", "https://www.pole-essais-quimper.fr/a-propos")
        fits(browser)  # with the suggestions closed and the fields filled
        person.click("#preview")
        page = browser.eval("document.body.innerText")
        assert "La description est complète et conforme" in page, page[:3000]
        assert "Quimper (29232)" in page and "Atelier Quimpérois" in page
        fits(browser)
        person.click("#send")
        elapsed = time.monotonic() - started
        assert "Votre contribution n° 1 est enregistrée" in browser.eval("document.body.innerText")
        assert browser.errors() == []
        print(f"\nform: {person.actions} actions, {elapsed:.1f} s in Chromium")  # the closing note's count
        assert person.actions == 17


def test_add_and_remove_members_and_messages_at_both_widths(tmp_path):
    from tests.helpers.browser import PHONE, Browser

    data = copy_data(tmp_path)
    app = create_app(
        {"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    )
    with serve_in_thread(app) as base, Browser() as browser:
        browser.open(base + "/contribute/pole?lang=fr", PHONE)
        assert browser.eval("document.querySelectorAll('fieldset.member').length") == 2
        browser.eval("document.getElementById('add-member').click(); true")
        assert browser.eval("document.querySelectorAll('fieldset.member').length") == 3
        assert browser.eval("document.activeElement.id") == "f-member-2-name"
        assert browser.eval("document.querySelector('#member-2 legend').textContent") == "Membre 3"
        browser.eval("document.querySelector('#member-1 .remove-member button').click(); true")
        assert browser.eval("[...document.querySelectorAll('fieldset.member')].map(f => f.id).join()") == (
            "member-0,member-1"
        )
        fits(browser)
        browser.click("#preview")  # nothing filled in: the messages, next to the fields, in words
        text = browser.eval("document.body.innerText")
        assert "Indiquez le nom du pôle." in text and "Indiquez au moins une source du pôle." in text
        assert browser.eval("document.activeElement.id") == "form-errors"
        fits(browser)
        browser.open(base + "/contribute/pole?edit=culture-et-cooperation&lang=en", WIDE)
        assert "Suggest a change: Culture & Coopération" in browser.eval(
            "document.querySelector('h1').innerText"
        )
        assert browser.axe() == []
        assert browser.errors() == []
