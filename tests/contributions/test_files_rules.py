"""Files get the form's rules (issue 19): the templates' example values are refused by the validator (names,
IRIs, addresses), and a file identical to a pending or accepted contribution is refused with its number."""

from __future__ import annotations

import pytest

from server import create_app
from server.validator.placeholders import placeholder_iri, placeholder_name, placeholder_url, template_url
from tests.helpers.contributions import VALID_POLE, another_pole

TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
BASE = "https://w3id.org/ptce/"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    return create_app(
        {
            "TESTING": True,
            "CONTRIBUTIONS_DB": str(folder / "inbox.sqlite3"),
            "CONTRIBUTIONS_RATE_LIMIT": "1000 per hour",
        }
    )


def test_the_placeholder_lists_live_in_the_validator_and_the_form_refuses_more():
    assert placeholder_name("Nom du Pôle") and placeholder_name("NAME") and not placeholder_name("Nominoë")
    assert placeholder_iri(f"{BASE}id/pole/nom-du-pole", BASE)
    assert placeholder_iri(f"{BASE}id/membership/nom-du-pole--nom-de-l-organisation", BASE)
    assert not placeholder_iri(f"{BASE}id/pole/nom-du-pole-de-quimper", BASE)
    assert template_url("https://www.exemple.fr/page") and template_url("https://www.example.org/")
    assert not template_url("https://fabrique-du-test.example.org/")  # test files' fictitious poles
    assert placeholder_url("https://fabrique-du-test.example.org/")  # ... which the form refuses
    from server.contributions import form_values

    assert form_values.placeholder_url is placeholder_url
    assert form_values.PLACEHOLDER_SLUGS >= {"nom-du-pole", "nom-de-l-organisation"}


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (b'"La Fabrique du Test"@fr', b'"Nom"@fr', "« Nom » est le nom d'exemple du modèle"),
        (b"pole:la-fabrique-du-test", b"pole:nom-du-pole", "est celui du modèle"),
        (
            b"https://fabrique-du-test.example.org/>",
            b"https://www.exemple.fr/>",
            "l'adresse d'exemple du modèle",
        ),
    ],
)
def test_a_file_keeping_a_template_example_is_refused_in_words(app, old, new, words):
    client = app.test_client()
    turtle = VALID_POLE.replace(old, new)
    report = client.post("/validate?lang=fr", data=turtle, headers=TURTLE).get_json()
    assert report["status"] == "does-not-conform"
    placeholders = [p for p in report["problems"] if p["kind"] == "placeholder"]
    assert placeholders and all(p["severity"] == "Violation" and p["line"] for p in placeholders)
    assert any(words in p["message"] for p in placeholders), placeholders
    refused = client.post("/contribute?lang=fr", data=turtle, headers=TURTLE)
    assert refused.status_code == 422


def test_a_file_identical_to_a_pending_one_is_refused_with_its_number(app):
    client = app.test_client()
    first = client.post("/contribute", data=another_pole(7), headers=TURTLE)
    assert first.status_code == 201
    number = first.get_json()["id"]
    relaid = b"# the same statements, laid out otherwise\n" + another_pole(7).replace(b" ;\n    ", b" ;\n  ")
    for lang, words in (
        ("fr", f"c'est la contribution n° {number} (en attente)"),
        ("en", f"no. {number} (pending)"),
    ):
        again = client.post(f"/contribute?lang={lang}", data=relaid, headers=TURTLE)
        assert again.status_code == 409 and again.get_json()["id"] == number
        assert words in again.get_json()["message"]
    html = client.post(
        "/contribute?lang=fr", data=relaid, headers={"Content-Type": "text/turtle", "Accept": "text/html"}
    )
    assert html.status_code == 409 and f"n° {number}" in html.text
    assert client.post("/contribute", data=another_pole(8), headers=TURTLE).status_code == 201
