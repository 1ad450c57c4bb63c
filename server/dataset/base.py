"""The store interface every backend offers (SPARQL ``query()`` plus helpers), and its plain errors."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from server.dataset.sources import SourceFile
from server.namespaces import PREFIXES


class BackendError(Exception):
    """The SPARQL engine is unreachable, too slow, or failed (the web layer answers 503)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BackendQueryError(BackendError):
    """The engine (or its client) refused the query itself (the web layer answers 400)."""


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Convert a pyoxigraph term to the equal rdflib term.

    >>> to_rdflib(ox.Literal("Dijon", language="fr"))
    rdflib.term.Literal('Dijon', lang='fr')
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


class QueryableStore(ABC):
    """What every backend offers: SPARQL ``query()`` returning pyoxigraph result objects, and helpers on top.

    Subclasses implement :meth:`query`; everything else (rows, graphs, statistics) is derived from it,
    so the embedded store and an external SPARQL service behave the same for pages and validation.
    """

    sources: list[SourceFile]
    base_iri: str
    #: Whether pages should fetch their neighbourhood in one query and run their own queries on it
    #: (``server.web.page_view``): worth it when each query is a round trip to another server.
    page_views = False

    def __init__(self) -> None:
        self._rdflib_graphs: dict[tuple[str, ...], Graph] = {}
        self._memo: dict[object, object] = {}
        self._lock = threading.Lock()

    def memo(self, key: object, compute):
        """Return ``compute()``, computed once per key: the dataset is read-only while it is served."""
        if key not in self._memo:
            value = compute()
            with self._lock:
                self._memo.setdefault(key, value)
        return self._memo[key]

    @abstractmethod
    def query(self, sparql: str, **options):
        """Run a SPARQL query over the union of all graphs; return pyoxigraph's result object."""

    def select_in_graphs(self, sparql: str):
        """Run a SELECT query whose patterns are all inside ``GRAPH ?g`` clauses; return its solutions.

        An external engine may answer from every graph it holds: callers keep the graphs of the dataset.
        """
        return self.query(sparql)

    def select(self, sparql: str, **options) -> list[dict[str, Node]]:
        """Run a SELECT query and return its rows as dicts of rdflib terms (unbound keys left out)."""
        result = self.query(sparql, **options)
        names = [variable.value for variable in result.variables]
        return [{name: to_rdflib(row[name]) for name in names if row[name] is not None} for row in result]

    def ask(self, sparql: str) -> bool:
        """Run an ASK query."""
        return bool(self.query(sparql))

    def construct(self, sparql: str, into: Graph | None = None, **options) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query; return its triples in an rdflib Graph (``into`` if given)."""
        graph = into
        if graph is None:
            graph = Graph()
            for prefix, namespace in PREFIXES.items():
                graph.bind(prefix, namespace)
        for triple in self.query(sparql, **options):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def rdflib_graph(self, kinds: tuple[str, ...] = ("data", "ontology")) -> Graph:
        """Return (and cache) one rdflib Graph holding the union of the graphs of the given kinds."""
        with self._lock:
            if kinds not in self._rdflib_graphs:
                graphs = " ".join(f"<{s.graph}>" for s in self.sources if s.kind in kinds)
                self._rdflib_graphs[kinds] = self.construct(
                    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"
                )
            return self._rdflib_graphs[kinds]

    def graph_sizes(self) -> dict[str, int]:
        """Return the number of triples in each named graph."""
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(rows))["n"].value)
