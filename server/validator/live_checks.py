"""Checks against the live dataset: dangling links, likely duplicates, and what the file would add."""

from __future__ import annotations

from collections import Counter

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef

from server.namespaces import PTCE, SCHEMA, SH, curie
from server.validator.linemap import LineMap
from server.validator.messages import text
from server.validator.report import ChangedValue, Problem, Summary

#: Properties that point at documents or vocabularies rather than at resources described in the dataset.
_NOT_LINKS = {RDF.type}


def label_of(node, graphs: tuple[Graph, ...], lang: str) -> str | None:
    """The node's rdfs:label (or skos:prefLabel) in ``lang`` if any, else any label, from ``graphs``."""
    from rdflib.namespace import SKOS

    labels = [
        label
        for graph in graphs
        for p in (RDFS.label, SKOS.prefLabel)
        for label in graph.objects(node, p)
        if isinstance(label, Literal)
    ]
    for wanted in (lang, None, "fr", "en"):
        for label in labels:
            if label.language == wanted:
                return str(label)
    return str(labels[0]) if labels else None


def dangling_links(
    contribution: Graph, live: Graph, linemap: LineMap, base_iri: str, lang: str, known: Graph | None = None
) -> list[Problem]:
    """Warn about IRIs under our base that are linked to but exist neither in the file, the dataset nor
    ``known`` (what the validator vouches for, such as official communes); once per IRI, at its first link
    in the file (not the first the graph happens to yield: the same report from one run to the next)."""
    first: dict[URIRef, tuple] = {}
    skip = (str(PTCE._NS), f"{base_iri}graph/", f"{base_iri}shapes")
    for subject, predicate, obj in contribution:
        if predicate in _NOT_LINKS or not isinstance(obj, URIRef):
            continue
        iri = str(obj)
        if not iri.startswith(base_iri) or iri.startswith(skip):
            continue
        if obj not in first and (
            (obj, None, None) in contribution
            or (obj, None, None) in live
            or (known and (obj, None, None) in known)
        ):
            continue
        line, column = linemap.value(subject, predicate, obj) or (None, None)
        place = (line or 10**9, column or 0, str(subject), str(predicate), line, column, subject, predicate)
        first[obj] = min(first.get(obj, place), place)
    problems = []
    for obj, (*_, line, column, subject, predicate) in first.items():
        problems.append(
            Problem(
                "Warning",
                "link",
                text("dangling_link", lang, value=curie_or_iri(str(obj), base_iri)),
                line,
                column,
                focus=subject.n3(),
                path=predicate.n3(),
                value=obj.n3(),
                focus_label=label_of(subject, (contribution,), lang),
                hint=text("dangling_hint", lang),
            )
        )
    return problems


def curie_or_iri(iri: str, base_iri: str) -> str:
    """Short display form of an IRI: a prefixed name, or the path under our base."""
    short = curie(iri)
    return short if not short.startswith("<") else f"<{iri}>"


def short_name(node: URIRef, graph: Graph) -> str:
    """A prefixed name with the file's own prefixes (``ms:articulteurs--cine-manivel``), else ours."""
    try:
        prefix, namespace, local = graph.namespace_manager.compute_qname(str(node), generate=False)
    except (KeyError, ValueError):
        return curie(str(node))
    return f"{prefix}:{local}" if prefix else curie(str(node))


def _normal(label: Literal) -> str:
    return " ".join(str(label).casefold().split())


def likely_duplicates(contribution: Graph, live: Graph, linemap: LineMap, lang: str) -> list[Problem]:
    """Warn about new resources with the same name and town as an existing resource with another IRI.

    Only the resources of the towns the file names are read, so the cost does not grow with the dataset.
    """
    problems = []
    for subject, town in contribution.subject_objects(SCHEMA.location):
        if (subject, None, None) in live:
            continue
        neighbours: dict[str, set] = {}
        for existing in live.subjects(SCHEMA.location, town):
            for existing_label in live.objects(existing, RDFS.label):
                neighbours.setdefault(_normal(existing_label), set()).add(existing)
        for label in contribution.objects(subject, RDFS.label):
            for existing in sorted(neighbours.get(_normal(label), set()) - {subject}):
                line, column = linemap.node(subject) or (None, None)
                values = {
                    "focus": curie_or_iri(str(subject), ""),
                    "existing": f"<{existing}>",
                    "label": str(label),
                }
                problems.append(
                    Problem(
                        "Warning",
                        "duplicate",
                        text("duplicate", lang, **values),
                        line,
                        column,
                        focus=subject.n3(),
                        focus_label=str(label),
                        value=existing.n3(),
                        hint=text("duplicate_hint", lang, existing=f"<{existing}>"),
                    )
                )
                break
    return problems


def single_valued_properties(shapes: Graph) -> set:
    """Properties that a shape limits to one value (sh:maxCount 1 on a simple path)."""
    found = set()
    for shape in shapes.subjects(SH.maxCount, Literal(1)):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef):
            found.add(path)
    return found


def summarise(contribution: Graph, live: Graph, shapes: Graph, linemap: LineMap, lang: str) -> Summary:
    """Count new resources by class and new triples; list single values the file would change."""
    new_subjects = {s for s in set(contribution.subjects()) if (s, None, None) not in live}
    classes = Counter(curie(str(cls)) for s in new_subjects for cls in contribution.objects(s, RDF.type))
    new_triples = sum(  # a triple of a new resource is new: the live graph is asked about the others only
        1
        for t in contribution
        if t[0] in new_subjects or any(isinstance(n, BNode) for n in t) or t not in live
    )
    changed = []
    for predicate in sorted(single_valued_properties(shapes)):
        for subject in sorted(set(contribution.subjects(predicate)) - new_subjects):
            old = set(live.objects(subject, predicate))
            new = set(contribution.objects(subject, predicate))
            if old and new and old != new:
                line = (linemap.value(subject, predicate, next(iter(new))) or (None,))[0]
                changed.append(
                    ChangedValue(
                        subject.n3(),
                        label_of(subject, (contribution, live), lang),
                        predicate.n3(),
                        ", ".join(sorted(o.n3() for o in old)),
                        ", ".join(sorted(n.n3() for n in new)),
                        line,
                    )
                )
    return Summary(len(contribution), new_triples, tuple(sorted(classes.items())), tuple(changed))
