"""Admission control of validations (503 + Retry-After in the client's language) and the validation child's
process group (killed whole at the deadline)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from server import create_app
from server.admission import Admission
from server.validator.isolation import run_in_child
from tests.helpers.serve import alive
from tests.helpers.servers import admission_full

VALID = b'<https://example.org/a> <https://example.org/b> "c" .\n'


@pytest.fixture
def busy_app(app):
    """The app with every validation slot taken and no queue."""
    with admission_full(app.extensions["ptce.validations"]):
        yield app


@pytest.mark.parametrize(("language", "words"), [("fr", "réessayez"), ("en", "try again")])
def test_a_validation_beyond_the_slots_and_queue_gets_503_with_retry_after(busy_app, language, words):
    response = busy_app.test_client().post(
        "/validate",
        data=VALID,
        headers={"Content-Type": "text/turtle", "Accept": "application/json", "Accept-Language": language},
    )
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert words in response.get_data(as_text=True)


def test_the_default_number_of_validations_comes_from_the_cores():
    app = create_app({"TESTING": True})
    assert app.extensions["ptce.validations"].slots == max(1, (os.cpu_count() or 2) // 2)


def test_the_queue_is_short_and_waiting_is_bounded():
    admission = Admission(1, 1, 0.3)
    assert admission.enter()
    started = time.monotonic()
    assert not admission.enter()  # waited in the queue, then refused
    assert 0.25 < time.monotonic() - started < 2
    admission.leave()
    assert admission.enter()


def _start_grandchild_then_hang(write_fd: int) -> None:
    grandchild = subprocess.Popen(["sleep", "60"])
    os.write(write_fd, str(grandchild.pid).encode())
    time.sleep(60)


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_a_validation_child_past_its_deadline_is_killed_with_its_process_group():
    read_fd, write_fd = os.pipe()  # a pipe, not a file: the child is sandboxed
    started = time.monotonic()
    try:
        outcome = run_in_child(_start_grandchild_then_hang, (write_fd,), 1.0, 1 << 30)
        assert outcome.kind == "timeout" and time.monotonic() - started < 3
        grandchild = int(os.read(read_fd, 100))
    finally:
        os.close(read_fd)
        os.close(write_fd)
    deadline = time.monotonic() + 3
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)
