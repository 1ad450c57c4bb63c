"""Benchmark our server against the engine's own (``oxigraph serve``) on the same generated data, same client.

Run by hand (not a test), after ``.venv/bin/pip install -e '.[test,bench]'``::

    .venv/bin/python bench/peers.py --sizes 10000 100000 --variant SPARQL_WORKERS=4 \
        --variant STORE_PATH={tmp} --peer-on-disk

For each size it measures the servers one after the other: the query mix of ``bench/run.py`` at 4 and at
16 concurrent clients, ``ASK {}`` latency while 16 clients run the heavy queries, and the memory (PSS) of
the whole process tree. The machine and the load average are recorded with every run. The results go under
``"peers"`` in ``bench/results.json`` (the rest of the file is kept) and into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from run import (  # noqa: E402
    HEAVY,
    QUERIES,
    free_port,
    in_process,
    load_average,
    machine,
    peak_rss_mb,
    percentile,
    post_query,
    query_mix,
    sequential,
    start,
    stop,
    tree_memory_mb,
)

CHEAP = "ASK {}"


def cheap_under_load(endpoint: str, clients: int, samples: int) -> dict:
    """Latency of ``ASK {}`` sent by one client while ``clients`` others loop over the heavy queries."""
    stop_flag = threading.Event()
    heavy_done: list[float] = []

    def heavy(offset: int) -> None:
        index = offset
        while not stop_flag.is_set():
            post_query(endpoint, QUERIES[HEAVY[index % len(HEAVY)]], "application/sparql-results+json")
            heavy_done.append(time.perf_counter())
            index += 1

    threads = [threading.Thread(target=heavy, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # let every heavy client have a query in flight
    latencies, began = [], time.perf_counter()
    for _ in range(samples):
        sent = time.perf_counter()
        response = post_query(endpoint, CHEAP, "application/sparql-results+json")
        latencies.append(time.perf_counter() - sent)
        if response.status_code != 200:
            raise RuntimeError(f"ASK under load: {response.status_code} {response.text[:200]}")
        time.sleep(0.02)
    elapsed = time.perf_counter() - began
    heavy_rate = sum(1 for moment in heavy_done if moment >= began) / elapsed
    stop_flag.set()
    for thread in threads:
        thread.join()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "max": max(latencies) * 1000,
        "heavy_per_s": heavy_rate,
    }


def start_oxigraph(folder: Path, location: Path | None = None) -> tuple[object, str, float]:
    """Start ``oxigraph serve`` (in memory, or on disk in ``location``), load every file of ``folder`` into
    its own named graph over HTTP (the union is the default graph, as on our server); return the process,
    its base URL, the start-up."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"]
    if location is not None:
        command += ["--location", str(location)]
    began = time.perf_counter()
    process, _ = start(command + ["--union-default-graph"], f"{base}/query?query=ASK%7B%7D")
    for path in sorted(folder.glob("*.ttl")):
        with path.open("rb") as body:
            response = requests.post(
                f"{base}/store",
                params={"graph": f"urn:graph:{path.stem}"},
                data=body,
                headers={"Content-Type": "text/turtle"},
                timeout=900,
            )
        if response.status_code not in (200, 201, 204):
            stop(process)
            raise RuntimeError(f"oxigraph load {path}: {response.status_code} {response.text[:300]}")
    return process, base, time.perf_counter() - began


def start_ours(folder: Path, args, settings: list[str]) -> tuple[object, str, float]:
    """Start ``ptce serve`` in memory on ``folder`` (no start-up shapes check: serving is measured), with
    ``settings`` (``NAME=VALUE``) on top of the defaults."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PTCE_SPARQL_TIMEOUT": str(args.server_timeout), "PTCE_STARTUP_SHAPES_CHECK": "false"}
    env.update((f"PTCE_{name}", value) for name, value in (item.split("=", 1) for item in settings))
    command = [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(port), "--data", str(folder)]
    process, startup = start(command, f"{base}/sparql?query=ASK%7B%7D", env=env)
    return process, base, startup


def measure(process, endpoint: str, args) -> dict:
    """Every measurement of one server: the mix at 4 and 16 clients, ASK under load, memory."""
    query_mix(endpoint, 2, 4)  # warm-up, not counted: workers forked, caches filled
    out: dict = {"load_before": load_average()}
    for clients in (4, 16):
        mix = query_mix(endpoint, args.rounds, clients)
        out[f"mix_{clients}"] = {key: mix[key] for key in ("throughput", "p50", "p95", "errors")}
    out["cheap_under_load"] = cheap_under_load(endpoint, 16, args.samples)
    out["one_client"] = sequential(endpoint, tuple(QUERIES), 5)
    out["tree_pss"] = tree_memory_mb(process.pid)
    out["rss"] = peak_rss_mb(process.pid)
    out["load_after"] = load_average()
    return out


def bench_size(size: int, args) -> dict:
    """Measure our server (with its defaults, then each variant), then Oxigraph's, on ``size`` poles."""
    folder = generate(size, args.out / f"poles-{size}")
    row: dict = {"poles": size, "variants": []}
    runs = [("ours", args.setting)] + [("variants", variant.split(",")) for variant in args.variant]
    for key, settings in runs:
        with tempfile.TemporaryDirectory(dir=args.out) as scratch:
            settings = [item.replace("{tmp}", scratch) for item in settings]
            process, base, startup = start_ours(folder, args, settings)
            try:
                item = {"startup": startup, "settings": settings, **measure(process, f"{base}/sparql", args)}
            finally:
                stop(process)
        if key == "ours":
            row["ours"] = item
        else:
            item["settings"] = [entry.replace(scratch, "{tmp}") for entry in item["settings"]]
            row["variants"].append(item)
    if args.skip_peer:
        return row
    row["in_process"] = in_process(folder, 5)["per_query_p50"]
    peers = [("oxigraph", False)] + ([("oxigraph_disk", True)] if args.peer_on_disk else [])
    for key, on_disk in peers:
        with tempfile.TemporaryDirectory(dir=args.out) as scratch:
            process, base, startup = start_oxigraph(folder, Path(scratch) if on_disk else None)
            try:
                row[key] = {"startup": startup, **measure(process, f"{base}/query", args)}
            finally:
                stop(process)
    return row


def main() -> None:
    """Parse arguments, measure every size, store the results and regenerate bench/README.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[10000])
    parser.add_argument("--rounds", type=int, default=20, help="query-mix rounds per client count")
    parser.add_argument("--samples", type=int, default=100, help="ASK {} requests sent under load")
    parser.add_argument("--server-timeout", type=float, default=60, help="our server's SPARQL time limit (s)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of our server (server/config.py), e.g. SPARQL_FAST_WORKERS=0 for no fast lane",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=VALUE[,NAME=VALUE]",
        help="also measure our server with these settings (repeatable; {tmp} is a fresh folder), e.g. "
        "SPARQL_WORKERS=4 for the process model before a change, STORE_PATH={tmp} for an on-disk store",
    )
    parser.add_argument(
        "--peer-on-disk", action="store_true", help="also measure `oxigraph serve --location` (on disk)"
    )
    parser.add_argument("--skip-peer", action="store_true", help="measure our server only (with --json)")
    parser.add_argument("--json", type=Path, help="write the results here instead of into bench/results.json")
    args = parser.parse_args()
    rows = [bench_size(size, args) for size in args.sizes]
    peers = {"rows": rows, "machine": machine(), "command": " ".join(sys.argv[1:])}
    if args.json:  # e.g. a run with other settings, to compare with
        args.json.write_text(json.dumps(peers, indent=1))
        return
    results = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
    results["peers"] = peers
    (HERE / "results.json").write_text(json.dumps(results, indent=1))
    from report import main as report

    sys.argv = [sys.argv[0]]
    report()


if __name__ == "__main__":
    main()
