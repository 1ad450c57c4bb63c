"""Read replicas (``ptce serve --follow URL``): a read-only node that follows the curator node's change feed.

On start, the replica's data folder is what it knows: with its database (``.ptce-replica.sqlite3`` in the
folder: the change tables, filled as changes are applied) it resumes after the last change applied; with data
files but no database ("its own older data", e.g. a copy of data/) it applies every change from the first;
with nothing, it first writes the curator's N-Quads dump there, one file per named graph. Applying a change
is idempotent (patches are sets), so replaying changes a state already holds is harmless: a crash between
writing the files and recording the change only replays it.

Each round it asks the feed how many changes there are, fetches the patches it lacks, applies them in order
to its files (one N-Triples file per graph), swaps its store as a reload does, then records them. It has no
inbox: contribution and curator URLs redirect to the curator node. Its lag is in ``/readyz`` and
``/metrics``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import requests

from server.dataset.sources import discover_sources
from server.history import feed
from server.history import patch as patches
from server.history.memento import parse_iso
from server.history.record import Change, ChangeLog, insert, open_writable

log = logging.getLogger(__name__)
#: The replica's own database, in its data folder (not a .ttl file: never part of the dataset).
DB_NAME = ".ptce-replica.sqlite3"
DUMP = "dumps/ptce.nq"
#: Seconds between two looks at the feed, and most changes applied in one swap.
INTERVAL = 0.5
BATCH = 500


def data_folder(url: str, given: Path | None, cache_dir: str) -> Path:
    """The replica's data folder: ``--data`` if given, else one per curator URL under CACHE_DIR."""
    if given is not None:
        return Path(given)
    name = url.split("://", 1)[-1].strip("/").replace("/", "_").replace(":", "_")
    return Path(cache_dir) / "replicas" / name / "data"


def prepare(url: str, folder: Path, base_iri: str, timeout: float = 120.0) -> str:
    """Make the folder servable before the app starts: the dump when it knows nothing. Returns how it
    starts: ``resume``, ``own-data`` or ``dump``."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / DB_NAME).is_file():
        return "resume"
    if any(folder.rglob("*.ttl")):
        return "own-data"
    response = requests.get(url.rstrip("/") + "/" + DUMP, timeout=timeout)
    response.raise_for_status()
    by_graph = defaultdict(list)
    for quad in ox.parse(response.content, format=ox.RdfFormat.N_QUADS):
        by_graph[quad.graph_name.value].append(quad.triple)
    for graph, triples in by_graph.items():
        if graph.startswith(f"{base_iri}graph/"):
            _write(folder / f"{graph.rsplit('/', 1)[1]}.ttl", triples)
    return "dump"


def _write(path: Path, triples) -> None:
    """Write triples as N-Triples (valid Turtle) atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b"")
    temporary.replace(path)


def apply_to_files(config, folder: Path, batch: list[patches.Patch]) -> tuple[str, ...]:
    """Apply patches, in order, to the data files of their graphs; return the graphs written."""
    base = config["BASE_IRI"]
    sources = discover_sources(base, config["ONTOLOGY_DIR"], config["SHAPES_DIR"], [str(folder)])
    paths = {source.graph: source.path for source in sources if source.kind == "data"}
    graphs = sorted(set().union(*(p.graphs() for p in batch)))
    for graph in graphs:
        if not graph.startswith(f"{base}graph/"):
            continue
        path = paths.get(graph) or folder / f"{graph.rsplit('/', 1)[1]}.ttl"
        quads = patches.text_quads(path.read_bytes(), graph) if path.is_file() else set()
        for patch in batch:
            quads = (quads - {q for q in patch.removed if q.graph_name.value == graph}) | {
                q for q in patch.added if q.graph_name.value == graph
            }
        if quads:
            _write(path, [q.triple for q in quads])
        else:
            path.unlink(missing_ok=True)
    return tuple(graphs)


class Follower:
    """Follows the curator node's feed and applies its changes to the replica (one thread)."""

    def __init__(self, app, url: str, folder: Path):
        self.app, self.url, self.folder = app, url.rstrip("/"), folder
        self.db_path = folder / DB_NAME
        self.session = requests.Session()
        self.state = {"applied": 0, "upstream": 0, "lag_seconds": 0.0, "last_poll": None, "error": None}
        self._lock = threading.Lock()

    def applied(self) -> int:
        """The last change applied (remembered in the replica's database)."""
        return ChangeLog(self.db_path).last_seq()

    def _get(self, path: str):
        response = self.session.get(self.url + path, timeout=30)
        response.raise_for_status()
        return response

    def step(self) -> int:
        """One round: fetch and apply what the curator has and this replica lacks; return how many."""
        with self._lock:
            collection = self._get("/changes").json()
            total = int(collection["totalItems"])
            mine = self.applied()
            self.state.update(applied=mine, upstream=total, last_poll=time.time(), error=None)
            if total <= mine:
                self.state["lag_seconds"] = 0.0
                return 0
            seqs = list(range(mine + 1, min(total, mine + BATCH) + 1))
            changes = [self._change(seq) for seq in seqs]
            oldest = parse_iso(changes[0].at).timestamp()
            self.state["lag_seconds"] = round(max(0.0, time.time() - oldest), 3)
            graphs = apply_to_files(self.app.config, self.folder, [c.parsed() for c in changes])
            self._swap(graphs)
            db = open_writable(self.db_path)
            try:
                db.execute("BEGIN IMMEDIATE")
                if collection.get("startTime"):  # history begins when the curator's began
                    db.execute("UPDATE change_origin SET at = ? WHERE id = 1", (collection["startTime"],))
                for change in changes:
                    insert(db, change)
                db.execute("COMMIT")
            finally:
                db.close()
            log.info("replica: applied changes %s-%s of %s", seqs[0], seqs[-1], total)
            self.state.update(
                applied=seqs[-1], lag_seconds=0.0 if seqs[-1] >= total else self.state["lag_seconds"]
            )
            return len(changes)

    def _change(self, seq: int) -> Change:
        fields = feed.from_activity(self._get(f"/changes/{seq}").json())
        text = self._get(f"/changes/{seq}.rdfp").text
        patches.read(text)  # refuse a patch that does not read before anything is written
        return Change(**fields, patch=text)

    def _swap(self, graphs) -> None:
        from server.contributions.live import reload_dataset

        reload_dataset(self.app, graphs)

    def run(self, interval: float = INTERVAL) -> None:
        """Follow for ever (errors are logged and retried)."""
        while True:
            try:
                if self.step():
                    continue
            except (requests.RequestException, ValueError, OSError, sqlite3.Error) as error:
                self.state["error"] = f"{type(error).__name__}: {error}"[:300]
                log.warning("replica: cannot follow %s now: %s", self.url, self.state["error"])
            except Exception:  # noqa: BLE001 - the replica keeps serving what it has
                self.state["error"] = "unexpected error (see the log)"
                log.exception("replica: a round failed")
            time.sleep(interval)

    def status(self) -> dict:
        """The replica's state for /readyz: curator URL, changes applied and upstream, lag."""
        state = dict(self.state)
        behind = max(0, state["upstream"] - state["applied"])
        since = None if state["last_poll"] is None else round(time.time() - state["last_poll"], 1)
        return {
            "following": self.url,
            "applied": state["applied"],
            "upstream": state["upstream"],
            "behind": behind,
            "lag_seconds": state["lag_seconds"] if behind else 0.0,
            "last_poll_seconds_ago": since,
            **({"error": state["error"]} if state["error"] else {}),
        }


class LagCollector:
    """Prometheus gauges of a replica's lag, read at scrape time."""

    def __init__(self, follower: Follower):
        self.follower = follower

    def collect(self):
        """The replica's gauges now."""
        from prometheus_client.core import GaugeMetricFamily

        status = self.follower.status()
        yield GaugeMetricFamily(
            "ptce_replica_applied_change", "Last change applied by this replica.", status["applied"]
        )
        yield GaugeMetricFamily(
            "ptce_replica_behind_changes",
            "Changes the curator node has that this replica has not applied.",
            status["behind"],
        )
        yield GaugeMetricFamily(
            "ptce_replica_lag_seconds",
            "Age of the oldest change not applied yet (0: caught up).",
            status["lag_seconds"],
        )


def _redirect_to_curator(path: str = ""):
    from flask import current_app, redirect, request

    target = current_app.config["FOLLOW_URL"].rstrip("/") + request.full_path.rstrip("?")
    return redirect(target, 307)


def init_app(app) -> None:
    """A replica: no inbox; contribution and curator URLs redirect (307) to the curator node."""
    for rule in ("/contribute", "/contribute/<path:path>", "/contributions", "/contributions/<path:path>"):
        app.add_url_rule(
            rule, f"replica-redirect-{rule}", _redirect_to_curator, methods=["GET", "POST", "HEAD"]
        )


def start(app, interval: float | None = None) -> Follower:
    """Start following (a daemon thread); register the lag in /readyz and /metrics."""
    follower = Follower(app, app.config["FOLLOW_URL"], Path(app.config["DATA_DIRS"][0]))
    follower.state["applied"] = follower.applied()
    app.extensions["ptce-replica"] = follower
    registry = app.extensions.get("ptce-metrics")
    if registry is not None:
        registry.register(LagCollector(follower))
    wait = float(interval or app.config.get("FOLLOW_INTERVAL") or INTERVAL)
    threading.Thread(target=follower.run, args=(wait,), name="ptce-follow", daemon=True).start()
    return follower
