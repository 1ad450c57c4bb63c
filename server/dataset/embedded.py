"""The dataset behind every view: an Oxigraph store with one named graph per source file.

Oxigraph parses and queries 10-20x faster than rdflib's Memory store (measured in
``../shared/docs/tech.md``); rdflib graphs are derived from it where rdflib's API is
needed (pages, validation), never copied per request.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from server.namespaces import PREFIXES


class DatasetError(Exception):
    """A source file of the dataset could not be loaded."""


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file of the dataset and the named graph that holds its triples."""

    path: Path
    graph: str
    kind: str  # "data", "ontology" or "shapes"


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


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def discover_sources(
    base_iri: str, ontology_dir: str, shapes_dir: str, data_dirs: Iterable[str]
) -> list[SourceFile]:
    """List the Turtle files of the dataset with the named graph each one goes to.

    Data files go to ``<base>graph/<file stem>``; the ontology to ``<base>graph/ontology``
    and the shapes to ``<base>graph/shapes`` (suffixed by the stem when there are several).
    """
    sources: list[SourceFile] = []
    for kind, folder in (("ontology", ontology_dir), ("shapes", shapes_dir)):
        files = sorted(Path(folder).glob("*.ttl"))
        for path in files:
            suffix = "" if len(files) == 1 else f"/{path.stem}"
            sources.append(SourceFile(path, f"{base_iri}graph/{kind}{suffix}", kind))
    seen: dict[str, Path] = {}
    for folder in data_dirs:
        if not Path(folder).is_dir():
            raise DatasetError(f"data folder not found: {folder}")
        for path in sorted(Path(folder).rglob("*.ttl")):
            graph = f"{base_iri}graph/{path.stem}"
            if graph in seen or path.stem in ("ontology", "shapes"):
                raise DatasetError(f"two data files would share the graph {graph}: {path}")
            seen[graph] = path
            sources.append(SourceFile(path, graph, "data"))
    return sources


def fingerprint(sources: Iterable[SourceFile]) -> str:
    """Hash the names, sizes and modification times of the source files."""
    digest = hashlib.sha256()
    for source in sources:
        stat = source.path.stat()
        digest.update(f"{source.path.resolve()}|{source.graph}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class QueryableStore:
    """What every backend offers: SPARQL ``query()`` returning pyoxigraph result objects, and helpers on top.

    Subclasses implement :meth:`query`; everything else (rows, graphs, statistics) is derived from it,
    so the embedded store and an external SPARQL service behave the same for pages and validation.
    """

    sources: list[SourceFile]
    base_iri: str

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

    def query(self, sparql: str, **options):
        """Run a SPARQL query over the union of all graphs; return pyoxigraph's result object."""
        raise NotImplementedError

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


class GraphStore(QueryableStore):
    """The embedded backend: a read-only Oxigraph store loaded once at start-up."""

    def __init__(self, sources: list[SourceFile], base_iri: str, store_path: str | None = None):
        super().__init__()
        self.sources = sources
        self.base_iri = base_iri
        self.store = self._open(store_path)

    def _open(self, store_path: str | None) -> ox.Store:
        if store_path is None:
            store = ox.Store()
            self._load_into(store)
            return store
        folder = Path(store_path)
        stamp = folder / "ptce-fingerprint.txt"
        expected = fingerprint(self.sources)
        if not (stamp.is_file() and stamp.read_text() == expected):
            stamp.unlink(missing_ok=True)
            writer = ox.Store(str(folder))
            writer.clear()
            self._load_into(writer)
            writer.flush()
            del writer  # releases the lock: every process then opens the store read-only
            stamp.write_text(expected)
        return ox.Store.read_only(str(folder))

    def _load_into(self, store: ox.Store) -> None:
        for source in self.sources:
            try:
                store.bulk_load(
                    path=str(source.path),
                    format=ox.RdfFormat.TURTLE,
                    base_iri=source.path.resolve().as_uri(),
                    to_graph=ox.NamedNode(source.graph),
                )
            except SyntaxError as error:
                raise DatasetError(f"{source.path}: {error}") from error

    def query(self, sparql: str, **options):
        """Run a SPARQL query over the union of all graphs; return pyoxigraph's result object."""
        options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, prefixes=PREFIXES, **options)

    def __len__(self) -> int:
        return len(self.store)


def load_store(config) -> QueryableStore:
    """Build the store from an app config mapping (BASE_IRI, *_DIR(S), STORE_PATH, SPARQL_BACKEND_*)."""
    sources = discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    )
    if config.get("SPARQL_BACKEND_URL"):
        from server.dataset.loader import backend_auth
        from server.dataset.remote import RemoteStore

        timeout = float(config.get("SPARQL_BACKEND_TIMEOUT") or 30.0)
        return RemoteStore(
            sources, config["BASE_IRI"], config["SPARQL_BACKEND_URL"], timeout, backend_auth(config)
        )
    return GraphStore(sources, config["BASE_IRI"], config.get("STORE_PATH"))


def init_app(app) -> None:
    """Load the dataset once and keep it in ``app.extensions["ptce"]``."""
    app.extensions["ptce"] = load_store(app.config)


def get_store(app=None) -> GraphStore:
    """Return the store of the given app, or of the current app."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["ptce"]
