"""``/metrics`` on a real ``ptce serve``, parsed with prometheus_client's own parser: the counters move with
the requests made (5 queries: +5), outcomes by lane (ok, row cap, timeout, error), the dataset's gauges,
validations, and who may read it (loopback, METRICS_ALLOW, METRICS_TOKEN; 404 for anyone else)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.serve import ptce_serve, write_dataset

pytestmark = pytest.mark.slow
TRIPLES = "".join(f'<https://example.org/s{i}> <https://example.org/p> "v{i}" .\n' for i in range(30))
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?q ?r ?t }"
JSON = {"Accept": "application/sparql-results+json"}


def scrape(base: str, headers: dict | None = None) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: {(name, sorted labels): value}."""
    response = requests.get(base + "/metrics", headers=headers or {}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples: dict, name: str, **labels) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (sample, got), value in samples.items() if sample == name and wanted <= set(got))


def query(base: str, text: str) -> requests.Response:
    """POST a SPARQL query."""
    return requests.post(base + "/sparql", data={"query": text}, headers=JSON, timeout=60)


@pytest.fixture
def data_dir(tmp_path):
    return write_dataset(tmp_path / "data", TRIPLES)


def test_counters_move_with_the_requests_made(data_dir, tmp_path):
    with ptce_serve(data_dir, tmp_path, SPARQL_TIMEOUT=1, SPARQL_ROW_LIMIT=10) as served:
        base = served.base
        before = scrape(base)
        assert total(before, "ptce_dataset_triples") >= 30
        assert total(before, "ptce_dataset_graphs") >= 1
        assert total(before, "ptce_dataset_conforms") == 1  # judged at start-up
        assert total(before, "ptce_dataset_last_change_timestamp_seconds") > 1.6e9
        assert total(before, "ptce_contributions", status="pending") == 0
        assert total(before, "process_resident_memory_bytes") > 0

        for i in range(5):  # five cheap queries: the fast lane
            assert query(base, f"SELECT ?o WHERE {{ <https://example.org/s{i}> ?p ?o }} LIMIT 5").ok
        after = scrape(base)
        delta = total(after, "ptce_sparql_queries_total") - total(before, "ptce_sparql_queries_total")
        assert delta == 5
        assert (
            total(after, "ptce_sparql_queries_total", lane="fast", outcome="ok")
            - total(before, "ptce_sparql_queries_total", lane="fast", outcome="ok")
            == 5
        )
        requests_delta = total(after, "ptce_http_requests_total", route="/sparql", status="200") - total(
            before, "ptce_http_requests_total", route="/sparql", status="200"
        )
        assert requests_delta == 5
        assert (
            total(after, "ptce_http_request_duration_seconds_count", route="/sparql")
            - total(before, "ptce_http_request_duration_seconds_count", route="/sparql")
            == 5
        )
        # the scrape before this one was counted too (route /metrics)
        assert total(after, "ptce_http_requests_total", route="/metrics") >= 1

        # the other outcomes: row cap, timeout (worker killed, a replacement counted), an engine error
        truncated = query(base, "SELECT * WHERE { ?s ?p ?o }")
        assert truncated.headers["X-Result-Truncated"] == "true"
        assert query(base, SLOW).status_code == 503
        failing = query(base, "SELECT (<https://example.org/no-such-function>(1) AS ?x) WHERE {}")
        assert failing.status_code in (200, 400)
        outcomes = scrape(base)
        assert total(outcomes, "ptce_sparql_queries_total", lane="main", outcome="row_cap") == 1
        assert total(outcomes, "ptce_sparql_queries_total", lane="main", outcome="timeout") == 1
        assert total(outcomes, "ptce_sparql_worker_replacements_total", reason="timeout") >= 1
        expected_errors = 1 if failing.status_code == 400 else 0
        assert total(outcomes, "ptce_sparql_queries_total", outcome="error") == expected_errors
        assert total(outcomes, "ptce_sparql_query_duration_seconds_count") == 8

        # a validation, by outcome
        checked = requests.post(
            base + "/validate", data=b"not turtle at all", headers={"Content-Type": "text/turtle"}, timeout=60
        )
        assert checked.status_code in (200, 400, 422)
        assert total(scrape(base), "ptce_validations_total") == 1


def test_only_loopback_the_allowed_networks_and_the_token_may_read_it(data_dir, tmp_path):
    token = "metrics-token-for-the-test-0123456789"
    settings = {"TRUSTED_PROXIES": 1, "METRICS_TOKEN": token, "METRICS_ALLOW": "198.51.100.0/24, 192.0.2.7"}
    with ptce_serve(data_dir, tmp_path, **settings) as served:

        def status(client: str, **headers) -> int:
            headers = {"X-Forwarded-For": client, **headers}
            return requests.get(served.base + "/metrics", headers=headers, timeout=30).status_code

        assert requests.get(served.base + "/metrics", timeout=30).status_code == 200  # loopback
        assert status("203.0.113.9") == 404
        assert status("203.0.113.9", Authorization="Bearer wrong-token") == 404
        assert status("203.0.113.9", Authorization=f"Bearer {token}") == 200
        assert status("198.51.100.42") == 200 and status("192.0.2.7") == 200 and status("192.0.2.8") == 404
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert token not in log and "wrong-token" not in log


def test_a_query_refused_for_want_of_a_worker_is_counted_by_queue_and_outcome(data_dir, tmp_path):
    settings = {"SPARQL_WORKERS": 1, "SPARQL_QUEUE": 0, "SPARQL_FAST_WORKERS": 0, "SPARQL_TIMEOUT": 2}
    with ptce_serve(data_dir, tmp_path, **settings) as served:
        deadline = time.monotonic() + 20
        refused = None
        while time.monotonic() < deadline:
            # the slow query must hold the one worker first: had a probe taken it, the slow one was refused
            slow = threading.Thread(target=query, args=(served.base, SLOW))
            slow.start()
            time.sleep(0.3)
            while slow.is_alive() and refused is None:
                probe = query(served.base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
                refused = probe if probe.status_code == 503 else None
            slow.join()
            if refused is not None:
                break
        assert refused is not None and "busy" in refused.text
        samples = scrape(served.base)
        assert total(samples, "ptce_admission_refusals_total", queue="sparql") >= 1
        assert total(samples, "ptce_sparql_queries_total", lane="main", outcome="refused") >= 1
        assert total(samples, "ptce_sparql_queries_total", lane="main", outcome="timeout") >= 1
