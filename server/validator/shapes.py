"""The SHACL step: pyshacl on the contribution and the live triples it can reach, results as Problems."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.processor import SPARQLProcessor, parseQuery, translateQuery

from server.namespaces import SH, curie
from server.validator import live_checks
from server.validator.judge import Judge
from server.validator.linemap import LineMap
from server.validator.messages import text
from server.validator.onegraph import MemoGraph, OneGraphStore, one_graph
from server.validator.report import Problem

_MISSING_COMPONENTS = {SH.MinCountConstraintComponent, SH.QualifiedMinCountConstraintComponent}
_FOCUS_NODE, _RESULT_PATH, _VALUE, _SOURCE_SHAPE = SH.focusNode, SH.resultPath, SH.value, SH.sourceShape
_COMPONENT, _SEVERITY, _MESSAGE = SH.sourceConstraintComponent, SH.resultSeverity, SH.resultMessage
_SOURCE_CONSTRAINT = SH.sourceConstraint


def inverse_predicates(shapes: Graph) -> frozenset:
    """The properties our shapes follow backwards (``sh:inversePath``): a link the file adds to an existing
    resource with one of them changes what that resource's shapes see (a membership's pole)."""
    return frozenset(p for p in shapes.objects(None, SH.inversePath) if isinstance(p, URIRef))


def neighbourhood(graph: Graph, live: Graph, inverse: frozenset = frozenset()) -> Graph:
    """Return the live triples the contribution's checks can reach.

    Ring 1: what the live graph says about every IRI the file mentions, and what points at every resource
    it describes. Ring 2: what it says about the values and referrers of those resources (their types,
    schemes and places, which sh:class and sh:node look at). Our shapes never look further.
    For an existing resource the file links to with one of the ``inverse`` properties, also what links to
    it with them and what the live graph says about its values: that resource is judged again
    (:func:`touched_resources`) and needs its whole neighbourhood.
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
    for node in linked_backwards(graph, live, inverse):
        for predicate in inverse:
            for triple in live.triples((None, predicate, node)):
                near.add(triple)
        ring2 |= {o for o in live.objects(node) if isinstance(o, URIRef)}
    for node in ring2:
        for triple in live.triples((node, None, None)):
            near.add(triple)
    return near


def linked_backwards(graph: Graph, live: Graph, inverse: frozenset) -> set:
    """Existing resources the file links to with a property our shapes follow backwards."""
    return {
        o
        for predicate in inverse
        for o in graph.objects(None, predicate)
        if isinstance(o, URIRef) and (o, None, None) in live
    }


def touched_resources(graph: Graph, live: Graph, near: Graph, inverse: frozenset) -> set:
    """Existing resources the file does not describe but whose judgement it can change: the resources it
    links to, the resources that link to the ones it describes, and, for a resource it links to with a
    property followed backwards, that resource's values (a membership's organisation and member)."""
    described = set(graph.subjects())
    linked = {o for _, p, o in graph if p != RDF.type and isinstance(o, URIRef)} - described
    touched = {o for o in linked if (o, None, None) in live}  # each distinct value looked up once
    touched |= {s for s, _, o in near if o in described and isinstance(s, URIRef)}
    for node in linked_backwards(graph, live, inverse):
        touched |= {o for o in live.objects(node) if isinstance(o, URIRef) and (o, None, None) in live}
    return touched - described


def shape_problems(
    graph: Graph,
    linemap: LineMap,
    judge: Judge,
    lang: str,
    context: Graph | None = None,
    replaced: list[tuple] | tuple = (),
) -> list[Problem]:
    """Run pyshacl on the contribution with its neighbourhood in the live dataset; report on the contribution
    and, graph-wide, every new result on the existing resources it touches.

    Judging the contribution with only the live triples it can reach keeps the cost independent of the
    size of the dataset (the whole dataset took 19 s at 1,000 poles; this takes about 1 s). ``judge``'s live
    graph is the dataset without the ``replaced`` statements (the old values the file changes). A result on
    an existing resource the file does not describe (:func:`touched_resources`) is reported when the same
    neighbourhood without the file (``replaced`` put back) does not give it: only what the file causes.
    """
    trusted = () if context is None else (context,)  # descriptions the file may rely on (official communes)
    inverse = inverse_predicates(judge.shapes)
    live = judge.live_graph
    near = neighbourhood(graph, live, inverse)
    results = _shacl_results(one_graph(near, judge.ontology, *trusted, graph), judge.shapes)
    vouched = set() if context is None else set(context.subjects())
    mine = set(graph.subjects()) | {  # each distinct value looked up once in the live graph
        o
        for o in set(graph.objects())
        if isinstance(o, BNode) or ((o, None, None) not in live and o not in vouched)
    }
    touched = touched_resources(graph, live, near, inverse) - mine - vouched
    nodes = set(graph.subjects()) | {o for o in graph.objects() if isinstance(o, URIRef)} | {None}
    problems = []
    labels: dict = {}  # the focus nodes' labels, looked up once per node (a pole has many results)
    elsewhere = []
    for fields in results:
        focus = fields.get(_FOCUS_NODE, [None])[0]
        if focus in mine:
            problems.append(_shape_problem(fields, graph, linemap, judge, lang, labels))
        elif focus in touched and fields.get(_VALUE, [None])[0] in nodes:
            # the file can only cause a result about one of its own nodes (a new link, a resource it
            # describes) or a count (no value): the rest are edges of the neighbourhood, in both runs
            elsewhere.append(fields)
    if elsewhere:  # the same judgement without the file: pyshacl's focus_nodes would also filter the
        # values its nested shapes judge (sh:node, sh:or), so the whole neighbourhood is judged again
        before = one_graph(near, judge.ontology, *trusted, replaced)
        known = {_result_key(fields) for fields in _shacl_results(before, judge.shapes)}
        for fields in elsewhere:
            if _result_key(fields) not in known:
                problem = _shape_problem(fields, graph, linemap, judge, lang, labels)
                problems.append(_elsewhere(problem, graph, linemap, live, lang))
    return problems


def _shacl_results(data: Graph, shapes_graph: Graph) -> list[dict]:
    """pyshacl's results on ``data``, each as {predicate: [objects]}."""
    shapes = one_graph(_by_subject(shapes_graph), kind=MemoGraph)  # pyshacl writes into it (#314): a copy
    results: list[dict] = []
    with prepared_shape_queries(results):
        shacl_validate(
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
    return results


def _result_key(fields: dict) -> tuple:
    """What makes two results the same finding (blank nodes by label: both runs share the shapes')."""
    return tuple(
        str(fields.get(p, [None])[0])
        for p in (_FOCUS_NODE, _RESULT_PATH, _VALUE, _COMPONENT, _SOURCE_SHAPE, _SOURCE_CONSTRAINT)
    )


def _elsewhere(problem: Problem, graph: Graph, linemap: LineMap, live: Graph, lang: str) -> Problem:
    """A result on an existing resource of another file, named in words, placed where the file links to
    it, or else where the file describes a resource it links to."""
    focus = URIRef(problem.focus[1:-1]) if problem.focus and problem.focus.startswith("<") else None
    name = live_checks.short_name(focus, graph) if focus is not None else "[ ]"
    label = problem.focus_label
    resource = (f"« {label} » ({name})" if lang == "fr" else f"“{label}” ({name})") if label else name
    place = linemap.node(focus) if focus is not None else None
    if place is None and focus is not None:
        place = next(
            (linemap.node(o) for o in live.objects(focus) if o in linemap.subjects),
            None,
        )
    line, column = place or (problem.line, problem.column)
    return replace(
        problem,
        kind="graph",
        message=text("elsewhere", lang, resource=resource, message=problem.message),
        hint=text("elsewhere_hint", lang, resource=resource),
        line=line,
        column=column,
    )


def _by_subject(graph: Graph) -> Iterator[tuple]:
    """The triples of ``graph`` subject by subject, each subject's in the order the graph keeps them.

    pyshacl applies a shape's constraints in the order of its predicates in the shapes graph; a whole-graph
    iteration of rdflib's Memory store follows a set of triples, whose order changed from one process to
    the next with the random labels of blank nodes. When two constraints of a shape report the same value
    with the same message (sh:or and sh:minInclusive on "20 M€"), the report kept one of them at random.
    """
    for subject in dict.fromkeys(graph.subjects()):
        for predicate, obj in graph.predicate_objects(subject):
            yield subject, predicate, obj


@functools.lru_cache(maxsize=256)
def _prepare(query: str, base: str | None, namespaces: tuple[tuple[str, str], ...]):
    return translateQuery(parseQuery(query), base, dict(namespaces))


class _ParameterList(list):
    """pyshacl's list of constraint parameters, with membership by hash: pyshacl tests every predicate of
    every shape against it, for every focus node (3 million rdflib ``__eq__`` calls, a sixth of a
    10,000-triple validation, went into that linear scan)."""

    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._members


def _no_description(self, *args, **kwargs) -> str:
    return ""


def _shape_name(name):
    """pyshacl's ``Shape.__str__``, computed once per shape: every application of a shape formats it for
    debug messages, logged or not (67,000 times for a 10,000-triple file)."""

    names: dict[int, tuple] = {}  # by id: pyshacl's shapes have slots; the shape is kept with its name

    def remembered(shape) -> str:
        try:
            return names[id(shape)][1]
        except KeyError:
            names[id(shape)] = (shape, name(shape))
            return names[id(shape)][1]

    return remembered


def _report_graph(results: list[dict] | None):
    """pyshacl 0.40's ``Validator.create_validation_report`` without the text report (its results sorted by
    their descriptions), which nobody here reads. With a ``results`` list, each result goes into it as
    ``{predicate: [objects]}``, the objects as the report graph would hold them, in its order, and the
    graph holds only the report node: shape_problems read 8,500 results of a 10,000-triple file from it
    (40,000 triples written, cloned, then read back). Without, the same report graph as pyshacl's."""
    from pyshacl.consts import RDF_type, SH_conforms, SH_result, SH_ValidationReport
    from pyshacl.rdfutil import clone_blank_node

    def create(cls, sg, conforms: bool, found: list) -> tuple[Graph, str]:
        if not conforms and not found:
            raise RuntimeError("A Non-Conformant Validation Report must have at least one result.")
        report = Graph(store=OneGraphStore(), bind_namespaces="core")
        for prefix, namespace in sg.graph.namespace_manager.namespaces():
            report.namespace_manager.bind(prefix, namespace)
        node = BNode()
        report.add((node, RDF_type, SH_ValidationReport))
        report.add((node, SH_conforms, Literal(conforms)))
        cloned: dict = {}
        for _, result, triples in found:
            fields: dict = {}
            if results is None:
                report.add((node, SH_result, result))
            for s, p, o in triples:
                if isinstance(o, tuple):
                    source, value = o
                    if isinstance(value, Literal):
                        o = value
                    elif (source, str(value)) in cloned:
                        o = cloned[(source, str(value))]
                    elif results is not None:  # the value only, not the description of a blank node
                        o = BNode(str(value)) if isinstance(value, BNode) else URIRef(str(value))
                    elif isinstance(value, BNode):
                        o = cloned[(source, str(value))] = clone_blank_node(
                            source, value, report, keepid=True
                        )
                    else:
                        o = cloned[(source, str(value))] = URIRef(str(value))
                if results is None:
                    report.add((s, p, o))
                elif s == result and o not in fields.setdefault(p, []):  # not sh:detail's; each once
                    fields[p].append(o)
            if results is not None:
                results.append(fields)
        return report, f"Validation Report\nConforms: {conforms}\n"

    return classmethod(create)


@contextmanager
def prepared_shape_queries(results: list[dict] | None = None) -> Iterator[None]:
    """Parse each SHACL-SPARQL query of our shapes once, not once per focus node (13 s → 1 s on data/),
    look constraint parameters up by hash (pyshacl's own tables, same order, same results), and skip the
    text of each result: pyshacl writes every result twice, as triples of the report graph (what we read)
    and as a text description for its text report (which nobody here reads: 0.4 s of stringified nodes for
    the 8,500 results, passed or not, of a 10,000-triple contribution). With ``results``, the results are
    appended to it rather than written into the report graph (see :func:`_report_graph`)."""
    from pyshacl import shape as pyshacl_shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.validator import Validator

    cached = getattr(pyshacl_shape, "CONSTRAINT_PARAMS", None)
    pyshacl_shape.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
    original = SPARQLProcessor.query
    describe = ConstraintComponent.make_v_result_description
    ConstraintComponent.make_v_result_description = _no_description
    report = Validator.__dict__["create_validation_report"]
    Validator.create_validation_report = _report_graph(results)
    name = pyshacl_shape.Shape.__str__
    pyshacl_shape.Shape.__str__ = _shape_name(name)

    def query(self, query, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(query, str):
            query = _prepare(query, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
        return original(self, query, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query
    try:
        yield
    finally:
        SPARQLProcessor.query = original
        ConstraintComponent.make_v_result_description = describe
        Validator.create_validation_report = report
        pyshacl_shape.Shape.__str__ = name
        if cached is None:
            del pyshacl_shape.CONSTRAINT_PARAMS
        else:
            pyshacl_shape.CONSTRAINT_PARAMS = cached


def _pick_message(messages: list[Literal], lang: str) -> str:
    for wanted in (lang, None, "en", "fr"):
        for message in messages:
            if message.language == wanted:
                return str(message)
    return str(messages[0]) if messages else ""


def _with_languages(messages: list[Literal], constraint, judge: Judge) -> list[Literal]:
    """A SPARQL constraint's messages with their language tags back: pyshacl fills in {?value} and makes a
    plain literal of each, so the report's language was picked in the order of a set of literals, which
    changed with the hash seed (an English report with the French message). Each filled-in message gets
    the tag of the one message of the constraint it is an instance of."""
    if constraint is None or not messages or any(m.language for m in messages):
        return messages
    patterns = [
        (re.compile(re.sub(r"\\\{\\[?$]\w+\\\}", lambda _: ".*", re.escape(str(t))), re.DOTALL), t.language)
        for t in judge.shapes.objects(constraint, SH.message)
        if isinstance(t, Literal) and t.language
    ]
    tagged = []
    for message in messages:
        languages = {language for pattern, language in patterns if pattern.fullmatch(str(message))}
        tagged.append(Literal(str(message), lang=languages.pop()) if len(languages) == 1 else message)
    return tagged


def _shape_problem(
    fields: dict, graph: Graph, linemap: LineMap, judge: Judge, lang: str, labels: dict
) -> Problem:
    """The problem for one result of the report graph, given as {predicate: [objects]}."""

    def first(predicate):
        return fields.get(predicate, [None])[0]

    focus, path, value = first(_FOCUS_NODE), first(_RESULT_PATH), first(_VALUE)
    component = first(_COMPONENT)
    severity = str(first(_SEVERITY) or SH.Violation).removeprefix(str(SH))
    messages = _with_languages(
        [m for m in fields.get(_MESSAGE, ()) if isinstance(m, Literal)], first(_SOURCE_CONSTRAINT), judge
    )
    shape = first(_SOURCE_SHAPE)
    for message in () if messages else judge.shapes.objects(shape, SH.message):
        messages.append(message)
    line, column = (
        linemap.value(focus, path, value) if isinstance(path, URIRef) else linemap.node(focus)
    ) or (None, None)
    if focus not in labels:
        labels[focus] = live_checks.label_of(focus, (graph, judge.live_graph), lang)
    label = labels[focus]
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
