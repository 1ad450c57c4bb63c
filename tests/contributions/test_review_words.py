"""The curator's review in words (issue 19, item 5): a new pole with its values, a changed description, an
added and a removed member, a changed commune, in French and English; possible duplicates named; the page and
``ptce contributions show N`` say the same."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from werkzeug.security import generate_password_hash

from server import create_app
from server.cli import main as ptce
from server.contributions.review import review_in_words, text_lines
from server.dataset import get_store
from server.namespaces import ORG, SCHEMA
from tests.helpers.contributions import TOKEN, VALID_POLE, copy_data

BASE = "https://w3id.org/ptce/"
POLE = URIRef(f"{BASE}id/pole/coursive-boutaric")
LEFT = URIRef(f"{BASE}id/membership/coursive-boutaric--la-vapeur")
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix ptce: <https://w3id.org/ptce/ontology#> .
@prefix pole: <https://w3id.org/ptce/id/pole/> .
@prefix orga: <https://w3id.org/ptce/id/organisation/> .
@prefix ms: <https://w3id.org/ptce/id/membership/> .
@prefix role: <https://w3id.org/ptce/id/role/> .
@prefix commune: <https://w3id.org/ptce/id/commune/> .
"""
#: A change of La Coursive Boutaric: a new description, Quimper instead of Dijon, a founding member added.
CHANGE = (
    PREFIXES
    + """pole:coursive-boutaric dcterms:description "Une nouvelle description."@fr ;
    schema:location commune:29232 ;
    org:hasMembership ms:coursive-boutaric--la-ruche ;
    dcterms:source <https://www.la-coursive.fr/nouvelles> .
orga:la-ruche-de-test a org:Organization , ptce:ESSEnterprise ;
    rdfs:label "La Ruche de test"@fr ;
    schema:location commune:21231 ;
    dcterms:source <https://www.la-coursive.fr/nouvelles> .
ms:coursive-boutaric--la-ruche a org:Membership ;
    rdfs:label "La Ruche de test — membre fondateur de La Coursive Boutaric"@fr ;
    org:member orga:la-ruche-de-test ;
    org:organization pole:coursive-boutaric ;
    org:role role:membre-fondateur ;
    dcterms:source <https://www.la-coursive.fr/nouvelles> .
"""
)
#: A new pole named like an existing one (accents and case aside), another with an existing pole's website.
LOOKALIKES = (
    PREFIXES
    + """pole:la-coursive-bis a ptce:Pole ;
    rdfs:label "LA COURSIVE boutaric"@fr ;
    schema:location commune:21231 ;
    dcterms:source <https://www.la-coursive.fr/le-lieu> .
pole:un-autre-nom a ptce:Pole ;
    rdfs:label "Un tout autre nom"@fr ;
    schema:url <http://la-coursive.fr/> ;
    schema:location commune:21231 ;
    dcterms:source <https://www.la-coursive.fr/le-lieu> .
"""
)


def plain(text: str) -> str:
    """Narrow and ordinary no-break spaces as spaces (French typography aside)."""
    return re.sub(r"[\u202f\u00a0]", " ", text)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app over a copy of data/, with one curator and its own inbox."""
    folder = tmp_path_factory.mktemp("words")
    return create_app(
        {
            "TESTING": True,
            "DATA_DIRS": [str(copy_data(folder))],
            "CONTRIBUTIONS_DB": str(folder / "inbox.sqlite3"),
            "CONTRIBUTIONS_RATE_LIMIT": "1000 per hour",
            "CURATORS": {"carol": generate_password_hash(TOKEN)},
            "SECRET_KEY": "test secret: at least 32 characters long",
        }
    )


def words(app, turtle: str | bytes, removed: list[tuple], lang: str) -> list[str]:
    """The review in words as lines of text."""
    with app.app_context():
        store = get_store()
        live = store.rdflib_graph(("data", "ontology"))
        data = Graph().parse(data=turtle, format="turtle", publicID=BASE)
        review = review_in_words(data, live, removed, store.rdflib_graph(("shapes",)), BASE, lang)
    return [plain(line) for line in text_lines(review, lang)]


def change_removals(app) -> list[tuple]:
    """What the change takes away: the old description and commune, and La Vapeur's membership."""
    with app.app_context():
        live = get_store().rdflib_graph(("data",))
    removed = [(POLE, p, o) for p in (DCTERMS.description, SCHEMA.location) for o in live.objects(POLE, p)]
    return removed + [(POLE, ORG.hasMembership, LEFT), *live.triples((LEFT, None, None))]


def test_a_new_pole_in_words_in_french_and_english(app):
    french, english = words(app, VALID_POLE, [], "fr"), words(app, VALID_POLE, [], "en")
    assert (
        "  Nouveau pôle : La Fabrique du Test  <https://w3id.org/ptce/id/pole/la-fabrique-du-test>" in french
    )
    assert "    Nom : « La Fabrique du Test » ; « The Test Factory » (en)" in french
    assert "    Description : « Pôle fictif servant aux tests du validateur. »" in french
    assert "    Année de création : 2016" in french
    assert "    Commune : Saint-Laurent-en-Royans" in french
    assert "    Secteurs d'activité : Culture" in french
    assert "    Membres : L'Atelier du Test (structure porteuse) ; Le Labo de l’ESS (partenaire)" in french
    assert (
        "  Nouvelle organisation : L'Atelier du Test  <https://w3id.org/ptce/id/organisation/atelier-du-test>"
        in (french)
    )
    assert "Sources données : https://fabrique-du-test.example.org/a-propos" in french
    assert "  New pole: The Test Factory  <https://w3id.org/ptce/id/pole/la-fabrique-du-test>" in english
    assert "    Members: L'Atelier du Test (lead organisation); Le Labo de l’ESS (partner)" in english
    assert "    Town (commune): Saint-Laurent-en-Royans" in english
    assert not any("ptce:" in line or "xsd:" in line or "rdfs:" in line for line in french + english)


def test_a_change_in_words_old_and_new_values_members_added_and_removed(app):
    removed = change_removals(app)
    french, english = words(app, CHANGE, removed, "fr"), words(app, CHANGE, removed, "en")
    assert (
        "  Pôle modifié : La Coursive Boutaric  <https://w3id.org/ptce/id/pole/coursive-boutaric>" in french
    )
    description = next(line for line in french if line.startswith("    Description : "))
    assert description.startswith("    Description : « Association (loi 1901) fondée le 2 décembre 2010")
    assert description.endswith(" » → « Une nouvelle description. »")
    assert "    Commune : Dijon → Quimper" in french
    assert "    Membre ajouté : La Ruche de test (membre fondateur)" in french
    assert "    Membre retiré : La Vapeur (membre)" in french
    assert "    Sources (ajout) : https://www.la-coursive.fr/nouvelles" in french
    assert (
        "  Nouvelle organisation : La Ruche de test  <https://w3id.org/ptce/id/organisation/la-ruche-de-test>"
        in (french)
    )
    assert (
        "  Pole changed: La Coursive Boutaric  <https://w3id.org/ptce/id/pole/coursive-boutaric>" in english
    )
    assert "    Town (commune): Dijon → Quimper" in english
    assert "“Une nouvelle description.” (fr)" in next(line for line in english if "Description:" in line)
    assert "    Member added: La Ruche de test (founding member)" in english
    assert "    Member removed: La Vapeur (member)" in english
    assert not any("Membership" in line or "Adhésion" in line for line in french + english)  # folded in


def test_possible_duplicates_are_named_by_name_or_website(app):
    french, english = words(app, LOOKALIKES, [], "fr"), words(app, LOOKALIKES, [], "en")
    assert (
        "  « LA COURSIVE boutaric » porte le même nom que « La Coursive Boutaric », déjà dans le graphe."
        in (french)
    )
    assert (
        "  “Un tout autre nom” has the same website (http://la-coursive.fr/) as “La Coursive Boutaric”, "
        "already in the graph." in english
    )
    assert "Doublons possibles : aucun" in " ".join(words(app, VALID_POLE, [], "fr"))


def page(app, number: int, lang: str) -> str:
    """The curator's page (HTML)."""
    response = app.test_client().get(
        f"/contributions/{number}?lang={lang}",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "text/html"},
    )
    assert response.status_code == 200
    return response.text


def words_section(text: str) -> str:
    """The text of the review in words on the page."""
    import html

    found = re.search(r'<section class="words".*?</section>\s*(?=<section class="touched">)', text, re.DOTALL)
    return plain(html.unescape(re.sub(r"<[^>]+>", "", found.group())))


def test_the_page_and_the_cli_say_the_same(app, runner, tmp_path):
    client = app.test_client()
    number = client.post("/contribute", data=LOOKALIKES, headers=TURTLE).get_json()["id"]
    french = page(app, number, "fr")
    shown = words_section(french)
    assert "Ce qui change, en mots" in shown and "Nouveau pôle : LA COURSIVE boutaric" in shown
    assert "porte le même nom que « La Coursive Boutaric »" in shown
    assert "Résultat de la validation, contre le graphe tel qu'il est maintenant" in shown
    assert "conforme (0 violation, 1 avertissement)" in shown  # the validator's warning: same name and town
    assert '<a href="https://www.la-coursive.fr/le-lieu">https://www.la-coursive.fr/le-lieu</a>' in french
    assert '<details class="raw"' in french and french.index('<section class="words"') < french.index(
        '<details class="raw"'
    )
    assert "Doublons possibles" in shown and "What changes" in page(app, number, "en")
    env = {"PTCE_CONTRIBUTIONS_DB": app.config["CONTRIBUTIONS_DB"]}
    data = app.config["DATA_DIRS"][0]
    for lang in ("fr", "en"):
        result = runner.invoke(
            ptce, ["contributions", "show", str(number), "--lang", lang, "--data", data], env=env
        )
        assert result.exit_code == 0, result.output
        printed = [plain(line) for line in result.output.splitlines()]
        expected = words(app, LOOKALIKES, [], lang)
        start = printed.index(expected[0])
        assert printed[start : start + len(expected)] == expected
        status = "conforme" if lang == "fr" else "conforms"
        assert any(line.startswith(("Résultat", "Validation result")) and status in line for line in printed)


def test_the_cli_escapes_control_characters_of_the_contribution(app, runner):
    sneaky = PREFIXES + (
        'pole:pole-sournois a ptce:Pole ; rdfs:label "Pôle\\u001b]0;pwned\\u0007 sournois"@fr ;\n'
        "    schema:location commune:21231 ; dcterms:source <https://sournois.example.org/> .\n"
    )
    from server.contributions.inbox import Inbox

    number = Inbox(app.config["CONTRIBUTIONS_DB"]).add(sneaky.encode(), {"status": "does-not-conform"})
    env = {"PTCE_CONTRIBUTIONS_DB": app.config["CONTRIBUTIONS_DB"]}
    result = runner.invoke(
        ptce, ["contributions", "show", str(number), "--data", app.config["DATA_DIRS"][0]], env=env
    )
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\u001b]0;pwned\\u0007" in result.output


def test_revert_with_dependants_offers_the_checkbox_and_the_409_says_how(app):
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    pole = VALID_POLE.replace(b"la-fabrique-du-test", b"la-fabrique-du-revert")
    first = client.post("/contribute", data=pole, headers=TURTLE).get_json()["id"]
    later = PREFIXES + (
        'pole:la-fabrique-du-revert dcterms:description "Described later."@en ;\n'
        "    dcterms:source <https://www.la-coursive.fr/le-lieu> .\n"
    )
    second = client.post("/contribute", data=later, headers=TURTLE).get_json()["id"]
    for number in (first, second):
        assert client.post(f"/contributions/{number}/accept", headers=bearer).status_code == 200
    shown = page(app, first, "fr")
    assert 'name="cascade" value="1"' in shown and "Annuler aussi les contributions qui en dépendent" in shown
    assert "Also revert the contributions that depend on it" in page(app, first, "en")
    refused = client.post(
        f"/contributions/{first}/revert?lang=fr",
        headers={**bearer, "Accept": "text/html"},
        data={"comment": "x"},
    )
    assert refused.status_code == 409
    text = plain(refused.text)
    assert "cochez « Annuler aussi les contributions qui en dépendent »" in text
    assert f"ptce contributions revert {first} --with-dependants" in text
    assert (
        f'href="/contributions/{second}?lang=fr"' in text
        and f'href="/contributions/{first}?lang=fr#decide"' in text
    )
    json_answer = {**bearer, "Accept": "application/json"}
    both = client.post(f"/contributions/{first}/revert", headers=json_answer, data={"cascade": "1"})
    assert both.status_code == 200 and both.get_json()["status"] == "reverted"
    assert client.get(f"/contributions/{second}", headers=json_answer).get_json()["status"] == "reverted"


def test_a_change_sent_with_its_removals_shows_old_and_new_values_on_the_page_and_in_the_cli(app, runner):
    from server.validator.removals import n_triples

    removed = change_removals(app)
    sent = app.test_client().post(
        "/contribute",
        data={"text": CHANGE, "removals": n_triples(removed)},
        headers={"Accept": "application/json"},
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)[:3000]
    number = sent.get_json()["id"]
    for lang, expected in (
        ("fr", ("Commune : Dijon → Quimper", "Membre retiré : La Vapeur (membre)", "→ « Une nouvelle")),
        ("en", ("Town (commune): Dijon → Quimper", "Member removed: La Vapeur (member)", "→ “Une nouvelle")),
    ):
        shown = words_section(page(app, number, lang))
        assert all(text in shown for text in expected), shown
        env = {"PTCE_CONTRIBUTIONS_DB": app.config["CONTRIBUTIONS_DB"]}
        data = app.config["DATA_DIRS"][0]
        result = runner.invoke(
            ptce, ["contributions", "show", str(number), "--lang", lang, "--data", data], env=env
        )
        printed = [plain(line) for line in result.output.splitlines()]
        expected_lines = words(app, CHANGE, removed, lang)
        start = printed.index(expected_lines[0])
        assert printed[start : start + len(expected_lines)] == expected_lines


def test_a_large_file_tells_changes_first_and_counts_the_new_resources_past_the_limit(app):
    from server.contributions.review import NEW_IN_WORDS

    organisations = "".join(
        f'orga:grande-{n:03d} a org:Organization , ptce:ESSEnterprise ; rdfs:label "Grande {n}"@fr ;\n'
        "    schema:location commune:21231 ; dcterms:source <https://www.la-coursive.fr/le-lieu> .\n"
        for n in range(NEW_IN_WORDS + 7)
    )
    turtle = PREFIXES + organisations + CHANGE.removeprefix(PREFIXES)
    french = words(app, turtle, change_removals(app), "fr")
    titles = [line for line in french if line.startswith("  ") and not line.startswith("    ")]
    assert titles[0].startswith("  Pôle modifié : La Coursive Boutaric")
    assert (
        f"  … et {8} autres nouvelles ressources, non décrites ici (toutes figurent dans les triplets)."
        in (french)
    )
