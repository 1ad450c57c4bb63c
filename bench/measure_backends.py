"""Pages on the embedded store and on Virtuoso (before and after page views), engine requests per page, and
the SPARQL query mix through our server against Virtuoso's own endpoint.

Run by hand (needs Debian's virtuoso-opensource; not a test)::

    .venv/bin/python bench/measure_backends.py                                      # data/
    .venv/bin/python bench/measure_backends.py --data bench/out/poles-10000 --mix   # bench/generate.py 10000

It loads the files into a fresh Virtuoso (``ptce load``), then times through the Flask test client (after
one warm-up request): a pole page asked again and again, the pages of ``--distinct`` other poles asked once
each (the context of their IRIs not yet kept), the pole's Turtle and the home page. "Virtuoso, before" is
the same code with page views off, kept-alive connections to the engine and answers in JSON (one query per
block, as before ``server/web/page_view.py``). ``--mix`` also starts ``ptce serve`` on Virtuoso and runs
``bench/run.py``'s query mix at 4 and 16 clients against it, against Virtuoso's ``/sparql`` as a user would
query it (JSON answers, and XML as our server asks), and with the dataset our server sends. The load
average is printed with every figure: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import requests
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from run import ACCEPT, PREFIXES, QUERIES, free_port, load_average, percentile, start, stop  # noqa: E402

from server import create_app  # noqa: E402
from server.cli import main as ptce  # noqa: E402
from server.dataset import remote  # noqa: E402
from tests.helpers.virtuoso import Virtuoso  # noqa: E402


def fetch(client, path: str) -> None:
    """Ask for a path and read the whole body (RDF documents are streamed)."""
    response = client.get(path)
    response.get_data()
    assert response.status_code == 200, path


def timed(client, path: str, repeats: int) -> tuple[float, float]:
    """Median and p95 milliseconds of ``repeats`` requests for ``path`` (after one warm-up request)."""
    fetch(client, path)
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        fetch(client, path)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def once_each(client, paths: list[str]) -> tuple[float, float]:
    """Median and p95 milliseconds of one request for each path."""
    samples = []
    for path in paths:
        began = time.perf_counter()
        fetch(client, path)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def counting(store) -> list[str]:
    """Count the HTTP requests a RemoteStore sends to the engine (the list grows with each query)."""
    sent: list[str] = []
    post = store._post

    def counted(text, *args, **kwargs):
        sent.append(text)
        return post(text, *args, **kwargs)

    store._post = counted
    return sent


def pages(app, pole: str, others: list[str], repeats: int) -> dict:
    """Every page figure of one app: the pole page repeated, other poles once each, Turtle, home page."""
    client, row = app.test_client(), {"load": " ".join(map(str, load_average()))}
    store = app.extensions["ptce"]
    sent = counting(store) if isinstance(store, remote.RemoteStore) else None
    if sent is not None:
        store.rdflib_graph(("ontology",))  # read once per app, not per page
        first = len(sent)
        client.get(f"/doc/pole/{others[0]}.html")
        row["requests_first"] = len(sent) - first
    row["page"] = timed(client, f"/doc/pole/{pole}.html", repeats)
    if sent is not None:
        first = len(sent)
        client.get(f"/doc/pole/{pole}.html")
        row["requests_again"] = len(sent) - first
    row["distinct"] = once_each(client, [f"/doc/pole/{slug}.html" for slug in others[1:]])
    row["turtle"] = timed(client, f"/doc/pole/{pole}.ttl", repeats)
    status = client.get("/").status_code  # on Virtuoso at 10,000 poles: 503 (too long an IN list)
    row["home"] = timed(client, "/", repeats) if status == 200 else (f"HTTP {status}", "")
    row["load_after"] = " ".join(map(str, load_average()))
    return row


def form_mix(endpoint: str, rounds: int, clients: int, results: str | None = None) -> dict:
    """``bench/run.py``'s query mix, each query POSTed as a form (Virtuoso 7.2 left a POST whose body is
    ``application/sparql-query`` unanswered for 300 s), SELECT and ASK answers in JSON or ``results``:
    requests per second, p50 and p95 in ms, errors."""
    jobs = [name for _ in range(rounds) for name in QUERIES]
    latencies: list[float] = []
    errors: list[str] = []

    def one(name: str) -> None:
        began = time.perf_counter()
        accept = ACCEPT.get(name, results or "application/sparql-results+json")
        try:
            response = requests.post(
                endpoint, data={"query": PREFIXES + QUERIES[name]}, headers={"Accept": accept}, timeout=120
            )
            if response.status_code != 200:
                errors.append(f"{name}: {response.status_code}")
        except requests.RequestException as error:
            errors.append(f"{name}: {type(error).__name__}")
        latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, jobs))
    elapsed = time.perf_counter() - began
    return {
        "throughput": len(jobs) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "errors": len(errors),
        "load": " ".join(map(str, load_average())),
    }


def mixes(settings: dict, data: Path | None, rounds: int) -> dict:
    """The query mix at 4 and 16 clients: our server on Virtuoso, Virtuoso, Virtuoso with our dataset."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {f"PTCE_{key}": value for key, value in settings.items()}
    env.update(PTCE_STARTUP_SHAPES_CHECK="false", PTCE_SPARQL_TIMEOUT="60")
    command = [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(port)]
    command += ["--data", str(data)] if data else []
    process, _ = start(command, f"{base}/sparql?query=ASK%7B%7D", env=env)
    try:
        app = create_app({"TESTING": True, **settings, **({"DATA_DIRS": [str(data)]} if data else {})})
        graphs = [source.graph for source in app.extensions["ptce"].sources]
        dataset = urlencode(
            [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        )
        engine = settings["SPARQL_BACKEND_URL"]
        xml = "application/sparql-results+xml"
        endpoints = {
            "ours": (f"{base}/sparql", None),
            "virtuoso": (engine, None),
            "virtuoso_xml": (engine, xml),
            "virtuoso_dataset": (f"{engine}?{dataset}", xml),
        }
        out: dict = {}
        for name, (endpoint, results) in endpoints.items():
            form_mix(endpoint, 2, 4, results)  # warm-up
            for clients in (4, 16):
                out[f"{name}_{clients}"] = form_mix(endpoint, rounds, clients, results)
        return out
    finally:
        stop(process)


def main() -> None:
    """Load the files into a fresh Virtuoso, time both backends, print the tables (and write --json)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, help="folder of Turtle files (default: data/)")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--distinct", type=int, default=30, help="other poles, each asked once")
    parser.add_argument("--mix", action="store_true", help="also the query mix through ptce serve")
    parser.add_argument("--rounds", type=int, default=10, help="query-mix rounds per client count")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    config = {"TESTING": True, "STARTUP_SHAPES_CHECK": False}
    if args.data:
        config["DATA_DIRS"] = [str(args.data)]
    embedded_app = create_app(config)
    poles = sorted(
        str(row["p"]).rsplit("/", 1)[1]
        for row in embedded_app.extensions["ptce"].select("SELECT ?p WHERE { ?p a ptce:Pole }")
    )
    pole = "synth-42" if "synth-42" in poles else "coursive-boutaric"
    others = [slug for slug in poles[:: max(1, len(poles) // (args.distinct + 2))] if slug != pole]
    others = others[: args.distinct + 1]
    results = {"data": str(args.data or "data/"), "pole": pole}
    results["embedded"] = pages(embedded_app, pole, others, args.repeats)
    with tempfile.TemporaryDirectory() as folder:
        server = Virtuoso(Path(folder))
        try:
            server.wait()
            env = {f"PTCE_{key}": value for key, value in server.settings.items()}
            loaded = CliRunner().invoke(
                ptce, ["load"] + (["--data", str(args.data)] if args.data else []), env=env
            )
            assert loaded.exit_code == 0, loaded.output
            before = create_app({**config, **server.settings})
            before.extensions["ptce"].page_views = False
            now = remote.CONNECTION.pop("Connection"), remote.RESULTS_ACCEPT
            remote.RESULTS_ACCEPT = "application/sparql-results+json"
            results["virtuoso_before"] = pages(before, pole, others, args.repeats)
            remote.CONNECTION["Connection"], remote.RESULTS_ACCEPT = now
            results["virtuoso"] = pages(create_app({**config, **server.settings}), pole, others, args.repeats)
            if args.mix:
                results["mix"] = mixes(server.settings, args.data, args.rounds)
        finally:
            server.stop()
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


def report(results: dict) -> None:
    """Print the figures as Markdown tables."""
    columns = ("embedded", "virtuoso_before", "virtuoso")
    print(f"{results['data']}, pole {results['pole']}; medians (p95) in ms\n")
    print("| | embedded | Virtuoso, before | Virtuoso, page views |\n|---|---|---|---|")
    for key, label in (
        ("page", "pole page, asked again"),
        ("distinct", "pole pages, each asked once"),
        ("turtle", "pole Turtle"),
        ("home", "home page"),
    ):
        cells = [
            f"{results[c][key][0]:.1f} ({results[c][key][1]:.0f})"
            if isinstance(results[c][key][0], float)
            else results[c][key][0]
            for c in columns
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for key, label in (("requests_first", "engine requests, first page"), ("requests_again", "… page again")):
        print(f"| {label} | – | " + " | ".join(str(results[c][key]) for c in columns[1:]) + " |")
    print(
        "| load average | "
        + " | ".join(f"{results[c]['load']} → {results[c]['load_after']}" for c in columns)
    )
    if "mix" in results:
        mix = results["mix"]
        print("\n| query mix, requests/s (p50 ms) | 4 clients | 16 clients |\n|---|---|---|")
        for name, label in (
            ("ours", "our server on Virtuoso"),
            ("virtuoso", "Virtuoso's /sparql (JSON)"),
            ("virtuoso_xml", "Virtuoso's /sparql (XML, as our server asks)"),
            ("virtuoso_dataset", "Virtuoso's /sparql (XML) with our dataset"),
        ):
            cells = [
                f"{mix[f'{name}_{n}']['throughput']:.1f} ({mix[f'{name}_{n}']['p50']:.0f})" for n in (4, 16)
            ]
            errors = sum(mix[f"{name}_{n}"]["errors"] for n in (4, 16))
            print(f"| {label} | " + " | ".join(cells) + f" |{f' {errors} errors' if errors else ''}")
        print(f"\nload average at the end: {mix['virtuoso_dataset_16']['load']}")


if __name__ == "__main__":
    main()
