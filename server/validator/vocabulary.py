"""Vocabulary help: unknown terms (with the nearest existing ones) and classes used as properties."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from server.namespaces import GEO, IGEO, ORG, PREFIXES, PTCE, SCHEMA, curie
from server.validator.linemap import LineMap
from server.validator.messages import text
from server.validator.report import Problem

_ORG_CLASSES = (
    "Organization FormalOrganization OrganizationalUnit OrganizationalCollaboration Membership Role Post Site"
)
_ORG_PROPERTIES = (
    "member organization role hasMembership memberOf hasMember subOrganizationOf hasSubOrganization "
    "transitiveSubOrganizationOf identifier classification purpose hasSite siteOf hasPrimarySite "
    "hasRegisteredSite "
    "siteAddress headOf reportsTo memberDuring roleProperty hasPost holds heldBy postIn hasUnit unitOf "
    "linkedTo "
    "location changedBy resultedFrom originalOrganization resultingOrganization basedAt remuneration"
)
_GEO_TERMS = "SpatialThing Point lat long alt lat_long location"
#: Namespaces whose full term list we know: an unknown term there is reported with suggestions.
_CLOSED = {str(ORG): f"{_ORG_CLASSES} {_ORG_PROPERTIES}".split(), str(GEO): _GEO_TERMS.split()}
for _namespace in (SKOS, DCTERMS, PROV, FOAF):
    _CLOSED[str(_namespace._NS)] = [name for name in _namespace.__annotations__ if not name.startswith("_")]
_PREFIXES = {namespace: prefix for prefix, namespace in PREFIXES.items()}
#: Namespaces where the case of the local name tells a class (Capitalised) from a property.
_BY_CASE = [str(ns) for ns in (ORG, GEO, IGEO, SCHEMA, RDFS, OWL, PTCE._NS)] + list(_CLOSED)


@dataclass(frozen=True)
class Vocabulary:
    """The terms of our own namespace and their kinds, read from the ontology (and shapes)."""

    namespace: str
    classes: frozenset[str]
    properties: frozenset[str]

    @property
    def terms(self) -> frozenset[str]:
        """Every declared term of the namespace."""
        return self.classes | self.properties


def load_vocabulary(ontology: Graph, namespace: str = str(PTCE._NS)) -> Vocabulary:
    """Collect the classes and properties declared in ``namespace`` by the ontology graph."""
    classes, properties = set(), set()
    class_types = {OWL.Class, RDFS.Class}
    property_types = {RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    for subject, kind in ontology.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and str(subject).startswith(namespace):
            if kind in class_types:
                classes.add(str(subject))
            elif kind in property_types:
                properties.add(str(subject))
    if not classes and not properties:  # ontology not available: fall back to the code's closed namespace
        names = [name for name in PTCE.__annotations__ if not name.startswith("_")]
        classes = {namespace + n for n in names if n[0].isupper()}
        properties = {namespace + n for n in names if n[0].islower()}
    return Vocabulary(namespace, frozenset(classes), frozenset(properties))


def _split(iri: str) -> tuple[str, str] | None:
    for namespace in sorted(set(_BY_CASE), key=len, reverse=True):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return namespace, iri[len(namespace) :]
    return None


def _known_terms(namespace: str, vocabulary: Vocabulary) -> list[str] | None:
    if namespace == vocabulary.namespace:
        return [term[len(namespace) :] for term in vocabulary.terms]
    return _CLOSED.get(namespace)


def _kind(iri: str, vocabulary: Vocabulary) -> str | None:
    if iri in vocabulary.classes:
        return "class"
    if iri in vocabulary.properties:
        return "property"
    split = _split(iri)
    return None if split is None else ("class" if split[1][:1].isupper() else "property")


def _usages(graph: Graph) -> Iterable[tuple[str, URIRef, tuple]]:
    for triple in graph:
        subject, predicate, obj = triple
        yield "property", predicate, triple
        if predicate == RDF.type and isinstance(obj, URIRef):
            yield "class", obj, triple
        for node in (subject, obj):
            if isinstance(node, URIRef) and predicate != RDF.type:
                yield "any", node, triple


def check_vocabulary(
    graph: Graph, linemap: LineMap, vocabulary: Vocabulary, lang: str = "en"
) -> list[Problem]:
    """Report unknown terms of known vocabularies (with suggestions) and terms used with the wrong kind."""
    problems: dict[tuple[str, str], Problem] = {}
    for used_as, term, triple in sorted(_usages(graph), key=lambda u: linemap.triples.get(u[2], (10**9, 0))):
        iri = str(term)
        split = _split(iri)
        if split is None:
            continue
        namespace, local = split
        known = _known_terms(namespace, vocabulary)
        position = linemap.triples.get(triple) or linemap.node(triple[0]) or (None, None)
        key = (iri, used_as)
        if known is not None and local not in known and (iri, "unknown") not in problems:
            problems[(iri, "unknown")] = _unknown(iri, local, known, namespace, vocabulary, position, lang)
            continue
        kind = _kind(iri, vocabulary)
        if used_as != "any" and kind and kind != used_as and key not in problems:
            message_key = "class_as_property" if used_as == "property" else "property_as_class"
            hint = text("kind_hint_property" if used_as == "property" else "kind_hint_class", lang)
            problems[key] = Problem(
                "Violation",
                "vocabulary",
                text(message_key, lang, term=curie(iri)),
                *position,
                value=curie(iri),
                hint=hint,
            )
    return list(problems.values())


def _candidates(namespace: str, vocabulary: Vocabulary) -> dict[str, str]:
    """Lower-cased local name → prefixed name; our own terms, then the other closed vocabularies."""
    found: dict[str, str] = {}
    sources = [(vocabulary.namespace, [t[len(vocabulary.namespace) :] for t in vocabulary.terms])]
    sources += sorted(_CLOSED.items(), key=lambda item: item[0] != namespace)
    for space, names in sources:
        prefix = _PREFIXES.get(space)
        for name in names:
            found.setdefault(name.lower(), f"{prefix}:{name}" if prefix else f"<{space}{name}>")
    return found


def _unknown(iri, local, known, namespace, vocabulary, position, lang) -> Problem:
    own = {name.lower() for name in known}
    candidates = _candidates(namespace, vocabulary)
    matches = difflib.get_close_matches(local.lower(), list(candidates), n=4, cutoff=0.6)
    matches.sort(key=lambda m: m not in own)  # terms of the same vocabulary first
    suggestions = [candidates[m] for m in matches[:3]]
    prefix = _PREFIXES.get(namespace)
    vocabulary_name = f"{prefix}:" if prefix else f"<{namespace}>"
    message = text("unknown_term", lang, term=curie(iri), vocabulary=vocabulary_name)
    hint = text("did_you_mean", lang, suggestions=", ".join(suggestions)) if suggestions else ""
    severity = "Violation" if namespace == vocabulary.namespace else "Warning"
    return Problem(
        severity, "vocabulary", f"{message} {hint}".strip(), *position, value=curie(iri), hint=hint
    )
