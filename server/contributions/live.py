"""Live without restart: build the new store beside the old one and swap it in atomically (on accept, on
SIGHUP, and when --watch sees data/ change); SPARQL workers are re-forked from the new data and the pages'
state (ETag, Last-Modified, dumps) and the validator's judge follow.

A reload on SIGHUP or --watch runs the start-up check first (syntax, then shapes): files that fail it are
not swapped in; the store served before keeps serving, read-only, and the log says why (server.health).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

from server import metrics
from server.dataset import load_store
from server.dataset.sources import discover_sources, fingerprint

logger = logging.getLogger(__name__)
_swap_lock = threading.Lock()


@dataclass(frozen=True)
class Swap:
    """One reload: how long the new store took to build and swap in, and its size."""

    seconds: float
    triples: int
    files: int


def _sources(config):
    return discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    )


def dataset_fingerprint(config) -> str:
    """The fingerprint of the files the dataset is made of now (a new, edited or deleted file changes it)."""
    return fingerprint(_sources(config))


class Refused(Exception):
    """The files failed the start-up check: they are not served (the store served before still is)."""

    def __init__(self, why: str, problems: list[str]):
        super().__init__(why)
        self.why, self.problems = why, problems


def checked_store(config):
    """The store of the files as they are now, if they pass the start-up check (else :class:`Refused`)."""
    from server import startup
    from server.dataset.sources import DatasetError

    try:
        problems = startup.syntax_problems(config)
    except DatasetError as error:
        problems = [str(error)]
    if problems:
        raise Refused("the dataset cannot be read", problems)
    try:
        store = load_store(config)
    except DatasetError as error:
        raise Refused("the dataset cannot be loaded", [str(error)]) from None
    if config["STARTUP_SHAPES_CHECK"] and not config.get("SPARQL_BACKEND_URL"):
        violations = startup.store_violations(store, config, "en")
        if violations:
            raise Refused("the data violates the shapes", violations)
    return store


def _keep_serving(app, refused: Refused) -> None:
    """Log loudly why the files are not served, and make the server read-only (server.health)."""
    from server import health

    previous = health.degraded(app).get("dataset")
    served = previous["served"] if previous else app.extensions.get("ptce-good", {"hash": "unchecked"})
    metrics.reload("refused")
    for line in refused.problems:
        logger.error("%s", line)
    logger.error(
        "reload refused: %s; the dataset served before is still served, READ-ONLY (hash %s, saved %s)",
        refused.why,
        str(served.get("hash"))[:16],
        served.get("saved", "?"),
    )
    health.degrade(
        app,
        "dataset",
        {
            "why": refused.why,
            "problems": refused.problems[:100],
            "problem_count": len(refused.problems),
            "since": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "served": served,
        },
    )


def reload_dataset(app, changed_graphs: tuple[str, ...] = (), check: bool = False) -> Swap:
    """Build the store from the files as they are now, beside the serving one, then swap it in at once.

    Requests already running finish on the old store; the next ones see the new store, its pages' state and
    its SPARQL workers (forked from the new data). With an external engine, ``changed_graphs`` (named graphs
    IRIs whose file was written or deleted) are pushed to the engine first. With ``check``, files that fail
    the start-up check raise :class:`Refused` and the old store keeps serving, read-only.
    """
    from server import health, startup
    from server.sparql.execution import retire_pools
    from server.sparql.views import start_workers
    from server.web.documents import PagesState

    with _swap_lock:
        started = time.monotonic()
        if app.config.get("SPARQL_BACKEND_URL") and changed_graphs:
            push_to_engine(app.config, changed_graphs)
        if check:
            try:
                store = checked_store(app.config)
            except Refused as refused:
                _keep_serving(app, refused)
                raise
            app.extensions["ptce-good"] = startup.describe_good(store, app.config)
        else:  # built beside the old one; a broken file leaves the old one serving
            store = load_store(app.config)
            startup.remember_if_checked(store, app.config)
        pages = PagesState(SimpleNamespace(extensions={"ptce": store}, config=app.config))
        old = app.extensions["ptce"]
        app.extensions.update({"ptce": store, "ptce-pages": pages})  # one dict update: the swap
        app.extensions.pop("ptce-validator", None)  # the validator's judge is rebuilt from the new store
        start_workers(app)
        # queries already running on the old store's workers finish first; then its processes stop
        grace = float(app.config["SPARQL_TIMEOUT"]) + 5
        retire = threading.Timer(grace, retire_pools, args=(old,))
        retire.daemon = True
        retire.start()
        swap = Swap(round(time.monotonic() - started, 3), len(store), len(store.sources))
    logger.info("dataset reloaded: %s triples from %s files in %s s", swap.triples, swap.files, swap.seconds)
    metrics.reload("swapped", swap.seconds)
    if check and health.restore(app, "dataset"):
        logger.warning("the files pass the start-up check again: they are served, read-write")
    return swap


def push_to_engine(config, graphs: tuple[str, ...]) -> None:
    """Replace the named graphs of written files in the external engine (emptied for deleted files)."""
    import requests

    from server.dataset.base import BackendError
    from server.dataset.loader import backend_auth, put_graph, read_triples, update_chunks

    sources = {source.graph: source for source in _sources(config)}
    session = requests.Session()
    session.auth = backend_auth(config)
    timeout = float(config["SPARQL_BACKEND_TIMEOUT"]) * 10
    for graph in graphs:
        triples = read_triples(sources[graph]) if graph in sources else []
        if config.get("SPARQL_BACKEND_GRAPH_STORE_URL"):
            put_graph(session, config["SPARQL_BACKEND_GRAPH_STORE_URL"], graph, triples, timeout)
        elif config.get("SPARQL_BACKEND_UPDATE_URL"):
            for text in update_chunks(graph, triples, 5000):
                response = session.post(
                    config["SPARQL_BACKEND_UPDATE_URL"],
                    data=text.encode(),
                    headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                    timeout=timeout,
                )
                if response.status_code >= 300:
                    raise BackendError(f"update of <{graph}> failed (HTTP {response.status_code})")
        else:
            raise BackendError("set SPARQL_BACKEND_GRAPH_STORE_URL or SPARQL_BACKEND_UPDATE_URL to accept")


def install_reload_signal(app) -> None:
    """Reload the dataset on SIGHUP (in a thread: the signal handler returns at once)."""

    def handler(signum, frame):
        threading.Thread(target=_reload_quietly, args=(app,), name="ptce-reload", daemon=True).start()

    signal.signal(signal.SIGHUP, handler)


def _reload_quietly(app) -> None:
    """Reload on SIGHUP or --watch, never in the middle of an accept or revert (its files half written)."""
    from server.contributions.lock import curation_lock
    from server.contributions.submission import inbox_path

    try:
        with curation_lock(inbox_path(app)):
            reload_dataset(app, check=True)
    except Refused:
        pass  # logged, and the server is read-only until the files are fixed
    except Exception:  # noqa: BLE001 - a broken file must not stop the server: the old store keeps serving
        logger.exception("reload failed; the previous dataset is still served")
        metrics.reload("failed")


def watch(app, interval: float | None = None) -> threading.Thread:
    """Reload whenever the dataset's files change (checked every ``interval`` seconds, WATCH_INTERVAL)."""
    interval = float(interval or app.config["WATCH_INTERVAL"])

    def loop():
        seen = _fingerprint_or_none(app.config)
        while True:
            time.sleep(interval)
            now = _fingerprint_or_none(app.config)
            if now is not None and now != seen:
                seen = now
                _reload_quietly(app)

    thread = threading.Thread(target=loop, name="ptce-watch", daemon=True)
    thread.start()
    return thread


def _fingerprint_or_none(config) -> str | None:
    try:
        return dataset_fingerprint(config)
    except OSError:  # a file being replaced right now: look again next time
        return None
