"""A lean in-memory rdflib store holding one graph: what pyshacl reads its data and shapes from.

rdflib's ``Memory`` store keeps, for every triple it yields, the contexts the triple belongs to (a string
key formatted per call, a dictionary look-up and a generator per triple): a third of the time pyshacl
spent in ``triples()`` on a 10,000-triple contribution. ``SimpleMemory`` has none of that, but pyshacl 0.40
wraps the data graph in an rdflib ``Dataset``, which refuses a store that is not context- and graph-aware,
and its ``len()`` walks every triple. This store answers as one graph whatever context is asked: the same
triples, yielded in the same order as ``Memory`` (insertion order of the same nested indexes).

Only for graphs built, then read: a triple added while a ``triples()`` over the same index is being
iterated raises (``Memory`` copies every key list to allow it; nobody here needs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, URIRef
from rdflib.store import Store
from rdflib.term import Node

_NO_CONTEXTS: tuple = ()


class OneGraphStore(Store):
    """Triples indexed by subject, predicate and object, with no per-triple context bookkeeping."""

    context_aware = True  # pyshacl's Dataset wrapper asserts both; every context is the one graph
    graph_aware = True

    def __init__(self, configuration: str | None = None, identifier=None) -> None:
        super().__init__(configuration)
        self.identifier = identifier
        self._spo: dict = {}
        self._pos: dict = {}
        self._osp: dict = {}
        self._size = 0
        self._namespace: dict[str, URIRef] = {}
        self._prefix: dict[URIRef, str] = {}

    def add(self, triple, context=None, quoted: bool = False) -> None:
        """Add a triple (no events are dispatched: nobody listens)."""
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, {})
        if o in objects:
            return
        objects[o] = 1
        self._pos.setdefault(p, {}).setdefault(o, {})[s] = 1
        self._osp.setdefault(o, {}).setdefault(s, {})[p] = 1
        self._size += 1

    def addN(self, quads: Iterable) -> None:  # noqa: N802 (rdflib's name)
        """Add (s, p, o, context) quads, whatever their context."""
        add = self.add
        for s, p, o, _ in quads:
            add((s, p, o))

    def remove(self, triple_pattern, context=None) -> None:
        """Remove every triple matching the pattern."""
        for (s, p, o), _ in list(self.triples(triple_pattern)):
            del self._spo[s][p][o]
            del self._pos[p][o][s]
            del self._osp[o][s][p]
            self._size -= 1

    def triples(self, triple_pattern, context=None) -> Iterator:
        """Yield ((s, p, o), no contexts) for every triple matching the pattern."""
        s, p, o = triple_pattern
        if s is not None:
            by_predicate = self._spo.get(s)
            if not by_predicate:
                return
            if p is not None:
                objects = by_predicate.get(p)
                if not objects:
                    return
                if o is not None:
                    if o in objects:
                        yield (s, p, o), _NO_CONTEXTS
                    return
                for obj in objects:
                    yield (s, p, obj), _NO_CONTEXTS
                return
            for pred, objects in by_predicate.items():
                if o is not None:
                    if o in objects:
                        yield (s, pred, o), _NO_CONTEXTS
                    continue
                for obj in objects:
                    yield (s, pred, obj), _NO_CONTEXTS
        elif p is not None:
            by_object = self._pos.get(p)
            if not by_object:
                return
            if o is not None:
                for subj in by_object.get(o, ()):
                    yield (subj, p, o), _NO_CONTEXTS
                return
            for obj, subjects in by_object.items():
                for subj in subjects:
                    yield (subj, p, obj), _NO_CONTEXTS
        elif o is not None:
            for subj, predicates in self._osp.get(o, {}).items():
                for pred in predicates:
                    yield (subj, pred, o), _NO_CONTEXTS
        else:
            for subj, by_predicate in self._spo.items():
                for pred, objects in by_predicate.items():
                    for obj in objects:
                        yield (subj, pred, obj), _NO_CONTEXTS

    def __len__(self, context=None) -> int:
        return self._size

    def contexts(self, triple=None) -> Iterator:
        """No named graphs: the store is one graph."""
        return iter(())

    def add_graph(self, graph) -> None:
        """Nothing to record: the store is one graph."""

    def remove_graph(self, graph) -> None:
        """Nothing to record: the store is one graph."""

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        """Bind a prefix (as rdflib's memory stores do)."""
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                self._namespace.pop(bound_prefix, None)
            if bound_namespace is not None:
                self._prefix.pop(bound_namespace, None)
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            key_namespace = bound_namespace if bound_namespace is not None else namespace
            key_prefix = bound_prefix if bound_prefix is not None else prefix
            self._prefix[key_namespace] = key_prefix
            self._namespace[key_prefix] = key_namespace

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespace.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from list(self._namespace.items())

    def query(self, *args, **kwargs):
        raise NotImplementedError  # rdflib then evaluates the query itself, as with its memory stores

    def update(self, *args, **kwargs):
        raise NotImplementedError


class MemoGraph(Graph):
    """A graph that remembers the answer to each triple pattern until it is changed: for pyshacl's shapes
    graph, which it asks the same questions over and over (the constraints of a shape are read again
    each time the shape is applied to a focus or value node: 144,000 look-ups for a 10,000-triple file)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict = {}

    def _remembered(self, key, compute) -> tuple:
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = tuple(compute())
            return found

    def triples(self, triple):
        s, p, o = triple
        if not all(term is None or isinstance(term, Node) for term in triple):
            return super().triples(triple)  # a property path: evaluated, not looked up
        return iter(self._remembered(("t", s, p, o), lambda: super(MemoGraph, self).triples(triple)))

    def objects(self, subject=None, predicate=None, unique: bool = False):
        if not isinstance(subject, (Node, type(None))) or not isinstance(predicate, (Node, type(None))):
            return super().objects(subject, predicate, unique)
        compute = lambda: super(MemoGraph, self).objects(subject, predicate, unique)  # noqa: E731
        return iter(self._remembered(("o", subject, predicate, unique), compute))

    def predicate_objects(self, subject=None, unique: bool = False):
        if not isinstance(subject, (Node, type(None))):
            return super().predicate_objects(subject, unique)
        compute = lambda: super(MemoGraph, self).predicate_objects(subject, unique)  # noqa: E731
        return iter(self._remembered(("po", subject, unique), compute))

    def items(self, list_):
        if not isinstance(list_, Node):
            return super().items(list_)
        return iter(self._remembered(("items", list_), lambda: super(MemoGraph, self).items(list_)))

    def add(self, triple):
        self._memo.clear()
        return super().add(triple)

    def addN(self, quads):  # noqa: N802 (rdflib's name)
        self._memo.clear()
        return super().addN(quads)

    def remove(self, triple):
        self._memo.clear()
        return super().remove(triple)


def one_graph(*sources: Iterable, kind: type[Graph] = Graph) -> Graph:
    """A graph in a :class:`OneGraphStore` with the triples of ``sources`` (prefixes bound as by Graph())."""
    graph = kind(store=OneGraphStore())
    store = graph.store
    for source in sources:
        for triple in source:
            store.add(triple)
    return graph
