"""Result formats of the SPARQL endpoint: negotiation tables and serialisers (SELECT rows, ASK, graphs)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class ResultFormat:
    """One answer format: its key, the media type sent and the names that select it."""

    key: str
    media_type: str
    aliases: tuple[str, ...]  # other media types in Accept, and names for format=/output=/results=


#: Formats of SELECT and ASK results, in server preference (first one for */* or no Accept).
SOLUTION_FORMATS = (
    ResultFormat("json", "application/sparql-results+json", ("application/json", "text/javascript", "json")),
    ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "xml")),
    ResultFormat("csv", "text/csv", ("csv",)),
    ResultFormat("tsv", "text/tab-separated-values", ("tsv", "text/tsv")),
)
#: Formats of CONSTRUCT and DESCRIBE results, in server preference.
GRAPH_FORMATS = (
    ResultFormat("turtle", "text/turtle", ("application/x-turtle", "application/turtle", "turtle", "ttl")),
    ResultFormat("jsonld", "application/ld+json", ("application/json", "json-ld", "jsonld", "json")),
    ResultFormat("rdfxml", "application/rdf+xml", ("application/xml", "text/xml", "rdf", "xml", "rdfxml")),
    ResultFormat("ntriples", "application/n-triples", ("text/plain", "nt", "ntriples", "n-triples")),
)
#: Formats of the service description (an RDF graph), keyed like GRAPH_FORMATS.
DESCRIPTION_FORMATS = GRAPH_FORMATS[:3]
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


def formats_for(form: str) -> tuple[ResultFormat, ...]:
    """Return the formats a query form can be answered in."""
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else SOLUTION_FORMATS


def format_by_name(name: str, formats: tuple[ResultFormat, ...]) -> ResultFormat | None:
    """Find the format that a ``format=``/``output=`` value names (key, alias or media type), if any."""
    value = name.strip().lower().split(";")[0]
    for fmt in formats:
        if value in (fmt.key, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def negotiate(
    accept: MIMEAccept, formats: tuple[ResultFormat, ...], overrides: list[str]
) -> ResultFormat | None:
    """Pick the format: the first override naming a known format, else the Accept header (None means 406)."""
    for name in overrides:
        fmt = format_by_name(name, formats)
        if fmt is not None:
            return fmt
    if not accept:
        return formats[0]
    candidates = [fmt.media_type for fmt in formats]
    candidates += [alias for fmt in formats for alias in fmt.aliases if "/" in alias]
    best = accept.best_match(candidates)
    return None if best is None else format_by_name(best, formats)


# -- serialisers ------------------------------------------------------------------------------------


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")},
        }
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        parts = "".join(
            f"<{k}>{_xml_term(getattr(term, k))}</{k}>" for k in ("subject", "predicate", "object")
        )
        return f"<triple>{parts}</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def serialize_solutions(variables: list[str], rows: list, key: str) -> bytes:
    """Write SELECT rows (pyoxigraph solutions) in the format ``key`` (json, xml, csv or tsv)."""
    if key == "json":
        bindings = [{v: _json_term(row[v]) for v in variables if row[v] is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}).encode()
    if key == "xml":
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        parts = [
            f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head><results>'
        ]
        for row in rows:
            cells = (
                f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                for v in variables
                if row[v] is not None
            )
            parts.append("<result>" + "".join(cells) + "</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode()
    if key == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(row[v]) for v in variables] for row in rows)
        return buffer.getvalue().encode()
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables) for row in rows]
    return ("\n".join(lines) + "\n").encode()


BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def serialize_boolean(result: ox.QueryBoolean, key: str) -> bytes:
    """Write an ASK answer with Oxigraph's own serialiser."""
    return result.serialize(format=BOOLEAN_FORMATS[key])


def serialize_triples(triples: list, key: str, prefixes: dict[str, str]) -> bytes:
    """Write CONSTRUCT/DESCRIBE triples with Oxigraph's serialiser (with prefixes where possible)."""
    fmt = RDF_FORMATS[key]
    if key in ("turtle", "rdfxml"):
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)
