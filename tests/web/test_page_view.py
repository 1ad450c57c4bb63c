"""Pages on an external engine: the page view holds every answer, and a pole page costs one or two requests."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from werkzeug.urls import iri_to_uri, uri_to_iri

from server import create_app
from server.dataset.embedded import GraphStore
from server.web.page_view import page_store, view_cap
from tests.helpers.pages import PAGES_DATA

POLE = "/doc/pole/coursive-boutaric.html"
OTHER_POLE = "/doc/pole/ardaines.html"
IDS = "https://w3id.org/ptce/id/"
BLANK_ID = re.compile(r"_:[A-Za-z0-9]+")


class Endpoint(http.server.ThreadingHTTPServer):
    """A real SPARQL 1.1 query endpoint on 127.0.0.1 that counts the requests it gets: it answers from a
    pyoxigraph store (``store``) or forwards each request to another engine (``upstream``)."""

    daemon_threads = True

    def __init__(self, store: ox.Store | None = None, upstream: str | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store, self.upstream, self.queries = store, upstream, []
        self.url = f"http://127.0.0.1:{self.server_port}/sparql"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server: Endpoint = self.server
        server.queries.append(parse_qs(body.decode())["query"][0])
        if server.upstream:
            answer = requests.post(
                server.upstream,
                data=body,
                headers={"Content-Type": self.headers["Content-Type"], "Accept": self.headers["Accept"]},
                timeout=60,
            )
            status, media_type, content = answer.status_code, answer.headers["Content-Type"], answer.content
        else:
            status, media_type, content = 200, *_answer(server.store, parse_qs(body.decode()))
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args):
        pass


def _answer(store: ox.Store, form: dict[str, list[str]]) -> tuple[str, bytes]:
    """Evaluate a query with the protocol's dataset (or the union of all graphs, like Virtuoso)."""
    default = [ox.NamedNode(iri) for iri in form.get("default-graph-uri", [])]
    named = [ox.NamedNode(iri) for iri in form.get("named-graph-uri", [])]
    options = (
        {"default_graph": default, "named_graphs": named} if default else {"use_default_graph_as_union": True}
    )
    result = store.query(form["query"][0], **options)
    if isinstance(result, ox.QueryTriples):
        return "application/n-triples", result.serialize(format=ox.RdfFormat.N_TRIPLES)
    return "application/sparql-results+json", result.serialize(format=ox.QueryResultsFormat.JSON)


@contextmanager
def endpoint(**source) -> Iterator[Endpoint]:
    """Serve an :class:`Endpoint` in a thread while the block runs."""
    server = Endpoint(**source)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def embedded_app():
    return create_app({"TESTING": True})


@pytest.fixture(scope="module")
def engine(embedded_app) -> Iterator[Endpoint]:
    """The project's data behind a real HTTP SPARQL endpoint (pyoxigraph)."""
    with endpoint(store=embedded_app.extensions["ptce"].store) as server:
        yield server


def _page(app, path: str) -> str:
    response = app.test_client().get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _requests_for(app, server: Endpoint, path: str) -> tuple[int, str]:
    before = len(server.queries)
    html = _page(app, path)
    return len(server.queries) - before, html


def test_a_pole_page_costs_two_engine_requests_then_one(embedded_app, engine):
    remote_app = create_app({"TESTING": True, "SPARQL_BACKEND_URL": engine.url})
    remote_app.extensions["ptce"].rdflib_graph(("ontology",))  # read once per app, not per page
    first, html = _requests_for(remote_app, engine, POLE)
    assert first == 2  # the neighbourhood, then the context of the IRIs it mentions
    assert html == _page(embedded_app, POLE)
    again, _ = _requests_for(remote_app, engine, POLE)
    assert again == 1  # the context of IRIs already seen is kept
    other, html = _requests_for(remote_app, engine, OTHER_POLE)
    assert other <= 2 and html == _page(embedded_app, OTHER_POLE)


def test_a_territory_with_subdivisions_is_queried_directly_and_the_same(embedded_app, engine):
    remote_app = create_app({"TESTING": True, "SPARQL_BACKEND_URL": engine.url})
    path = "/doc/region/27.html"  # its poles are found through igeo:subdivisionDirecte+
    count, html = _requests_for(remote_app, engine, path)
    assert count > 2
    assert html == _page(embedded_app, path)


def _resources(app) -> list[str]:
    rows = app.extensions["ptce"].select(
        f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{IDS}')) }}"
    )
    return sorted(iri_to_uri("/doc/" + str(row["s"]).split("/id/", 1)[1]) for row in rows)


def _both_ways(app, path: str) -> tuple[str, str]:
    """The page from the embedded store directly, then from a page view of it (as for a remote store)."""
    store = app.extensions["ptce"]
    assert isinstance(store, GraphStore)
    try:
        store.page_views = False
        direct = _page(app, path)
        store.page_views = True
        return direct, _page(app, path)
    finally:
        del store.page_views


@pytest.mark.parametrize(
    "config",
    [{}, {"DATA_DIRS": [str(PAGES_DATA)]}, {"PAGE_LIST_LIMIT": 4, "MAP_POINT_LIMIT": 7}],
    ids=["data", "pages-data", "small-limits"],
)
def test_pages_from_views_are_the_pages(config):
    app = create_app({"TESTING": True, **config})
    store, cap = (
        app.extensions["ptce"],
        view_cap(app.config["PAGE_LIST_LIMIT"], app.config["MAP_POINT_LIMIT"]),
    )
    paths = _resources(app)
    if "DATA_DIRS" not in config:
        paths = paths[::10]  # a tenth of data/ (all of it, also in Turtle: test_every_page_from_a_view)
    store.page_views, served = True, 0
    served = sum(page_store(store, IDS + uri_to_iri(path[5:]), cap) is not store for path in paths)
    del store.page_views
    assert served >= len(paths) // (10 if cap < 10 else 2)  # most pages are served from their view
    for path in paths:
        direct, from_view = _both_ways(app, path + ".html")
        assert from_view == direct, path


@pytest.mark.slow
def test_every_page_from_a_view():
    app = create_app({"TESTING": True})
    for path in _resources(app):
        direct, from_view = _both_ways(app, path + ".html")
        assert from_view == direct, path
        turtle = [Graph().parse(data=text, format="turtle") for text in _both_ways(app, path + ".ttl")]
        assert isomorphic(*turtle), path  # the same triples, streamed in another order


def test_virtuoso_pole_page_costs_two_requests_then_one(virtuoso_settings, embedded_app):
    """Counted at the HTTP level between the app and a real Virtuoso; blank node labels aside, the same page."""
    with endpoint(upstream=virtuoso_settings["SPARQL_BACKEND_URL"]) as proxy:
        remote_app = create_app({"TESTING": True, **virtuoso_settings, "SPARQL_BACKEND_URL": proxy.url})
        remote_app.extensions["ptce"].rdflib_graph(("ontology",))
        first, html = _requests_for(remote_app, proxy, POLE)
        again, _ = _requests_for(remote_app, proxy, POLE)
    assert (first, again) == (2, 1)
    assert BLANK_ID.sub("_:", html) == BLANK_ID.sub("_:", _page(embedded_app, POLE))
