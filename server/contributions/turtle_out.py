"""Reading and writing contributions exactly: a contribution's Turtle read as Oxigraph reads it (what the
server loads), lexical forms kept (``"01"^^xsd:integer`` stays ``"01"``), relative IRIs resolved and unsafe
ones refused; Turtle written so that Oxigraph and rdflib both read back exactly the triples meant (every
string escaped as in N-Triples, prefixed names only when their local part is plain); and conversions between
rdflib's and Oxigraph's terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from server.contributions.curation_error import CurationError

_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069<>\"{}|\\^`]")


def to_oxigraph(term):
    """The Oxigraph term equal to an rdflib term (its lexical form as it is)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def to_oxigraph_triple(triple: tuple) -> ox.Triple:
    """The Oxigraph triple equal to an rdflib triple."""
    return ox.Triple(*(to_oxigraph(term) for term in triple))


def parse_exactly(text: str | bytes, base_iri: str | None = None) -> list[ox.Triple]:
    """The triples of a Turtle text as Oxigraph reads them (what the server loads), lexical forms kept."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base_iri)]


def turtle_text(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> str:
    """Turtle that Oxigraph and rdflib both read back as exactly these triples: every literal quoted and
    escaped as in N-Triples (never a bare ``01`` or ``true``, which rdflib reads as ``1``), IRIs as prefixed
    names only when their local part is plain, one predicate and object per line."""
    ordered = sorted(
        set(triples),
        key=lambda t: (str(t.subject), t.predicate != _RDF_TYPE, str(t.predicate), str(t.object)),
    )
    names = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    used: dict[str, str] = {}
    blocks, subject = [], None
    for t in ordered:
        term = _term(t.predicate, names, used) if t.predicate != _RDF_TYPE else "a"
        pair = f"{term} {_term(t.object, names, used)}"
        if t.subject != subject:
            subject = t.subject
            blocks.append([f"{_term(subject, names, used)} {pair}"])
        else:
            blocks[-1].append(f"    {pair}")
    header = "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in sorted(used.items()))
    body = "".join(" ;\n".join(block) + " .\n" for block in blocks)
    return header + ("\n" if header else "") + body


_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


def _term(term, names: list[tuple[str, str]], used: dict[str, str]) -> str:
    """One term in Turtle: a prefixed name when that is plain, else its N-Triples form."""
    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        lexical = str(ox.Literal(term.value))
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return lexical
        return f"{lexical}^^{_term(term.datatype, names, used)}"
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in names:
            local = term.value[len(namespace) :]
            if term.value.startswith(namespace) and _PLAIN_LOCAL.fullmatch(local):
                used[prefix] = namespace
                return f"{prefix}:{local}"
    return str(term)


def statement(triple: ox.Triple) -> str:
    """One N-Triples statement (valid Turtle): what a revert appends when it cannot restore lines."""
    return f"{triple.subject} {triple.predicate} {triple.object} ."


def to_rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """The rdflib graph of Oxigraph triples."""
    from server.dataset.base import to_rdflib

    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def unsafe_iri(iri: str) -> bool:
    """Whether an IRI is relative, has '//' in its path, '.' or '..' segments, or control characters."""
    parts = urlsplit(iri)
    segments = parts.path.split("/")
    return (
        not parts.scheme
        or bool(_UNSAFE_CHARACTERS.search(iri))
        or "//" in parts.path
        or any(segment in (".", "..") for segment in segments)
    )


def contribution_triples(number: int, turtle: bytes, base_iri: str) -> list[ox.Triple]:
    """A contribution's triples as they will be written: relative IRIs resolved against ``base_iri``,
    lexical forms as sent; refused (CurationError) when an IRI could not be written safely."""
    try:
        triples = parse_exactly(turtle, base_iri)
    except SyntaxError as error:
        raise CurationError("unreadable", action="accept", details=str(error)[:300]) from None
    for triple in triples:
        for term in triple:
            if isinstance(term, ox.NamedNode) and unsafe_iri(term.value):
                raise CurationError("iri", number=number, details=repr(term.value)[:200])
    return triples
