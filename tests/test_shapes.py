"""The SHACL shapes: meta-SHACL validity, fr+en messages, and the valid / invalid / warning test cases."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

PROJECT_DIR = Path(__file__).parent.parent
SHAPES_FILE = PROJECT_DIR / "shapes" / "ptce-shapes.ttl"
ONTOLOGY_FILE = PROJECT_DIR / "ontology" / "ptce.ttl"
CONCEPTS_FILE = PROJECT_DIR / "data" / "concepts.ttl"
CASES_DIR = Path(__file__).parent / "cases"

SH = Namespace("http://www.w3.org/ns/shacl#")
EXPECT_RE = re.compile(r"^# expect: sh:(\w+)\s*$")

VALID_CASES = sorted((CASES_DIR / "valid").glob("*.ttl"))
INVALID_CASES = sorted((CASES_DIR / "invalid").glob("*.ttl"))
WARNING_CASES = sorted((CASES_DIR / "warning").glob("*.ttl"))


@cache
def shapes_graph() -> Graph:
    """The project's shapes graph, parsed once."""
    return Graph().parse(SHAPES_FILE)


@cache
def ontology_graph() -> Graph:
    """The project's ontology, parsed once (given to pyshacl as ont_graph for rdfs:subClassOf)."""
    return Graph().parse(ONTOLOGY_FILE)


def run_case(case: Path) -> tuple[bool, Graph, str]:
    """Validate one case file, merged with the shared concept schemes, as contributed files are validated."""
    data = Graph().parse(case)
    if CONCEPTS_FILE.exists():
        data.parse(CONCEPTS_FILE)
    conforms, report, text = validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
    )
    return conforms, report, text


def expected_component(case: Path) -> URIRef:
    """The constraint component announced on the first line of a case (``# expect: sh:...``)."""
    first_line = case.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT_RE.match(first_line)
    assert match, f"{case.name}: first line must be '# expect: sh:<Component>', got {first_line!r}"
    return SH[match.group(1)]


def results(report: Graph, severity: URIRef) -> list[Node]:
    """The top-level validation results of a report with the given severity (sh:detail results left out)."""
    details = set(report.objects(None, SH.detail))
    return [
        r
        for r in report.subjects(RDF.type, SH.ValidationResult)
        if (r, SH.resultSeverity, severity) in report and r not in details
    ]


@pytest.mark.slow  # SHACL-SHACL over the shapes graph: seconds
def test_shapes_graph_passes_meta_shacl() -> None:
    conforms, _, text = validate(ontology_graph(), shacl_graph=shapes_graph(), meta_shacl=True)
    assert conforms, text


def message_holders(shapes: Graph) -> set[Node]:
    """What must carry sh:message: property shapes, SPARQL constraints and node shapes with a node-level sh:or.

    Members of an sh:or list (the coordinate boxes) and their property shapes are left out: the shape that
    holds the sh:or reports their failure with its own message.
    """
    or_members: set[Node] = set()
    for or_list in shapes.objects(None, SH["or"]):
        for member in shapes.collection(or_list):
            or_members.add(member)
            or_members |= set(shapes.objects(member, SH.property))
    holders = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    holders |= {
        shape for shape in shapes.subjects(RDF.type, SH.NodeShape) if (shape, SH["or"], None) in shapes
    }
    return holders - or_members


def test_every_constraint_has_french_and_english_message() -> None:
    shapes = shapes_graph()
    missing = []
    for holder in message_holders(shapes):
        languages = {m.language for m in shapes.objects(holder, SH.message)}
        if not {"fr", "en"} <= languages:
            path = shapes.value(holder, SH.path)
            missing.append(f"{holder} (path {path}): languages {sorted(str(x) for x in languages)}")
    assert not missing, "constraints without a fr+en sh:message:\n" + "\n".join(sorted(missing))


def test_every_class_shape_has_valid_and_invalid_cases() -> None:
    """Each sh:targetClass shape has an invalid case named after it and an instance in some valid case.

    The cross-class shapes (coordinates, past dates, SIREN) are covered by the Pole, Commune and
    Organization cases.
    """
    shapes = shapes_graph()
    subclass_of = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    valid_data = Graph()
    for case in VALID_CASES:
        valid_data.parse(case)
    without_invalid, without_valid = [], []
    for shape, cls in shapes.subject_objects(SH.targetClass):
        name = str(shape).rsplit("#", 1)[1].removesuffix("Shape")
        if not any(case.name.startswith(name + ".") for case in INVALID_CASES):
            without_invalid.append(name)
        classes = set(ontology_graph().transitive_subjects(subclass_of, cls))  # cls and its subclasses
        if not any((None, RDF.type, c) in valid_data for c in classes):
            without_valid.append(name)
    assert not without_invalid, f"no invalid case for: {sorted(without_invalid)}"
    assert not without_valid, f"no valid case for: {sorted(without_valid)}"


@pytest.mark.parametrize("case", VALID_CASES, ids=[c.stem for c in VALID_CASES])
def test_valid_case_conforms(case: Path) -> None:
    conforms, report, text = run_case(case)
    assert conforms, text
    assert not results(report, SH.Warning), text


@pytest.mark.parametrize("case", INVALID_CASES, ids=[c.stem for c in INVALID_CASES])
def test_invalid_case_is_rejected_by_the_expected_constraint(case: Path) -> None:
    expected = expected_component(case)
    conforms, report, text = run_case(case)
    assert not conforms, f"{case.name} should not conform\n{text}"
    violations = results(report, SH.Violation)
    components = {report.value(r, SH.sourceConstraintComponent) for r in violations}
    assert expected in components, f"expected {expected} among {sorted(components)}\n{text}"
    # one defect per file: every violation is about the same resource
    focus_nodes = {report.value(r, SH.focusNode) for r in violations}
    assert len(focus_nodes) == 1, f"violations on several resources {sorted(focus_nodes)}\n{text}"


@pytest.mark.parametrize("case", WARNING_CASES, ids=[c.stem for c in WARNING_CASES])
def test_warning_case_conforms_but_warns(case: Path) -> None:
    expected = expected_component(case)
    conforms, report, text = run_case(case)
    assert conforms, text
    components = {report.value(r, SH.sourceConstraintComponent) for r in results(report, SH.Warning)}
    assert expected in components, f"expected a warning from {expected} among {sorted(components)}\n{text}"
