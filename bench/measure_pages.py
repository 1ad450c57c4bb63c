"""Median time to serve a pole at its IRI, its HTML page and its Turtle over HTTP (real server, real data).

Run by hand: ``.venv/bin/python bench/measure_pages.py`` on ``data/``, or
``.venv/bin/python bench/measure_pages.py bench/out/poles-10000`` on generated data (``bench/generate.py``);
at most 300 poles, evenly spread, are timed (not a test).
"""

from __future__ import annotations

import logging
import statistics
import sys
import threading
import time

import requests
from werkzeug.serving import make_server

from server import create_app

SAMPLE = 300


def main() -> None:
    """Serve the data on a real threaded server and time the poles' IRI (303 followed), page and Turtle."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app({"DATA_DIRS": sys.argv[1:]} if len(sys.argv) > 1 else None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    query = "SELECT ?p WHERE { ?p a ptce:Pole } ORDER BY ?p"
    poles = [str(r["p"]) for r in app.extensions["ptce"].select(query)]
    sample = poles[:: max(1, len(poles) // SAMPLE)][:SAMPLE]
    session = requests.Session()
    session.headers["Accept"] = "text/html"
    for kind, prefix, suffix in (
        ("IRI, 303 followed", "/id/", ""),
        ("page", "/doc/", ".html"),
        ("Turtle", "/doc/", ".ttl"),
    ):
        times = []
        for pole in sample:
            url = base + prefix + pole.split("/id/", 1)[1] + suffix
            start = time.perf_counter()
            response = session.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, url
        median, worst = statistics.median(times) * 1000, max(times) * 1000
        print(f"{kind}: {len(times)} of {len(poles)} poles, median {median:.1f} ms, max {worst:.1f} ms")
    server.shutdown()


if __name__ == "__main__":
    main()
