"""Descriptor hygiene for forked children: drop the sockets (listening or client) they do not need."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable


def drop_inherited_sockets(keep: Iterable[int] = ()) -> int:
    """In a freshly forked child: close every socket descriptor except ``keep``; return how many.

    A child that keeps the server's listening socket keeps its port: after the server dies, a restart fails
    with "Address already in use" while the child lives. Files (an on-disk store) are left open.
    """
    kept = set(keep)
    closed = 0
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd in kept or fd < 3 or fd == null:
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    # /dev/null in its place, not a close: a Python socket object of the parent that is
                    # released later in the child must not close a descriptor the child reused since
                    os.dup2(null, fd)
                    closed += 1
            except OSError:
                pass  # the descriptor of the listing itself, already closed
    finally:
        os.close(null)
    return closed
