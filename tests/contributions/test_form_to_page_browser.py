"""From the form to the live page, in headless Chromium: a new pole in Quimper proposed with the form, accepted
by a curator in the curators' pages, and its page shows its commune and region at once; a change suggested from
a pole's page, which the curator reviews as the old and the new value in words."""

from __future__ import annotations

import pytest

from tests.contributions.test_form_browser import Person
from tests.helpers.contributions import TOKEN, copy_data, curated_app
from tests.helpers.servers import CHROMIUM, serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by .ci/run"),
]
NEW_DESCRIPTION = "Une description nouvelle, proposée depuis la page du pôle."


def log_in(browser, base: str) -> None:
    """The curator logs in with their token."""
    browser.open(base + "/contributions/login?lang=fr")
    browser.eval("document.getElementById('token').focus()")
    browser.type(TOKEN)
    browser.click("form button[type=submit]")


def text(browser) -> str:
    return browser.eval("document.body.innerText")


def test_a_pole_proposed_by_form_is_live_with_its_commune_and_a_change_is_reviewed_in_words(tmp_path):
    from tests.helpers.browser import DESKTOP, PHONE, Browser

    data = copy_data(tmp_path)
    app = curated_app(tmp_path, data)
    with serve_in_thread(app) as base, Browser() as browser:
        # a coordinator describes a new pole in Quimper (not in the graph yet) and proposes it
        browser.open(base + "/contribute/pole?lang=fr", PHONE)
        person = Person(browser)
        person.type_in("Nom", "Pôle du Navigateur de Quimper")
        assert person.pick("Commune", "Quimper") == "Quimper (29232)"
        person.type_in("Organisation membre", "Atelier du Navigateur", 0)
        person.choose("Catégorie selon la loi", "entreprise de l'économie sociale et solidaire", 0)
        person.choose("Rôle", "Membre fondateur", 0)
        person.type_in("Sources", "https://www.pole-navigateur-quimper.fr/a-propos")
        person.click("#preview")
        person.click("#send")
        assert "Votre contribution n° 1 est enregistrée" in text(browser)
        # a curator accepts it in the curators' pages; the pole's page shows its commune and region at once
        log_in(browser, base)
        browser.click('a[href^="/contributions/1"]')
        browser.click('button[formaction="/contributions/1/accept"]')
        assert "acceptée" in browser.eval("document.querySelector('h1').innerText")
        browser.open(base + "/id/pole/pole-du-navigateur-de-quimper?lang=fr", DESKTOP)
        page = text(browser)
        assert "Pôle du Navigateur de Quimper" in page
        assert "Quimper" in browser.eval("document.querySelector('#profile').innerText")
        assert "Bretagne" in page and "Finistère" in page
        # a change suggested from a pole's page: the description replaced
        browser.open(base + "/doc/pole/coursive-boutaric?lang=fr", DESKTOP)
        old = browser.eval("document.querySelector('.profile .description').innerText").strip()
        browser.click(".suggest-change a")
        assert browser.eval("document.querySelector('textarea[name$=\"description\"]').value").strip()
        browser.eval(
            "(() => { const t = document.querySelector('textarea[name$=\"description\"]'); t.focus(); t.select(); return true; })()"
        )
        browser.type(NEW_DESCRIPTION)
        browser.click("#preview")
        browser.click("#send")
        assert "Votre contribution n° 2 est enregistrée" in text(browser)
        # the curator sees the old and the new value in words
        browser.open(base + "/contributions/2?lang=fr", PHONE)
        review = text(browser)
        assert "Description" in review and "→" in review and NEW_DESCRIPTION in review
        assert old[:40] in review
        assert browser.axe() == [] and browser.errors() == []
