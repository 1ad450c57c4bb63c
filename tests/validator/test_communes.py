"""Communes named by INSEE code: official ones need no description, wrong codes get the nearest real ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.validator import judge_from_store, validate_with_judge

CASES = Path(__file__).parent.parent / "cases" / "validator"


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses."""
    return judge_from_store(store, app.config)


def test_the_example_commune_is_not_in_the_dataset(store):
    assert not store.ask("ASK { <https://w3id.org/ptce/id/commune/29232> ?p ?o }")


def test_an_official_commune_needs_no_description_and_is_no_dangling_link(judge):
    report = validate_with_judge(
        (CASES / "commune-official-not-in-dataset.ttl").read_bytes(), judge, isolate=False
    )
    assert report.status == "conforms" and report.problems == ()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "21213 n'est pas un code de commune ; vouliez-vous dire 21231 (Dijon)"),
        ("en", "21213 is not a commune code; did you mean 21231 (Dijon)"),
    ],
)
def test_a_mistyped_code_is_a_violation_with_the_nearest_codes(judge, lang, message):
    source = (CASES / "commune-unknown-code.ttl").read_bytes()
    report = validate_with_judge(source, judge, lang=lang, isolate=False)
    (problem,) = [p for p in report.problems if p.kind == "territory"]
    assert problem.severity == "Violation" and problem.message.startswith(message)
    line = next(n for n, text in enumerate(source.decode().splitlines(), 1) if "commune:21213" in text)
    assert problem.line == line and problem.value == "<https://w3id.org/ptce/id/commune/21213>"
    assert "INSEE" in problem.hint


def test_a_code_far_from_any_commune_is_reported_without_a_guess(judge):
    turtle = (
        b"<https://w3id.org/ptce/id/pole/x> a <https://w3id.org/ptce/ontology#Pole> ;\n"
        b'  <http://www.w3.org/2000/01/rdf-schema#label> "X"@fr ;\n'
        b"  <https://schema.org/location> <https://w3id.org/ptce/id/commune/ZZZZZ> ;\n"
        b"  <http://purl.org/dc/terms/source> <https://x.example.org/> .\n"
    )
    report = validate_with_judge(turtle, judge, lang="fr", isolate=False)
    (problem,) = [p for p in report.problems if p.kind == "territory"]
    assert (
        "n'est pas le code INSEE d'une commune" in problem.message and "vouliez-vous" not in problem.message
    )
