"""How many child processes work at once, and one way to confine each (SPARQL worker, validation child)."""

from __future__ import annotations

import ctypes
import math
import os
import resource
import signal
from collections.abc import Iterable


def default_slots(configured: int | None, per_core: float = 0.5, least: int = 1) -> int:
    """The configured number of slots, or ``per_core`` slots per core (at least ``least``)."""
    return int(configured) if configured else max(least, int((os.cpu_count() or 2) * per_core))


def current_address_space() -> int:
    """Return the address space this process uses now (bytes), from ``/proc/self/statm``."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def confine(
    memory_bytes: int, cpu_seconds: float | None = None, allowed_dirs: Iterable[str] | None = ()
) -> None:
    """Limit this (child) process: ``memory_bytes`` more address space than now, CPU seconds, file access.

    ``allowed_dirs=None`` installs no sandbox (a worker that talks to an external engine over the network);
    otherwise network access and file opens outside the project and these folders are refused.
    """
    address_space = current_address_space() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    if cpu_seconds is not None:
        used = resource.getrusage(resource.RUSAGE_SELF)
        seconds = math.ceil(used.ru_utime + used.ru_stime + cpu_seconds)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if allowed_dirs is not None:
        from server.sandbox import install_sandbox

        install_sandbox(allowed_dirs)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """In a forked child: be killed (SIGKILL) when the parent dies, even by ``kill -9`` (Linux prctl)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the deadline still ends the child
        return
    if os.getppid() != parent_pid:  # the parent died before the signal was asked for
        os._exit(1)
