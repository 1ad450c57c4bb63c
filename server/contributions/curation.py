"""The curators' pages (/contributions): list, show (report, diff, preview, Turtle as sent), accept,
reject and revert with a comment. Curators log in with a token (hashed at rest, compared in constant
time) or send it as a Bearer token; forms carry a CSRF token (Flask-WTF); registered only when CURATORS
is configured."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from rdflib import Graph
from werkzeug.security import check_password_hash
from wtforms import ValidationError

from server import metrics
from server.contributions import live, sessions, writer
from server.contributions.curation_error import CurationError
from server.contributions.inbox import STATUSES
from server.contributions.submission import Busy, answer, busy, inbox, judge, page, validate
from server.contributions.texts import REVIEW_TEXTS
from server.languages import choose_language

bp = Blueprint("curation", __name__)
bp.register_error_handler(Busy, busy)
_ACTIONS = ("accept", "reject", "revert")
TEXTS = {
    "fr": {
        "login": "Connexion des curateurs",
        "token": "Jeton",
        "wrong": "Jeton inconnu.",
        "csrf": "Formulaire expiré ou venu d'ailleurs : rechargez la page.",
        "need": "Réservé aux curateurs : connectez-vous.",
    },
    "en": {
        "login": "Curators' login",
        "token": "Token",
        "wrong": "Unknown token.",
        "csrf": "The form expired or came from elsewhere: reload the page.",
        "need": "For curators only: log in.",
    },
}


def curator_for(token: str) -> str | None:
    """The curator whose token this is: every configured hash is checked (constant time each)."""
    found = None
    for name, hashed in current_app.config["CURATORS"].items():
        if check_password_hash(hashed, token) and found is None:
            found = name
    return found


def current_curator() -> tuple[str | None, bool]:
    """(curator, by_bearer): from a Bearer token (failures counted), else from a session still open."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        sessions.check_not_throttled()
        name = curator_for(header[7:].strip())
        if name is None:
            sessions.token_failed()
        return name, True
    name = session.get("curator")
    if name not in current_app.config["CURATORS"] or not sessions.session_is_open(session.get("sid"), name):
        return None, False
    return name, False


@bp.before_request
def authenticate():
    """Every curator route but the login needs a curator; session forms need their CSRF token."""
    lang = choose_language(request)
    if request.endpoint == "curation.login":
        if request.method == "POST":
            _check_csrf()
        return None
    curator, bearer = current_curator()
    if curator is None:
        response = answer(401, lang, TEXTS[lang]["need"])
        response.headers["WWW-Authenticate"] = 'Bearer realm="PTCE Graph curators"'
        return response
    if request.method == "POST" and not bearer:
        _check_csrf()
    request.environ["ptce.curator"] = curator
    return None


def _check_csrf() -> None:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as error:
        raise CSRFError(str(error)) from None


@bp.errorhandler(sessions.Throttled)
def throttled(error):
    """Too many refused tokens from this address: 429 in words, with Retry-After."""
    lang = choose_language(request, request.method == "POST")
    response = answer(429, lang, sessions.throttled_message(lang, error.retry_after))
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    """A form without its token, or with another session's."""
    lang = choose_language(request, True)
    return answer(400, lang, TEXTS[lang]["csrf"])


@bp.route("/contributions/login", methods=["GET", "POST"])
def login():
    """The login form; a right token opens a session (kept on the server until logout or expiry)."""
    lang = choose_language(request, request.method == "POST")
    if request.method == "POST":
        sessions.check_not_throttled()
        name = curator_for(request.form.get("token", ""))
        if name is None:
            sessions.token_failed()
            return page(
                "contributions/login.html",
                lang,
                401,
                T=TEXTS[lang],
                error=TEXTS[lang]["wrong"],
                csrf_token=generate_csrf(),
            )
        sessions.close_session(session.get("sid"))
        session.clear()
        session["curator"] = name
        session["sid"] = sessions.open_session(name)
        return redirect(f"/contributions?lang={lang}", 303)
    return page("contributions/login.html", lang, T=TEXTS[lang], csrf_token=generate_csrf())


@bp.post("/contributions/logout")
def logout():
    """End the session, on the server too: a copy of its cookie opens nothing any more."""
    sessions.close_session(session.get("sid"))
    session.clear()
    return redirect("/contributions/login", 303)


@bp.get("/contributions")
def listing():
    """Every contribution (or those of ``?status=``), newest first."""
    lang = choose_language(request)
    status = request.args.get("status")
    items = inbox().list(status if status in STATUSES else None)
    if request.accept_mimetypes.best_match(("application/json", "text/html")) == "application/json":
        return {"contributions": [_summary(c) for c in items]}
    return page(
        "contributions/list.html",
        lang,
        items=items,
        curator=request.environ["ptce.curator"],
        csrf_token=generate_csrf(),
    )


def _summary(c) -> dict:
    return {
        "id": c.id,
        "submitted": c.submitted,
        "status": c.status,
        "name": c.name,
        "size": c.size,
        "data_file": c.data_file,
    }


@bp.get("/contributions/<int:number>")
def show(number: int):
    """One contribution: metadata, report against the graph as it is now, diff, preview, history."""
    lang = choose_language(request)
    contribution = inbox().get(number) or abort(404)
    if request.accept_mimetypes.best_match(("application/json", "text/html")) == "application/json":
        return {
            **_summary(contribution),
            "email": contribution.email,
            "message": contribution.message,
            "report": contribution.report,
            "history": list(contribution.history),
        }
    from server.contributions.removals import removals_of

    report = validate(contribution.turtle, lang, removals_of(contribution, current_app.config["BASE_IRI"]))
    review, words, previews = None, None, []
    if report.status in ("conforms", "does-not-conform"):
        number_of_page = request.args.get("page", 1, type=int) or 1
        review, words, previews = _diff_and_preview(contribution, lang, number_of_page)
    return page(
        "contributions/show.html",
        lang,
        c=contribution,
        report=report,
        review=review,
        words=words,
        R=REVIEW_TEXTS[lang],
        previews=previews,
        turtle=contribution.turtle.decode("utf-8", "replace"),
        csrf_token=generate_csrf(),
        curator=request.environ["ptce.curator"],
    )


def _diff_and_preview(contribution, lang: str, number_of_page: int = 1):
    """The review's summary of what the file touches, one page of its diff, the review in words and the
    page previews."""
    from server.contributions.preview import review_summary
    from server.contributions.review import removed_statements, review_in_words
    from server.dataset import get_store

    store, base = get_store(), current_app.config["BASE_IRI"]
    data = Graph().parse(data=contribution.turtle, format="turtle", publicID=base)
    live_graph = store.rdflib_graph(("data", "ontology"))
    removed = removed_statements(contribution, data, judge())
    review = review_summary(data, live_graph, removed, store, base, lang, number_of_page)
    words = review_in_words(data, live_graph, removed, store.rdflib_graph(("shapes",)), base, lang)
    previews = []
    if contribution.status == "pending":
        from server.contributions.preview import render_previews

        previews = render_previews(current_app._get_current_object(), data, removed, lang)
    return review, words, previews


@bp.post("/contributions/<int:number>/<action>")
def act(number: int, action: str):
    """Accept, reject or revert, with the curator's comment (``cascade=1`` reverts the dependants too);
    accepted and reverted changes go live now."""
    if action not in _ACTIONS:
        abort(404)
    lang = choose_language(request, True)
    curator = request.environ["ptce.curator"]
    comment = (request.form.get("comment") or request.args.get("comment") or "")[:2000]
    app = current_app._get_current_object()
    try:
        if action == "reject":
            outcome = writer.reject(inbox(), number, curator, comment)
        elif action == "accept":
            outcome = writer.accept(inbox(), number, curator, comment, app.config)
        else:
            cascade = (request.form.get("cascade") or request.args.get("cascade")) == "1"
            outcome = writer.revert(inbox(), number, curator, comment, app.config, with_dependants=cascade)
    except CurationError as error:  # a wrong state, a dependant, data that would not pass: in words
        return _refused(error, number, lang)
    except OSError as error:  # a full disk: 507 Insufficient Storage, in words (files.DiskFull)
        from server.contributions.files import DiskFull

        if not isinstance(error, DiskFull):
            raise
        return answer(507, lang, error.words(lang))
    swap = live.reload_dataset(app, outcome.graphs(app.config["BASE_IRI"])) if outcome.files else None
    metrics.curation(action, number, outcome.status)
    if (
        request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
        and request.accept_mimetypes.best_match(("application/json", "text/html")) != "application/json"
    ):
        return redirect(f"/contributions/{number}?lang={lang}", 303)
    return {
        "id": number,
        "status": outcome.status,
        "data_file": outcome.data_file,
        "reload_seconds": swap.seconds if swap else None,
    }


def _refused(error, number: int, lang: str):
    """409 in words; refused for dependants, it says how to revert them together, with the links."""
    if error.key != "dependants":
        return answer(409, lang, error.text(lang))
    R = REVIEW_TEXTS[lang]
    links = [(f"/contributions/{number}?lang={lang}#decide", R["back_to"].format(number=number))]
    links += [
        (f"/contributions/{n}?lang={lang}", f"Contribution {n}") for n in sorted(error.params["details"])
    ]
    message = f"{error.text(lang)} {R['cascade_how'].format(number=number)}"
    return answer(409, lang, message, links=links)


def init_app(app) -> None:
    """Register the curator routes (only called when CURATORS is configured)."""
    app.session_interface = sessions.CuratorSessionInterface()  # Secure cookies behind HTTPS
    app.register_blueprint(bp)
