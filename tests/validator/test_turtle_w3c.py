"""The W3C Turtle test suite through the validator's parsing stage (strict syntax check + the graph it validates)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.compare import isomorphic

from server.validator.pipeline import contribution_graph
from server.validator.syntax import InputRejected, check_turtle

SUITE = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "w3c-rdf-turtle"
BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")
KINDS = {
    RDFT.TestTurtleEval: "eval",
    RDFT.TestTurtlePositiveSyntax: "positive",
    RDFT.TestTurtleNegativeSyntax: "negative",
    RDFT.TestTurtleNegativeEval: "negative",
}


def _cases() -> list:
    if not (SUITE / "manifest.ttl").is_file():
        return [
            pytest.param(
                None, None, None, marks=pytest.mark.skip(reason=f"W3C Turtle suite not found at {SUITE}")
            )
        ]
    manifest = Graph().parse(SUITE / "manifest.ttl", publicID=BASE + "manifest.ttl")
    cases = []
    for test in manifest.subjects(RDF.type, None):
        kind = KINDS.get(manifest.value(test, RDF.type))
        if kind is None:
            continue
        action = str(manifest.value(test, MF.action))
        result = manifest.value(test, MF.result)
        name = str(manifest.value(test, MF.name) or test.split("#")[-1])
        cases.append(pytest.param(kind, action, str(result) if result else None, id=name))
    return sorted(cases, key=lambda case: case.id)


@pytest.mark.parametrize(("kind", "action", "result"), _cases())
def test_w3c_turtle(kind, action, result):
    data = (SUITE / action.rsplit("/", 1)[1]).read_bytes()
    if kind == "negative":
        with pytest.raises(InputRejected) as rejected:
            check_turtle(data, action)
        assert rejected.value.problem.line is not None or rejected.value.problem.kind == "input"
        return
    source, triples = check_turtle(data, action)
    graph, _ = contribution_graph(source, triples, action)
    if kind == "eval":
        expected = Graph().parse(data=(SUITE / result.rsplit("/", 1)[1]).read_bytes(), format="nt")
        assert isomorphic(graph, expected)
