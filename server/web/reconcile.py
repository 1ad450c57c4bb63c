"""A W3C Entity Reconciliation service (the protocol OpenRefine speaks): match spreadsheet cells to
poles, organisations and communes (by name or INSEE code)."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, request

from server.dataset import get_store
from server.languages import choose_language
from server.namespaces import IGEO, ORG, PREFIXES
from server.web.search import Entry, build_index, fold, search

bp = Blueprint("reconcile", __name__)

#: The types the service matches: W3C reconciliation type id -> (search kinds, French name, English name).
TYPES = {
    f"{PREFIXES['ptce']}Pole": ({"pole"}, "pôle territorial de coopération économique", "PTCE pole"),
    str(ORG.Organization): ({"organisation"}, "organisation", "organisation"),
    str(IGEO.Commune): ({"commune"}, "commune (nom ou code INSEE)", "town (name or INSEE code)"),
}
SHORT = {
    "pole": f"{PREFIXES['ptce']}Pole",
    "organisation": str(ORG.Organization),
    "commune": str(IGEO.Commune),
}
INSEE_PROPERTIES = {"insee", "codeINSEE", str(IGEO.codeINSEE)}
JSONP = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")


def manifest(root: str, base: str, lang: str) -> dict:
    """Return the service manifest (W3C Reconciliation API, versions 0.1 and 0.2)."""
    index = 1 if lang == "fr" else 2
    return {
        "versions": ["0.1", "0.2"],
        "name": "PTCE Graph",
        "identifierSpace": f"{base}id/",
        "schemaSpace": PREFIXES["ptce"],
        "defaultTypes": [{"id": type_id, "name": names[index]} for type_id, names in TYPES.items()],
        "view": {"url": f"{root}id/{{{{id}}}}"},
        "batchSize": 50,
    }


def _kinds(type_id: str | list | None) -> set[str] | None:
    if isinstance(type_id, list):
        type_id = type_id[0] if type_id else None
    if not type_id:
        return {kind for kinds, *_ in TYPES.values() for kind in kinds}
    type_id = SHORT.get(type_id, type_id)
    return TYPES[type_id][0] if type_id in TYPES else set()


def _type_of(entry: Entry, lang: str) -> list[dict]:
    index = 1 if lang == "fr" else 2
    return [
        {"id": type_id, "name": names[index]} for type_id, names in TYPES.items() if entry.kind in names[0]
    ]


def answer(index: list[Entry], query: dict, base: str, lang: str) -> dict:
    """Answer one query: candidates with id (the IRI's path after id/), name, types, score and match."""
    text = str(query.get("query", ""))
    kinds = _kinds(query.get("type"))
    limit = max(1, min(int(query.get("limit") or 5), 50))
    properties = [p for p in query.get("properties") or [] if isinstance(p, dict)]
    values = [p.get("v") for p in properties if str(p.get("pid")) in INSEE_PROPERTIES]
    codes = [str(v).strip() for value in values for v in (value if isinstance(value, list) else [value])]
    if kinds and "commune" in kinds and re.fullmatch(r"\d[\dAB]\d{3}", text.strip()):
        codes.append(text.strip())
    if codes:
        found = [(e, 100.0) for e in index if e.code in codes and e.kind in (kinds or {e.kind})][:limit]
    else:
        found = search(index, text, kinds, limit)
    exact = [e for e, s in found if s == 100.0]
    return {
        "result": [
            {
                "id": entry.iri.removeprefix(f"{base}id/"),
                "name": entry.label(lang),
                "type": _type_of(entry, lang),
                "score": score,
                "match": score == 100.0 and len(exact) == 1,
            }
            for entry, score in found
        ]
    }


def _reply(body: dict) -> Response:
    callback = request.values.get("callback", "")
    text = json.dumps(body, ensure_ascii=False)
    if callback and JSONP.match(callback):
        return Response(f"{callback}({text});", mimetype="application/javascript")
    response = Response(text, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile():
    """The manifest without parameters; answers to ``queries`` (a JSON object of queries) otherwise."""
    store, lang = get_store(), choose_language(request)
    raw = request.values.get("queries") or request.values.get("query")
    if not raw:
        return _reply(manifest(request.url_root, store.base_iri, lang))
    try:
        queries = json.loads(raw)
    except ValueError:
        queries = {"q0": {"query": raw}} if "query" in request.values else None
    if "query" in request.values and isinstance(queries, dict) and "query" in queries:
        queries = {"q0": queries}  # version 0.1: one query given alone
    if not isinstance(queries, dict) or not all(isinstance(q, dict) for q in queries.values()):
        return Response(
            '{"error": "queries must be a JSON object of query objects"}', 400, mimetype="application/json"
        )
    index = store.memo("search_index", lambda: build_index(store))
    answers = {key: answer(index, query, store.base_iri, lang) for key, query in list(queries.items())[:100]}
    if "query" in request.values and list(answers) == ["q0"]:
        return _reply(answers["q0"])
    return _reply(answers)


def init_app(app) -> None:
    """Register the reconciliation service."""
    app.register_blueprint(bp)


__all__ = ["answer", "fold", "manifest"]
