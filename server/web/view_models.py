"""View models for the HTML pages: values by label, grouped properties, incoming links (Flask-free)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD
from rdflib.term import Node
from werkzeug.urls import iri_to_uri

from server.languages import LANGUAGES
from server.namespaces import GEO, IGEO, ORG, PTCE, SCHEMA
from server.web.labels import property_label, resource_label
from server.web.wording import literal_in_words

#: Property groups in display order; properties not listed fall in "relations" (IRIs) or "identity".
GROUPS: dict[str, tuple[tuple[str, str], list[URIRef]]] = {
    "identity": (
        ("Identité", "Identity"),
        [
            RDF.type,
            RDFS.label,
            SKOS.prefLabel,
            SKOS.altLabel,
            SCHEMA.name,
            IGEO.nom,
            DCTERMS.title,
            DCTERMS.description,
            SKOS.definition,
            RDFS.comment,
            SCHEMA.url,
            SCHEMA.foundingDate,
            DCTERMS.date,
            SCHEMA.startDate,
            SCHEMA.endDate,
            IGEO.codeINSEE,
            PTCE.siren,
            SCHEMA.legislationIdentifier,
            SCHEMA.legislationDate,
        ],
    ),
    "place": (
        ("Lieu", "Place"),
        [SCHEMA.location, DCTERMS.spatial, GEO.lat, GEO.long, IGEO.subdivisionDirecte],
    ),
    "relations": (
        ("Relations", "Relations"),
        [
            PTCE.characteristic,
            PTCE.sector,
            ORG.hasMembership,
            ORG.organization,
            ORG.member,
            ORG.role,
            PTCE.pilot,
            PTCE.laureate,
            PTCE.legalBasis,
            SKOS.inScheme,
            SKOS.topConceptOf,
            SKOS.hasTopConcept,
        ],
    ),
}
HIDDEN = {DCTERMS.source}
MAX_DEPTH = 4


@dataclass
class Value:
    """One RDF term ready for a template: text, optional safe link, language, datatype, nested rows."""

    text: str
    href: str | None = None
    kind: str = "iri"
    iri: str | None = None
    lang: str | None = None
    datatype: str | None = None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Row:
    """A property with its label, its own link and its values."""

    label: str
    href: str | None
    iri: str
    values: list[Value]
    more: int = 0  # values left out of the page (the RDF document has them)


#: Characters no linked IRI may hold: C0 and C1 controls, DEL (browsers drop tabs and newlines from URLs,
#: so ``/\t/evil.example`` would be followed as ``//evil.example``).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Path segments browsers read as "." or ".." (WHATWG URL: %2e counts as a dot).
_DOT_SEGMENTS = {".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"}


def local_path(iri: str, base: str) -> str | None:
    """The path on this site of an IRI under ``base``, or None when it is not one that stays on the site.

    The path starts with a single ``/`` followed by anything but ``/`` or ``\\``; it holds no dot segment,
    no backslash and no control character (``<base>/evil.example/x`` would become ``//evil.example/x``,
    a link to another host).

    >>> local_path("https://w3id.org/ptce/id/pole/café", "https://w3id.org/ptce/")
    '/id/pole/caf%C3%A9'
    >>> local_path("https://w3id.org/ptce//evil.example/login", "https://w3id.org/ptce/") is None
    True
    """
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if rest.startswith("/") or "\\" in rest or _CONTROL.search(rest):
        return None
    path_part = re.split(r"[?#]", rest, maxsplit=1)[0]
    if any(segment.lower() in _DOT_SEGMENTS for segment in path_part.split("/")):
        return None
    path = "/" + iri_to_uri(rest)
    if path[1:2] in ("/", "\\"):  # what iri_to_uri left must not start a network path either
        return None
    return path


class Linker:
    """Map IRIs to links: our base IRIs to local paths on this server, other http(s) IRIs as they are."""

    def __init__(self, base: str):
        self.base = base

    def href(self, iri: str) -> str | None:
        """Return a safe href for an IRI, or None when it must not become a link (javascript:, data:...).

        An IRI under the base whose path would leave the site (``<base>/evil.example``, dot segments,
        backslashes) is linked as the full IRI it is, never as a local path.

        >>> Linker("https://w3id.org/ptce/").href("https://w3id.org/ptce/id/pole/café")
        '/id/pole/caf%C3%A9'
        >>> Linker("https://w3id.org/ptce/").href("https://w3id.org/ptce//evil.example/login")
        'https://w3id.org/ptce//evil.example/login'
        >>> Linker("https://w3id.org/ptce/").href("javascript:alert(1)") is None
        True
        """
        local = local_path(iri, self.base)
        if local is not None:
            return local
        if _CONTROL.search(iri):
            return None
        parts = urlsplit(iri)
        if (
            parts.scheme.lower() in ("http", "https")
            and parts.netloc
            and iri[len(parts.scheme) + 1 :].startswith("//")
        ):
            return iri_to_uri(iri)
        return None


class ViewBuilder:
    """Turn an rdflib description graph into grouped rows of labelled, linked values."""

    def __init__(self, graph: Graph, ontology: Graph, linker: Linker, lang: str):
        self.graph, self.ontology, self.linker, self.lang = graph, ontology, linker, lang

    def value(self, node: Node, depth: int = 0) -> Value:
        """Return the view of one term (blank nodes expanded up to MAX_DEPTH)."""
        if isinstance(node, Literal):
            datatype = None
            if node.datatype and node.datatype != XSD.string:
                datatype = property_label(self.ontology, node.datatype, self.lang)
            text = literal_in_words(node, self.lang)
            return Value(text, kind="literal", lang=node.language, datatype=datatype)
        if isinstance(node, BNode):
            rows = self.rows(node, depth + 1) if depth < MAX_DEPTH else []
            return Value("…", kind="bnode", rows=rows)
        text = resource_label(self.graph, node, self.lang)
        return Value(text, href=self.linker.href(str(node)), iri=str(node))

    def row(self, prop: URIRef, values: list[Node], depth: int = 0) -> Row:
        """Return a row for a property and its values, values sorted by text."""
        views = sorted(  # ties broken by language and IRI: the same order on any store
            (self.value(v, depth) for v in values),
            key=lambda v: (v.kind, v.text.lower(), v.text, v.lang or "", v.datatype or "", v.iri or ""),
        )
        label = property_label(self.ontology, prop, self.lang)
        return Row(label, self.linker.href(str(prop)), str(prop), views)

    def rows(self, subject: Node, depth: int = 0, skip: set[URIRef] = HIDDEN) -> list[Row]:
        """Return the rows of a subject, properties in group order then by label."""
        by_property: dict[URIRef, list[Node]] = {}
        for prop, obj in self.graph.predicate_objects(subject):
            if prop not in skip:
                by_property.setdefault(prop, []).append(obj)
        rows = [self.row(prop, objs, depth) for prop, objs in by_property.items()]
        return sorted(rows, key=lambda r: (_rank(URIRef(r.iri)), r.label.lower()))

    def groups(self, subject: URIRef) -> list[dict]:
        """Return the subject's rows split into titled groups (identity, place, relations)."""
        index = LANGUAGES.index(self.lang)
        found: dict[str, list[Row]] = {name: [] for name in GROUPS}
        for row in self.rows(subject):
            found[_group_of(URIRef(row.iri), row.values)].append(row)
        return [{"key": k, "title": GROUPS[k][0][index], "rows": rows} for k, rows in found.items() if rows]

    def incoming(self, subject: URIRef, limit: int, counts: dict[URIRef, int] | None = None) -> list[Row]:
        """Return rows 'value --property--> subject' grouped by property (named subjects, ``limit`` each).

        ``counts`` gives the full number of links per property when the graph holds only a sample.
        """
        by_property: dict[URIRef, list[Node]] = {}
        for source, prop in self.graph.subject_predicates(subject):
            if isinstance(source, URIRef) and prop != FOAF.primaryTopic:
                by_property.setdefault(prop, []).append(source)
        rows = []
        for prop, sources in by_property.items():
            row = self.row(prop, sorted(sources)[:limit])
            row.more = max(0, (counts or {}).get(prop, len(sources)) - len(row.values))
            rows.append(row)
        return sorted(rows, key=lambda r: r.label.lower())

    def sources(self, subject: URIRef) -> list[Value]:
        """Return the dcterms:source citations of the subject."""
        return sorted(
            (self.value(s) for s in self.graph.objects(subject, DCTERMS.source)), key=lambda v: v.text
        )

    def values(self, nodes: list[Node]) -> list[Value]:
        """Return views for a list of resources, sorted by label."""
        return sorted((self.value(n) for n in nodes), key=lambda v: v.text.lower())


def _rank(prop: URIRef) -> tuple[int, int]:
    for position, (_, members) in enumerate(GROUPS.values()):
        if prop in members:
            return position, members.index(prop)
    return len(GROUPS), 0


def _group_of(prop: URIRef, values: list[Value]) -> str:
    for name, (_, members) in GROUPS.items():
        if prop in members:
            return name
    return "relations" if any(v.kind != "literal" for v in values) else "identity"


def json_for_script(text: str) -> str:
    """Make JSON safe inside a <script> element: no '<', '>' or '&' survive (JSON escapes keep it valid).

    >>> json_for_script('{"a": "</script><!--"}')
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_json(points: list[dict], linker: Linker) -> str:
    """Return map points as script-safe JSON, each with a local href."""
    items = [dict(point, href=linker.href(point["iri"])) for point in points]
    return json_for_script(json.dumps(items, ensure_ascii=False))
