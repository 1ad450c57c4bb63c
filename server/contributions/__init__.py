"""Contributions: the contributor kit, the inbox (submission), curation, and accepted files in data/.

May import server.dataset, server.validator and server.web; only the app factory and the CLI import it.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def recover(app) -> None:
    """Before the dataset is read: finish (or undo) any accept or revert a crash interrupted."""
    from server.contributions.inbox import Inbox
    from server.contributions.recovery import recover as finish
    from server.contributions.submission import inbox_path

    path = inbox_path(app)
    if not Path(path).is_file():
        return
    try:
        for number, action, outcome in finish(Inbox(path)):
            logger.warning("contribution %s: interrupted %s %s on start", number, action, outcome)
    except Exception as error:  # noqa: BLE001 - a full disk must not keep the server down: read-only
        from server import health

        logger.error(
            "ptce serve: the interrupted accept or revert could not be finished (%s); serving READ-ONLY "
            "until it is (fix the cause, e.g. free disk space, then restart or `ptce contributions list`)",
            error,
        )
        health.degrade(app, "recovery", {"error": str(error)[:500]})


def init_app(app) -> None:
    """Register the kit and submission routes, and the curator routes when curators are configured."""
    from server.contributions import form_views, submission
    from server.contributions.inbox import status_counts

    app.before_request(refuse_writes)
    app.extensions["ptce-contribution-counts"] = lambda: status_counts(submission.inbox_path(app))  # /metrics
    submission.limiter.init_app(app)
    app.register_blueprint(submission.bp)
    app.register_blueprint(form_views.bp)  # the pole form (/contribute/pole) and its pickers
    # the validator's HTML report of a conforming upload shows the page previews and the submission form
    app.context_processor(lambda: {"contribution_review": submission.review_for_report})
    if app.config["CURATORS"]:
        from server.contributions import curation, sessions

        sessions.check_secret_key(app)  # text, at least 32 characters

        curation.init_app(app)


#: POST endpoints that write the inbox or data/: refused while the server is degraded (server.health).
WRITING_ENDPOINTS = ("curation.act", "contribute.submit")


def refuse_writes():
    """While degraded, a curator action or a submission is a 503 in words (after the curator's login)."""
    from flask import request

    from server import health

    if request.method != "POST" or request.endpoint not in WRITING_ENDPOINTS or not health.degraded():
        return None
    from server.contributions.submission import answer
    from server.languages import choose_language

    if request.endpoint == "curation.act":
        from server.contributions.curation import current_curator

        if current_curator()[0] is None:
            return None  # not a curator: the curators' pages answer 401
    lang = choose_language(request, True)
    response = answer(503, lang, health.explain(lang))
    response.headers["Retry-After"] = "300"
    return response
