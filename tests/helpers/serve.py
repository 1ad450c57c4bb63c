"""A real ``ptce serve`` process for the hostile-client tests: its pid, its children and its port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.helpers.servers import wait_until_up
from tests.helpers.sparql import PROJECT_DIR, free_port

PTCE = str(Path(sys.executable).parent / "ptce")
#: A dataset that conforms to the shapes and is small to load, but whose dumps weigh 2 MB each.
BIG_LITERAL = '<https://example.org/x> <https://example.org/p> "' + "a" * 2_000_000 + '" .\n'


def write_dataset(folder: Path, text: str = BIG_LITERAL) -> Path:
    """A data folder holding one Turtle file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sample.ttl").write_text(text, encoding="utf-8")
    return folder


def children(pid: int) -> list[int]:
    """The pids of the live processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on 127.0.0.1:port now."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
            return True
        except OSError:
            return False


@dataclass
class Served:
    """A running ``ptce serve``: its process, base URL and port."""

    process: subprocess.Popen
    base: str
    port: int


@contextmanager
def ptce_serve(data_dir: Path, tmp_path: Path, *args: str, **settings) -> Iterator[Served]:
    """Run ``ptce serve --data data_dir`` (settings as PTCE_* variables) until it answers; stop it after."""
    port = free_port()
    env = {
        **os.environ,
        "PTCE_CACHE_DIR": str(tmp_path / "cache"),
        **{f"PTCE_{key}": str(value) for key, value in settings.items()},
    }
    command = [PTCE, "serve", "--port", str(port), "--data", str(data_dir), *args]
    log = (tmp_path / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(
            lambda: requests.get(base + "/sparql", headers={"Accept": "text/turtle"}, timeout=1),
            process,
            lambda: (tmp_path / f"serve-{port}.log").read_text(),
            attempts=600,
            pause=0.1,
        )
        yield Served(process, base, port)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
