"""Every example query of the UI and docs/api.md runs through /sparql and gives a non-empty, correct answer."""

from __future__ import annotations

import json

import pytest

from server.sparql.examples import EXAMPLES
from tests.helpers.sparql import parse_answer


def count(store, body: str) -> int:
    return int(store.select(body)[0]["n"])


def run(client, example):
    response = client.post("/sparql", data={"query": example.query}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.data
    return parse_answer(response.headers["Content-Type"], response.data)


CHECKS = {
    # id -> check(rows or graph, store)
    "poles-by-region": lambda rows, store: (
        sum(int(r["poles"]) for r in rows)
        == count(
            store,
            "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?p a ptce:Pole ; schema:location|dcterms:spatial ?c . "
            "?r a igeo:Region ; igeo:subdivisionDirecte* ?c }",
        )
    ),
    "poles-by-departement": lambda rows, _: all(
        int(r["poles"]) == len(str(r["poleNames"]).split(" | ")) for r in rows
    ),
    "pole-members": lambda rows, store: (
        {str(r["memberName"]) for r in rows}
        <= {
            str(r["l"])
            for r in store.select("SELECT ?l { ?p a ptce:Pole ; org:hasMembership/org:member/rdfs:label ?l }")
        }
    ),
    "members-by-category": lambda rows, _: all(int(r["actors"]) > 0 for r in rows),
    "shared-members": lambda rows, _: all(int(r["collaborations"]) > 1 for r in rows),
    "poles-by-characteristic": lambda rows, _: len(rows) <= 4,
    "poles-by-sector": lambda rows, _: all(int(r["poles"]) > 0 for r in rows),
    "timeline": lambda rows, _: [str(r["date"]) for r in rows] == sorted(str(r["date"]) for r in rows),
    "calls-and-laureates": lambda rows, _: all(
        str(r["call"]).startswith("https://w3id.org/ptce/id/call/") for r in rows
    ),
    "map": lambda rows, _: all(41 < float(r["lat"]) < 52 or -25 < float(r["lat"]) < 20 for r in rows),
    "provenance": lambda rows, _: all(
        str(r["graph"]).startswith("https://w3id.org/ptce/graph/") for r in rows
    ),
    "dashboard": lambda rows, store: (
        int(next(iter(rows))["poles"]) == count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?p a ptce:Pole }")
        and int(next(iter(rows))["awards"]) == count(store, "SELECT (COUNT(*) AS ?n) { ?a a ptce:Award }")
        and int(next(iter(rows))["polesWithLegalForm"])
        == count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?p ptce:legalForm ?f ; a ptce:Pole }")
    ),
    "networks": lambda rows, _: len({str(r["network"]) for r in rows}) >= 3,
    "laureates-by-call": lambda rows, store: (
        sum(int(r["laureatesNamed"]) for r in rows)
        == count(
            store, "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a ptce:Award ; ptce:call ?c . ?c ptce:year ?y }"
        )
        and all(int(r["laureatesNamed"]) <= int(r.get("laureatesAnnounced", 10**6)) for r in rows)
    ),
    "legal-forms": lambda rows, store: (
        sum(int(r["poles"]) for r in rows)
        >= count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?p a ptce:Pole ; ptce:legalForm ?f }")
        > 0
    ),
    "pole-count-growth": lambda rows, _: (
        [str(r["date"]) for r in rows] == sorted(str(r["date"]) for r in rows)
        and {56, 140, 218} <= {int(r["count"]) for r in rows}
    ),
    "poles-by-epci": lambda rows, store: (
        sum(int(r["poles"]) for r in rows)
        == count(
            store,
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?e ?p { ?p a ptce:Pole ; schema:location ?c . "
            "?e a igeo:Intercommunalite ; dcterms:hasPart/igeo:subdivisionDirecte? ?c } }",
        )
    ),
    "named-graphs": lambda rows, store: (
        {str(r["graph"]): int(r["triples"]) for r in rows} == store.graph_sizes()
    ),
    "pole-graph": lambda graph, store: (
        len(set(graph.subjects(None, None)))
        >= count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?p a ptce:Pole }")
    ),
}


def test_at_least_twelve_examples_each_checked():
    assert len(EXAMPLES) >= 12
    assert {e.id for e in EXAMPLES} == set(CHECKS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_answers(client, store, example):
    answer = run(client, example)
    assert len(answer) > 0, f"{example.id} gave no answer"
    assert CHECKS[example.id](answer, store)


def test_examples_are_offered_in_the_ui(client):
    html = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    start = html.index('id="sparql-config"')
    config = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert [e["id"] for e in config["examples"]] == [e.id for e in EXAMPLES]
