"""Replication and history costs (run by hand; issue 22): the time from an accept to a replica serving it,
the cost of a memento request, and what recording a change costs in SQLite against a git commit.

A curator node runs in this process (waitress-free: werkzeug's threaded server) over a copy of the folder; a
replica (``ptce serve --follow``) runs over another copy (its "own older data"). Each round adds a new pole to
the inbox, accepts it (``writer.accept``; with ``--skip-graph-check`` the whole-graph shapes check of the
accept is skipped, as it takes minutes at 10,000 poles and is the accept's cost, not the replication's), and
times until the replica serves the new pole's document.

.venv/bin/python bench/generate.py 10000
.venv/bin/python bench/measure_replication.py data
.venv/bin/python bench/measure_replication.py bench/out/poles-10000 --skip-graph-check
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from server import create_app  # noqa: E402
from server.contributions import live, writer  # noqa: E402
from server.contributions.inbox import Inbox  # noqa: E402
from server.history import patch as patches  # noqa: E402
from server.history.record import open_writable, recorder  # noqa: E402

POLE = (PROJECT / "tests" / "cases" / "validator" / "valid-pole.ttl").read_text()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pole_turtle(round_number: int, generated: bool) -> bytes:
    """The test pole, renamed for this round (a new pole each time); in generated data, its partner is a
    generated organisation."""
    text = POLE.replace("du-test", f"du-test-{round_number}").replace("du Test", f"du Test {round_number}")
    if generated:
        text = text.replace("orga:labo-ess ;", "orga:synth-1 ;")
    return text.replace("Test Factory", f"Test Factory {round_number}").encode()


def median_ms(get, times: int = 20) -> float:
    """The median time of ``times`` calls of ``get`` (ms)."""
    found = []
    for _ in range(times):
        started = time.perf_counter()
        get()
        found.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(found), 1)


def start_replica(curator: str, folder: Path, cache: Path, big: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PTCE_CACHE_DIR": str(cache), "PTCE_FOLLOW_INTERVAL": "0.2"}
    if big:
        env["PTCE_STARTUP_SHAPES_CHECK"] = "false"
    command = [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(port), "--follow", curator]
    process = subprocess.Popen(
        [*command, "--data", str(folder)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(3000):
        try:
            requests.get(base + "/healthz", timeout=1)
            return process, base
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("the replica did not start")


def measure(folder: Path, rounds: int, skip_check: bool) -> dict:
    """Figures for one dataset folder."""
    work = Path(tempfile.mkdtemp(prefix="ptce-replication-"))
    curator_data, replica_data = work / "curator", work / "replica"
    shutil.copytree(folder, curator_data)
    shutil.copytree(folder, replica_data)
    settings = {"DATA_DIRS": [str(curator_data)], "CONTRIBUTIONS_DB": str(work / "inbox.sqlite3")}
    settings["CACHE_DIR"] = str(work / "cache")
    app = create_app(settings)
    from server.sparql.views import start_workers

    start_workers(app)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    curator = f"http://127.0.0.1:{server.server_port}"
    if skip_check:
        writer.check_result = lambda *args, **kwargs: None
    started = time.monotonic()
    replica, mirror = start_replica(curator, replica_data, work / "cache-replica", skip_check)
    figures = {"folder": str(folder), "triples": len(app.extensions["ptce"]), "replica_start_s": 0.0}
    figures["replica_start_s"] = round(time.monotonic() - started, 1)
    inbox = Inbox(work / "inbox.sqlite3")
    accepts, swaps, lags = [], [], []
    try:
        for number in range(1, rounds + 1):
            contribution = inbox.add(pole_turtle(number, "poles-" in str(folder)), {})
            began = time.monotonic()
            writer.accept(inbox, contribution, "bench", "", app.config)
            accepted = time.monotonic()
            swap = live.reload_dataset(app)
            path = f"/doc/pole/la-fabrique-du-test-{number}.ttl"
            while requests.get(mirror + path, timeout=30).status_code != 200:
                time.sleep(0.02)
            lags.append(time.monotonic() - accepted)
            accepts.append(accepted - began)
            swaps.append(swap.seconds)
        figures.update(
            accept_s=round(statistics.median(accepts), 2),
            curator_swap_s=round(statistics.median(swaps), 2),
            replica_lag_s=round(statistics.median(lags), 2),
            replica_lag_max_s=round(max(lags), 2),
        )
        doc = curator + "/doc/commune/21231.ttl" if "poles-" not in str(folder) else None
        target = doc or curator + "/doc/pole/la-fabrique-du-test-1.ttl"
        rest = target.split("/doc/", 1)[1]
        figures["document_ms"] = median_ms(lambda: requests.get(target, timeout=30))
        figures["memento_latest_ms"] = median_ms(
            lambda: requests.get(f"{curator}/memento/{rounds}/{rest}", timeout=30)
        )
        figures["memento_first_ms"] = median_ms(
            lambda: requests.get(f"{curator}/memento/1/{rest}", timeout=30)
        )
        gate = {"Accept-Datetime": "Thu, 01 Jan 2015 00:00:00 GMT"}
        figures["timegate_ms"] = median_ms(
            lambda: requests.get(target, headers=gate, allow_redirects=False, timeout=30)
        )
        figures["timemap_ms"] = median_ms(
            lambda: requests.get(f"{curator}/timemap/{rest.removesuffix('.ttl')}", timeout=30)
        )
        figures.update(record_costs(curator_data, work))
    finally:
        replica.terminate()
        replica.wait(timeout=30)
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return figures


def record_costs(data: Path, work: Path) -> dict:
    """One change recorded: its patch computed and inserted in SQLite, against ``git add`` + ``git commit``
    of the same file in a repository of the data folder (median of 5)."""
    target = next(data.rglob("contribution-*.ttl"))
    old = target.read_text()
    new = old + '<https://w3id.org/ptce/id/pole/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
    plan = {"files": [{"path": str(target), "old": old, "new": new}], "actor": "bench"}
    db = open_writable(work / "bench-record.sqlite3")
    sqlite_times = []
    for _ in range(5):
        started = time.perf_counter()
        record = recorder(1, "accept", plan)
        db.execute("BEGIN IMMEDIATE")
        record(db)
        db.execute("COMMIT")
        sqlite_times.append(time.perf_counter() - started)
    repo = work / "git-data"
    shutil.copytree(data, repo)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "initial"], cwd=repo, check=True)
    git_times, copy = [], repo / target.relative_to(data)
    for index in range(5):
        copy.write_text(
            old
            + f'<https://w3id.org/ptce/id/pole/x{index}> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
        )
        started = time.perf_counter()
        subprocess.run([*git, "add", str(copy)], cwd=repo, check=True)
        subprocess.run([*git, "commit", "-q", "-m", f"change {index}"], cwd=repo, check=True)
        git_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    diff = subprocess.run([*git, "diff", "HEAD~1", "HEAD"], cwd=repo, check=True, capture_output=True).stdout
    git_diff = time.perf_counter() - started
    started = time.perf_counter()
    patches.from_files(plan["files"], "https://w3id.org/ptce/")
    patch_seconds = time.perf_counter() - started
    return {
        "record_sqlite_ms": round(statistics.median(sqlite_times) * 1000, 1),
        "record_git_commit_ms": round(statistics.median(git_times) * 1000, 1),
        "git_diff_ms": round(git_diff * 1000, 1),
        "git_diff_bytes": len(diff),
        "patch_from_texts_ms": round(patch_seconds * 1000, 1),
        "git_repo_bytes": sum(p.stat().st_size for p in (repo / ".git").rglob("*") if p.is_file()),
    }


def main() -> None:
    """Command line: folders of data, rounds, --skip-graph-check."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-graph-check", action="store_true")
    args = parser.parse_args()
    for folder in args.folders:
        print(json.dumps(measure(folder, args.rounds, args.skip_graph_check), indent=1), flush=True)


if __name__ == "__main__":
    main()
