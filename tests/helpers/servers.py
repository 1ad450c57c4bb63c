"""Real servers and clients shared by the tests: a threaded app server, a recording listener, headless Chromium."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@contextmanager
def serve_in_thread(app) -> Iterator[str]:
    """Serve a WSGI app on a real threaded HTTP server on 127.0.0.1; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@contextmanager
def recording_listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request path it gets; yields (base URL, paths)."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<http://x/s> <http://x/p> <http://x/leaked> .")

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()


def run_chromium(url: str, *mode: str, budget_ms: int = 5000) -> str:
    """Run Debian's headless Chromium on a URL with a fresh profile; return its stdout (e.g. --dump-dom)."""
    assert CHROMIUM, "Debian's chromium is needed (installed by .ci/run)"
    with tempfile.TemporaryDirectory() as profile:
        command = [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
        ]
        result = subprocess.run([*command, *mode, url], capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def wait_until_up(
    check: Callable[[], object], process, failure: Callable[[], str], attempts: int, pause: float
):
    """Call ``check()`` until it stops raising OSError (connection refused); fail at once if ``process`` died."""
    for _ in range(attempts):
        try:
            check()
            return
        except OSError:  # requests' ConnectionError is one
            if process.poll() is not None:
                raise RuntimeError(failure()) from None
            time.sleep(pause)


@contextmanager
def admission_full(admission) -> Iterator[None]:
    """Take every slot of an admission gate and empty its queue, so the next request is refused; restore."""
    taken = [admission.enter() for _ in range(admission.slots)]
    saved_queue = admission.queue
    admission.queue = 0
    try:
        yield
    finally:
        admission.queue = saved_queue
        for entered in taken:
            if entered:
                admission.leave()
