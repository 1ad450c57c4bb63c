"""The production set-up of docs/operator-guide.md: a real nginx, with the guide's own block, in front of a real
``ptce serve``: proxying, buffering (slow clients stop at nginx) and X-Forwarded-* trusted only when set."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.helpers.serve import ptce_serve, write_dataset
from tests.helpers.servers import wait_until_up
from tests.helpers.sparql import free_port

pytestmark = pytest.mark.slow
GUIDE = Path(__file__).parent.parent / "docs" / "operator-guide.md"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
BIG = "SELECT ?o WHERE { ?s ?p ?o FILTER(STRLEN(?o) > 1000) VALUES ?n { 1 2 3 4 5 6 7 8 } }"


def documented_block() -> str:
    """The nginx block of the operator guide (between its nginx:start and nginx:end markers)."""
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split("<!-- nginx:start -->", 1)[1].split("<!-- nginx:end -->", 1)[0]
    return block.split("```nginx", 1)[1].rsplit("```", 1)[0]


@contextmanager
def nginx_in_front(app_port: int, folder: Path) -> Iterator[int]:
    """Run nginx (the guide's block, on 127.0.0.1) in front of the app; yield its port."""
    if NGINX is None:
        pytest.skip("nginx is not installed: apt-get install nginx-light")
    port = free_port()
    block = documented_block().replace("127.0.0.1:5000", f"127.0.0.1:{app_port}")
    block = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", block)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(
        f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\nhttp {\n  access_log off;\n"
        + "".join(f"  {name}_temp_path {path};\n" for name, path in temp.items() if name != "body")
        + f"  client_body_temp_path {temp['body']};\n"
        + block
        + "}\n"
    )
    process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder)], stderr=subprocess.PIPE)
    try:
        wait_until_up(
            lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close(),
            process,
            lambda: process.stderr.read().decode(),
            attempts=100,
            pause=0.05,
        )
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def endpoint_named(base: str, headers: dict) -> str:
    """The endpoint URL the service description gives (it is built from the request's URL)."""
    response = requests.get(base + "/sparql", headers={"Accept": "text/turtle", **headers}, timeout=10)
    assert response.status_code == 200
    return re.search(r"<(https?://[^>]*/sparql)>", response.text).group(1)


@pytest.fixture
def data_dir(tmp_path):
    return write_dataset(tmp_path / "data")


def test_behind_nginx_forwarded_headers_are_nginxs_and_trusted(data_dir, tmp_path):
    with (
        ptce_serve(data_dir, tmp_path, TRUSTED_PROXIES=1) as served,
        nginx_in_front(served.port, tmp_path / "nginx") as port,
    ):
        proxied = f"http://127.0.0.1:{port}"
        answer = requests.get(proxied + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert requests.get(proxied + "/dumps/ptce.nt", timeout=10).content.count(b"\n") == 1
        # nginx talks to the app as "Host: ptce"; the public host comes from X-Forwarded-Host (ProxyFix)
        assert endpoint_named(proxied, {}) == f"http://127.0.0.1:{port}/sparql"
        forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
        assert endpoint_named(proxied, forged) == f"http://127.0.0.1:{port}/sparql"


def test_without_trusted_proxies_forwarded_headers_are_ignored(data_dir, tmp_path):
    with ptce_serve(data_dir, tmp_path) as served:
        forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
        assert endpoint_named(served.base, forged) == f"{served.base}/sparql"


def test_nginx_buffers_a_large_answer_so_an_unread_client_holds_nothing_in_the_app(data_dir, tmp_path):
    settings = {"SPARQL_SPILL_THRESHOLD": 100_000, "SPARQL_SPILL_LIMIT": 20_000_000, "TRUSTED_PROXIES": 1}
    with (
        ptce_serve(data_dir, tmp_path, **settings) as served,
        nginx_in_front(served.port, tmp_path / "nginx") as port,
    ):
        query = requests.utils.quote(BIG)
        unread = socket.create_connection(("127.0.0.1", port))
        unread.sendall(f"GET /sparql?query={query} HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n".encode())
        try:
            time.sleep(2.0)  # nginx has read the 16 MB answer into its buffers; the app's spill file is gone
            for _ in range(2):
                response = requests.get(
                    served.base + "/sparql", params={"query": BIG}, headers={"Accept": "text/csv"}, timeout=30
                )
                assert response.status_code == 200, response.text
        finally:
            unread.close()
