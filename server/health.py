"""Readiness: ``GET /readyz`` and the read-only mode of a degraded server.

A server is degraded when a check fails: ``dataset`` (the files failed the start-up check, so the last good
dataset is served, see server.startup) or ``recovery`` (an accept or revert a crash interrupted could not be
finished). The failing checks are in ``app.extensions["ptce-degraded"]`` ({check: detail}); while any fails,
curator actions and submissions answer 503 in words (server.contributions: nothing is written on top of
broken data), and the curators' pages show a banner.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request

#: The checks /readyz reports, in this order.
CHECKS = ("dataset", "recovery")
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


def readyz():
    """Readiness as JSON: ``ready`` (200) or ``degraded`` (503), with every check and why it fails."""
    failing = degraded()
    checks = [
        {"name": name, "status": "fail", **failing[name]}
        if name in failing
        else {"name": name, "status": "pass"}
        for name in CHECKS
    ]
    response = jsonify({"status": "degraded" if failing else "ready", "checks": checks})
    response.status_code = 503 if failing else 200
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
    """Register /readyz and the curators' banner (server.contributions refuses writes while degraded)."""
    app.extensions.setdefault("ptce-degraded", {})
    app.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
    app.jinja_env.globals["degraded_banner"] = banner
