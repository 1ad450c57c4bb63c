"""Serving documents: the Document model, per-app page state, negotiation, 303/404/406 and caching headers.

Shared by the ``/id`` and ``/doc`` routes (:mod:`server.web.resources`) and the vocabulary and dataset
documents (:mod:`server.web.published`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Response, current_app, redirect, request, stream_with_context
from rdflib import Graph
from werkzeug.http import is_resource_modified
from werkzeug.urls import iri_to_uri

from server.dataset.sources import fingerprint
from server.formats import serialize_graph
from server.languages import LANGUAGES, choose_language
from server.web import rendering as context
from server.web.dataset_docs import DumpCache, last_modified
from server.web.describe import DOCUMENT_PREFIXES, new_graph
from server.web.negotiation import FORMATS, UnknownFormat, available_types, choose_format
from server.web.streaming import serialize_blocks

RDF_FORMATS = tuple(key for key in FORMATS if key != "html")


@dataclass
class Document:
    """An information resource: its local path (URI form, no suffix), its graph and its HTML page.

    A document with ``blocks`` (its graph's triples as pyoxigraph blocks) is streamed in the RDF formats.
    """

    path: str
    graph: Callable[[], Graph]
    html: Callable[[Graph, str, str], str]
    page_graph: Callable[[], Graph] | None = None  # a lighter graph for the HTML page, if it has one
    blocks: Callable[[], Iterator[list[ox.Triple]]] | None = None


class PagesState:
    """Per-app values computed once: dataset fingerprint, modification date, dumps, cached graphs."""

    def __init__(self, app):
        store = app.extensions["ptce"]
        self.fingerprint = fingerprint(store.sources)
        self.last_modified = last_modified(store)
        self.dumps = DumpCache(store)
        self.graphs: dict[str, Graph] = {}


def state() -> PagesState:
    """Return the app's pages state."""
    return current_app.extensions["ptce-pages"]


def base_iri() -> str:
    """Return the IRI space we publish (config BASE_IRI)."""
    return current_app.config["BASE_IRI"]


def raw_path() -> str:
    """Return the request path exactly as sent (percent-encoding kept), without the query string."""
    raw = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI")
    if not raw:
        return iri_to_uri(request.path)
    path = raw.split("?", 1)[0]
    return path if path.startswith("/") else urlsplit(path).path


def lang_query() -> str:
    """Return ``?lang=xx`` to carry into redirects (only fr/en pass)."""
    lang = request.args.get("lang", "")
    return f"?lang={lang}" if lang in LANGUAGES else ""


# -- responses -------------------------------------------------------------------------------------


def alternates(path: str) -> str:
    """Return a Link header value announcing every format of a document."""
    links = [f'<{path}.{key}>; rel="alternate"; type="{fmt.media_type}"' for key, fmt in FORMATS.items()]
    return ", ".join(links)


def not_acceptable(formats: tuple[str, ...] = tuple(FORMATS)) -> Response:
    """Answer 406 listing the media types we can send."""
    listing = "\n".join(available_types(formats))
    body = f"406 Not Acceptable. This resource is available as:\n{listing}\n"
    response = Response(body, 406, mimetype="text/plain")
    response.vary.add("Accept")
    return response


def negotiated_format(fixed: str | None = None) -> str | Response:
    """Return the fixed (suffix) format, or the one the request asks for, or a 406 response."""
    if fixed:
        return fixed
    try:
        chosen = choose_format(request)
    except UnknownFormat:
        chosen = None
    return chosen or not_acceptable()


def render(document: Document, key: str, lang: str) -> Response:
    """Build the body of a document in a format."""
    if key == "html":
        graph = (document.page_graph or document.graph)()
        return Response(document.html(graph, lang, document.path), mimetype="text/html")
    if document.blocks is not None:  # read its first block now: a failing engine is still a 503
        chunks = serialize_blocks(document.blocks(), key, DOCUMENT_PREFIXES)
        return Response(stream_with_context(chunks), mimetype=FORMATS[key].media_type)
    return Response(serialize_graph(document.graph(), key), mimetype=FORMATS[key].media_type)


def serve(document: Document, fixed: str | None = None) -> Response:
    """Answer a document request: negotiation, alternates, ETag/Last-Modified and 304."""
    key = negotiated_format(fixed)
    if isinstance(key, Response):
        return key
    lang = choose_language(request)
    tag = hashlib.sha256(f"{state().fingerprint}|{document.path}|{key}|{lang}".encode()).hexdigest()[:32]
    if not is_resource_modified(request.environ, etag=tag, last_modified=state().last_modified):
        response = Response(status=304)
    else:
        response = render(document, key, lang)
    response.set_etag(tag)
    response.last_modified = state().last_modified
    response.headers["Link"] = alternates(document.path)
    if key == "html":
        response.content_language.add(lang)
        response.vary.add("Accept-Language")  # also for /doc/x.html: the language is still negotiated
    if not fixed:
        response.headers["Content-Location"] = f"{document.path}.{key}"
        response.vary.update(("Accept", "Accept-Language"))
    return response


def not_found(iri: str, fixed: str | None = None) -> Response:
    """Answer 404 in the negotiated format (an empty, parseable RDF document or an HTML page)."""
    key = negotiated_format(fixed)
    if isinstance(key, Response):
        return key
    if key == "html":
        lang = choose_language(request)
        response = Response(context.page("error.html", lang, None, iri=iri, status=404), mimetype="text/html")
        response.vary.add("Accept-Language")
    else:
        body = serialize_graph(new_graph(), key)
        if key in ("ttl", "nt"):
            body = f"# 404 Not Found: <{iri_to_uri(iri)}> is not described in this dataset\n" + body
        response = Response(body, mimetype=FORMATS[key].media_type)
    response.status_code = 404
    if not fixed:
        response.vary.add("Accept")
    return response


def see_other(doc_path: str) -> Response:
    """Answer 303 See Other to the document in the negotiated format (always a path on this origin)."""
    key = negotiated_format()
    if isinstance(key, Response):
        return key
    response = redirect(f"{doc_path}.{key}{lang_query()}", 303)
    response.vary.add("Accept")
    return response


def split_suffix(path: str) -> tuple[str, str | None]:
    """Split a known format suffix off a path.

    >>> split_suffix("pole/x.ttl"), split_suffix("pole/x"), split_suffix("pole/x.pdf")
    (('pole/x', 'ttl'), ('pole/x', None), ('pole/x.pdf', None))
    """
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in FORMATS and "/" not in suffix:
        return stem, suffix
    return path, None
