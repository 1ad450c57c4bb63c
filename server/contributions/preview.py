"""Preview of the pages a contribution would create or change: the web templates rendered over the live
graph plus the contribution (replaced single values removed), in a throw-away store."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef

from server.dataset.embedded import GraphStore
from server.dataset.sources import SourceFile


@dataclass(frozen=True)
class PagePreview:
    """One page as it would be after the contribution is accepted."""

    iri: str
    path: str
    new: bool
    html: str


class PreviewStore(GraphStore):
    """The live dataset plus one contribution, in memory (the live store is copied, never changed)."""

    def __init__(self, live, contribution: Graph, removed: list[tuple], base_iri: str):
        self._live, self._contribution, self._removed = live, contribution, removed
        graph = f"{base_iri}graph/contribution-preview"
        sources = [*live.sources, SourceFile(live.sources[0].path, graph, "data")]
        self._graph = graph
        super().__init__(sources, base_iri)

    def _open(self, store_path):
        store = ox.Store()
        live = getattr(self._live, "store", None)
        if isinstance(live, ox.Store):
            store.extend(live.quads_for_pattern(None, None, None, None))
        else:  # an external engine: the same files, read again
            self.sources = self.sources[:-1]
            self._load_into(store)
            self.sources.append(SourceFile(self.sources[0].path, self._graph, "data"))
        for triple in self._removed:
            for quad in list(store.quads_for_pattern(*(_ox(term) for term in triple), None)):
                store.remove(quad)
        target = ox.NamedNode(self._graph)
        store.extend(ox.Quad(_ox(s), _ox(p), _ox(o), target) for s, p, o in self._contribution)
        return store


def _ox(term):
    from rdflib import BNode, Literal

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
    raise TypeError(term)


def previewed_iris(contribution: Graph, live_store, base_iri: str, limit: int) -> list[tuple[str, bool]]:
    """The pages to preview: described resources under ``<base>id/``, new ones first, then changed ones."""
    subjects = sorted({str(s) for s in contribution.subjects() if isinstance(s, URIRef)})
    subjects = [s for s in subjects if s.startswith(f"{base_iri}id/")]
    from server.web.describe import resource_exists

    marked = [(iri, not resource_exists(live_store, iri)) for iri in subjects]
    kinds = ("/id/pole/", "/id/organisation/")
    marked.sort(
        key=lambda item: (
            not item[1],
            [k in item[0] for k in kinds].index(True) if any(k in item[0] for k in kinds) else 2,
            item[0],
        )
    )
    return marked[:limit]


def render_previews(app, contribution: Graph, removed: list[tuple], lang: str) -> list[PagePreview]:
    """Render each previewed page with the site's own templates, over live graph + contribution."""
    from server.dataset import get_store
    from server.web import rendering
    from server.web.describe import describe

    base = app.config["BASE_IRI"]
    live = get_store(app)
    store = PreviewStore(live, contribution, removed, base)
    shadow = copy.copy(app)  # the same app, but its pages read the preview store
    shadow.extensions = {**app.extensions, "ptce": store}
    previews = []
    for iri, new in previewed_iris(contribution, live, base, int(app.config["PREVIEW_PAGE_LIMIT"])):
        rest = iri[len(base) + len("id/") :]
        path = f"/doc/{rest}"
        with shadow.test_request_context(path, base_url="http://preview.invalid/"):
            graph = describe(store, iri, f"{base}doc/{rest}", f"{base}dataset", app.config["PAGE_LIST_LIMIT"])
            html = rendering.resource_page(graph, iri, lang, path)
        previews.append(PagePreview(iri, path, new, html))
    return previews


#: Lines of the diff on one page of the curator's review (``?page=``).
DIFF_PAGE_SIZE = 500
#: New resources listed by name in the review's summary (the rest are counted, and the page says so).
SUMMARY_NEW_LIMIT = 200


@dataclass(frozen=True)
class TouchedResource:
    """A resource the contribution describes: its name, classes, and for an existing one, its files."""

    iri: str
    label: str | None
    classes: tuple[str, ...]
    added: int
    removed: int = 0
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiffPage:
    """One page of the diff: its lines, where they sit in the whole diff, and how many pages there are."""

    lines: tuple[str, ...]
    number: int
    pages: int
    first: int
    last: int
    total: int


@dataclass(frozen=True)
class ReviewSummary:
    """What a contribution touches: new resources, changed existing ones (with the files that hold them)
    and the diff, changes to existing resources first, one page of it."""

    new: tuple[TouchedResource, ...]
    changed: tuple[TouchedResource, ...]
    diff: DiffPage
    new_shown: int = SUMMARY_NEW_LIMIT

    @property
    def other_files(self) -> tuple[str, ...]:
        """Every file other than the contribution's own that it changes."""
        return tuple(sorted({f for r in self.changed for f in r.files}))


def _line(triple, sign: str) -> str:
    return f"{sign} " + " ".join(t.n3() for t in triple)


def review_summary(
    contribution: Graph,
    live_graph: Graph,
    removed: list[tuple],
    store,
    base_iri: str,
    lang: str,
    page: int = 1,
) -> ReviewSummary:
    """The summary and one page of the diff for the curator's review of ``contribution``."""
    from rdflib import RDF, BNode

    from server.namespaces import curie
    from server.validator.live_checks import label_of

    added: dict = {}
    for triple in contribution:
        if any(isinstance(n, BNode) for n in triple) or triple not in live_graph:
            added.setdefault(triple[0], []).append(triple)
    gone: dict = {}
    for triple in removed:
        gone.setdefault(triple[0], []).append(triple)
    subjects = {s for s in set(contribution.subjects()) | set(gone) if isinstance(s, URIRef)}
    existing = {s for s in subjects if (s, None, None) in live_graph}
    files = resource_files(store, sorted(existing, key=str), base_iri)
    graphs = (contribution, live_graph)

    def resource(subject) -> TouchedResource:
        classes = {curie(str(c)) for g in graphs for c in g.objects(subject, RDF.type)}
        return TouchedResource(
            str(subject),
            label_of(subject, graphs, lang),
            tuple(sorted(classes)),
            len(added.get(subject, ())),
            len(gone.get(subject, ())),
            files.get(str(subject), ()),
        )

    changed = [resource(s) for s in sorted(existing, key=str) if added.get(s) or gone.get(s)]
    new = [resource(s) for s in sorted(subjects - existing, key=str)]
    first = sorted(_line(t, "-") for s in existing for t in gone.get(s, ()))
    first += sorted(_line(t, "+") for s in existing for t in added.get(s, ()))
    rest = sorted(_line(t, "+") for s, triples in added.items() if s not in existing for t in triples)
    return ReviewSummary(tuple(new), tuple(changed), page_of(first + rest, page))


def page_of(lines: list[str], number: int, size: int = DIFF_PAGE_SIZE) -> DiffPage:
    """Page ``number`` (from 1, brought within range) of ``lines``."""
    pages = max(1, -(-len(lines) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    shown = lines[start : start + size]
    return DiffPage(tuple(shown), number, pages, start + 1 if shown else 0, start + len(shown), len(lines))


def resource_files(store, iris: list, base_iri: str, batch: int = 200) -> dict[str, tuple[str, ...]]:
    """For each IRI, the dataset files that say something about it (``data/poles.ttl``,
    ``data/contributions/contribution-00007.ttl``, ``ontology/ptce.ttl``), from the named graphs."""
    by_graph = {source.graph: source.path for source in getattr(store, "sources", ())}
    found: dict[str, set[str]] = {}
    for start in range(0, len(iris), batch):
        values = " ".join(f"<{iri}>" for iri in iris[start : start + batch])
        rows = store.select(
            f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        for row in rows:
            path = by_graph.get(str(row["g"]))
            name = _file_name(path) if path is not None else str(row["g"]).removeprefix(f"{base_iri}graph/")
            found.setdefault(str(row["s"]), set()).add(name)
    return {iri: tuple(sorted(names)) for iri, names in found.items()}


def _file_name(path) -> str:
    """A source file's path from its folder (``data/poles.ttl``, ``data/contributions/contribution-1.ttl``),
    never the machine's absolute path."""
    from pathlib import Path

    path = Path(path)
    if path.parent.name == "contributions":
        return f"{path.parent.parent.name}/contributions/{path.name}"
    return f"{path.parent.name}/{path.name}"
