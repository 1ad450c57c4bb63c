"""The RDF document of a resource and the lists pages need, built with SPARQL on the store (Flask-free)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF
from rdflib.term import Node

from server.dataset.base import QueryableStore
from server.namespaces import ORG, PREFIXES, SD, VOID
from server.web.labels import LABEL_PROPERTIES, pick_literal

OUTGOING = "CONSTRUCT { ?r ?p ?o } WHERE { ?r ?p ?o }"
INCOMING = "CONSTRUCT { ?s ?p ?r } WHERE { ?s ?p ?r }"
INCOMING_COUNTS = "SELECT ?p (COUNT(?s) AS ?n) WHERE { ?s ?p ?r FILTER isIRI(?s) } GROUP BY ?p"
INCOMING_SAMPLE = "CONSTRUCT { ?s ?p ?r } WHERE { ?s ?p ?r FILTER isIRI(?s) } ORDER BY ?s LIMIT %d"
# Memberships (and blank nodes) that point to the resource are described in full, both ways.
LINKED_NODES = """CONSTRUCT { ?n ?p ?o } WHERE {
  { ?r org:hasMembership ?n } UNION { ?n org:member|org:organization ?r }
  UNION { ?n ?any ?r FILTER isBlank(?n) }
  ?n ?p ?o }"""
CONTEXT = """CONSTRUCT { ?x a ?t ; rdfs:label ?l ; skos:prefLabel ?pl ; schema:name ?n ; igeo:nom ?nom ;
                        dcterms:title ?title ; geo:lat ?lat ; geo:long ?long }
WHERE { VALUES ?x { %s }
  { ?x a ?t } UNION { ?x rdfs:label ?l } UNION { ?x skos:prefLabel ?pl } UNION { ?x schema:name ?n }
  UNION { ?x igeo:nom ?nom } UNION { ?x dcterms:title ?title } UNION { ?x geo:lat ?lat ; geo:long ?long } }"""
EXISTS = "ASK WHERE { { ?r ?p ?o } UNION { ?s ?p ?r } }"
# The resource is written into each branch ({r}) and the type is a FILTER: with a VALUES binding or a
# joined type pattern Oxigraph scans every pole first (4 ms a page at 1,000 poles, 40 ms at 10,000).
RELATED_POLES = """SELECT DISTINCT ?pole WHERE {{
  {{ ?pole ptce:characteristic|ptce:sector {r} }}
  UNION {{ {r} igeo:subdivisionDirecte+ ?place . ?pole schema:location|dcterms:spatial ?place }}
  UNION {{ ?pole schema:location|dcterms:spatial {r} }}
  FILTER EXISTS {{ ?pole a ptce:Pole }} }}"""
MEMBERS = """SELECT DISTINCT ?r ?member WHERE {
  { ?r org:hasMembership/org:member ?member } UNION { ?m org:organization ?r ; org:member ?member } }"""
COORDINATES = """SELECT ?x ?lat ?long WHERE { VALUES ?x { %s }
  { ?x geo:lat ?lat ; geo:long ?long } UNION
  { FILTER NOT EXISTS { ?x geo:lat ?any }
    ?x schema:location ?place . ?place geo:lat ?lat ; geo:long ?long } }"""
# FILTER IN, not a second VALUES: with two VALUES Oxigraph scans every label (55 ms at 10,000 poles).
LABELS = "SELECT ?x ?p ?l WHERE { VALUES ?x { %s } ?x ?p ?l FILTER(?p IN (%s)) }"
INSTANCES = "SELECT DISTINCT ?c ?x WHERE { ?x a ?c } ORDER BY ?x"
EXAMPLES = "SELECT ?p ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3"
#: The prefixes of every document (also the streamed ones, which cannot know in advance which are used).
DOCUMENT_PREFIXES = {**PREFIXES, "sd": str(SD), "foaf": str(FOAF)}
#: Incoming links are streamed in batches of about this many subjects, each with the context of its subjects.
INCOMING_BATCH = 1000
_TYPE = ox.NamedNode(str(RDF.type))
# The nodes LINKED_NODES describes, told apart as the streamed document reads the links around a resource.
_MEMBERSHIP = ox.NamedNode(str(ORG.hasMembership))
_MEMBERSHIP_LINKS = {ox.NamedNode(str(ORG.member)), ox.NamedNode(str(ORG.organization))}
FULL = "CONSTRUCT { ?n ?p ?o } WHERE { VALUES ?n { %s } ?n ?p ?o }"
# The context of every subject linking to ?r in one query (on an engine where each query is a round trip).
INCOMING_CONTEXT = CONTEXT.replace("WHERE { VALUES ?x { %s }", "WHERE { ?x ?link ?r .")


def _bound(sparql: str, **terms: Node) -> tuple[str, dict]:
    """Bind ``?name`` variables of a query to the given terms; return the query and the query options.

    IRIs are bound by a ``VALUES`` clause at the start of the WHERE block, so Oxigraph plans the query
    around them (a pyoxigraph substitution is applied after the plan: 130 ms instead of 0.3 ms for the
    linked-nodes query on 1,000 poles). Blank nodes cannot be written in a query: they are substituted.
    """
    iris = {name: term for name, term in terms.items() if isinstance(term, URIRef)}
    blanks = {ox.Variable(name): ox.BlankNode(str(term)) for name, term in terms.items() if name not in iris}
    if iris:
        values = " ".join(f"VALUES ?{name} {{ {ox.NamedNode(str(term))} }}" for name, term in iris.items())
        head, where, body = sparql.partition("WHERE {")
        sparql = f"{head}{where} {values} {body}"
    return sparql, ({"substitutions": blanks} if blanks else {})


def _construct(store: QueryableStore, sparql: str, graph: Graph, **terms: Node) -> None:
    """Add the triples of a CONSTRUCT query (with ``?name`` bindings) to ``graph``."""
    text, options = _bound(sparql, **terms)
    store.construct(text, into=graph, **options)


def _select(store: QueryableStore, sparql: str, **terms: Node) -> list[dict[str, Node]]:
    """Run a SELECT query with ``?name`` bindings; rows as dicts of rdflib terms."""
    text, options = _bound(sparql, **terms)
    return store.select(text, **options)


def _in_batches(written: list[str]) -> Iterator[str]:
    """Join written IRIs (``<…>``) into VALUES lists of at most :data:`INCOMING_BATCH` each (Virtuoso
    refuses a query with thousands of IRIs in VALUES: "Too many arguments ... in operator()")."""
    for start in range(0, len(written), INCOMING_BATCH):
        yield " ".join(written[start : start + INCOMING_BATCH])


def _written(iris: Iterable[Node]) -> list[str]:
    """Write IRIs (already valid: they come from the store) for a SPARQL VALUES list, sorted, once each."""
    return [f"<{iri}>" for iri in sorted({str(i) for i in iris if not isinstance(i, (BNode, Literal))})]


def _values(iris: Iterable[Node]) -> str:
    """Write IRIs as a SPARQL VALUES list."""
    return " ".join(_written(iris))


def valid_iri(iri: str) -> bool:
    """Tell whether a string is an IRI the store could hold (no spaces, quotes or angle brackets).

    >>> valid_iri("https://w3id.org/ptce/id/pole/café"), valid_iri("https://w3id.org/ptce/id/a b")
    (True, False)
    """
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def resource_exists(store: QueryableStore, iri: str) -> bool:
    """Tell whether the IRI is the subject or object of any triple."""
    if not valid_iri(iri):
        return False
    text, options = _bound(EXISTS, r=URIRef(iri))
    return bool(store.query(text, **options))


def new_graph() -> Graph:
    """Return an empty rdflib Graph with our prefixes bound."""
    graph = Graph()
    for prefix, namespace in DOCUMENT_PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _close_blank_nodes(store: QueryableStore, graph: Graph) -> None:
    """Add the full description of every blank node reachable from the graph's objects."""
    done: set[BNode] = set()
    todo = {o for o in graph.objects() if isinstance(o, BNode)}
    while todo:
        node = todo.pop()
        done.add(node)
        _construct(store, OUTGOING, graph, r=node)
        todo |= {o for o in graph.objects(node) if isinstance(o, BNode)} - done


def describe(
    store: QueryableStore,
    iri: str,
    document_iri: str | None = None,
    dataset_iri: str | None = None,
    incoming_limit: int | None = None,
) -> Graph:
    """Return the document of a resource: its triples, blank nodes in full, incoming links, context.

    The context is the types, labels and coordinates of every resource the document mentions, so a
    client can display it without a second request. ``document_iri`` gets ``foaf:primaryTopic`` and
    ``void:inDataset``. ``incoming_limit`` keeps that many incoming links per property (for HTML pages
    of hubs); their full numbers are then given as ``ptcepage:incomingCount`` statements.
    """
    resource = URIRef(iri)
    graph = new_graph()
    _construct(store, OUTGOING, graph, r=resource)
    if incoming_limit is None:
        _construct(store, INCOMING, graph, r=resource)
    else:
        _incoming_sample(store, graph, resource, incoming_limit)
    _construct(store, LINKED_NODES, graph, r=resource)
    _close_blank_nodes(store, graph)
    mentioned = {term for triple in graph for term in triple if isinstance(term, URIRef)} - {resource}
    for values in _in_batches(_written(mentioned)):
        _construct(store, CONTEXT % values, graph)
    if document_iri:
        graph.add((URIRef(document_iri), FOAF.primaryTopic, resource))
        if dataset_iri:
            graph.add((URIRef(document_iri), VOID.inDataset, URIRef(dataset_iri)))
    return graph


def incoming_counts(store: QueryableStore, iri: str) -> dict[URIRef, int]:
    """Return how many named resources point at the resource, per property."""
    rows = _select(store, INCOMING_COUNTS, r=URIRef(iri))
    return {row["p"]: int(row["n"]) for row in rows}


def _incoming_sample(store: QueryableStore, graph: Graph, resource: URIRef, limit: int) -> None:
    """Add the incoming links of a resource, at most ``limit`` per property (the first by IRI)."""
    for prop, count in incoming_counts(store, str(resource)).items():
        query = INCOMING if count <= limit else INCOMING_SAMPLE % limit
        _construct(store, query, graph, r=resource, p=prop)


def labels_of(store: QueryableStore, iris: Iterable[Node], lang: str) -> dict[URIRef, str]:
    """Return the best label of each IRI, one query per thousand IRIs (IRIs without a label are left out)."""
    properties = ", ".join(_written(LABEL_PROPERTIES))
    rows = [
        row
        for values in _in_batches(_written(i for i in iris if isinstance(i, URIRef)))
        for row in _select(store, LABELS % (values, properties))
    ]
    found: dict[URIRef, dict[Node, list[Node]]] = {}
    for row in rows:
        found.setdefault(row["x"], {}).setdefault(row["p"], []).append(row["l"])
    labels = {}
    for iri, by_property in found.items():
        for prop in LABEL_PROPERTIES:
            literal = pick_literal(by_property.get(prop, []), lang)
            if literal is not None:
                labels[iri] = str(literal)
                break
    return labels


def related_poles(store: QueryableStore, iri: str, limit: int) -> tuple[list[URIRef], int]:
    """Return ``limit`` poles (in the store's order) characterised by, in the sector of, or located in the
    resource (or below it), and how many there are in all."""
    query = RELATED_POLES.format(r=ox.NamedNode(iri))
    poles = [row["pole"] for row in _select(store, f"{query} LIMIT {int(limit)}")]
    if len(poles) < limit:
        return poles, len(poles)
    count = _select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {query} }}")[0]["n"]
    return poles, int(count)


def members(store: QueryableStore, iri: str) -> list[URIRef]:
    """Return the members of a pole or programme (through org:Membership)."""
    return [
        row["member"] for row in _select(store, MEMBERS, r=URIRef(iri)) if isinstance(row["member"], URIRef)
    ]


def coordinates(store: QueryableStore, iris: Iterable[Node]) -> dict[URIRef, tuple[float, float]]:
    """Return WGS84 (lat, long) of each IRI: its own, or that of its schema:location."""
    points = {}
    rows = [row for values in _in_batches(_written(iris)) for row in _select(store, COORDINATES % values)]
    for row in rows:
        try:
            points.setdefault(row["x"], (float(row["lat"]), float(row["long"])))
        except (TypeError, ValueError):
            continue
    return points


def map_points(store: QueryableStore, iris: list[URIRef], lang: str) -> list[dict]:
    """Return the points to draw for resources: IRI, label, lat, long (unlocated ones left out)."""
    located = coordinates(store, iris)
    labels = labels_of(store, located, lang)
    return [
        {"iri": str(iri), "label": labels.get(iri, str(iri)), "lat": lat, "long": long}
        for iri, (lat, long) in sorted(located.items(), key=lambda item: labels.get(item[0], str(item[0])))
    ]


def instances(store: QueryableStore, class_iri: str) -> list[URIRef]:
    """Return the resources typed with a class."""
    return [
        row["x"] for row in _select(store, INSTANCES, c=URIRef(class_iri)) if isinstance(row["x"], URIRef)
    ]


def examples(store: QueryableStore, prop: str) -> list[tuple[Node, Node]]:
    """Return up to three (subject, object) pairs that use a property."""
    return [(row["s"], row["o"]) for row in _select(store, EXAMPLES, p=URIRef(prop))]


# -- the same document, streamed -------------------------------------------------------------------


def _ox_construct(
    store: QueryableStore, sparql: str, **terms: ox.NamedNode | ox.BlankNode
) -> Iterator[ox.Triple]:
    """Run a CONSTRUCT query with ``?name`` bindings given as pyoxigraph terms; return its triples."""
    text, options = _bound(
        sparql,
        **{k: URIRef(t.value) if isinstance(t, ox.NamedNode) else BNode(t.value) for k, t in terms.items()},
    )
    return iter(store.query(text, **options))


def _iris_of(triples: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    """Return every IRI a list of triples mentions (subjects, predicates, objects)."""
    return {term for triple in triples for term in triple if isinstance(term, ox.NamedNode)}


def _grouped(triples: Iterable[ox.Triple], seen: set[ox.Triple]) -> list[ox.Triple]:
    """Return the triples not yet ``seen`` (and mark them seen), grouped by subject, ``rdf:type`` first."""
    groups: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            group = groups.setdefault(triple.subject, [])
            if triple.predicate == _TYPE:
                group.insert(0, triple)
            else:
                group.append(triple)
    return [triple for group in groups.values() for triple in group]


def _per_batch(store: QueryableStore, sparql: str, iris: set[ox.NamedNode]) -> list[ox.Triple]:
    """Run a CONSTRUCT query whose ``%s`` is a VALUES list on some IRIs, :data:`INCOMING_BATCH` at a time."""
    triples: list[ox.Triple] = []
    for values in _in_batches(sorted(str(iri) for iri in iris)):
        triples += store.query(sparql % values)
    return triples


def _context(store: QueryableStore, iris: set[ox.NamedNode]) -> list[ox.Triple]:
    """Return the context triples (types, labels, coordinates) of some IRIs."""
    return _per_batch(store, CONTEXT, iris)


def _incoming_context(
    store: QueryableStore, resource: ox.NamedNode
) -> dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]]:
    """Return the context triples of every subject linking to a resource, by subject, in one query (on
    Virtuoso 0.3 s for a hub with 7,533 poles, against 0.6 s in 8 queries of 1,000 subjects)."""
    found: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
    for triple in _ox_construct(store, INCOMING_CONTEXT, r=resource):
        found.setdefault(triple.subject, []).append(triple)
    return found


def _incoming_batches(triples: Iterator[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Cut incoming triples into lists of about ``size`` subjects, only where the subject changes."""
    batch: list[ox.Triple] = []
    subjects = 0
    for triple in triples:
        if batch and triple.subject != batch[-1].subject:
            subjects += 1
            if subjects >= size:
                yield batch
                batch, subjects = [], 0
        batch.append(triple)
    if batch:
        yield batch


def document_blocks(
    store: QueryableStore,
    iri: str,
    document_iri: str | None = None,
    dataset_iri: str | None = None,
    batch: int | None = None,
) -> Iterator[list[ox.Triple]]:
    """Return the triples of :func:`describe` (the same set) as pyoxigraph triples, in blocks, for streaming.

    The resource's own triples are read at once, so an unreachable engine raises here, before anything is
    sent (a query failing later cuts the document short). Then come its incoming links, read lazily in
    batches of ``batch`` subjects (default :data:`INCOMING_BATCH`), each with the context of its subjects
    (read in one query beforehand when the store's queries are round trips, ``page_views``) and the nodes
    :data:`LINKED_NODES` describes in full (found among the links already read, so that query, slow on
    Virtuoso, is never run), and last the context of every other mentioned IRI. Each triple is given once,
    grouped by subject within a block (a subject may come back in a later block).
    """
    resource = ox.NamedNode(iri)
    head = []
    if document_iri:
        document = ox.NamedNode(document_iri)
        head.append(ox.Triple(document, ox.NamedNode(str(FOAF.primaryTopic)), resource))
        if dataset_iri:
            head.append(ox.Triple(document, ox.NamedNode(str(VOID.inDataset)), ox.NamedNode(dataset_iri)))
    own = list(_ox_construct(store, OUTGOING, r=resource))
    return _blocks(store, resource, head, own, batch or INCOMING_BATCH)


class _Linked:
    """The nodes around a resource that its document describes in full, and the blank nodes below them."""

    def __init__(self, store: QueryableStore):
        self.store = store
        self.done: set[ox.NamedNode | ox.BlankNode] = set()

    def describe(self, nodes: set[ox.NamedNode | ox.BlankNode], below: list[ox.Triple]) -> list[ox.Triple]:
        """Return the triples of ``nodes`` and of the blank nodes they, or ``below``, lead to (once each)."""
        found: list[ox.Triple] = []
        iris = {n for n in nodes if isinstance(n, ox.NamedNode)} - self.done
        self.done |= iris
        found += _per_batch(self.store, FULL, iris)
        todo = {n for n in nodes if isinstance(n, ox.BlankNode)}
        todo |= {t.object for t in below + found if isinstance(t.object, ox.BlankNode)}
        while todo - self.done:
            node = (todo - self.done).pop()
            self.done.add(node)
            described = list(_ox_construct(self.store, OUTGOING, r=node))
            found += described
            todo |= {t.object for t in described if isinstance(t.object, ox.BlankNode)}
        return found


def _blocks(
    store: QueryableStore,
    resource: ox.NamedNode,
    head: list[ox.Triple],
    own: list[ox.Triple],
    batch: int,
) -> Iterator[list[ox.Triple]]:
    """Yield the blocks of :func:`document_blocks` once its eager part is read (``head``: the document's
    own statements, which bring no context; ``own``: the resource's triples)."""
    seen: set[ox.Triple] = set()
    linked = _Linked(store)
    own = own + linked.describe({t.object for t in own if t.predicate == _MEMBERSHIP}, own)
    yield _grouped(head + own, seen)
    mentioned, described = _iris_of(own), {resource}
    known = _incoming_context(store, resource) if store.page_views else None
    for incoming in _incoming_batches(_ox_construct(store, INCOMING, r=resource), batch):
        links = {
            t.subject
            for t in incoming
            if t.predicate in _MEMBERSHIP_LINKS or isinstance(t.subject, ox.BlankNode)
        }
        incoming = incoming + linked.describe(links, [])
        subjects = {t.subject for t in incoming if isinstance(t.subject, ox.NamedNode)} - described
        mentioned |= _iris_of(incoming)
        described |= subjects
        if known is None:
            context = _context(store, subjects)
        else:
            context = [triple for subject in subjects for triple in known.get(subject, ())]
        block = sorted(incoming, key=lambda t: str(t.subject)) + context
        yield _grouped(block, seen)
    yield _grouped(_context(store, mentioned - described), seen)
