"""A change in words, for a resource's history page: the curator's review wording
(server.contributions.review) applied to the change's patch against the resource's neighbourhood just
before it, with a plain wording of its own (property: old → new) when the review cannot say it."""

from __future__ import annotations

import logging
from collections import defaultdict

import pyoxigraph as ox
from rdflib import Graph, URIRef

from server.dataset.base import to_rdflib
from server.history.patch import Patch
from server.web.labels import local_name, property_label
from server.web.wording import literal_in_words

log = logging.getLogger(__name__)
TEXTS = {
    "fr": {
        "title": "Historique des modifications",
        "of": "Historique de {label}",
        "none": "Aucune modification enregistrée depuis le {origin}.",
        "accept": "Contribution {number} acceptée",
        "revert": "Contribution {number} annulée",
        "create": "création",
        "update": "modification",
        "delete": "suppression",
        "undo": "retour en arrière",
        "by": "par",
        "change": "changement",
        "memento": "version d'alors",
        "page": "Page actuelle",
        "timemap": "Liste des versions (TimeMap)",
        "feed": "Toutes les modifications du graphe",
        "old": "Version ancienne",
        "banner": "Ceci est une version ancienne de cette page, telle qu'elle était le {date} (après le "
        "changement {seq}). ",
        "banner_origin": "Ceci est une version ancienne de cette page, telle qu'elle était le {date}, "
        "avant toute modification enregistrée. ",
        "current": "Voir la version actuelle",
        "history": "Historique des modifications",
        "added": "ajouté",
        "removed": "retiré",
        "nothing": "Pas de changement de valeur visible sur cette ressource.",
    },
    "en": {
        "title": "History of changes",
        "of": "History of {label}",
        "none": "No change recorded since {origin}.",
        "accept": "Contribution {number} accepted",
        "revert": "Contribution {number} reverted",
        "create": "creation",
        "update": "update",
        "delete": "deletion",
        "undo": "undo",
        "by": "by",
        "change": "change",
        "memento": "version then",
        "page": "Current page",
        "timemap": "List of versions (TimeMap)",
        "feed": "Every change of the graph",
        "old": "Old version",
        "banner": "This is an old version of this page, as it was on {date} (after change {seq}). ",
        "banner_origin": "This is an old version of this page, as it was on {date}, before any recorded "
        "change. ",
        "current": "See the current version",
        "history": "History of changes",
        "added": "added",
        "removed": "removed",
        "nothing": "No change of value visible on this resource.",
    },
}


def lines_in_words(patch: Patch, iri: str, before: set, shapes: Graph, base_iri: str, lang: str) -> list[str]:
    """The change of ``iri`` in words, one line per value changed."""
    try:
        return _review_lines(patch, iri, before, shapes, base_iri, lang)
    except Exception:  # noqa: BLE001 - the review's wording is another module's: ours is the fallback
        log.debug("review wording failed for %s", iri, exc_info=True)
    return _plain_lines(patch, iri, before, lang)


def _graph(quads) -> Graph:
    graph = Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def _review_lines(patch: Patch, iri: str, before: set, shapes: Graph, base_iri: str, lang: str) -> list[str]:
    from server.contributions.review import line_text, review_in_words
    from server.contributions.texts import REVIEW_TEXTS

    removed = [tuple(to_rdflib(t) for t in (q.subject, q.predicate, q.object)) for q in patch.removed]
    review = review_in_words(_graph(patch.added), _graph(before), removed, shapes, base_iri, lang)
    lines = []
    for resource in review.resources:
        if resource.iri == iri:
            lines += [line_text(change, REVIEW_TEXTS[lang]) for change in resource.changes]
    return lines


def _label(node, graph: Graph, lang: str) -> str:
    from server.web.labels import resource_label

    if isinstance(node, URIRef):
        return resource_label(graph, node, lang) if (node, None, None) in graph else local_name(str(node))
    return literal_in_words(node, lang)


def _plain_lines(patch: Patch, iri: str, before: set, lang: str) -> list[str]:
    node, words = ox.NamedNode(iri), TEXTS[lang]
    graph = _graph(before | patch.added)
    old, new = defaultdict(list), defaultdict(list)
    for q in patch.removed:
        if q.subject == node:
            old[q.predicate].append(q.object)
    for q in patch.added:
        if q.subject == node:
            new[q.predicate].append(q.object)
    lines = []
    for predicate in sorted(set(old) | set(new), key=str):
        name = property_label(graph, to_rdflib(predicate), lang)
        gone = ", ".join(sorted(_label(to_rdflib(o), graph, lang) for o in old[predicate]))
        came = ", ".join(sorted(_label(to_rdflib(o), graph, lang) for o in new[predicate]))
        if gone and came:
            lines.append(f"{name} : {gone} → {came}" if lang == "fr" else f"{name}: {gone} → {came}")
        else:
            what = words["added"] if came else words["removed"]
            lines.append(
                f"{name} ({what}) : {came or gone}" if lang == "fr" else f"{name} ({what}): {came or gone}"
            )
    return lines
