"""Sources as citations: title, publisher or site, date and link of each dcterms:source (Flask-free)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from server.dataset.base import QueryableStore
from server.web.labels import pick_literal
from server.web.wording import date_in_words

# FILTER IN, not a second VALUES (see describe.LABELS): one query for all cited sources.
CITATIONS = """SELECT ?s ?p ?o ?pl WHERE { VALUES ?s { %s }
  ?s ?p ?o FILTER(?p IN (dcterms:title, rdfs:label, schema:name, dcterms:publisher, schema:publisher,
                         dcterms:date, dcterms:issued, schema:datePublished, schema:legislationDate,
                         schema:url))
  OPTIONAL { ?o rdfs:label|schema:name|skos:prefLabel ?pl } }"""
TITLES = (
    "http://purl.org/dc/terms/title",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "https://schema.org/name",
)
PUBLISHERS = ("http://purl.org/dc/terms/publisher", "https://schema.org/publisher")
DATES = (
    "http://purl.org/dc/terms/date",
    "http://purl.org/dc/terms/issued",
    "https://schema.org/datePublished",
    "https://schema.org/legislationDate",
)


@dataclass
class Citation:
    """One numbered source: what it is called, who published it, when, and where to read it."""

    number: int
    iri: str
    title: str | None
    site: str
    path: str
    publisher: str | None
    date: str | None
    href: str | None


def site_and_path(iri: str) -> tuple[str, str]:
    """Return the host (without www.) and the readable path of a web address.

    >>> site_and_path("https://www.ess-bfc.org/node/3692?x=1")
    ('ess-bfc.org', '/node/3692?x=1')
    """
    parts = urlsplit(iri)
    path = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
    return (parts.hostname or "").removeprefix("www."), path or "/"


class CitationList:
    """Number sources in the order they are first cited, and describe them all with one query."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cite(self, sources: Iterable[Node]) -> list[int]:
        """Return the numbers of these sources (numbering the new ones)."""
        found = []
        for source in sorted({str(s) for s in sources if isinstance(s, URIRef)}):
            found.append(self.numbers.setdefault(source, len(self.numbers) + 1))
        return sorted(found)

    def build(self, store: QueryableStore, lang: str, linker) -> list[Citation]:
        """Return the citations, in number order, with their titles, publishers and dates from the store."""
        if not self.numbers:
            return []
        values = " ".join(str(ox.NamedNode(iri)) for iri in self.numbers)
        found: dict[str, dict[str, list[Node]]] = {}
        for row in store.select(CITATIONS % values):
            value = row.get("pl") if isinstance(row["o"], URIRef) and row.get("pl") is not None else row["o"]
            found.setdefault(str(row["s"]), {}).setdefault(str(row["p"]), []).append(value)
        return [
            _citation(number, iri, found.get(iri, {}), lang, linker)
            for iri, number in sorted(self.numbers.items(), key=lambda item: item[1])
        ]


def _first(by_property: dict[str, list[Node]], properties: tuple[str, ...], lang: str) -> Literal | None:
    for prop in properties:
        literal = pick_literal(by_property.get(prop, []), lang)
        if literal is not None:
            return literal
    return None


def _citation(number: int, iri: str, by_property: dict[str, list[Node]], lang: str, linker) -> Citation:
    title = _first(by_property, TITLES, lang)
    publisher = _first(by_property, PUBLISHERS, lang)
    dated = _first(by_property, DATES, lang)
    urls = [u for u in by_property.get("https://schema.org/url", []) if isinstance(u, URIRef)]
    site, path = site_and_path(str(urls[0]) if urls else iri)
    return Citation(
        number=number,
        iri=iri,
        title=str(title) if title is not None else None,
        site=site,
        path=path,
        publisher=str(publisher) if publisher is not None else None,
        date=date_in_words(dated, lang) if dated is not None else None,
        href=linker.href(iri),
    )
