"""The validator on the web: GET /validate (upload or paste form) and POST /validate (API and form)."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.admission import Admission
from server.formats import RDF_FORMATS, serialize_graph
from server.languages import LANGUAGES, choose_language
from server.limits import default_slots
from server.validator.messages import text
from server.validator.render import short, to_graph, to_json
from server.validator.report import HTTP_STATUSES, INTERNAL_ERROR, INVALID_INPUT, Problem, Report

bp = Blueprint("contributions", __name__)
_lock = threading.Lock()

#: Output formats: media type → key; the first one wins for */*.
OUTPUTS = {
    "application/json": "json",
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "text/html": "html",
}
_ALIASES = {
    "json": "json",
    "turtle": "turtle",
    "ttl": "turtle",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "html": "html",
}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: Request bodies taken as Turtle (N-Triples is a subset of Turtle).
TURTLE_TYPES = {
    "text/turtle",
    "application/x-turtle",
    "application/turtle",
    "application/n-triples",
    "text/plain",
}

UI_TEXT = {
    "fr": {
        "title": "Valider un fichier Turtle",
        "file": "Fichier Turtle",
        "paste": "Ou collez le texte",
        "submit": "Valider",
        "lang": "Langue du rapport",
        "report": "Rapport de validation",
        "conforms": "Le fichier est conforme.",
        "does-not-conform": "Le fichier n'est pas conforme.",
        "invalid-input": "Le fichier ne peut pas être lu.",
        "error": "Erreur interne du validateur.",
        "summary": "Ce que le fichier ajouterait",
        "triples": "triplets dans le fichier",
        "new_triples": "nouveaux triplets",
        "new_resources": "Nouvelles ressources par classe",
        "changed": "Valeurs modifiées",
        "problems": "Problèmes",
        "line": "ligne",
        "column": "colonne",
        "focus": "Ressource",
        "path": "Propriété",
        "value": "Valeur",
        "fix": "Correction",
        "again": "Valider un autre fichier",
        "none": "Aucun problème.",
        "intro": "Le fichier est vérifié avec les formes SHACL de PTCE Graph, avec le jeu de données actuel. "
        "Rien n'est enregistré.",
        "api": "API : POST /validate avec un corps text/turtle.",
    },
    "en": {
        "title": "Validate a Turtle file",
        "file": "Turtle file",
        "paste": "Or paste the text",
        "submit": "Validate",
        "lang": "Report language",
        "report": "Validation report",
        "conforms": "The file conforms.",
        "does-not-conform": "The file does not conform.",
        "invalid-input": "The file cannot be read.",
        "error": "Internal error of the validator.",
        "summary": "What the file would add",
        "triples": "triples in the file",
        "new_triples": "new triples",
        "new_resources": "New resources by class",
        "changed": "Changed values",
        "problems": "Problems",
        "line": "line",
        "column": "column",
        "focus": "Resource",
        "path": "Property",
        "value": "Value",
        "fix": "Fix",
        "again": "Validate another file",
        "none": "No problem.",
        "intro": "The file is checked with the PTCE Graph SHACL shapes, together with the current dataset. "
        "Nothing is stored.",
        "api": "API: POST /validate with a text/turtle body.",
    },
}


def judge():
    """The shapes, ontology and live graph, built once per app from the store's cached graphs."""
    from server.dataset import get_store
    from server.validator.judge import judge_from_store

    with _lock:
        if "ptce-validator" not in current_app.extensions:
            current_app.extensions["ptce-validator"] = judge_from_store(get_store(), current_app.config)
        return current_app.extensions["ptce-validator"]


def _language(form: bool = False) -> str:
    return choose_language(request, form)


def _output() -> str:
    asked = (request.args.get("format") or "").lower()
    if asked in _ALIASES:
        return _ALIASES[asked]
    return OUTPUTS[request.accept_mimetypes.best_match(tuple(OUTPUTS), default="application/json")]


@bp.get("/validate")
def form():
    """The upload and paste form."""
    lang = _language()
    response = _page("validator/validate.html", lang, 200)
    response.vary.add("Accept-Language")
    return response


@bp.post("/validate")
def validate():
    """Validate the Turtle sent as the body, a multipart ``file``/``text`` or a form ``text`` field."""
    lang, output = _language(), _output()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        return _too_large(request.content_length, limit, lang, output)
    try:
        data = _body()
    except RequestEntityTooLarge:
        return _too_large(None, limit, lang, output)
    if data is None:
        return _refuse(415, lang, output)
    if request.mimetype in FORM_TYPES:
        lang = _language(form=True)
    from server.validator.pipeline import validate_with_judge

    admission = current_app.extensions["ptce.validations"]
    timeout = float(current_app.config["VALIDATION_TIMEOUT"])
    with admission.admitted() as admitted:
        if not admitted:
            return _busy(admission.retry_after(timeout), lang, output)
        report = validate_with_judge(data, judge(), lang=lang, timeout=timeout, max_bytes=limit)
    return _respond(report, output, HTTP_STATUSES[report.status])


def _body() -> bytes | None:
    mimetype = request.mimetype
    if mimetype in FORM_TYPES:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            return upload.read()
        return (request.form.get("text") or "").encode("utf-8")
    if mimetype in TURTLE_TYPES or not mimetype:
        return request.get_data(cache=False)
    return None


def _too_large(size, limit, lang, output):
    message = text("too_large", lang, size=size if size is not None else f"> {limit}", limit=limit)
    return _respond(Report(INVALID_INPUT, lang, (Problem("Violation", "input", message),)), output, 413)


def _busy(retry_after: int, lang: str, output: str) -> Response:
    message = {
        "fr": f"Le serveur valide déjà autant de fichiers qu'il le peut ; réessayez dans {retry_after} s.",
        "en": f"The server is already validating as many files as it can; try again in {retry_after} s.",
    }[lang]
    response = _respond(Report(INTERNAL_ERROR, lang, (Problem("Violation", "input", message),)), output, 503)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _refuse(status: int, lang: str, output: str):
    message = {
        "fr": "Envoyez du Turtle : un corps text/turtle, ou un formulaire avec « file » ou « text ».",
        "en": "Send Turtle: a text/turtle body, or a form with 'file' or 'text'.",
    }[lang]
    return _respond(Report(INVALID_INPUT, lang, (Problem("Violation", "input", message),)), output, status)


def _respond(report: Report, output: str, status: int) -> Response:
    if output == "html":
        response = _page("validator/report.html", report.lang, status, report=report)
    elif output == "json":
        response = Response(to_json(report), status, mimetype="application/json")
    else:
        fmt = RDF_FORMATS["ttl" if output == "turtle" else "jsonld"]
        response = Response(serialize_graph(to_graph(report), fmt.key), status, mimetype=fmt.media_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def _page(template: str, lang: str, status: int, **values) -> Response:
    other = LANGUAGES[1 - LANGUAGES.index(lang)]
    html = render_template(
        template, lang=lang, other_lang=other, formats=[], V=UI_TEXT[lang], short=short, **values
    )
    return Response(html, status, mimetype="text/html")


def init_app(app) -> None:
    """Register the validator's pages and API, and how many validations may run and wait at once."""
    config = app.config
    app.extensions["ptce.validations"] = Admission(
        default_slots(config["VALIDATION_CONCURRENCY"]),
        int(config["VALIDATION_QUEUE"]),
        float(config["VALIDATION_QUEUE_TIMEOUT"]),
    )
    app.register_blueprint(bp)
