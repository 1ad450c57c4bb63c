"""Memento (RFC 7089) on resource documents, the TimeMap, the history page and the change feed, on an app
whose inbox recorded an accept (a new pole), a change (Dijon's latitude) and its revert."""

from __future__ import annotations

import re
import sqlite3

import pytest
from rdflib import Graph, URIRef

from server import create_app
from server.contributions import live, writer
from server.contributions.inbox import Inbox
from server.history import patch as patches
from tests.helpers.contributions import CHANGE_DIJON, VALID_POLE, copy_data

pytestmark = pytest.mark.slow  # three accepts on a copy of data/: seconds
BASE = "https://w3id.org/ptce/"
LAT = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
DIJON = URIRef(BASE + "id/commune/21231")
DATES = {
    0: "2026-01-01T00:00:00Z",
    1: "2026-01-10T10:00:00Z",
    2: "2026-02-10T10:00:00Z",
    3: "2026-03-10T10:00:00Z",
}
HTTP_DATE = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("memento")
    data = copy_data(folder)
    app = create_app(
        {"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(folder / "inbox.sqlite3")}
    )
    inbox = Inbox(folder / "inbox.sqlite3")
    pole, change = inbox.add(VALID_POLE, {}), inbox.add(CHANGE_DIJON, {})
    writer.accept(inbox, pole, "carol", "", app.config)
    writer.accept(inbox, change, "carol", "", app.config)
    writer.revert(inbox, change, "dave", "wrong", app.config)
    live.reload_dataset(app)
    db = sqlite3.connect(folder / "inbox.sqlite3")
    with db:  # the three changes a month apart, history known from January 1st
        for seq, at in DATES.items():
            db.execute("UPDATE change SET at = ? WHERE seq = ?", (at, seq))
        db.execute("UPDATE change_origin SET at = ?", (DATES[0],))
    return app.test_client()


def latitudes(body: bytes, fmt: str = "turtle") -> set:
    return {str(o) for o in Graph().parse(data=body, format=fmt).objects(DIJON, LAT)}


def test_documents_announce_timegate_timemap_and_history(client):
    response = client.get("/doc/commune/21231", headers={"Accept": "text/turtle"})
    link = response.headers["Link"]
    assert '<http://localhost/doc/commune/21231>; rel="original timegate"' in link
    assert '<http://localhost/timemap/commune/21231>; rel="timemap"; type="application/link-format"' in link
    assert '<http://localhost/history/commune/21231>; rel="version-history"' in link
    assert "accept-datetime" in response.headers["Vary"].lower()
    page = client.get("/doc/commune/21231?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'rel="version-history" href="/history/commune/21231?lang=en">History of changes</a>' in page


def test_timegate_redirects_to_the_memento_of_that_time(client):
    asked = {"Accept-Datetime": "Sun, 15 Feb 2026 12:00:00 GMT", "Accept": "text/turtle"}
    response = client.get("/doc/commune/21231", headers=asked)
    assert response.status_code == 302 and response.headers["Location"].endswith("/memento/2/commune/21231")
    assert "accept-datetime" in response.headers["Vary"].lower()
    assert (
        'rel="original timegate"' in response.headers["Link"] and 'rel="timemap"' in response.headers["Link"]
    )
    memento = client.get(response.headers["Location"], headers={"Accept": "text/turtle"})
    assert (
        memento.status_code == 200 and memento.headers["Memento-Datetime"] == "Tue, 10 Feb 2026 10:00:00 GMT"
    )
    assert latitudes(memento.data) == {"47.3222"}  # the accepted change, before its revert
    link = memento.headers["Link"]
    assert '<http://localhost/doc/commune/21231>; rel="original timegate"' in link
    assert 'rel="first memento"; datetime="Thu, 01 Jan 2026 00:00:00 GMT"' in link
    assert 'rel="last memento"; datetime="Tue, 10 Mar 2026 10:00:00 GMT"' in link
    assert latitudes(client.get("/memento/3/commune/21231.ttl").data) == {"47.33187"}  # reverted
    assert latitudes(client.get("/memento/0/commune/21231.ttl").data) == {"47.33187"}
    before = client.get("/doc/commune/21231.nt", headers={"Accept-Datetime": "Thu, 01 Jan 2015 00:00:00 GMT"})
    assert before.status_code == 302 and before.headers["Location"].endswith("/memento/0/commune/21231.nt")


def test_a_bad_accept_datetime_is_a_400(client):
    for value in (
        "yesterday",
        "2026-02-15T12:00:00Z",
        "Sunday, 15-Feb-26 12:00:00 GMT",
        "Mon, 15 Feb 2026 12:00:00 GMT",
    ):
        response = client.get("/doc/commune/21231", headers={"Accept-Datetime": value})
        assert response.status_code == 400, value
    assert client.get("/doc/commune/21231", headers={"Accept": "image/png"}).status_code == 406


def test_mementos_in_every_format_and_html_marked_old(client):
    for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        response = client.get(f"/memento/2/commune/21231.{suffix}")
        assert response.status_code == 200 and latitudes(response.data, fmt) == {"47.3222"}, suffix
    for lang, words in (("fr", "Ceci est une version ancienne"), ("en", "This is an old version")):
        page = client.get(f"/memento/2/commune/21231?lang={lang}", headers={"Accept": "text/html"})
        assert page.status_code == 200 and words in page.get_data(as_text=True)
    assert client.get("/memento/99/commune/21231.ttl").status_code == 404
    assert client.get("/memento/0/pole/la-fabrique-du-test.ttl").status_code == 404  # not created yet
    assert client.get("/memento/1/pole/la-fabrique-du-test.ttl").status_code == 200


def test_the_timemap_lists_the_mementos_in_link_format(client):
    response = client.get("/timemap/commune/21231")
    assert response.mimetype == "application/link-format"
    entries = [e.strip() for e in response.get_data(as_text=True).split(",\n")]
    assert entries[0] == '<http://localhost/doc/commune/21231>; rel="original timegate"'
    assert entries[1].startswith(
        '<http://localhost/timemap/commune/21231>; rel="self"; type="application/link-format"'
    )
    assert 'from="Thu, 01 Jan 2026 00:00:00 GMT"; until="Tue, 10 Mar 2026 10:00:00 GMT"' in entries[1]
    mementos = [
        re.match(r'<[^>]*/memento/(\d+)/[^>]*>; rel="([^"]*)"; datetime="(.*)"', e) for e in entries[2:]
    ]
    assert [(m.group(1), m.group(2)) for m in mementos] == [
        ("0", "first memento"),
        ("2", "memento"),
        ("3", "last memento"),
    ]
    assert all(re.fullmatch(HTTP_DATE, m.group(3)) for m in mementos)
    new = client.get("/timemap/pole/la-fabrique-du-test").get_data(as_text=True)
    assert (
        "/memento/0/" not in new and '/memento/1/pole/la-fabrique-du-test>; rel="first last memento"' in new
    )


def test_the_history_page_says_each_change_newest_first(client):
    for lang, words in (("fr", "Contribution 2 annulée"), ("en", "Contribution 2 reverted")):
        page = client.get(f"/history/commune/21231?lang={lang}").get_data(as_text=True)
        assert words in page and page.index("change-3") < page.index("change-2")
        assert "47" in page and "2026-03-10" in page
    assert client.get("/history/commune/does-not-exist").status_code == 404


def test_the_feed_is_an_activity_streams_collection_with_patches(client):
    collection = client.get("/changes").get_json()
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 3
    page = client.get(collection["first"]["id"].replace("http://localhost", "")).get_json()
    items = page["orderedItems"]
    assert page["type"] == "OrderedCollectionPage" and [i["type"] for i in items] == [
        "Undo",
        "Update",
        "Create",
    ]
    assert items[0]["endTime"] == DATES[3] and {"id": str(DIJON), "type": "Object"} in items[0]["object"]
    assert items[0]["actor"]["name"] == "dave" and items[0]["instrument"]["id"] == BASE + "contribution/2"
    patch = client.get(items[1]["seeAlso"][0]["id"].replace("http://localhost", ""))
    assert patch.mimetype == "text/rdf-patch"
    added = patches.read(patch.get_data(as_text=True)).added
    assert any(q.object.value == "47.3222" for q in added)
    assert (
        client.get("/changes?page=2").status_code == 404 and client.get("/changes/9.rdfp").status_code == 404
    )
    void = Graph().parse(data=client.get("/void.ttl").data, format="turtle")
    assert any("changes" in str(o) for o in void.objects(None, None) if isinstance(o, URIRef))
