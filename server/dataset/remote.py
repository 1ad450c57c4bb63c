"""The external backend: the same store API over a SPARQL 1.1 service (Virtuoso, Fuseki, GraphDB, QLever)."""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox
import requests

from server import config as defaults
from server.dataset.base import BackendError, BackendQueryError, QueryableStore
from server.dataset.sources import SourceFile
from server.namespaces import PREFIXES

log = logging.getLogger(__name__)

#: A graph IRI no engine holds: the protocol's way to say "an empty default graph / no named graphs".
EMPTY_GRAPH = "urn:x-ptce:empty-graph"
# XML: Virtuoso 7.2 writes it 3 to 6 times faster than JSON (5,000 rows: 100 ms, JSON 300 ms). pyoxigraph 0.5
# trims the whitespace around the text of XML literals ("\n x" comes back "x"): it is escaped first.
RESULTS_ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
# A literal element whose text starts or ends with whitespace (one pass; the text holds no "<" in XML).
_SPACED_LITERAL = re.compile(rb"(<literal\b[^>]*(?<!/)>)([ \t\r\n][^<]*|[^<]*[ \t\r\n])(</literal>)")
_EDGE_SPACES = re.compile(rb"\A[ \t\r\n]+|[ \t\r\n]+\Z")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
# Virtuoso quirks undone on the raw answer (docs/operator-guide.md):
# blank nodes come back as "nodeID://b123" in result sets, and geo:wktLiteral comes back as virtrdf:Geometry.
_VIRTUOSO_BNODE = re.compile(rb'(<bnode>|"type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_VIRTUOSO_GEOMETRY = b"http://www.openlinksw.com/schemas/virtrdf#Geometry"
_WKT_LITERAL = b"http://www.opengis.net/ont/geosparql#wktLiteral"

# One connection per query: on a kept-alive connection, Virtuoso 7.2 answers of more than a few kilobytes
# wait 40 ms for the client's delayed ACK (Nagle), a 37 KB answer 52 ms instead of 10 ms.
CONNECTION = {"Connection": "close"}

_SYNTAX_CHECKER = ox.Store()  # always empty
_TOKEN = re.compile(
    r"""(?P<skip>\s+|\#[^\n]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.:%-]*)
    |(?P<word>[A-Za-z_]\w*)
    |(?P<other>.)""",
    re.X | re.S,
)


@dataclass
class QueryParts:
    """What the client must know about a query text before sending it."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    declared_prefixes: set[str] = field(default_factory=set)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    text: str = ""  # the query without its FROM / FROM NAMED clauses
    pattern_start: int = -1  # offset in ``text`` just inside the ``{`` of the query pattern

    @property
    def has_dataset(self) -> bool:
        """Whether the query declares its own dataset (FROM or FROM NAMED)."""
        return bool(self.from_graphs or self.from_named_graphs)


def split_query(sparql: str, prefixes: dict[str, str] | None = None) -> QueryParts:
    """Find the query form, declared prefixes and dataset clauses, and cut the clauses out of the text.

    A small tokenizer (strings, comments, IRIs and prefixed names are single tokens), not a parser:
    the engine still parses the query and reports its own syntax errors.
    """
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sparql)]
    tokens = [token for token in tokens if token[0] != "skip"]
    known = dict(prefixes or {})
    parts, base, position = QueryParts(form=""), "", 0
    while position < len(tokens) and tokens[position][1].upper() in ("BASE", "PREFIX"):
        if tokens[position][1].upper() == "BASE" and position + 1 < len(tokens):
            base, position = tokens[position + 1][1][1:-1], position + 2
        elif position + 2 < len(tokens):
            name, iri = tokens[position + 1][1][:-1], tokens[position + 2][1][1:-1]
            parts.declared_prefixes.add(name)
            known[name], position = urljoin(base, iri), position + 3
        else:
            break
    if position < len(tokens) and tokens[position][1].upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        parts.form = tokens[position][1].upper()
    else:
        raise BackendQueryError("only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be sent to the engine")
    cuts: list[tuple[int, int]] = []
    for index, (kind, value, start, _end) in enumerate(tokens):
        if kind != "word" or value.upper() != "FROM" or index + 1 >= len(tokens):
            continue
        named = tokens[index + 1][1].upper() == "NAMED"
        kind_graph, graph, _start, end = tokens[index + 2 if named else index + 1]
        iri = _expand(kind_graph, graph, known, base)
        (parts.from_named_graphs if named else parts.from_graphs).append(iri)
        cuts.append((start, end))
    text, last = [], 0
    for start, end in cuts:
        text.append(sparql[last:start])
        last = end
    parts.text = "".join(text) + sparql[last:]
    parts.pattern_start = _pattern_start(tokens, position) - sum(end - start for start, end in cuts)
    return parts


def _pattern_start(tokens: list, form_position: int) -> int:
    """Offset just after the ``{`` that opens the query pattern (after WHERE when there is one)."""
    words = [i for i, token in enumerate(tokens) if token[0] == "word" and token[1].upper() == "WHERE"]
    after = words[0] if words else form_position
    braces = [token for token in tokens[after:] if token[1] == "{"]
    return braces[0][3] if braces else -1


def _expand(kind: str, token: str, prefixes: dict[str, str], base: str) -> str:
    if kind == "iri":
        return urljoin(base, token[1:-1])
    if kind == "pname" and token.split(":", 1)[0] in prefixes:
        prefix, local = token.split(":", 1)
        return prefixes[prefix] + local
    raise BackendQueryError(f"FROM needs an IRI or a known prefixed name, not {token!r}")


def _iris(graphs) -> list[str] | None:
    """Graph IRIs from pyoxigraph terms or strings (the store's default graph is empty, so it is dropped)."""
    if graphs is None:
        return None
    if not isinstance(graphs, (list, tuple, set)):
        graphs = [graphs]
    return [g if isinstance(g, str) else g.value for g in graphs if not isinstance(g, ox.DefaultGraph)]


def keep_spaces(xml: bytes) -> bytes:
    """Write the whitespace that starts or ends a literal of SPARQL XML results as character references.

    >>> keep_spaces(b'<literal xml:lang="fr">\\n x </literal>')
    b'<literal xml:lang="fr">&#10;&#32;x&#32;</literal>'
    """

    def references(spaces: re.Match) -> bytes:
        return b"".join(b"&#%d;" % byte for byte in spaces[0])

    def escaped(literal: re.Match) -> bytes:
        return literal[1] + _EDGE_SPACES.sub(references, literal[2]) + literal[3]

    return _SPACED_LITERAL.sub(escaped, xml)


class RemoteStore(QueryableStore):
    """A read-only view of an external SPARQL 1.1 query service, holding nothing but its settings."""

    def __init__(
        self,
        sources: list[SourceFile],
        base_iri: str,
        query_url: str,
        timeout: float = defaults.SPARQL_BACKEND_TIMEOUT,
        auth: requests.auth.AuthBase | tuple[str, str] | None = None,
    ):
        super().__init__()
        self.sources = sources
        self.base_iri = base_iri
        self.query_url = query_url
        self.timeout = timeout
        self.auth = auth
        self._local = threading.local()

    #: How a query names a blank node the engine returned earlier (Virtuoso: nodeID IRIs; Jena: <_:id>).
    blank_node_reference = "<nodeID://{}>"
    page_views = True  # every query is a round trip: pages fetch their neighbourhood at once

    @property
    def _session(self) -> requests.Session:
        # One connection pool per thread and per process: a forked child must not share the parent's sockets.
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.session = requests.Session()
            self._local.session.auth = self.auth
            self._local.pid = os.getpid()
        return self._local.session

    def dataset(self, parts: QueryParts, default_graph=None, named_graphs=None, union=True):
        """Return the (default, named) graph IRIs to send, following pyoxigraph's rules for its options.

        Only graphs of this dataset are ever sent, so the engine's other graphs (Virtuoso's system
        graphs, say) stay out of every answer, whatever FROM clauses the query has.
        """
        ours = [source.graph for source in self.sources]
        default, named = _iris(default_graph), _iris(named_graphs)
        if union and default is not None:
            raise ValueError(
                "The query() method use_default_graph_as_union and default_graph arguments "
                "should not be set at the same time"
            )
        if union:
            default = ours
        elif default is None:
            default = parts.from_graphs if parts.has_dataset else []
        if named is None:
            named = parts.from_named_graphs if parts.has_dataset else ours
        allowed = set(ours)
        default = [g for g in default if g in allowed] or [EMPTY_GRAPH]
        named = [g for g in named if g in allowed] or [EMPTY_GRAPH]
        return default, named

    def substitute(self, parts: QueryParts, substitutions: dict) -> str:
        """Bind variables to terms like pyoxigraph's ``substitutions``: BINDs opening the query pattern.

        (Virtuoso 7 ignores VALUES and FILTER on its blank-node references, but honours BIND.)
        """
        if parts.pattern_start < 0:
            raise BackendQueryError("substitutions need a query pattern in braces")
        binds = " ".join(
            f"BIND({self._term(term)} AS ?{variable.value})" for variable, term in substitutions.items()
        )
        return f"{parts.text[: parts.pattern_start]} {binds} {parts.text[parts.pattern_start :]}"

    def _term(self, term) -> str:
        if isinstance(term, ox.BlankNode):
            return self.blank_node_reference.format(term.value)
        return str(term)

    def query(self, sparql: str, **options):
        """Run a SPARQL query on the engine; return the result objects the embedded store would return."""
        prefixes = {**PREFIXES, **(options.pop("prefixes", None) or {})}
        base_iri = options.pop("base_iri", None)
        union = options.pop("use_default_graph_as_union", options.get("default_graph") is None)
        default_graph, named_graphs = options.pop("default_graph", None), options.pop("named_graphs", None)
        substitutions = options.pop("substitutions", None) or {}
        if options:
            raise TypeError(f"options not supported by the external engine: {', '.join(sorted(options))}")
        # Parse with Oxigraph first (on an always-empty store), so a syntax error is the same SyntaxError,
        # with line and column, as on the embedded store, and the engine only ever sees valid SPARQL queries.
        _SYNTAX_CHECKER.query(sparql, prefixes=prefixes, base_iri=base_iri)
        parts = split_query(sparql, prefixes)
        prologue = "".join(
            f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p not in parts.declared_prefixes
        )
        if base_iri:
            prologue = f"BASE <{base_iri}>\n{prologue}"
        if substitutions:
            parts.text = self.substitute(parts, substitutions)
        default, named = self.dataset(parts, default_graph, named_graphs, union)
        graph_form = parts.form in ("CONSTRUCT", "DESCRIBE")
        body = self._post(
            prologue + parts.text, default, named, GRAPH_ACCEPT if graph_form else RESULTS_ACCEPT
        )
        result = self._parse(body, graph_form)
        if parts.form == "ASK" and isinstance(result, ox.QuerySolutions):
            # Virtuoso answers some ASK queries as one row of ?__ASK_RETVAL (1 or 0) instead of a boolean.
            found = any(row[0] is not None and row[0].value not in ("0", "false") for row in result)
            boolean = b'{"head":{},"boolean":%s}' % (b"true" if found else b"false")
            return ox.parse_query_results(boolean, ox.QueryResultsFormat.JSON)
        return result

    def select_in_graphs(self, sparql: str):
        """Run a SELECT query whose patterns are all inside ``GRAPH ?g`` clauses over every graph of the
        engine (callers keep the graphs of the dataset); return pyoxigraph's solutions.

        No dataset is sent: with ``default-graph-uri`` lists, Virtuoso 7.2 takes 50 ms for ``?s ?p <iri>``
        on 6,700 triples instead of 3 ms.
        """
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        return self._parse(self._post(prologue + sparql, [], [], RESULTS_ACCEPT), False)

    def _post(self, text: str, default: list[str], named: list[str], accept: str) -> tuple[bytes, str]:
        form = {"query": text, "default-graph-uri": default, "named-graph-uri": named}
        try:
            response = self._session.post(
                self.query_url, data=form, headers={"Accept": accept, **CONNECTION}, timeout=self.timeout
            )
        except requests.Timeout as error:
            raise BackendError(f"the SPARQL engine did not answer within {self.timeout:g} s") from error
        except requests.RequestException as error:
            log.warning("SPARQL engine %s unreachable: %s", self.query_url, error)
            raise BackendError(f"the SPARQL engine is unreachable ({type(error).__name__})") from error
        if response.status_code == 206:  # Virtuoso's "anytime" partial answer: never pass it off as complete
            raise BackendError(
                "the SPARQL engine stopped at its own time or row limit (partial answer refused)"
            )
        if response.status_code >= 400:
            message = response.text.split("SPARQL query:")[0].strip()[:500]  # Virtuoso echoes the query
            log.warning("SPARQL engine answered %s: %s", response.status_code, message)
            error = BackendQueryError if 400 <= response.status_code < 500 else BackendError
            raise error(f"the SPARQL engine refused the query (HTTP {response.status_code}): {message}")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return response.content, media_type

    def _parse(self, answer: tuple[bytes, str], graph_form: bool):
        body, media_type = answer
        if b"nodeID://" in body:
            body = _VIRTUOSO_BNODE.sub(rb"\1", body)
        body = body.replace(_VIRTUOSO_GEOMETRY, _WKT_LITERAL)
        try:
            if graph_form:
                rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
                # Round-trip through an in-memory store so callers get a real ox.QueryTriples.
                answer_store = ox.Store()  # extend() keeps the engine's blank node labels (load() would not)
                answer_store.extend(ox.parse(body, format=rdf_format))
                return answer_store.query("CONSTRUCT WHERE { ?s ?p ?o }")
            results_format = ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.XML
            if results_format == ox.QueryResultsFormat.XML:
                body = keep_spaces(body)
            return ox.parse_query_results(body, format=results_format)
        except (SyntaxError, ValueError) as error:
            raise BackendError(
                f"the SPARQL engine sent an unreadable {media_type or 'answer'}: {error}"
            ) from error
