"""Shared fixtures: the app built by the real factory, its test client, CLI runner and a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from server import create_app
from server.cli import main as ptce
from tests.helpers import virtuoso
from tests.helpers.servers import recording_listener, serve_in_thread

TEST_DIR = Path(__file__).parent
PROJECT_DIR = TEST_DIR.parent
DATA_DIR = PROJECT_DIR / "data"


@pytest.fixture(scope="session")
def virtuoso_settings(tmp_path_factory) -> Iterator[dict]:
    """A Virtuoso server for the session, loaded by ``ptce load`` with the project files; yields settings."""
    if not virtuoso.installed():
        pytest.skip(f"Virtuoso is not installed ({virtuoso.VIRTUOSO}): apt-get install virtuoso-opensource")
    server = virtuoso.Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.wait()
        env = {f"PTCE_{key}": value for key, value in server.settings.items()}
        result = CliRunner().invoke(ptce, ["load"], env=env)
        assert result.exit_code == 0, result.output
        yield server.settings
    finally:
        server.stop()


@pytest.fixture(scope="session")
def app(request):
    """The application over the project's own data, built once per test session (it is read-only).

    With PTCE_TEST_BACKEND=virtuoso the app queries a Virtuoso server loaded with the same files.
    """
    backend = os.environ.get("PTCE_TEST_BACKEND", "embedded")
    if backend == "virtuoso":
        return create_app({"TESTING": True, **request.getfixturevalue("virtuoso_settings")})
    assert backend == "embedded", f"PTCE_TEST_BACKEND must be 'embedded' or 'virtuoso', not {backend!r}"
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
    with serve_in_thread(app) as base:
        yield base


@pytest.fixture(scope="session")
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP listener recording every request it gets: (base URL, paths). Nothing may reach it."""
    with recording_listener() as (url, hits):
        yield url, hits


@pytest.fixture
def listener(recorder) -> str:
    """The recording listener's base URL, with its record emptied for this test."""
    recorder[1].clear()
    return recorder[0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With PTCE_NO_SKIP=1 (set by .ci/run) a skipped test fails: CI has every tool a test needs."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("PTCE_NO_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but PTCE_NO_SKIP=1 forbids skips: {report.longrepr}"


#: Tests left out of the inner loop (``pytest -m "not slow"``): they start Chromium, Virtuoso or ruff, or
#: spend seconds on purpose (hostile queries, the whole data set through the validator).
SLOW_FIXTURES = {"virtuoso_settings", "live_server"}


def pytest_collection_modifyitems(items):
    """Mark as ``slow`` every browser test and every test that needs Virtuoso or a live HTTP server."""
    for item in items:
        if item.get_closest_marker("browser") or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
