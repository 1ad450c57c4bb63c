"""First byte and whole document of the biggest hub's RDF documents, streamed and (with --before) not.

Run by hand (not a test): ``.venv/bin/python bench/measure_hubs.py`` generates ``bench/out/poles-10000`` if it
is missing (``bench/generate.py``), starts ``ptce serve`` on it, finds the characteristic shared by the most
poles (one SPARQL count), and times its Turtle, JSON-LD, N-Triples and RDF/XML documents with curl
(``%{time_starttransfer}`` and ``%{time_total}``), the formats interleaved, median of ``--runs`` runs. With
``--before`` a second server serves the same documents the way they were served before streaming (the
whole rdflib graph, then rdflib's serializers). With ``--virtuoso`` the servers query Debian's Virtuoso
(started in a temporary folder and loaded by ``ptce load``) instead of the embedded store. The machine and
the load average are printed with each table.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402
from run import machine, start, stop  # noqa: E402

FORMATS = ("ttl", "jsonld", "nt", "rdf")
HUB_QUERY = """SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptce:Pole ; ptce:characteristic ?c }
GROUP BY ?c ORDER BY DESC(?n) LIMIT 1"""


def serve(mode: str, port: int, data: str) -> None:
    """Run ``ptce serve`` in this process; ``before``: resource documents built as one rdflib graph."""
    from server.cli import main as ptce

    if mode == "before":
        from server.web import resources

        streamed = resources.thing_document
        resources.thing_document = lambda *args: dataclasses.replace(streamed(*args), blocks=None)
    ptce.main(["serve", "--port", str(port), "--data", data], standalone_mode=False)


def start_server(mode: str, port: int, data: Path, engine: dict):
    """Start a server (this script with --serve; ``engine``: PTCE_* settings) and wait until it answers."""
    command = [sys.executable, __file__, "--serve", mode, "--port", str(port), "--data", str(data)]
    env = {"PTCE_STARTUP_SHAPES_CHECK": "false", **engine}
    process, _ = start(command, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=300, env=env)
    return process


def biggest_hub(base: str) -> tuple[str, int]:
    """Return the characteristic shared by the most poles, and how many poles share it."""
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': HUB_QUERY})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    [row] = json.load(urllib.request.urlopen(request, timeout=60))["results"]["bindings"]
    return row["c"]["value"], int(row["n"]["value"])


def fetch(url: str) -> tuple[float, float, int, str]:
    """Fetch a URL with curl; return seconds to the first byte, seconds to the last, bytes, HTTP status."""
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{time_starttransfer} %{time_total} %{size_download}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    status, first, total, size = result.stdout.split()
    return float(first), float(total), int(size), status


def measure(
    mode: str, port: int, data: Path, runs: int, engine: dict
) -> tuple[str, int, dict[str, tuple[float, float, int, str]]]:
    """Start a server, time the hub's documents (one warm-up each), stop it; medians per format."""
    process = start_server(mode, port, data, engine)
    try:
        base = f"http://127.0.0.1:{port}"
        hub, poles = biggest_hub(base)
        path = base + "/doc/" + hub.split("/id/", 1)[1]
        samples: dict[str, list[tuple[float, float, int, str]]] = {key: [] for key in FORMATS}
        for key in FORMATS:
            fetch(f"{path}.{key}")
        loads = [os.getloadavg()[0]]
        for _ in range(runs):
            for key in FORMATS:
                samples[key].append(fetch(f"{path}.{key}"))
        loads.append(os.getloadavg()[0])
    finally:
        stop(process)
    medians = {
        key: (
            statistics.median(s[0] for s in rows),
            statistics.median(s[1] for s in rows),
            rows[-1][2],
            rows[-1][3],
        )
        for key, rows in samples.items()
    }
    load = f"1-min load average {loads[0]:.2f} -> {loads[1]:.2f}"
    print(f"\n{mode}: <{hub}> ({poles:,} poles), median of {runs} runs, {load}")
    print("| format | status | bytes | first byte (ms) | whole (ms) |\n|---|---|---:|---:|---:|")
    for key, (first, total, size, status) in medians.items():
        print(f"| {key} | {status} | {size:,} | {first * 1000:.0f} | {total * 1000:.0f} |")
    return hub, poles, medians


def virtuoso(folder: Path, data: Path):
    """Start Virtuoso (tests/helpers/virtuoso.py) in ``folder``, load the data; return it and its settings."""
    sys.path.insert(0, str(ROOT))
    from tests.helpers.virtuoso import Virtuoso

    server = Virtuoso(folder)
    server.wait()
    engine = {f"PTCE_{key}": value for key, value in server.settings.items()}
    began = time.monotonic()
    load = [str(Path(sys.executable).parent / "ptce"), "load", "--data", str(data)]
    subprocess.run(load, env={**os.environ, **engine}, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    print(f"Virtuoso loaded in {time.monotonic() - began:.0f} s")
    return server, engine


def main() -> None:
    """Parse the options; serve (internal) or measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--poles", type=int, default=10000, help="generated data size (bench/out/poles-N)")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per format (median)")
    parser.add_argument("--port", type=int, default=5871)
    parser.add_argument("--before", action="store_true", help="also time the documents as served before")
    parser.add_argument(
        "--virtuoso", action="store_true", help="query Virtuoso instead of the embedded store"
    )
    parser.add_argument("--serve", choices=("streamed", "before"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.data)
        return
    sys.stdout.reconfigure(line_buffering=True)
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed")
    data = generate(args.poles, ROOT / "bench" / "out" / f"poles-{args.poles}")
    spec = machine()
    where = f"{spec['cpu']}, {spec['cores']} cores, Python {spec['python']}"
    print(f"Machine: {where}; data: {data.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory(prefix="measure-hubs-") as folder:
        engine_server, engine = virtuoso(Path(folder), data) if args.virtuoso else (None, {})
        try:
            after = measure("streamed", args.port, data, args.runs, engine)
            before = measure("before", args.port, data, args.runs, engine) if args.before else None
        finally:
            if engine_server is not None:
                engine_server.stop()
    if before:
        print("\n| format | first byte before -> after (ms) | whole before -> after (ms) |\n|---|---:|---:|")
        for key in FORMATS:
            (first0, total0, _, _), (first1, total1, _, _) = before[2][key], after[2][key]
            first = f"{first0 * 1000:.0f} -> {first1 * 1000:.0f}"
            print(f"| {key} | {first} | {total0 * 1000:.0f} -> {total1 * 1000:.0f} |")


if __name__ == "__main__":
    main()
