"""Real clients against a real `ptce serve`: SPARQLWrapper, plain HTTP, the query UI in headless Chromium."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests
from rdflib import Graph
from rdflib.namespace import RDF
from SPARQLWrapper import CSV, JSON, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper

from server.namespaces import PTCE
from server.sparql.examples import EXAMPLES
from tests.helpers.servers import run_chromium
from tests.helpers.sparql import parse_answer, ptce_server

#: Real SPARQL clients against a real `ptce serve` process: left out of the inner loop.
pytestmark = pytest.mark.slow

SELECT = "SELECT ?pole ?name WHERE { ?pole a ptce:Pole ; rdfs:label ?name } ORDER BY ?pole LIMIT 5"


@pytest.fixture(scope="module")
def base():
    with ptce_server() as url:
        yield url


def expected_poles(store) -> list[str]:
    return [str(row["pole"]) for row in store.select(SELECT)]


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_sparqlwrapper_select(base, store, return_format, method):
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(return_format)
    if method != "GET":
        client.setMethod(POST)
    if method == "POSTDIRECTLY":
        client.setRequestMethod(POSTDIRECTLY)
    response = client.query()
    body = response.response.read()
    parsed = parse_answer(response.response.headers["Content-Type"], body)
    assert [str(row["pole"]) for row in parsed] == expected_poles(store)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_construct_turtle(base, store, method):
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery("CONSTRUCT { ?pole a ptce:Pole } WHERE { ?pole a ptce:Pole }")
    client.setReturnFormat(TURTLE)
    if method == "POST":
        client.setMethod(POST)
    result = client.query().convert()
    graph = Graph().parse(data=result, format="turtle")
    assert len(set(graph.subjects(RDF.type, PTCE.Pole))) == len(store.select("SELECT ?p { ?p a ptce:Pole }"))


def test_sparqlwrapper_json_convert(base, store):
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [row["pole"]["value"] for row in rows] == expected_poles(store)


def test_plain_http(base, store):
    endpoint = base + "/sparql"
    answer = requests.get(
        endpoint, params={"query": SELECT}, headers={"Accept": "text/tab-separated-values"}, timeout=10
    )
    assert answer.headers["Content-Type"].startswith("text/tab-separated-values")
    parsed = parse_answer(answer.headers["Content-Type"], answer.content)
    assert [str(row["pole"]) for row in parsed] == expected_poles(store)
    direct = requests.post(
        endpoint,
        data=SELECT.encode(),
        timeout=10,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert direct.status_code == 200 and direct.text.splitlines()[0] == "pole,name"
    description = requests.get(endpoint, headers={"Accept": "text/turtle"}, timeout=10)
    assert description.status_code == 200 and "sparql-service-description" in description.text


@pytest.mark.browser
def test_query_ui_runs_an_example_in_chromium(base, store):
    example = next(e for e in EXAMPLES if e.id == "map")
    names = {str(row["name"]) for row in store.select(example.query)}
    url = base + "/sparql?" + urlencode({"query": example.query})
    dom = run_chromium(url, "--dump-dom", budget_ms=15000)
    assert "yasgui" in dom
    shown = {name for name in names if name in dom}
    assert shown, "the results table of the example is not in the page"
