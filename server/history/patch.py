"""Patches in RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html): the quads a change removes and adds.

A patch is computed from the old and new texts of the files a change writes: each file is one named graph
(``<base>graph/<stem>``), so the patch is the difference of the two quad sets, graph by graph. Blank nodes are
given labels that depend only on the statements around them (:func:`canonical`), so the same file read twice
gives the same labels: a revert's ``D`` lines name the nodes its accept's ``A`` lines added, and a replica
that reads its own copy of a file finds them too.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

#: The media type of RDF Patch.
MEDIA_TYPE = "text/rdf-patch"


@dataclass
class Patch:
    """The quads a change removes and adds (sets: applying it twice is applying it once)."""

    removed: set = field(default_factory=set)
    added: set = field(default_factory=set)
    headers: dict = field(default_factory=dict)

    def graphs(self) -> set[str]:
        """The IRIs of the named graphs the patch touches."""
        return {q.graph_name.value for q in (*self.removed, *self.added)}

    def reversed(self) -> Patch:
        """The patch that undoes this one."""
        return Patch(set(self.added), set(self.removed), dict(self.headers))


def graph_of(path: str, base_iri: str) -> str:
    """The named graph of a data file: ``<base>graph/<stem>``."""
    return f"{base_iri}graph/{Path(path).stem}"


def canonical(triples: Iterable[ox.Triple], graph: str) -> set[ox.Quad]:
    """The quads of one graph, each blank node labelled by a hash of the statements around it (three
    rounds of neighbours' hashes): stable across reads of the same text."""
    triples = list(triples)
    blanks = {t for triple in triples for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)}
    if not blanks:
        return {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples}
    around = defaultdict(list)
    for t in triples:
        if t.subject in blanks:
            around[t.subject].append(("out", t.predicate, t.object))
        if t.object in blanks:
            around[t.object].append(("in", t.predicate, t.subject))
    labels = dict.fromkeys(blanks, "")
    for _ in range(3):
        labels = {
            node: _hash(
                graph,
                labels[node],
                sorted(f"{way} {p} {labels[o] if o in blanks else o}" for way, p, o in around[node]),
            )
            for node in blanks
        }
    named = {node: ox.BlankNode("b" + label[:24]) for node, label in labels.items()}
    return {
        ox.Quad(
            named.get(t.subject, t.subject), t.predicate, named.get(t.object, t.object), ox.NamedNode(graph)
        )
        for t in triples
    }


def _hash(graph: str, own: str, lines: list[str]) -> str:
    return hashlib.sha256("\n".join([graph, own, *lines]).encode()).hexdigest()


def text_quads(text: str | bytes | None, graph: str) -> set[ox.Quad]:
    """The quads of a Turtle (or N-Triples) text in ``graph``, blank nodes labelled canonically."""
    if not text:
        return set()
    data = text.encode("utf-8") if isinstance(text, str) else text
    return canonical((q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)), graph)


def from_files(files: Iterable[dict], base_iri: str) -> Patch:
    """The patch of a plan's files (``path``, ``old`` and ``new`` texts, None for a missing file)."""
    patch = Patch()
    for change in files:
        graph = graph_of(change["path"], base_iri)
        old, new = text_quads(change["old"], graph), text_quads(change["new"], graph)
        patch.removed |= old - new
        patch.added |= new - old
    return patch


def _line(op: str, quad: ox.Quad) -> str:
    return f"{op} {quad.subject} {quad.predicate} {quad.object} {quad.graph_name} ."


def write(patch: Patch) -> str:
    """The patch in RDF Patch text: headers, then one transaction, deletions first (sorted, so the text of a
    patch is always the same)."""
    lines = [f"H {name} {value} ." for name, value in patch.headers.items()]
    lines.append("TX .")
    lines += sorted(_line("D", q) for q in patch.removed)
    lines += sorted(_line("A", q) for q in patch.added)
    lines.append("TC .")
    return "\n".join(lines) + "\n"


def read(text: str) -> Patch:
    """Read an RDF Patch text (headers, ``A`` and ``D`` rows of quads or triples, TX/TC/TA); a transaction
    aborted with TA is dropped. Raises ValueError on a row it cannot read."""
    patch, pending = Patch(), []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        if op == "H":
            name, _, value = rest.rstrip(" .").partition(" ")
            patch.headers[name] = value
        elif op in ("A", "D"):
            pending.append((op, rest, number))
        elif op == "TA":
            pending = []
        elif op == "TC":
            _apply_rows(patch, pending)
            pending = []
        elif op not in ("TX", "PA", "PD"):
            raise ValueError(f"line {number}: unknown row {op!r}")
    _apply_rows(patch, pending)
    return patch


def _apply_rows(patch: Patch, rows: list) -> None:
    for op, rest, number in rows:
        try:
            quads = list(ox.parse(rest.encode(), format=ox.RdfFormat.N_QUADS))
        except SyntaxError as error:
            raise ValueError(f"line {number}: {error}") from None
        for quad in quads:
            if op == "A":
                patch.removed.discard(quad)
                patch.added.add(quad)
            else:
                patch.added.discard(quad)
                patch.removed.add(quad)


def apply(quads: set, patch: Patch) -> set:
    """The quad set after the patch (removals first, then additions)."""
    return (quads - patch.removed) | patch.added
