"""The home page: what the dataset is, counts, a map and a searchable list of all poles."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from server.dataset import get_store
from server.dataset.base import QueryableStore
from server.languages import choose_language
from server.web import rendering as context
from server.web.describe import coordinates, labels_of
from server.web.search import fold
from server.web.view_models import Linker, map_json

bp = Blueprint("home", __name__)

COUNTS = """SELECT
  (COUNT(DISTINCT ?pole) AS ?poles) (COUNT(DISTINCT ?actor) AS ?actors)
  (COUNT(DISTINCT ?region) AS ?regions) (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
  { ?pole a ptce:Pole }
  UNION { ?actor a/rdfs:subClassOf* ptce:Actor }
  UNION { ?p a ptce:Pole ; schema:location|dcterms:spatial ?place . ?region a igeo:Region ;
          igeo:subdivisionDirecte* ?place }
  UNION { ?s dcterms:source ?source }
}"""
POLES = """SELECT ?pole (SAMPLE(?t) AS ?town) (SAMPLE(?r) AS ?region) WHERE {
  ?pole a ptce:Pole .
  OPTIONAL { ?pole schema:location ?t }
  OPTIONAL { ?pole schema:location|dcterms:spatial ?place .
             ?r a igeo:Region ; igeo:subdivisionDirecte* ?place }
} GROUP BY ?pole"""


def dataset_counts(store: QueryableStore) -> dict[str, int]:
    """Return the numbers of poles, actors, regions with a pole, and distinct sources."""
    row = store.select(COUNTS)[0]
    return {name: int(row.get(name, 0)) for name in ("poles", "actors", "regions", "sources")}


def pole_index(store: QueryableStore, lang: str) -> list[dict]:
    """Return every pole with its label, town, region and coordinates, sorted by label."""
    rows = store.select(POLES)
    labels = labels_of(store, {v for row in rows for v in row.values()}, lang)
    points = coordinates(store, [row["pole"] for row in rows])
    poles = []
    for row in rows:
        entry = {key: str(row[key]) if key in row else None for key in ("pole", "town", "region")}
        for key in ("pole", "town", "region"):
            entry[f"{key}_label"] = labels.get(row.get(key), entry[key] or "")
        entry["lat"], entry["long"] = points.get(row["pole"], (None, None))
        entry["search"] = fold(" ".join(entry[f"{key}_label"] for key in ("pole", "town", "region")))
        poles.append(entry)
    return sorted(poles, key=lambda p: fold(p["pole_label"]))


@bp.get("/")
def index():
    """Show the dataset summary, the map and the list of poles (``?q=`` filters it without JavaScript)."""
    store, lang = get_store(), choose_language(request)
    query = request.args.get("q", "").strip()[:200]
    poles = store.memo(("pole_index", lang), lambda: pole_index(store, lang))
    shown = [p for p in poles if fold(query) in p["search"]] if query else poles
    points = [
        {"iri": p["pole"], "label": p["pole_label"], "lat": p["lat"], "long": p["long"]}
        for p in shown
        if p["lat"] is not None
    ][: current_app.config["MAP_POINT_LIMIT"]]
    html = context.page(
        "web/home.html",
        lang,
        None,
        counts=store.memo("counts", lambda: dataset_counts(store)),
        triples=store.memo("triples", lambda: len(store)),
        poles=shown[: current_app.config["PAGE_LIST_LIMIT"]],
        shown=len(shown),
        total=len(poles),
        query=query,
        points=points,
        map_data=map_json(points, Linker(store.base_iri)),
        located=[p for p in poles if p["lat"] is not None],
        unlocated=[p for p in poles if p["lat"] is None],
    )
    response = context.make_html_response(html, lang)
    return response


def init_app(app) -> None:
    """Register the home page."""
    app.register_blueprint(bp)
