"""Hostile but cheap clients against a real ``ptce serve`` (a measurement, run by hand; not a timed test).

1. Page latency (p50/p99 of sequential GETs, each on a fresh connection) with no other client, then while
   1,000 slow connections are open: half idle, half trickling a header one byte every few seconds.
2. The server's resident memory (RSS) before and after 20,000 requests to ``/sparql`` with distinct ``Host``
   headers (the service description once cost memory per host).

    .venv/bin/python bench/measure_hostile.py [--data DIR] [--connections 1000] [--hosts 20000]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PAGE = "/doc/pole/coursive-boutaric.html"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of one process (MB)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def start_server(port: int, data: list[str]) -> subprocess.Popen:
    """``ptce serve`` on ``port``; returns once it answers."""
    command = [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(port)]
    for folder in data:
        command += ["--data", folder]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(1200):
        try:
            requests.get(f"http://127.0.0.1:{port}/sparql", headers={"Accept": "text/turtle"}, timeout=1)
            return process
        except requests.ConnectionError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode()) from None
            time.sleep(0.1)
    raise SystemExit("ptce serve did not answer within 2 minutes")


def page_times(base: str, count: int, path: str) -> list[float]:
    """Milliseconds of ``count`` sequential GETs of ``path``, each on a new connection."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = requests.get(base + path, headers={"Accept": "text/html"}, timeout=30)
        response.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def percentiles(times: list[float]) -> str:
    """p50 and p99 of sorted times (ms)."""
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms (n={len(times)})"


def open_slow_connections(port: int, count: int, stop: threading.Event) -> tuple[list, threading.Thread]:
    """Open ``count`` connections: half idle, half trickling a header line one byte at a time."""
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    trickling = sockets[count // 2 :]
    for sock in trickling:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\nX-Slow: ")

    def trickle():
        while not stop.wait(2.0):
            for sock in trickling:
                try:
                    sock.send(b"a")
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    return sockets, thread


def distinct_hosts(base: str, count: int, workers: int = 4) -> None:
    """GET /sparql (service description) ``count`` times, each with a new Host header."""

    def one(chunk: range) -> None:
        session = requests.Session()
        for index in chunk:
            headers = {"Accept": "text/turtle", "Host": f"h{index}.example.org"}
            session.get(base + "/sparql", headers=headers, timeout=30).raise_for_status()

    step = -(-count // workers)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, [range(i, min(count, i + step)) for i in range(0, count, step)]))


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", default=[], help="data folder (default: data/)")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="page requests per latency measure")
    parser.add_argument("--page", default=PAGE)
    args = parser.parse_args()
    port = free_port()
    process = start_server(port, args.data)
    base = f"http://127.0.0.1:{port}"
    try:
        page_times(base, 10, args.page)  # warm-up: the page's caches
        print(f"page {args.page}, no other client: {percentiles(page_times(base, args.requests, args.page))}")
        stop = threading.Event()
        sockets, thread = open_slow_connections(port, args.connections, stop)
        time.sleep(1.0)
        try:
            times = page_times(base, args.requests, args.page)
            print(f"page with {len(sockets)} slow connections open: {percentiles(times)}")
        finally:
            stop.set()
            thread.join()
            for sock in sockets:
                sock.close()
        before = rss_mb(process.pid)
        started = time.monotonic()
        distinct_hosts(base, args.hosts)
        after = rss_mb(process.pid)
        print(
            f"RSS of the server: {before:.0f} MB before, {after:.0f} MB after {args.hosts} distinct Host "
            f"headers ({time.monotonic() - started:.0f} s)"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    print(f"command: {' '.join([os.path.relpath(sys.executable, ROOT), *sys.argv])}")


if __name__ == "__main__":
    main()
