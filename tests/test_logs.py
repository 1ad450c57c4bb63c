"""The logs of a real ``ptce serve``: one JSON line per request with its fields, ``X-Request-ID`` taken or made
and present in every line of its request, the start-up line, text lines on request, nothing secret (curator
token, session cookie, contributor's e-mail), and a clear reason when the settings stop the start-up."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import requests
from werkzeug.security import generate_password_hash

from tests.helpers.contributions import VALID_POLE, copy_data
from tests.helpers.serve import PTCE, ptce_serve, write_dataset
from tests.helpers.sparql import PROJECT_DIR

pytestmark = pytest.mark.slow
SMALL = "".join(f'<https://example.org/s{i}> <https://example.org/p> "v{i}" .\n' for i in range(20))
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o . ?q ?r ?t }"
TOKEN = "curator-token-never-logged-0123456789"
EMAIL = "alice.contributor@example.org"
SECRET_KEY = "a secret key of at least thirty-two characters"


def log_of(tmp_path) -> str:
    """The server's output (stdout and stderr) so far."""
    return next(tmp_path.glob("serve-*.log")).read_text(encoding="utf-8")


def json_lines(text: str) -> list[dict]:
    """The JSON log lines of the output (the human lines of ``ptce serve`` are left out)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def wait_for_line(tmp_path, predicate, seconds: float = 10) -> dict:
    """The first JSON line matching ``predicate`` (the line of a request is written once it is answered)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        found = [line for line in json_lines(log_of(tmp_path)) if predicate(line)]
        if found or time.monotonic() > deadline:
            assert found, log_of(tmp_path)[-3000:]
            return found[0]
        time.sleep(0.1)


def test_one_json_line_per_request_with_its_id_in_every_line(tmp_path):
    data = write_dataset(tmp_path / "data", SMALL)
    with ptce_serve(data, tmp_path, "--log-format", "json", SPARQL_TIMEOUT=1) as served:
        answer = requests.post(
            served.base + "/sparql",
            data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 7"},
            headers={"Accept": "application/sparql-results+json", "X-Request-ID": "client-id.42"},
            timeout=30,
        )
        assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "client-id.42"
        line = wait_for_line(tmp_path, lambda x: x.get("request_id") == "client-id.42")
        assert line["logger"] == "ptce.request" and line["level"] == "INFO"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
        assert line["method"] == "POST" and line["path"] == "/sparql" and line["route"] == "/sparql"
        assert line["status"] == 200 and line["bytes"] == len(answer.content)
        assert line["duration_ms"] > 0 and line["client"] == "127.0.0.1"
        assert line["sparql_lane"] == "fast" and line["sparql_rows"] == 7 and line["sparql_outcome"] == "ok"

        # an ill-formed id is replaced by one the server makes, and returned
        made = requests.get(served.base + "/healthz", headers={"X-Request-ID": "no spaces <>"}, timeout=5)
        assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
        wait_for_line(tmp_path, lambda x: x.get("request_id") == made.headers["X-Request-ID"])

        # a query stopped at the time limit: the worker's line and the request's line share the id
        stopped = requests.post(
            served.base + "/sparql", data={"query": SLOW}, headers={"X-Request-ID": "slow-1"}, timeout=30
        )
        assert stopped.status_code == 503
        wait_for_line(tmp_path, lambda x: x.get("request_id") == "slow-1" and x.get("status") == 503)
        lines = [x for x in json_lines(log_of(tmp_path)) if x.get("request_id") == "slow-1"]
        assert len(lines) >= 2 and any("worker killed" in x["message"] for x in lines)
        assert lines[-1]["sparql_outcome"] == "timeout" and lines[-1]["sparql_lane"] == "main"
    output = log_of(tmp_path)
    started = [x for x in json_lines(output) if x["logger"] == "ptce.serve"]
    assert started and started[0]["message"].startswith("started: ") and started[0]["triples"] >= 20
    assert all(x["request_id"] == "-" for x in started)  # not a request's line


def test_text_lines_on_request(tmp_path):
    data = write_dataset(tmp_path / "data", SMALL)
    with ptce_serve(data, tmp_path, "--log-format", "text") as served:
        requests.get(served.base + "/healthz", headers={"X-Request-ID": "text-1"}, timeout=5)
        import time

        time.sleep(0.5)
    output = log_of(tmp_path)
    assert not json_lines(output)
    assert re.search(r"INFO ptce\.request \[text-1\] GET /healthz 200 3 B", output), output[-2000:]


def test_nothing_secret_is_logged(tmp_path):
    data = copy_data(tmp_path)
    curators = json.dumps({"carol": generate_password_hash(TOKEN)})
    settings = {
        "CURATORS": curators,
        "SECRET_KEY": SECRET_KEY,
        "CONTRIBUTIONS_DB": tmp_path / "inbox.sqlite3",
    }
    with ptce_serve(data, tmp_path, "--log-format", "json", **settings) as served:
        base = served.base
        sent = requests.post(
            base + "/contribute",
            params={"name": "Alice", "email": EMAIL, "message": f"write to {EMAIL}"},
            data=VALID_POLE,
            headers={"Content-Type": "text/turtle", "Accept": "application/json"},
            timeout=120,
        )
        assert sent.status_code == 201, sent.text
        bearer = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
        assert requests.get(base + "/contributions", headers=bearer, timeout=60).status_code == 200
        assert requests.get(f"{base}/contributions?token={TOKEN}", timeout=60).status_code in (401, 403)
        with requests.Session() as browser:  # a curator's session: its cookie must not be logged either
            form = browser.get(base + "/contributions/login", timeout=60).text
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            browser.post(base + "/contributions/login", data={"token": TOKEN, "csrf_token": csrf}, timeout=60)
            cookie = browser.cookies.get("session")
            assert cookie
            assert browser.get(base + "/contributions/1", timeout=60).status_code == 200
        requests.get(f"{base}/id/pole/{EMAIL}", timeout=60)  # an e-mail in a path
        wait_for_line(tmp_path, lambda x: x.get("path", "").startswith("/id/pole/"))
    output = log_of(tmp_path)
    assert TOKEN not in output and cookie not in output and csrf not in output
    assert EMAIL not in output and "alice.contributor" not in output
    assert "/id/pole/<e-mail>" in output


def test_a_short_secret_key_is_not_blamed_on_the_dataset(tmp_path):
    data = write_dataset(tmp_path / "data", SMALL)
    env = {
        **os.environ,
        "PTCE_CACHE_DIR": str(tmp_path / "cache"),
        "PTCE_CURATORS": json.dumps({"carol": generate_password_hash(TOKEN)}),
        "PTCE_SECRET_KEY": "short",
    }
    result = subprocess.run(
        [PTCE, "serve", "--port", "1", "--data", str(data)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert "SECRET_KEY has 5 characters" in result.stderr
    assert lines[-1] == "ptce serve: not started: the settings are not valid"
    assert "dataset" not in result.stderr
