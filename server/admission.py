"""Admission control for expensive work: a few at once, a short queue, then a refusal (503 + Retry-After)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Admission:
    """At most ``slots`` holders at once; at most ``queue`` more wait, each at most ``wait`` seconds."""

    name = ""  # what /metrics calls its refusals (server.metrics.name_admissions)

    def __init__(self, slots: int, queue: int, wait: float):
        self.slots, self.queue, self.wait = slots, queue, wait
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.waiting = 0

    def enter(self) -> bool:
        """Take a slot (waiting in the queue if there is room); False when refused."""
        if self._free.acquire(blocking=False):
            return True
        with self._lock:
            if self.waiting >= self.queue:
                return False
            self.waiting += 1
        try:
            return self._free.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self.waiting -= 1

    def leave(self) -> None:
        """Give the slot back."""
        self._free.release()

    @contextmanager
    def admitted(self) -> Iterator[bool]:
        """``with admission.admitted() as ok:``; the slot (if ``ok``) is given back at the end."""
        entered = self.enter()
        if not entered:
            from server import metrics

            metrics.admission_refused(self.name)
        try:
            yield entered
        finally:
            if entered:
                self.leave()

    def retry_after(self, seconds_per_job: float) -> int:
        """A ``Retry-After`` value (seconds): the time the queue ahead may take, at least 1."""
        return max(1, int(seconds_per_job * (self.waiting + 1) / self.slots))
