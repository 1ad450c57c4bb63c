"""The validation core: contributed Turtle bytes in, a Report out (no Flask; the CLI, form and API use it)."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pyoxigraph as ox
from rdflib import BNode, Graph

from server import config as defaults
from server import metrics
from server.dataset.base import to_rdflib
from server.languages import DEFAULT_LANGUAGE, supported
from server.validator import communes, live_checks
from server.validator.isolation import run_in_child
from server.validator.judge import Judge
from server.validator.linemap import LineMap, parse_with_lines
from server.validator.messages import text
from server.validator.onegraph import OneGraphStore
from server.validator.placeholders import placeholder_problems
from server.validator.removals import explicit_removals, removal_problems
from server.validator.report import CONFORMS, DOES_NOT_CONFORM, INTERNAL_ERROR, INVALID_INPUT, Problem, Report
from server.validator.scope import scope_problems
from server.validator.shapes import shape_problems
from server.validator.syntax import InputRejected, Limits, check_turtle
from server.validator.vocabulary import check_vocabulary, load_vocabulary

logger = logging.getLogger(__name__)


def validate_turtle(
    data: bytes,
    *,
    shapes: Graph,
    ontology: Graph,
    live_graph: Graph | None = None,
    lang: str = DEFAULT_LANGUAGE,
    base_iri: str = defaults.BASE_IRI,
    limits: Limits | None = None,
    timeout: float | None = defaults.VALIDATION_TIMEOUT,
    isolate: bool = True,
) -> Report:
    """Validate a contributed Turtle file against our shapes, together with the live dataset.

    Syntax and limits are checked in-process (fast, linear); the rest runs in a forked child killed after
    ``timeout`` seconds when ``isolate`` is true. The upload is only ever data: never shapes, path or URL.
    """
    judge = Judge(
        shapes,
        ontology,
        live_graph if live_graph is not None else Graph(),
        load_vocabulary(ontology),
        base_iri,
    )
    return validate_with_judge(data, judge, lang=lang, limits=limits, timeout=timeout, isolate=isolate)


def validate_with_judge(
    data: bytes,
    judge: Judge,
    *,
    lang: str = DEFAULT_LANGUAGE,
    limits: Limits | None = None,
    max_bytes: int | None = None,
    timeout: float | None = defaults.VALIDATION_TIMEOUT,
    isolate: bool = True,
    removals: list[tuple] | tuple = (),
) -> Report:
    """Validate with an already built judge (what the server and the CLI do for every file); ``removals``:
    the live statements a change removes (rdflib triples), judged with it (live − removals + file)."""
    started = time.monotonic()
    lang = supported(lang)
    limits = limits or Limits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    try:
        source, triples = check_turtle(data, judge.base_iri, limits, lang)
    except InputRejected as rejected:
        metrics.validation(INVALID_INPUT, time.monotonic() - started)
        return Report(INVALID_INPUT, lang, (rejected.problem,), elapsed=round(time.monotonic() - started, 3))
    if not triples:  # nothing to add is not a conforming contribution
        # a readable file with nothing in it does not conform (exit 1), it is not unreadable input (exit 2)
        report = Report(DOES_NOT_CONFORM, lang, (Problem("Violation", "input", text("empty", lang)),))
    elif isolate:
        report = _run_in_child(source, triples, judge, lang, timeout, removals)
    else:
        report = analyse(source, triples, judge, lang, removals)
    metrics.validation(report.status, time.monotonic() - started)
    return replace(report, elapsed=round(time.monotonic() - started, 3))


def analyse(source: str, triples: list[ox.Triple], judge: Judge, lang: str, removals=()) -> Report:
    """Everything after the strict checks: line map, vocabulary, what the file may change, SHACL on the file
    and on the existing resources it touches, live-graph warnings and summary."""
    with _without_cycle_collector():
        return _analyse(source, triples, judge, lang, removals)


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Pause Python's cycle collector: a validation allocates millions of small objects and no cycles worth
    collecting before it ends, and every full collection walked the whole heap, live dataset included
    (a fifth of a 10,000-triple validation). Memory is freed by reference counting as before; the memory
    limit of the validation child still holds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyse(source: str, triples: list[ox.Triple], judge: Judge, lang: str, removals=()) -> Report:
    try:
        graph, linemap = contribution_graph(source, triples, judge.base_iri)
    except RecursionError:
        return Report(
            INVALID_INPUT,
            lang,
            (Problem("Violation", "input", text("too_deep", lang, depth="?", limit="?")),),
        )
    places = communes.official_places(graph, judge.live_graph, judge.base_iri)
    wrong_codes = communes.unknown_communes(graph, judge.live_graph, linemap, judge.base_iri, lang)
    links = live_checks.dangling_links(graph, judge.live_graph, linemap, judge.base_iri, lang, places)
    problems = check_vocabulary(graph, linemap, judge.vocabulary, lang) + wrong_codes
    problems += scope_problems(graph, source, linemap, judge, lang) + removal_problems(judge, removals, lang)
    replaced = replaced_values(judge, graph, removals)
    judged = without_replaced_values(judge, graph, replaced)
    problems += shape_problems(graph, linemap, judged, lang, context=places, replaced=replaced)
    problems += [p for p in links if p.value not in {w.value for w in wrong_codes}]  # said once
    problems += live_checks.likely_duplicates(graph, judge.live_graph, linemap, lang)
    problems += placeholder_problems(graph, linemap, judge.live_graph, judge.base_iri, lang)
    unique = {
        (p.severity, p.line, p.column, p.message, p.focus, p.path, p.value): p for p in reversed(problems)
    }
    lines = source.split("\n")  # once, not once per problem (thousands in a large file)
    problems = [_with_excerpt(p, lines) for p in unique.values()]  # one entry when two constraints agree
    problems = causes_first(problems)
    summary = live_checks.summarise(graph, judge.live_graph, judge.shapes, linemap, lang)
    status = DOES_NOT_CONFORM if any(p.severity == "Violation" for p in problems) else CONFORMS
    return Report(status, lang, tuple(problems), summary)


def replaced_values(judge: Judge, graph: Graph, removals=()) -> list[tuple]:
    """Live statements the contribution replaces: the old value of a single-valued property (sh:maxCount 1)
    that the file gives a new value (accepting the file removes the old statement), and the ``removals`` a
    change names that the live graph holds (:mod:`server.validator.removals`)."""
    single = live_checks.single_valued_properties(judge.shapes)
    replaced = []
    for subject, predicate, _ in graph:
        if predicate in single:
            replaced += [
                (subject, predicate, old)
                for old in judge.live_graph.objects(subject, predicate)
                if (subject, predicate, old) not in graph
            ]
    return list(dict.fromkeys(replaced + explicit_removals(judge, graph, removals)))


def without_replaced_values(judge: Judge, graph: Graph, replaced: list[tuple] | None = None) -> Judge:
    """The judge, with a live graph that no longer holds the values the contribution replaces (``replaced``,
    when already known)."""
    replaced = replaced_values(judge, graph) if replaced is None else replaced
    if not replaced:
        return judge
    live = Graph()
    for triple in judge.live_graph:
        live.add(triple)
    for triple in replaced:
        live.remove(triple)
    return replace(judge, live_graph=live)


def causes_first(problems: list[Problem]) -> list[Problem]:
    """Sort problems by place, a misspelt or misused term before the shape problems it causes on the
    same resource (``rdfs:lable`` on line 18 before "the pole has no label" reported on line 17)."""
    causes: dict[str, tuple[int, int]] = {}
    for problem in problems:
        if problem.kind == "vocabulary" and problem.focus:
            place = (problem.line or 10**9, problem.column or 0)
            causes[problem.focus] = max(causes.get(problem.focus, place), place)

    def key(problem: Problem):
        place = (problem.line or 10**9, problem.column or 0)
        effect = problem.kind == "shape" and problem.focus in causes
        if effect:
            place = max(place, causes[problem.focus])
        return (*place, effect, problem.severity != "Violation")

    return sorted(problems, key=key)


def contribution_graph(source: str, triples: list[ox.Triple], base_iri: str) -> tuple[Graph, LineMap]:
    """Parse with rdflib for line numbers; if rdflib disagrees with Oxigraph, keep Oxigraph's triples."""
    graph, linemap = parse_with_lines(source, base_iri)
    strict = {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples}
    ground = {t for t in strict if not any(isinstance(n, BNode) for n in t)}
    if len(graph) == len(strict) and ground == {t for t in graph if not any(isinstance(n, BNode) for n in t)}:
        return graph, linemap
    exact = Graph(store=OneGraphStore(), namespace_manager=graph.namespace_manager)
    for triple in strict:
        exact.add(triple)
    return exact, linemap


def _with_excerpt(problem: Problem, lines: list[str]) -> Problem:
    """The problem with the text of its line (as :func:`server.validator.syntax.line_text` gives it)."""
    if problem.excerpt or not problem.line:
        return problem
    excerpt = lines[problem.line - 1].rstrip("\r")[:200] if len(lines) >= problem.line else ""
    return replace(problem, excerpt=excerpt)


def _run_in_child(
    source: str, triples: list, judge: Judge, lang: str, timeout: float | None, removals=()
) -> Report:
    outcome = run_in_child(analyse, (source, triples, judge, lang, removals), timeout, judge.memory_bytes)
    if outcome.kind == "ok":
        return outcome.value
    if outcome.kind == "timeout":
        return Report(
            INVALID_INPUT, lang, (Problem("Violation", "input", text("timeout", lang, seconds=timeout)),)
        )
    if outcome.kind == "memory":
        return Report(INVALID_INPUT, lang, (Problem("Violation", "input", text("memory", lang)),))
    logger.error("validation failed: %s", outcome.value)
    return Report(INTERNAL_ERROR, lang, (Problem("Violation", "input", text("internal", lang)),))
