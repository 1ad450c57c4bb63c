"""What a contribution may change (issue 18, item 5): each refusal on the validator's API, in fr and en, with
its line, and through the HTTP submission (POST /contribute answers 422 and stores nothing)."""

from __future__ import annotations

import pytest

from server import create_app
from server.validator import judge_from_store, validate_with_judge
from server.validator.scope import iri_problem
from tests.helpers.contributions import VALID_POLE

PREFIXES = b"""@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix ptce:    <https://w3id.org/ptce/ontology#> .
@prefix pole:    <https://w3id.org/ptce/id/pole/> .
@prefix orga:    <https://w3id.org/ptce/id/organisation/> .
@prefix rec:     <https://w3id.org/ptce/id/recognition/> .
@prefix status:  <https://w3id.org/ptce/id/status/> .
"""
#: The line of the first statement after PREFIXES.
FIRST = PREFIXES.count(b"\n") + 1

#: The hostile files of the red team's report (issue 18, item 6 of "Why"), each with what refuses it.
HOSTILE = {
    "relabel-vocabulary": (b'ptce:Pole rdfs:label "Scam"@fr , "Scam"@en .\n', "vocabulary"),
    "subclass": (b"org:Organization rdfs:subClassOf ptce:Pole .\n", "subClassOf"),
    "same-as": (b"pole:coursive-boutaric owl:sameAs pole:articulteurs .\n", "sameAs"),
    "retitle-dataset": (b'<https://w3id.org/ptce/dataset> dcterms:title "Faux graphe"@fr .\n', "VoID"),
    "forged-contributor": (
        b"<https://w3id.org/ptce/graph/contribution-00001> prov:wasAttributedTo "
        b'[ a prov:Agent ; foaf:name "Minist\xc3\xa8re" ] .\n',
        "PROV",
    ),
    "forged-curator": (
        b"<https://w3id.org/ptce/contribution/1/acceptance> a prov:Activity ;\n"
        b"    prov:wasAssociatedWith <https://w3id.org/ptce/curator/administrator> .\n"
        b'<https://w3id.org/ptce/curator/administrator> a prov:Agent ; foaf:nick "administrator" .\n',
        "PROV",
    ),
    "prov-on-a-pole": (
        b"pole:coursive-boutaric prov:wasAttributedTo orga:caisse-des-depots .\n",
        "prov:wasAttributedTo",
    ),
    "outside-id": (
        b'<https://example.org/page> dcterms:title "Une page"@fr .\n',
        "<https://w3id.org/ptce/id/>",
    ),
    "new-type": (b"pole:coursive-boutaric a org:Organization .\n", "org:Organization"),
    "double-slash": (
        b"pole:coursive-boutaric dcterms:source <https://w3id.org/ptce//evil.example/login> .\n",
        "//",
    ),
    "relative-dot-segments": (b"pole:coursive-boutaric dcterms:source <../../evil> .\n", "<../../evil>"),
    "escaped-dot-segments": (b"pole:coursive-boutaric dcterms:source pole:x\\/..\\/y .\n", "/../"),
    "escape-in-literal": (b'pole:coursive-boutaric dcterms:description "Hi\\u001B[31m"@fr .\n', "U+001B"),
    "csi-in-literal": (b'pole:coursive-boutaric dcterms:description "Hi \\u009B"@fr .\n', "U+009B"),
    "bidi-in-literal": (b'pole:coursive-boutaric dcterms:description "abc\\u202Efed"@fr .\n', "U+202E"),
    "isolate-in-literal": (b'pole:coursive-boutaric dcterms:description "abc\\u2067d"@fr .\n', "U+2067"),
    "bidi-in-iri": (
        b"pole:coursive-boutaric dcterms:source <https://w3id.org/ptce/id/document/x\\u202Efdp.exe> .\n",
        "U+202E",
    ),
}


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses, over data/."""
    return judge_from_store(store, app.config)


def scope_violations(report):
    """The refusals of a report (kind "scope")."""
    return [p for p in report.violations if p.kind == "scope"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_change_is_refused_with_its_line_in_both_languages(judge, name):
    body, words = HOSTILE[name]
    messages = {}
    for lang in ("en", "fr"):
        report = validate_with_judge(PREFIXES + body, judge, lang=lang, isolate=False)
        refusals = scope_violations(report)
        assert report.status == "does-not-conform" and refusals, (name, report.problems)
        assert all(p.line and p.line >= FIRST for p in refusals), [(p.line, p.message) for p in refusals]
        assert all(p.message and "{" not in p.message for p in refusals)
        messages[lang] = [p.message for p in refusals]
    assert any(words in message for message in messages["en"]), messages["en"]
    assert set(messages["fr"]).isdisjoint(messages["en"])  # the French report is in French


def test_the_vocabulary_refusal_names_the_term_and_says_why(judge):
    report = validate_with_judge(PREFIXES + HOSTILE["relabel-vocabulary"][0], judge, lang="fr", isolate=False)
    (refusal,) = scope_violations(report)
    assert refusal.line == FIRST and refusal.focus == "<https://w3id.org/ptce/ontology#Pole>"
    assert refusal.message.startswith("ptce:Pole est un terme d'un vocabulaire")
    assert "<https://w3id.org/ptce/id/>" in refusal.hint


def test_same_as_and_subclass_are_refused_on_their_own_statement(judge):
    body = PREFIXES + b"\n".join([HOSTILE["same-as"][0], HOSTILE["subclass"][0]])
    report = validate_with_judge(body, judge, lang="en", isolate=False)
    by_path = {p.path: p for p in scope_violations(report) if p.path}
    assert by_path["<http://www.w3.org/2002/07/owl#sameAs>"].line == FIRST
    assert by_path["<http://www.w3.org/2000/01/rdf-schema#subClassOf>"].line == FIRST + 2


def test_forged_provenance_is_refused_at_every_statement(judge):
    report = validate_with_judge(PREFIXES + HOSTILE["forged-curator"][0], judge, lang="en", isolate=False)
    messages = " ".join(p.message for p in scope_violations(report))
    for term in ("prov:Activity", "prov:wasAssociatedWith", "prov:Agent"):
        assert term in messages
    assert "provenance the server records itself" in messages  # the curator and acceptance IRIs


def test_a_new_type_on_an_existing_resource_names_its_classes(judge):
    report = validate_with_judge(PREFIXES + HOSTILE["new-type"][0], judge, lang="en", isolate=False)
    (refusal,) = scope_violations(report)
    assert "already exists as ptce:Pole" in refusal.message and "org:Organization" in refusal.message
    assert refusal.focus_label == "La Coursive Boutaric"


def test_the_prov_properties_of_the_data_model_stay_allowed(judge):
    recognition = (
        PREFIXES
        + (
            "rec:coursive-boutaric--test a ptce:Recognition ;\n"
            '    rdfs:label "La Coursive Boutaric — statut de test (2021)"@fr ;\n'
            "    ptce:holder pole:coursive-boutaric ;\n"
            "    ptce:status status:fabrique-de-territoire ;\n"
            '    dcterms:date "2021"^^xsd:gYear ;\n'
            "    prov:wasAttributedTo orga:anct ;\n"
            "    dcterms:source <https://ess-bfc.org/node/3692> .\n"
        ).encode()
    )
    report = validate_with_judge(recognition, judge, isolate=False)
    assert scope_violations(report) == [], report.problems


def test_restating_the_dataset_changes_nothing_and_is_not_refused(judge):
    existing = PREFIXES + b'pole:coursive-boutaric a ptce:Pole ; rdfs:label "La Coursive Boutaric"@fr .\n'
    report = validate_with_judge(existing, judge, isolate=False)
    assert report.status == "conforms", report.problems


def test_tabs_and_line_breaks_stay_allowed_in_literals(judge):
    text = PREFIXES + b'pole:coursive-boutaric dcterms:description """Ligne\tun\nLigne deux"""@fr .\n'
    assert scope_violations(validate_with_judge(text, judge, isolate=False)) == []


def test_the_valid_pole_passes_every_rule(judge):
    assert validate_with_judge(VALID_POLE, judge, isolate=False).status == "conforms"


def test_iri_rules_on_their_own():
    base = "https://w3id.org/ptce/"
    assert iri_problem("https://w3id.org/ptce//evil.example/login", base) == "iri_double_slash"
    assert iri_problem("https://example.org/a//b", base) == "iri_double_slash"
    assert iri_problem("https://web.archive.org/web/2020/https://example.org/", base) is None
    assert iri_problem("https://w3id.org/ptce/id/pole/./x", base) == "iri_dot_segment"
    assert iri_problem("https://w3id.org/ptce/id/pole/..", base) == "iri_dot_segment"
    assert iri_problem("https://w3id.org/ptce/id/pole/a.b..c", base) is None
    assert iri_problem("https://w3id.org/ptce/id/pole/x\u009b", base) == "iri_control"
    assert iri_problem("https://w3id.org/ptce/id/pole/x?q=a//b", base) is None


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    """A client of an app with its own inbox and no practical rate limit."""
    folder = tmp_path_factory.mktemp("scope")
    app = create_app(
        {
            "TESTING": True,
            "CONTRIBUTIONS_DB": str(folder / "inbox.sqlite3"),
            "CONTRIBUTIONS_RATE_LIMIT": "1000 per hour",
        }
    )
    return app.test_client()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_is_refused_at_submission(submissions, name):
    body, words = HOSTILE[name]
    response = submissions.post(
        "/contribute?lang=en",
        data=PREFIXES + body,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    problems = response.get_json()["report"]["problems"]
    assert any(p["kind"] == "scope" and words in p["message"] for p in problems)
    assert "Location" not in response.headers
