"""The app factory, the store it loads and the ``ptce`` command line."""

from __future__ import annotations

import pytest

from server import create_app
from server.cli import main
from server.dataset.sources import DatasetError


def test_config_defaults_and_override(tmp_path):
    (tmp_path / "one.ttl").write_text(
        '<https://example.org/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@fr .\n'
    )
    app = create_app({"TESTING": True, "DATA_DIRS": [str(tmp_path)], "BASE_IRI": "https://example.org/"})
    assert app.testing
    store = app.extensions["ptce"]
    assert store.ask("ASK { GRAPH <https://example.org/graph/one> { <https://example.org/id/x> ?p ?o } }")


def test_default_app_is_not_testing(app):
    assert not create_app().testing


def test_one_named_graph_per_file(store):
    sizes = store.graph_sizes()
    for source in store.sources:
        assert sizes.get(source.graph, 0) > 0, f"{source.path} loaded no triples"


def test_union_and_named_graph_queries_agree(store):
    total = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    assert int(total) == len(store)


def test_broken_data_file_is_reported_with_its_name(tmp_path):
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(DatasetError, match="broken.ttl"):
        create_app({"TESTING": True, "DATA_DIRS": [str(tmp_path)]})


def test_bad_base_iri_is_refused():
    with pytest.raises(ValueError, match="BASE_IRI"):
        create_app({"TESTING": True, "BASE_IRI": "https://example.org/x"})


def test_on_disk_store_is_reused(tmp_path):
    settings = {"TESTING": True, "STORE_PATH": str(tmp_path / "store")}
    first = create_app(settings).extensions["ptce"]
    count = len(first)
    del first
    second = create_app(settings).extensions["ptce"]
    assert len(second) == count


def test_rdflib_view_matches_store(store):
    graph = store.rdflib_graph(("data",))
    data_graphs = [s.graph for s in store.sources if s.kind == "data"]
    sizes = store.graph_sizes()
    # Triples repeated across files count once in the union.
    assert 0 < len(graph) <= sum(sizes[g] for g in data_graphs)


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "PTCE" in response.get_data(as_text=True)


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"]])
def test_cli_help(runner, args):
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
