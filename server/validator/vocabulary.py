"""Vocabulary help: unknown terms (with the nearest existing ones) and classes used as properties."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, SDO, SKOS, VOID, WGS, DefinedNamespace

from server.namespaces import GEO, IGEO, PREFIXES, PTCE, SCHEMA, curie
from server.validator.linemap import LineMap
from server.validator.messages import text
from server.validator.report import Problem


def _terms(namespace: type[DefinedNamespace]) -> list[str]:
    """The local names rdflib knows for one of the vocabularies it ships."""
    names = [name for name in namespace.__annotations__ if not name.startswith("_")]
    return names + list(getattr(namespace, "_extras", []))


#: Namespaces whose full term list we know (rdflib's copies of them): an unknown term there is reported
#: with suggestions. rdflib's WGS84 copy has an https namespace; ours (and the world's data) uses http.
_CLOSED = {str(ns._NS): _terms(ns) for ns in (RDF, RDFS, OWL, ORG, DCTERMS, SKOS, FOAF, PROV, DCAT, VOID)}
#: schema.org terms newer than rdflib's copy of schema.org (checked on https://schema.org/ by name).
_NEWER_SCHEMA = ["observationAbout"]
_CLOSED[str(SCHEMA)] = _terms(SDO) + _NEWER_SCHEMA
_CLOSED[str(GEO)] = _terms(WGS)
_CLOSED_SETS = {namespace: frozenset(names) for namespace, names in _CLOSED.items()}
_PREFIXES = {namespace: prefix for prefix, namespace in PREFIXES.items()}
#: Namespaces where the case of the local name tells a class (Capitalised) from a property.
_BY_CASE = [str(ns) for ns in (IGEO, PTCE._NS)] + [ns for ns in _CLOSED if ns != str(RDF)]
#: rdf: terms that are classes though written in lower case, and properties written capitalised (none).
_RDF_CLASSES = {"Property", "Statement", "Bag", "Seq", "Alt", "List", "langString", "HTML", "XMLLiteral"}


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

    @functools.cached_property
    def local_names(self) -> frozenset[str]:
        """The local names of :attr:`terms`."""
        return frozenset(term[len(self.namespace) :] for term in self.terms)


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


#: The namespaces :func:`_split` knows, longest first.
_SPLIT_ORDER = tuple(sorted(set(_BY_CASE) | {str(RDF)}, key=len, reverse=True))


@functools.lru_cache(maxsize=4096)
def _split(iri: str) -> tuple[str, str] | None:
    for namespace in _SPLIT_ORDER:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return namespace, iri[len(namespace) :]
    return None


def _known_terms(namespace: str, vocabulary: Vocabulary) -> frozenset[str] | None:
    if namespace == vocabulary.namespace:
        return vocabulary.local_names
    return _CLOSED_SETS.get(namespace)


def _local_kind(namespace: str, local: str) -> str:
    if namespace == str(RDF):
        return "class" if local in _RDF_CLASSES else "property"
    return "class" if local[:1].isupper() else "property"


def _kind(iri: str, vocabulary: Vocabulary) -> str | None:
    if iri in vocabulary.classes:
        return "class"
    if iri in vocabulary.properties:
        return "property"
    split = _split(iri)
    return None if split is None else _local_kind(*split)


_RDF_TYPE = RDF.type  # looked up once: an rdflib namespace attribute is a method call (30,000 per large file)


def _usages(graph: Graph) -> Iterable[tuple[str, URIRef, tuple]]:
    for triple in graph:
        subject, predicate, obj = triple
        yield "property", predicate, triple
        if predicate == _RDF_TYPE and isinstance(obj, URIRef):
            yield "class", obj, triple
        for node in (subject, obj):
            if isinstance(node, URIRef) and predicate != _RDF_TYPE:
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
        if known is not None and local not in known:
            if (iri, "unknown") not in problems:
                problem = _unknown(iri, local, used_as, namespace, vocabulary, position, lang)
                problems[(iri, "unknown")] = replace(problem, focus=triple[0].n3())
            continue
        kind = _kind(iri, vocabulary)
        if used_as != "any" and kind and kind != used_as and key not in problems:
            problem = _wrong_kind(iri, local, used_as, namespace, vocabulary, position, lang)
            problems[key] = replace(problem, focus=triple[0].n3())
    return list(problems.values())


def _wrong_kind(iri, local, used_as, namespace, vocabulary, position, lang) -> Problem:
    message_key = "class_as_property" if used_as == "property" else "property_as_class"
    hint = text("kind_hint_property" if used_as == "property" else "kind_hint_class", lang)
    suggestions = suggest(local, used_as, namespace, vocabulary, exclude=local)
    if suggestions:
        hint = text("did_you_mean", lang, suggestions=", ".join(suggestions))
    message = text(message_key, lang, term=curie(iri))
    return Problem("Violation", "vocabulary", message, *position, value=curie(iri), hint=hint)


def _unknown(iri, local, used_as, namespace, vocabulary, position, lang) -> Problem:
    suggestions = suggest(local, used_as, namespace, vocabulary)
    prefix = _PREFIXES.get(namespace)
    vocabulary_name = f"{prefix}:" if prefix else f"<{namespace}>"
    message = text("unknown_term", lang, term=curie(iri), vocabulary=vocabulary_name)
    hint = text("did_you_mean", lang, suggestions=", ".join(suggestions)) if suggestions else ""
    severity = "Violation" if namespace == vocabulary.namespace else "Warning"
    return Problem(
        severity, "vocabulary", f"{message} {hint}".strip(), *position, value=curie(iri), hint=hint
    )


def _candidates(vocabulary: Vocabulary) -> Iterable[tuple[str, str]]:
    """(namespace, local name) of every term we know: our own, then the well-known vocabularies."""
    for term in vocabulary.terms:
        yield vocabulary.namespace, term[len(vocabulary.namespace) :]
    for space, names in _CLOSED.items():
        for name in names:
            yield space, name


def suggest(
    local: str,
    used_as: str,
    namespace: str,
    vocabulary: Vocabulary,
    exclude: str | None = None,
    limit: int = 3,
) -> list[str]:
    """The nearest existing terms to ``local``, best first.

    Ranked by: same name but for case, then the kind the position needs (a property after a subject, a class
    after ``a``), then the same vocabulary, then spelling similarity.
    """
    wanted = local.lower()
    scored = []
    for space, name in _candidates(vocabulary):
        if space == namespace and name == exclude:
            continue
        ratio = difflib.SequenceMatcher(None, wanted, name.lower()).ratio()
        if ratio < 0.6:
            continue
        kind_fits = used_as == "any" or _local_kind(space, name) == used_as
        scored.append(((name.lower() == wanted, kind_fits, space == namespace, ratio), space, name))
    scored.sort(key=lambda item: item[0], reverse=True)
    best = max((score[3] for score, _, _ in scored), default=0.0)
    found: list[str] = []
    for score, space, name in scored:
        if not score[0] and (score[3] < best - 0.1 or (space != namespace and score[3] < 0.75)):
            continue  # far from the best guess, or a loose match in another vocabulary: noise
        prefix = _PREFIXES.get(space)
        shown = f"{prefix}:{name}" if prefix else f"<{space}{name}>"
        if shown not in found:
            found.append(shown)
    return found[:limit]
