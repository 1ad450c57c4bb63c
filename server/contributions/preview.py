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
