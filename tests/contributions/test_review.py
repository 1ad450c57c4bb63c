"""The curator's review of a contribution (issue 18, item 5): a summary of every resource touched first (new,
changed, other files' resources in a warning box), then the diff, paginated and never cut silently."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from server import create_app
from server.contributions.preview import DIFF_PAGE_SIZE, page_of
from tests.helpers.contributions import copy_data

TOKEN = "curator-token-0123456789"
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
POLE = "https://w3id.org/ptce/id/pole/coursive-boutaric"
HEADER = """@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix schema:  <https://schema.org/> .
@prefix ptce:    <https://w3id.org/ptce/ontology#> .
@prefix pole:    <https://w3id.org/ptce/id/pole/> .
@prefix orga:    <https://w3id.org/ptce/id/organisation/> .
@prefix commune: <https://w3id.org/ptce/id/commune/> .
"""


def organisations(count: int) -> str:
    """``count`` new, conforming organisations (distinct names: no likely-duplicate warnings)."""
    return "".join(
        f"orga:test-{n:03d} a org:Organization , ptce:ESSEnterprise ;\n"
        f'    rdfs:label "Organisation de test n° {n}"@fr ;\n'
        "    schema:location commune:26311 ;\n"
        "    dcterms:source <https://fabrique-du-test.example.org/a-propos> .\n\n"
        for n in range(count)
    )


#: 260 new organisations, then, last in the file, a change to an existing pole of data/poles.ttl and a
#: replaced value (Dijon's latitude) in data/territories.ttl.
HIDDEN_CHANGE = (
    HEADER
    + organisations(260)
    + 'pole:coursive-boutaric dcterms:description "Added at the end of the file."@en ;\n'
    + "    dcterms:source <https://example.org/hidden-change> .\n"
    + '<https://w3id.org/ptce/id/commune/21231> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "47.3222"^^xsd:decimal .\n'
).encode()
COMMUNE = "https://w3id.org/ptce/id/commune/21231"
#: Five statements per organisation (two types, label, place, source); two on the pole; Dijon's old and new
#: latitude.
TOTAL = 260 * 5 + 2 + 2


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app over a copy of data/, with one curator and its own inbox."""
    folder = tmp_path_factory.mktemp("review")
    data = copy_data(folder)
    return create_app(
        {
            "TESTING": True,
            "DATA_DIRS": [str(data)],
            "CONTRIBUTIONS_DB": str(folder / "inbox.sqlite3"),
            "CONTRIBUTIONS_RATE_LIMIT": "1000 per hour",
            "CURATORS": {"carol": generate_password_hash(TOKEN)},
            "SECRET_KEY": "test secret: at least 32 characters long",
        }
    )


@pytest.fixture(scope="module")
def number(app):
    """The hidden-change file, submitted (it conforms)."""
    response = app.test_client().post("/contribute", data=HIDDEN_CHANGE, headers=TURTLE)
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    return response.get_json()["id"]


def review(app, number: int, query: str = "") -> str:
    """The review page as a curator sees it."""
    response = app.test_client().get(
        f"/contributions/{number}?{query}",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "text/html"},
    )
    assert response.status_code == 200
    return response.text


def section(page: str, name: str) -> str:
    """The HTML of ``<section class="name">``."""
    return re.search(rf'<section class="{name}">(.*?)</section>', page, re.DOTALL).group(1)


def test_the_change_hidden_after_260_new_organisations_is_summarised_first_with_its_file(app, number):
    page = review(app, number, "lang=en")
    touched = section(page, "touched")
    assert page.index('<section class="touched">') < page.index('class="decide"')  # before the decision
    assert "New resources: 260" in touched
    assert "Existing resources changed: 2" in touched
    assert f"<code>{POLE}</code>" in touched and "La Coursive Boutaric" in touched
    warning = re.search(r'<div class="other-files warning" role="alert".*?</div>', touched, re.DOTALL).group()
    listed = re.findall(r"<li><code>(data/[^<]+)</code></li>", warning)
    assert f"changes resources described in other files ({len(listed)} files)" in warning
    for name in ("poles.ttl", "classification.ttl", "territories.ttl", "territories-official.ttl"):
        assert f"data/{name}" in listed  # the pole is in two files, and so is Dijon
    changed = section(page, "touched").split('<ul class="changed">')[1].split("</ul>")[0]
    assert "2 statement(s) added" in changed and "1 statement(s) added, 1 value(s) replaced" in changed


def test_the_diff_shows_the_change_on_its_first_page_and_says_how_many_pages(app, number):
    page = review(app, number, "lang=en")
    diff = section(page, "diff")
    lines = re.search(r"<pre class=\"diff\"><code>(.*?)</code></pre>", diff, re.DOTALL).group(1).splitlines()
    assert len(lines) == DIFF_PAGE_SIZE
    pages = -(-TOTAL // DIFF_PAGE_SIZE)
    assert f"Page 1 of {pages}: lines 1 to {DIFF_PAGE_SIZE} of {TOTAL}." in diff
    assert lines[0].startswith(f"- &lt;{COMMUNE}&gt; &lt;http://www.w3.org/2003/01/geo/wgs84_pos#lat&gt;")
    assert lines[1].startswith(f"+ &lt;{COMMUNE}&gt;") and "47.3222" in lines[1]
    assert lines[2].startswith(f"+ &lt;{POLE}&gt;") and lines[3].startswith(f"+ &lt;{POLE}&gt;")
    assert 'href="?page=2&amp;lang=en"' in diff and 'rel="next"' in diff


def test_every_line_of_the_diff_is_on_some_page(app, number):
    seen = []
    last = review(app, number, "page=99&lang=fr")  # beyond the end: the last page
    pages = int(re.search(r"Page (\d+) sur (\d+)", last).group(2))
    for n in range(1, pages + 1):
        diff = section(review(app, number, f"page={n}&lang=fr"), "diff")
        assert f"Page {n} sur {pages}" in diff
        seen += re.search(r"<code>(.*?)</code></pre>", diff, re.DOTALL).group(1).splitlines()
    assert f"Page {pages} sur {pages}" in last
    assert len(seen) == len(set(seen)) == TOTAL
    assert sum("orga:test-" in line or "/organisation/test-" in line for line in seen) == 260 * 5


def test_a_contribution_that_only_adds_says_so_in_both_languages(app):
    body = (HEADER + organisations(2)).encode()
    number = app.test_client().post("/contribute", data=body, headers=TURTLE).get_json()["id"]
    english, french = review(app, number, "lang=en"), review(app, number, "lang=fr")
    assert "No existing resource is changed" in english and "other-files" not in english
    assert "10 line(s), all shown." in english
    assert "Aucune ressource existante n&#39;est modifiée" in french and "Nouvelles ressources : 2" in french


def test_page_of_keeps_pages_in_range():
    lines = [str(n) for n in range(1201)]
    assert page_of(lines, 0).number == 1
    last = page_of(lines, 99)
    assert (last.number, last.pages, last.first, last.last, last.total) == (3, 3, 1001, 1201, 1201)
    assert page_of([], 1).pages == 1 and page_of([], 1).first == 0
