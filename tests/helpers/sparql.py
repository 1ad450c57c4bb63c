"""Helpers shared by the SPARQL tests: result parsers and a `ptce serve` subprocess."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import requests
from rdflib import Graph
from rdflib.query import Result

from tests.helpers.servers import wait_until_up

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
RESULT_PARSERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def parse_answer(content_type: str, body: bytes):
    """Parse a SPARQL answer by its Content-Type: a Result for SELECT/ASK, a Graph for CONSTRUCT/DESCRIBE."""
    media = content_type.split(";")[0].strip()
    if media in RESULT_PARSERS:
        return Result.parse(io.BytesIO(body), format=RESULT_PARSERS[media])
    return Graph().parse(data=body, format=GRAPH_PARSERS[media])


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def ptce_server(**settings):
    """Run `ptce serve` in a subprocess (settings as PTCE_* env) and yield its base URL."""
    port = free_port()
    env = {**os.environ, **{f"PTCE_{k}": str(v) for k, v in settings.items()}}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # the first start checks data/ against the shapes (about 10 s, then cached)
        wait_until_up(
            lambda: requests.get(base + "/sparql", headers={"Accept": "text/turtle"}, timeout=1),
            process,
            lambda: process.stderr.read().decode(),
            attempts=1200,
            pause=0.1,
        )
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
