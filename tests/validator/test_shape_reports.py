"""The SHACL step: pyshacl's results as the validator reads them, and what the speed-ups must not change."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic

from server.validator import judge_from_store, validate_with_judge
from server.validator.shapes import _with_languages, prepared_shape_queries

INVALID = Path(__file__).parent.parent / "cases" / "invalid"


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses."""
    return judge_from_store(store, app.config)


@pytest.mark.parametrize(
    ("case", "english", "french"),
    [
        ("Pole.founding-date-future.ttl", "The date 2209 is in the future", "La date 2209 est dans le futur"),
        ("Award.pole-not-laureate-of-call.ttl", "The award's pole (", "Le pôle de l'attribution ("),
    ],
)
def test_a_sparql_constraint_speaks_the_language_of_the_report(judge, case, english, french):
    """pyshacl drops the language of a SPARQL constraint's message when it fills in {?value}: the report
    picked one in the order of a set, which changed with the hash seed."""
    for lang, start in (("en", english), ("fr", french)):
        report = validate_with_judge((INVALID / case).read_bytes(), judge, lang=lang, isolate=False)
        messages = [p.message for p in report.problems if p.component == "sh:SPARQLConstraintComponent"]
        assert len(messages) == 1 and messages[0].startswith(start), (lang, messages)


def test_filled_in_messages_get_the_tag_of_their_template(judge):
    constraint = URIRef("https://w3id.org/ptce/shapes#NoFutureDate")
    filled = [
        Literal(
            "La date 2999 est dans le futur : le graphe ne décrit que des faits passés et sourcés. "
            "Corrigez l'année ou la date (format AAAA, AAAA-MM ou AAAA-MM-JJ)."
        )
    ]
    assert [m.language for m in _with_languages(filled, constraint, judge)] == ["fr"]
    assert _with_languages([Literal("no template says this")], constraint, judge)[0].language is None
    tagged = [Literal("x", lang="en")]
    assert _with_languages(tagged, constraint, judge) == tagged


def test_the_report_graph_is_pyshacls_when_asked_for(judge):
    """Without a results list (the start-up check), the patched pyshacl gives the graph pyshacl gives."""
    data = Graph()
    data.parse(INVALID / "Award.pole-not-laureate-of-call.ttl")
    data += judge.ontology
    graphs = []
    for patched in (False, True):
        shapes = Graph()
        shapes += judge.shapes
        options = dict(shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True)
        if patched:
            with prepared_shape_queries():
                conforms, report, _ = shacl_validate(data, **options)
        else:
            conforms, report, _ = shacl_validate(data, **options)
        graphs.append((conforms, to_isomorphic(report)))
    assert graphs[0][0] is graphs[1][0] is False
    assert graphs[0][1] == graphs[1][1]


@pytest.mark.parametrize(
    "case", ["Membership.role-not-in-roles-scheme.ttl", "Pole.coordinates-outside-france.ttl"]
)
def test_the_results_list_holds_what_the_report_graph_says_of_each_result(judge, case):
    """shape_problems reads pyshacl's results from a list: each result's own statements (not those of the
    results nested under it by sh:node, sh:detail), as the report graph has them."""
    from collections import Counter

    from server.namespaces import SH

    data = Graph()
    data.parse(INVALID / case)
    data += judge.ontology

    def key(fields: dict) -> tuple:  # the nested results' blank nodes differ from one run to the next
        return tuple(
            sorted(
                (str(p), tuple(sorted("a nested result" if p == SH.detail else str(o) for o in objects)))
                for p, objects in fields.items()
            )
        )

    shapes = Graph()
    shapes += judge.shapes
    options = dict(shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True)
    with prepared_shape_queries():
        _, report, _ = shacl_validate(data, **options)
    from_graph = Counter()
    for result in report.objects(None, SH.result):
        fields: dict = {}
        for p, o in report.predicate_objects(result):
            fields.setdefault(p, []).append(o)
        from_graph[key(fields)] += 1
    listed: list[dict] = []
    with prepared_shape_queries(listed):
        shacl_validate(data, **options)
    assert Counter(key(fields) for fields in listed) == from_graph
    assert from_graph
