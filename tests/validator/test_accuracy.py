"""Regression tests of the validator's accuracy: well-known vocabularies, ranked suggestions, ';' vs '.',
empty files, causes before effects, and French reports without English words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.validator import judge_from_store, validate_with_judge
from server.validator.messages import counts

VALID = (Path(__file__).parent.parent / "cases" / "validator" / "valid-pole.ttl").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses."""
    return judge_from_store(store, app.config)


def check(judge, old: str, new: str, lang: str = "en"):
    """Validate the valid example with ``old`` replaced by ``new`` (in-process, for speed)."""
    assert old in VALID
    return validate_with_judge(VALID.replace(old, new, 1).encode(), judge, lang=lang, isolate=False)


@pytest.mark.parametrize(
    "old, new, first",
    [
        ("schema:foundingDate", "schema:foundingdate", "schema:foundingDate"),
        ('rdfs:label "La Fabrique', 'rdfs:lable "La Fabrique', "rdfs:label"),
        ("org:role role:partenaire", "org:rol role:partenaire", "org:role"),
        ("dcterms:description", "dcterms:descripton", "dcterms:description"),
        ("ptce:sector", "ptce:secteur", "ptce:sector"),
    ],
)
def test_unknown_terms_of_well_known_vocabularies_are_flagged_with_the_best_suggestion_first(
    judge, old, new, first
):
    report = check(judge, old, new)
    (problem,) = [p for p in report.problems if p.kind == "vocabulary"]
    term = new.split()[0]
    assert problem.value == term and f"{term} does not exist" in problem.message
    assert problem.hint.startswith(f"Did you mean {first}"), problem.hint


def test_a_class_used_as_a_property_proposes_the_property_of_the_same_name(judge):
    report = check(judge, "schema:url <https", "schema:URL <https")
    (problem,) = report.violations
    assert "schema:URL is a class" in problem.message
    assert problem.hint.startswith("Did you mean schema:url"), problem.hint


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_terms_our_data_uses_are_all_known(judge, store):
    from server.validator.linemap import parse_with_lines
    from server.validator.vocabulary import check_vocabulary

    for source in store.sources:
        if source.kind != "data":
            continue
        graph, linemap = parse_with_lines(Path(source.path).read_text(encoding="utf-8"), judge.base_iri)
        assert check_vocabulary(graph, linemap, judge.vocabulary) == [], source.path


def test_a_missing_semicolon_is_not_reported_as_a_missing_dot(judge):
    missing_semicolon = check(judge, '"L\'Atelier du Test"@fr ;', '"L\'Atelier du Test"@fr', "fr")
    (problem,) = missing_semicolon.problems
    assert problem.kind == "syntax" and "';'" in problem.message and "'.'" not in problem.message
    assert problem.excerpt.strip().startswith("schema:location")
    missing_dot = check(
        judge,
        "dcterms:source <https://fabrique-du-test.example.org/a-propos> .\n\norga:",
        "dcterms:source <https://fabrique-du-test.example.org/a-propos>\n\norga:",
        "fr",
    )
    (problem,) = missing_dot.problems
    assert "'.'" in problem.message and "';'" not in problem.message


@pytest.mark.parametrize("body", [b"", b"   \n# only a comment\n", b"@prefix ex: <http://example.org/> .\n"])
def test_an_empty_file_does_not_conform(judge, body):
    report = validate_with_judge(body, judge, lang="fr", isolate=False)
    assert report.status == "does-not-conform" and not report.conforms and report.exit_code == 1
    assert "aucun triplet" in report.problems[0].message


def test_a_misspelt_term_comes_before_the_shape_violation_it_causes(judge):
    report = check(judge, 'rdfs:label "La Fabrique', 'rdfs:lable "La Fabrique')
    kinds = [p.kind for p in report.problems]
    assert kinds == ["vocabulary", "shape"], report.problems
    assert report.problems[1].line < report.problems[0].line  # reported on the subject, yet listed after


def test_plural_forms_and_no_english_words_in_french():
    assert counts(0, 0, "fr") == "0 violation, 0 avertissement"
    assert counts(2, 3, "fr") == "2 violations, 3 avertissements"
    assert counts(1, 0, "en") == "1 violation, 0 warnings"


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_french_html_and_cli_reports_have_no_english_words(client, runner, tmp_path):
    body = VALID.replace("schema:foundingDate", "schema:foundingdate").encode()
    html = client.post(
        "/validate?lang=fr&format=html", data=body, headers={"Content-Type": "text/turtle"}
    ).text
    html = re.sub(r"<[^>]*>", " ", html)  # the text a reader sees (class names are not shown)
    assert "Avertissement" in html and "0 violation, 1 avertissement" in html
    for english in ("Warning", "warning", "(s)"):
        assert english not in html
    from server.cli import main as ptce

    path = tmp_path / "pole.ttl"
    path.write_bytes(body)
    result = runner.invoke(ptce, ["validate", "--lang", "fr", str(path)])
    assert ": avertissement: schema:foundingdate n'existe pas" in result.output
    assert "(0 violation, 1 avertissement)" in result.output and "warning" not in result.output


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_a_changed_single_value_replaces_the_old_one_instead_of_breaking_max_count(judge):
    body = (
        Path(__file__).parent.parent / "cases" / "contributions" / "change-dijon-latitude.ttl"
    ).read_bytes()
    report = validate_with_judge(body, judge, lang="en", isolate=False)
    assert report.status == "conforms", report.problems
    (changed,) = report.summary.changed_values
    assert "47.33187" in changed.old and "47.3222" in changed.new
