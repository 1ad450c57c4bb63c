"""The SPARQL 1.1 Protocol endpoint at /sparql: query, service description, query UI; read-only and guarded.

Request handling (this module): decode the parameters exactly once (strict UTF-8), check the protocol
(one ``query``, no update), negotiate the format. Guard: :mod:`server.sparql.guard`. Evaluation by
Oxigraph in a pre-forked worker process with a hard time limit: :mod:`server.sparql.execution`. Formats:
:mod:`server.sparql.formats`. Service description (rdflib-endpoint): :mod:`server.sparql.description`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import wrap_file

from server.dataset import get_store
from server.formats import RDF_FORMATS, serialize_graph
from server.namespaces import PREFIXES, sparql_prologue
from server.sparql.description import description_template, service_description
from server.sparql.examples import EXAMPLES
from server.sparql.execution import Dataset, QueryFailed
from server.sparql.formats import DESCRIPTION_FORMATS, formats_for, negotiate
from server.sparql.guard import QueryRejected, check_query
from server.sparql.lanes import answer_query, init_lanes, start_workers  # noqa: F401 - start_workers: API
from server.sparql.spill import SpillArea

bp = Blueprint("sparql", __name__)
log = logging.getLogger(__name__)

OVERRIDE_PARAMS = ("format", "output", "results")
UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
EXPOSED_HEADERS = "X-Row-Limit, X-Result-Truncated, Warning"
FORM = "application/x-www-form-urlencoded"


@dataclass
class ProtocolRequest:
    """The decoded parameters of a SPARQL protocol request."""

    params: dict[str, list[str]] = field(default_factory=dict)
    query: str | None = None

    def values(self, name: str) -> list[str]:
        """All values of one parameter."""
        return self.params.get(name, [])


def _decode_params(raw: bytes, where: str) -> dict[str, list[str]]:
    try:
        text = raw.decode("utf-8")  # raw bytes, then the %-escapes: both must be UTF-8
        pairs = parse_qsl(
            text, keep_blank_values=True, max_num_fields=1000, encoding="utf-8", errors="strict"
        )
        params: dict[str, list[str]] = {}
        for key, value in pairs:
            params.setdefault(key, []).append(value)
        return params
    except UnicodeDecodeError:
        raise QueryFailed(400, f"The {where} is not valid UTF-8.") from None
    except ValueError:
        raise QueryFailed(400, f"The {where} has too many parameters.") from None


def read_protocol_request() -> ProtocolRequest:
    """Decode a GET/POST protocol request once (strict UTF-8); raise QueryFailed for a protocol error."""
    url_params = _decode_params(request.environ.get("QUERY_STRING", "").encode("latin-1"), "URL query string")
    proto = ProtocolRequest(url_params)
    if request.method == "POST":
        body = request.get_data(cache=True)
        if request.mimetype == FORM:
            body_params = _decode_params(body, "form body")
            if "query" in url_params and "query" in body_params:
                raise QueryFailed(400, "Give the query parameter once, in the body or in the URL, not both.")
            for key, values in body_params.items():
                proto.params.setdefault(key, []).extend(values)
        elif request.mimetype == "application/sparql-update":
            raise QueryFailed(403, "This endpoint is read-only: SPARQL Update operations are not accepted.")
        elif request.mimetype == "application/sparql-query":
            if "query" in url_params:
                raise QueryFailed(
                    400, "With application/sparql-query the query is the body: no query parameter."
                )
            try:
                proto.query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise QueryFailed(400, "The query body is not valid UTF-8.") from None
        elif body:
            raise QueryFailed(415, f"Send the query as {FORM} or application/sparql-query.")
    if any(name in proto.params for name in UPDATE_PARAMS):
        raise QueryFailed(403, "This endpoint is read-only: SPARQL Update operations are not accepted.")
    if proto.query is None:
        queries = proto.values("query")
        if len(queries) > 1:
            raise QueryFailed(400, "Exactly one query parameter is allowed.")
        proto.query = queries[0] if queries else None
    return proto


def _dataset(proto: ProtocolRequest) -> Dataset | None:
    defaults, named = proto.values("default-graph-uri"), proto.values("named-graph-uri")
    if not defaults and not named:
        return None
    for iri in defaults + named:
        if not iri or any(c in iri for c in ' <>"{}|^`\\') or ":" not in iri:
            raise QueryFailed(400, f"Not an absolute IRI: {iri!r}")
    return Dataset(tuple(defaults), tuple(named))


def error_response(status: int, message: str, line: int | None = None, column: int | None = None) -> Response:
    """An error as JSON (when the client prefers JSON) or plain text, never with internal details."""
    accept = request.accept_mimetypes
    if accept and accept.best_match(
        ["text/plain", "application/json", "application/sparql-results+json"]
    ) not in (
        None,
        "text/plain",
    ):
        body = {"error": message, "status": status}
        if line is not None:
            body.update(line=line, column=column)
        response = Response(json.dumps(body), status, mimetype="application/json")
    else:
        response = Response(message + "\n", status, mimetype="text/plain")
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def _ui(query: str | None = None) -> Response:
    config = current_app.config
    endpoint = request.base_url
    examples = [{"id": e.id, "title": e.title, "query": e.query} for e in EXAMPLES]
    default = (
        sparql_prologue()
        + "\nSELECT ?pole ?name WHERE {\n  ?pole a ptce:Pole ; rdfs:label ?name .\n} LIMIT 20\n"
    )
    page_config = {"endpoint": endpoint, "examples": examples, "query": query or default, "run": bool(query)}
    html = render_template(
        "sparql/sparql.html",
        config=page_config,
        endpoint=endpoint,
        examples=EXAMPLES,
        timeout=f"{float(config['SPARQL_TIMEOUT']):g}",
        row_limit=config["SPARQL_ROW_LIMIT"],
        prefixes=list(PREFIXES),
    )
    return Response(html, mimetype="text/html")


def _description(proto: ProtocolRequest) -> Response:
    accept = request.accept_mimetypes
    candidates = [fmt.media_type for fmt in DESCRIPTION_FORMATS]
    if accept and accept.best_match([*candidates, "text/html"]) == "text/html":
        return _ui()
    fmt = negotiate(accept, DESCRIPTION_FORMATS, [v for p in OVERRIDE_PARAMS for v in proto.values(p)])
    if fmt is None:
        return error_response(406, "Acceptable service description formats: " + ", ".join(candidates))
    store = get_store()
    template = store.memo("service-description", lambda: description_template(store.graph_sizes()))
    graph = service_description(template, request.base_url)
    body = serialize_graph(graph, fmt.key)
    return Response(body, mimetype=fmt.media_type)


def _answer(proto: ProtocolRequest) -> Response:
    config = current_app.config
    checked = check_query(
        proto.query, int(config["SPARQL_MAX_QUERY_LENGTH"]), int(config["SPARQL_MAX_DEPTH"])
    )
    formats = formats_for(checked.form)
    accept = request.accept_mimetypes
    if (
        request.method == "GET"
        and accept.best_match([f.media_type for f in formats] + ["text/html"]) == "text/html"
    ):
        return _ui(proto.query)
    fmt = negotiate(accept, formats, [v for p in OVERRIDE_PARAMS for v in proto.values(p)])
    if fmt is None:
        return error_response(
            406, "Acceptable formats for this query: " + ", ".join(f.media_type for f in formats)
        )
    answer = answer_query(checked, fmt.key, _dataset(proto))
    if answer is None:
        return error_response(503, "The server is busy with other queries; try again shortly.")
    text_type = fmt.media_type.startswith("text/") or fmt.key in RDF_FORMATS
    mimetype = fmt.media_type + ("; charset=utf-8" if text_type else "")
    headers = {"Content-Type": mimetype, **answer.headers}
    if len(answer.body) <= int(config["SPARQL_SPILL_THRESHOLD"]):
        return Response(answer.body, 200, headers=headers)
    spilled = current_app.extensions["ptce.sparql_spill"].spill(answer.body)
    if spilled is None:
        return error_response(503, "The server holds too many large answers not yet read; try again shortly.")
    response = Response(wrap_file(request.environ, spilled), 200, headers=headers, direct_passthrough=True)
    response.content_length = spilled.size
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], strict_slashes=False)
def endpoint():
    """Answer a SPARQL query, or give the service description or the query UI when there is no query."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": "GET, POST, HEAD, OPTIONS"})
    try:
        proto = read_protocol_request()
        if proto.query is None:
            if proto.values("default-graph-uri") or proto.values("named-graph-uri"):
                raise QueryFailed(400, "The query parameter is missing.")
            return _description(proto)
        return _answer(proto)
    except QueryRejected as rejected:
        return error_response(rejected.status, rejected.message)
    except QueryFailed as failure:
        return error_response(failure.status, failure.message, failure.line, failure.column)
    except HTTPException as http_error:
        return error_response(http_error.code or 400, http_error.description or http_error.name)
    except Exception:  # noqa: BLE001 - log the details, give the client no internals
        log.exception("SPARQL request failed")
        return error_response(500, "The server failed to answer this request.")


@bp.after_request
def add_protocol_headers(response: Response) -> Response:
    """CORS for any origin without credentials (with preflight), and Vary: Accept."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Accept")
    return response


def init_app(app) -> None:
    """Register /sparql, and how many queries each lane evaluates at once (:mod:`server.sparql.lanes`)."""
    app.extensions["ptce.sparql_spill"] = SpillArea(int(app.config["SPARQL_SPILL_LIMIT"]))
    init_lanes(app)
    app.register_blueprint(bp)
