"""Strict Turtle checks before anything else reads the file: size, UTF-8, Oxigraph's parser, nesting."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from server import config
from server.validator.messages import plain_syntax_message, text
from server.validator.report import Problem

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_DATATYPES = frozenset(XSD + name for name in ("integer", "decimal", "double", "float", "long", "int"))
#: Lexical forms rdflib turns into Python numbers (an ill-typed decimal like 1E+100000000 can explode).
_LEXICAL = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
}
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_POSITION = re.compile(
    r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)|between [^:]*): "
)
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^>\n]*>|#[^\n]*|(?P<open>[\[(])|(?P<close>[\])])"
    r"|(?P<prefix>(?<![\w:.\-])@?(?i:prefix)(?![\w:\-]))",
    re.DOTALL,
)


@dataclass(frozen=True)
class Limits:
    """Bounds on what a contributed file may contain."""

    max_bytes: int = config.MAX_CONTENT_LENGTH
    max_depth: int = config.TURTLE_MAX_DEPTH
    max_prefixes: int = config.TURTLE_MAX_PREFIXES
    max_number_length: int = config.TURTLE_MAX_NUMBER_LENGTH


class InputRejected(Exception):
    """The file cannot be read as Turtle within the limits; ``problem`` says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def line_text(source: str, line: int | None) -> str:
    """Return line ``line`` (1-based) of ``source`` without its newline, cut to 200 characters."""
    if not line:
        return ""
    lines = source.split("\n", line)
    return lines[line - 1].rstrip("\r")[:200] if len(lines) >= line else ""


def _reject(
    kind: str,
    message: str,
    source: str = "",
    line: int | None = None,
    column: int | None = None,
    lang: str = "en",
) -> InputRejected:
    hint = text("syntax_hint", lang) if kind == "syntax" else ""
    excerpt = line_text(source, line)
    return InputRejected(Problem("Violation", kind, message, line, column, excerpt, hint=hint))


def decode_strict(data: bytes, lang: str = "en") -> str:
    """Decode UTF-8 strictly (a leading BOM is dropped); an invalid byte is reported with its line/column."""
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        start = data.rfind(b"\n", 0, error.start) + 1
        end = data.find(b"\n", error.start)
        line = data.count(b"\n", 0, error.start) + 1
        excerpt = data[start : end if end >= 0 else len(data)].decode("utf-8", "replace")[:200]
        message = text("bad_utf8", lang, byte=f"0x{data[error.start]:02x}")
        raise InputRejected(
            Problem("Violation", "input", message, line, error.start - start + 1, excerpt)
        ) from None
    return source.removeprefix("\ufeff")


def parse_strict(source: str, base_iri: str, lang: str = "en") -> list[ox.Triple]:
    """Parse with Oxigraph's strict Turtle parser; a syntax error becomes a plain message with its place."""
    try:
        return list(ox.parse(source.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    except SyntaxError as error:
        detail = _POSITION.sub("", error.msg)
        line, column = error.lineno, error.offset
        message = plain_syntax_message(detail, lang)
        if message == text("missing_dot", lang) and continues_description(source, line, column):
            message = text("missing_semicolon", lang)
        raise _reject("syntax", message, source, line, column, lang) from None


_STATEMENT_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"\S*|\'(?:[^\'\\]|\\.)*\'\S*|<[^>]*>|[\[(,;]|[^\s\[(),;]+')


def continues_description(source: str, line: int | None, column: int | None) -> bool:
    """True when the text where a '.' was expected is a property and its value(s) (``p o ;``), not a new
    statement (``s p o .``): then the ';' before it is what is missing.

    >>> continues_description('x:a x:b x:c\\n    x:d x:e ;\\n    x:f x:g .', 2, 5)
    True
    >>> continues_description('x:a x:b x:c\\nx:d x:e x:f .', 2, 1)
    False
    """
    rest = line_text(source, line)[(column or 1) - 1 :]
    tokens = []
    for token in _STATEMENT_TOKENS.findall(rest.split(" #")[0]):
        if token in (";", ",") or token == ".":
            break
        if token.startswith("#"):
            break
        tokens.append(token.removesuffix("."))
        if token.endswith(".") and not token.startswith(('"', "'", "<")):
            break
    return len(tokens) == 2 or (len(tokens) >= 2 and tokens[1] in ("[", "("))


def scan_structure(source: str, limits: Limits, lang: str = "en") -> None:
    """Reject bracket nesting deeper than the limit (rdflib recurses on it) and floods of prefixes."""
    depth = prefixes = 0
    for match in _TOKENS.finditer(source):
        if match.group("open"):
            depth += 1
            if depth > limits.max_depth:
                line = source.count("\n", 0, match.start()) + 1
                column = match.start() - source.rfind("\n", 0, match.start())
                message = text("too_deep", lang, depth=depth, limit=limits.max_depth)
                raise _reject("input", message, source, line, column, lang)
        elif match.group("close"):
            depth -= 1
        elif match.group("prefix"):
            prefixes += 1
            if prefixes > limits.max_prefixes:
                line = source.count("\n", 0, match.start()) + 1
                raise _reject(
                    "input",
                    text("too_many_prefixes", lang, limit=limits.max_prefixes),
                    source,
                    line,
                    lang=lang,
                )


def check_terms(triples: list[ox.Triple], source: str, limits: Limits, lang: str = "en") -> None:
    """Reject IRIs with forbidden characters and absurdly long numbers, whatever parser let them through."""
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and _BAD_IRI_CHARS.search(term.value):
                raise _reject("input", text("bad_iri", lang, iri=term.value[:120]), lang=lang)
            if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC_DATATYPES:
                _check_number(term, source, limits, lang)


def _check_number(term: ox.Literal, source: str, limits: Limits, lang: str) -> None:
    line = _find_line(source, term.value[:40])
    if len(term.value) > limits.max_number_length:
        message = text("number_too_long", lang, length=len(term.value), limit=limits.max_number_length)
        raise _reject("input", message, source, line, lang=lang)
    lexical = _LEXICAL.get(term.datatype.value)
    if lexical is not None and not lexical.fullmatch(term.value):
        datatype = "xsd:" + term.datatype.value.removeprefix(XSD)
        raise _reject(
            "input", text("bad_number", lang, value=term.value, datatype=datatype), source, line, lang=lang
        )


def _find_line(source: str, needle: str) -> int | None:
    index = source.find(needle)
    return source.count("\n", 0, index) + 1 if index >= 0 else None


def check_turtle(data: bytes, base_iri: str, limits: Limits = Limits(), lang: str = "en") -> tuple[str, list]:
    """Run every strict check on raw bytes; return the text and Oxigraph's triples, or raise InputRejected."""
    if len(data) > limits.max_bytes:
        raise _reject("input", text("too_large", lang, size=len(data), limit=limits.max_bytes), lang=lang)
    source = decode_strict(data, lang)
    triples = parse_strict(source, base_iri, lang)
    scan_structure(source, limits, lang)
    check_terms(triples, source, limits, lang)
    return source, triples
