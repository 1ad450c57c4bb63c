"""POST /validate and the form: negotiation, statuses, and hostile input that must never harm the server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal
from rdflib.namespace import SH

from tests.helpers.sparql import ptce_server

EXAMPLES = Path(__file__).parent.parent / "cases" / "validator"
VALID = (EXAMPLES / "valid-pole.ttl").read_bytes()
TURTLE = {"Content-Type": "text/turtle"}


def post(client, body: bytes, accept: str = "application/json", **headers):
    """POST a Turtle body to /validate."""
    return client.post(
        "/validate", data=body, headers={"Content-Type": "text/turtle", "Accept": accept, **headers}
    )


def test_form_page_in_both_languages(client):
    fr = client.get("/validate?lang=fr")
    client.delete_cookie("lang")  # ?lang= is remembered in a cookie; this browser has not chosen yet
    en = client.get("/validate", headers={"Accept-Language": "en"})
    assert fr.status_code == en.status_code == 200
    assert "Valider un fichier Turtle" in fr.text and 'name="file"' in fr.text and 'name="text"' in fr.text
    assert "Validate a Turtle file" in en.text


def test_turtle_body_json_report(client):
    response = client.post(
        "/validate?lang=en", data=(EXAMPLES / "broken-unknown-term.ttl").read_bytes(), headers=TURTLE
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    report = response.get_json()
    assert report["status"] == "does-not-conform"
    assert report["problems"][0]["line"] == 22 and "ptce:sector" in report["problems"][0]["hint"]
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "rdf_format"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_rdf_reports(client, accept, rdf_format):
    response = post(client, (EXAMPLES / "broken-pole-no-label.ttl").read_bytes(), accept=accept)
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.data, format=rdf_format)
    (report,) = graph.subjects(None, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    (result,) = graph.objects(report, SH.result)
    assert graph.value(result, SH.resultMessage).language == "fr"


def test_multipart_upload_html_report(client):
    response = client.post(
        "/validate",
        data={"file": (open(EXAMPLES / "broken-membership-role.ttl", "rb"), "c.ttl"), "lang": "en"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "The file does not conform." in response.text and "line 44" in response.text
    assert "role:chef" in response.text


def test_pasted_text_form(client):
    response = client.post("/validate?format=html", data={"text": VALID.decode(), "lang": "fr"})
    assert response.status_code == 200 and "Le fichier est conforme." in response.text
    assert "ptce:Pole" in response.text  # the summary of new resources


def test_syntax_error_is_422_with_line(client):
    response = post(client, (EXAMPLES / "syntax-missing-dot.ttl").read_bytes())
    assert response.status_code == 422
    assert response.get_json()["problems"][0]["line"] == 5


def test_other_formats_are_refused_with_415(client):
    body = b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "x"}'
    response = client.post("/validate", data=body, headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 415 and response.get_json()["status"] == "invalid-input"


def hostile_inputs(listener: str) -> dict[str, tuple[bytes, int]]:
    """Hostile uploads and the HTTP status each must get."""
    head = b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
    return {
        "deep-nesting": (
            b"<https://w3id.org/ptce/a> <http://p> " + b"[ <http://p> " * 3000 + b"1" + b" ]" * 3000 + b" .",
            422,
        ),
        "deep-list": (
            b"<https://w3id.org/ptce/a> <http://p> " + b"( " * 3000 + b"1" + b" )" * 3000 + b" .",
            422,
        ),
        "thousands-of-prefixes": (
            b"".join(b"@prefix p%d: <http://e/%d#> .\n" % (i, i) for i in range(20000))
            + b"<http://e/a> <http://e/b> 1 .",
            422,
        ),
        "huge-integer": (b"<https://w3id.org/ptce/a> <http://p> " + b"9" * 100000 + b" .", 422),
        "exploding-decimal": (
            b'<https://w3id.org/ptce/a> <http://p> "1E+100000000"^^'
            b"<http://www.w3.org/2001/XMLSchema#decimal> .",
            422,
        ),
        "invalid-utf8": (b'<https://w3id.org/ptce/a> <http://p> "\xc3\x28" .', 422),
        "nul-in-iri": (b"<https://w3id.org/ptce/a\\u0000b> <http://p> 1 .", 422),
        "space-in-iri": (b"<https://w3id.org/ptce/a b> <http://p> 1 .", 422),
        "path-as-body": (b"/etc/passwd", 422),
        "url-as-body": (listener.encode() + b"/data.ttl", 422),
        "owl-imports": (
            head + b"<https://w3id.org/ptce/x> owl:imports <" + listener.encode() + b"/o.ttl> .",
            200,
        ),
        "file-base": (b"@base <file:///etc/> .\n<passwd> <http://p> <hostname> .", 200),
        "embedded-shapes": (
            VALID + head + b"[] a sh:NodeShape ; sh:targetNode <https://w3id.org/ptce/id/pole/"
            b"la-fabrique-du-test> ; sh:property [ sh:path <http://nothing> ; sh:minCount 5 ] .",
            200,
        ),
    }


def test_hostile_inputs_get_clear_reports_fast_and_leave_the_graph_unchanged(
    client, store, listener, recorder
):
    before = (len(store), store.graph_sizes())
    for name, (body, status) in hostile_inputs(listener).items():
        started = time.monotonic()
        response = post(client, body)
        elapsed = time.monotonic() - started
        assert response.status_code == status, (name, response.get_data(as_text=True)[:300])
        report = response.get_json()
        assert elapsed < 8, (name, elapsed)
        assert "Traceback" not in response.get_data(as_text=True)
        if status == 422:
            assert report["problems"][0]["message"], name
        if name == "embedded-shapes":  # never applied; refused as a change to the shapes (issue 18)
            assert {p["kind"] for p in report["problems"] if p["severity"] == "Violation"} == {"scope"}
            assert not any(
                "<http://nothing>" in (p["path"] or "") for p in report["problems"] if p["kind"] == "shape"
            )
    assert recorder[1] == []
    assert (len(store), store.graph_sizes()) == before
    assert client.get("/validate").status_code == 200


def test_too_large_is_413_before_reading(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = post(client, b"#" * 1001)
    assert response.status_code == 413
    assert "1000" in response.get_json()["problems"][0]["message"]


def test_timeout_is_reported_and_the_server_stays_up(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "VALIDATION_TIMEOUT", 0.01)
    started = time.monotonic()
    response = client.post("/validate?lang=en", data=VALID, headers=TURTLE)
    assert response.status_code == 422 and time.monotonic() - started < 5
    assert "longer than 0.01 s" in response.get_json()["problems"][0]["message"]
    monkeypatch.setitem(app.config, "VALIDATION_TIMEOUT", 30.0)
    assert post(client, VALID).get_json()["status"] == "conforms"


def test_real_server_with_curl_like_requests(live_server):
    url = f"{live_server}/validate"
    ok = requests.post(url, data=VALID, headers={**TURTLE, "Accept": "application/json"}, timeout=60)
    assert ok.status_code == 200 and ok.json()["conforms"] is True
    bad = requests.post(
        url,
        files={"file": ("c.ttl", (EXAMPLES / "broken-unknown-term.ttl").read_bytes())},
        data={"lang": "en"},
        headers={"Accept": "text/turtle"},
        timeout=60,
    )
    graph = Graph().parse(data=bad.text, format="turtle")
    assert list(graph.objects(None, SH.conforms)) == [Literal(False)]
    big = requests.post(url, data=b"#" * (5 * 1024 * 1024 + 1), headers=TURTLE, timeout=60)
    assert big.status_code == 413
    assert requests.get(url, timeout=10).status_code == 200
    assert json.loads(ok.text)["summary"]["new_resources"]["ptce:Pole"] == 1


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_oversized_uploads_to_ptce_serve_are_refused_with_413():
    """Through the real `ptce serve` (waitress): just over the limit (the app's report) and far over it."""
    with ptce_server() as base:
        for size in (5 * 1024 * 1024 + 1, 12 * 1024 * 1024):
            response = requests.post(
                f"{base}/validate", data=b"a" * size, headers={"Content-Type": "text/turtle"}, timeout=30
            )
            assert response.status_code == 413, size
        assert requests.get(f"{base}/validate", timeout=10).status_code == 200
