"""Whole-dataset dumps and the VoID/DCAT description, parsed back as graphs."""

from __future__ import annotations

import gzip

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from server.namespaces import DCAT, VOID
from tests.helpers.pages import BASE, pages_app, pages_client, parse_body

__all__ = ["pages_app", "pages_client"]

DUMPS = [("ptce.ttl", "turtle"), ("ptce.nt", "nt"), ("ptce.jsonld", "json-ld")]


def data_triples(app) -> int:
    """Count the distinct triples of the data graphs (the dumps' content)."""
    store = app.extensions["ptce"]
    graphs = " ".join(f"<{s.graph}>" for s in store.sources if s.kind == "data")
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
        f"{{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }} }}"
    )
    return int(store.select(query)[0]["n"])


@pytest.mark.parametrize(("name", "parser"), DUMPS)
@pytest.mark.parametrize("compressed", [False, True])
def test_dumps_hold_the_whole_dataset(pages_app, pages_client, name, parser, compressed):
    response = pages_client.get(f"/dumps/{name}{'.gz' if compressed else ''}")
    assert response.status_code == 200
    body = gzip.decompress(response.data) if compressed else response.data
    graph = Graph().parse(data=body.decode(), format=parser)
    assert len(graph) == data_triples(pages_app)
    assert (URIRef(BASE + "id/pole/café-solidaire"), RDF.type, None) in graph


def test_nquads_dump_keeps_the_named_graphs(pages_client):
    dataset = Dataset()
    dataset.parse(data=pages_client.get("/dumps/ptce.nq").get_data(as_text=True), format="nquads")
    assert URIRef(BASE + "graph/sample") in {g.identifier for g in dataset.graphs()}


def test_dumps_are_cached(pages_client):
    first = pages_client.get("/dumps/ptce.ttl")
    second = pages_client.get("/dumps/ptce.ttl")
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]


@pytest.mark.parametrize("path", ["/.well-known/void", "/void.ttl", "/void.jsonld"])
def test_void_and_dcat_description(pages_app, pages_client, path):
    graph = parse_body(pages_client.get(path, headers={"Accept": "text/turtle"}))
    dataset = URIRef(BASE + "dataset")
    assert {VOID.Dataset, DCAT.Dataset} <= set(graph.objects(dataset, RDF.type))
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert graph.value(dataset, VOID.triples) == Literal(data_triples(pages_app))
    assert graph.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(dataset, DCTERMS.publisher) is not None and graph.value(dataset, DCTERMS.modified)
    assert URIRef(BASE + "id/document/seed") in set(graph.objects(dataset, DCTERMS.source))
    assert set(graph.objects(dataset, VOID.exampleResource))
    assert graph.value(dataset, VOID.uriSpace) == Literal(BASE + "id/")
    dumps = set(graph.objects(dataset, VOID.dataDump))
    assert URIRef(BASE + "dumps/ptce.nt.gz") in dumps and len(dumps) == 8
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert graph.value(distribution, DCAT.downloadURL) == distribution
        assert graph.value(distribution, DCAT.mediaType) is not None
    service = graph.value(predicate=DCAT.servesDataset, object=dataset)
    assert graph.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")


def test_every_advertised_dump_is_served(pages_client):
    graph = parse_body(pages_client.get("/void.ttl"))
    for dump in graph.objects(URIRef(BASE + "dataset"), VOID.dataDump):
        assert pages_client.get(str(dump).removeprefix(BASE.rstrip("/"))).status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "media_type"),
    [
        ("/ontology/0.1.0", 200, "text/html"),
        ("/ontology/0.1.0.ttl", 200, "text/turtle"),
        ("/ontology/9.9.9", 404, "text/html"),
    ],
)
def test_ontology_version_iri_resolves(client, path, status, media_type):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == media_type
    if media_type == "text/turtle":
        graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
        assert (None, OWL.versionIRI, URIRef("https://w3id.org/ptce/ontology/0.1.0")) in graph
