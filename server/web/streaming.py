"""Documents written by Oxigraph's serializers block by block, so the first bytes leave before the last query.

Each block of triples is serialized by ``pyoxigraph.serialize`` on its own; what a serializer writes around
its triples (Turtle's ``@prefix`` lines, RDF/XML's root element, JSON-LD's array brackets) does not depend on
the triples, so it is written once and each block's body is spliced in. Flask-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from server.formats import RDF_FORMATS

#: One triple, serialized only to learn what a serializer writes around its triples.
_PROBE = [ox.Triple(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o"))]


def _frame(key: str, prefixes: dict[str, str]) -> tuple[bytes, bytes]:
    """Return what the serializer of a format writes before and after any (non-empty) list of triples."""
    rdf_format = RDF_FORMATS[key].oxigraph
    probe = ox.serialize(_PROBE, format=rdf_format, prefixes=prefixes)
    body = ox.serialize(_PROBE, format=rdf_format)  # no prefixes: the bare statement
    if key == "jsonld":
        return b"[", b"]"
    if key == "rdf":
        start = probe.index(b">", probe.index(b"<rdf:RDF")) + 2  # the root start tag and its newline
        return probe[:start], probe[probe.rindex(b"</rdf:RDF>") :]
    head = probe[: len(probe) - len(body)]  # Turtle: the @prefix lines; N-Triples: nothing
    return head, b""


def _body(chunk: bytes, head: bytes, tail: bytes) -> bytes:
    """Take the serializer's frame off one block's serialization."""
    if not chunk.startswith(head) or not chunk.endswith(tail):
        raise ValueError("the serializer wrote an unexpected frame")
    return chunk[len(head) : len(chunk) - len(tail)]


def serialize_blocks(
    blocks: Iterable[list[ox.Triple]], key: str, prefixes: dict[str, str]
) -> Iterator[bytes]:
    """Yield a document in a graph format (``ttl``, ``nt``, ``jsonld``, ``rdf``), one chunk per block.

    Oxigraph writes JSON-LD expanded (full IRIs, no ``@context``); Turtle and RDF/XML use ``prefixes``.
    """
    rdf_format = RDF_FORMATS[key].oxigraph
    head, tail = _frame(key, prefixes)
    yield head
    separator = b"," if key == "jsonld" else b""
    first = True
    for block in blocks:
        if not block:
            continue
        body = _body(ox.serialize(block, format=rdf_format, prefixes=prefixes), head, tail)
        yield body if first else separator + body
        first = False
    yield tail
