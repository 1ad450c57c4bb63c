"""Streamed RDF documents: Oxigraph's serializers spliced block by block, the same triples as describe()."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from server.dataset.base import BackendError, to_rdflib
from server.web.describe import DOCUMENT_PREFIXES, describe, document_blocks
from server.web.streaming import serialize_blocks
from tests.helpers.pages import BASE, CAFE, CAFE_DOC, pages_app, pages_client

__all__ = ["pages_app", "pages_client"]

PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
EX = "https://example.org/"
TRIPLES = [
    ox.Triple(
        ox.NamedNode(BASE + "id/pole/a"),
        ox.NamedNode(DOCUMENT_PREFIXES["rdf"] + "type"),
        ox.NamedNode(DOCUMENT_PREFIXES["ptce"] + "Pole"),
    ),
    ox.Triple(
        ox.NamedNode(BASE + "id/pole/a"),
        ox.NamedNode(DOCUMENT_PREFIXES["rdfs"] + "label"),
        ox.Literal('Café "1" <b>', language="fr"),
    ),
    ox.Triple(
        ox.NamedNode(BASE + "id/pole/a"),
        ox.NamedNode(DOCUMENT_PREFIXES["org"] + "hasMembership"),
        ox.BlankNode("m1"),
    ),
    ox.Triple(
        ox.BlankNode("m1"),
        ox.NamedNode(EX + "p/1x"),
        ox.Literal("4.5", datatype=ox.NamedNode(DOCUMENT_PREFIXES["xsd"] + "decimal")),
    ),
    ox.Triple(
        ox.NamedNode(EX + "b"), ox.NamedNode(DOCUMENT_PREFIXES["schema"] + "name"), ox.Literal("B\nline")
    ),
]


def rdflib_graph(triples) -> Graph:
    """The triples as an rdflib graph."""
    graph = Graph()
    for triple in triples:
        graph.add(tuple(to_rdflib(term) for term in triple))
    return graph


def parse(body: bytes, key: str) -> Graph:
    """Parse a document's bytes in one of the graph formats."""
    return Graph().parse(data=body.decode("utf-8"), format=PARSERS[key])


@pytest.mark.parametrize("key", PARSERS)
def test_blocks_are_spliced_into_one_document(key):
    blocks = [TRIPLES[:2], [], TRIPLES[2:4], TRIPLES[4:]]
    body = b"".join(serialize_blocks(iter(blocks), key, DOCUMENT_PREFIXES))
    assert isomorphic(parse(body, key), rdflib_graph(TRIPLES))
    if key == "ttl":
        assert body.count(b"@prefix ptce:") == 1 and body.startswith(b"@prefix ")
    elif key == "rdf":
        assert body.count(b"<rdf:RDF") == 1 and body.rstrip().endswith(b"</rdf:RDF>")
    elif key == "jsonld":
        assert len(json.loads(body)) == 4  # one array: a node object per subject and block


@pytest.mark.parametrize("key", PARSERS)
def test_an_empty_document_parses(key):
    body = b"".join(serialize_blocks(iter([[], []]), key, DOCUMENT_PREFIXES))
    assert len(parse(body, key)) == 0


@pytest.mark.parametrize("key", PARSERS)
def test_the_streamed_document_holds_the_triples_of_describe(pages_app, pages_client, key):
    response = pages_client.get(f"{CAFE_DOC}.{key}")
    assert response.status_code == 200 and response.is_streamed
    expected = describe(
        pages_app.extensions["ptce"], CAFE, BASE + "doc/pole/café-solidaire", BASE + "dataset"
    )
    graph = parse(response.get_data(), key)
    assert len(graph) == len(expected) and isomorphic(graph, expected)


@pytest.mark.parametrize("round_trips", [False, True], ids=["embedded", "context-in-one-query"])
@pytest.mark.parametrize("batch", [1, 2, 1000])
@pytest.mark.parametrize(
    "iri", [CAFE, BASE + "id/characteristic/ancrage-territorial", BASE + "id/organisation/mairie"]
)
def test_every_batch_size_gives_each_triple_of_describe_once(pages_app, monkeypatch, iri, batch, round_trips):
    """The same triples however incoming links are cut, and with the context of the subjects linking to the
    resource read in one query, as on an external engine (``page_views``)."""
    store = pages_app.extensions["ptce"]
    monkeypatch.setattr(store, "page_views", round_trips, raising=False)
    blocks = list(document_blocks(store, iri, BASE + "doc/x", BASE + "dataset", batch=batch))
    triples = [triple for block in blocks for triple in block]
    assert max(Counter(triples).values()) == 1
    expected = describe(store, iri, BASE + "doc/x", BASE + "dataset")
    assert {tuple(to_rdflib(term) for term in triple) for triple in triples} == set(expected)


def test_an_engine_failure_is_a_503_before_any_byte(pages_app, pages_client, monkeypatch):
    store = pages_app.extensions["ptce"]
    query = store.query

    def failing(sparql, **options):
        if sparql.lstrip().startswith("CONSTRUCT"):
            raise BackendError("the SPARQL engine is unreachable (test)")
        return query(sparql, **options)

    monkeypatch.setattr(store, "query", failing)
    response = pages_client.get(f"{CAFE_DOC}.ttl")
    assert response.status_code == 503 and b"unreachable (test)" in response.get_data()


def test_an_engine_failure_after_the_first_byte_is_never_a_complete_document(
    pages_app, pages_client, monkeypatch
):
    store = pages_app.extensions["ptce"]
    query = store.query

    def failing(sparql, **options):
        if "CONSTRUCT { ?s ?p ?r }" in sparql:  # the incoming links, read after the first byte
            raise BackendError("the SPARQL engine is unreachable (test)")
        return query(sparql, **options)

    monkeypatch.setattr(store, "query", failing)
    response = pages_client.get(f"{CAFE_DOC}.ttl")
    assert response.status_code == 200
    with pytest.raises(BackendError):  # the server drops the connection before the last chunk
        response.get_data()


def test_head_sends_no_body_and_the_same_headers(pages_client):
    get, head = pages_client.get(f"{CAFE_DOC}.jsonld"), pages_client.head(f"{CAFE_DOC}.jsonld")
    assert head.status_code == 200 and head.get_data() == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Link"):
        assert head.headers[name] == get.headers[name]
    assert get.headers["Content-Type"].startswith("application/ld+json")
