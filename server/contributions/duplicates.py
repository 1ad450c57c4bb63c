"""A proposal identical to a pending or accepted one is refused, with the number of the earlier one: the same
statements (whatever their order, layout, prefixes or blank node names) and the same removals. Used by the
pole form and by file submissions (POST /contribute). Flask-free: the caller gives the inbox's contributions
and a cache of their normal forms."""

from __future__ import annotations

import hashlib

from rdflib import Graph

from server.contributions.form_turtle import normal_form

#: Contributions that count as the same proposal: those waiting and those in the graph.
LIVE_STATUSES = ("pending", "accepted")


def _normal_form_of(earlier, base_iri: str, cache: dict) -> str:
    """The normal form of an earlier contribution's Turtle (cached by number; '' when unreadable)."""
    if earlier.id not in cache:
        try:
            cache[earlier.id] = normal_form(
                Graph().parse(data=earlier.turtle, format="turtle", publicID=base_iri)
            )
        except Exception:  # noqa: BLE001 - a file the inbox kept but rdflib cannot read repeats nothing
            cache[earlier.id] = ""
    return cache[earlier.id]


def earlier_duplicate(contributions, data: bytes, graph: Graph, base_iri: str, cache: dict, removals=None):
    """The earlier pending or accepted contribution this one repeats (same bytes or same statements, and the
    same removals: ``removals`` is their N-Triples text, None for none), else None."""
    raw, normal = hashlib.sha256(data).hexdigest(), normal_form(graph)
    for earlier in contributions:
        if earlier.status not in LIVE_STATUSES or (getattr(earlier, "removals", None) or None) != (
            removals or None
        ):
            continue
        if earlier.sha256 == raw or _normal_form_of(earlier, base_iri, cache) == normal:
            return earlier
    return None


#: The refusal, in words (the status of the earlier one as the inbox names it: "pending", "accepted").
TEXTS = {
    "fr": "Ce fichier a déjà été proposé : c'est la contribution n° {number} ({status}). Inutile de le "
    "proposer de nouveau.",
    "en": "This file has already been proposed: it is contribution no. {number} ({status}). There is no need "
    "to propose it again.",
}
