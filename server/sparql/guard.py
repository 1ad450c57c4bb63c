"""Checks on a query text before it reaches the engine: size, nesting, form, SERVICE/LOAD/updates.

The check is lexical and conservative: the text is tokenised the way the SPARQL grammar does (strings,
IRIs, comments, prefixed names and variables are skipped), ``\\u`` escapes are decoded first, and any bare
keyword that would make the engine reach outside the dataset (SERVICE, LOAD) or change it (the update
operations) is refused, wherever it occurs (nested groups, sub-queries, odd case). It needs no parser,
so it is thread-safe, takes linear time and cannot hit a recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server import config as defaults

#: Keywords that make the engine fetch from elsewhere.
REMOTE_KEYWORDS = frozenset({"SERVICE", "LOAD"})
#: Keywords that only occur in SPARQL Update.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH"}
)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
                |'(?:[^'\\\n\r]|\\.)*'?|"(?:[^"\\\n\r]|\\.)*"?)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
    | (?P<name>[^\W\d][\w.\-\u00b7]*(?::[\w.\-:%\\]*)?|:[\w.\-:%\\]*|_:[\w.\-]*)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class QueryRejected(Exception):
    """The query is refused before evaluation; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard, with its form (SELECT, CONSTRUCT, DESCRIBE or ASK)."""

    text: str
    form: str


def _decode_escapes(text: str) -> str:
    def replace(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    return _ESCAPE.sub(replace, text)


def keywords_and_depth(text: str) -> tuple[list[str], int]:
    """Return the bare keywords (upper-cased) of a query text and its deepest bracket nesting.

    The text is scanned as written (as Oxigraph reads it) and, when it holds ``\\u`` escapes, also with
    them decoded (as the SPARQL 1.0 text says to): a keyword seen by either reading counts.
    """
    words, deepest = _scan(text)
    decoded = _decode_escapes(text)
    if decoded != text:
        more, depth = _scan(decoded)
        words += more
        deepest = max(deepest, depth)
    return words, deepest


def _scan(text: str) -> tuple[list[str], int]:
    words: list[str] = []
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "name" and ":" not in match.group():
            words.append(match.group().upper())
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
    return words, deepest


def check_query(
    text: str, max_length: int = defaults.SPARQL_MAX_QUERY_LENGTH, max_depth: int = defaults.SPARQL_MAX_DEPTH
) -> CheckedQuery:
    """Check a query text; return it with its form, or raise :class:`QueryRejected`."""
    if not text.strip():
        raise QueryRejected(400, "The query is empty.")
    if len(text) > max_length:
        raise QueryRejected(413, f"The query is longer than {max_length} characters.")
    if "\x00" in text:
        raise QueryRejected(400, "The query contains a NUL character.")
    words, depth = keywords_and_depth(text)
    if depth > max_depth:
        raise QueryRejected(400, f"The query nests brackets deeper than {max_depth} levels.")
    found = set(words)
    if found & REMOTE_KEYWORDS:
        keyword = sorted(found & REMOTE_KEYWORDS)[0]
        raise QueryRejected(
            400, f"{keyword} is disabled on this endpoint: queries run on the PTCE dataset only."
        )
    if found & UPDATE_KEYWORDS:
        raise QueryRejected(403, "This endpoint is read-only: SPARQL Update operations are not accepted.")
    form = next((word for word in words if word in QUERY_FORMS), None)
    if form is None:
        raise QueryRejected(400, "Not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK.")
    return CheckedQuery(text, form)


#: Keywords that make a query costly whatever its LIMIT (all rows must be seen, or a sub-query runs).
COSTLY_KEYWORDS = frozenset(
    {"GROUP", "ORDER", "DISTINCT", "REDUCED", "HAVING", "COUNT", "SUM", "AVG", "MIN", "MAX", "SAMPLE"}
    | {"GROUP_CONCAT", "MINUS", "NOT", "EXISTS"}
)
_LIMIT = re.compile(r"\bLIMIT\s+(\d+)\s*(?:OFFSET\s+\d+\s*)?$", re.IGNORECASE)


def is_cheap(checked: CheckedQuery, max_limit: int = defaults.SPARQL_FAST_MAX_LIMIT) -> bool:
    """Whether a checked query may take the fast lane: an ASK or DESCRIBE, or a SELECT or CONSTRUCT whose
    final LIMIT is at most ``max_limit``; never one that groups, orders, deduplicates, aggregates, negates
    or holds a sub-query. A judgement, not a promise: the fast lane's short time limit catches mistakes."""
    words, _ = keywords_and_depth(checked.text)
    if set(words) & COSTLY_KEYWORDS or sum(word in QUERY_FORMS for word in words) > 1:
        return False
    if checked.form in ("ASK", "DESCRIBE"):
        return True
    skeleton = _TOKEN.sub(_blank_literals, checked.text).rstrip()
    match = _LIMIT.search(skeleton)
    return bool(match) and int(match.group(1)) <= max_limit


def _blank_literals(match: re.Match) -> str:
    """Strings, IRIs and comments as spaces (a LIMIT inside them is not the query's)."""
    return " " if match.lastgroup in ("string", "iri", "comment") else match.group()
