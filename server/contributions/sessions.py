"""Curator sessions: the secret key that signs them, sessions revocable on the server, cookies marked
``Secure`` behind HTTPS, and Flask-Limiter counting failed tokens (login form and Bearer) per address.

A login opens a session with a random id; the signed cookie carries that id and the server keeps it (its
SHA-256, never the id) in a small SQLite file beside the inbox (``CURATOR_SESSIONS_DB``) until logout or
``PERMANENT_SESSION_LIFETIME``: a copied cookie stops working when its curator logs out. Only
:mod:`server.contributions.curation` uses this module.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import sqlite3
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from flask import current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter.util import get_remote_address
from limits import parse_many

#: Shortest SECRET_KEY accepted when curators are configured (characters).
MIN_SECRET_KEY_LENGTH = 32
TEXTS = {
    "fr": {
        "throttled": "Trop de jetons refusés depuis votre adresse : réessayez dans {seconds} s.",
    },
    "en": {
        "throttled": "Too many refused tokens from your address: try again in {seconds} s.",
    },
}


class Throttled(Exception):
    """Too many failed tokens from this address: 429 with Retry-After (seconds)."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


# --- the secret key ----------------------------------------------------------------------------------


def check_secret_key(app) -> None:
    """Read SECRET_KEY as a string (``PTCE_SECRET_KEY=123456789`` is not a number) and refuse a short one.

    Raises ValueError, with what to do, when the key is missing, not text, or shorter than 32 characters.
    """
    key = app.config.get("SECRET_KEY")
    raw = os.environ.get("PTCE_SECRET_KEY")
    if key is not None and not isinstance(key, (str, bytes)) and raw is not None and _json(raw) == key:
        key = raw  # from_prefixed_env parsed the variable as JSON: take it as the text it is
    how = "e.g. PTCE_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\""
    if not key:
        raise ValueError(
            f"CURATORS is set: set SECRET_KEY too (PTCE_SECRET_KEY), it signs their sessions; {how}"
        )
    if not isinstance(key, (str, bytes)):
        raise ValueError(f"SECRET_KEY must be text, not {type(key).__name__}; {how}")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(
            f"SECRET_KEY has {len(key)} characters: curators' sessions need at least "
            f"{MIN_SECRET_KEY_LENGTH} random ones; {how}"
        )
    app.config["SECRET_KEY"] = key


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return text


# --- cookies -----------------------------------------------------------------------------------------


class CuratorSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with ``Secure`` set whenever the request came over HTTPS.

    Behind a reverse proxy, the request counts as HTTPS when a trusted proxy (``TRUSTED_PROXIES``, applied
    by werkzeug's ProxyFix) says so in X-Forwarded-Proto.
    """

    def get_cookie_secure(self, app) -> bool:
        """``SESSION_COOKIE_SECURE``, or the request is HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


# --- sessions kept on the server ---------------------------------------------------------------------


def sessions_path(app) -> Path:
    """The SQLite file of open sessions: CURATOR_SESSIONS_DB, or beside the inbox."""
    from server.contributions.submission import inbox_path

    configured = app.config.get("CURATOR_SESSIONS_DB")
    return Path(configured) if configured else inbox_path(app).with_name("curator-sessions.sqlite3")


def lifetime(app) -> float:
    """How long a session lasts (seconds): PERMANENT_SESSION_LIFETIME."""
    value = app.permanent_session_lifetime
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _connect(app) -> sqlite3.Connection:
    path = sessions_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    db.execute(
        "CREATE TABLE IF NOT EXISTS sessions (digest TEXT PRIMARY KEY, curator TEXT NOT NULL,"
        " opened REAL NOT NULL, expires REAL NOT NULL)"
    )
    return db


def open_session(curator: str) -> str:
    """Record a new session for ``curator`` and return its random id (for the signed cookie)."""
    app = current_app
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    with closing(_connect(app)) as db, db:
        db.execute("DELETE FROM sessions WHERE expires <= ?", (now,))
        db.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)",
            (_digest(session_id), curator, now, now + lifetime(app)),
        )
    return session_id


def session_is_open(session_id: object, curator: object) -> bool:
    """Whether this session id was opened for this curator, and is neither closed nor expired."""
    if not isinstance(session_id, str) or not isinstance(curator, str):
        return False
    with closing(_connect(current_app)) as db:
        row = db.execute(
            "SELECT 1 FROM sessions WHERE digest = ? AND curator = ? AND expires > ?",
            (_digest(session_id), curator, time.time()),
        ).fetchone()
    return row is not None


def close_session(session_id: object) -> None:
    """Revoke a session: its cookie, wherever it was copied, opens nothing any more."""
    if isinstance(session_id, str):
        with closing(_connect(current_app)) as db, db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session_id),))


# --- failed tokens (Flask-Limiter) -------------------------------------------------------------------


def _limits():
    return parse_many(current_app.config["CURATOR_FAILED_TOKEN_LIMIT"])


def _key() -> str:
    # per deployment (the inbox's path) and client address (the real one behind trusted proxies)
    from server.contributions.submission import inbox_path

    return f"ptce-curator-tokens:{inbox_path(current_app)}:{get_remote_address()}"


def _strategy():
    from server.contributions.submission import limiter

    return limiter.limiter if limiter.enabled else None  # RATELIMIT_ENABLED=false: no counting


def check_not_throttled() -> None:
    """Raise Throttled when this address has failed too many tokens lately (before any token is checked)."""
    strategy, key = _strategy(), _key()
    if strategy is None:
        return
    waits = []
    for item in _limits():
        if not strategy.test(item, key):
            reset, _ = strategy.get_window_stats(item, key)
            waits.append(max(1, math.ceil(reset - time.time())))
    if waits:
        raise Throttled(max(waits))


def token_failed() -> None:
    """Count one failed token (login form or Bearer) against this address."""
    strategy, key = _strategy(), _key()
    for item in _limits() if strategy is not None else ():
        strategy.hit(item, key)


def throttled_message(lang: str, seconds: int) -> str:
    """The 429's words."""
    return TEXTS[lang]["throttled"].format(seconds=seconds)
