"""The two lanes of query evaluation: cheap queries in their own workers, the rest behind an admission queue.

A query the guard judges cheap (:func:`server.sparql.guard.is_cheap`) runs in the fast lane's workers
(``SPARQL_FAST_WORKERS``) with a short time limit (``SPARQL_FAST_TIMEOUT``), so it never waits behind heavy
queries. One still running at that limit has its worker killed and goes to the ordinary lane
(``SPARQL_WORKERS``, ``SPARQL_QUEUE``) with the rest of the time limit: ``SPARQL_TIMEOUT`` holds in all.
Both lanes are pools of :mod:`server.sparql.pool` (fork server, sandbox, memory and CPU limits, kill).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import replace

import pyoxigraph as ox
from flask import current_app

from server import metrics
from server.admission import Admission
from server.dataset import get_store
from server.limits import default_slots
from server.sparql.execution import (
    Answer,
    Dataset,
    Limits,
    QueryFailed,
    QueryTimedOut,
    run_isolated,
    worker_pool,
)
from server.sparql.guard import CheckedQuery, is_cheap


def limits(config) -> Limits:
    """The server-side limits of one query, from the app's settings."""
    return Limits(
        timeout=float(config["SPARQL_TIMEOUT"]),
        row_limit=int(config["SPARQL_ROW_LIMIT"]),
        memory_bytes=int(config["SPARQL_MEMORY_LIMIT"]),
        max_output_bytes=int(config["SPARQL_MAX_OUTPUT_BYTES"]),
    )


def sandbox_dirs(config, store) -> list[str] | None:
    """Folders the query workers may read: the dataset's (None for an external engine: no sandbox)."""
    if not isinstance(getattr(store, "store", None), ox.Store):
        return None
    return [*config["DATA_DIRS"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"]]


def counted_by_outcome(answer_query: Callable) -> Callable:
    """Decorate the endpoint's ``answer_query``: count each query by lane and outcome, time it, and note
    the outcome for the request's log line."""

    @functools.wraps(answer_query)
    def counted(*args, **kwargs):
        started, outcome = time.monotonic(), "error"
        try:
            answer = answer_query(*args, **kwargs)
            if answer is None:
                outcome = "refused"
            elif answer.headers.get("X-Result-Truncated") == "true":
                outcome = "row_cap"
            else:
                outcome = "ok"
            return answer
        except QueryTimedOut:
            outcome = "timeout"
            raise
        except QueryFailed:
            outcome = "error"
            raise
        finally:
            metrics.count_query(outcome, time.monotonic() - started)

    return counted


@counted_by_outcome
def answer_query(checked: CheckedQuery, fmt_key: str, dataset: Dataset | None) -> Answer | None:
    """Evaluate a checked query in the fast lane when it may take it, else in the ordinary lane; None when
    the ordinary lane is busy (its workers taken and its queue full). Raises ``QueryFailed``."""
    config = current_app.config
    spent = _fast_lane(checked, fmt_key, dataset)
    if isinstance(spent, Answer):
        return spent
    full = limits(config)
    if spent >= full.timeout:  # the fast lane's limit was the whole limit
        raise QueryTimedOut(full.timeout)
    with current_app.extensions["ptce.sparql_workers"].admitted() as admitted:
        if not admitted:
            return None
        store = get_store()
        left = replace(full, timeout=full.timeout - spent)
        try:
            dirs, nice = sandbox_dirs(config, store), int(config["SPARQL_WORKER_NICE"])
            return run_isolated(store, checked.text, fmt_key, dataset, left, dirs, nice=nice)
        except QueryTimedOut:
            raise QueryTimedOut(full.timeout) from None


def _fast_lane(checked: CheckedQuery, fmt_key: str, dataset: Dataset | None) -> Answer | float:
    """The answer from the fast lane, or the seconds spent there (0 when the query may not take it or no
    fast worker freed up within the fast time limit, that limit when the query was stopped there)."""
    config, lane = current_app.config, current_app.extensions.get("ptce.sparql_fast")
    if lane is None or not is_cheap(checked, int(config["SPARQL_FAST_MAX_LIMIT"])):
        return 0.0
    with lane.admitted() as admitted:
        if not admitted:
            return 0.0
        store = get_store()
        full = limits(config)
        fast = replace(full, timeout=min(full.timeout, float(config["SPARQL_FAST_TIMEOUT"])))
        dirs = sandbox_dirs(config, store)
        try:
            return run_isolated(store, checked.text, fmt_key, dataset, fast, dirs, lane="fast")
        except QueryTimedOut:
            return fast.timeout


def start_workers(app) -> None:
    """Start the query workers' fork servers now (call it before the web server starts its threads)."""
    with app.app_context():
        store, config = get_store(app), app.config
        memory, dirs = limits(config).memory_bytes, sandbox_dirs(config, store)
        worker_pool(store, memory, dirs, nice=int(config["SPARQL_WORKER_NICE"]))
        if "ptce.sparql_fast" in app.extensions:
            worker_pool(store, memory, dirs, size=int(config["SPARQL_FAST_WORKERS"]), lane="fast")


def init_lanes(app) -> None:
    """Set how many queries each lane evaluates at once and how many may wait (SPARQL_WORKERS, _QUEUE,
    SPARQL_FAST_WORKERS; a cheap query waits for a fast worker at most SPARQL_FAST_TIMEOUT)."""
    config = app.config
    app.extensions["ptce.sparql_workers"] = Admission(
        default_slots(config["SPARQL_WORKERS"], per_core=1, least=2),
        int(config["SPARQL_QUEUE"]),
        float(config["SPARQL_TIMEOUT"]),
    )
    fast = int(config["SPARQL_FAST_WORKERS"])
    if fast > 0:
        wait = float(config["SPARQL_FAST_TIMEOUT"])
        app.extensions["ptce.sparql_fast"] = Admission(fast, int(config["SPARQL_QUEUE"]), wait)
