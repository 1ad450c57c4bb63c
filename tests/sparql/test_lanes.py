"""The fast lane: which queries the guard judges cheap, and, against a real `ptce serve`, that a cheap query is
answered at once while the ordinary workers are all busy, and that a misjudged one still stops at the limit."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.sparql.guard import check_query, is_cheap
from tests.helpers.sparql import ptce_server

TIMEOUT = 2
JSON = {"Accept": "application/sparql-results+json"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: Judged cheap (an ASK) but a four-way cross join no row of which passes the filter.
MISJUDGED = (
    'ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l FILTER(CONCAT(STR(?c), STR(?f), STR(?i)) = "-") }'
)


@pytest.mark.parametrize(
    ("query", "cheap"),
    [
        ("ASK {}", True),
        ("ASK { <http://example.org/s> a ?type }", True),
        ("DESCRIBE <http://example.org/s>", True),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 10", True),
        ("select * where { ?s ?p ?o } limit 10 offset 20 # the first page", True),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 100", True),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 101", False),
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ('SELECT * WHERE { ?s ?p "LIMIT 3" }', False),
        ("SELECT * WHERE { ?s ?p ?o } # LIMIT 3", False),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } LIMIT 1", False),
        ("SELECT DISTINCT ?p WHERE { ?s ?p ?o } LIMIT 10", False),
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10", False),
        ("ASK { ?s ?p ?o FILTER NOT EXISTS { ?o ?q ?s } }", False),
        ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } LIMIT 1", False),
    ],
)
def test_what_the_guard_judges_cheap(query, cheap):
    assert is_cheap(check_query(query), 100) is cheap


@pytest.mark.slow
def test_cheap_queries_do_not_wait_and_a_misjudged_one_stops_at_the_limit():
    with ptce_server(SPARQL_TIMEOUT=TIMEOUT, SPARQL_WORKERS=1, SPARQL_QUEUE=4) as base:
        endpoint = base + "/sparql"
        with ThreadPoolExecutor(2) as pool:
            heavy = pool.submit(requests.get, endpoint, params={"query": SLOW}, timeout=TIMEOUT + 10)
            time.sleep(0.3)  # the only ordinary worker is now busy with the heavy query
            for _ in range(5):
                began = time.monotonic()
                answer = requests.get(endpoint, params={"query": "ASK {}"}, headers=JSON, timeout=5)
                assert answer.status_code == 200 and answer.json()["boolean"] is True
                assert time.monotonic() - began < 0.5
            assert heavy.result().status_code == 503
        began = time.monotonic()
        stopped = requests.get(endpoint, params={"query": MISJUDGED}, headers=JSON, timeout=TIMEOUT + 10)
        elapsed = time.monotonic() - began
        assert stopped.status_code == 503 and f"time limit of {TIMEOUT} s" in stopped.text
        assert TIMEOUT - 0.2 < elapsed < TIMEOUT + 1, elapsed  # the fast lane's try counts in the limit
        answer = requests.get(endpoint, params={"query": "ASK {}"}, headers=JSON, timeout=5)
        assert answer.status_code == 200  # a fast worker was forked again after the kill


@pytest.mark.slow
def test_a_fast_lane_limit_above_the_time_limit_does_not_raise_it(app):
    saved = {key: app.config[key] for key in ("SPARQL_TIMEOUT", "SPARQL_FAST_TIMEOUT")}
    app.config.update(SPARQL_TIMEOUT=1.0, SPARQL_FAST_TIMEOUT=5.0)
    try:
        began = time.monotonic()
        response = app.test_client().get("/sparql", query_string={"query": MISJUDGED}, headers=JSON)
        elapsed = time.monotonic() - began
    finally:
        app.config.update(saved)
    assert response.status_code == 503 and "time limit of 1 s" in response.get_data(as_text=True)
    assert elapsed < 2.5, elapsed
