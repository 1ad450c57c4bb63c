"""HTML pages: labels in French or English, links, incoming links, maps, lists, and inert hostile data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from server import create_app
from server.web.describe import INCOMING_BATCH, coordinates, labels_of
from tests.helpers.pages import BASE, CAFE, CAFE_DOC, pages_app, pages_client

__all__ = ["pages_app", "pages_client"]


class PageParser(HTMLParser):
    """Collect what a safety or content check needs: elements, attributes, scripts and text."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.elements if attrs.get("id")}

    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.elements if tag == "a" and attrs.get("href")]


def page(client, path: str, **headers) -> PageParser:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def test_pole_page_in_french_by_default(pages_client):
    parsed = page(pages_client, CAFE_DOC + ".html")
    text = " ".join(parsed.text)
    assert "Café solidaire" in text and "Liens entrants" in text and "Sources" in text
    assert {"map", "incoming", "sources", "map-data"} <= parsed.ids()
    hrefs = parsed.hrefs()
    assert "/id/commune/21231" in hrefs  # values link to their pages on this server
    assert "/id/organisation/atelier" in hrefs  # members are listed
    assert "/id/characteristic/ancrage-territorial" in hrefs  # the profile links its characteristics
    assert any(h.startswith("/ontology#") for h in hrefs)  # property labels in the table link to the ontology
    assert {f"{CAFE_DOC}.{suffix}" for suffix in ("ttl", "jsonld", "rdf", "nt", "html")} <= set(hrefs)


@pytest.mark.parametrize(
    ("query", "headers"), [("?lang=en", {}), ("", {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})]
)
def test_pole_page_in_english(pages_client, query, headers):
    parsed = page(pages_client, CAFE_DOC + ".html" + query, **headers)
    text = " ".join(parsed.text)
    assert "Solidarity café" in text and "Incoming links" in text and "Characteristics" in text
    assert "Liens entrants" not in text


def test_embedded_json_ld_describes_the_resource(pages_client):
    parsed = page(pages_client, CAFE_DOC + ".html")
    [body] = [body for attrs, body in parsed.scripts if attrs.get("type") == "application/ld+json"]
    graph = Graph().parse(data=body, format="json-ld")
    assert (URIRef(CAFE), RDFS.label, Literal("Café solidaire", lang="fr")) in graph


def test_map_points_are_listed_in_html_too(pages_client):
    parsed = page(pages_client, CAFE_DOC + ".html")
    [body] = [body for attrs, body in parsed.scripts if attrs.get("id") == "map-data"]
    points = json.loads(body)
    labels = {point["label"] for point in points}
    assert {"Café solidaire", "L'Atelier", "Mairie de Dijon"} <= labels
    text = " ".join(parsed.text)
    assert all(label in text for label in labels)


def test_organisation_page_lists_its_poles_in_its_profile(pages_client):
    html = pages_client.get("/doc/organisation/atelier.html").get_data(as_text=True)
    profile = html.split('id="profile"', 1)[1].split("</section>", 1)[0]
    assert "/id/pole/caf%C3%A9-solidaire" in profile


@pytest.mark.parametrize(
    ("path", "pole"),
    [
        ("/doc/characteristic/ancrage-territorial.html", "/id/pole/caf%C3%A9-solidaire"),
        ("/doc/region/27.html", "/id/pole/caf%C3%A9-solidaire"),
        ("/doc/commune/21231.html", "/id/pole/hostile"),
    ],
)
def test_concept_and_territory_pages_list_their_poles(pages_client, path, pole):
    assert pole in page(pages_client, path).hrefs()


def test_ontology_page_documents_terms_with_anchors_and_instances(pages_client):
    parsed = page(pages_client, "/ontology.html")
    assert {"Pole", "Actor", "characteristic", "laureate"} <= parsed.ids()
    assert "/id/pole/caf%C3%A9-solidaire" in parsed.hrefs()  # class sections list their instances


def test_shapes_and_graph_pages(pages_client):
    page(pages_client, "/shapes.html")
    graph_page = page(pages_client, "/graph/sample.html?lang=en")
    assert "/id/pole/caf%C3%A9-solidaire" in graph_page.hrefs()


def test_void_page(pages_client):
    parsed = page(pages_client, "/void.html")
    assert "/dumps/ptce.ttl" in parsed.hrefs() and "/sparql" in parsed.hrefs()


def test_home_page_counts_lists_and_maps_poles(pages_client):
    parsed = page(pages_client, "/")
    hrefs = parsed.hrefs()
    for link in (
        "/sparql",
        "/validate",
        "/.well-known/void",
        "/dumps/ptce.ttl.gz",
        "/id/pole/caf%C3%A9-solidaire",
    ):
        assert link in hrefs
    assert "/id/region/27" in hrefs  # the pole's region, found through the commune
    assert {"map", "pole-table", "map-data"} <= parsed.ids()
    html = pages_client.get("/?q=cafe").get_data(as_text=True)
    table = html.split('id="pole-table"', 1)[1].split("</table>", 1)[0]
    poles = set(re.findall(r'href="(/id/pole/[^"]+)"', table))
    assert poles == {"/id/pole/caf%C3%A9-solidaire"}
    assert "1 pôles sur" not in html and "pôles sur" in html  # the located count covers every pole
    nothing = pages_client.get("/?q=zzzz").get_data(as_text=True)
    assert "Aucun pôle ne correspond à « zzzz »." in nothing


def test_unknown_resource_page_is_a_404_in_html(pages_client):
    response = pages_client.get("/id/pole/nope?lang=en", headers={"Accept": "text/html"})
    assert response.status_code == 404 and "Unknown resource" in response.get_data(as_text=True)


HOSTILE_PAGES = ["/doc/pole/hostile.html", "/doc/commune/21231.html", "/", "/graph/sample.html", "/void.html"]


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_data_renders_inert(pages_client, path):
    parsed = page(pages_client, path)
    for tag, attrs in parsed.elements:
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    for attrs, body in parsed.scripts:
        if attrs.get("src"):
            assert attrs["src"].startswith("/static/")
        else:
            assert attrs.get("type") in ("application/ld+json", "application/json")
            json.loads(body)  # the data stayed inside its JSON script element
    if path == HOSTILE_PAGES[0]:
        assert any("<script>alert('label')</script>Hostile" in t for t in parsed.text)
        assert any("javascript:alert(document.cookie)" in t for t in parsed.text)  # shown as text only


def test_base_iri_links_are_local(pages_client):
    hrefs = page(pages_client, CAFE_DOC + ".html").hrefs()
    assert not any(h.startswith(BASE) for h in hrefs)


@pytest.fixture(scope="module")
def capped_client():
    """The real data with lists cut at 2 entries, to see the caps at work on a small dataset."""
    return create_app({"TESTING": True, "PAGE_LIST_LIMIT": 2, "MAP_POINT_LIMIT": 3}).test_client()


def test_long_lists_are_cut_with_a_count_and_a_pointer(capped_client, store):
    poles = store.select(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptce:Pole ; ptce:sector <https://w3id.org/ptce/id/sector/culture> }"
    )[0]["n"]
    html = capped_client.get("/doc/sector/culture.html?lang=en").get_data(as_text=True)
    section = html.split('class="fact fact-poles_here', 1)[1].split("</div>", 1)[0]
    assert f"({int(poles)})" in section
    assert section.count("<li") == 3  # two poles and the "more" line
    assert f"and {int(poles) - 2} more" in section


def test_home_list_is_cut_but_search_covers_every_pole(capped_client, store):
    html = capped_client.get("/?lang=en").get_data(as_text=True)
    assert html.count("<tr data-search=") == 2 and "more poles" in html
    found = capped_client.get("/?q=boutaric").get_data(as_text=True)
    assert "La Coursive Boutaric" in found


def test_embedded_json_ld_describes_the_resource_not_its_incoming_links(client):
    html = client.get("/doc/sector/culture.html").get_data(as_text=True)
    embedded = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    graph = Graph().parse(data=embedded, format="json-ld")
    culture = URIRef("https://w3id.org/ptce/id/sector/culture")
    assert (culture, None, None) in graph
    assert (None, None, culture) not in graph


def test_incoming_links_are_sampled_with_their_full_count(capped_client, store):
    count = int(
        store.select(
            "SELECT (COUNT(?p) AS ?n) WHERE { ?p ptce:sector <https://w3id.org/ptce/id/sector/culture> }"
        )[0]["n"]
    )
    html = capped_client.get("/doc/region/27.html?lang=en").get_data(as_text=True)
    incoming = html.split('id="incoming"', 1)[1].split("</section>", 1)[0]
    assert "more" not in incoming  # the region's poles are in its profile, not repeated as incoming links
    html = capped_client.get("/doc/scheme/sectors.html?lang=en").get_data(as_text=True)
    incoming = html.split('id="incoming"', 1)[1].split("</section>", 1)[0]
    in_scheme = int(
        store.select(
            "SELECT (COUNT(?c) AS ?n) WHERE { ?c skos:inScheme <https://w3id.org/ptce/id/scheme/sectors> }"
        )[0]["n"]
    )
    assert f"and {in_scheme - 2} more" in incoming
    turtle = capped_client.get("/doc/sector/culture.ttl").get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    culture = URIRef("https://w3id.org/ptce/id/sector/culture")
    assert len(set(graph.subjects(URIRef("https://w3id.org/ptce/ontology#sector"), culture))) == count


def test_labels_and_coordinates_of_thousands_of_iris_are_asked_in_batches(store):
    # the home page asks for every pole's label and place at once: Virtuoso refuses thousands of IRIs in one
    # VALUES list ("Too many arguments"), so they go INCOMING_BATCH at a time, on any store
    poles = [row["p"] for row in store.select("SELECT ?p WHERE { ?p a ptce:Pole }")]
    # 8,000 IRIs: one VALUES list of 7,500 was refused by Virtuoso
    unknown = [URIRef(f"https://w3id.org/ptce/id/none/{n}") for n in range(8 * INCOMING_BATCH)]
    labels = labels_of(store, unknown + poles, "fr")
    assert set(labels) == set(poles)
    assert labels == labels_of(store, poles, "fr")
    points = coordinates(store, unknown + poles)
    assert points and set(points) <= set(poles)
    assert points == coordinates(store, poles)
