"""The messages between the web server and a SPARQL worker: a JSON header and a byte body, length-framed."""

from __future__ import annotations

import json
import select
import socket
import struct
import time

_FRAME = struct.Struct("!II")  # header length, body length


class WorkerLost(Exception):
    """The worker died, timed out or sent too much; ``reason`` is "timeout", "too large" or "died"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def send_frame(sock: socket.socket, header: dict, body: bytes = b"") -> None:
    """Send one message: a JSON header and a byte body."""
    encoded = json.dumps(header).encode()
    sock.sendall(_FRAME.pack(len(encoded), len(body)) + encoded + body)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
                raise WorkerLost("timeout")
        chunk = sock.recv(min(size - len(buffer), 1 << 20))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def recv_frame(
    sock: socket.socket, deadline: float | None = None, max_bytes: int = 1 << 62
) -> tuple[dict, bytes] | None:
    """Receive one message (None at end of file); raise :class:`WorkerLost` past the deadline or size."""
    prefix = _recv_exactly(sock, _FRAME.size, deadline)
    if prefix is None:
        return None
    header_size, body_size = _FRAME.unpack(prefix)
    if body_size > max_bytes:
        raise WorkerLost("too large")
    payload = _recv_exactly(sock, header_size + body_size, deadline)
    if payload is None:
        return None
    return json.loads(payload[:header_size]), payload[header_size:]
