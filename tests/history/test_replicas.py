"""Read replicas on real processes and sockets: a curator node, two replicas (one from the dump, one from its
own older copy of data/) and nginx in front of the replicas. An accept, a change and a revert reach both
replicas within seconds; a replica killed during the changes catches up after a restart; no request to nginx
fails; contributions sent to a replica go to the curator node."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef

from tests.helpers.contributions import (
    CHANGE_DIJON,
    PROJECT,
    TOKEN,
    VALID_POLE,
    copy_data,
    ptce_serving,
    wait_for,
)
from tests.helpers.servers import wait_until_up
from tests.helpers.sparql import free_port

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PTCE = str(Path(os.sys.executable).parent / "ptce")
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
POLE = "/doc/pole/la-fabrique-du-test.ttl"
DIJON = "/doc/commune/21231.ttl"
LAT = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
#: Seconds a change may take to reach a replica (a poll, two GETs per change, a store swap).
WITHIN = 20


def start_replica(curator: str, folder: Path, port: int, cache: Path) -> subprocess.Popen:
    env = {**os.environ, "PTCE_CACHE_DIR": str(cache), "PTCE_FOLLOW_INTERVAL": "0.2"}
    env.pop("PTCE_CURATORS", None)
    log = (folder.parent / f"replica-{port}.log").open("ab")
    command = [PTCE, "serve", "--port", str(port), "--follow", curator, "--data", str(folder)]
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_until_up(
        lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1),
        process,
        lambda: (folder.parent / f"replica-{port}.log").read_text(),
        attempts=900,
        pause=0.1,
    )
    return process


def nginx_for(ports: list[int], folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in ports)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\nhttp {\n  access_log off;\n"
        + "".join(f"  {n}_temp_path {folder / n};\n" for n in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {folder / 'body'};\n"
        + f"  upstream replicas {{\n{servers}  }}\n"
        + f"  server {{\n    listen 127.0.0.1:{port};\n    location / {{\n"
        "      proxy_pass http://replicas;\n      proxy_next_upstream error timeout http_502 http_503;\n"
        "      proxy_connect_timeout 1s;\n      proxy_set_header Host $host;\n    }\n  }\n}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)], stderr=subprocess.PIPE
    )
    wait_until_up(
        lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close(),
        process,
        lambda: process.stderr.read().decode(),
        attempts=100,
        pause=0.05,
    )
    return process, port


def serves(base: str, path: str, check=lambda body: True) -> bool:
    try:
        response = requests.get(base + path, timeout=5)
    except requests.RequestException:
        return False
    return response.status_code == 200 and check(response.content)


def latitude(value: str):
    return lambda body: (
        {str(o) for o in Graph().parse(data=body, format="turtle").objects(None, LAT)} == {value}
    )


def caught_up(mirror: str, changes: int) -> bool:
    """Whether the replica's /readyz says it applied ``changes`` changes and lacks none."""
    ready = requests.get(mirror + "/readyz", timeout=10).json()
    replication = next(c for c in ready["checks"] if c["name"] == "replication")
    return replication["applied"] == changes and replication["behind"] == 0


def submit_and_accept(curator: str, turtle: bytes) -> int:
    sent = requests.post(
        curator + "/contribute?name=Test",
        data=turtle,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=120,
    )
    assert sent.status_code == 201, sent.text
    number = sent.json()["id"]
    accepted = requests.post(f"{curator}/contributions/{number}/accept", headers=BEARER, timeout=120)
    assert accepted.status_code == 200, accepted.text
    return number


def test_two_replicas_behind_nginx_follow_the_curator(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed: apt-get install nginx-light")
    data = copy_data(tmp_path)
    older = copy_data(tmp_path / "older")  # the second replica starts from its own older data
    empty = tmp_path / "replica-empty"
    empty.mkdir()
    with ptce_serving(tmp_path, data, PTCE_CACHE_DIR=str(tmp_path / "cache-curator")) as (curator, _):
        ports = [free_port(), free_port()]
        replicas = [
            start_replica(curator, empty, ports[0], tmp_path / "cache-1"),
            start_replica(curator, older, ports[1], tmp_path / "cache-2"),
        ]
        proxy, port = nginx_for(ports, tmp_path / "nginx")
        front, failures, stop = f"http://127.0.0.1:{port}", [], threading.Event()

        def load():
            while not stop.is_set():
                try:
                    status = requests.get(front + DIJON, timeout=10).status_code
                except requests.RequestException as error:
                    status = repr(error)
                if status != 200:
                    failures.append(status)
                time.sleep(0.02)

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        try:
            mirrors = [f"http://127.0.0.1:{p}" for p in ports]
            redirect = requests.post(
                mirrors[0] + "/contribute?name=x", data=b"", allow_redirects=False, timeout=10
            )
            assert redirect.status_code == 307 and redirect.headers["Location"].startswith(
                curator + "/contribute"
            )
            submit_and_accept(curator, VALID_POLE)
            for mirror in mirrors:
                assert wait_for(lambda m=mirror: serves(m, POLE), WITHIN), mirror
            change = submit_and_accept(curator, CHANGE_DIJON)
            replicas[1].send_signal(signal.SIGKILL)  # killed during the changes
            replicas[1].wait(timeout=10)
            assert wait_for(lambda: serves(mirrors[0], DIJON, latitude("47.3222")), WITHIN)
            reverted = requests.post(f"{curator}/contributions/{change}/revert", headers=BEARER, timeout=120)
            assert reverted.status_code == 200, reverted.text
            assert wait_for(lambda: serves(mirrors[0], DIJON, latitude("47.33187")), WITHIN)
            replicas[1] = start_replica(curator, older, ports[1], tmp_path / "cache-2")
            for mirror in mirrors:
                # the restarted replica's older data already has the old latitude: wait for all 3 changes
                assert wait_for(lambda m=mirror: caught_up(m, 3), WITHIN), mirror
                assert serves(mirror, DIJON, latitude("47.33187")) and serves(mirror, POLE)
                assert requests.get(mirror + "/changes", timeout=10).json()["totalItems"] == 3
                assert "/memento/" in requests.get(mirror + "/timemap/commune/21231", timeout=10).text
            metrics = requests.get(mirrors[0] + "/metrics", timeout=10).text
            assert "ptce_replica_behind_changes 0.0" in metrics
        finally:
            stop.set()
            loader.join(timeout=20)
            proxy.terminate()
            proxy.wait(timeout=10)
            for process in replicas:
                if process.poll() is None:
                    process.terminate()
                    process.wait(timeout=20)
        assert failures == []
