"""Dereferencing IRIs: the negotiation matrix, RDF bodies as graphs, HEAD, 304, hostile paths, rapper."""

from __future__ import annotations

import http.client
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SKOS

from server.namespaces import ORG, PTCE, VOID
from server.web.describe import describe
from tests.helpers.pages import (
    BASE,
    CAFE,
    CAFE_DOC,
    CAFE_PATH,
    pages_app,
    pages_client,
    pages_live,
    parse_body,
)

__all__ = ["pages_app", "pages_client", "pages_live"]

TURTLE, HTML, JSONLD = "text/turtle", "text/html", "application/ld+json"
RDFXML, NT = "application/rdf+xml", "application/n-triples"
RAPPER_RDFXML = "application/rdf+xml, text/rdf;q=0.6, */*;q=0.1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# (path, Accept, status, content type, Location or None, Vary contains Accept)
MATRIX = [
    (CAFE_PATH, TURTLE, 303, None, f"{CAFE_DOC}.ttl", True),
    (CAFE_PATH, BROWSER, 303, None, f"{CAFE_DOC}.html", True),
    (CAFE_PATH, RAPPER_RDFXML, 303, None, f"{CAFE_DOC}.rdf", True),
    (CAFE_PATH, "text/turtle;q=0.5, application/ld+json", 303, None, f"{CAFE_DOC}.jsonld", True),
    (CAFE_PATH, NT, 303, None, f"{CAFE_DOC}.nt", True),
    (CAFE_PATH, "*/*", 303, None, f"{CAFE_DOC}.html", True),
    (CAFE_PATH + "?format=nt", HTML, 303, None, f"{CAFE_DOC}.nt", True),
    (CAFE_PATH + "?lang=en", HTML, 303, None, f"{CAFE_DOC}.html?lang=en", True),
    (CAFE_PATH, "image/png", 406, "text/plain", None, True),
    (CAFE_PATH + "?format=pdf", TURTLE, 406, "text/plain", None, True),
    ("/id/pole/a%20b", TURTLE, 303, None, "/doc/pole/a%20b.ttl", True),
    (CAFE_DOC, TURTLE, 200, TURTLE, None, True),
    (CAFE_DOC, JSONLD, 200, JSONLD, None, True),
    (CAFE_DOC, RAPPER_RDFXML, 200, RDFXML, None, True),
    (CAFE_DOC, BROWSER, 200, HTML, None, True),
    (CAFE_DOC + "?format=ttl", BROWSER, 200, TURTLE, None, True),
    (CAFE_DOC + ".ttl", HTML, 200, TURTLE, None, False),
    (CAFE_DOC + ".rdf", TURTLE, 200, RDFXML, None, False),
    (CAFE_DOC + ".nt", "", 200, NT, None, False),
    (CAFE_DOC + ".jsonld", "", 200, JSONLD, None, False),
    (CAFE_DOC + ".html", TURTLE, 200, HTML, None, False),
    ("/id/pole/unknown", TURTLE, 404, TURTLE, None, True),
    ("/id/pole/unknown", BROWSER, 404, HTML, None, True),
    ("/id/pole/unknown", JSONLD, 404, JSONLD, None, True),
    ("/doc/pole/unknown.nt", HTML, 404, NT, None, False),
    ("/somewhere/else", TURTLE, 404, TURTLE, None, True),
    ("/ontology", TURTLE, 200, TURTLE, None, True),
    ("/ontology", BROWSER, 200, HTML, None, True),
    ("/ontology", RAPPER_RDFXML, 200, RDFXML, None, True),
    ("/ontology.jsonld", HTML, 200, JSONLD, None, False),
    ("/ontology.pdf", TURTLE, 404, TURTLE, None, True),
    ("/shapes", TURTLE, 200, TURTLE, None, True),
    ("/shapes.html", "", 200, HTML, None, False),
    ("/.well-known/void", TURTLE, 200, TURTLE, None, True),
    ("/.well-known/void", BROWSER, 200, HTML, None, True),
    ("/void.nt", "", 200, NT, None, False),
    ("/dataset", TURTLE, 303, None, "/void.ttl", True),
    ("/catalog", JSONLD, 303, None, "/void.jsonld", True),
    ("/graph/sample", NT, 200, NT, None, True),
    ("/graph/sample.html", "", 200, HTML, None, False),
    ("/graph/missing", TURTLE, 404, TURTLE, None, True),
    ("/dumps/ptce.ttl", "", 200, TURTLE, None, False),
    ("/dumps/ptce.nt.gz", "", 200, "application/gzip", None, False),
    ("/dumps/passwd", "", 404, HTML, None, True),
    # Hostile paths: never a file, never a redirect off our origin.
    ("/id/..%2f..%2fetc%2fpasswd", TURTLE, 404, TURTLE, None, True),
    ("/doc/..%2f..%2fetc%2fpasswd.ttl", HTML, 404, TURTLE, None, False),
    ("/id/pole/%3Cscript%3E", TURTLE, 404, TURTLE, None, True),
    ("/id/pole/x%0D%0ALocation:%20http://evil.example", TURTLE, 404, None, None, False),
    ("/graph/..%2f..%2fserver%2fconfig", TURTLE, 404, TURTLE, None, True),
]


@pytest.mark.parametrize(("path", "accept", "status", "content_type", "location", "varies"), MATRIX)
def test_negotiation_matrix(pages_client, path, accept, status, content_type, location, varies):
    response = pages_client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if content_type:
        assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.headers.get("Location") == location
    assert ("accept" in {v.lower() for v in response.vary}) == varies
    if status == 200 and content_type in (TURTLE, JSONLD, RDFXML, NT):
        assert len(parse_body(response)) > 0
    if status == 404 and content_type in (TURTLE, JSONLD, NT):
        assert len(parse_body(response)) == 0


@pytest.mark.parametrize("accept", [TURTLE, JSONLD, RDFXML, NT])
def test_resource_document_as_graph(pages_client, accept):
    response = pages_client.get(CAFE_DOC, headers={"Accept": accept})
    graph = parse_body(response)
    cafe = URIRef(CAFE)
    assert (cafe, RDF.type, PTCE.Pole) in graph
    assert (cafe, RDFS.label, Literal("Café solidaire", lang="fr")) in graph
    # Blank-node membership described in full.
    blank = [m for m in graph.objects(cafe, ORG.hasMembership) if isinstance(m, BNode)]
    assert len(blank) == 1 and graph.value(blank[0], ORG.member) == URIRef(BASE + "id/organisation/mairie")
    # Incoming link, and labels/types of mentioned resources (no second request needed).
    membership = URIRef(BASE + "id/membership/café-solidaire--atelier")
    assert (membership, ORG.organization, cafe) in graph
    assert graph.value(URIRef(BASE + "id/organisation/atelier"), RDFS.label) == Literal(
        "L'Atelier", lang="fr"
    )
    concept = URIRef(BASE + "id/characteristic/ancrage-territorial")
    assert (concept, SKOS.prefLabel, Literal("Territorial anchoring", lang="en")) in graph
    document = URIRef(BASE + "doc/pole/café-solidaire")
    assert (document, FOAF.primaryTopic, cafe) in graph
    assert (document, VOID.inDataset, URIRef(BASE + "dataset")) in graph


def test_percent_encoded_iri_round_trips(pages_client):
    response = pages_client.get("/doc/pole/a%20b.nt")
    subjects = set(parse_body(response).subjects(RDF.type, PTCE.Pole))
    assert subjects == {URIRef(BASE + "id/pole/a%20b")}
    # Space is not the same IRI as %20: a decoded space never matches.
    assert pages_client.get("/id/pole/a b", headers={"Accept": TURTLE}).status_code == 404


def test_headers_of_a_negotiated_document(pages_client):
    response = pages_client.get(CAFE_DOC, headers={"Accept": TURTLE})
    assert response.headers["Content-Location"] == f"{CAFE_DOC}.ttl"
    links = response.headers["Link"]
    for suffix, media_type in [
        ("ttl", TURTLE),
        ("jsonld", JSONLD),
        ("rdf", RDFXML),
        ("nt", NT),
        ("html", HTML),
    ]:
        assert f'<{CAFE_DOC}.{suffix}>; rel="alternate"; type="{media_type}"' in links
    assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_head_matches_get(pages_client):
    get = pages_client.get(CAFE_DOC + ".ttl")
    head = pages_client.head(CAFE_DOC + ".ttl")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert pages_client.head(CAFE_PATH, headers={"Accept": TURTLE}).status_code == 303


@pytest.mark.parametrize("path", [CAFE_DOC + ".ttl", "/ontology.ttl", "/void.ttl", "/dumps/ptce.nt"])
def test_conditional_requests_answer_304(pages_client, path):
    first = pages_client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert pages_client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert pages_client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert pages_client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_differs_per_format_and_language(pages_client):
    tags = {
        pages_client.get(CAFE_DOC + suffix).headers["ETag"]
        for suffix in (".ttl", ".nt", ".html", ".html?lang=en")
    }
    assert len(tags) == 4


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example",
        "//evil.example/id/pole/x",
        "/\\evil.example",
        "/id//evil.example",
        "/id/%2F%2Fevil.example",
    ],
)
def test_redirects_stay_on_our_origin(pages_live, path):
    """Raw request lines (a test client would read //host as a host): no Location leaves our origin."""
    connection = http.client.HTTPConnection(pages_live.removeprefix("http://"), timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.putheader("Accept", TURTLE)
    connection.endheaders()
    response = connection.getresponse()
    location = response.getheader("Location") or ""
    connection.close()
    assert response.status in (303, 308, 404), response.status
    assert urlsplit(location).netloc in ("", pages_live.removeprefix("http://")), location
    assert not location.startswith("//"), location


def test_all_303_locations_are_local_paths(pages_client):
    for path in (CAFE_PATH, "/id/pole/a%20b", "/dataset"):
        location = pages_client.get(path, headers={"Accept": TURTLE}).headers["Location"]
        assert location.startswith("/") and not location.startswith("//")


def run_rapper(url: str, parser: str) -> subprocess.CompletedProcess:
    """Run Debian's rapper on a URL (it follows 303s), failing on any parse warning or error."""
    return subprocess.run(
        ["rapper", "-q", "-i", parser, "-o", "ntriples", url], capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils (rapper) is installed by .ci/run")
@pytest.mark.parametrize("parser", ["turtle", "rdfxml"])
def test_rapper_follows_303_and_parses_strictly(pages_live, parser):
    result = run_rapper(pages_live + CAFE_PATH, parser)
    assert result.returncode == 0, result.stderr
    assert f"<{BASE}id/pole/caf\\u00E9-solidaire>" in result.stdout or f"<{CAFE}>" in result.stdout
    assert "<http://www.w3.org/ns/org#hasMembership>" in result.stdout


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils (rapper) is installed by .ci/run")
@pytest.mark.parametrize("path", ["/ontology", "/.well-known/void", "/id/characteristic/renouveau-productif"])
def test_rapper_on_the_real_dataset(live_server, path):
    result = run_rapper(live_server + path, "turtle")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") > 3


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is needed for this check")
def test_curl_follows_303_to_turtle(pages_live):
    result = subprocess.run(
        [
            "curl",
            "-sSfL",
            "-H",
            "Accept: text/turtle",
            "-w",
            "%{content_type} %{url_effective}",
            pages_live + CAFE_PATH,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(f"text/turtle; charset=utf-8 {pages_live}{CAFE_DOC}.ttl")


HUB = BASE + "id/characteristic/renouveau-productif"


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "rdf", "nt"])
def test_hub_document_streams_the_triples_the_store_holds(client, store, monkeypatch, suffix):
    """A characteristic's document (streamed in batches of 2 subjects here) against the store, on any backend."""
    monkeypatch.setattr("server.web.describe.INCOMING_BATCH", 2)
    response = client.get(f"/doc/characteristic/renouveau-productif.{suffix}")
    assert response.status_code == 200 and response.is_streamed
    graph = parse_body(response)
    incoming = store.construct(f"CONSTRUCT {{ ?s ?p <{HUB}> }} WHERE {{ ?s ?p <{HUB}> }}")
    outgoing = store.construct(f"CONSTRUCT {{ <{HUB}> ?p ?o }} WHERE {{ <{HUB}> ?p ?o }}")
    assert len(incoming) > 2 and len(outgoing) > 2
    assert set(incoming) <= set(graph) and set(outgoing) <= set(graph)
    for pole in incoming.subjects():
        assert graph.value(pole, RDFS.label) is not None
    assert len(graph) == len(
        describe(store, HUB, BASE + "doc/characteristic/renouveau-productif", BASE + "dataset")
    )
