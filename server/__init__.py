"""PTCE Graph: a Flask app serving the PTCE knowledge graph (pages, SPARQL, validator)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from server import config as default_config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the PTCE Graph application.

    Settings come from :mod:`server.config`, then ``PTCE_*`` environment variables
    (e.g. ``PTCE_BASE_IRI``), then ``test_config``.
    """
    app = Flask(__name__)
    app.config.from_object(default_config)
    app.config.from_prefixed_env("PTCE")
    if test_config is not None:
        app.config.update(test_config)
    if not app.config["BASE_IRI"].endswith(("/", "#")):
        raise ValueError(f"BASE_IRI must end with '/' or '#': {app.config['BASE_IRI']!r}")

    from server import contributions, dataset, sparql, validator, web

    contributions.recover(app)  # an accept a crash interrupted is finished before the dataset is read
    dataset.init_app(app)
    sparql.init_app(app)
    validator.init_app(app)
    contributions.init_app(app)
    web.init_app(app)  # last: its catch-all answers every other path under the base IRI
    return app
