"""Validation sees the graph (issue 18, item 3): a contribution's report holds the violations its statements
cause on existing resources of other files, named in words, and only those it causes."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from server import create_app
from server.validator import judge_from_store, validate_with_judge
from server.validator.linemap import parse_with_lines
from server.validator.shapes import inverse_predicates, neighbourhood, touched_resources
from tests.helpers.contributions import VALID_POLE

#: The red team's file: one statement, 0 warnings before, and a server that refused to start once accepted.
ONE_TRIPLE = b"""@prefix org:  <http://www.w3.org/ns/org#> .
@prefix pole: <https://w3id.org/ptce/id/pole/> .
@prefix ms:   <https://w3id.org/ptce/id/membership/> .
pole:coursive-boutaric org:hasMembership ms:articulteurs--cine-manivel .
"""
MEMBERSHIP = "<https://w3id.org/ptce/id/membership/articulteurs--cine-manivel>"


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses, over data/."""
    return judge_from_store(store, app.config)


def test_a_link_that_breaks_another_files_membership_is_a_violation_named_in_words(judge):
    for lang, opening in (("en", "Elsewhere in the graph"), ("fr", "Ailleurs dans le graphe")):
        report = validate_with_judge(ONE_TRIPLE, judge, lang=lang, isolate=False)
        assert report.status == "does-not-conform"
        (problem,) = report.violations
        assert problem.kind == "graph" and problem.focus == MEMBERSHIP
        assert problem.message.startswith(opening)
        assert "Ciné Manivel — membre fondateur de Les Articulteurs" in problem.message
        assert "ms:articulteurs--cine-manivel" in problem.message  # with the file's own prefix
        assert (problem.line, problem.excerpt) == (4, ONE_TRIPLE.decode().splitlines()[3])
        assert problem.value == "<https://w3id.org/ptce/id/pole/coursive-boutaric>"
        assert problem.hint


def test_the_same_file_in_a_forked_child_as_the_server_runs_it(judge):
    report = validate_with_judge(ONE_TRIPLE, judge, lang="en")
    assert [p.kind for p in report.violations] == ["graph"]


def test_what_the_live_data_already_says_is_not_reported_again(judge):
    """The valid pole links to existing resources (a commune, roles, an organisation of data/): nothing of
    theirs is reported, and a restatement of an existing membership changes nothing."""
    assert validate_with_judge(VALID_POLE, judge, lang="en", isolate=False).problems == ()
    restated = ONE_TRIPLE.replace(b"coursive-boutaric", b"articulteurs")
    assert validate_with_judge(restated, judge, lang="en", isolate=False).status == "conforms"


def test_the_touched_resources_include_the_membership_and_its_organisations(judge):
    graph, _ = parse_with_lines(ONE_TRIPLE.decode(), judge.base_iri)
    inverse = inverse_predicates(judge.shapes)
    near = neighbourhood(graph, judge.live_graph, inverse)
    touched = touched_resources(graph, judge.live_graph, near, inverse)
    for iri in (
        "https://w3id.org/ptce/id/membership/articulteurs--cine-manivel",
        "https://w3id.org/ptce/id/pole/articulteurs",
        "https://w3id.org/ptce/id/organisation/cine-manivel",
    ):
        assert URIRef(iri) in touched
    assert (None, None, URIRef(MEMBERSHIP[1:-1])) in near  # the other pole's link, which the shape compares


def test_the_one_triple_file_is_refused_at_submission(tmp_path):
    app = create_app({"TESTING": True, "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")})
    response = app.test_client().post(
        "/contribute?lang=en",
        data=ONE_TRIPLE,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
    )
    assert response.status_code == 422
    report = response.get_json()["report"]
    assert report["counts"]["violations"] == 1
    (problem,) = report["problems"]
    assert problem["kind"] == "graph" and problem["focus"] == MEMBERSHIP and problem["line"] == 4
