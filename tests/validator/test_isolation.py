"""The validation child: it dies with the server, even when the server is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PARENT = """
import os, sys, time
from server.validator.isolation import run_in_child

def work():
    os.write(1, f"{os.getpid()}\\n".encode())  # the child may open no file: its pid goes to standard output
    time.sleep(120)

run_in_child(work, (), timeout=120, memory_bytes=1 << 30)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_the_validation_child_dies_with_a_killed_server():
    server = subprocess.Popen(
        [sys.executable, "-c", PARENT], cwd=Path(__file__).parents[2], stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(server.stdout.readline())
        assert _alive(child)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the validation child ran on after the server was killed"
    finally:
        server.kill()
