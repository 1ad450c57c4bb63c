"""The SPARQL 1.1 Protocol at /sparql, through the app's test client: methods, encodings, formats, errors."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from server.namespaces import PTCE, SD, VOID
from server.sparql import views
from tests.helpers.sparql import GRAPH_PARSERS, RESULT_PARSERS, parse_answer

SELECT = "SELECT ?pole ?name WHERE { ?pole a ptce:Pole ; rdfs:label ?name } ORDER BY ?pole LIMIT 3"
ASK = "ASK { ?pole a ptce:Pole }"
CONSTRUCT = "CONSTRUCT { ?pole a ptce:Pole } WHERE { ?pole a ptce:Pole } LIMIT 3"
DESCRIBE = "DESCRIBE ?pole WHERE { ?pole a ptce:Pole } LIMIT 1"
FORMS = {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}


def send(client, method: str, query: str, accept: str | None = None, **extra):
    """Send a query with GET, POST urlencoded ("form") or POST application/sparql-query ("direct")."""
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        return client.get("/sparql", query_string={"query": query, **extra}, headers=headers)
    if method == "form":
        return client.post("/sparql", data={"query": query, **extra}, headers=headers)
    headers["Content-Type"] = "application/sparql-query"
    return client.post("/sparql", data=query.encode(), headers=headers, query_string=extra)


def check_answer(form: str, response, store) -> None:
    if form == "ASK" and response.mimetype in ("text/csv", "text/tab-separated-values"):
        assert response.data.strip() == b"true"  # no standard boolean in CSV/TSV: Oxigraph writes the word
        return
    parsed = parse_answer(response.headers["Content-Type"], response.data)
    if form == "SELECT":
        expected = store.select(SELECT)
        assert [str(row["pole"]) for row in parsed] == [str(row["pole"]) for row in expected]
        assert len(expected) == 3
    elif form == "ASK":
        assert parsed.askAnswer is True
    else:
        poles = set(parsed.subjects(RDF.type, PTCE.Pole))
        assert poles and len(poles) <= 3
        if form == "DESCRIBE":
            assert len(parsed) > 1


MATRIX = [
    (method, form, accept)
    for method in ("GET", "form", "direct")
    for form in FORMS
    for accept in (RESULT_PARSERS if form in ("SELECT", "ASK") else GRAPH_PARSERS)
]


@pytest.mark.parametrize(("method", "form", "accept"), MATRIX)
def test_protocol_matrix(client, store, method, form, accept):
    response = send(client, method, FORMS[form], accept)
    assert response.status_code == 200, response.data
    assert response.mimetype == accept
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    check_answer(form, response, store)


@pytest.mark.parametrize(
    ("accept", "form", "expected"),
    [
        (None, "SELECT", "application/sparql-results+json"),
        ("*/*", "SELECT", "application/sparql-results+json"),
        ("*/*", "CONSTRUCT", "text/turtle"),
        ("text/csv;q=0.5, text/tab-separated-values", "SELECT", "text/tab-separated-values"),
        ("application/json", "SELECT", "application/sparql-results+json"),
        ("application/json", "DESCRIBE", "application/ld+json"),
        ("application/xml", "CONSTRUCT", "application/rdf+xml"),
        (
            "application/sparql-results+json,application/json,text/javascript,application/javascript",
            "ASK",
            "application/sparql-results+json",
        ),
        ("application/rdf+xml;q=0.2, text/*;q=0.9", "DESCRIBE", "text/turtle"),
        ("text/plain", "CONSTRUCT", "application/n-triples"),
    ],
)
def test_accept_negotiation(client, store, accept, form, expected):
    response = send(client, "GET", FORMS[form], accept)
    assert response.status_code == 200
    assert response.mimetype == expected
    check_answer(form, response, store)


@pytest.mark.parametrize(
    ("params", "form", "expected"),
    [
        (
            {"format": "json", "output": "json", "results": "json"},
            "SELECT",
            "application/sparql-results+json",
        ),
        ({"format": "tsv"}, "SELECT", "text/tab-separated-values"),
        ({"output": "text/csv"}, "ASK", "text/csv"),
        ({"format": "turtle"}, "CONSTRUCT", "text/turtle"),
        ({"format": "json-ld"}, "DESCRIBE", "application/ld+json"),
        ({"format": "pdf"}, "SELECT", "application/sparql-results+xml"),  # unknown name: Accept decides
    ],
)
def test_format_overrides(client, store, params, form, expected):
    response = send(
        client, "form", FORMS[form], "application/sparql-results+xml, application/rdf+xml", **params
    )
    assert response.mimetype == expected
    check_answer(form, response, store)


def test_406_when_nothing_acceptable(client):
    response = send(client, "GET", SELECT, "image/png")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)


def test_dataset_parameters_select_our_named_graphs(client, store):
    sizes = store.graph_sizes()
    graph = next(name for name in sizes if name.endswith("/concepts"))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = send(client, "GET", query, "application/sparql-results+json", **{"default-graph-uri": graph})
    assert int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"]) == sizes[graph]
    named = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = send(client, "direct", named, "application/sparql-results+json", **{"named-graph-uri": graph})
    rows = json.loads(response.data)["results"]["bindings"]
    assert [(r["g"]["value"], int(r["n"]["value"])) for r in rows] == [(graph, sizes[graph])]
    unknown = send(client, "GET", query, "text/csv", **{"default-graph-uri": "http://example.org/nowhere"})
    assert unknown.status_code == 200 and unknown.data.split() == [b"n", b"0"]


NON_ASCII = 'SELECT ?c WHERE { ?c rdfs:label "Saint-Étienne"@fr ; a igeo:Commune }'


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_non_ascii_queries_in_every_encoding(client, method):
    response = send(client, method, NON_ASCII, "application/sparql-results+json")
    assert response.status_code == 200, response.data
    rows = json.loads(response.data)["results"]["bindings"]
    assert [row["c"]["value"] for row in rows] == ["https://w3id.org/ptce/id/commune/42218"]


def test_raw_utf8_form_body_and_invalid_utf8(client):
    raw = client.post(
        "/sparql",
        data=("query=" + NON_ASCII.replace(" ", "+")).encode("utf-8"),
        content_type="application/x-www-form-urlencoded",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert raw.status_code == 200 and len(json.loads(raw.data)["results"]["bindings"]) == 1
    for bad in (b"query=%FF", b"query=\xff"):
        response = client.post("/sparql", data=bad, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400 and b"UTF-8" in response.data


@pytest.mark.parametrize(
    "request_args",
    [
        {"query_string": [("query", ASK), ("query", ASK)]},
        {"query_string": {"default-graph-uri": "https://w3id.org/ptce/graph/concepts"}},
        {"method": "POST", "data": {"query": ASK}, "query_string": {"query": ASK}},
        {
            "method": "POST",
            "data": ASK,
            "content_type": "application/sparql-query",
            "query_string": {"query": ASK},
        },
        {"method": "POST", "data": "x", "content_type": "text/plain"},
    ],
)
def test_protocol_errors(client, request_args):
    response = client.open("/sparql", **request_args)
    assert response.status_code in (400, 415)
    assert response.get_data(as_text=True).strip()


def test_syntax_error_has_line_and_column(client):
    response = send(client, "GET", "SELECT ?x\nWHERE { ?x ?y }", "application/json")
    assert response.status_code == 400
    body = json.loads(response.data)
    assert (body["line"], body["status"]) == (2, 400) and body["column"] > 1
    assert "line 2" in body["error"]
    text = send(client, "form", "SELEC ?x {}", "text/plain")
    assert (
        text.status_code == 400 and text.mimetype == "text/plain" and "Traceback" not in text.get_data(True)
    )


def test_query_text_is_decoded_once(client):
    query = 'SELECT ?x WHERE { BIND("100%41 SERV%49CE" AS ?x) }'
    for method in ("GET", "form", "direct"):
        response = send(client, method, query, "application/sparql-results+json")
        value = json.loads(response.data)["results"]["bindings"][0]["x"]["value"]
        assert value == "100%41 SERV%49CE"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")],
)
def test_service_description(client, store, accept, fmt):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.data, format=fmt)
    service = URIRef("http://localhost/sparql")
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_TSV")) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert int(graph.value(dataset, VOID.triples)) == len(store)
    names = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
    assert names == set(store.graph_sizes())


def test_service_description_names_each_host_without_caching_per_host(client, store, monkeypatch):
    """Built once per dataset (rdflib-endpoint's router is not rebuilt per Host header); each answer names
    the endpoint by the URL its client used."""
    built = []
    original = views.description_template
    monkeypatch.setattr(views, "description_template", lambda sizes: built.append(1) or original(sizes))
    store._memo.pop("service-description", None)
    for host, other in (("a.example", "b.example"), ("b.example", "a.example"), ("a.example", "b.example")):
        response = client.get("/sparql", headers={"Accept": "text/turtle", "Host": host})
        graph = Graph().parse(data=response.data, format="turtle")
        service = URIRef(f"http://{host}/sparql")
        assert (service, SD.endpoint, service) in graph and other not in response.get_data(as_text=True)
    assert len(built) == 1
    assert not [key for key in store._memo if "example" in str(key)]


def test_html_ui_for_browsers(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"Accept": browser})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/static/node_modules/@zazuko/yasgui/build/yasgui.min.js" in html
    assert "unpkg.com" not in html and "cdn." not in html
    with_query = client.get("/sparql", query_string={"query": ASK}, headers={"Accept": browser})
    assert with_query.mimetype == "text/html" and "ASK { ?pole a ptce:Pole }" in with_query.get_data(
        as_text=True
    )


def test_cors_preflight(client):
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_row_cap_is_stated(app, store):
    app.config["SPARQL_ROW_LIMIT"] = 5
    try:
        response = app.test_client().get(
            "/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
        )
    finally:
        app.config["SPARQL_ROW_LIMIT"] = 10_000
    assert response.headers["X-Row-Limit"] == "5" and response.headers["X-Result-Truncated"] == "true"
    assert len(parse_answer(response.headers["Content-Type"], response.data)) == 5
    small = send(app.test_client(), "GET", SELECT, "text/csv")
    assert small.headers["X-Result-Truncated"] == "false"
