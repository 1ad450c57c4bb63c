"""The contributor's side on the web: the kit (/contribute, templates), check with a preview
(/contribute/review) and submission to the inbox (POST /contribute), re-validated on the server."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from rdflib import Graph
from werkzeug.exceptions import NotFound, RequestEntityTooLarge, TooManyRequests

from server.contributions import kit
from server.contributions.inbox import Inbox, QuotaExceeded
from server.contributions.removals import removals_text
from server.contributions.texts import TEXTS, say
from server.dataset import get_store
from server.languages import LANGUAGES, choose_language
from server.validator.render import short

bp = Blueprint("contribute", __name__)
_lock = threading.Lock()
#: One client's submissions are counted per app (tests build several apps in one process).
limiter = Limiter(
    key_func=lambda: f"{id(current_app._get_current_object())}:{get_remote_address()}", default_limits=[]
)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
TURTLE_TYPES = ("text/turtle", "application/x-turtle", "application/n-triples", "text/plain", "")
_FIELDS = {"name": 200, "email": 254, "message": 5000}
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def inbox() -> Inbox:
    """The app's inbox, opened on first use (CONTRIBUTIONS_DB, or the instance folder)."""
    with _lock:
        if "ptce-inbox" not in current_app.extensions:
            current_app.extensions["ptce-inbox"] = Inbox(inbox_path(current_app))
        return current_app.extensions["ptce-inbox"]


def inbox_path(app) -> Path:
    """Where the app's inbox lives."""
    return Path(app.config["CONTRIBUTIONS_DB"] or Path(app.instance_path) / "contributions.sqlite3")


def judge():
    """The validator's judge for the store being served (rebuilt when the store is swapped)."""
    from server.validator import judge_from_store

    store = get_store()
    return store.memo("contributions-judge", lambda: judge_from_store(store, current_app.config))


class Busy(Exception):
    """Every validation slot is taken (the validator's admission control): 503 with Retry-After."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def validate(data: bytes, lang: str, removals=()):
    """Validate on the server, as /validate does, within the same limit of validations at once (with the
    live statements a change removes, if any)."""
    from server.validator import validate_with_judge

    config = current_app.config
    timeout = float(config["VALIDATION_TIMEOUT"])
    admission = current_app.extensions["ptce.validations"]
    with admission.admitted() as admitted:
        if not admitted:
            raise Busy(admission.retry_after(timeout))
        return validate_with_judge(
            data,
            judge(),
            lang=lang,
            timeout=timeout,
            max_bytes=config["MAX_CONTENT_LENGTH"],
            removals=removals,
        )


def busy(error: Busy) -> Response:
    """The server is validating as many files as it can: 503, Retry-After, in the client's language."""
    lang = language()
    response = answer(503, lang, say("busy", lang, seconds=error.retry_after))
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def language() -> str:
    """The page's language (a form's ``lang`` field counts)."""
    return choose_language(request, request.mimetype in FORM_TYPES)


def page(template: str, lang: str, status: int = 200, **values) -> Response:
    """Render a contribution page."""
    from server.validator.views import UI_TEXT

    other = LANGUAGES[1 - LANGUAGES.index(lang)]
    html = render_template(
        template,
        lang=lang,
        other_lang=other,
        formats=[],
        C=TEXTS[lang],
        V=UI_TEXT[lang],
        short=short,
        **values,
    )
    return Response(html, status, mimetype="text/html")


def wants_html() -> bool:
    """True when the client asked for a page (a form post, or Accept preferring HTML)."""
    if request.args.get("format") in ("html", "json"):
        return request.args["format"] == "html"
    best = request.accept_mimetypes.best_match(("application/json", "text/html"), default="application/json")
    return best == "text/html"


def answer(status: int, lang: str, message: str, **extra) -> Response:
    """A plain answer in JSON or HTML."""
    if wants_html():
        return page("contributions/message.html", lang, status, message=message, **extra)
    response = jsonify({"status": status, "message": message, **extra})
    response.status_code = status
    return response


def body() -> bytes | None:
    """The Turtle sent: a multipart ``file``, a form ``text`` field, or the request body."""
    if request.mimetype in FORM_TYPES:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            return upload.read()
        return (request.form.get("text") or "").encode("utf-8")
    if request.mimetype in TURTLE_TYPES:
        return request.get_data(cache=False)
    return None


def metadata() -> dict[str, str] | str:
    """Name, e-mail and message (form fields, or query parameters with a Turtle body); or the bad field."""
    source = request.form if request.mimetype in FORM_TYPES else request.args
    values = {}
    for field, limit in _FIELDS.items():
        value = _CONTROL.sub("", source.get(field, "")).strip()
        if len(value) > limit or (field == "email" and value and not _EMAIL.fullmatch(value)):
            return field
        values[field] = value
    return values


@bp.get("/contribute")
def kit_page():
    """The contributor kit: templates, the fields of each class from the shapes, how to cite resources."""
    lang = choose_language(request)
    shapes = get_store().rdflib_graph(("shapes",))
    return page("contributions/kit.html", lang, classes=kit.kit_fields(shapes, lang), templates=kit.TEMPLATES)


@bp.get("/contribute/templates/<name>.ttl")
def template(name: str):
    """A commented Turtle template generated from the shapes (``?lang=fr|en``)."""
    if name not in kit.TEMPLATES:
        raise NotFound()
    lang = choose_language(request)
    store = get_store()
    text = store.memo(
        ("template", name, lang),
        lambda: kit.template(
            name,
            store.rdflib_graph(("shapes",)),
            store.rdflib_graph(("data", "ontology")),
            lang,
            current_app.config["BASE_IRI"],
        ),
    )
    response = Response(text, mimetype="text/turtle")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{lang}.ttl"'
    response.vary.add("Accept-Language")
    return response


def _read_turtle(lang: str) -> bytes | Response:
    try:
        data = body()
    except RequestEntityTooLarge:
        from server.validator.messages import text

        limit = current_app.config["MAX_CONTENT_LENGTH"]
        size = request.content_length or f"> {limit}"
        return answer(413, lang, text("too_large", lang, size=size, limit=limit))
    if data is None:
        return answer(415, lang, say("not_turtle", lang))
    return data


@bp.post("/contribute/review")
def review():
    """Check a file and show its report, the pages it would create or change, and the submission form."""
    lang = language()
    data = _read_turtle(lang)
    if isinstance(data, Response):
        return data
    report = validate(data, lang)
    previews = []
    if report.conforms:
        previews = _previews(data, lang)
    status = 200 if report.status in ("conforms", "does-not-conform") else 422
    text = data.decode("utf-8", "replace")
    return page("contributions/review.html", lang, status, report=report, previews=previews, turtle=text)


def _previews(data: bytes, lang: str):
    from server.contributions.preview import render_previews
    from server.validator.pipeline import replaced_values

    contribution = Graph().parse(data=data, format="turtle", publicID=current_app.config["BASE_IRI"])
    removed = replaced_values(judge(), contribution)
    return render_previews(current_app._get_current_object(), contribution, removed, lang)


def review_for_report(report) -> dict | None:
    """For the /validate HTML report of a conforming form upload: the page previews and what the
    submission form needs (offered to templates as ``contribution_review``); None elsewhere."""
    if not report.conforms or request.method != "POST" or request.mimetype not in FORM_TYPES:
        return None
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        upload.stream.seek(0)
        data = upload.stream.read()
    else:
        data = (request.form.get("text") or "").encode("utf-8")
    if not data.strip():
        return None
    lang = report.lang
    return {"previews": _previews(data, lang), "turtle": data.decode("utf-8", "replace"), "C": TEXTS[lang]}


def _rate_limit() -> str:
    return current_app.config["CONTRIBUTIONS_RATE_LIMIT"]


@bp.post("/contribute")
@limiter.limit(_rate_limit)
def submit():
    """Store a conforming file in the inbox: 201 with its number; 422 if it does not conform."""
    lang = language()
    data = _read_turtle(lang)
    if isinstance(data, Response):
        return data
    fields = metadata()
    if isinstance(fields, str):
        return answer(400, lang, say("bad_field", lang, field=fields))
    removals = _removals() if request.mimetype in FORM_TYPES else []  # a change's (removals.py)
    if removals is None:
        return answer(400, lang, say("bad_field", lang, field="removals"))
    report = validate(data, lang, removals)
    if not report.conforms:
        if wants_html():
            return page("contributions/review.html", lang, 422, report=report, previews=[], turtle="")
        return answer(422, lang, say("not_conform", lang), report=report.to_dict())
    earlier = _duplicate(data, removals_text(removals))
    if earlier is not None:
        return answer(409, lang, _repeated(earlier, lang), id=earlier.id)
    config = current_app.config
    try:
        number = inbox().add(
            data,
            report.to_dict(),
            lang=lang,
            max_pending=int(config["CONTRIBUTIONS_MAX_PENDING"]),
            max_pending_bytes=int(config["CONTRIBUTIONS_MAX_PENDING_BYTES"]),
            removals=removals_text(removals),
            **fields,
        )
    except QuotaExceeded as full:
        if full.kind == "count":
            return answer(429, lang, say("too_many", lang, limit=full.limit))
        return answer(507, lang, say("too_big", lang, limit=full.limit))
    response = answer(201, lang, say("received", lang, number=number), id=number, state="pending")
    response.headers["Location"] = f"/contributions/{number}"
    return response


def _duplicate(data: bytes, removals: str | None):
    """The earlier pending or accepted contribution this file repeats (duplicates.py), else None."""
    from server.contributions.duplicates import earlier_duplicate

    base = current_app.config["BASE_IRI"]
    graph = Graph().parse(data=data, format="turtle", publicID=base)  # it conforms: it parses
    cache = current_app.extensions.setdefault("ptce-form-normal-forms", {})
    return earlier_duplicate(inbox().list(), data, graph, base, cache, removals)


def _repeated(earlier, lang: str) -> str:
    from server.contributions.duplicates import TEXTS as REPEATED

    return REPEATED[lang].format(number=earlier.id, status=say(earlier.status, lang))


def _removals() -> list[tuple] | None:
    from server.contributions.removals import removals_part

    return removals_part(request.form, request.files, current_app.config["BASE_IRI"])


bp.register_error_handler(Busy, busy)


@bp.errorhandler(TooManyRequests)
def too_many_requests(error):
    """Flask-Limiter's refusal, in the client's language and format."""
    lang = language()
    response = answer(429, lang, say("rate_limited", lang))
    response.headers["Retry-After"] = "3600"
    return response
