"""Communes in a contribution, checked against the official list (Etalab's découpage administratif).

A contribution may name any current commune or municipal arrondissement by its IRI
(``<base>id/commune/<INSEE code>``) without describing it: the validator supplies its type, code and name
from the official list. A code that is not in the list is a violation with the nearest existing codes.
"""

from __future__ import annotations

import difflib
import functools

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from server.dataset.territories import official_communes, official_populations, package_version, source_iri
from server.namespaces import IGEO
from server.validator.linemap import LineMap
from server.validator.messages import text
from server.validator.report import Problem

COMMUNE_PATH = "id/commune/"
_CLASSES = {"commune": IGEO.Commune, "arrondissement": IGEO.ArrondissementMunicipal}


@functools.cache
def _official() -> tuple[dict[str, tuple[str, str]], str]:
    return official_communes(), source_iri(package_version())


def load_official() -> int:
    """Read the official list now (about 1 s), in the server before validation children are forked."""
    return len(_official()[0]) + len(_populations())


def _population(code: str) -> int:
    return _populations().get(code, 0)


@functools.cache
def _populations() -> dict[str, int]:
    return official_populations()


def commune_code(iri: str, base_iri: str) -> str | None:
    """Return the INSEE code of a commune IRI under our base, else None.

    >>> commune_code("https://w3id.org/ptce/id/commune/21231", "https://w3id.org/ptce/")
    '21231'
    >>> commune_code("https://w3id.org/ptce/id/pole/x", "https://w3id.org/ptce/") is None
    True
    """
    prefix = base_iri + COMMUNE_PATH
    return iri[len(prefix) :] if iri.startswith(prefix) and len(iri) > len(prefix) else None


def nearest_codes(code: str, limit: int = 3) -> list[str]:
    """Return existing codes one typing slip away (two digits swapped, or one digit wrong), else close ones.

    >>> nearest_codes("21213")[0]  # Dijon
    '21231'
    """
    communes, _ = _official()
    swapped = [code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(len(code) - 1)]
    replaced = [code[:i] + digit + code[i + 1 :] for i in range(len(code)) for digit in "0123456789"]
    slips = [c for c in dict.fromkeys(swapped + replaced) if c != code and c in communes]
    if slips:  # the same département first, then the most populous (a typo for Dijon, not for a hamlet)
        slips.sort(key=lambda c: (c[:2] != code[:2], -_population(c)))
        return slips[:limit]
    same_department = [c for c in communes if c[:2] == code[:2]]
    return difflib.get_close_matches(code, same_department, n=limit, cutoff=0.6)


def _referenced(contribution: Graph, base_iri: str) -> dict[URIRef, tuple]:
    """Commune IRIs the file uses as values or subjects, with one (subject, predicate, object) where seen: the
    smallest in text order, the same from one run to the next (not the first the graph happens to yield)."""
    found: dict[URIRef, tuple] = {}
    for triple in contribution:
        for node in (triple[0], triple[2]):
            if isinstance(node, URIRef) and commune_code(str(node), base_iri) is not None:
                if node not in found or tuple(map(str, triple)) < tuple(map(str, found[node])):
                    found[node] = triple
    return found


def official_places(contribution: Graph, live: Graph, base_iri: str) -> Graph:
    """Describe (type, code, name, source) the official communes the file names but nobody describes."""
    communes, source = _official()
    places = Graph()
    for node in _referenced(contribution, base_iri):
        code = commune_code(str(node), base_iri)
        if code in communes and (node, None, None) not in live and (node, RDF.type, None) not in contribution:
            name, kind = communes[code]
            places.add((node, RDF.type, _CLASSES[kind]))
            places.add((node, IGEO.codeINSEE, Literal(code)))
            places.add((node, RDFS.label, Literal(name, lang="fr")))
            places.add((node, DCTERMS.source, URIRef(source)))
    return places


def unknown_communes(
    contribution: Graph, live: Graph, linemap: LineMap, base_iri: str, lang: str
) -> list[Problem]:
    """A violation for each commune IRI whose code is not a current commune or arrondissement code."""
    communes, _ = _official()
    problems = []
    for node, (subject, predicate, obj) in _referenced(contribution, base_iri).items():
        code = commune_code(str(node), base_iri)
        if code in communes or (node, None, None) in live:
            continue
        where = linemap.value(subject, predicate, obj) if node == obj else linemap.node(node)
        suggestions = [f"{c} ({communes[c][0]})" for c in nearest_codes(code)]
        key = "unknown_commune_suggest" if suggestions else "unknown_commune"
        problems.append(
            Problem(
                "Violation",
                "territory",
                text(key, lang, code=code, suggestions=text("or", lang).join(suggestions)),
                *(where or (None, None)),
                focus=subject.n3(),
                path=predicate.n3(),
                value=node.n3(),
                hint=text("commune_hint", lang),
            )
        )
    return problems
