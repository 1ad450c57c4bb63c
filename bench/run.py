"""Benchmark PTCE Graph against plain rdflib-endpoint and pyoxigraph in-process, on generated data.

Run by hand (not a test):  ``.venv/bin/python bench/run.py --sizes 1000 10000``
It writes ``bench/results.json``, the figures section of ``bench/README.md`` and ``bench/results.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

PREFIXES = """PREFIX ptce: <https://w3id.org/ptce/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX schema: <https://schema.org/>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
"""
QUERIES = {
    "count-by-characteristic": "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p ptce:characteristic ?c } GROUP BY ?c",
    "poles-per-departement": "SELECT ?d (COUNT(DISTINCT ?p) AS ?n) WHERE { "
    "?p a ptce:Pole ; schema:location ?c . ?d igeo:subdivisionDirecte ?c } GROUP BY ?d ORDER BY DESC(?n)",
    "members-2-hop-join": "SELECT ?pole ?label ?memberLabel WHERE { ?pole a ptce:Pole ; rdfs:label ?label ; "
    "org:hasMembership ?m . ?m org:member ?a . ?a rdfs:label ?memberLabel } LIMIT 5000",
    "regex-filter": "SELECT ?p ?l WHERE { ?p a ptce:Pole ; rdfs:label ?l "
    'FILTER regex(?l, "rivières", "i") } LIMIT 5000',
    "describe-pole": "DESCRIBE <https://w3id.org/ptce/id/pole/synth-42>",
    "ask": "ASK { <https://w3id.org/ptce/id/pole/synth-7> a ptce:Pole }",
}
HEAVY = ("count-by-characteristic", "poles-per-departement", "members-2-hop-join")
ACCEPT = {"describe-pole": "text/turtle"}


def post_query(endpoint: str, query: str, accept: str) -> requests.Response:
    """POST a query as ``application/sparql-query`` (UTF-8 body), the same way to every server."""
    headers = {"Accept": accept, "Content-Type": "application/sparql-query; charset=utf-8"}
    return requests.post(endpoint, data=(PREFIXES + query).encode("utf-8"), headers=headers, timeout=300)


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` percentile (0..1) of ``values`` by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """Return the peak resident memory of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree_memory_mb(pid: int) -> float:
    """Return the proportional memory (PSS) of a process and all its descendants (SPARQL workers), in MB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def sequential(endpoint: str, names: tuple[str, ...], repeats: int) -> dict[str, float]:
    """Median latency (ms) of each query sent alone by one client (comparable with in-process times)."""
    out = {}
    for name in names:
        samples = []
        for _ in range(repeats + 1):
            began = time.perf_counter()
            response = post_query(
                endpoint, QUERIES[name], ACCEPT.get(name, "application/sparql-results+json")
            )
            samples.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")
        out[name] = statistics.median(samples[1:]) * 1000
    return out


def start(
    command: list[str], url: str, timeout: float = 900, env: dict | None = None
) -> tuple[subprocess.Popen, float]:
    """Start a server process and wait until ``url`` answers 200; return it and its start-up time."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    while time.perf_counter() - began < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return process, time.perf_counter() - began
        except requests.RequestException:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{command} did not answer {url}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server process and its children."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def query_mix(endpoint: str, rounds: int, clients: int) -> dict:
    """Run the query mix ``rounds`` times over ``clients`` concurrent HTTP clients."""
    jobs = [name for _ in range(rounds) for name in QUERIES]
    latencies: dict[str, list[float]] = {name: [] for name in QUERIES}

    def one(name: str) -> None:
        headers = {"Accept": ACCEPT.get(name, "application/sparql-results+json")}
        began = time.perf_counter()
        response = post_query(endpoint, QUERIES[name], headers["Accept"])
        latencies[name].append(time.perf_counter() - began)
        if response.status_code != 200:
            errors.append(f"{name}: {response.status_code} {response.text[:120]}")

    errors: list[str] = []
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, jobs))
    elapsed = time.perf_counter() - began
    every = [value for values in latencies.values() for value in values]
    return {
        "throughput": len(jobs) / elapsed,
        "p50": statistics.median(every) * 1000,
        "p95": percentile(every, 0.95) * 1000,
        "per_query_p50": {name: statistics.median(v) * 1000 for name, v in latencies.items()},
        "errors": errors,
    }


def in_process(folder: Path, repeats: int) -> dict:
    """Load the files into pyoxigraph and time each query of the mix in-process (the engine's limit)."""
    store = ox.Store()
    began = time.perf_counter()
    for path in sorted(folder.glob("*.ttl")):
        store.bulk_load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:g:{path.stem}")
        )
    load = time.perf_counter() - began
    times = {}
    for name, text in QUERIES.items():
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            result = store.query(PREFIXES + text, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                for _row in result:
                    pass
            samples.append(time.perf_counter() - began)
        times[name] = statistics.median(samples) * 1000
    return {"load": load, "per_query_p50": times, "triples": len(store)}


PAGE_PROBES = {  # label -> (path of pole n, Accept); "dereference" follows the IRI's 303 to the page
    "page": ("/doc/pole/synth-{n}.html", "text/html"),
    "turtle": ("/doc/pole/synth-{n}.ttl", "text/turtle"),
    "dereference": ("/id/pole/synth-{n}", "text/html"),
}


def page_latency(base: str, repeats: int, timeout: float = 60) -> dict:
    """Median and p95 of a pole's HTML page, its Turtle document, and its IRI dereferenced (303 + page),
    over one keep-alive HTTP session as a browser would use."""
    out = {}
    session = requests.Session()
    for label, (path, accept) in PAGE_PROBES.items():
        samples = []
        for index in range(repeats):
            url = base + path.format(n=index % 50)
            began = time.perf_counter()
            try:
                response = session.get(url, headers={"Accept": accept}, timeout=timeout)
            except requests.Timeout:
                out[label] = (float("inf"), float("inf"))
                return {"page": out.get("page", out[label]), "turtle": out[label], "timed_out": timeout}
            samples.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
        out[label] = (statistics.median(samples) * 1000, percentile(samples, 0.95) * 1000)
    return out


def validation_times(folder: Path, triples: int) -> dict:
    """Time validating a contribution of about ``triples`` triples: ours vs plain pyshacl."""
    from pyshacl import validate
    from rdflib import Graph

    from server import create_app
    from server.validator import validate_turtle

    lines = (folder / "synth-poles.ttl").read_text(encoding="utf-8").split("\n\n", 1)
    prefixes, body = lines[0] + "\n\n", lines[1]
    blocks = body.split("\npole:")
    text, count = prefixes, 0
    for index, block in enumerate(blocks):
        chunk = ("pole:" if index else "") + block + "\n"
        text += chunk
        count += chunk.count(" ;") + chunk.count(" .")
        if count >= triples:
            break
    data = text.encode()
    app = create_app({"TESTING": True})
    store = app.extensions["ptce"]
    shapes, ontology = store.rdflib_graph(("shapes",)), store.rdflib_graph(("ontology",))
    began = time.perf_counter()
    with app.app_context():
        report = validate_turtle(data, shapes=shapes, ontology=ontology, live_graph=None)
    ours = time.perf_counter() - began
    began = time.perf_counter()
    graph = Graph().parse(data=data, format="turtle")
    validate(graph, shacl_graph=shapes, ont_graph=ontology)
    plain = time.perf_counter() - began
    return {
        "triples": len(graph),
        "ours": ours,
        "pyshacl": plain,
        "conforms": getattr(report, "conforms", None),
    }


def machine() -> dict:
    """The machine a run is measured on: processor, cores, memory, system, Python."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(value, 2) for value in os.getloadavg()]


def bench_size(size: int, args) -> dict:
    """Run every measurement on the data of ``size`` poles."""
    folder = generate(size, args.out / f"poles-{size}")
    row: dict = {"poles": size, "load_before": load_average()}
    row["in_process"] = in_process(folder, args.repeats)
    row["triples"] = row["in_process"]["triples"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ready = f"{base}/sparql?query=ASK%7B%7D"
    # serving is measured, not the start-up shapes check of the generated poles (19 s at 1,000 poles)
    env = {"PTCE_SPARQL_TIMEOUT": str(args.server_timeout), "PTCE_STARTUP_SHAPES_CHECK": "false"}
    with tempfile.TemporaryDirectory() as store_dir:
        command = [
            str(Path(sys.executable).parent / "ptce"),
            "serve",
            "--port",
            str(port),
            "--data",
            str(folder),
        ]
        process, startup = start(command + ["--store", store_dir], ready, env=env)
        stop(process)
        process, startup_disk = start(command + ["--store", store_dir], ready, env=env)
        stop(process)
    process, startup_memory = start(command, ready, env={**env, "PTCE_STORE_PATH": "null"})  # in memory
    try:
        row["ours"] = query_mix(f"{base}/sparql", args.rounds, args.clients)
        row["ours"].update(
            startup=startup_memory,
            startup_disk=startup_disk,
            startup_first_disk=startup,
            rss=peak_rss_mb(process.pid),
            tree_pss=tree_memory_mb(process.pid),
        )
        row["ours"]["sequential"] = sequential(f"{base}/sparql", HEAVY, args.repeats)
        if size <= args.pages_max:
            row["pages"] = page_latency(base, args.repeats * 4)
        else:  # one probe only: a page's cost grows with the data (see the notes), do not wait for 40 of them
            row["pages"] = page_latency(base, 1, timeout=args.page_timeout)
    finally:
        stop(process)
    if size <= args.baseline_max:
        port = free_port()
        command = [sys.executable, str(HERE / "baseline_endpoint.py"), str(port), str(folder)]
        process, startup = start(command, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=1800)
        try:
            row["baseline"] = query_mix(
                f"http://127.0.0.1:{port}/sparql", max(1, args.rounds // 4), args.clients
            )
            row["baseline"].update(startup=startup, rss=peak_rss_mb(process.pid))
            row["baseline"]["sequential"] = sequential(f"http://127.0.0.1:{port}/sparql", HEAVY, 1)
        finally:
            stop(process)
    row["load_after"] = load_average()
    return row


def main() -> None:
    """Parse arguments, run every size, write the table and the plot."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000])
    parser.add_argument("--baseline-max", type=int, default=10000, help="largest size run on the baseline")
    parser.add_argument("--rounds", type=int, default=20, help="query-mix rounds on our server")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--pages-max", type=int, default=10000, help="largest size with 20 page requests")
    parser.add_argument("--page-timeout", type=float, default=60, help="page probe time-out above it (s)")
    parser.add_argument("--server-timeout", type=float, default=60, help="our server's SPARQL time limit (s)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--validation", nargs="*", type=int, default=[1000, 10000], help="contribution sizes")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    rows = [bench_size(size, args) for size in args.sizes]
    validation = [validation_times(args.out / f"poles-{args.sizes[0]}", n) for n in args.validation]
    command = " ".join(sys.argv[1:])
    results = {"rows": rows, "validation": validation, "command": command, "machine": machine()}
    previous = json.loads((HERE / "results.json").read_text()) if (HERE / "results.json").exists() else {}
    if "peers" in previous:  # measured by bench/peers.py, kept
        results["peers"] = previous["peers"]
    (HERE / "results.json").write_text(json.dumps(results, indent=1))
    from report import write_report

    readme, plot = HERE / "README.md", HERE / "results.png"
    print(write_report(rows, validation, readme, plot, command, results.get("peers"), results["machine"]))
    print(
        f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        file=sys.stderr,
    )
    os.sync()


if __name__ == "__main__":
    main()
