"""The RDF formats the project reads and writes: one table used by pages, SPARQL, dumps and the validator."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialisation: file extension (also the URL suffix), media type and each library's name."""

    key: str
    media_type: str
    label: str
    rdflib_name: str
    oxigraph: ox.RdfFormat
    media_aliases: tuple[str, ...] = ()  # other media types clients send for it
    names: tuple[str, ...] = ()  # other names accepted by ?format= and friends


#: Every RDF format, in server preference order (the first one wins when any RDF will do).
RDF_FORMATS: dict[str, RdfFormat] = {
    fmt.key: fmt
    for fmt in (
        RdfFormat(
            "ttl",
            "text/turtle",
            "Turtle",
            "turtle",
            ox.RdfFormat.TURTLE,
            ("application/x-turtle", "application/turtle"),
            ("turtle",),
        ),
        RdfFormat(
            "jsonld",
            "application/ld+json",
            "JSON-LD",
            "json-ld",
            ox.RdfFormat.JSON_LD,
            ("application/json",),
            ("json-ld", "json"),
        ),
        RdfFormat(
            "rdf",
            "application/rdf+xml",
            "RDF/XML",
            "xml",
            ox.RdfFormat.RDF_XML,
            ("application/xml", "text/xml", "text/rdf"),
            ("xml", "rdfxml", "rdf-xml"),
        ),
        RdfFormat(
            "nt",
            "application/n-triples",
            "N-Triples",
            "nt",
            ox.RdfFormat.N_TRIPLES,
            ("text/plain",),
            ("ntriples", "n-triples"),
        ),
        RdfFormat(
            "nq",
            "application/n-quads",
            "N-Quads",
            "nquads",
            ox.RdfFormat.N_QUADS,
            (),
            ("nquads", "n-quads"),
        ),
    )
}
#: The formats of a single graph (N-Quads is for whole-dataset dumps only).
GRAPH_FORMAT_KEYS = ("ttl", "jsonld", "rdf", "nt")


def serialize_graph(graph: Graph, key: str) -> str:
    """Serialise an rdflib graph in one of :data:`RDF_FORMATS` (JSON-LD compacted with the graph's prefixes).

    >>> from rdflib import URIRef
    >>> g = Graph(); g.add((URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")))
    <Graph identifier=... (<class 'rdflib.graph.Graph'>)>
    >>> serialize_graph(g, "nt").strip()
    '<urn:a> <urn:b> <urn:c> .'
    """
    if key == "jsonld":
        return graph.serialize(format="json-ld", auto_compact=True)
    return graph.serialize(format=RDF_FORMATS[key].rdflib_name)
