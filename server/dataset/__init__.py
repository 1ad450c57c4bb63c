"""The dataset: source files, one store interface, the embedded Oxigraph store and the remote engine store.

Flask-free except for :func:`init_app` and :func:`get_store`, which keep the store in the app's extensions.
"""

from __future__ import annotations

from server.dataset.base import QueryableStore
from server.dataset.sources import discover_sources


def load_store(config) -> QueryableStore:
    """Build the store from an app config mapping (BASE_IRI, *_DIR(S), STORE_PATH, SPARQL_BACKEND_*)."""
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

    return GraphStore(sources, config["BASE_IRI"], config.get("STORE_PATH"))


def init_app(app) -> None:
    """Load the dataset once and keep it in ``app.extensions["ptce"]``."""
    app.extensions["ptce"] = load_store(app.config)


def get_store(app=None) -> QueryableStore:
    """Return the store of the given app, or of the current app."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["ptce"]
