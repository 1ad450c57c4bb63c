"""The SPARQL 1.1 endpoint: views, guard, isolated execution, worker pool, formats, service description."""

from __future__ import annotations


def init_app(app) -> None:
    """Register ``/sparql`` (see :mod:`server.sparql.views`)."""
    from server.sparql import views

    views.init_app(app)
