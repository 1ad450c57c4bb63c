"""What a change removes: computed when the pole form submits an edit of an existing pole, stored with the
contribution (N-Triples, the inbox's ``removals``), judged with it, applied by accept and put back by revert.

An edit re-describes the pole with the values the form shows. What the form showed and the person took
away is removed: a value of a field the form covers (the French name, a sector, a source...), a member
with its membership (every statement about the membership, and the links to it), a member's old role.
Values the form does not show (a name in English, a territory) are kept.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from server.namespaces import ORG
from server.validator.removals import n_triples, parse_removals

__all__ = ["form_removals", "held_removals", "n_triples", "removals_of"]


def removals_of(contribution, base_iri: str = "https://w3id.org/ptce/") -> list[tuple]:
    """The live statements a stored contribution removes (rdflib triples, sorted); [] when it only adds."""
    try:
        return parse_removals(getattr(contribution, "removals", None), base_iri)
    except ValueError:
        return []


def _shown(value, entry, lang: str) -> bool:
    """Whether the pole form shows this live value of the field (and so can take it away)."""
    from server.contributions.form_graph import _shown as shown_text

    if entry.path == RDFS.label and isinstance(value, Literal) and value.language not in ("fr", None):
        return False
    return shown_text(value, entry) is not None


def form_removals(live: Graph, pole: URIRef, graph: Graph, model, lang: str) -> list[tuple]:
    """The live statements an edit of ``pole`` by the form removes: ``graph`` is the new description,
    ``model`` the form (its fields say which properties it covers), ``lang`` the page's language."""
    removed = set()
    for entry in model.fields():
        if entry.widget == "members":
            continue
        values = [o for o in live.objects(pole, entry.path) if _shown(o, entry, lang)]
        if entry.single:  # the form showed one value: the one in the page's language first
            values = sorted(values, key=lambda o: (getattr(o, "language", None) != lang, str(o)))[:1]
        new = {str(o) for o in graph.objects(pole, entry.path)}  # the same text in another language is kept
        removed |= {
            (pole, entry.path, o)
            for o in values
            if (pole, entry.path, o) not in graph and not (isinstance(o, Literal) and str(o) in new)
        }
    kept = set(graph.objects(pole, ORG.hasMembership))
    for membership in set(live.objects(pole, ORG.hasMembership)):
        if (membership, ORG.member, None) not in live:
            continue  # the form did not show it
        if membership in kept:  # a member kept: its old role or organisation, if changed
            for path in (ORG.role, ORG.member):
                removed |= {
                    (membership, path, o)
                    for o in live.objects(membership, path)
                    if (membership, path, o) not in graph
                }
            continue
        removed |= set(live.triples((membership, None, None))) | set(live.triples((None, None, membership)))
    return sorted(removed, key=_order)


def _order(triple: tuple) -> tuple:
    """Subject by subject, its type first: the order in which lines can be taken out of a file."""
    subject, predicate, obj = triple
    return (str(subject), predicate != RDF.type, str(predicate), str(obj))


def held_removals(contribution, store, graphs_holding, base_iri: str) -> list[tuple[tuple, str]]:
    """(triple, graph IRI) for each statement the contribution removes and each named graph holding it now
    (``graphs_holding(store, triple)``); statements already gone are left out."""
    return [
        (triple, graph)
        for triple in sorted(removals_of(contribution, base_iri), key=_order)
        for graph in graphs_holding(store, triple)
    ]


def removals_text(triples) -> str | None:
    """The N-Triples the inbox keeps for these removals (None for none)."""
    return n_triples(triples) or None
