"""The poles as GeoJSON and CSV, the JSON search, the map outline and the OpenRefine reconciliation service."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

POLE = "https://w3id.org/ptce/ontology#Pole"
ORGANIZATION = "http://www.w3.org/ns/org#Organization"
COMMUNE = "http://rdf.insee.fr/def/geo#Commune"


def test_geojson_has_every_located_pole_as_a_point(client, store):
    response = client.get("/poles.geojson")
    assert response.mimetype == "application/geo+json"
    body = response.get_json(force=True)
    assert body["type"] == "FeatureCollection"
    located = int(
        store.select(
            """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptce:Pole .
               { ?p geo:lat ?lat } UNION { ?p schema:location/geo:lat ?lat } }"""
        )[0]["n"]
    )
    assert len(body["features"]) == located
    feature = next(f for f in body["features"] if f["id"].endswith("/pole/coursive-boutaric"))
    longitude, latitude = feature["geometry"]["coordinates"]
    assert feature["geometry"]["type"] == "Point" and 4 < longitude < 6 and 46 < latitude < 48
    assert feature["properties"]["commune"] == "Dijon"


def test_csv_has_every_pole_and_opens_in_spreadsheets(client, store):
    response = client.get("/poles.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeffiri,name,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    poles = int(store.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptce:Pole }")[0]["n"])
    assert len(rows) == poles
    dijon = next(r for r in rows if r["iri"].endswith("/pole/coursive-boutaric"))
    assert dijon["commune"] == "Dijon" and dijon["region"] == "Bourgogne-Franche-Comté" and dijon["latitude"]


def test_home_links_the_tables_and_void_lists_them_as_distributions(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/poles.geojson"' in html and 'href="/poles.csv"' in html and 'href="/reconcile"' in html
    graph = Graph().parse(
        data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    distributions = {str(d) for d in graph.objects(None, DCAT.distribution)}
    assert {"https://w3id.org/ptce/poles.geojson", "https://w3id.org/ptce/poles.csv"} <= distributions
    media = {str(m) for m in graph.objects(URIRef("https://w3id.org/ptce/poles.csv"), DCAT.mediaType)}
    assert media == {"https://www.iana.org/assignments/media-types/text/csv"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ECOSSOLIES", "Les Écossolies"),  # case and accents ignored
        ("ile de france", "Île-de-France"),  # hyphens are spaces
        ("coursive", "La Coursive Boutaric"),
        ("Territorial anchoring", "Ancrage territorial"),  # not a searchable kind: nothing
    ],
)
def test_search_is_accent_and_case_insensitive(client, query, expected):
    results = client.get("/search.json", query_string={"q": query}).get_json()["results"]
    labels = [r["label"] for r in results]
    if expected.startswith("Ancrage"):
        assert labels == []
    else:
        assert labels[0] == expected
        assert results[0]["href"].startswith("/id/")


def test_search_answers_in_english_with_english_labels(client):
    results = client.get("/search.json?q=national call&lang=en").get_json()["results"]
    assert results and all(r["type"] == "call" for r in results)
    assert any(r["label"].startswith("National call") for r in results)


def test_search_by_kind_and_when_nothing_matches(client):
    assert client.get("/search.json?q=zzzzz").get_json()["results"] == []
    results = client.get("/search.json?q=dijon&type=commune").get_json()["results"]
    assert [r["label"] for r in results] == ["Dijon"]


def test_map_outline_is_france_with_its_overseas_departements(client):
    response = client.get("/map/france.geojson")
    geometry = response.get_json(force=True)["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon"
    westmost = {round(min(p[0] for p in polygon[0])) for polygon in geometry["coordinates"]}
    assert -5 in westmost  # Brittany
    assert any(w < -50 for w in westmost) and any(
        w > 40 for w in westmost
    )  # Guyane, Antilles; Réunion, Mayotte


# --- W3C Entity Reconciliation API, as OpenRefine uses it (manifest; POST form field "queries") ----------


def test_reconciliation_manifest(client):
    manifest = client.get("/reconcile").get_json()
    assert "0.2" in manifest["versions"]
    assert manifest["identifierSpace"] == "https://w3id.org/ptce/id/"
    assert manifest["schemaSpace"] == "https://w3id.org/ptce/ontology#"
    assert {t["id"] for t in manifest["defaultTypes"]} == {POLE, ORGANIZATION, COMMUNE}
    assert "{{id}}" in manifest["view"]["url"]


def test_reconciliation_batch_as_openrefine_sends_it(client):
    queries = {
        "q0": {"query": "La Coursive Boutaric", "type": POLE, "limit": 3, "type_strict": "should"},
        "q1": {"query": "21231", "type": COMMUNE},
        "q2": {"query": "Dijon", "type": COMMUNE, "properties": [{"pid": "insee", "v": ["21231"]}]},
        "q3": {"query": "zutique", "type": ORGANIZATION},
        "q4": {"query": "nothing like this anywhere", "type": POLE},
    }
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == set(queries)
    for answer in body.values():
        for candidate in answer["result"]:
            assert set(candidate) >= {"id", "name", "type", "score", "match"}
            assert isinstance(candidate["score"], (int, float)) and isinstance(candidate["match"], bool)
            assert all(set(t) == {"id", "name"} for t in candidate["type"])
    top = {key: answer["result"][0] for key, answer in body.items() if answer["result"]}
    assert top["q0"]["id"] == "pole/coursive-boutaric" and top["q0"]["match"] is True
    assert top["q1"]["id"] == "commune/21231" and top["q1"]["name"] == "Dijon" and top["q1"]["match"]
    assert top["q2"]["id"] == "commune/21231"
    assert (
        top["q3"]["id"] == "organisation/zutique-productions" and top["q3"]["type"][0]["id"] == ORGANIZATION
    )
    assert body["q4"]["result"] == []
    view = client.get("/reconcile").get_json()["view"]["url"].replace("{{id}}", top["q0"]["id"])
    assert client.get(view.removeprefix("http://localhost")).status_code == 303  # the id opens its page


def test_reconciliation_by_get_jsonp_and_single_query(client):
    queries = json.dumps({"q0": {"query": "Écossolies"}})
    body = client.get("/reconcile", query_string={"queries": queries}).get_json()
    assert body["q0"]["result"][0]["id"] == "pole/ecossolies"
    wrapped = client.get("/reconcile", query_string={"queries": queries, "callback": "cb"}).get_data(
        as_text=True
    )
    assert wrapped.startswith("cb(") and wrapped.endswith(");")
    single = client.get("/reconcile", query_string={"query": "Ecossolies"}).get_json()
    assert single["result"][0]["name"] == "Les Écossolies"
    assert client.post("/reconcile", data={"queries": "[1, 2]"}).status_code == 400


def test_map_draws_the_borders_between_regions(client):
    features = client.get("/map/france.geojson").get_json(force=True)["features"]
    (borders,) = [f["geometry"] for f in features if f["geometry"]["type"] == "MultiLineString"]
    points = [point for line in borders["coordinates"] for point in line]
    # Only metropolitan France has several regions: every border lies there (overseas regions are islands
    # or Guyane, one département each).
    assert all(-5.5 < lon < 9.8 and 41.3 < lat < 51.2 for lon, lat in points)
    # The border of Bourgogne-Franche-Comté and Grand Est crosses the 5th meridian north of Dijon.
    assert any(
        min(a[0], b[0]) <= 5 <= max(a[0], b[0]) and 47.5 < a[1] < 48.2
        for line in borders["coordinates"]
        for a, b in zip(line, line[1:], strict=False)
    )
    # and no border crosses the Île-de-France interior at Paris (48.86 N, 2.35 E).
    assert not any(abs(lon - 2.35) < 0.05 and abs(lat - 48.86) < 0.05 for lon, lat in points)
