"""Median time to serve a pole page and a pole's Turtle over HTTP (real server, real data).

Run by hand: ``.venv/bin/python bench/measure_pages.py`` (not a test).
"""

from __future__ import annotations

import logging
import statistics
import threading
import time

import requests
from werkzeug.serving import make_server

from server import create_app


def main() -> None:
    """Serve the project's data on a real threaded server and time every pole's page and Turtle."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    query = "SELECT ?p WHERE { ?p a ptce:Pole } ORDER BY ?p"
    poles = [str(r["p"]) for r in app.extensions["ptce"].select(query)]
    session = requests.Session()
    for suffix in (".html", ".ttl"):
        times = []
        for pole in poles:
            url = base + "/doc/" + pole.split("/id/", 1)[1] + suffix
            start = time.perf_counter()
            response = session.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, url
        median, worst = statistics.median(times) * 1000, max(times) * 1000
        print(f"{suffix}: {len(times)} poles, median {median:.1f} ms, max {worst:.1f} ms")
    server.shutdown()


if __name__ == "__main__":
    main()
