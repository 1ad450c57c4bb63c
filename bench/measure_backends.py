"""Median time of a pole page, a pole's Turtle and the home page on the embedded store and on Virtuoso.

Run by hand (needs Debian's virtuoso-opensource): ``.venv/bin/python bench/measure_backends.py``
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from virtuoso_server import Virtuoso  # noqa: E402

from server import create_app  # noqa: E402
from server.cli import main as ptce  # noqa: E402

PATHS = {
    "pole page (HTML)": "/doc/pole/coursive-boutaric.html",
    "pole Turtle": "/doc/pole/coursive-boutaric.ttl",
    "home page": "/",
}


def medians(app, repeats: int = 30) -> dict[str, float]:
    """Median milliseconds of each path through the app's test client (after one warm-up request)."""
    client = app.test_client()
    out = {}
    for label, path in PATHS.items():
        client.get(path)
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            assert client.get(path).status_code == 200, path
            samples.append((time.perf_counter() - began) * 1000)
        out[label] = statistics.median(samples)
    return out


def main() -> None:
    """Load the project's files into a fresh Virtuoso, then time both backends and print a table."""
    embedded = medians(create_app())
    with tempfile.TemporaryDirectory() as folder:
        server = Virtuoso(Path(folder))
        try:
            server.wait()
            env = {f"PTCE_{key}": value for key, value in server.settings.items()}
            result = CliRunner().invoke(ptce, ["load"], env=env)
            assert result.exit_code == 0, result.output
            remote = medians(create_app(server.settings))
        finally:
            server.stop()
    print("| | embedded | Virtuoso |\n|---|---|---|")
    for label in PATHS:
        print(f"| {label} | {embedded[label]:.1f} ms | {remote[label]:.1f} ms |")


if __name__ == "__main__":
    main()
