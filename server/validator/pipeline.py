"""The validation core: contributed Turtle bytes in, a Report out (no Flask; the CLI, form and API use it)."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.processor import SPARQLProcessor, parseQuery, translateQuery

from server.dataset.embedded import to_rdflib
from server.namespaces import SH
from server.validator import live_checks
from server.validator.linemap import LineMap, parse_with_lines
from server.validator.messages import text
from server.validator.report import CONFORMS, DOES_NOT_CONFORM, INTERNAL_ERROR, INVALID_INPUT, Problem, Report
from server.validator.syntax import InputRejected, Limits, check_turtle, line_text
from server.validator.vocabulary import Vocabulary, check_vocabulary, curie, load_vocabulary

logger = logging.getLogger(__name__)
DEFAULT_BASE_IRI = "https://w3id.org/ptce/"
#: Extra address space a validation child may use on top of the server's own (bytes).
CHILD_MEMORY = 1536 * 1024 * 1024
_MISSING_COMPONENTS = {SH.MinCountConstraintComponent, SH.QualifiedMinCountConstraintComponent}


@dataclass(frozen=True)
class Judge:
    """The trusted side of a validation: our shapes, our ontology and the live dataset (never the upload)."""

    shapes: Graph
    ontology: Graph
    live_graph: Graph
    vocabulary: Vocabulary
    base_iri: str = DEFAULT_BASE_IRI


def validate_turtle(
    data: bytes,
    *,
    shapes: Graph,
    ontology: Graph,
    live_graph: Graph | None = None,
    lang: str = "fr",
    base_iri: str = DEFAULT_BASE_IRI,
    limits: Limits | None = None,
    timeout: float | None = 30.0,
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


def judge_from_store(store, config) -> Judge:
    """Build the judge from the store's cached rdflib views (shapes, ontology, data + ontology)."""
    ontology = store.rdflib_graph(("ontology",))
    return Judge(
        store.rdflib_graph(("shapes",)),
        ontology,
        store.rdflib_graph(("data", "ontology")),
        load_vocabulary(ontology),
        config.get("BASE_IRI", DEFAULT_BASE_IRI),
    )


def validate_with_judge(
    data: bytes,
    judge: Judge,
    *,
    lang: str = "fr",
    limits: Limits | None = None,
    max_bytes: int | None = None,
    timeout: float | None = 30.0,
    isolate: bool = True,
) -> Report:
    """Validate with an already built judge (what the server and the CLI do for every file)."""
    started = time.monotonic()
    lang = lang if lang in ("fr", "en") else "en"
    limits = limits or Limits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    try:
        source, triples = check_turtle(data, judge.base_iri, limits, lang)
    except InputRejected as rejected:
        return Report(INVALID_INPUT, lang, (rejected.problem,), elapsed=round(time.monotonic() - started, 3))
    if not triples:
        report = Report(CONFORMS, lang, (Problem("Warning", "input", text("empty", lang)),))
    elif isolate:
        report = _run_in_child(source, triples, judge, lang, timeout)
    else:
        report = analyse(source, triples, judge, lang)
    return replace(report, elapsed=round(time.monotonic() - started, 3))


def analyse(source: str, triples: list[ox.Triple], judge: Judge, lang: str) -> Report:
    """Everything after the strict checks: line map, vocabulary, SHACL, live-graph warnings and summary."""
    try:
        graph, linemap = contribution_graph(source, triples, judge.base_iri)
    except RecursionError:
        return Report(
            INVALID_INPUT,
            lang,
            (Problem("Violation", "input", text("too_deep", lang, depth="?", limit="?")),),
        )
    problems = check_vocabulary(graph, linemap, judge.vocabulary, lang)
    problems += shape_problems(graph, linemap, judge, lang)
    problems += live_checks.dangling_links(graph, judge.live_graph, linemap, judge.base_iri, lang)
    problems += live_checks.likely_duplicates(graph, judge.live_graph, linemap, lang)
    unique = {
        (p.severity, p.line, p.column, p.message, p.focus, p.path, p.value): p for p in reversed(problems)
    }
    problems = [
        _with_excerpt(p, source) for p in unique.values()
    ]  # one entry when two constraints say the same
    problems.sort(key=lambda p: (p.line or 10**9, p.column or 0, p.severity != "Violation"))
    summary = live_checks.summarise(graph, judge.live_graph, judge.shapes, linemap, lang)
    status = DOES_NOT_CONFORM if any(p.severity == "Violation" for p in problems) else CONFORMS
    return Report(status, lang, tuple(problems), summary)


def contribution_graph(source: str, triples: list[ox.Triple], base_iri: str) -> tuple[Graph, LineMap]:
    """Parse with rdflib for line numbers; if rdflib disagrees with Oxigraph, keep Oxigraph's triples."""
    graph, linemap = parse_with_lines(source, base_iri)
    strict = {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples}
    ground = {t for t in strict if not any(isinstance(n, BNode) for n in t)}
    if len(graph) == len(strict) and ground == {t for t in graph if not any(isinstance(n, BNode) for n in t)}:
        return graph, linemap
    exact = Graph(namespace_manager=graph.namespace_manager)
    for triple in strict:
        exact.add(triple)
    return exact, linemap


def neighbourhood(graph: Graph, live: Graph) -> Graph:
    """Return the live triples the contribution's checks can reach.

    Ring 1: what the live graph says about every IRI the file mentions, and what points at every resource
    it describes. Ring 2: what it says about the values and referrers of those resources (their types,
    schemes and places, which sh:class and sh:node look at). Our shapes never look further.
    """
    near = Graph()
    described = set(graph.subjects())
    for node in {n for s, _, o in graph for n in (s, o) if isinstance(n, URIRef)}:
        for triple in live.triples((node, None, None)):
            near.add(triple)
    for subject in described:
        for triple in live.triples((None, None, subject)):
            near.add(triple)
    ring2 = {o for s, _, o in near if s in described and isinstance(o, URIRef)}
    ring2 |= {s for s, _, o in near if o in described and isinstance(s, URIRef)}
    for node in ring2:
        for triple in live.triples((node, None, None)):
            near.add(triple)
    return near


def shape_problems(graph: Graph, linemap: LineMap, judge: Judge, lang: str) -> list[Problem]:
    """Run pyshacl on the contribution with its neighbourhood in the live dataset; report on the contribution.

    Judging the contribution with only the live triples it can reach keeps the cost independent of the
    size of the dataset (the whole dataset took 19 s at 1,000 poles; this takes about 1 s).
    """
    data = neighbourhood(graph, judge.live_graph)
    data += judge.ontology
    data += graph
    shapes = Graph()
    shapes += (
        judge.shapes
    )  # pyshacl writes into the shapes graph (pySHACL #314): never hand it the shared one
    with _prepared_shape_queries():
        _, results, _ = shacl_validate(
            data,
            shacl_graph=shapes,
            ont_graph=None,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
            meta_shacl=False,
        )
    live = judge.live_graph
    mine = set(graph.subjects()) | {
        o for o in graph.objects() if isinstance(o, BNode) or (o, None, None) not in live
    }
    problems = []
    for report in results.subjects(rdflib.RDF.type, SH.ValidationReport):
        for result in results.objects(report, SH.result):
            focus = results.value(result, SH.focusNode)
            if focus in mine:
                problems.append(_shape_problem(results, result, graph, linemap, judge, lang))
    return problems


@functools.lru_cache(maxsize=256)
def _prepare(query: str, base: str | None, namespaces: tuple[tuple[str, str], ...]):
    return translateQuery(parseQuery(query), base, dict(namespaces))


@contextmanager
def _prepared_shape_queries() -> Iterator[None]:
    """Parse each SHACL-SPARQL query of our shapes once, not once per focus node (13 s → 1 s on data/)."""
    original = SPARQLProcessor.query

    def query(self, query, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(query, str):
            query = _prepare(query, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
        return original(self, query, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query
    try:
        yield
    finally:
        SPARQLProcessor.query = original


def _pick_message(messages: list[Literal], lang: str) -> str:
    for wanted in (lang, None, "en", "fr"):
        for message in messages:
            if message.language == wanted:
                return str(message)
    return str(messages[0]) if messages else ""


def _shape_problem(
    results: Graph, result, graph: Graph, linemap: LineMap, judge: Judge, lang: str
) -> Problem:
    focus, path = results.value(result, SH.focusNode), results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    component = results.value(result, SH.sourceConstraintComponent)
    severity = str(results.value(result, SH.resultSeverity) or SH.Violation).removeprefix(str(SH))
    messages = [m for m in results.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    shape = results.value(result, SH.sourceShape)
    for message in () if messages else judge.shapes.objects(shape, SH.message):
        messages.append(message)
    line, column = (
        linemap.value(focus, path, value) if isinstance(path, URIRef) else linemap.node(focus)
    ) or (None, None)
    label = live_checks.label_of(focus, (graph, judge.live_graph), lang)
    path_text = curie(str(path)) if isinstance(path, URIRef) else "?"
    shown = label or (curie(str(focus)) if isinstance(focus, URIRef) else "[ ]")
    hint_key = "shape_hint_missing" if component in _MISSING_COMPONENTS else "shape_hint"
    if not isinstance(path, URIRef):
        hint_key, path_text = "shape_hint_node", ""
    return Problem(
        severity,
        "shape",
        _pick_message(messages, lang),
        line,
        column,
        focus=focus.n3(),
        focus_label=label,
        path=path.n3() if isinstance(path, URIRef) else None,
        value=value.n3() if value is not None else None,
        hint=text(hint_key, lang, path=path_text, focus=shown),
        component=curie(str(component)).replace("<http://www.w3.org/ns/shacl#", "sh:").rstrip(">"),
        shape=shape.n3() if isinstance(shape, URIRef) else None,
    )


def _with_excerpt(problem: Problem, source: str) -> Problem:
    return (
        problem
        if problem.excerpt or not problem.line
        else replace(problem, excerpt=line_text(source, problem.line))
    )


def _child(connection, source, triples, judge, lang) -> None:
    rdflib.NORMALIZE_LITERALS = False  # a huge decimal would otherwise be expanded (security.md §0.9)
    try:  # defence in depth: no network, no files outside the project in the child (server/sandbox.py)
        from server.sandbox import install_sandbox

        install_sandbox()
    except ImportError:
        pass
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (current + CHILD_MEMORY, current + CHILD_MEMORY))
    except (OSError, ValueError):
        pass
    try:
        connection.send(("ok", analyse(source, triples, judge, lang)))
    except MemoryError:
        connection.send(("memory", None))
    except Exception as error:  # reported as an internal error, never as a traceback to the contributor
        connection.send(("error", repr(error)[:500]))
    finally:
        connection.close()


def _run_in_child(source: str, triples: list, judge: Judge, lang: str, timeout: float | None) -> Report:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, source, triples, judge, lang), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            return Report(
                INVALID_INPUT, lang, (Problem("Violation", "input", text("timeout", lang, seconds=timeout)),)
            )
        outcome, payload = receiver.recv()
    except EOFError:  # the child died (killed by the memory limit or a signal)
        outcome, payload = "memory", None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if outcome == "ok":
        return payload
    if outcome == "memory":
        return Report(INVALID_INPUT, lang, (Problem("Violation", "input", text("memory", lang)),))
    logger.error("validation failed: %s", payload)
    return Report(INTERNAL_ERROR, lang, (Problem("Violation", "input", text("internal", lang)),))
