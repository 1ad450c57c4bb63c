"""Large SPARQL answers wait for slow clients in temporary files, within a total cap (else a clear 503).

An answer bigger than ``SPARQL_SPILL_THRESHOLD`` is written to an unlinked temporary file and handed to the
HTTP server through ``wsgi.file_wrapper``: the thread is free at once, the bytes leave the file as the client
reads them, and the file is gone when the connection is done with it. All such files together may hold at
most ``SPARQL_SPILL_LIMIT`` bytes: beyond, the query is answered 503 instead of filling the disk.
"""

from __future__ import annotations

import tempfile
import threading


class SpillArea:
    """The temporary files of answers not yet read by their clients, and their total size."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def reserve(self, size: int) -> bool:
        """Count ``size`` bytes against the cap; False (nothing counted) if they do not fit."""
        with self._lock:
            if self.used + size > self.limit:
                return False
            self.used += size
            return True

    def release(self, size: int) -> None:
        """Give back bytes counted by :meth:`reserve`."""
        with self._lock:
            self.used -= size

    def spill(self, body: bytes) -> SpilledAnswer | None:
        """Write ``body`` to an unlinked temporary file counted against the cap; None when over the cap."""
        if not self.reserve(len(body)):
            return None
        try:
            handle = tempfile.TemporaryFile()
            handle.write(body)
            handle.seek(0)
        except OSError:
            self.release(len(body))
            return None
        return SpilledAnswer(handle, self, len(body))


class SpilledAnswer:
    """A readable, seekable answer file whose bytes leave the cap when it is closed (once)."""

    def __init__(self, handle, area: SpillArea, size: int):
        self._handle, self._area, self.size = handle, area, size
        self._released = False

    def read(self, size: int = -1) -> bytes:
        """Read from the answer."""
        return self._handle.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move in the answer."""
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        """Where the next read starts."""
        return self._handle.tell()

    def seekable(self) -> bool:
        """Always: the HTTP server measures the file with seek and tell."""
        return True

    def close(self) -> None:
        """Remove the file and give its bytes back to the cap."""
        self._handle.close()
        if not self._released:
            self._released = True
            self._area.release(self.size)
