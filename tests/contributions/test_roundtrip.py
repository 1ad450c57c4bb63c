"""What is checked is what is written: the writer's Turtle reads back as exactly the triples meant (any string,
language tag, datatype, lexical form), relative IRIs are resolved or refused, and accept and revert run the
start-up check on the whole data they would make before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from server.contributions import graph_check, turtle_out, writer
from server.contributions.curation_error import CurationError
from server.contributions.inbox import ACCEPTED, PENDING, Inbox
from server.namespaces import PREFIXES
from tests.helpers.contributions import (
    PROJECT,
    TOKEN,
    VALID_POLE,
    config_for,
    copy_data,
    ptce_serving,
    same_tree,
)

BASE = "https://w3id.org/ptce/"
XSD = "http://www.w3.org/2001/XMLSchema#"
POLE = URIRef(BASE + "id/pole/la-fabrique-du-test")
#: The issue's description: several lines, ending in an escaped quote (rdflib wrote it back unreadable).
DESCRIPTION = 'Première ligne\nSeconde ligne, « citée » "'
TRICKY = VALID_POLE.replace(
    '"Pôle fictif servant aux tests du validateur."@fr'.encode(),
    '"Première ligne\\nSeconde ligne, « citée » \\""@fr'.encode(),
).replace(
    b'schema:foundingDate "2016"^^xsd:gYear ;',
    b'schema:foundingDate "2016"^^xsd:gYear ;\n    rdfs:comment "true "^^xsd:boolean , "01"^^xsd:integer ;',
)
#: The issue's file that conforms alone but not in the graph (another pole's membership).
MEMBERSHIP = (
    "<https://w3id.org/ptce/id/pole/coursive-boutaric> <http://www.w3.org/ns/org#hasMembership> "
    "<https://w3id.org/ptce/id/membership/articulteurs--cine-manivel> .\n"
)
PTCE = str(Path(sys.executable).parent / "ptce")
PREFIX_MAP = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}

# --- the serializer, property-tested ------------------------------------------------------------------------


def _tagged(value: str, tag: str):
    """A language-tagged literal, or None for a tag Oxigraph refuses (it checks BCP 47)."""
    try:
        return ox.Literal(value, language=tag)
    except ValueError:
        return None


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
#: Lexical forms: any text, and the ones a Turtle writer is tempted to write bare (``01``, ``true``, ``1e3``).
lexical = st.one_of(
    texts,
    st.from_regex(r"\A[+-]?[0-9]{1,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,2})?\Z"),
    st.sampled_from(["true", "false", "true ", " 1", "01", "0.10", "+1", ".5", "1.", "INF", "NaN"]),
)
language_tags = st.from_regex(r"\A[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}\Z")
datatypes = st.sampled_from(
    [XSD + name for name in ("integer", "boolean", "decimal", "dateTime", "gYear", "double", "anyURI")]
    + ["https://example.org/type#custom", "https://w3id.org/ptce/ontology#code"]
)
local_names = st.lists(
    st.sampled_from(["a", "Z", "0", "-", "_", ".", "~", "%20", "é"]), min_size=1, max_size=9
).map("".join)
local_names = local_names.filter(lambda name: not turtle_out.unsafe_iri(BASE + "id/pole/" + name))
subjects = st.builds(lambda name: ox.NamedNode(BASE + "id/pole/" + name), local_names)
predicates = st.sampled_from(
    [ox.NamedNode(iri) for iri in ("http://purl.org/dc/terms/description", "https://schema.org/name")]
)
literals = st.one_of(
    st.builds(ox.Literal, texts),
    st.builds(_tagged, texts, language_tags).filter(bool),
    st.builds(lambda value, datatype: ox.Literal(value, datatype=ox.NamedNode(datatype)), lexical, datatypes),
)
objects = st.one_of(literals, subjects, st.builds(lambda n: ox.BlankNode(f"b{n}"), st.integers(0, 3)))
triples = st.lists(st.builds(ox.Triple, subjects, predicates, objects), max_size=12)


def _rdflib_term(term):
    """The rdflib term for an Oxigraph term, its lexical form kept (never normalised)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    if term.datatype.value == XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def _rdflib_parse(text: str) -> Graph:
    """rdflib's reading of a Turtle text with literals kept as written."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(data=text, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _lexical(graph: Graph) -> set:
    """Every literal of a graph with its exact lexical form, language (lower case) and datatype."""
    return {
        (str(o), (o.language or "").lower(), str(o.datatype or "").replace(XSD + "string", ""))
        for o in graph.objects()
        if isinstance(o, Literal)
    }


@pytest.mark.filterwarnings("ignore::UserWarning")  # rdflib warns of ill-typed lexical forms
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples)
@example(
    [
        ox.Triple(
            ox.NamedNode(BASE + "id/pole/x"),
            ox.NamedNode(BASE + "p"),
            ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),
        )
    ]
)
def test_the_writer_turtle_reads_back_as_the_same_triples_in_oxigraph_and_rdflib(generated):
    text = turtle_out.turtle_text(generated, PREFIX_MAP)
    back = turtle_out.parse_exactly(text)
    assert len(back) == len(set(generated))  # each statement once
    assert {t for t in back if not isinstance(t.object, ox.BlankNode)} == {
        t for t in generated if not isinstance(t.object, ox.BlankNode)
    }
    for t in generated:  # what a revert appends when it cannot put the lines back reads back the same
        if not isinstance(t.object, ox.BlankNode):
            assert turtle_out.parse_exactly(turtle_out.statement(t)) == [t]
    expected = Graph()
    for t in generated:
        expected.add(tuple(_rdflib_term(term) for term in t))
    parsed = _rdflib_parse(text)
    assert _lexical(parsed) == _lexical(expected)  # "01" stays "01", "true " stays "true "
    if all(not (isinstance(o, Literal) and o.language) for o in expected.objects()):
        assert isomorphic(parsed, expected)


# --- the accepted file: exact literals, relative IRIs ---------------------------------------------------------


def test_relative_iris_are_resolved_and_dot_segments_refused():
    resolved = turtle_out.contribution_triples(1, b"<../x> <p> <id/pole/y> .", BASE)
    assert [str(term) for term in resolved[0]] == [
        "<https://w3id.org/x>",
        "<https://w3id.org/ptce/p>",
        "<https://w3id.org/ptce/id/pole/y>",
    ]
    for iri in (BASE + "id/pole/../evil", BASE + "/evil.example/login", BASE + "id/./pole"):
        with pytest.raises(CurationError, match="cannot be written safely"):
            turtle_out.contribution_triples(1, f"<{iri}> <{BASE}p> 1 .".encode(), BASE)


@pytest.mark.slow  # two server starts
def test_an_accepted_file_is_read_back_as_sent_and_the_server_starts_on_it(tmp_path):
    data = copy_data(tmp_path)
    bearer = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    with ptce_serving(tmp_path, data) as (base, _):
        sent = requests.post(
            base + "/contribute",
            data=TRICKY,
            headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        )
        assert sent.status_code == 201, sent.text
        number = sent.json()["id"]
        accepted = requests.post(f"{base}/contributions/{number}/accept", headers=bearer, timeout=120)
        assert accepted.status_code == 200, accepted.text
        written = Path(accepted.json()["data_file"]).read_text(encoding="utf-8")
        second = requests.post(
            base + "/contribute",
            data=VALID_POLE.replace(b"la-fabrique-du-test", b"la-fabrique-bis"),
            headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        )
        later = requests.post(
            f"{base}/contributions/{second.json()['id']}/accept", headers=bearer, timeout=120
        )
        assert later.status_code == 200, later.text  # the next accept reads the written file fine
    graph = _rdflib_parse(written)
    description = rdflib.URIRef("http://purl.org/dc/terms/description")
    assert list(graph.objects(POLE, description)) == [Literal(DESCRIPTION, lang="fr")]
    comments = {(str(o), str(o.datatype)) for o in graph.objects(POLE, rdflib.RDFS.comment)}
    assert comments == {("true ", XSD + "boolean"), ("01", XSD + "integer")}
    with ptce_serving(tmp_path, data) as (base, process):  # and the server starts again on it
        assert requests.get(base + "/id/pole/la-fabrique-du-test", allow_redirects=False).status_code == 303
        assert process.poll() is None


# --- the whole-graph check ----------------------------------------------------------------------------------


@pytest.fixture
def setup(tmp_path):
    """A copy of data/, its config and an empty inbox."""
    data = copy_data(tmp_path)
    return data, config_for(data), Inbox(tmp_path / "inbox.sqlite3")


def _plan(data: Path, name: str, text: str) -> list[dict]:
    return [{"path": str(data / "contributions" / name), "new": text}]


def test_a_file_that_breaks_another_resource_is_refused_by_the_whole_graph_check(setup):
    data, config, _ = setup
    with pytest.raises(CurationError, match="start-up check") as refused:
        graph_check.check_result(config, _plan(data, "contribution-00009.ttl", MEMBERSHIP), "accept")
    assert "articulteurs--cine-manivel" in str(
        refused.value
    ) and "Rien n'a été modifié" in refused.value.text("fr")
    with pytest.raises(CurationError, match="does not read back"):
        graph_check.check_result(config, _plan(data, "contribution-00009.ttl", '<a> <b> "x\n'), "accept")
    graph_check.check_result(config, _plan(data, "contribution-00009.ttl", VALID_POLE.decode()), "accept")
    assert same_tree(data, PROJECT / "data")


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_an_accept_the_whole_graph_refuses_writes_nothing(setup, monkeypatch):
    data, config, inbox = setup
    number = inbox.add(MEMBERSHIP.encode(), {})
    # whatever the validator says of the file alone, the whole data it would make does not conform
    monkeypatch.setattr(writer, "_revalidate", lambda *args: type("R", (), {"conforms": True})())
    with pytest.raises(CurationError, match="Nothing was changed"):
        writer.accept(inbox, number, "carol", "", config)
    assert inbox.get(number).status == PENDING and inbox.journal() == []
    assert same_tree(data, PROJECT / "data")


def test_the_cli_says_why_in_words(setup, tmp_path):
    data, _, inbox = setup
    inbox.add(MEMBERSHIP.encode(), {})
    result = subprocess.run(
        [PTCE, "contributions", "accept", "1", "--curator", "c", "--data", str(data)],
        capture_output=True,
        env={**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")},
        timeout=120,
    )
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr.decode()
    assert inbox.get(1).status != ACCEPTED and same_tree(data, PROJECT / "data")
