"""Formats people use beyond RDF: the poles as GeoJSON and CSV, a JSON search, France's map outline."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from server.dataset import get_store
from server.languages import choose_language
from server.web.home import pole_index
from server.web.outline import france_outline, region_boundaries
from server.web.search import build_index, search
from server.web.view_models import Linker

bp = Blueprint("exports", __name__)

#: The columns of the poles' CSV file, in order.
CSV_COLUMNS = ("iri", "name", "commune", "commune_iri", "region", "region_iri", "latitude", "longitude")


def poles(lang: str) -> list[dict]:
    """Return the poles' index (memoised per language)."""
    store = get_store()
    return store.memo(("pole_index", lang), lambda: pole_index(store, lang))


def _json(body, mimetype: str = "application/json") -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/poles.geojson")
def poles_geojson():
    """The located poles as a GeoJSON FeatureCollection (for QGIS, uMap...); properties name the place."""
    lang = choose_language(request)
    features = [
        {
            "type": "Feature",
            "id": p["pole"],
            "geometry": {"type": "Point", "coordinates": [p["long"], p["lat"]]},
            "properties": {
                "name": p["pole_label"],
                "iri": p["pole"],
                "commune": p["town_label"] or None,
                "region": p["region_label"] or None,
            },
        }
        for p in poles(lang)
        if p["lat"] is not None
    ]
    return _json({"type": "FeatureCollection", "features": features}, "application/geo+json")


#: What a spreadsheet reads as the start of a formula (OWASP, CSV injection), and a line feed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value):
    """A text cell a spreadsheet will not run: one beginning like a formula gets a leading ``'``.

    Numbers are left as they are (a negative longitude is not a formula).

    >>> csv_cell("=1+1")
    "'=1+1"
    >>> csv_cell(-1.55), csv_cell("Dijon")
    (-1.55, 'Dijon')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@bp.get("/poles.csv")
def poles_csv():
    """Every pole as a CSV row (UTF-8 with a byte-order mark, so spreadsheets read the accents).

    Text cells are quoted, and those beginning with ``=``, ``+``, ``-``, ``@``, a tab or a line break get a
    leading ``'`` so that no spreadsheet reads them as a formula (OWASP, CSV injection).
    """
    lang = choose_language(request)
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS)
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    for p in poles(lang):
        row = [
            p["pole"],
            p["pole_label"],
            p["town_label"],
            p["town"] or "",
            p["region_label"],
            p["region"] or "",
        ]
        writer.writerow(
            [csv_cell(str(v)) for v in row] + ["" if p[k] is None else p[k] for k in ("lat", "long")]
        )
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="ptce-poles.csv"'
    return response


@bp.get("/search.json")
def search_json():
    """Search labels: ``?q=`` (accents and case ignored), optional ``type=pole|organisation|commune...``."""
    store, lang = get_store(), choose_language(request)
    index = store.memo("search_index", lambda: build_index(store))
    kinds = set(request.args.getlist("type")) or None
    limit = min(max(request.args.get("limit", 20, type=int), 1), 100)
    linker = Linker(store.base_iri)
    results = [
        {"iri": e.iri, "label": e.label(lang), "type": e.kind, "href": linker.href(e.iri), "score": s}
        for e, s in search(index, request.args.get("q", "")[:200], kinds, limit)
    ]
    return _json({"query": request.args.get("q", ""), "lang": lang, "results": results})


@bp.get("/map/france.geojson")
def france():
    """France's outline (overseas départements included) and its regional borders, for tile-free maps."""
    app = current_app
    if "ptce-outline" not in app.extensions:
        node_modules = Path(app.static_folder) / "node_modules"
        outline = france_outline(node_modules, app.config["MAP_OUTLINE_FILE"])
        outline["features"].append(
            region_boundaries(
                node_modules / app.config["MAP_DEPARTEMENTS_FILE"],
                node_modules / app.config["MAP_DEPARTEMENTS_LIST"],
            )
        )
        app.extensions["ptce-outline"] = json.dumps(outline, separators=(",", ":"))
    response = Response(app.extensions["ptce-outline"], mimetype="application/geo+json")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


def init_app(app) -> None:
    """Register the export, search and outline routes."""
    app.register_blueprint(bp)
