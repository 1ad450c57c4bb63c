"""Curator pages: credentials, CSRF, escaping of every contributed field, and decisions going live."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from server import create_app
from tests.helpers.contributions import VALID_POLE, copy_data

TOKEN = "curator-token-0123456789"
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app(tmp_path):
    """An app over a copy of data/, with one curator."""
    data = copy_data(tmp_path)
    return create_app(
        {
            "TESTING": True,
            "DATA_DIRS": [str(data)],
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
            "CURATORS": {"carol": generate_password_hash(TOKEN)},
            "SECRET_KEY": "test secret: at least 32 characters long",
        }
    )


def csrf(page: str) -> str:
    """The CSRF token of a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def logged_in(app):
    """A client with a curator session."""
    client = app.test_client()
    token = csrf(client.get("/contributions/login").text)
    assert client.post("/contributions/login", data={"token": TOKEN, "csrf_token": token}).status_code == 303
    return client


def test_missing_or_wrong_credentials_are_refused(app):
    client = app.test_client()
    for path in ("/contributions", "/contributions/1"):
        response = client.get(path)
        assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert client.get("/contributions", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/contributions", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    token = csrf(client.get("/contributions/login").text)
    assert (
        client.post("/contributions/login", data={"token": "wrong", "csrf_token": token}).status_code == 401
    )
    assert client.post("/contributions/1/accept", data={}).status_code == 401
    assert TOKEN not in str(app.config["CURATORS"])  # only its hash is configured


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_forms_without_a_valid_csrf_token_are_refused(app):
    number = app.test_client().post("/contribute", data=VALID_POLE, headers=TURTLE).get_json()["id"]
    client = app.test_client()
    assert client.post("/contributions/login", data={"token": TOKEN}).status_code == 400
    client = logged_in(app)
    for form in ({}, {"csrf_token": "forged"}):
        response = client.post(f"/contributions/{number}/reject", data=form)
        assert response.status_code == 400
    other = logged_in(app)
    stolen = csrf(other.get(f"/contributions/{number}").text)
    assert client.post(f"/contributions/{number}/reject", data={"csrf_token": stolen}).status_code == 400
    assert (
        app.test_client()
        .get(f"/contributions/{number}", headers={"Authorization": f"Bearer {TOKEN}"})
        .status_code
        == 200
    )
    mine = csrf(client.get(f"/contributions/{number}").text)
    assert client.post(f"/contributions/{number}/reject", data={"csrf_token": mine}).status_code == 303


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_contributed_text_is_escaped_in_every_field(app):
    literal = XSS.replace('"', '\\"')  # the same text as a Turtle string
    turtle = VALID_POLE.replace(b'"La Fabrique du Test"@fr', f'"{literal}"@fr'.encode()).replace(
        b"# A complete", f"# {XSS}".encode()
    )
    submitted = app.test_client().post(
        "/contribute", data=turtle, headers=TURTLE, query_string={"name": XSS, "message": XSS + "\nline 2"}
    )
    assert submitted.status_code == 201
    number = submitted.get_json()["id"]
    assert (
        app.test_client()
        .post("/contribute", data=VALID_POLE, headers=TURTLE, query_string={"email": XSS})
        .status_code
        == 400
    )
    client = logged_in(app)
    token = csrf(client.get(f"/contributions/{number}").text)
    client.post(f"/contributions/{number}/reject", data={"csrf_token": token, "comment": XSS})
    for path in ("/contributions", f"/contributions/{number}", "/contributions?status=rejected"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "onerror=alert(1)>" not in page
    page = client.get(f"/contributions/{number}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    review = app.test_client().post("/contribute/review", data={"text": turtle.decode()}).text
    assert "<script>alert" not in review and "<img src=x" not in review and "srcdoc=" in review


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_accept_goes_live_and_revert_takes_it_back(app):
    number = app.test_client().post("/contribute", data=VALID_POLE, headers=TURTLE).get_json()["id"]
    client = logged_in(app)
    assert client.get("/id/pole/la-fabrique-du-test").status_code == 404
    page = client.get(f"/contributions/{number}").text
    assert (
        "+ &lt;https://w3id.org/ptce/id/pole/la-fabrique-du-test&gt;" in page and "Aperçu des pages" in page
    )
    void = {"Accept": "text/turtle"}
    before = client.get("/.well-known/void", headers=void)
    home, dump = client.get("/?lang=fr").text, client.get("/dumps/ptce.nt").text
    assert "La Fabrique du Test" not in home and "la-fabrique-du-test" not in dump
    response = client.post(
        f"/contributions/{number}/accept", data={"csrf_token": csrf(page), "comment": "ok"}
    )
    assert response.status_code == 303
    assert client.get("/id/pole/la-fabrique-du-test").status_code == 303
    after = client.get("/.well-known/void", headers=void)
    assert after.headers["ETag"] != before.headers["ETag"] and after.text != before.text  # VoID counts follow
    assert "La Fabrique du Test" in client.get("/?lang=fr").text  # the home page lists the new pole
    assert "la-fabrique-du-test" in client.get("/dumps/ptce.nt").text  # and the dumps hold it
    bearer = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    reverted = app.test_client().post(f"/contributions/{number}/revert", headers=bearer)
    assert reverted.status_code == 200 and reverted.get_json()["status"] == "reverted"
    assert client.get("/id/pole/la-fabrique-du-test").status_code == 404
    conflict = app.test_client().post(f"/contributions/{number}/accept", headers=bearer)
    assert conflict.status_code == 409
