"""The curation lock: one accept, revert, backup or reload of the curated files at a time, across the threads
of this process and across processes (the ``.lock`` file beside the inbox, held with ``flock``)."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_thread_lock = threading.Lock()


@contextmanager
def curation_lock(inbox_path: str | Path) -> Iterator[None]:
    """Hold the curation lock of the inbox at ``inbox_path`` (waiting for whoever holds it)."""
    path = Path(inbox_path).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock:
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
