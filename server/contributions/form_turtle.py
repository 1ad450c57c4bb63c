"""The Turtle of a checked pole form: IRIs minted from the names (unique against the live graph), a year as
``xsd:gYear``, names in French, one ``org:Membership`` per member with its role, ``dcterms:source`` on every
resource, the commune as ``<base>id/commune/<INSEE code>``. And the normal form used to spot duplicates.
Flask-free: the caller gives ``exists(iri)`` (an ASK on the live graph) and labels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS

from server.contributions.form import PoleForm
from server.contributions.form_values import Submission, slug, sources_of
from server.contributions.kit import local_prefixes
from server.namespaces import ORG, PREFIXES, PTCE


class Minter:
    """Mints IRIs under the base from names: a slug, then -2, -3... until it is free in the live graph and
    in this contribution."""

    def __init__(self, base_iri: str, exists: Callable[[str], bool]):
        self.base_iri, self.exists, self.taken = base_iri, exists, set()

    def mint(self, folder: str, name: str, fallback: str, raw: bool = False) -> URIRef:
        """A new IRI ``<base>id/<folder>/<slug>`` for ``name`` (``raw``: the name is already a segment)."""
        stem = (name if raw else slug(name)) or fallback
        candidate, number = stem, 1
        while True:
            iri = f"{self.base_iri}id/{folder}/{candidate}"
            if iri not in self.taken and not self.exists(iri):
                self.taken.add(iri)
                return URIRef(iri)
            number += 1
            candidate = f"{stem}-{number}"


_DATES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def _literal(entry, value: str, lang: str) -> Literal:
    if entry.widget == "year":
        return Literal(value, datatype=_DATES.get(len(value), XSD.gYear))
    if XSD.string in entry.datatypes:
        return Literal(value)
    return Literal(value, lang="fr" if entry.path == RDFS.label else lang)


def _term(entry, value: str, submission: Submission, base_iri: str, lang: str):
    if entry.widget == "commune":
        code = submission.communes.get(entry.key)
        return URIRef(f"{base_iri}id/commune/{code}") if code else None
    if entry.widget in ("url", "urls", "select", "checkboxes", "organisation"):
        return URIRef(value)
    return _literal(entry, value, lang)


def build(
    submission: Submission,
    model: PoleForm,
    base_iri: str,
    exists: Callable[[str], bool],
    labels: dict[str, str],
    lang: str,
) -> Graph:
    """The graph a checked submission describes; ``labels`` gives the French label of each role IRI."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for prefix, namespace in local_prefixes(base_iri).items():
        graph.bind(prefix, namespace)
    minter = Minter(base_iri, exists)
    name_field = next(f for f in model.fields() if f.path == RDFS.label)
    name = submission.one(name_field.key)
    pole = URIRef(submission.edit) if submission.edit else minter.mint("pole", name, "pole")
    sources = [URIRef(s) for s in sources_of(submission, model)]
    graph.add((pole, RDF.type, PTCE.Pole))
    for entry in model.fields():
        if entry.widget == "members":
            continue
        values = submission.values.get(entry.key, [])
        for value in values[:1] if entry.single else values:
            term = _term(entry, value, submission, base_iri, lang)
            if term is not None:
                graph.add((pole, entry.path, term))
    category = model.category()
    for member in submission.members:
        if member.empty():
            continue
        organisation = URIRef(member.iri) if member.iri else None
        if organisation is None:
            organisation = minter.mint("organisation", member.name, "organisation")
            graph.add((organisation, RDF.type, ORG.Organization))
            if category is not None and member.category:
                graph.add((organisation, RDF.type, URIRef(member.category)))
            graph.add((organisation, RDFS.label, Literal(member.name, lang="fr")))
            for source in sources:
                graph.add((organisation, DCTERMS.source, source))
        if member.membership:
            membership = URIRef(member.membership)
        else:
            stem = f"{str(pole).rsplit('/', 1)[-1]}--{str(organisation).rsplit('/', 1)[-1]}"
            membership = minter.mint("membership", stem, "membership", raw=True)
            role = labels.get(member.role, "").lower()
            who = member.name or labels.get(str(organisation), "")
            text = f"{who} — {role} de {name}" if role else f"{who}, {name}"
            graph.add((membership, RDFS.label, Literal(text, lang="fr")))
        graph.add((membership, RDF.type, ORG.Membership))
        graph.add((membership, ORG.member, organisation))
        graph.add((membership, ORG.organization, pole))
        graph.add((membership, ORG.role, URIRef(member.role)))
        graph.add((pole, ORG.hasMembership, membership))
        for source in sources if not member.membership else ():  # an existing membership keeps its own
            graph.add((membership, DCTERMS.source, source))
    for source in sources:
        graph.add((pole, DCTERMS.source, source))
    return graph


def turtle(graph: Graph) -> str:
    """The graph in Turtle, with the usual prefixes."""
    return graph.serialize(format="turtle")


def normal_form(graph: Graph) -> str:
    """The sha256 of the graph's sorted canonical N-Triples: the same for the same statements, whatever
    their order, layout, prefixes or blank node names."""
    if any(isinstance(node, BNode) for triple in graph for node in triple):
        graph = to_canonical_graph(graph)
    lines = sorted(graph.serialize(format="nt").splitlines())
    return hashlib.sha256("\n".join(line for line in lines if line.strip()).encode("utf-8")).hexdigest()
