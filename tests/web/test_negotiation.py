"""Content negotiation: the Accept cases from users' reports, ?format= overrides; the helpers' doctests run with --doctest-modules."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from server.web.negotiation import UnknownFormat, best_format, choose_format

# (Accept header, expected format); cases reported to comparable servers (trifid#362, vscode-sparql-notebook#56,
# bioregistry#780) and the headers real clients send (rapper, browsers, curl, YASGUI).
ACCEPT_CASES = [
    ("text/turtle", "ttl"),
    ("text/turtle, application/rdf+xml;q=0.9, text/html;q=0.8", "ttl"),
    ("application/ld+json, text/turtle;q=0.9, */*;q=0.1", "jsonld"),
    ("text/turtle, application/x-turtle, application/turtle, text/n3;q=0.3, */*;q=0.1", "ttl"),
    ("application/rdf+xml, text/rdf;q=0.6, */*;q=0.1", "rdf"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", "html"),
    ("application/n-triples,*/*;q=0.9", "nt"),
    ("*/*", "html"),
    ("", "html"),
    ("text/*;q=0.5, application/ld+json;q=0.4", "html"),
    ("application/*", "jsonld"),
    ("text/html;q=0, */*", "ttl"),
    ("application/json", "jsonld"),
    ("text/plain", "nt"),
    ("TEXT/TURTLE", "ttl"),
    ("text/turtle;q=0.2, application/rdf+xml;q=0.7", "rdf"),
    ("image/png", None),
    ("application/sparql-results+json", None),
]


@pytest.mark.parametrize(("header", "expected"), ACCEPT_CASES)
def test_accept_header_picks_the_preferred_format(header, expected):
    assert best_format(parse_accept_header(header, MIMEAccept)) == expected


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("?format=ttl", "text/html", "ttl"),
        ("?format=turtle", "", "ttl"),
        ("?format=application%2Fld%2Bjson", "text/turtle", "jsonld"),
        ("?format=xml", "*/*", "rdf"),
        ("?output=nt", "text/html", "nt"),
        ("?format=html", "text/turtle", "html"),
        ("", "application/rdf+xml", "rdf"),
    ],
)
def test_format_override_wins_over_accept(query, accept, expected):
    app = Flask(__name__)
    with app.test_request_context("/doc/x" + query, headers={"Accept": accept}):
        from flask import request

        assert choose_format(request) == expected


def test_unknown_override_is_refused():
    app = Flask(__name__)
    with app.test_request_context("/doc/x?format=pdf"):
        from flask import request

        with pytest.raises(UnknownFormat):
            choose_format(request)


def test_override_outside_the_available_formats_is_refused():
    app = Flask(__name__)
    with app.test_request_context("/doc/x?format=html"):
        from flask import request

        with pytest.raises(UnknownFormat):
            choose_format(request, ("ttl", "nt"))
