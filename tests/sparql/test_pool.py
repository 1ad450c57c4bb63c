"""The pool of pre-forked SPARQL workers: reuse, deadline kill and replacement, memory bound, row cap."""

from __future__ import annotations

import io
import os
import time

import pytest
from rdflib.query import Result

from server.dataset.base import to_rdflib
from server.dataset.embedded import GraphStore
from server.dataset.sources import discover_sources
from server.sparql.execution import Limits, QueryFailed, run_isolated, worker_pool

ROWS = 300
#: Literals that contain the row markers of every results format (JSON, XML, CSV, TSV).
TRICKY = ['a}},{"b', ",{}", 'q"\r\nz', "<result>", "l\nm", "tab\tt", '"', "\\", "plain"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool")
    for name in ("data", "ontology", "shapes"):
        (folder / name).mkdir()
    lines = ["@prefix ex: <http://example.org/> ."]
    for index in range(ROWS):
        text = TRICKY[index % len(TRICKY)].replace("\\", "\\\\").replace('"', '\\"')
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        lines.append(f'ex:s{index:04d} ex:p "{text}{index}" ; ex:n {index} .')
    (folder / "data" / "items.ttl").write_text("\n".join(lines) + "\n")
    sources = discover_sources(
        "https://example.org/", str(folder / "ontology"), str(folder / "shapes"), [str(folder / "data")]
    )
    graph_store = GraphStore(sources, "https://example.org/")
    yield graph_store
    for pools in [worker_pool(graph_store, 1 << 30, ())]:
        pools.close()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def run(store, text, fmt="json", **limits):
    return run_isolated(store, text, fmt, None, Limits(**limits), ())


ALL = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_workers_are_reused_and_sandboxed(store):
    pool = worker_pool(store, 1 << 30, ())
    server_pid, idle = pool.pids()
    for _ in range(5):
        answer = run(store, "ASK { ?s ?p ?o }")
        assert answer.body.startswith(b'{"head":{},"boolean":true}')
    assert pool.pids() == (server_pid, idle) and len(idle) >= 1
    assert os.getpid() not in idle and all(alive(pid) for pid in idle)
    with open(f"/proc/{idle[0]}/limits") as limits:
        address_space = next(line for line in limits if line.startswith("Max address space"))
    assert "unlimited" not in address_space


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_deadline_kills_the_worker_and_a_replacement_answers(store):
    pool = worker_pool(store, 1 << 30, ())
    before = set(pool.pids()[1])
    started = time.monotonic()
    with pytest.raises(QueryFailed) as failure:
        run(store, CARTESIAN, timeout=1.0)
    assert failure.value.status == 503 and "time limit" in failure.value.message
    assert time.monotonic() - started < 2.0
    time.sleep(0.5)
    server_pid, after = pool.pids()
    assert alive(server_pid) and len(after) >= 1
    killed = before - set(after)
    assert all(not alive(pid) for pid in killed)
    assert run(store, "SELECT (1 AS ?x) {}").body.count(b'"x"') == 2


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_memory_limit_stops_a_greedy_query_and_the_pool_survives(store):
    greedy = "SELECT ?a ?b ?c WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?a ?b ?c ?e"
    with pytest.raises(QueryFailed) as failure:
        run_isolated(store, greedy, "json", None, Limits(timeout=20, memory_bytes=64 << 20), ())
    assert failure.value.status == 503
    assert run(store, "ASK {}", memory_bytes=64 << 20).body.endswith(b"true}")


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("cap", [1, 37, ROWS - 1, ROWS, ROWS + 1])
def test_row_cap_cuts_exactly_in_every_format(store, fmt, cap):
    answer = run(store, ALL, fmt, row_limit=cap)
    rows = [tuple(str(term) for term in row) for row in Result.parse(io.BytesIO(answer.body), format=fmt)]
    assert len(rows) == min(cap, ROWS)
    assert answer.headers["X-Row-Limit"] == str(cap)
    assert answer.headers["X-Result-Truncated"] == ("true" if cap < ROWS else "false")
    full = [tuple(str(to_rdflib(term)) for term in row) for row in store.query(ALL)]
    if fmt == "xml":  # XML parsers normalise line ends (Oxigraph writes a raw CR, as the old writer did)
        full = [tuple(value.replace("\r\n", "\n") for value in row) for row in full]
    assert rows == full[:cap]


def test_output_byte_limit(store):
    with pytest.raises(QueryFailed) as failure:
        run(store, ALL, max_output_bytes=2000)
    assert failure.value.status == 503 and "larger than" in failure.value.message
