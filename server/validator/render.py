"""Render a validation Report: JSON, an RDF sh:ValidationReport (Turtle/JSON-LD), or FILE:LINE:COL lines."""

from __future__ import annotations

import json

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.util import from_n3

from server.namespaces import SH, curie
from server.validator.messages import severity_name
from server.validator.report import Problem, Report

#: Our annotations on SHACL results (positions in the contributed file, excerpt, fix hint).
VAL = Namespace("https://w3id.org/ptce/validation#")
_SEVERITIES = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}


def short(n3: str | None) -> str:
    """Display form of a term written in N-Triples syntax: a prefixed name for IRIs of known vocabularies."""
    if not n3:
        return ""
    if n3.startswith("<") and n3.endswith(">"):
        return curie(n3[1:-1])
    return n3


def problem_line(name: str, problem: Problem, lang: str = "en") -> str:
    """One ``FILE:LINE:COL: severity: message`` line, as compilers print them (severity in ``lang``)."""
    where = f"{name}:{problem.line or 0}:{problem.column or 0}"
    details = []
    if problem.focus:
        details.append(f"focus={problem.focus_label or short(problem.focus)}")
    if problem.path:
        details.append(f"path={short(problem.path)}")
    if problem.value:
        details.append(f"value={short(problem.value)[:80]}")
    suffix = f" [{', '.join(details)}]" if details else ""
    return f"{where}: {severity_name(problem.severity, lang)}: {problem.message}{suffix}"


def to_json(report: Report, name: str | None = None) -> str:
    """The report as JSON text."""
    data = report.to_dict()
    if name is not None:
        data["file"] = name
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_graph(report: Report) -> Graph:
    """The report as an RDF graph: one sh:ValidationReport with one sh:ValidationResult per problem."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("val", VAL)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms)))
    graph.add((node, VAL.status, Literal(report.status)))
    for problem in report.problems:
        result = BNode()
        graph.add((node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, _SEVERITIES.get(problem.severity, SH.Violation)))
        graph.add((result, SH.resultMessage, Literal(problem.message, lang=report.lang)))
        graph.add((result, VAL.kind, Literal(problem.kind)))
        for predicate, n3 in (
            (SH.focusNode, problem.focus),
            (SH.resultPath, problem.path),
            (SH.value, problem.value),
            (SH.sourceShape, problem.shape),
        ):
            term = _term(n3)
            if term is not None:
                graph.add((result, predicate, term))
        if problem.component:
            graph.add(
                (result, SH.sourceConstraintComponent, URIRef(str(SH) + problem.component.split(":")[-1]))
            )
        for predicate, value in ((VAL.line, problem.line), (VAL.column, problem.column)):
            if value:
                graph.add((result, predicate, Literal(value, datatype=XSD.integer)))
        for predicate, value in (
            (VAL.excerpt, problem.excerpt),
            (VAL.hint, problem.hint),
            (VAL.focusLabel, problem.focus_label),
        ):
            if value:
                graph.add((result, predicate, Literal(value)))
    return graph


def _term(n3: str | None):
    if not n3:
        return None
    if n3.startswith("_:"):
        return BNode(n3[2:])
    try:
        return from_n3(n3)
    except Exception:  # a display value that is not a term: keep it as text
        return Literal(n3)
