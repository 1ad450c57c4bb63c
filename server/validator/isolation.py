"""Run one function in a forked child: confined (memory, CPU, files), killed at its deadline, never trusted.

The validator runs everything after the strict syntax checks this way, so a contribution that makes
rdflib or pyshacl explode costs a child process, never the server.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rdflib

from server.limits import confine


@dataclass(frozen=True)
class Outcome:
    """How the child ended: ``ok`` (with its value), ``timeout``, ``memory`` or ``error`` (with a text)."""

    kind: str
    value: Any = None


def _child(connection, function: Callable, args: tuple, memory_bytes: int, cpu_seconds: float | None) -> None:
    rdflib.NORMALIZE_LITERALS = False  # a huge decimal would otherwise be expanded into memory
    try:
        confine(memory_bytes, cpu_seconds)
    except (OSError, ValueError):
        pass
    try:
        connection.send(Outcome("ok", function(*args)))
    except MemoryError:
        connection.send(Outcome("memory"))
    except Exception as error:  # reported as an internal error, never as a traceback to the contributor
        connection.send(Outcome("error", repr(error)[:500]))
    finally:
        connection.close()


def run_in_child(function: Callable, args: tuple, timeout: float | None, memory_bytes: int) -> Outcome:
    """Call ``function(*args)`` in a forked, confined child; wait at most ``timeout`` seconds for it."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    cpu_seconds = None if timeout is None else timeout + 1
    process = context.Process(
        target=_child, args=(sender, function, args, memory_bytes, cpu_seconds), daemon=True
    )
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return Outcome("timeout")
        return receiver.recv()
    except EOFError:  # the child died (killed by the memory or CPU limit, or a signal)
        return Outcome("memory")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
