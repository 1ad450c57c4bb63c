"""The change feed as Activity Streams 2.0 (as IIIF Change Discovery 1.0 publishes changes): an
``OrderedCollection`` of every change, newest first, in ``OrderedCollectionPage`` pages of fixed seq ranges
(page k holds changes (k-1)·size+1 … k·size, so a page's content never moves; the newest page is ``first``).

Each change is an activity: ``Create`` or ``Update`` (an accept that creates resources, or changes existing
ones), ``Delete`` or ``Undo`` (a revert that removes what an accept created, or puts old values back), with
its ``endTime``, the resources it touched (``object``), the curator (``actor``), the contribution
(``instrument``) and its patch (``seeAlso``, RDF Patch). Flask-free.
"""

from __future__ import annotations

from server.history.record import Change

CONTEXT = ["http://iiif.io/api/discovery/1/context.json", "https://www.w3.org/ns/activitystreams"]
MEDIA_TYPE = 'application/ld+json;profile="https://www.w3.org/ns/activitystreams"'
TYPES = {
    ("accept", "create"): "Create",
    ("accept", "update"): "Update",
    ("revert", "delete"): "Delete",
    ("revert", "undo"): "Undo",
}
KINDS = {kind: pair for pair, kind in TYPES.items()}


def pages(total: int, size: int) -> int:
    """How many pages ``total`` changes make (at least one, possibly empty)."""
    return max(1, -(-total // size))


def collection(root: str, total: int, size: int, origin: str | None) -> dict:
    """The collection: its size, its first page (newest) and last page (oldest)."""
    body = {
        "@context": CONTEXT,
        "id": f"{root}changes",
        "type": "OrderedCollection",
        "summary": "Every accepted and reverted contribution of the PTCE graph, newest first",
        "totalItems": total,
        "first": {"id": f"{root}changes?page={pages(total, size)}", "type": "OrderedCollectionPage"},
        "last": {"id": f"{root}changes?page=1", "type": "OrderedCollectionPage"},
    }
    if origin:
        body["startTime"] = origin
    return body


def page(root: str, number: int, changes: list[Change], total: int, size: int, base_iri: str) -> dict:
    """Page ``number`` (changes of its seq range, newest first), linked to the newer (``prev``) and older
    (``next``) pages."""
    body = {
        "@context": CONTEXT,
        "id": f"{root}changes?page={number}",
        "type": "OrderedCollectionPage",
        "partOf": {"id": f"{root}changes", "type": "OrderedCollection", "totalItems": total},
        "startIndex": max(0, total - number * size),
        "orderedItems": [
            activity(root, change, base_iri) for change in sorted(changes, key=lambda c: -c.seq)
        ],
    }
    if number < pages(total, size):
        body["prev"] = {"id": f"{root}changes?page={number + 1}", "type": "OrderedCollectionPage"}
    if number > 1:
        body["next"] = {"id": f"{root}changes?page={number - 1}", "type": "OrderedCollectionPage"}
    return body


def activity(root: str, change: Change, base_iri: str, context: bool = False) -> dict:
    """One change as an activity (its ``instrument``: the contribution's IRI in the dataset's PROV)."""
    base = f"{root}changes/{change.seq}"
    body = {
        "id": base,
        "type": TYPES[(change.action, change.kind)],
        "endTime": change.at,
        "object": [{"id": iri, "type": "Object"} for iri in change.resources],
        "actor": {"type": "Person", "name": change.curator},
        "instrument": {"id": f"{base_iri}contribution/{change.contribution}", "type": "Object"},
        "summary": f"Contribution {change.contribution} "
        + ("accepted" if change.action == "accept" else "reverted"),
        "seeAlso": [{"id": f"{base}.rdfp", "type": "Dataset", "format": "text/rdf-patch"}],
    }
    return {"@context": CONTEXT, **body} if context else body


def from_activity(body: dict) -> dict:
    """The fields of a change row read back from its activity (what a replica stores): seq, at, curator,
    contribution, action, kind, resources."""
    action, kind = KINDS[body["type"]]
    return {
        "seq": int(body["id"].rstrip("/").rsplit("/", 1)[1]),
        "at": body["endTime"],
        "curator": (body.get("actor") or {}).get("name", ""),
        "contribution": int(body["instrument"]["id"].rstrip("/").rsplit("/", 1)[1]),
        "action": action,
        "kind": kind,
        "resources": tuple(item["id"] for item in body.get("object", [])),
    }
