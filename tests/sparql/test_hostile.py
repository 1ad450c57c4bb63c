"""Hostile queries against a real `ptce serve` (2 s limit): right status, bounded time, nothing fetched."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests

from tests.helpers.sparql import ptce_server

TIMEOUT = 2


@pytest.fixture(scope="module")
def endpoint():
    with ptce_server(SPARQL_TIMEOUT=TIMEOUT) as base:
        yield base + "/sparql"


CHECKSUM = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def checksum(endpoint):
    return requests.get(endpoint, params={"query": CHECKSUM}, headers={"Accept": "text/csv"}, timeout=10).text


def hostile_requests(url: str, secret: str):
    """(label, requests kwargs, allowed statuses)."""
    service = f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
    variants = [
        service,
        service.replace("SERVICE", "service"),
        service.replace("SERVICE", "SeRvIcE SILENT"),
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {{ SELECT * WHERE {{ SERVICE<{url}>{{?s ?p ?o}} }} }} }} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ BIND("x\\u0022" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} FILTER("a") }}',
        f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        f"PREFIX s: <{url}/> SELECT * WHERE {{ SERVICE s:x {{ ?s ?p ?o }} }}",
    ]
    cases = [(f"service-{i}", {"params": {"query": q}}, {400}) for i, q in enumerate(variants)]
    encoded = f"query={quote(service).replace('SERVICE', 'SERV%2549CE')}"
    cases.append(
        (
            "double-encoded",
            {"data": encoded, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            {400},
        )
    )
    for i, q in enumerate(
        [
            f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{url}/d.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"SELECT * FROM <file://{secret}> WHERE {{ ?s ?p ?o }}",
        ]
    ):
        cases.append((f"from-{i}", {"params": {"query": q}}, {200}))
    cases.append(
        ("graph-param", {"params": {"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": url}}, {200})
    )
    update = f"LOAD <{url}/data.ttl>"
    insert = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    for text in (update, insert, "DROP ALL", f"CLEAR ALL ; {insert}"):
        cases += [
            ("update-query-get", {"params": {"query": text}}, {400, 403}),
            ("update-query-post", {"data": {"query": text}}, {400, 403}),
            ("update-param", {"data": {"update": text}}, {400, 403}),
            ("update-get", {"params": {"update": text}}, {400, 403}),
            (
                "update-direct",
                {"data": text, "headers": {"Content-Type": "application/sparql-update"}},
                {400, 403},
            ),
            (
                "update-as-query",
                {"data": text, "headers": {"Content-Type": "application/sparql-query"}},
                {400, 403},
            ),
        ]
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    regex = (
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }'
    )
    cases += [
        ("cartesian", {"params": {"query": cartesian}}, {503}),
        ("regex", {"data": {"query": regex}}, {503}),
        ("deep-nesting", {"params": {"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000}}, {400}),
        (
            "deep-parens",
            {"params": {"query": "ASK { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"}},
            {400},
        ),
        ("long-query", {"data": {"query": "ASK {} #" + "x" * 200_000}}, {413}),
        (
            "10MB-body",
            {
                "data": b"query=" + b"a" * (10 << 20),
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            {413},
        ),
        ("utf8-get", {"url_suffix": "?query=ASK%20%7B%7D%20%23%FF%FE"}, {400}),
        (
            "utf8-direct",
            {"data": b"ASK {} #\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}},
            {400},
        ),
        (
            "utf8-form",
            {
                "data": b"query=ASK+%7B%7D%23%C3%28",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            {400},
        ),
    ]
    return cases


@pytest.mark.slow
def test_hostile_queries(endpoint, listener, recorder, tmp_path):
    secret = tmp_path / "secret.nt"
    secret.write_text('<http://x/s> <http://x/p> "TOP-SECRET" .\n')
    before = checksum(endpoint)
    hits = recorder[1]
    hits.clear()
    for label, kwargs, allowed in hostile_requests(listener, str(secret)):
        kwargs = dict(kwargs)
        url = endpoint + kwargs.pop("url_suffix", "")
        method = "POST" if "data" in kwargs else "GET"
        start = time.monotonic()
        response = requests.request(method, url, timeout=TIMEOUT + 10, **kwargs)
        elapsed = time.monotonic() - start
        assert response.status_code in allowed, (label, response.status_code, response.text[:200])
        assert elapsed < TIMEOUT + 2, (label, elapsed)
        assert "TOP-SECRET" not in response.text and "leaked" not in response.text, label
        assert "Traceback" not in response.text, label
        canary_start = time.monotonic()
        canary = requests.get(
            endpoint, params={"query": "ASK {}"}, headers={"Accept": "application/json"}, timeout=5
        )
        assert canary.status_code == 200 and canary.json()["boolean"] is True
        assert time.monotonic() - canary_start < 1, label
    assert hits == []
    assert checksum(endpoint) == before


@pytest.mark.slow
def test_slow_query_does_not_block_others(endpoint):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with ThreadPoolExecutor(4) as pool:
        hostile = pool.submit(requests.get, endpoint, params={"query": slow}, timeout=TIMEOUT + 10)
        time.sleep(0.3)
        start = time.monotonic()
        for i in range(10):
            answer = requests.get(
                endpoint,
                params={"query": f"SELECT ({i} AS ?i) {{}}"},
                headers={"Accept": "application/json"},
                timeout=5,
            )
            assert answer.json()["results"]["bindings"][0]["i"]["value"] == str(i)
        assert time.monotonic() - start < TIMEOUT
        stopped = hostile.result()
    assert stopped.status_code == 503 and "time limit" in stopped.text
    assert stopped.headers["Retry-After"]


@pytest.mark.slow  # starts a real ptce serve
def test_concurrent_clients_see_no_spurious_errors(endpoint):
    def ask(i: int):
        pattern = f"?pole a ptce:Pole ; rdfs:label ?l FILTER(STRLEN(?l) > {i % 7})"
        query = f"SELECT ?pole WHERE {{ {pattern} }} LIMIT {i + 1}"
        response = requests.post(
            endpoint, data={"query": query}, headers={"Accept": "application/json"}, timeout=20
        )
        return response.status_code, len(response.json()["results"]["bindings"])

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, range(48)))
    assert all(status == 200 for status, _ in results)
    assert all(0 < rows <= i + 1 for i, (_, rows) in enumerate(results))
