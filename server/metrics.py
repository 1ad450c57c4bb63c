"""Prometheus metrics: ``GET /metrics`` in the text format, through the official ``prometheus_client``.

Why no multi-process mode: prometheus_client's multi-process mode is for servers whose *requests* are
served by several processes (gunicorn workers), each counting its own share in files merged at scrape
time. Here one process serves every request, in threads (waitress), and every count is made in that
process: the SPARQL workers and the validation children are forked helpers whose outcome is observed by the
web server when it gets their answer (or kills them). So the ordinary in-memory collectors are exact, and
the forked children never touch them (they inherit a copy, never exposed). With several processes or
hosts, scrape each one.

The counters and histograms below are module-level and shared by every app of the process; each app gets
a registry of its own (:func:`init_app`) that holds them, the process collector and a collector of the
app's state read at scrape time (dataset size, last change, conformance, readiness, contributions by
status). The helpers (:func:`count_query`, :func:`validation`, ...) are what other modules call: each is
one line at the place where the event happens, and none raises.

Access: loopback, the addresses or networks of ``METRICS_ALLOW``, or ``Authorization: Bearer
METRICS_TOKEN``; anyone else gets 404, as if there were no such page.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from server import logs

log = logging.getLogger("ptce.metrics")
request_log = logging.getLogger("ptce.request.event")  # about one client's request: with the request lines
disable_created_metrics()  # no *_created series: counters start at 0 with the process

METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"))
#: Request durations (seconds): pages and queries answer in milliseconds, heavy queries in seconds.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

HTTP_REQUESTS = Counter(
    "ptce_http_requests",
    "HTTP requests answered, by route and status.",
    ["route", "method", "status"],
    registry=None,
)
HTTP_DURATION = Histogram(
    "ptce_http_request_duration_seconds",
    "Time to produce the answer of an HTTP request, by route.",
    ["route"],
    buckets=DURATION_BUCKETS,
    registry=None,
)
SPARQL_QUERIES = Counter(
    "ptce_sparql_queries",
    "SPARQL queries evaluated, by lane (fast, main) and outcome (ok, row_cap, timeout, error, refused).",
    ["lane", "outcome"],
    registry=None,
)
SPARQL_DURATION = Histogram(
    "ptce_sparql_query_duration_seconds",
    "Time to answer a SPARQL query (both lanes, waiting included), by the lane that answered.",
    ["lane"],
    buckets=DURATION_BUCKETS,
    registry=None,
)
VALIDATIONS = Counter(
    "ptce_validations",
    "Validations of contributed files, by outcome (conforms, does-not-conform, invalid-input, ...).",
    ["outcome"],
    registry=None,
)
VALIDATION_DURATION = Histogram(
    "ptce_validation_duration_seconds", "Time of one validation.", buckets=DURATION_BUCKETS, registry=None
)
ADMISSION_REFUSALS = Counter(
    "ptce_admission_refusals",
    "Work refused because its queue was full or the wait too long (sparql, sparql_fast, validation).",
    ["queue"],
    registry=None,
)
CURATION = Counter(
    "ptce_curation_actions",
    "Curators' actions done on the web (accept, reject, revert).",
    ["action"],
    registry=None,
)
RELOADS = Counter(
    "ptce_dataset_reloads",
    "Reloads of the dataset, by outcome (swapped, refused, failed).",
    ["outcome"],
    registry=None,
)
RELOAD_DURATION = Histogram(
    "ptce_dataset_reload_duration_seconds",
    "Time to build the new store and swap it in.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
    registry=None,
)
WORKER_REPLACEMENTS = Counter(
    "ptce_sparql_worker_replacements",
    "SPARQL worker processes replaced, by reason (timeout, too_large, died, retired).",
    ["reason"],
    registry=None,
)
FORK_SERVER_RESTARTS = Counter(
    "ptce_sparql_fork_server_restarts", "SPARQL fork servers found dead and started again.", registry=None
)
SHARED = (
    HTTP_REQUESTS,
    HTTP_DURATION,
    SPARQL_QUERIES,
    SPARQL_DURATION,
    VALIDATIONS,
    VALIDATION_DURATION,
    ADMISSION_REFUSALS,
    CURATION,
    RELOADS,
    RELOAD_DURATION,
    WORKER_REPLACEMENTS,
    FORK_SERVER_RESTARTS,
)
#: When the dataset served last changed (process start-up, then every swap): Unix time.
_last_change = {"at": time.time()}


def _quietly(function: Callable) -> Callable:
    """Metrics never break what they measure: an error here is logged, never raised."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception:  # noqa: BLE001
            log.exception("metrics: %s failed", function.__name__)
            return None

    return wrapper


@_quietly
def http_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one HTTP request answered (called by the request log, server.logs)."""
    method = method if method in METHODS else "OTHER"  # clients choose methods: keep the labels bounded
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_DURATION.labels(route).observe(seconds)


@_quietly
def count_query(outcome: str, seconds: float) -> None:
    """Count one SPARQL query of the request's lane by outcome, and note the outcome for its log line."""
    state = logs.request_state()
    lane = state.get("lane", "main")
    state["outcome"] = outcome
    SPARQL_QUERIES.labels(lane, outcome).inc()
    SPARQL_DURATION.labels(lane).observe(seconds)


@_quietly
def sparql_lane(lane: str, rows: int | None = None) -> None:
    """Note the lane evaluating the request's query (and the rows of its answer) for the log line."""
    state = logs.request_state()
    state["lane"] = lane
    if rows is not None:
        state["rows"] = rows


@_quietly
def worker_lost(lane: str, reason: str) -> None:
    """A SPARQL worker was killed (at the time limit, for a too large answer) or found dead: count, log."""
    reason = {"too large": "too_large"}.get(reason, reason)
    WORKER_REPLACEMENTS.labels(reason).inc()
    if reason in ("timeout", "too_large"):  # the client's query: logged with the request lines
        request_log.info("SPARQL worker killed (%s lane): %s; a new one is forked", lane, reason)
    else:
        log.warning("SPARQL worker lost (%s lane): %s; a new one is forked", lane, reason)


@_quietly
def worker_retired() -> None:
    """A SPARQL worker was retired after its quota of queries or a memory error (a new one is forked)."""
    WORKER_REPLACEMENTS.labels("retired").inc()


@_quietly
def fork_server_restarted() -> None:
    """The SPARQL fork server was found dead and started again: count, log."""
    FORK_SERVER_RESTARTS.inc()
    log.warning("the SPARQL fork server was found dead: a new one was started")


@_quietly
def validation(outcome: str, seconds: float) -> None:
    """Count one validation by outcome (the report's status) and its duration."""
    VALIDATIONS.labels(outcome).inc()
    VALIDATION_DURATION.observe(seconds)


@_quietly
def admission_refused(queue: str) -> None:
    """Count work refused by an admission queue (server.admission)."""
    ADMISSION_REFUSALS.labels(queue or "other").inc()
    if queue != "sparql_fast":  # a cheap query refused by the fast lane goes to the ordinary lane
        request_log.warning("refused: the %s queue is full", queue or "other")


@_quietly
def curation(action: str, number: int, status: str) -> None:
    """Count and log one curator action done on the web."""
    CURATION.labels(action).inc()
    log.info("contribution %s: %s (now %s)", number, action, status, extra={"contribution": number})


@_quietly
def reload(outcome: str, seconds: float | None = None) -> None:
    """Count one reload of the dataset (``swapped``, ``refused``, ``failed``) and how long a swap took."""
    RELOADS.labels(outcome).inc()
    if outcome == "swapped":
        _last_change["at"] = time.time()
        if seconds is not None:
            RELOAD_DURATION.observe(seconds)


class AppState:
    """A collector of the app's state, read at each scrape: dataset, conformance, readiness, inbox."""

    def __init__(self, app):
        self.app = app

    def collect(self) -> Iterable:
        """The gauges of the app's state now."""
        app = self.app
        store = app.extensions.get("ptce")
        if store is not None:
            yield GaugeMetricFamily("ptce_dataset_triples", "Triples in the dataset served.", len(store))
            sources = getattr(store, "sources", ())
            yield GaugeMetricFamily(
                "ptce_dataset_graphs", "Named graphs (files) in the dataset.", len(sources)
            )
        yield GaugeMetricFamily(
            "ptce_dataset_last_change_timestamp_seconds",
            "When the dataset served last changed (start-up or swap), Unix time.",
            _last_change["at"],
        )
        failing = app.extensions.get("ptce-degraded", {})  # set by server.health (checks failing now)
        conforms = "dataset" not in failing and "ptce-good" in app.extensions
        yield GaugeMetricFamily(
            "ptce_dataset_conforms",
            "1 when the dataset served was judged conforming to the shapes (at start-up or reload), else 0.",
            1 if conforms else 0,
        )
        degraded = GaugeMetricFamily(
            "ptce_degraded", "1 while the named check fails (the server is read-only).", labels=["check"]
        )
        for check in app.extensions.get("ptce-degraded-checks", ()):
            degraded.add_metric([check], 1 if check in failing else 0)
        yield degraded
        counts = self._contributions()
        if counts is not None:
            family = GaugeMetricFamily(
                "ptce_contributions", "Contributions in the inbox, by status.", labels=["status"]
            )
            for status, count in counts.items():
                family.add_metric([status], count)
            yield family

    def _contributions(self) -> dict[str, int] | None:
        """Contributions by status, from the counter the contributions package registers (None without)."""
        count = self.app.extensions.get("ptce-contribution-counts")
        return count() if count else None


def registry_for(app) -> CollectorRegistry:
    """The app's registry: the shared counters, the process collector and the app's state."""
    registry = CollectorRegistry(auto_describe=True)
    for metric in SHARED:
        registry.register(metric)
    registry.register(ProcessCollector(registry=None))
    registry.register(AppState(app))
    return registry


def _networks(value) -> list:
    """METRICS_ALLOW as networks: a list, or a text of addresses or CIDR networks separated by commas or
    spaces."""
    if not value:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return [ipaddress.ip_network(str(item).strip(), strict=False) for item in items if str(item).strip()]


def allowed(app, remote_addr: str | None, authorization: str | None) -> bool:
    """Whether a client may read /metrics: loopback, METRICS_ALLOW, or the METRICS_TOKEN bearer token."""
    token = app.config.get("METRICS_TOKEN")
    if token and authorization and authorization.startswith("Bearer "):
        if hmac.compare_digest(authorization[7:].strip().encode(), str(token).encode()):
            return True
    try:
        address = ipaddress.ip_address((remote_addr or "").split("%")[0])
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if address.is_loopback:
        return True
    return any(address in network for network in app.extensions.get("ptce-metrics-allow", []))


def metrics_view():
    """The metrics in Prometheus's text format (404 for anyone not allowed)."""
    from flask import Response, abort, current_app, request

    if not allowed(current_app, request.remote_addr, request.headers.get("Authorization")):
        abort(404)
    body = generate_latest(current_app.extensions["ptce-metrics"])
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def name_admissions(app) -> None:
    """Name the app's admission queues (their refusals are counted by name)."""
    names = {
        "ptce.sparql_workers": "sparql",
        "ptce.sparql_fast": "sparql_fast",
        "ptce.validations": "validation",
    }
    for key, name in names.items():
        admission = app.extensions.get(key)
        if admission is not None:
            admission.name = name


def init_app(app) -> None:
    """Register /metrics and the app's registry (call before the other blueprints)."""
    if http_request not in logs.REQUEST_OBSERVERS:
        logs.REQUEST_OBSERVERS.append(http_request)
    app.extensions["ptce-metrics"] = registry_for(app)
    app.extensions["ptce-metrics-allow"] = _networks(app.config.get("METRICS_ALLOW"))
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])
