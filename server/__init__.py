"""PTCE Graph: a Flask app serving the PTCE knowledge graph (pages, SPARQL, validator)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from server import config as default_config


def create_app(test_config: Mapping[str, Any] | None = None, fallback: Any = None) -> Flask:
    """Create and configure an instance of the PTCE Graph application.

    Settings come from :mod:`server.config`, then ``PTCE_*`` environment variables
    (e.g. ``PTCE_BASE_IRI``), then ``test_config``. With ``fallback`` (a :class:`server.startup.Fallback`),
    the last good dataset is served instead of the files, read-only (``/readyz`` says so).
    """
    app = Flask(__name__)
    app.config.from_object(default_config)
    app.config.from_prefixed_env("PTCE")
    if test_config is not None:
        app.config.update(test_config)
    if not app.config["BASE_IRI"].endswith(("/", "#")):
        raise ValueError(f"BASE_IRI must end with '/' or '#': {app.config['BASE_IRI']!r}")

    from server import contributions, dataset, health, logs, metrics, sparql, validator, web
    from server.history import views as history

    health.init_app(app)  # /healthz, /readyz
    metrics.init_app(app)  # /metrics
    contributions.recover(app)  # an accept a crash interrupted is finished before the dataset is read
    if fallback is None:
        dataset.init_app(app)
    else:  # the files failed the start-up check: the last good copy, read-only
        app.extensions["ptce"] = fallback.load(app.config)
        health.degrade(app, "dataset", fallback.state())
    sparql.init_app(app)
    validator.init_app(app)
    if app.config.get("FOLLOW_URL"):  # a read replica: no inbox, contributions go to the curator node
        from server.history import replica

        replica.init_app(app)
    else:
        contributions.init_app(app)
    history.init_app(app)  # /changes, /history, /timemap, /memento, and the TimeGate on /doc
    web.init_app(app)  # last: its catch-all answers every other path under the base IRI
    metrics.name_admissions(app)
    logs.init_app(app)  # request ids, one log line per request
    return app
