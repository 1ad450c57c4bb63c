"""``/healthz`` and ``/readyz`` on a real ``ptce serve``: liveness without the store, named readiness checks,
503 with the failing check while the SPARQL fork server is dead or the inbox cannot be written, recovery,
no rate limit, and no link from the site."""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests

from tests.helpers.serve import alive, children, ptce_serve, write_dataset

pytestmark = pytest.mark.slow
SMALL = '<https://example.org/x> <https://example.org/p> "a" .\n'


def readyz(base: str) -> tuple[int, dict]:
    """(status code, JSON) of /readyz."""
    response = requests.get(base + "/readyz", timeout=30)
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.json()


def checks(state: dict) -> dict[str, dict]:
    """The checks of a /readyz answer by name."""
    return {check["name"]: check for check in state["checks"]}


def wait_for(condition, seconds: float) -> bool:
    """Poll ``condition`` until true or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def data_dir(tmp_path):
    return write_dataset(tmp_path / "data", SMALL)


def test_healthz_and_readyz_answer_with_named_checks_unthrottled_and_unlinked(data_dir, tmp_path):
    inbox = tmp_path / "instance" / "inbox.sqlite3"
    with ptce_serve(data_dir, tmp_path, CONTRIBUTIONS_DB=inbox) as served:
        health = requests.get(served.base + "/healthz", timeout=5)
        assert health.status_code == 200 and health.text == "ok\n"
        assert health.headers["X-Request-ID"]
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            assert requests.get(served.base + "/healthz", timeout=5).status_code == 200
            timings.append(time.perf_counter() - started)
        assert sorted(timings)[10] < 0.05, timings  # the median, client and loopback included

        status, state = readyz(served.base)
        assert status == 200 and state["status"] == "ready", state
        named = checks(state)
        assert list(named) == ["store", "sparql", "inbox", "dataset", "recovery"]
        assert all(check["status"] == "pass" for check in state["checks"])
        assert named["store"]["graphs"] >= 1 and named["sparql"]["lane"] == "fast"

        # probes are never throttled: 60 in a row, all answered
        codes = {requests.get(served.base + path, timeout=30).status_code for path in ["/readyz"] * 30}
        codes |= {requests.get(served.base + "/healthz", timeout=5).status_code for _ in range(30)}
        assert codes == {200}
        home = requests.get(served.base + "/", headers={"Accept": "text/html"}, timeout=30).text
        assert "/healthz" not in home and "/readyz" not in home and "/metrics" not in home


def test_readyz_is_503_while_the_sparql_fork_server_is_dead_then_ready_again(data_dir, tmp_path):
    with ptce_serve(data_dir, tmp_path) as served:
        assert readyz(served.base)[0] == 200
        fork_servers = children(served.process.pid)  # the fork servers of both lanes
        assert fork_servers
        for pid in fork_servers:
            os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: not any(alive(pid) for pid in fork_servers), 10)
        status, state = readyz(served.base)
        assert status == 503 and state["status"] == "not-ready", state
        sparql = checks(state)["sparql"]
        assert sparql["status"] == "fail" and "fork server died" in sparql["why"]
        assert checks(state)["store"]["status"] == "pass"  # only the failing check fails
        # the failing probe starts a new fork server: the next ones pass, and queries work
        assert wait_for(lambda: readyz(served.base)[0] == 200, 30)
        answer = requests.get(served.base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert answer.json()["boolean"] is True


def test_readyz_is_503_while_the_inbox_cannot_be_written(data_dir, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the inbox's folder should be")
    with ptce_serve(data_dir, tmp_path, CONTRIBUTIONS_DB=blocker / "inbox.sqlite3") as served:
        assert requests.get(served.base + "/healthz", timeout=5).status_code == 200  # alive all the same
        status, state = readyz(served.base)
        assert status == 503 and state["status"] == "not-ready"
        inbox = checks(state)["inbox"]
        assert inbox["status"] == "fail" and "folder" in inbox["why"]
        assert {name for name, check in checks(state).items() if check["status"] == "fail"} == {"inbox"}
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "not ready: inbox" in log
