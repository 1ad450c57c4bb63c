"""Result formats of the SPARQL endpoint: negotiation tables and serialisers (SELECT rows, ASK, graphs)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from server.formats import GRAPH_FORMAT_KEYS, RDF_FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
#: Formats of CONSTRUCT and DESCRIBE results, in server preference (from the project's RDF format table).
GRAPH_FORMATS = tuple(
    ResultFormat(key, RDF_FORMATS[key].media_type, (*RDF_FORMATS[key].media_aliases, *RDF_FORMATS[key].names))
    for key in GRAPH_FORMAT_KEYS
)
#: Formats of the service description (an RDF graph), keyed like GRAPH_FORMATS.
DESCRIPTION_FORMATS = GRAPH_FORMATS[:3]


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


RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def serialize_boolean(result: ox.QueryBoolean, key: str) -> bytes:
    """Write an ASK answer with Oxigraph's own serialiser."""
    return result.serialize(format=RESULT_FORMATS[key])


class OutputTooLarge(Exception):
    """The serialised answer grew past the server's byte limit."""


class _Enough(Exception):
    """Raised inside the writer to stop Oxigraph's serialiser once the row cap is certainly exceeded."""


#: Per format: the byte strings that begin (json, xml) or end (csv, tsv) a row in Oxigraph's output,
#: how many of them the header holds, and the footer that closes a truncated answer. Counting them gives
#: an upper bound of the rows written (a literal may contain one), never an undercount.
_ROW_MARKERS = {
    "json": ((b"[{", b",{"), 0, b"]}}"),
    "xml": ((b"<result>",), 0, b"</results></sparql>"),
    "csv": ((b"\r\n",), 1, b""),
    "tsv": ((b"\n",), 1, b""),
}


class _CappedWriter:
    """A file-like sink for Oxigraph: keeps the bytes, counts row markers per chunk, stops past the cap."""

    def __init__(self, key: str, row_limit: int, max_bytes: int):
        self.markers, header, _ = _ROW_MARKERS[key]
        self.stop_at = row_limit + header + 1
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.size = self.count = 0
        self.tail = b""
        self.stopped = False
        self.overlap = max(len(marker) for marker in self.markers) - 1  # a marker split between chunks

    def write(self, data: bytes) -> int:
        if self.stopped:  # Oxigraph's buffered writer retries the failed chunk when it is dropped
            raise _Enough
        self.chunks.append(data)
        self.size += len(data)
        if self.size > self.max_bytes:
            self.stopped = True
            raise OutputTooLarge
        window = self.tail + data
        self.count += sum(window.count(marker) for marker in self.markers)
        self.tail = window[len(window) - self.overlap :]
        if self.count >= self.stop_at:
            self.stopped = True
            raise _Enough
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the bytes are kept in memory."""


_CSV_TOKEN = re.compile(rb'"[^"]*"|\r\n|"')
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[{\]}]|"')


def _find_nth(buffer: bytes, needle: bytes, count: int) -> int:
    position = -1
    for _ in range(count):
        position = buffer.find(needle, position + 1)
        if position < 0:
            return -1
    return position


def _row_start(buffer: bytes, key: str, index: int) -> int | None:
    """Offset where row ``index`` (0-based) starts, if the buffer certainly holds that row; else None."""
    if key == "xml":
        position = _find_nth(buffer, b"<result>", index + 1)
        return position if position >= 0 else None
    if key == "tsv":
        position = _find_nth(buffer, b"\n", index + 1)
        return None if position < 0 or buffer.find(b"\n", position + 1) < 0 else position + 1
    if key == "csv":
        ends = []
        for match in _CSV_TOKEN.finditer(buffer):
            if match.group() == b'"':
                return None  # an unterminated quoted value: the rest is incomplete
            if match.group() == b"\r\n":
                ends.append(match.end())
                if len(ends) == index + 2:
                    return ends[index]
        return None
    depth, rows = 0, 0
    for match in _JSON_TOKEN.finditer(buffer):
        token = match.group()
        if token in (b"{", b"["):
            if token == b"{" and depth == 3:
                rows += 1
                if rows == index + 1:
                    return match.start()
            depth += 1
        elif token in (b"}", b"]"):
            depth -= 1
        elif token == b'"':
            return None
    return None


def serialize_solutions_capped(
    result: ox.QuerySolutions, key: str, row_limit: int, max_bytes: int
) -> tuple[bytes, bool] | None:
    """Let Oxigraph write SELECT results, stopping after ``row_limit`` rows; return (body, truncated).

    No Python work per row: the writer counts row markers in Oxigraph's 8 kB chunks. When the count
    passes the cap, the kept bytes are scanned once to cut exactly after ``row_limit`` rows. Returns None
    when the markers over-counted (literals containing them) and the cut cannot be proven: the caller
    then falls back to :func:`serialize_solutions`. Raises :class:`OutputTooLarge` past ``max_bytes``.
    """
    writer = _CappedWriter(key, row_limit, max_bytes)
    try:
        result.serialize(writer, format=RESULT_FORMATS[key])
    except _Enough:
        buffer = b"".join(writer.chunks)
        cut = _row_start(buffer, key, row_limit)
        if cut is None:
            return None
        head = buffer[:cut]
        if key == "json" and head.endswith(b","):
            head = head[:-1]
        return head + _ROW_MARKERS[key][2], True
    return b"".join(writer.chunks), False


def serialize_triples(triples: list, key: str, prefixes: dict[str, str]) -> bytes:
    """Write CONSTRUCT/DESCRIBE triples with Oxigraph's serialiser (with prefixes where possible)."""
    fmt = RDF_FORMATS[key].oxigraph
    if key in ("ttl", "rdf"):
        return ox.serialize(triples, format=fmt, prefixes=prefixes)
    return ox.serialize(triples, format=fmt)
