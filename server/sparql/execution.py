"""Evaluation of checked SPARQL queries by Oxigraph in pooled worker processes killed at the deadline.

The process model (a fork server and pre-forked workers sharing the loaded store copy-on-write) is in
:mod:`server.sparql.pool`; this module holds what a worker does with one query (:func:`evaluate`: Oxigraph
evaluates and serialises, capped at the row limit) and what the endpoint calls (:func:`run_isolated`).
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from server import config, metrics
from server.dataset.base import BackendError, BackendQueryError
from server.limits import confine
from server.namespaces import PREFIXES
from server.sparql.formats import _ROW_MARKERS as ROW_MARKERS
from server.sparql.formats import (
    OutputTooLarge,
    serialize_boolean,
    serialize_solutions,
    serialize_solutions_capped,
    serialize_triples,
)
from server.sparql.pool import WorkerLost, WorkerPool

_POSITION = re.compile(r"^error at (\d+):(\d+): ")


@dataclass
class Answer:
    """What the endpoint sends back: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    rows: int | None = None  # rows or triples in the answer (for the log), None for ASK


@dataclass(frozen=True)
class Limits:
    """Server-side limits of one query (not raisable by clients)."""

    timeout: float = config.SPARQL_TIMEOUT
    row_limit: int = config.SPARQL_ROW_LIMIT
    memory_bytes: int = config.SPARQL_MEMORY_LIMIT
    max_output_bytes: int = config.SPARQL_MAX_OUTPUT_BYTES


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


class QueryTimedOut(QueryFailed):
    """The query was stopped at its time limit (its worker killed)."""

    def __init__(self, timeout: float):
        super().__init__(503, f"The query was stopped after the server's time limit of {timeout:g} s.")


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


def evaluate(
    store,
    text: str,
    fmt_key: str,
    dataset: Dataset | None,
    row_limit: int,
    max_bytes: int = config.SPARQL_MAX_OUTPUT_BYTES,
) -> Answer:
    """Evaluate a checked query and serialise its result (SELECT rows and triples capped at ``row_limit``).

    ``store`` is the app's store (any :class:`server.dataset.base.QueryableStore`, whose ``query()``
    preloads our prefixes and returns pyoxigraph results). SELECT results are written by Oxigraph
    (:func:`server.sparql.formats.serialize_solutions_capped`); Python writes them only in the rare case
    where the cut after ``row_limit`` rows cannot be found in Oxigraph's output.
    """
    try:
        result = store.query(text, **_query_options(dataset))
    except SyntaxError as error:
        raise syntax_failure(error) from None
    except BackendError as error:  # an external engine refused the query or could not be reached
        raise QueryFailed(400 if isinstance(error, BackendQueryError) else 503, error.message) from None
    except (OSError, RuntimeError, ValueError, TypeError) as error:  # e.g. an unknown function
        raise QueryFailed(400, f"The query could not be evaluated: {str(error)[:300]}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            return Answer(200, "", serialize_boolean(result, fmt_key))
        if isinstance(result, ox.QuerySolutions):
            capped = serialize_solutions_capped(result, fmt_key, row_limit, max_bytes)
            if capped is not None:
                rows = row_limit if capped[1] else _rows_in(capped[0], fmt_key)
                return Answer(200, "", capped[0], _cap_headers(row_limit, capped[1]), rows)
            result = store.query(text, **_query_options(dataset))
        items = list(itertools.islice(result, row_limit + 1))
    except OutputTooLarge:
        raise _too_large(max_bytes) from None
    except BackendError as error:
        raise QueryFailed(400 if isinstance(error, BackendQueryError) else 503, error.message) from None
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        raise QueryFailed(400, f"The query could not be evaluated: {str(error)[:300]}") from None
    truncated = len(items) > row_limit
    items = items[:row_limit]
    if isinstance(result, ox.QuerySolutions):
        variables = [variable.value for variable in result.variables]
        body = serialize_solutions(variables, items, fmt_key)
    else:
        body = serialize_triples(items, fmt_key, PREFIXES)
    if len(body) > max_bytes:
        raise _too_large(max_bytes)
    return Answer(200, "", body, _cap_headers(row_limit, truncated), len(items))


def _rows_in(body: bytes, fmt_key: str) -> int:
    """Rows of an answer Oxigraph wrote, by its row markers (an upper bound if literals hold them)."""
    markers, header, _ = ROW_MARKERS[fmt_key]
    return max(0, sum(body.count(marker) for marker in markers) - header)


def _cap_headers(row_limit: int, truncated: bool) -> dict[str, str]:
    headers = {"X-Row-Limit": str(row_limit), "X-Result-Truncated": "true" if truncated else "false"}
    if truncated:
        headers["Warning"] = f'199 - "result truncated to the first {row_limit} rows (server row limit)"'
    return headers


def _too_large(max_bytes: int) -> QueryFailed:
    return QueryFailed(503, f"The result is larger than the server's limit of {max_bytes} bytes.")


def _dataset_from(value: list | None) -> Dataset | None:
    return None if value is None else Dataset(tuple(value[0]), tuple(value[1]))


def answer_request(store, request: dict) -> tuple[dict, bytes]:
    """Worker side: evaluate one request (a JSON header) and return the answer's header and body."""
    try:
        answer = evaluate(
            store,
            request["text"],
            request["format"],
            _dataset_from(request["dataset"]),
            request["row_limit"],
            request["max_bytes"],
        )
        return {"status": 200, "headers": answer.headers, "rows": answer.rows}, answer.body
    except QueryFailed as failure:
        header = {"status": failure.status, "message": failure.message}
        return {**header, "line": failure.line, "column": failure.column}, b""
    except MemoryError:
        message = "The query needed more memory than the server allows."
        return {"status": 503, "message": message, "retire": True}, b""
    except Exception as error:  # noqa: BLE001 - an engine error is the client's answer, not the worker's end
        return {"status": 500, "message": f"The query engine failed: {str(error)[:300]}"}, b""
    except BaseException as error:  # noqa: BLE001 - a panic inside the engine: answer, then retire the worker
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return {"status": 500, "message": "The query engine failed on this query.", "retire": True}, b""


def _confine_and_yield(memory_bytes: int, allowed_dirs, nice: int) -> None:
    confine(memory_bytes, None, allowed_dirs)
    if nice:
        os.nice(nice)  # the web server and the fast lane get the cores first when they are all busy


def _worker_setup(memory_bytes: int, allowed_dirs, nice: int = 0) -> Callable[[], None]:
    return functools.partial(_confine_and_yield, memory_bytes, allowed_dirs, nice)


_pools: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()


def worker_pool(
    store,
    memory_bytes: int = config.SPARQL_MEMORY_LIMIT,
    allowed_dirs=(),
    size: int = 2,
    lane: str = "main",
    nice: int = 0,
) -> WorkerPool:
    """Return (starting it the first time) the pool of evaluation workers of ``store`` for ``lane``.

    Call it at start-up, before the web server starts threads, so that the fork server is forked from a
    single-threaded process; otherwise the first query starts it. ``allowed_dirs=None`` means no sandbox
    (an external engine, reached over the network). Each lane ("main", "fast") has its own workers, whose
    scheduling priority is lowered by ``nice``.
    """
    key = (lane, memory_bytes, None if allowed_dirs is None else tuple(str(d) for d in allowed_dirs))
    with _pools_lock:
        pools = _pools.setdefault(store, {})
        if key not in pools:
            handler = functools.partial(answer_request, store)
            pools[key] = WorkerPool(handler, _worker_setup(memory_bytes, allowed_dirs, nice), size)
        return pools[key]


def run_isolated(
    store,
    text: str,
    fmt_key: str,
    dataset: Dataset | None,
    limits: Limits,
    allowed_dirs=(),
    lane: str = "main",
    nice: int = 0,
) -> Answer:
    """Evaluate in a pooled worker process of ``lane`` with a hard time limit; raise :class:`QueryFailed`
    on failure (:class:`QueryTimedOut` at the time limit).

    The workers install :func:`server.sandbox.install_sandbox` (``allowed_dirs``) unless ``allowed_dirs``
    is None (an external engine, reached over the network).
    """
    pool = worker_pool(store, limits.memory_bytes, allowed_dirs, lane=lane, nice=nice)
    request = {
        "text": text,
        "format": fmt_key,
        "dataset": None if dataset is None else [dataset.default_graphs, dataset.named_graphs],
        "row_limit": limits.row_limit,
        "max_bytes": limits.max_output_bytes,
        "timeout": limits.timeout,
    }
    metrics.sparql_lane(lane)
    try:
        header, body = pool.run(request, limits.timeout, limits.max_output_bytes)
    except WorkerLost as lost:
        metrics.worker_lost(lane, lost.reason)
        if lost.reason == "timeout":
            raise QueryTimedOut(limits.timeout) from None
        if lost.reason == "too large":
            raise _too_large(limits.max_output_bytes) from None
        raise QueryFailed(503, "The query was stopped by the server (memory or CPU limit).") from None
    if header["status"] != 200:
        raise QueryFailed(header["status"], header["message"], header.get("line"), header.get("column"))
    metrics.sparql_lane(lane, header.get("rows"))
    return Answer(200, "", body, header.get("headers", {}), header.get("rows"))


def retire_pools(store) -> None:
    """Stop the worker pools of a store that is no longer served (after a live swap of the dataset)."""
    with _pools_lock:
        pools = _pools.pop(store, {})
    for pool in pools.values():
        pool.close()
