"""A page's neighbourhood fetched from an external engine in one or two queries, queried locally (Flask-free).

Every block of a page (describe, profile, citations, map) runs its own small SPARQL queries. On the embedded
store each is a function call; on an external engine each is an HTTP round trip (38 for a pole page). For a
store whose ``page_views`` is true, :func:`page_store` instead fetches every quad those queries can read into
a small in-memory Oxigraph store, and the page's unchanged queries run there: one code path for both
backends. Quads (``SELECT ?g ?s ?p ?o``), not a CONSTRUCT: the editorial characteristics are read from their
named graph, and a triple held by two graphs counts twice on the embedded store too.

For a resource ``r``, the first query (:func:`own_query`) fetches in full ``r``, the subjects linking to it
(at most ``cap`` + 1), its ``org:hasMembership`` nodes and its blank nodes, and the territories above its
places (three levels of ``igeo:subdivisionDirecte``, with their types and labels). The second one
(:func:`context_query`) fetches the *context* of every IRI those quads mention (types, labels, coordinates,
location, ``dcterms:isPartOf``, ``rdfs:subClassOf``, what a citation shows) and the labels, types,
coordinates and super-classes of the IRIs that context points to. The context of an IRI is the same on every
page, so it is kept (per store: a reloaded dataset starts afresh) and asked only for IRIs not seen yet.

When that cannot be the whole answer (a hub with more than ``cap`` links, a territory with subdivisions,
whose related poles are found through ``igeo:subdivisionDirecte+``, blank nodes nested deeper), the page
queries the engine directly, as before.
"""

from __future__ import annotations

import pyoxigraph as ox

from server.dataset.base import QueryableStore
from server.namespaces import PREFIXES

#: Properties read of every IRI the described triples mention.
CONTEXT = (
    "rdf:type skos:prefLabel rdfs:label schema:name igeo:nom dcterms:title geo:lat geo:long schema:location "
    "dcterms:isPartOf rdfs:subClassOf dcterms:publisher schema:publisher dcterms:date dcterms:issued "
    "schema:datePublished schema:legislationDate schema:url"
).split()
#: Properties read of the IRIs that context points to (members' places, categories, publishers...).
FAR_CONTEXT = (
    "rdf:type skos:prefLabel rdfs:label schema:name igeo:nom dcterms:title geo:lat geo:long rdfs:subClassOf"
)
PLACE_CONTEXT = "rdf:type skos:prefLabel rdfs:label schema:name igeo:nom dcterms:title"
SUBDIVISION = "igeo:subdivisionDirecte"
ORG_MEMBERSHIP = PREFIXES["org"] + "hasMembership"
#: IRIs whose context is kept between pages (per store: a reloaded dataset starts afresh).
CONTEXT_CACHE_SIZE = 5000


def _in(variable: str, curies) -> str:
    curies = curies.split() if isinstance(curies, str) else curies
    return f"FILTER(?{variable} IN ({', '.join(curies)}))"


def own_query(iri: str, cap: int) -> str:
    """The first query: every quad of r, of the first ``cap`` + 1 subjects linking to it, of its memberships
    and blank nodes, and the territories above its places (three levels) with their types and labels.

    Every pattern is inside ``GRAPH``, so the answer does not depend on what an engine's default graph is.
    """
    r = str(ox.NamedNode(iri))
    places = (
        f"{{ GRAPH ?h0 {{ {r} schema:location|dcterms:spatial ?c0 }} }} UNION "
        f"{{ GRAPH ?h0 {{ {r} schema:location ?l0 }} GRAPH ?h1 {{ ?l0 dcterms:isPartOf ?c0 }} }}"
    )
    branches = [
        f"GRAPH ?g {{ {r} ?p ?o }} BIND({r} AS ?s)",
        f"{{ SELECT DISTINCT ?s WHERE {{ GRAPH ?gi {{ ?s ?in {r} }} }} LIMIT {cap + 1} }} "
        "GRAPH ?g { ?s ?p ?o }",
        f"GRAPH ?gm {{ {r} org:hasMembership ?s }} GRAPH ?g {{ ?s ?p ?o }}",
        f"GRAPH ?gb {{ {r} ?x ?s FILTER isBlank(?s) }} GRAPH ?g {{ ?s ?p ?o }}",
    ]
    for level in range(3):  # ?s: the territories one level above ?c{level}
        steps = " ".join(f"GRAPH ?k{i} {{ ?c{i + 1} {SUBDIVISION} ?c{i} }}" for i in range(level))
        branches.append(
            f"{{ {places} }} {steps} GRAPH ?g {{ ?s {SUBDIVISION} ?c{level} }} "
            f"BIND({SUBDIVISION} AS ?p) BIND(?c{level} AS ?o)"
        )
        branches.append(
            f"{{ {places} }} {steps} GRAPH ?k {{ ?s {SUBDIVISION} ?c{level} }} "
            f"GRAPH ?g {{ ?s ?p ?o {_in('p', PLACE_CONTEXT)} }}"
        )
    union = "\n  UNION ".join(f"{{ {branch} }}" for branch in branches)
    return f"SELECT DISTINCT ?g ?s ?p ?o WHERE {{\n  {union}\n}}"


def context_query(iris: list[str]) -> str:
    """The second query: the context of IRIs (``?b``), and the context of the IRIs that context points to."""
    values = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    return f"""SELECT DISTINCT ?b ?g ?s ?p ?o WHERE {{ VALUES ?b {{ {values} }}
  {{ GRAPH ?g {{ ?b ?p ?o {_in("p", CONTEXT)} }} BIND(?b AS ?s) }}
  UNION {{ GRAPH ?q {{ ?b ?bp ?s {_in("bp", CONTEXT)} FILTER isIRI(?s) }}
           GRAPH ?g {{ ?s ?p ?o {_in("p", FAR_CONTEXT)} }} }} }}"""


class PageView(QueryableStore):
    """The neighbourhood of one resource in an in-memory Oxigraph store, with the origin's settings."""

    def __init__(self, origin: QueryableStore, quads: list[ox.Quad], complete: bool = True):
        super().__init__()
        self.origin, self.sources, self.base_iri = origin, origin.sources, origin.base_iri
        self.complete = complete  # whether every page query about the resource has its whole answer here
        self.store = ox.Store()
        self.store.extend(quads)  # keeps the engine's blank node labels

    def query(self, sparql: str, **options):
        """Run a SPARQL query on the neighbourhood (union default graph, like the embedded store)."""
        options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, prefixes=PREFIXES, **options)

    def memo(self, key: object, compute):
        """Dataset-wide values are the origin's."""
        return self.origin.memo(key, compute)

    def rdflib_graph(self, kinds: tuple[str, ...] = ("data", "ontology")):
        """Whole graphs (the ontology, for property labels) are the origin's."""
        return self.origin.rdflib_graph(kinds)


def _closed(node: ox.NamedNode, quads: list[ox.Quad], linking: set, cap: int) -> tuple[bool, set]:
    """Tell whether the first query holds every answer about ``node``; also return the nodes it describes.

    Not when more than ``cap`` subjects link to it or it has more than ``cap`` memberships (the lists of hubs
    are cut in the engine's order), when it has subdivisions (its related poles are found through
    ``igeo:subdivisionDirecte+``), or when a blank node lies deeper than one level.
    """
    own = {(q.predicate, q.object) for q in quads if q.subject == node}
    memberships = {o for p, o in own if p.value == ORG_MEMBERSHIP}
    described = {node, *linking, *memberships} | {o for _, o in own if isinstance(o, ox.BlankNode)}
    deeper = any(
        isinstance(q.object, ox.BlankNode) and q.object not in described
        for q in quads
        if q.subject in described
    )
    subdivided = any(p.value == PREFIXES["igeo"] + "subdivisionDirecte" for p, _ in own)
    return len(linking) <= cap and len(memberships) <= cap and not subdivided and not deeper, described


def fetch_view(store: QueryableStore, iri: str, cap: int) -> PageView:
    """Fetch the neighbourhood of ``iri`` from ``store`` in two queries (the second one only for IRIs whose
    context is not yet known)."""
    node, ours = ox.NamedNode(iri), {source.graph for source in store.sources}
    rows = store.select_in_graphs(own_query(iri, cap))
    raw = [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]
    linking = {q.subject for q in raw if q.object == node}  # in any graph: the LIMIT counted them all
    quads = [q for q in raw if q.graph_name.value in ours]
    complete, described = _closed(node, quads, linking, cap)
    mentioned = {q.predicate.value for q in quads} | {
        q.object.value for q in quads if isinstance(q.object, ox.NamedNode)
    }
    mentioned -= {term.value for term in described if isinstance(term, ox.NamedNode)}
    known: dict[str, list[ox.Quad]] = store.memo(("page-view-context",), dict)
    context = {iri: known.get(iri) for iri in mentioned}  # read once: another page may empty the cache
    missing = sorted(iri for iri, quads in context.items() if quads is None)
    if missing and complete:
        found: dict[str, list[ox.Quad]] = {iri: [] for iri in missing}
        for row in store.select_in_graphs(context_query(missing)):
            if row["g"].value in ours:
                found[row["b"].value].append(ox.Quad(row["s"], row["p"], row["o"], row["g"]))
        if len(known) > CONTEXT_CACHE_SIZE:
            known.clear()
        known.update(found)
        context.update(found)
    quads += [quad for found in context.values() for quad in found or ()]
    return PageView(store, quads, complete)


def view_cap(page_list_limit: int, map_point_limit: int) -> int:
    """Return the most links in (or memberships) a view may hold: then no list of the page is ever cut, so
    no engine's order shows (members and poles are at most 2 and 1 per link, the map adds the resource).

    >>> view_cap(200, 1000)
    100
    """
    return max(0, min(page_list_limit // 2, (map_point_limit - 1) // 3))


def page_store(store: QueryableStore, iri: str, cap: int) -> QueryableStore:
    """Return where a page about ``iri`` should run its queries: a view of a remote store fetched in at most
    two queries when it holds every answer, else the store itself. ``cap``: most links in or out of a view."""
    if not store.page_views:
        return store
    try:
        ox.NamedNode(iri)
    except ValueError:
        return store
    view = fetch_view(store, iri, cap)
    return view if view.complete else store
