"""Liveness and readiness: ``GET /healthz``, ``GET /readyz``, and the read-only mode of a degraded server.

``/healthz`` says the process answers (no store, no worker, no file: a few microseconds). ``/readyz``
runs named checks and answers 200 when they all pass, 503 with the failing ones otherwise:

- ``store``: the dataset is loaded;
- ``sparql``: the SPARQL fork server is alive and a worker answers ``ASK {}`` (a dead fork server fails the
  check and is replaced in the background, so the next probe passes);
- ``engine`` (with ``SPARQL_BACKEND_URL`` only): the external engine answers ``ASK {}``;
- ``inbox``: the contributions inbox can take its write lock (or its folder can be written) and its disk has
  room;
- ``replication`` (on a replica, ``ptce serve --follow``): changes applied, changes behind and the lag;
- ``dataset`` and ``recovery``: the degraded checks below.

Neither route is rate-limited, logged at more than INFO, nor linked from the site.

A server is degraded when a check fails: ``dataset`` (the files failed the start-up check, so the last good
dataset is served, see server.startup) or ``recovery`` (an accept or revert a crash interrupted could not be
finished). The failing checks are in ``app.extensions["ptce-degraded"]`` ({check: detail}); while any fails,
curator actions and submissions answer 503 in words (server.contributions: nothing is written on top of
broken data), and the curators' pages show a banner.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, Response, current_app, jsonify, request

log = logging.getLogger(__name__)
#: The degraded checks (the server is read-only while one fails), in this order.
CHECKS = ("dataset", "recovery")
#: The live checks /readyz runs before the degraded ones, in this order.
LIVE_CHECKS = ("store", "sparql", "engine", "inbox", "replication")
#: Seconds the SPARQL and engine checks may take; free bytes the inbox's disk must have.
CHECK_TIMEOUT = 5.0
MIN_FREE_BYTES = 1 << 20
WORDS = {
    "fr": {
        "dataset": (
            "Les fichiers de données ne passent pas la vérification de démarrage : le serveur sert le "
            "dernier jeu de données qui l'a passée (enregistré le {saved}, empreinte {hash}), en lecture "
            "seule. Le journal du serveur nomme les fichiers et les lignes en cause."
        ),
        "recovery": (
            "Une acceptation ou une annulation interrompue n'a pas pu être terminée au démarrage ({error}) ; "
            "le serveur est en lecture seule."
        ),
        "paused": (
            "Les acceptations, rejets, annulations et soumissions sont suspendus jusqu'à ce que les fichiers "
            "soient corrigés et rechargés (SIGHUP, --watch) ou le serveur redémarré."
        ),
    },
    "en": {
        "dataset": (
            "The data files fail the start-up check: the server serves the last dataset that passed it "
            "(saved {saved}, hash {hash}), read-only. The server's log names the files and lines at fault."
        ),
        "recovery": (
            "An accept or revert that was interrupted could not be finished at start-up ({error}); the "
            "server is read-only."
        ),
        "paused": (
            "Accepting, rejecting, reverting and submitting are paused until the files are fixed and "
            "reloaded (SIGHUP, --watch) or the server restarted."
        ),
    },
}


def degraded(app: Flask | None = None) -> dict:
    """The failing checks of the app ({} when it is ready)."""
    app = app or current_app
    return app.extensions.setdefault("ptce-degraded", {})


def degrade(app: Flask, check: str, detail: dict) -> None:
    """Record that ``check`` fails (the server becomes read-only)."""
    app.extensions.setdefault("ptce-degraded", {})[check] = detail


def restore(app: Flask, check: str) -> bool:
    """Record that ``check`` passes again; return whether it was failing."""
    return app.extensions.setdefault("ptce-degraded", {}).pop(check, None) is not None


def explain(lang: str, app: Flask | None = None) -> str:
    """Why the server is read-only, in words (empty when it is ready)."""
    words, failing = WORDS["fr" if lang == "fr" else "en"], degraded(app)
    lines = []
    for check in CHECKS:
        detail = failing.get(check)
        if detail is None:
            continue
        served = detail.get("served", {})
        lines.append(
            words[check].format(
                saved=served.get("saved", "?"),
                hash=str(served.get("hash", "?"))[:16],
                error=detail.get("error", ""),
            )
        )
    return " ".join([*lines, words["paused"]]) if lines else ""


def healthz():
    """Liveness: the process answers (200, no store or file access)."""
    return Response("ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"})


class CheckFailed(Exception):
    """A live check failed; the message says why (never a secret: no URL credentials, no token)."""


def _check_store(app: Flask) -> dict:
    store = app.extensions.get("ptce")
    if store is None:
        raise CheckFailed("the dataset is not loaded yet")
    return {"graphs": len(getattr(store, "sources", ()))}


def _check_sparql(app: Flask) -> dict:
    """A worker of the fast lane (else the ordinary one) answers ASK {}; a dead fork server fails."""
    from server import logs
    from server.sparql.execution import Limits, QueryFailed, run_isolated, worker_pool
    from server.sparql.lanes import limits, sandbox_dirs

    store, config = app.extensions["ptce"], app.config
    fast = "ptce.sparql_fast" in app.extensions
    lane = "fast" if fast else "main"
    memory, dirs = limits(config).memory_bytes, sandbox_dirs(config, store)
    size = int(config["SPARQL_FAST_WORKERS"]) if fast else 2
    nice = 0 if fast else int(config["SPARQL_WORKER_NICE"])
    pool = worker_pool(store, memory, dirs, size=size, lane=lane, nice=nice)
    if not pool.fork_server_alive():
        threading.Thread(target=pool.revive, name="ptce-revive", daemon=True).start()
        raise CheckFailed("the SPARQL fork server died; a new one is being started")
    try:
        run_isolated(
            store, "ASK {}", "json", None, Limits(CHECK_TIMEOUT, 1, memory), dirs, lane=lane, nice=nice
        )
    except QueryFailed as failure:
        raise CheckFailed(f"a SPARQL worker did not answer: {failure.message}") from None
    finally:
        logs.request_state().pop("lane", None)  # not a client's query
    return {"lane": lane}


def _check_engine(app: Flask) -> dict:
    from server.dataset.base import BackendError

    try:
        app.extensions["ptce"].query("ASK {}")
    except BackendError as error:
        raise CheckFailed(f"the SPARQL engine does not answer: {error.message}") from None
    return {}


def _check_inbox(app: Flask) -> dict:
    """The inbox takes its write lock (a transaction begun and rolled back), and its disk has room."""
    from server.contributions.submission import inbox_path

    path = Path(inbox_path(app))
    folder = path.parent if path.parent.is_dir() else next((p for p in path.parents if p.is_dir()), None)
    if folder is None or not os.access(folder, os.W_OK | os.X_OK):
        raise CheckFailed("the inbox's folder cannot be written")
    if shutil.disk_usage(folder).free < MIN_FREE_BYTES:
        raise CheckFailed("the inbox's disk is full")
    if path.is_file():
        try:
            db = sqlite3.connect(path, timeout=1, isolation_level=None)
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
            finally:
                db.close()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):  # an accept holds it: writable
                raise CheckFailed(f"the inbox cannot be written: {error}") from None
    elif path.parent.exists() and not path.parent.is_dir():
        raise CheckFailed("the inbox's folder is not a folder")
    return {}


def _check_replication(app: Flask) -> dict:
    """A replica (ptce serve --follow): the changes applied, those it lacks and its lag (never failing:
    a replica behind still serves what it has)."""
    return app.extensions["ptce-replica"].status()


def _live_checks(app: Flask) -> list[dict]:
    runs = {"store": _check_store, "sparql": _check_sparql, "engine": _check_engine, "inbox": _check_inbox}
    runs["replication"] = _check_replication
    results = []
    for name in LIVE_CHECKS:
        if name == "engine" and not app.config.get("SPARQL_BACKEND_URL"):
            continue
        if name == "replication" and "ptce-replica" not in app.extensions:
            continue
        if name in ("sparql", "engine") and "ptce" not in app.extensions:
            results.append({"name": name, "status": "fail", "why": "the dataset is not loaded yet"})
            continue
        started = time.monotonic()
        try:
            detail = runs[name](app)
            result = {"name": name, "status": "pass", **detail}
        except CheckFailed as failure:
            result = {"name": name, "status": "fail", "why": str(failure)}
        except Exception as error:  # noqa: BLE001 - a check that breaks is a failing check, never a 500
            log.exception("readiness check %s failed", name)
            result = {"name": name, "status": "fail", "why": f"{type(error).__name__}"}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        if result["status"] == "fail":
            log.warning("not ready: %s: %s", name, result["why"])
        results.append(result)
    return results


def readyz():
    """Readiness as JSON: ``ready`` (200), or ``degraded`` / ``not-ready`` (503) with every check and why
    it fails (live checks first, then the degraded ones)."""
    failing = degraded()
    live = _live_checks(current_app)
    checks = live + [
        {"name": name, "status": "fail", **failing[name]}
        if name in failing
        else {"name": name, "status": "pass"}
        for name in CHECKS
    ]
    down = any(check["status"] == "fail" for check in live)
    status = "not-ready" if down else "degraded" if failing else "ready"
    response = jsonify({"status": status, "checks": checks})
    response.status_code = 503 if down or failing else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def banner(lang: str) -> str:
    """The read-only banner for a logged-in curator on the curators' pages (empty otherwise)."""
    if not degraded() or not request.path.startswith("/contributions"):
        return ""
    if not request.environ.get("ptce.curator"):  # set once the curator is known (session or token)
        return ""
    return explain(lang)


def init_app(app: Flask) -> None:
    """Register /healthz, /readyz and the curators' banner (server.contributions refuses writes while
    degraded)."""
    app.extensions.setdefault("ptce-degraded", {})
    app.extensions["ptce-degraded-checks"] = CHECKS  # what /metrics reports as ptce_degraded{check}
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    app.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
    app.jinja_env.globals["degraded_banner"] = banner
