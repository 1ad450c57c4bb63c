"""The validation core on real shapes, ontology and dataset: lines, messages in fr/en, vocabulary, live graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from server.validator import judge_from_store, validate_with_judge
from server.validator.linemap import parse_with_lines

EXAMPLES = Path(__file__).parent.parent / "cases" / "validator"


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses (shapes, ontology, live graph from the store)."""
    return judge_from_store(store, app.config)


def check(judge, name: str, lang: str = "en", **options):
    """Validate one example file."""
    return validate_with_judge((EXAMPLES / name).read_bytes(), judge, lang=lang, **options)


def line_of(name: str, needle: str) -> int:
    """The 1-based line of the first line of an example file containing ``needle``."""
    lines = (EXAMPLES / name).read_text(encoding="utf-8", errors="replace").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_full_pole_description_conforms_and_is_summarised(judge):
    report = check(judge, "valid-pole.ttl")
    assert report.status == "conforms", report.problems
    assert report.problems == ()
    assert dict(report.summary.new_resources) == {
        "org:Membership": 2,
        "org:Organization": 1,
        "ptce:ESSEnterprise": 1,
        "ptce:Pole": 1,
    }
    assert (
        report.summary.triples
        == report.summary.new_triples
        == len(Graph().parse(EXAMPLES / "valid-pole.ttl"))
    )


def test_missing_french_label_points_at_the_pole_statement_in_both_languages(judge):
    fr, en = check(judge, "broken-pole-no-label.ttl", "fr"), check(judge, "broken-pole-no-label.ttl", "en")
    for report in (fr, en):
        assert report.status == "does-not-conform"
        (problem,) = report.violations
        assert (problem.line, problem.column) == (line_of("broken-pole-no-label.ttl", "a ptce:Pole"), 1)
        assert problem.focus == "<https://w3id.org/ptce/id/pole/la-fabrique-du-test>"
        assert problem.focus_label == "The Test Factory"
        assert problem.path == "<http://www.w3.org/2000/01/rdf-schema#label>"
        assert problem.excerpt.startswith("pole:la-fabrique-du-test a ptce:Pole")
    assert fr.violations[0].message.startswith("Donnez un nom en français")
    assert en.violations[0].message.startswith("Give a French name")


def test_wrong_role_is_reported_on_the_value_line_with_a_dangling_link_warning(judge):
    report = check(judge, "broken-membership-role.ttl")
    line = line_of("broken-membership-role.ttl", "role:chef")
    (violation,) = report.violations
    assert violation.line == line and violation.column == 14
    assert violation.value == "<https://w3id.org/ptce/id/role/chef>"
    assert violation.focus_label == "Labo de l'ESS, partenaire de La Fabrique du Test"
    assert "roles scheme" in violation.message
    assert [(w.kind, w.line) for w in report.warnings] == [("link", line)]


def test_unknown_term_of_our_vocabulary_suggests_the_nearest(judge):
    report = check(judge, "broken-unknown-term.ttl", "fr")
    (problem,) = report.violations
    assert problem.kind == "vocabulary"
    assert problem.line == line_of("broken-unknown-term.ttl", "ptce:secteur")
    assert "ptce:secteur n'existe pas" in problem.message and "ptce:sector" in problem.hint


def test_class_used_as_property_and_property_used_as_class(judge):
    report = check(judge, "broken-class-as-property.ttl")
    assert [(p.kind, p.value, p.line) for p in report.violations] == [
        ("vocabulary", "org:Membership", line_of("broken-class-as-property.ttl", "org:Membership orga:"))
    ]
    report = check(judge, "broken-organisation-kind.ttl")
    kinds = {p.kind: p for p in report.violations}
    assert kinds["vocabulary"].message == "ptce:siren is a property, used here as a class."
    assert kinds["shape"].line == line_of("broken-organisation-kind.ttl", "ptce:siren")


def test_links_to_the_live_graph_resolve_and_duplicates_are_warned(judge):
    report = check(judge, "warning-duplicate.ttl")
    by_kind = {p.kind: p for p in report.problems}
    assert by_kind["duplicate"].severity == "Warning"
    assert by_kind["duplicate"].value == "<https://w3id.org/ptce/id/organisation/toucy-entraide>"
    assert by_kind["duplicate"].line == line_of("warning-duplicate.ttl", "orga:toucy-entraide-bis a")
    assert by_kind["link"].value == "<https://w3id.org/ptce/id/organisation/labo-ess-typo>"
    # commune:26311, role:structure-porteuse and orga:labo-ess exist only in the dataset: no warning about them
    assert {p.value for p in report.problems if p.kind == "link"} == {by_kind["link"].value}


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_changed_single_value_is_listed_in_the_summary(judge):
    report = check(judge, "changed-commune-latitude.ttl")
    (changed,) = report.summary.changed_values
    assert changed.path == "<http://www.w3.org/2003/01/geo/wgs84_pos#lat>"
    assert changed.label == "Saint-Leu" and changed.line == 5
    assert "-21.5" in changed.new and "-21.18156" in changed.old
    assert report.summary.new_resources == ()


@pytest.mark.parametrize(
    ("name", "line", "column", "words"),
    [
        ("syntax-missing-dot.ttl", 5, 1, "Missing '.'"),
        ("syntax-undeclared-prefix.ttl", 4, 5, "Prefix schema: is not declared"),
        ("syntax-space-in-iri.ttl", 4, 18, "not allowed in an IRI"),
        ("syntax-slash-in-name.ttl", 10, 8, "'/'"),
        ("bad-utf8.ttl", 3, 48, "not valid UTF-8"),
    ],
)
def test_syntax_errors_have_line_column_and_plain_message(judge, name, line, column, words):
    report = check(judge, name)
    assert report.status == "invalid-input" and report.exit_code == 2
    (problem,) = report.problems
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message and "Traceback" not in problem.message
    assert problem.excerpt


def test_linemap_positions_of_triples_nested_blank_nodes_and_multiline_literals():
    source = (EXAMPLES / "valid-pole.ttl").read_text() + (
        '\n<https://x.example/a> <https://x.example/p> [ <https://x.example/q> """two\nlines""" ] .\n'
    )
    graph, linemap = parse_with_lines(source, "https://w3id.org/ptce/")
    pole = URIRef("https://w3id.org/ptce/id/pole/la-fabrique-du-test")
    assert linemap.node(pole) == (line_of("valid-pole.ttl", "a ptce:Pole"), 1)
    url = URIRef("https://schema.org/url")
    assert linemap.value(pole, url, graph.value(pole, url))[0] == line_of("valid-pole.ttl", "schema:url")
    blank = graph.value(URIRef("https://x.example/a"), URIRef("https://x.example/p"))
    end = len(source.splitlines())
    assert linemap.node(blank) == (end - 1, 45)
    assert (
        linemap.value(
            blank, URIRef("https://x.example/q"), graph.value(blank, URIRef("https://x.example/q"))
        )[0]
        == end - 1
    )
    assert len(graph) == len(Graph().parse(data=source, format="turtle"))


@pytest.mark.slow  # about a second or more: left out of the inner loop
def test_in_process_and_isolated_runs_agree(judge):
    isolated = check(judge, "broken-membership-role.ttl")
    direct = check(judge, "broken-membership-role.ttl", isolate=False)
    assert direct.problems == isolated.problems and direct.summary == isolated.summary


@pytest.mark.parametrize(
    ("turtle", "conforms"),
    [
        # A link between existing resources: the pole's own values (commune, sector, memberships) are two
        # steps from the file and must still be found in the live graph.
        (
            "<https://w3id.org/ptce/id/pole/coursive-boutaric> <https://w3id.org/ptce/ontology#characteristic> "
            "<https://w3id.org/ptce/id/characteristic/decloisonnement> .",
            True,
        ),
        (
            "<https://w3id.org/ptce/id/pole/coursive-boutaric> <https://w3id.org/ptce/ontology#sector> "
            "<https://w3id.org/ptce/id/role/membre> .",
            False,
        ),
    ],
    ids=["link-between-existing-resources", "wrong-kind-of-concept"],
)
def test_contributions_that_only_add_links_are_judged_with_the_live_graph(judge, turtle, conforms):
    report = validate_with_judge(turtle.encode(), judge, lang="en", isolate=False)
    assert report.conforms is conforms, [p.message for p in report.problems]
