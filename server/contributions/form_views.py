"""The pole form on the web: GET /contribute/pole (new, or ``?edit=`` prefilled from the graph), POST
/contribute/pole/preview (messages next to the fields, the Turtle, the full report one click away), POST
/contribute/pole (the same validation and inbox as files, duplicates refused), and its pickers
(/communes.json, /contribute/schemes.json)."""

from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, jsonify, request
from rdflib import Graph, URIRef
from werkzeug.exceptions import NotFound

from server.contributions import submission as files
from server.contributions.duplicates import earlier_duplicate
from server.contributions.form import PoleForm, pole_form
from server.contributions.form_graph import labels_graph, organisation_finder, prefill, resolve_pole
from server.contributions.form_texts import FORM_TEXTS
from server.contributions.form_turtle import build, turtle
from server.contributions.form_values import Checker, Submission, read, summary
from server.contributions.picker import commune_index, find_communes, label_of
from server.contributions.removals import form_removals, removals_text, removed_in_words
from server.contributions.texts import say
from server.dataset import get_store
from server.languages import choose_language

bp = Blueprint("contribute_form", __name__)
bp.register_error_handler(files.Busy, files.busy)


def _lang(form: bool = False) -> str:
    return choose_language(request, form)


def _model(lang: str) -> PoleForm:
    store = get_store()
    return store.memo(
        ("pole-form", lang),
        lambda: pole_form(store.rdflib_graph(("shapes",)), labels_graph(store), lang),
    )


def _render(lang: str, model: PoleForm, sub: Submission, status: int = 200, **values) -> Response:
    title_name = values.pop("title_name", "")
    return files.page(
        "contributions/form.html",
        lang,
        status,
        F=FORM_TEXTS[lang],
        model=model,
        sub=sub,
        errors=values.pop("errors", {}),
        title_name=title_name,
        **values,
    )


@bp.get("/contribute/pole")
def form():
    """The pole form: empty, or prefilled from the graph with ``?edit=<pole IRI or slug>``."""
    lang, store = _lang(), get_store()
    model = _model(lang)
    if commune_index.cache_info().currsize == 0:  # about 1 s, while the person reads the page
        threading.Thread(target=commune_index, daemon=True).start()
    sub, title_name = Submission(), ""
    if request.args.get("edit"):
        pole = resolve_pole(store, request.args["edit"])
        if pole is None:
            raise NotFound()
        sub, title_name = prefill(store, pole, model, lang)
    response = _render(lang, model, sub, title_name=title_name)
    response.vary.add("Accept-Language")
    return response


def _check(lang: str, model: PoleForm):
    """Read and check the submitted form; return (submission, errors, title name)."""
    store = get_store()
    sub = read(request.form, model)
    checker = Checker(model, lang, *organisation_finder(store))
    errors = checker.check(sub)
    title_name = ""
    if sub.edit:
        pole = resolve_pole(store, sub.edit)
        if pole is None:
            errors.setdefault("edit", []).append(FORM_TEXTS[lang]["unknown_pole"].format(value=sub.edit))
        else:
            sub.edit, title_name = str(pole), sub.one("rdfs_label")
    return sub, errors, title_name


def _exists(iri: str) -> bool:
    return get_store().ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


def _graph(sub: Submission, model: PoleForm, lang: str) -> Graph:
    labels = labels_graph(get_store())
    names = {m.role: label_of(labels, URIRef(m.role), "fr") for m in sub.members if m.role}
    return build(sub, model, current_app.config["BASE_IRI"], _exists, names, lang)


def _field_problems(report, graph: Graph, model: PoleForm, sub: Submission) -> tuple[dict, list]:
    """The validator's violations on the pole's fields, by field key; the others as a list."""
    keys = {str(f.path): f.key for f in model.fields()}
    poles = {str(s) for s in graph.subjects() if str(s).rsplit("/", 2)[-2:-1] == ["pole"]}
    by_field: dict[str, list[str]] = {}
    others = []
    for problem in report.violations:
        key = keys.get(problem.path or "") if problem.focus in poles else None
        if key:
            by_field.setdefault(key, []).append(problem.message)
        else:
            others.append(problem)
    return by_field, others


def _duplicate(data: bytes, graph: Graph, removals: list[tuple]):
    """The earlier pending or accepted contribution this one repeats (same statements, same removals)."""
    cache = current_app.extensions.setdefault("ptce-form-normal-forms", {})
    base = current_app.config["BASE_IRI"]
    return earlier_duplicate(files.inbox().list(), data, graph, base, cache, removals_text(removals))


def _removals(sub: Submission, graph: Graph, model: PoleForm, lang: str) -> list[tuple]:
    """What an edit of an existing pole takes away from the live graph (none for a new pole)."""
    if not sub.edit:
        return []
    return form_removals(get_store().rdflib_graph(("data",)), URIRef(sub.edit), graph, model, lang)


def _prepare(lang: str):
    """Check, build, validate and look for duplicates; return the values for the pages."""
    model = _model(lang)
    sub, errors, title_name = _check(lang, model)
    values = {"model": model, "sub": sub, "errors": errors, "title_name": title_name}
    if errors:
        return values
    graph = _graph(sub, model, lang)
    text = turtle(graph)
    removals = _removals(sub, graph, model, lang)
    report = files.validate(text.encode("utf-8"), lang, removals)
    by_field, others = _field_problems(report, graph, model, sub)
    for key, messages in by_field.items():
        errors.setdefault(key, []).extend(messages)
    earlier = _duplicate(text.encode("utf-8"), graph, removals) if report.conforms else None
    values.update(report=report, others=others, turtle=text, graph=graph, earlier=earlier, removals=removals)
    return values


def _form_again(lang: str, values: dict, status: int = 422) -> Response:
    return _render(lang, values.pop("model"), values.pop("sub"), status, **values)


@bp.post("/contribute/pole/preview")
def preview():
    """Check the form: the messages next to the fields, or the description to propose and its Turtle."""
    lang = _lang(True)
    if request.form.get("back"):  # from the preview, back to the filled form
        model = _model(lang)
        sub, _, title_name = _check(lang, model)
        return _render(lang, model, sub, title_name=title_name)
    values = _prepare(lang)
    if values["errors"] or not values["report"].conforms:
        return _form_again(lang, values, 200)  # a page to fix, not a failed request (no console error)
    status = 200  # a duplicate is said on the page; POST /contribute/pole refuses it with 409
    words = FORM_TEXTS[lang]
    lines = summary(values["sub"], values["model"], words)
    removed = []
    if values["removals"]:
        live, pole = get_store().rdflib_graph(("data",)), URIRef(values["sub"].edit)
        removed = removed_in_words(values["removals"], pole, values["model"], live, lang)
    return files.page(
        "contributions/form_preview.html", lang, status, F=words, summary=lines, removed=removed, **values
    )


@bp.post("/contribute/pole")
@files.limiter.limit(lambda: current_app.config["CONTRIBUTIONS_RATE_LIMIT"])
def submit():
    """Propose the form's description: validated again, refused if it repeats a pending or accepted one."""
    from server import health

    lang = _lang(True)
    if health.degraded():
        response = files.answer(503, lang, health.explain(lang))
        response.headers["Retry-After"] = "300"
        return response
    fields = files.metadata()
    if isinstance(fields, str):
        return files.answer(400, lang, say("bad_field", lang, field=fields))
    values = _prepare(lang)
    if values["errors"] or not values["report"].conforms:
        return _form_again(lang, values)
    if values["earlier"] is not None:
        words = FORM_TEXTS[lang]
        state = say(values["earlier"].status, lang)
        message = words["duplicate"].format(number=values["earlier"].id, status=state)
        return files.answer(409, lang, message, id=values["earlier"].id)
    return _store(lang, values, fields)


def _store(lang: str, values: dict, fields: dict) -> Response:
    config = current_app.config
    data = values["turtle"].encode("utf-8")
    try:
        number = files.inbox().add(
            data,
            values["report"].to_dict(),
            lang=lang,
            max_pending=int(config["CONTRIBUTIONS_MAX_PENDING"]),
            max_pending_bytes=int(config["CONTRIBUTIONS_MAX_PENDING_BYTES"]),
            removals=removals_text(values.get("removals") or ()),
            **fields,
        )
    except files.QuotaExceeded as full:
        if full.kind == "count":
            return files.answer(429, lang, say("too_many", lang, limit=full.limit))
        return files.answer(507, lang, say("too_big", lang, limit=full.limit))
    title = say("received_title", lang)
    response = files.answer(
        201, lang, say("received", lang, number=number), id=number, state="pending", title=title
    )
    response.headers["Location"] = f"/contributions/{number}"
    return response


@bp.get("/communes.json")
def communes():
    """The commune picker: every official commune by name, postcode or INSEE code (``?q=``), best first."""
    limit = min(max(request.args.get("limit", 10, type=int), 1), 50)
    found = find_communes(request.args.get("q", "")[:100], limit)
    response = jsonify({"query": request.args.get("q", ""), "results": [c.as_json() for c in found]})
    response.cache_control.max_age = 3600
    return response


@bp.get("/contribute/schemes.json")
def schemes():
    """The form's lists (legal forms, sectors, characteristics, roles, categories) in the page's language."""
    lang = _lang()
    model = _model(lang)
    fields = [*model.fields(), *model.member, *model.organisation]
    lists = {f.key: [{"value": c.value, "label": c.label} for c in f.choices] for f in fields if f.choices}
    return jsonify({"lang": lang, "lists": lists})
