"""The external-engine backend: same answers as the embedded store, through a real Virtuoso (issue 6)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pyoxigraph as ox
import pytest
import requests
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from server import config as defaults
from server import create_app
from server.cli import main as ptce
from server.dataset.base import BackendError, BackendQueryError, to_rdflib
from server.dataset.embedded import GraphStore
from server.dataset.loader import load_into_engine
from server.dataset.remote import RemoteStore, split_query
from server.dataset.sources import discover_sources
from server.sparql.examples import EXAMPLES

INTEGERS = {str(XSD[name]) for name in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long")}
OWN_QUERIES = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(LANG(?l) = 'en') }",
    "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER REGEX(STR(?l), '^c', 'i') }",
    "SELECT ?s ?lat ?long WHERE { ?s geo:lat ?lat OPTIONAL { ?s geo:long ?long } }",
    "SELECT ?d WHERE { <https://w3id.org/ptce/id/region/27> igeo:subdivisionDirecte+ ?d }",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER isLiteral(?o) }",
    "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n)",
    "ASK { ?s a skos:Concept }",
    "ASK { ?s a <urn:example:nothing> }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a skos:Concept ; skos:prefLabel ?l }",
]
# Known Virtuoso 7.2 divergences (documented in docs/operator-guide.md), checked separately below.
VIRTUOSO_PATH_BUGS = {"members-by-category", "pole-members"}
QUERIES = [example.query for example in EXAMPLES if example.id not in VIRTUOSO_PATH_BUGS] + OWN_QUERIES
CONCAT = re.compile(
    r'GROUP_CONCAT\((?:[^;()]|\([^()]*\))*(?:;\s*separator\s*=\s*"([^"]*)")?\)\s+AS\s+\?(\w+)', re.I
)

#: Every default setting, as an app's config holds them (``load_into_engine`` takes a full config).
DEFAULTS = {key: value for key, value in vars(defaults).items() if key.isupper()}


def canon(term, separator: str | None = None):
    """Backend-neutral term: blank nodes hidden, numbers by value (engines rewrite lexical forms).

    A GROUP_CONCAT value (``separator`` given) becomes the sorted list of its parts, without language:
    the order of the parts is unspecified, and Oxigraph keeps a language shared by all parts, Virtuoso not.
    """
    if isinstance(term, BNode):
        return "_:"
    if separator is not None:
        return tuple(sorted(str(term).split(separator)))
    if isinstance(term, Literal) and term.datatype is not None:
        if str(term.datatype) in INTEGERS:
            return ("integer", int(term))
        if term.datatype == XSD.decimal:
            return ("decimal", Decimal(str(term)).normalize())
    return term


def canon_graph(graph: Graph) -> Graph:
    """The graph with every literal rewritten to a canonical lexical form."""
    result = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in INTEGERS:
            o = Literal(str(int(o)), datatype=XSD.integer)
        elif isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        result.add((s, p, o))
    return result


def rows(result: ox.QuerySolutions, sparql: str) -> Counter:
    """The multiset of a SELECT answer's rows, in backend-neutral terms."""
    names = [v.value for v in result.variables]
    concatenated = {name: separator or " " for separator, name in CONCAT.findall(sparql)}
    return Counter(
        tuple(canon(to_rdflib(row[n]), concatenated.get(n)) if row[n] is not None else None for n in names)
        for row in result
    )


def answer(store, sparql: str, **options):
    """Run a query and reduce its answer to something comparable across backends."""
    result = store.query(sparql, **options)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return rows(result, sparql)
    graph = Graph()
    for triple in result:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return canon_graph(graph)


def same(left, right) -> bool:
    """Compare two reduced answers (graphs up to blank node renaming)."""
    if isinstance(left, Graph):
        return isomorphic(left, right)
    return left == right


@pytest.fixture(scope="module")
def embedded_app():
    return create_app({"TESTING": True})


@pytest.fixture(scope="module")
def remote_app(virtuoso_settings):
    return create_app({"TESTING": True, **virtuoso_settings})


@pytest.fixture(scope="module")
def embedded(embedded_app):
    return embedded_app.extensions["ptce"]


@pytest.fixture(scope="module")
def remote(remote_app):
    store = remote_app.extensions["ptce"]
    assert isinstance(store, RemoteStore)
    return store


# --- query text handling (no engine needed) ---


def test_split_query_finds_form_prefixes_and_dataset():
    parts = split_query(
        '# SELECT in a comment\nPREFIX ex: <http://ex/>\nBASE <http://b/>\nconstruct { ?s ?p "FROM <x>" }\n'
        "FROM ex:g FROM NAMED <h> WHERE { ?s ?p ?o }",
        {"ptce": "https://w3id.org/ptce/ontology#"},
    )
    assert parts.form == "CONSTRUCT"
    assert parts.declared_prefixes == {"ex"}
    assert parts.from_graphs == ["http://ex/g"] and parts.from_named_graphs == ["http://b/h"]
    assert "FROM ex:g" not in parts.text and '"FROM <x>"' in parts.text
    assert parts.text[parts.pattern_start - 1] == "{" and "WHERE" in parts.text[: parts.pattern_start]


@pytest.mark.parametrize("text", ["INSERT DATA { <a> <b> <c> }", "DROP ALL", "", "PREFIX x: <y>"])
def test_split_query_refuses_what_is_not_a_query(text):
    with pytest.raises(BackendQueryError):
        split_query(text)


def test_unreachable_engine_is_a_clear_503(tmp_path):
    sources = discover_sources("https://example.org/", str(tmp_path), str(tmp_path), [str(tmp_path)])
    port = __import__("tests.helpers.virtuoso", fromlist=["free_port"]).free_port()
    store = RemoteStore(sources, "https://example.org/", f"http://127.0.0.1:{port}/sparql", timeout=5)
    with pytest.raises(BackendError) as error:
        store.ask("ASK {}")
    assert "unreachable" in str(error.value)


# --- the same answers from both backends ---


@pytest.mark.parametrize("sparql", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
def test_same_answers_from_both_backends(embedded, remote, sparql):
    expected = answer(embedded, sparql)
    assert same(answer(remote, sparql), expected)
    if not isinstance(expected, bool):
        assert len(expected) > 0, "a query that finds nothing proves nothing"


def test_result_objects_have_the_embedded_types(remote):
    assert isinstance(remote.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"), ox.QuerySolutions)
    assert isinstance(remote.query("ASK { ?s ?p ?o }"), ox.QueryBoolean)
    assert isinstance(remote.query("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"), ox.QueryTriples)
    assert isinstance(remote.query("DESCRIBE ?s WHERE { ?s a skos:Concept } LIMIT 1"), ox.QueryTriples)


def test_whitespace_around_literals_comes_back(remote):
    # answers are read as SPARQL XML, whose parser in pyoxigraph trims the text of literals
    text = "\n  deux  espaces\t"
    rows = remote.select('SELECT ?x ?y WHERE { BIND("\\n  deux  espaces\\t" AS ?x) BIND(" "@fr AS ?y) }')
    assert rows == [{"x": Literal(text), "y": Literal(" ", lang="fr")}]


def test_statistics_agree(embedded, remote):
    assert remote.graph_sizes() == embedded.graph_sizes()
    assert len(remote) == len(embedded)
    assert set(remote.graph_sizes()) == {source.graph for source in remote.sources}


@pytest.mark.parametrize("kinds", [("data",), ("ontology",), ("shapes",)])
def test_rdflib_views_are_isomorphic(embedded, remote, kinds):
    expected = canon_graph(embedded.rdflib_graph(kinds))
    assert len(expected) > 0
    assert isomorphic(canon_graph(remote.rdflib_graph(kinds)), expected)


def test_dataset_options_follow_the_embedded_rules(embedded, remote):
    first, second = [ox.NamedNode(source.graph) for source in embedded.sources[:2]]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    cases = [
        (count, {"default_graph": [first], "use_default_graph_as_union": False}),
        (count, {"use_default_graph_as_union": False}),
        (graphs, {"named_graphs": [second]}),
        (graphs, {"default_graph": [first], "named_graphs": [], "use_default_graph_as_union": False}),
        (f"SELECT (COUNT(*) AS ?n) FROM <{first.value}> WHERE {{ ?s ?p ?o }}", {}),
        (
            f"SELECT (COUNT(*) AS ?n) FROM <{first.value}> WHERE {{ ?s ?p ?o }}",
            {"use_default_graph_as_union": False},
        ),
        (f"SELECT DISTINCT ?g FROM NAMED <{second.value}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
    ]
    for sparql, options in cases:
        assert answer(remote, sparql, **options) == answer(embedded, sparql, **options), (sparql, options)


def test_engine_graphs_outside_the_dataset_stay_hidden(embedded, remote):
    foreign = "http://www.openlinksw.com/schemas/virtrdf#"  # Virtuoso's own system graph
    sparql = f"SELECT (COUNT(*) AS ?n) FROM <{foreign}> WHERE {{ ?s ?p ?o }}"
    options = {"use_default_graph_as_union": False}
    assert (
        answer(remote, sparql, **options)
        == answer(embedded, sparql, **options)
        == Counter({(("integer", 0),): 1})
    )
    graphs = {row["g"] for row in remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {URIRef(source.graph) for source in remote.sources}


def test_substitutions_reach_blank_nodes(embedded, remote):
    """describe.py follows blank nodes from one answer into the next query: both backends must allow it."""

    def closures(store):
        found = Counter()
        for triple in store.query("CONSTRUCT { ?s ?p ?b } WHERE { ?s ?p ?b FILTER isBlank(?b) }"):
            outgoing = store.query(
                "CONSTRUCT { ?r ?p ?o } WHERE { ?r ?p ?o }", substitutions={ox.Variable("r"): triple.object}
            )
            found[frozenset((t.predicate.value, canon(to_rdflib(t.object))) for t in outgoing)] += 1
        return found

    expected = closures(embedded)
    assert expected and all(expected)
    assert closures(remote) == expected


def test_engine_limits_are_reported_not_hidden(remote):
    """Virtuoso 7.2 refuses a transitive path with both ends unbound: a clear BackendError, not wrong rows."""
    with pytest.raises(BackendError, match="transitive start not given"):
        remote.query("SELECT ?r ?d WHERE { ?r igeo:subdivisionDirecte+ ?d }")


def test_engine_errors_are_clear(remote):
    with pytest.raises(SyntaxError, match="1:25"):  # checked locally: the embedded store's exact message
        remote.query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(BackendError) as error:  # valid SPARQL that Virtuoso 7.2 fails on (HTTP 500)
        remote.query("SELECT ?p WHERE { ?r ?p ?o } VALUES ?r { <urn:x> }")
    assert (
        not isinstance(error.value, BackendQueryError)
        and "HTTP 500" in str(error.value)
        and "No column r" in str(error.value)
    )
    assert "define input" not in str(error.value)  # the engine's echo of the rewritten query is cut
    slow = RemoteStore(remote.sources, remote.base_iri, remote.query_url, timeout=0.001)
    with pytest.raises(BackendError, match="did not answer"):
        slow.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")


# --- the app through both backends ---


def sample_paths(store) -> list[str]:
    rows = store.select("SELECT ?c (SAMPLE(?x) AS ?s) WHERE { ?x a ?c } GROUP BY ?c")
    return sorted(
        {str(row["s"])[len(store.base_iri) - 1 :] for row in rows if str(row["s"]).startswith(store.base_iri)}
    )


def test_pages_are_the_same_through_both_backends(embedded, embedded_app, remote_app):
    embedded_client, remote_client = embedded_app.test_client(), remote_app.test_client()
    home = embedded_client.get("/")
    assert home.status_code == 200
    assert remote_client.get("/").get_data(as_text=True) == home.get_data(as_text=True)
    paths = sample_paths(embedded)[:8]  # one resource of each of 8 classes (pages take many queries)
    assert paths
    for path in paths:
        expected = embedded_client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
        got = remote_client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
        assert got.status_code == expected.status_code == 200, path
        graphs = [canon_graph(Graph().parse(data=r.get_data(), format="turtle")) for r in (got, expected)]
        assert isomorphic(*graphs), path
        html = [
            c.get(path, headers={"Accept": "text/html"}, follow_redirects=True).status_code
            for c in (embedded_client, remote_client)
        ]
        assert html[0] == html[1] == 200, path


@pytest.mark.parametrize("sparql", QUERIES[:3] + OWN_QUERIES[-2:], ids=lambda q: q.split("\n")[-1][:20])
def test_sparql_endpoint_is_the_same_through_both_backends(embedded_app, remote_app, sparql):
    accept = "text/turtle" if "CONSTRUCT" in sparql else "application/sparql-results+json"
    answers = []
    for app in (embedded_app, remote_app):
        response = app.test_client().post("/sparql", data={"query": sparql}, headers={"Accept": accept})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        if "CONSTRUCT" in sparql:
            answers.append(canon_graph(Graph().parse(data=response.get_data(), format="turtle")))
        else:
            answers.append(
                rows(ox.parse_query_results(response.get_data(), ox.QueryResultsFormat.JSON), sparql)
            )
    assert same(*answers)


# --- loading ---


def test_ptce_load_is_idempotent(runner, virtuoso_settings, embedded):
    env = {f"PTCE_{key}": value for key, value in virtuoso_settings.items()}
    result = runner.invoke(ptce, ["load"], env=env)
    assert result.exit_code == 0, result.output
    assert f"into {len(embedded.sources)} graphs" in result.output
    store = RemoteStore(embedded.sources, embedded.base_iri, virtuoso_settings["SPARQL_BACKEND_URL"])
    assert store.graph_sizes() == embedded.graph_sizes()


def test_sparql_update_loading_keeps_blank_nodes_and_text(tmp_path, virtuoso_settings):
    (tmp_path / "one.ttl").write_text(
        '@prefix ex: <https://example.org/id/> .\nex:a ex:name "Café 😀\\n\\"q\\""@FR ; ex:n 7 ;\n'
        "  ex:b [ ex:c [ ex:d 1.50 ] ; ex:e ( 1 2 3 ) ] .\nex:f ex:g ex:h , ex:i , ex:j .\n",
        encoding="utf-8",
    )
    settings = {
        **DEFAULTS,
        **virtuoso_settings,
        "SPARQL_BACKEND_GRAPH_STORE_URL": None,
        "BASE_IRI": "https://example.org/",
    }
    settings |= {"ONTOLOGY_DIR": str(tmp_path / "none"), "SHAPES_DIR": str(tmp_path / "none")}
    settings["DATA_DIRS"] = [str(tmp_path)]
    for _ in range(2):  # twice: replacing a graph must not duplicate its blank nodes
        loaded = load_into_engine(settings, chunk_size=2)
    sources = discover_sources(
        "https://example.org/", settings["ONTOLOGY_DIR"], settings["SHAPES_DIR"], [str(tmp_path)]
    )
    remote = RemoteStore(sources, "https://example.org/", virtuoso_settings["SPARQL_BACKEND_URL"])
    embedded = GraphStore(sources, "https://example.org/")
    assert [(source.graph, count) for source, count in loaded] == list(embedded.graph_sizes().items())
    assert isomorphic(
        canon_graph(remote.rdflib_graph(("data",))), canon_graph(embedded.rdflib_graph(("data",)))
    )


def test_ptce_load_reports_bad_files_and_missing_settings(runner, tmp_path, virtuoso_settings):
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n")
    env = {f"PTCE_{key}": value for key, value in virtuoso_settings.items()}
    result = runner.invoke(ptce, ["load", "--data", str(tmp_path)], env=env)
    assert result.exit_code == 1 and "broken.ttl" in result.output
    result = runner.invoke(ptce, ["load"], env={"PTCE_SPARQL_BACKEND_GRAPH_STORE_URL": ""})
    assert result.exit_code == 1 and "SPARQL_BACKEND_UPDATE_URL" in result.output


def test_wrong_credentials_are_reported(virtuoso_settings, tmp_path):
    settings = {
        **DEFAULTS,
        **virtuoso_settings,
        "SPARQL_BACKEND_PASSWORD": "wrong",
        "DATA_DIRS": [str(tmp_path)],
    }
    settings |= {
        "ONTOLOGY_DIR": str(tmp_path),
        "SHAPES_DIR": str(tmp_path),
        "BASE_IRI": "https://example.org/",
    }
    (tmp_path / "x.ttl").write_text("<https://example.org/a> <https://example.org/b> 1 .\n")
    with pytest.raises(BackendError, match="HTTP 401"):
        load_into_engine(settings)
    assert requests.get(virtuoso_settings["SPARQL_BACKEND_URL"], params={"query": "ASK {}"}, timeout=5).ok
