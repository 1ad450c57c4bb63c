"""Curator sessions (issue 18, item 8): failed tokens throttled (429 in words, Retry-After), logout revoking
the session on the server, sessions that expire, Secure cookies behind HTTPS, SECRET_KEY read as text and
refused when short."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from werkzeug.security import generate_password_hash

from server import create_app, serving
from tests.helpers.contributions import PROJECT, ptce_serving
from tests.helpers.pages import PAGES_DATA
from tests.helpers.servers import serve_in_thread
from tests.helpers.sparql import free_port

TOKEN = "curator-token-0123456789"
SECRET = "a secret of at least thirty-two characters, for tests"
HASH = generate_password_hash(TOKEN)


def make_app(tmp_path: Path, **settings):
    """An app over the small page dataset, with one curator and its own inbox."""
    return create_app(
        {
            "TESTING": True,
            "DATA_DIRS": [str(PAGES_DATA)],
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
            "CURATORS": {"carol": HASH},
            "SECRET_KEY": SECRET,
            **settings,
        }
    )


def csrf(page: str) -> str:
    """The CSRF token of a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client_or_session, base: str = "", token: str = TOKEN, **headers):
    """Post the login form (test client or requests session); return the response."""
    if base:
        form = client_or_session.get(base + "/contributions/login", headers=headers, timeout=30).text
        return client_or_session.post(
            base + "/contributions/login",
            data={"token": token, "csrf_token": csrf(form)},
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
    form = client_or_session.get("/contributions/login", headers=headers).text
    return client_or_session.post(
        "/contributions/login", data={"token": token, "csrf_token": csrf(form)}, headers=headers
    )


# --- throttling ----------------------------------------------------------------------------------------


def test_wrong_bearer_tokens_get_429_with_retry_after_on_a_real_server(tmp_path):
    app = make_app(tmp_path, CURATOR_FAILED_TOKEN_LIMIT="10 per minute")
    with serve_in_thread(app) as base, requests.Session() as http:
        started = time.monotonic()
        statuses = []
        for n in range(190):  # the red team's 190 wrong tokens
            response = http.get(
                base + "/contributions",
                headers={"Authorization": f"Bearer wrong-{n}", "Accept": "application/json"},
                timeout=30,
            )
            statuses.append(response.status_code)
        assert time.monotonic() - started < 60
        assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
        english = http.get(
            base + "/contributions",
            headers={
                "Authorization": f"Bearer {TOKEN}",
                "Accept-Language": "en",
                "Accept": "application/json",
            },
            timeout=30,
        )  # the right token too, from this address, until the window passes: guessing stops
        assert english.status_code == 429
        assert 1 <= int(english.headers["Retry-After"]) <= 60
        assert "Too many refused tokens" in english.json()["message"]
        french = http.get(
            base + "/contributions",
            headers={"Authorization": "Bearer x", "Accept-Language": "fr", "Accept": "text/html"},
            timeout=30,
        )
        assert french.status_code == 429 and "Trop de jetons refusés" in french.text
        assert "Retry-After" in french.headers


def test_wrong_tokens_in_the_login_form_get_429_in_words(tmp_path):
    client = make_app(tmp_path, CURATOR_FAILED_TOKEN_LIMIT="3 per minute").test_client()
    assert [log_in(client, token="wrong").status_code for _ in range(3)] == [401, 401, 401]
    throttled = log_in(client, token="wrong", **{"Accept-Language": "fr", "Accept": "text/html"})
    assert throttled.status_code == 429 and "réessayez dans" in throttled.text
    assert int(throttled.headers["Retry-After"]) >= 1
    assert log_in(client).status_code == 429  # the right token waits too
    right = make_app(tmp_path / "other").test_client()  # another deployment: its own counters
    assert log_in(right).status_code == 303


def test_right_tokens_are_never_counted(tmp_path):
    client = make_app(tmp_path, CURATOR_FAILED_TOKEN_LIMIT="2 per minute").test_client()
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    assert {client.get("/contributions", headers=headers).status_code for _ in range(6)} == {200}


# --- sessions kept on the server -----------------------------------------------------------------------


def test_logout_revokes_a_copied_cookie_on_a_real_server(tmp_path):
    app = make_app(tmp_path)
    with serve_in_thread(app) as base, requests.Session() as curator, requests.Session() as thief:
        assert log_in(curator, base).status_code == 303
        thief.cookies.update(curator.cookies)  # the copied cookie
        assert thief.get(base + "/contributions", timeout=30).status_code == 200
        listing = curator.get(base + "/contributions", headers={"Accept": "text/html"}, timeout=30)
        logout = curator.post(
            base + "/contributions/logout",
            data={"csrf_token": csrf(listing.text)},
            allow_redirects=False,
            timeout=30,
        )
        assert logout.status_code == 303
        assert thief.get(base + "/contributions", timeout=30).status_code == 401
        assert curator.get(base + "/contributions", timeout=30).status_code == 401
        assert log_in(curator, base).status_code == 303  # a new login opens a new session
        assert curator.get(base + "/contributions", timeout=30).status_code == 200
        assert thief.get(base + "/contributions", timeout=30).status_code == 401


def test_sessions_expire_after_their_lifetime(tmp_path):
    assert create_app({"TESTING": True}).permanent_session_lifetime <= timedelta(hours=12)
    client = make_app(tmp_path, PERMANENT_SESSION_LIFETIME=2).test_client()
    assert log_in(client).status_code == 303
    assert client.get("/contributions").status_code == 200
    time.sleep(2.5)
    assert client.get("/contributions").status_code == 401


def test_a_session_cookie_forged_without_a_server_side_session_opens_nothing(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    with client.session_transaction() as session:  # signed with the right key, but never opened
        session["curator"] = "carol"
        session["sid"] = "made-up"
    assert client.get("/contributions").status_code == 401


# --- cookies behind HTTPS ------------------------------------------------------------------------------


def _login_cookie(base: str, **headers) -> str:
    """Log in over plain HTTP with ``headers``; return the Set-Cookie header of the login's answer."""
    form = requests.get(base + "/contributions/login", headers=headers, timeout=30)
    cookie = form.headers["Set-Cookie"].split(";", 1)[0]  # sent back by hand: a Secure cookie stays
    response = requests.post(
        base + "/contributions/login",
        data={"token": TOKEN, "csrf_token": csrf(form.text)},
        headers={**headers, "Cookie": cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.text
    return response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("proxies", "headers", "secure"),
    [
        (1, {"X-Forwarded-Proto": "https"}, True),  # a trusted proxy says the client used HTTPS
        (1, {}, False),
        (0, {"X-Forwarded-Proto": "https"}, False),  # nobody trusted: the header means nothing
    ],
)
def test_session_cookie_is_secure_behind_https(tmp_path, proxies, headers, secure):
    app = make_app(tmp_path, TRUSTED_PROXIES=proxies)
    serving.trust_proxies(app, app.config)
    with serve_in_thread(app) as base:
        cookie = _login_cookie(base, **headers)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes and "samesite=strict" in cookie.lower()
    assert ("secure" in attributes) is secure, cookie


# --- the secret key ------------------------------------------------------------------------------------


def test_a_numeric_secret_key_from_the_environment_is_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PTCE_SECRET_KEY", "1234567890" * 4)
    app = create_app(  # only the environment sets the key: from_prefixed_env parses it as a number
        {
            "TESTING": True,
            "DATA_DIRS": [str(PAGES_DATA)],
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
            "CURATORS": {"carol": HASH},
        }
    )
    assert app.config["SECRET_KEY"] == "1234567890" * 4
    assert log_in(app.test_client()).status_code == 303  # not a 500


@pytest.mark.parametrize("key", ["123456789", "short", "x" * 31])
def test_a_short_secret_key_is_refused_at_start_up(tmp_path, monkeypatch, key):
    monkeypatch.setenv("PTCE_SECRET_KEY", key)
    with pytest.raises(ValueError, match="SECRET_KEY has .* at least 32"):
        create_app(
            {
                "TESTING": True,
                "DATA_DIRS": [str(PAGES_DATA)],
                "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
                "CURATORS": {"carol": HASH},
            }
        )
    create_app({"TESTING": True, "DATA_DIRS": [str(PAGES_DATA)]})  # no curators: no key needed


def test_ptce_serve_refuses_a_short_key_and_reads_a_numeric_one_as_text(tmp_path):
    env = {
        **os.environ,
        "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
        "PTCE_CURATORS": f'{{"carol": "{HASH}"}}',
        "PTCE_SECRET_KEY": "123456789",
        "PTCE_STARTUP_SHAPES_CHECK": "false",
    }
    command = [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(free_port())]
    refused = subprocess.run(
        [*command, "--data", str(PAGES_DATA)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "SECRET_KEY has 9 characters" in refused.stderr and "at least 32" in refused.stderr
    numeric = "1234567890" * 4
    with (
        ptce_serving(tmp_path, PAGES_DATA, SECRET_KEY=numeric, STARTUP_SHAPES_CHECK="false") as (base, _),
        requests.Session() as http,
    ):
        assert log_in(http, base).status_code == 303
        assert http.get(base + "/contributions", timeout=30).status_code == 200
