"""``ptce serve`` against hostile but cheap clients, with real sockets and a real server process.

Idle and trickling connections, pipelining clients that never read, unread large answers, SIGTERM with a
request in flight, SIGKILL during a validation (the port must be free at once).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest
import requests

from server.serving import raise_descriptor_limit
from tests.helpers.serve import alive, children, port_is_free, ptce_serve, write_dataset

pytestmark = pytest.mark.slow
PAGE = "/sparql"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.fixture
def data_dir(tmp_path):
    return write_dataset(tmp_path / "data")


def page_time(base: str) -> float:
    """Seconds to get the service description (a cheap page) on a fresh connection."""
    started = time.monotonic()
    response = requests.get(base + PAGE, headers={"Accept": "text/turtle"}, timeout=5)
    assert response.status_code == 200
    return time.monotonic() - started


def open_connections(
    port: int, count: int, first_bytes: bytes = b"", receive_buffer: int | None = None
) -> list[socket.socket]:
    """Connections to the server (each sends ``first_bytes``; a small receive buffer takes little off it)."""
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)  # no autotuning to 32 MB
        sock.connect(("127.0.0.1", port))
        if first_bytes:
            sock.sendall(first_bytes)
        sockets.append(sock)
    return sockets


def closed_by_peer(sock: socket.socket, wait: float) -> bool:
    """Whether the server closes this connection within ``wait`` seconds (we keep trickling a header)."""
    deadline = time.monotonic() + wait
    sock.settimeout(0.3)
    while time.monotonic() < deadline:
        try:
            sock.sendall(b"X")
            if sock.recv(1 << 16) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_a_thousand_idle_and_slow_connections_leave_pages_fast(data_dir, tmp_path):
    assert raise_descriptor_limit() > 1100  # this test process holds the client ends
    with ptce_serve(data_dir, tmp_path) as served:
        idle = open_connections(served.port, 500)
        slow = open_connections(served.port, 500, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        try:
            times = sorted(page_time(served.base) for _ in range(20))
            assert times[len(times) // 2] < 0.5 and times[-1] < 2.0, times
        finally:
            for sock in idle + slow:
                sock.close()


def test_a_client_trickling_its_headers_is_cut_at_the_request_deadline(data_dir, tmp_path):
    settings = {"HTTP_REQUEST_DEADLINE": 2, "HTTP_CLEANUP_INTERVAL": 1}
    with ptce_serve(data_dir, tmp_path, **settings) as served:
        sock = socket.create_connection(("127.0.0.1", served.port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.monotonic()
        try:
            assert closed_by_peer(sock, 6.0)
            assert time.monotonic() - started < 5.0
        finally:
            sock.close()


def test_pipelined_dump_requests_never_read_hold_no_thread(data_dir, tmp_path):
    pipelined = b"GET /dumps/ptce.nt HTTP/1.1\r\nHost: x\r\n\r\n" * 60
    with ptce_serve(data_dir, tmp_path, "--threads", "2") as served:
        greedy = open_connections(served.port, 6, pipelined)
        try:
            time.sleep(1.0)
            assert max(page_time(served.base) for _ in range(5)) < 2.0
        finally:
            for sock in greedy:
                sock.close()


def test_unread_large_answers_are_capped_on_disk_then_refused_with_503(data_dir, tmp_path):
    # 16 MB of CSV: more than the kernel's socket buffers can take off the server's hands
    query = "SELECT ?o WHERE { ?s ?p ?o FILTER(STRLEN(?o) > 1000) VALUES ?n { 1 2 3 4 5 6 7 8 } }"
    settings = {"SPARQL_SPILL_THRESHOLD": 100_000, "SPARQL_SPILL_LIMIT": 20_000_000}
    with ptce_serve(data_dir, tmp_path, **settings) as served:
        body = requests.utils.quote(query)
        request = f"GET /sparql?query={body} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n".encode()
        unread = open_connections(served.port, 1, request, receive_buffer=4096)
        unread[0].settimeout(20)
        assert unread[0].recv(12, socket.MSG_PEEK) == b"HTTP/1.1 200"  # its answer waits in a spill file
        refused = None
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            response = requests.get(
                served.base + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}
            )
            if response.status_code == 503:
                refused = response
                break
            time.sleep(0.2)
        assert refused is not None and "too many large answers" in refused.text
        assert refused.headers["Retry-After"]
        unread[0].close()  # the connection is gone: its file leaves the cap
        deadline = time.monotonic() + 8
        while True:
            response = requests.get(
                served.base + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30
            )
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert response.status_code == 200 and len(response.content) > 16_000_000


def test_sigterm_finishes_the_request_in_flight_and_leaves_no_process(data_dir, tmp_path):
    with ptce_serve(data_dir, tmp_path, SPARQL_TIMEOUT=2, SHUTDOWN_GRACE=8) as served:
        descendants = children(served.process.pid)
        descendants += [pid for child in descendants for pid in children(child)]
        assert descendants  # the fork server and its workers
        answers = []

        def slow_query():
            response = requests.get(served.base + "/sparql", params={"query": CARTESIAN}, timeout=10)
            answers.append(response.status_code)

        thread = threading.Thread(target=slow_query)
        thread.start()
        time.sleep(0.7)
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=9) == 0
        thread.join(timeout=5)
        assert answers == [503]  # the query's own answer (time limit), not a reset connection
        time.sleep(0.3)
        assert not [pid for pid in descendants if alive(pid)]
        assert port_is_free(served.port)


def test_sigkill_during_a_validation_leaves_the_port_free(data_dir, tmp_path):
    lines = ["@prefix ex: <https://example.org/> ."]
    lines += [f'ex:r{i} ex:p "v{i}" ; ex:q ex:r{i + 1} .' for i in range(60_000)]
    upload = "\n".join(lines).encode()
    with ptce_serve(data_dir, tmp_path, VALIDATION_TIMEOUT=60) as served:
        before = set(children(served.process.pid))
        thread = threading.Thread(
            target=lambda: _post_quietly(served.base + "/validate", upload), daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 8
        validation = set()
        while not validation and time.monotonic() < deadline:
            validation = set(children(served.process.pid)) - before
            time.sleep(0.02)
        assert validation, "no validation child appeared"
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=5)
        assert port_is_free(served.port)


def _post_quietly(url: str, body: bytes) -> None:
    try:
        requests.post(url, data=body, headers={"Content-Type": "text/turtle"}, timeout=30)
    except requests.RequestException:
        pass
