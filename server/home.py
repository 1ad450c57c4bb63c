"""The home page: what the dataset is and where to go next."""

from __future__ import annotations

from flask import Blueprint, render_template

from .store import get_store

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Show the dataset summary."""
    store = get_store()
    counts = store.select(
        """SELECT (COUNT(DISTINCT ?pole) AS ?poles) WHERE { ?pole a ptce:Pole }"""
    )[0]
    return render_template("home.html", triples=len(store), poles=int(counts.get("poles", 0)))


def init_app(app) -> None:
    """Register the home page."""
    app.register_blueprint(bp)
