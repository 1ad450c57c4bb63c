"""Time a live swap of the dataset (the store rebuilt beside the served one, then swapped in) at several
sizes, and count the requests served, and failed, while it runs (run by hand).

.venv/bin/python bench/generate.py 1000 10000
.venv/bin/python bench/measure_swap.py bench/out/poles-1000 bench/out/poles-10000
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

from server import create_app
from server.contributions.live import reload_dataset
from server.sparql.views import start_workers

CLIENTS = 6
SWAPS = 3


def measure(folder: Path) -> dict:
    """Serve the folder's data, keep CLIENTS clients busy, swap SWAPS times; return the figures."""
    app = create_app({"DATA_DIRS": [str(folder)]})
    start_workers(app)
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    pole = next(iter(app.extensions["ptce"].select("SELECT ?p WHERE { ?p a ptce:Pole } LIMIT 1")))["p"]
    urls = [
        (base + "/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ptce:Pole }"}),
        (base + "/doc/" + str(pole).split("/id/", 1)[1] + ".ttl", None),
        (base + "/.well-known/void", None),
    ]
    stop = threading.Event()
    done: list[float] = []
    failed: list[str] = []

    def client(index: int) -> None:
        session = requests.Session()
        while not stop.is_set():
            url, params = urls[index % len(urls)]
            try:
                response = session.get(url, params=params, timeout=60)
                if response.status_code != 200:
                    failed.append(f"{response.status_code} {url}")
            except requests.RequestException as error:
                failed.append(f"{error!r} {url}")
            done.append(time.monotonic())

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    seconds, served = [], []
    for _ in range(SWAPS):
        started = time.monotonic()
        swap = reload_dataset(app)
        ended = time.monotonic()
        seconds.append(swap.seconds)
        served.append(sum(1 for t in list(done) if started <= t <= ended))
        time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join()
    server.shutdown()
    return {
        "triples": len(app.extensions["ptce"]),
        "swap_s": statistics.median(seconds),
        "served_during": statistics.median(served),
        "failed": len(failed),
    }


def main() -> None:
    """Print one line of figures per folder."""
    for folder in sys.argv[1:]:
        figures = measure(Path(folder))
        print(
            f"{folder}: {figures['triples']} triples; swap {figures['swap_s']} s (median of {SWAPS}); "
            f"{figures['served_during']} requests served during it by {CLIENTS} clients; "
            f"{figures['failed']} failed"
        )


if __name__ == "__main__":
    main()
