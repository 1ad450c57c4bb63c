"""Evaluation of checked SPARQL queries by Oxigraph, each in a forked child process killed at the deadline.

Why a child process: Oxigraph evaluates in Rust and cannot be interrupted from Python, and a thread
deadline does not stop a query that holds the GIL. A forked child shares the loaded store copy-on-write
(no reload), installs the sandbox, limits its own memory and CPU time, writes the serialised answer to a
pipe and exits; the parent waits at most ``timeout`` seconds, then kills it. Cost: one ``fork()`` per query
(measured in ``tests/test_sparql_limits.py``; about 10-30 ms on the PTCE data).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import resource
import select
import signal
import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import PREFIXES
from .sandbox import install_sandbox
from .sparql_formats import serialize_boolean, serialize_solutions, serialize_triples

_POSITION = re.compile(r"^error at (\d+):(\d+): ")


@dataclass
class Answer:
    """What the endpoint sends back: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    """Server-side limits of one query (not raisable by clients)."""

    timeout: float = 10.0
    row_limit: int = 10_000
    memory_bytes: int = 1 << 30
    max_output_bytes: int = 256 << 20


@dataclass(frozen=True)
class Dataset:
    """The protocol's ``default-graph-uri`` / ``named-graph-uri`` (IRIs of our named graphs only)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class QueryFailed(Exception):
    """The query could not be answered; ``status`` and ``message`` say why (and ``line``/``column``)."""

    def __init__(self, status: int, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.status, self.message, self.line, self.column = status, message, line, column


def _query_options(dataset: Dataset | None) -> dict:
    if dataset is None:
        return {"use_default_graph_as_union": True}
    return {
        "use_default_graph_as_union": False,
        "default_graph": [ox.NamedNode(iri) for iri in dataset.default_graphs] or [ox.DefaultGraph()],
        "named_graphs": [ox.NamedNode(iri) for iri in dataset.named_graphs],
    }


def syntax_failure(error: SyntaxError) -> QueryFailed:
    """Turn Oxigraph's parser message into a 400 with the line and column of the error."""
    text = str(error)
    match = _POSITION.match(text)
    if not match:
        return QueryFailed(400, f"Syntax error: {text}")
    line, column = int(match.group(1)), int(match.group(2))
    return QueryFailed(
        400, f"Syntax error at line {line}, column {column}: {text[match.end() :]}", line, column
    )


def evaluate(store, text: str, fmt_key: str, dataset: Dataset | None, row_limit: int) -> Answer:
    """Evaluate a checked query and serialise its result (SELECT rows and triples capped at ``row_limit``).

    ``store`` is the app's store (:class:`server.store.GraphStore` or any object with the same ``query()``,
    which preloads our prefixes and returns pyoxigraph results).
    """
    try:
        result = store.query(text, **_query_options(dataset))
    except SyntaxError as error:
        raise syntax_failure(error) from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer(200, "", serialize_boolean(result, fmt_key))
        items = list(itertools.islice(result, row_limit + 1))
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        raise QueryFailed(400, f"The query could not be evaluated: {str(error)[:300]}") from None
    truncated = len(items) > row_limit
    items = items[:row_limit]
    headers = {"X-Row-Limit": str(row_limit), "X-Result-Truncated": "true" if truncated else "false"}
    if truncated:
        headers["Warning"] = f'199 - "result truncated to the first {row_limit} rows (server row limit)"'
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        return Answer(200, "", serialize_solutions(variables, items, fmt_key), headers)
    return Answer(200, "", serialize_triples(items, fmt_key, PREFIXES), headers)


def _limit_resources(limits: Limits) -> None:
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * resource.getpagesize()
    address_space = current + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    cpu = int(limits.timeout) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def _run_child(write_fd: int, store, text, fmt_key, dataset, limits, allowed_dirs) -> None:
    """Body of the forked child: evaluate, write ``header-json\\nbody`` to the pipe, exit without cleanup."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit_resources(limits)
        if allowed_dirs is not None:
            install_sandbox(allowed_dirs)
        try:
            answer = evaluate(store, text, fmt_key, dataset, limits.row_limit)
            header = {"status": answer.status, "headers": answer.headers}
            body = answer.body
        except QueryFailed as failure:
            header = {
                "status": failure.status,
                "message": failure.message,
                "line": failure.line,
                "column": failure.column,
            }
            body = b""
        except MemoryError:
            header = {"status": 503, "message": "The query needed more memory than the server allows."}
            body = b""
        payload = json.dumps(header).encode() + b"\n" + body
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view) :]
    except BaseException:  # noqa: BLE001 - a child must never return into the server's code
        code = 1
    finally:
        os._exit(code)


def _read_until(read_fd: int, deadline: float, max_bytes: int) -> tuple[bytes, str | None]:
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", "timeout"
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            return b"", "timeout"
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), None
        size += len(chunk)
        if size > max_bytes:
            return b"", "too large"
        chunks.append(chunk)


def run_isolated(
    store, text: str, fmt_key: str, dataset: Dataset | None, limits: Limits, allowed_dirs=()
) -> Answer:
    """Evaluate in a forked child with a hard time limit; raise :class:`QueryFailed` on any failure.

    The child installs :func:`server.sandbox.install_sandbox` (``allowed_dirs``) unless ``allowed_dirs``
    is None (an external engine, reached over the network).
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _run_child(write_fd, store, text, fmt_key, dataset, limits, allowed_dirs)
    os.close(write_fd)
    data, problem = b"", None
    try:
        data, problem = _read_until(read_fd, time.monotonic() + limits.timeout, limits.max_output_bytes)
    finally:
        os.close(read_fd)
        if data == b"":
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if problem == "timeout":
        raise QueryFailed(
            503, f"The query was stopped after the server's time limit of {limits.timeout:g} s."
        )
    if problem == "too large":
        raise QueryFailed(
            503, f"The result is larger than the server's limit of {limits.max_output_bytes} bytes."
        )
    header_line, _, body = data.partition(b"\n")
    if not header_line:
        reason = "memory or CPU limit" if os.WIFSIGNALED(status) else "an internal error"
        raise QueryFailed(503, f"The query was stopped by the server ({reason}).")
    header = json.loads(header_line)
    if header["status"] != 200:
        raise QueryFailed(header["status"], header["message"], header.get("line"), header.get("column"))
    return Answer(200, "", body, header.get("headers", {}))
