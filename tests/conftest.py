"""Shared fixtures: the app built by the real factory, its test client, CLI runner and a live server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from server import create_app

TEST_DIR = Path(__file__).parent
PROJECT_DIR = TEST_DIR.parent
DATA_DIR = PROJECT_DIR / "data"


@pytest.fixture(scope="session")
def app():
    """The application over the project's own data, built once per test session (it is read-only)."""
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """A runner for the ``ptce`` click commands."""
    return CliRunner()


@pytest.fixture(scope="session")
def store(app):
    """The app's dataset."""
    return app.extensions["ptce"]


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """A real threaded HTTP server on 127.0.0.1 serving the app; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
