"""The kit and the submission: templates from the shapes that validate, review with preview, the inbox,
the rate limit and the quotas (429/507, in fr and en), and no curator route without curators."""

from __future__ import annotations

import io
import sqlite3

import pytest
from rdflib import Graph

from server import create_app
from server.contributions.kit import TEMPLATES
from tests.helpers.contributions import VALID_POLE, another_pole, filled_template

TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}


@pytest.fixture
def make_app(tmp_path):
    """Build an app with its own inbox (and any other settings)."""

    def make(**settings):
        return create_app({"TESTING": True, "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"), **settings})

    return make


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_template_is_commented_turtle_that_validates(client, name, lang):
    response = client.get(f"/contribute/templates/{name}.ttl?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.text
    assert ("[obligatoire]" if lang == "fr" else "[required]") in text
    assert len(Graph().parse(data=text, format="turtle")) > 5
    # as downloaded, its example values (« Nom », nom-du-pole, www.exemple.fr) are refused, and only they
    # (issue 19: the unchanged template could be proposed); filled in, it conforms
    report = client.post("/validate?lang=en", data=text.encode(), headers=TURTLE).get_json()
    assert report["status"] == "does-not-conform"
    assert {p["kind"] for p in report["problems"] if p["severity"] == "Violation"} == {"placeholder"}
    mine = filled_template(text, "pole-du-kit", "Pôle du kit")
    report = client.post("/validate?lang=en", data=mine.encode(), headers=TURTLE).get_json()
    assert report["status"] == "conforms", report["problems"]


def test_kit_page_lists_required_and_recommended_fields_from_the_shapes(client):
    page = client.get("/contribute?lang=fr").text
    for words in (
        "Obligatoire",
        "Recommandé",
        "rdfs:label",
        "dcterms:source",
        "org:role",
        "code INSEE",
        "IRI",
    ):
        assert words in page
    assert "Required" in client.get("/contribute?lang=en").text
    form = client.get("/validate?lang=fr").text
    assert "Charger un exemple" in form and "/contribute/templates/new-pole.ttl" in form
    assert 'formaction="/contribute/review' in form


def test_review_shows_the_report_the_preview_of_the_new_pages_and_the_form(client):
    page = client.post("/contribute/review?lang=fr", data={"text": VALID_POLE.decode()}).text
    assert "Le fichier est conforme." in page and "Aperçu des pages" in page
    assert "id/pole/la-fabrique-du-test" in page and '<iframe class="page-preview" sandbox' in page
    assert 'action="/contribute?format=html"' in page


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_submission_is_revalidated_and_stored_durably(make_app, tmp_path):
    app = make_app()
    client = app.test_client()
    broken = VALID_POLE.replace(b"role:partenaire", b"role:chef")
    refused = client.post("/contribute?lang=en", data=broken, headers=TURTLE)
    assert refused.status_code == 422 and refused.get_json()["report"]["status"] == "does-not-conform"
    empty = client.post("/contribute", data=b"", headers=TURTLE)
    assert empty.status_code == 422
    ok = client.post(
        "/contribute?name=Alice&email=alice@example.org&message=Bonjour", data=VALID_POLE, headers=TURTLE
    )
    assert ok.status_code == 201 and ok.headers["Location"] == f"/contributions/{ok.get_json()['id']}"
    db = sqlite3.connect(tmp_path / "inbox.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = db.execute("SELECT turtle, name, email, message, status FROM contribution").fetchone()
    assert row == (VALID_POLE, "Alice", "alice@example.org", "Bonjour", "pending")
    assert client.post("/contribute?email=not-an-address", data=VALID_POLE, headers=TURTLE).status_code == 400


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_rate_limit_answers_429_in_french_and_english(make_app):
    client = make_app(CONTRIBUTIONS_RATE_LIMIT="2 per minute").test_client()
    # distinct files: the same one twice is now refused as a duplicate (409) before any quota
    assert [
        client.post("/contribute", data=another_pole(n), headers=TURTLE).status_code for n in range(2)
    ] == [201] * 2
    fr = client.post("/contribute?lang=fr", data=another_pole(2), headers=TURTLE)
    en = client.post("/contribute?lang=en", data=another_pole(3), headers=TURTLE)
    assert fr.status_code == en.status_code == 429 and "Retry-After" in fr.headers
    assert "Trop de propositions" in fr.get_json()["message"]
    assert "Too many proposals" in en.get_json()["message"]


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_quotas_on_pending_count_and_bytes(make_app, tmp_path):
    client = make_app(CONTRIBUTIONS_MAX_PENDING=1).test_client()
    assert client.post("/contribute", data=VALID_POLE, headers=TURTLE).status_code == 201
    full = client.post("/contribute?lang=en", data=another_pole(1), headers=TURTLE)
    assert full.status_code == 429 and "inbox is full" in full.get_json()["message"]
    (tmp_path / "inbox.sqlite3").unlink()
    client = make_app(CONTRIBUTIONS_MAX_PENDING_BYTES=len(VALID_POLE) + 10).test_client()
    assert client.post("/contribute", data=VALID_POLE, headers=TURTLE).status_code == 201
    no_room = client.post("/contribute?lang=fr", data=another_pole(1), headers=TURTLE)
    assert no_room.status_code == 507 and "plus de place" in no_room.get_json()["message"]
    too_large = (
        make_app(MAX_CONTENT_LENGTH=100).test_client().post("/contribute", data=VALID_POLE, headers=TURTLE)
    )
    assert too_large.status_code == 413 and "limit" in too_large.get_json()["message"].replace(
        "limite", "limit"
    )


def test_no_curator_route_without_curators_and_curators_need_a_secret_key(client):
    for path in ("/contributions", "/contributions/login", "/contributions/1"):
        assert client.get(path).status_code == 404
    with pytest.raises(ValueError, match="SECRET_KEY"):
        create_app({"TESTING": True, "CURATORS": {"carol": "scrypt:x"}})


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_submissions_share_the_validators_limit_of_validations_at_once(make_app):
    app = make_app()
    admission = app.extensions["ptce.validations"]
    taken = [admission.enter() for _ in range(admission.slots)]
    admission.queue, admission.wait = 0, 0.01  # no room to wait either
    try:
        for path in ("/contribute?lang=en", "/contribute/review?lang=fr"):
            response = app.test_client().post(path, data=VALID_POLE, headers=TURTLE)
            assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 1
    finally:
        for _ in taken:
            admission.leave()
    assert app.test_client().post("/contribute", data=VALID_POLE, headers=TURTLE).status_code == 201


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_the_validator_report_of_a_conforming_upload_shows_the_preview_and_the_form(client):
    page = client.post("/validate?format=html", data={"text": VALID_POLE.decode(), "lang": "fr"}).text
    assert "Le fichier est conforme." in page and "Aperçu des pages" in page
    assert 'action="/contribute?format=html"' in page and "la-fabrique-du-test" in page
    upload = client.post(
        "/validate?format=html",
        data={"file": (io.BytesIO(VALID_POLE), "pole.ttl"), "lang": "en"},
    ).text
    assert "Preview of the pages" in upload and "Propose this file to the curators" in upload
    broken = client.post(
        "/validate?format=html", data={"text": VALID_POLE.decode().replace("role:partenaire", "role:chef")}
    ).text
    assert "Aperçu des pages" not in broken and 'action="/contribute' not in broken
