"""Run one function in a forked child: confined (memory, CPU, files), killed at its deadline, never trusted.

The validator runs everything after the strict syntax checks this way, so a contribution that makes
rdflib or pyshacl explode costs a child process, never the server. The child leads its own process group
(killed whole, with anything it started), keeps none of the server's sockets (a killed server's port is
free at once), and is killed when the server stops (:func:`kill_all`).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rdflib

from server.descriptors import drop_inherited_sockets
from server.limits import confine, die_with_parent

_children: set[int] = set()
_children_lock = threading.Lock()


@dataclass(frozen=True)
class Outcome:
    """How the child ended: ``ok`` (with its value), ``timeout``, ``memory`` or ``error`` (with a text)."""

    kind: str
    value: Any = None


def _child(
    write_fd: int, function: Callable, args: tuple, memory_bytes: int, cpu_seconds: float | None, parent: int
):
    code = 0
    try:
        die_with_parent(parent)  # a server killed with -9 takes its validation child with it
        os.setpgid(0, 0)
        drop_inherited_sockets()
        rdflib.NORMALIZE_LITERALS = False  # a huge decimal would otherwise be expanded into memory
        try:
            confine(memory_bytes, cpu_seconds)
        except (OSError, ValueError):
            pass
        try:
            outcome = Outcome("ok", function(*args))
        except MemoryError:
            outcome = Outcome("memory")
        except Exception as error:  # reported as an internal error, never as a traceback to the contributor
            outcome = Outcome("error", repr(error)[:500])
        with os.fdopen(write_fd, "wb") as pipe:
            pickle.dump(outcome, pipe)
    except BaseException:  # noqa: BLE001 - never return into the server's code
        code = 1
    finally:
        os._exit(code)


def _read_all(read_fd: int, deadline: float | None) -> bytes | None:
    """Read the child's answer until end of file; None past the deadline."""
    chunks = []
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and (remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]):
            return None
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def kill_group(pid: int) -> None:
    """Kill the child's whole process group (the child leads it) and reap the child."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def run_in_child(function: Callable, args: tuple, timeout: float | None, memory_bytes: int) -> Outcome:
    """Call ``function(*args)`` in a forked, confined child; wait at most ``timeout`` seconds for it."""
    cpu_seconds = None if timeout is None else timeout + 1
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(write_fd, function, args, memory_bytes, cpu_seconds, parent)
    os.close(write_fd)
    try:
        os.setpgid(pid, pid)  # also here: no window in which a kill of the group misses the child
    except (ProcessLookupError, PermissionError):
        pass
    with _children_lock:
        _children.add(pid)
    try:
        data = _read_all(read_fd, None if timeout is None else time.monotonic() + timeout)
        if data is None:
            return Outcome("timeout")
        if not data:  # the child died (killed by the memory or CPU limit, or a signal)
            return Outcome("memory")
        return pickle.loads(data)  # noqa: S301 - written by our own child
    finally:
        os.close(read_fd)
        kill_group(pid)
        with _children_lock:
            _children.discard(pid)


def live_children() -> list[int]:
    """The pids of the validation children running now."""
    with _children_lock:
        return sorted(_children)


def kill_all() -> None:
    """Kill every running validation child with its process group (the server is stopping)."""
    for pid in live_children():
        kill_group(pid)
