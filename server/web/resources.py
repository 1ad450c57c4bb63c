"""Dereferenceable IRIs: things answer 303 to their documents; documents are negotiated (HTML or RDF)."""

from __future__ import annotations

from flask import Blueprint, current_app
from rdflib import Graph
from werkzeug.urls import iri_to_uri, uri_to_iri

from server.dataset import get_store
from server.dataset.base import QueryableStore
from server.web import rendering as context
from server.web.describe import describe, document_blocks, resource_exists
from server.web.documents import Document, base_iri, not_found, raw_path, see_other, serve, split_suffix
from server.web.page_view import page_store, view_cap

bp = Blueprint("resources", __name__)


# -- things and their documents --------------------------------------------------------------------


def thing_document(rest: str, store: QueryableStore | None = None) -> Document:
    """Return the document of the thing ``<base>id/<rest>`` (rest in IRI form), read from ``store`` (the app's
    store, or a page view of it)."""
    iri, base = f"{base_iri()}id/{rest}", base_iri()
    store = get_store() if store is None else store

    def graph(incoming_limit: int | None = None) -> Graph:
        return describe(store, iri, f"{base}doc/{rest}", f"{base}dataset", incoming_limit)

    return Document(
        f"/doc/{iri_to_uri(rest)}",
        graph,
        lambda g, lang, path: context.resource_page(g, iri, lang, path, store),
        lambda: graph(current_app.config["PAGE_LIST_LIMIT"]),
        lambda: document_blocks(store, iri, f"{base}doc/{rest}", f"{base}dataset"),
    )


@bp.route("/id/<path:_rest>")
def thing(_rest: str):
    """A thing's IRI: 303 See Other to its document in the negotiated format, or 404."""
    rest = uri_to_iri(raw_path().split("/id/", 1)[1])
    iri = f"{base_iri()}id/{rest}"
    if not resource_exists(get_store(), iri):
        return not_found(iri)
    return see_other(f"/doc/{iri_to_uri(rest)}")


@bp.route("/doc/<path:_rest>")
def document(_rest: str):
    """The document about a thing, negotiated (``/doc/x``) or in a fixed format (``/doc/x.ttl``)."""
    rest, fixed = split_suffix(uri_to_iri(raw_path().split("/doc/", 1)[1]))
    iri, config = f"{base_iri()}id/{rest}", current_app.config
    store = page_store(get_store(), iri, view_cap(config["PAGE_LIST_LIMIT"], config["MAP_POINT_LIMIT"]))
    if not resource_exists(store, iri):
        return not_found(iri, fixed)
    return serve(thing_document(rest, store), fixed)


@bp.route("/<path:_rest>")
def elsewhere(_rest: str):
    """Any other IRI under the base that we do not publish: 404 in the negotiated format."""
    return not_found(base_iri() + uri_to_iri(raw_path().lstrip("/")))


def init_app(app) -> None:
    """Register the ``/id`` and ``/doc`` routes and the catch-all 404 (after every other route)."""
    app.register_blueprint(bp)
