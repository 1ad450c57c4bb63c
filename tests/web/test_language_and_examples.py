"""The language choice persists across pages, and the example queries answer what they ask."""

from __future__ import annotations

import re
from collections import Counter

from server.sparql.examples import EXAMPLES
from server.web.home import dataset_counts, pole_index

EXAMPLE = {example.id: example for example in EXAMPLES}


def test_asking_for_english_once_keeps_english_on_the_next_pages(app):
    client = app.test_client()
    first = client.get("/doc/pole/coursive-boutaric.html?lang=en")
    assert 'lang="en"' in first.get_data(as_text=True) and "lang=en" in first.headers["Set-Cookie"]
    for path in ("/doc/region/27.html", "/sparql", "/validate", "/"):
        html = client.get(path, headers={"Accept": "text/html", "Accept-Language": "fr"}).get_data(
            as_text=True
        )
        assert '<html lang="en">' in html, path
    back = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in back
    assert '<html lang="fr">' in client.get("/doc/region/27.html").get_data(as_text=True)


def test_html_pages_vary_on_the_language_cookie(client):
    response = client.get("/doc/region/27.html")
    assert "Cookie" in response.headers["Vary"]


def test_sparql_page_speaks_french_and_leads_back_to_the_site(client):
    html = client.get("/sparql?lang=fr", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="fr">' in html and "Exemples" in html
    assert (
        "Combien de pôles compte chaque région\u202f?" in html
        or "Combien de pôles compte chaque région ?" in html
    )
    assert 'href="/?lang=fr"' in html  # the site's navigation
    english = client.get("/sparql?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "How many poles are there in each region?" in english and "Exemples" not in english


def test_every_example_has_a_french_question():
    assert all(example.title_fr for example in EXAMPLES)


def test_poles_by_region_counts_every_pole_with_a_region_like_the_home_page(store):
    rows = store.select(EXAMPLE["poles-by-region"].query)
    by_region = {str(row["region"]): int(row["poles"]) for row in rows}
    home = Counter(p["region"] for p in pole_index(store, "fr") if p["region"])
    assert by_region == dict(home)
    assert len(by_region) == dataset_counts(store)["regions"]
    located_somewhere = store.select(
        """SELECT (COUNT(DISTINCT ?pole) AS ?n) WHERE { ?pole a ptce:Pole ; schema:location|dcterms:spatial ?p .
           ?r a igeo:Region ; igeo:subdivisionDirecte* ?p }"""
    )[0]["n"]
    assert sum(by_region.values()) == int(located_somewhere)


def test_home_page_shows_the_same_region_totals(client, store):
    html = client.get("/?lang=fr").get_data(as_text=True)
    rows = store.select(EXAMPLE["poles-by-region"].query)
    for row in rows:
        label = str(row["regionName"])
        assert len(re.findall(rf">{re.escape(label)}</a></td>", html.replace("&#39;", "'"))) == int(
            row["poles"]
        )
