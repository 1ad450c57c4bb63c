"""The one-graph store pyshacl reads from answers every triple pattern as rdflib's Memory store does."""

from __future__ import annotations

import itertools

from rdflib import BNode, Graph, Literal, URIRef

from server.validator.onegraph import MemoGraph, OneGraphStore, one_graph

EX = "http://example.org/"


def _triples() -> list[tuple]:
    a, b, c = (URIRef(EX + n) for n in "abc")
    p, q = URIRef(EX + "p"), URIRef(EX + "q")
    blank = BNode("b1")
    return [
        (a, p, b),
        (a, p, c),
        (a, q, Literal("x", lang="fr")),
        (b, p, c),
        (blank, q, a),
        (c, q, Literal(1)),
        (a, p, b),  # a duplicate is stored once
    ]


def _sample() -> Graph:
    graph = Graph()
    for triple in _triples():
        graph.add(triple)
    return graph


def test_every_pattern_gives_the_memory_store_triples_in_its_order():
    """In its order too (the same nested indexes), except the whole graph, which Memory yields from a set."""
    memory = _sample()
    fast = one_graph(_triples())  # added in the same order
    assert len(fast) == len(memory) == 6
    terms = {n for t in memory for n in t} | {URIRef(EX + "absent")}
    for s, p, o in itertools.product([None, *terms], repeat=3):
        expected = list(memory.triples((s, p, o)))
        if (s, p, o) == (None, None, None):
            assert sorted(fast) == sorted(expected)
        else:
            assert list(fast.triples((s, p, o))) == expected, (s, p, o)


def test_remove_and_prefixes():
    fast = one_graph(_triples())
    fast.remove((URIRef(EX + "a"), URIRef(EX + "p"), None))
    assert len(fast) == 4 and (URIRef(EX + "a"), URIRef(EX + "p"), None) not in fast
    fast.bind("ex", EX)
    assert ("ex", URIRef(EX)) in set(fast.namespaces())
    assert OneGraphStore.context_aware and OneGraphStore.graph_aware  # what pyshacl's Dataset wrapper asserts


def test_a_memo_graph_answers_as_its_store_and_forgets_on_change():
    memo = one_graph(_triples(), kind=MemoGraph)
    a, p, d = URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "d")
    assert list(memo.objects(a, p)) == list(memo.objects(a, p)) == [URIRef(EX + "b"), URIRef(EX + "c")]
    memo.add((a, p, d))
    assert list(memo.objects(a, p))[-1] == d and (a, p, d) in memo
    memo.remove((a, p, d))
    assert d not in set(memo.objects(a, p)) and len(list(memo.predicate_objects(a))) == 3
