"""The dataset: source files, one store interface, the embedded Oxigraph store and the remote engine store.

Flask-free except for :func:`init_app` and :func:`get_store`, which keep the store in the app's extensions.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from server.dataset.base import QueryableStore
from server.dataset.sources import SourceFile, discover_sources, fingerprint
from server.limits import default_slots

#: Memory of an in-memory Oxigraph store per byte of Turtle (bench/run.py: 217 MB for 19 MB at 10,000 poles).
STORE_BYTES_PER_TURTLE_BYTE = 12
#: On-disk stores kept under CACHE_DIR/stores when STORE_PATH is "auto" (the one served and the one before it,
#: which a server may still read during a live swap).
KEPT_STORES = 2


def memory_budget(workers: int, memory_bytes: int | None = None) -> int:
    """The most Turtle bytes served in memory by default: the worst case fits in half the machine's memory.

    An in-memory store takes about ``STORE_BYTES_PER_TURTLE_BYTE`` times its Turtle files, and each SPARQL
    worker that scans it ends up with its own copy (bench/measure_cow.py): ``workers + 1`` copies at worst.
    """
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return memory_bytes // 2 // (STORE_BYTES_PER_TURTLE_BYTE * (workers + 1))


def store_location(config, sources: list[SourceFile]) -> str | None:
    """Where the embedded store lives: None in memory, else a folder.

    ``STORE_PATH`` None keeps it in memory; a folder is used as given; "auto" keeps the dataset in memory
    while its files total at most ``STORE_MEMORY_MAX_BYTES`` (by default: what fits, see
    :func:`memory_budget`), and on disk above, in ``CACHE_DIR/stores/<hash of the files>`` (older folders
    there are removed but the last).
    """
    setting = config.get("STORE_PATH")
    if setting != "auto":
        return setting
    budget = config.get("STORE_MEMORY_MAX_BYTES")
    if budget is None:
        budget = memory_budget(default_slots(config["SPARQL_WORKERS"], per_core=1, least=2))
    if sum(source.path.stat().st_size for source in sources) <= int(budget):
        return None
    stores = Path(config["CACHE_DIR"]) / "stores"
    folder = stores / fingerprint(sources)[:20]
    folder.mkdir(parents=True, exist_ok=True)
    folder.touch()
    older = sorted(
        (path for path in stores.iterdir() if path != folder), key=lambda path: path.stat().st_mtime
    )
    for stale in older[: max(0, len(older) - (KEPT_STORES - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
    return str(folder)


def load_store(config, sources: list[SourceFile] | None = None) -> QueryableStore:
    """Build the store from an app config mapping (BASE_IRI, *_DIR(S), STORE_PATH, SPARQL_BACKEND_*).

    ``sources`` replaces the files found in the configured folders (the last good copy, server.startup).
    """
    if sources is None:
        sources = discover_sources(
            config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
        )
    if config.get("SPARQL_BACKEND_URL"):
        from server.dataset.loader import backend_auth
        from server.dataset.remote import RemoteStore

        timeout = float(config["SPARQL_BACKEND_TIMEOUT"])
        return RemoteStore(
            sources, config["BASE_IRI"], config["SPARQL_BACKEND_URL"], timeout, backend_auth(config)
        )
    from server.dataset.embedded import GraphStore

    return GraphStore(sources, config["BASE_IRI"], store_location(config, sources))


def init_app(app) -> None:
    """Load the dataset once and keep it in ``app.extensions["ptce"]``."""
    app.extensions["ptce"] = load_store(app.config)


def get_store(app=None) -> QueryableStore:
    """Return the store of the given app, or of the current app."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["ptce"]
