"""Parse Turtle with rdflib while recording where each triple and node is written (line, column).

rdflib's Turtle parser (``notation3.SinkParser``, pinned by ``rdflib>=7.6,<7.7``) counts lines for its own
error messages; three of its methods are wrapped here to remember positions (tests/test_validation.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph
from rdflib.plugins.parsers.notation3 import RDFSink, SinkParser
from rdflib.term import Node

from server.validator.onegraph import OneGraphStore

Position = tuple[int, int]  # (line, column), both 1-based


@dataclass
class LineMap:
    """Where things are written: triple → its object's position; node → its statement or first use."""

    triples: dict[tuple[Node, Node, Node], Position] = field(default_factory=dict)
    subjects: dict[Node, Position] = field(default_factory=dict)
    objects: dict[Node, Position] = field(default_factory=dict)

    def node(self, node: Node) -> Position | None:
        """Position of a node: its own statement, or where a blank node ``[ ... ]`` is opened."""
        if isinstance(node, BNode):
            return self.objects.get(node) or self.subjects.get(node)
        return self.subjects.get(node) or self.objects.get(node)

    def value(self, subject: Node, predicate: Node | None, value: Node | None) -> Position | None:
        """Position of the value of a triple, falling back to the subject's statement."""
        if predicate is not None and value is not None:
            found = self.triples.get((subject, predicate, value))
            if found:
                return found
        return self.node(subject)


class _LineParser(SinkParser):
    def __init__(self, sink: RDFSink, base_iri: str, linemap: LineMap):
        super().__init__(sink, baseURI=base_iri, turtle=True)
        self.linemap = linemap
        self._statement_at: Position = (1, 1)
        self._objects_at: dict[int, tuple[object, Position]] = {}

    def _position(self, index: int) -> Position:
        return self.lines + 1, index - self.startOfLine + 1

    def statement(self, argstr: str, i: int) -> int:
        j = self.skipSpace(argstr, i)
        if j >= 0:
            self._statement_at, i = self._position(j), j
            self._objects_at.clear()
        return super().statement(argstr, i)

    def object(self, argstr: str, i: int, res) -> int:
        j = self.skipSpace(argstr, i)
        if j < 0:
            return super().object(argstr, i, res)
        at = self._position(j)
        end = super().object(argstr, j, res)
        if end >= 0:
            self._objects_at[id(res[-1])] = (res[-1], at)
            if isinstance(res[-1], BNode):
                self.linemap.objects.setdefault(res[-1], at)
        return end

    def makeStatement(self, quadruple) -> None:
        formula, predicate, subject, obj = quadruple
        sink = self._store
        triple = (
            sink.normalise(formula, subject),
            sink.normalise(formula, predicate),
            sink.normalise(formula, obj),
        )
        known = self._objects_at.get(id(obj))
        at = known[1] if known and known[0] is obj else (self.lines + 1, 1)
        self.linemap.triples.setdefault(triple, at)
        self.linemap.subjects.setdefault(triple[0], self._statement_at)
        self.linemap.objects.setdefault(triple[2], at)
        if formula is sink.rootFormula and not hasattr(predicate, "formula"):
            sink.graph.add(triple)  # what RDFSink.makeStatement adds, without normalising each term again
        else:
            super().makeStatement(quadruple)


def parse_with_lines(source: str, base_iri: str) -> tuple[Graph, LineMap]:
    """Parse Turtle text into a Graph and a LineMap (the text must already have passed the strict checks).

    The graph is in a one-graph store (:mod:`server.validator.onegraph`): it is built once, then only read.
    """
    graph = Graph(store=OneGraphStore())
    linemap = LineMap()
    parser = _LineParser(RDFSink(graph), base_iri, linemap)
    parser.loadBuf(source)
    for prefix, namespace in parser._bindings.items():
        if prefix:
            graph.bind(prefix, namespace, override=True, replace=True)
    return graph, linemap
