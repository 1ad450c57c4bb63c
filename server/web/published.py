"""Documents about the vocabulary and the dataset: /ontology, /shapes, /graph/<name>, VoID/DCAT, dumps."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, request
from rdflib import Graph, URIRef
from rdflib.namespace import OWL
from werkzeug.http import is_resource_modified
from werkzeug.urls import iri_to_uri, uri_to_iri
from werkzeug.wsgi import wrap_file

from server.dataset import get_store
from server.web import rendering as context
from server.web.dataset_docs import dataset_description, dump_media_type
from server.web.describe import new_graph
from server.web.documents import (
    Document,
    base_iri,
    not_found,
    raw_path,
    see_other,
    serve,
    split_suffix,
    state,
)

bp = Blueprint("published", __name__)


def named_graph(iri: str) -> Graph:
    """Return (and cache) the triples of one named graph of the store as an rdflib Graph."""
    cache = state().graphs
    if iri not in cache:
        graph = new_graph()
        graph += get_store().construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        cache[iri] = graph
    return cache[iri]


def graph_names(kind: str) -> list[str]:
    """Return the named graphs holding files of one kind (data, ontology, shapes)."""
    return [source.graph for source in get_store().sources if source.kind == kind]


def union_of(kind: str) -> Graph:
    """Return the union of the named graphs of one kind (cached)."""
    key = f"kind:{kind}"
    cache = state().graphs
    if key not in cache:
        graph = new_graph()
        for name in graph_names(kind):
            graph += named_graph(name)
        cache[key] = graph
    return cache[key]


def ontology_document() -> Document:
    """The vocabulary namespace document (hash terms resolve here)."""
    iri = current_app.config["ONTOLOGY_IRI"]
    return Document(
        "/ontology",
        lambda: union_of("ontology"),
        lambda g, lang, path: context.ontology_page(g, iri, lang, path),
    )


def shapes_document() -> Document:
    """The SHACL shapes document."""
    return Document(
        "/shapes", lambda: union_of("shapes"), lambda g, lang, path: context.shapes_page(g, lang, path)
    )


def void_document() -> Document:
    """The VoID + DCAT description of the dataset."""

    def graph() -> Graph:
        if "void" not in state().graphs:
            config = current_app.config
            state().graphs["void"] = dataset_description(get_store(), base_iri(), config["ONTOLOGY_IRI"])
        return state().graphs["void"]

    return Document(
        "/void", graph, lambda g, lang, path: context.resource_page(g, f"{base_iri()}dataset", lang, path)
    )


@bp.get("/ontology")
@bp.get("/ontology.<key>")
def ontology(key: str | None = None):
    """The ontology: HTML documentation or the OWL file in an RDF format."""
    return _fixed_or_404(ontology_document(), key)


@bp.get("/ontology/<version>")
def ontology_version(version: str):
    """The ontology's version IRI (``owl:versionIRI``): the same document while it is the current version."""
    stem, fixed = split_suffix(version)
    iri = URIRef(f"{current_app.config['ONTOLOGY_IRI']}/{stem}")
    if (None, OWL.versionIRI, iri) not in union_of("ontology"):
        return not_found(str(iri))
    return serve(ontology_document(), fixed)


@bp.get("/shapes")
@bp.get("/shapes.<key>")
def shapes(key: str | None = None):
    """The SHACL shapes: HTML overview or the shapes in an RDF format."""
    return _fixed_or_404(shapes_document(), key)


@bp.get("/void")
@bp.get("/void.<key>")
@bp.get("/.well-known/void")
def void(key: str | None = None):
    """The VoID/DCAT description (also at /.well-known/void)."""
    return _fixed_or_404(void_document(), key)


@bp.get("/dataset")
@bp.get("/catalog")
def dataset():
    """The dataset and catalogue IRIs: 303 to their description."""
    return see_other("/void")


def _fixed_or_404(document: Document, key: str | None) -> Response:
    if key is not None:
        _, fixed = split_suffix(f"x.{key}")
        if fixed is None:
            return not_found(f"{base_iri()}{document.path.lstrip('/')}.{key}")
        return serve(document, fixed)
    return serve(document)


@bp.get("/graph/<path:_name>")
def named_graph_document(_name: str):
    """A named graph (one source file) as a document."""
    name, fixed = split_suffix(uri_to_iri(raw_path().split("/graph/", 1)[1]))
    iri = f"{base_iri()}graph/{name}"
    if iri not in {source.graph for source in get_store().sources}:
        return not_found(iri, fixed)
    document = Document(
        f"/graph/{iri_to_uri(name)}",
        lambda: named_graph(iri),
        lambda g, lang, path: context.graph_page(g, iri, lang, path),
    )
    return serve(document, fixed)


@bp.get("/dumps/<name>")
def dump(name: str):
    """A dump of the whole dataset (written to disk on first request, then streamed from the file)."""
    media_type = dump_media_type(name)
    if media_type is None:
        return not_found(f"{base_iri()}dumps/{iri_to_uri(name)}")
    tag = hashlib.sha256(f"{state().fingerprint}|dump|{name}".encode()).hexdigest()[:32]
    if not is_resource_modified(request.environ, etag=tag, last_modified=state().last_modified):
        response = Response(status=304)
    else:
        path = state().dumps.path(name)
        stream = wrap_file(request.environ, path.open("rb"))  # the server streams it from disk
        response = Response(stream, mimetype=media_type, direct_passthrough=True)
        response.content_length = path.stat().st_size
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.set_etag(tag)
    response.last_modified = state().last_modified
    return response
