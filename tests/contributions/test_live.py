"""End to end against a running `ptce serve`: template -> validate -> submit -> list -> accept, and the new
pole answers at its IRI and in /sparql without a restart; reject, revert, hand edits (--watch, SIGHUP), and a
swap under concurrent queries with zero failed requests."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from tests.helpers.contributions import TOKEN, ask, copy_data, filled_template, ptce_serving, wait_for

pytestmark = pytest.mark.slow
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
POLE = "https://w3id.org/ptce/id/pole/pole-de-bout-en-bout"


def test_template_validate_submit_list_accept_reject_revert_live(tmp_path):
    data = copy_data(tmp_path)
    with ptce_serving(tmp_path, data, "--watch") as (base, process):
        template = requests.get(base + "/contribute/templates/new-pole.ttl?lang=fr", timeout=30).text
        # every example value filled in: the validator refuses the template's (« Nom », nom-du-pole...)
        mine = filled_template(template, "pole-de-bout-en-bout", "Pôle de bout en bout")
        path = tmp_path / "mon-pole.ttl"
        path.write_text(mine, encoding="utf-8")
        report = requests.post(
            base + "/validate", data=mine.encode(), headers={"Content-Type": "text/turtle"}, timeout=60
        )
        assert report.json()["status"] == "conforms", report.json()["problems"]
        ptce = str(Path(sys.executable).parent / "ptce")
        submitted = subprocess.run(
            [ptce, "submit", str(path), "--server", base, "--name", "Alice"], capture_output=True, timeout=120
        )
        assert submitted.returncode == 0, submitted.stdout.decode() + submitted.stderr.decode()
        listed = requests.get(base + "/contributions", headers=BEARER, timeout=30).json()["contributions"]
        assert [(c["id"], c["status"], c["name"]) for c in listed] == [(1, "pending", "Alice")]
        assert (
            requests.get(
                base + "/id/pole/pole-de-bout-en-bout", allow_redirects=False, timeout=30
            ).status_code
            == 404
        )
        accepted = requests.post(base + "/contributions/1/accept", headers=BEARER, timeout=120)
        assert accepted.status_code == 200, accepted.text
        # live without restart: same process, the IRI answers and /sparql sees the pole
        assert process.poll() is None
        assert (
            requests.get(
                base + "/id/pole/pole-de-bout-en-bout", allow_redirects=False, timeout=30
            ).status_code
            == 303
        )
        assert ask(base, f"<{POLE}> a ptce:Pole")
        written = data / "contributions" / "contribution-00001.ttl"
        graph = Graph().parse(written)
        assert (
            URIRef("https://w3id.org/ptce/graph/contribution-00001"),
            PROV.wasDerivedFrom,
            URIRef("https://w3id.org/ptce/contribution/1"),
        ) in graph
        # reject
        second = requests.post(
            base + "/contribute?name=Bob",
            data=mine.replace("bout-en-bout", "rejete")
            .replace("nom-de-l-organisation", "orga-rejetee")
            .encode(),
            headers={"Content-Type": "text/turtle", "Accept": "application/json"},
            timeout=60,
        )
        assert second.status_code == 201
        rejected = requests.post(
            base + f"/contributions/{second.json()['id']}/reject?comment=doublon", headers=BEARER, timeout=30
        )
        assert rejected.json()["status"] == "rejected"
        assert not ask(base, "<https://w3id.org/ptce/id/pole/pole-rejete> ?p ?o")
        # revert
        assert (
            requests.post(base + "/contributions/1/revert", headers=BEARER, timeout=120).json()["status"]
            == "reverted"
        )
        assert not written.exists() and not ask(base, f"<{POLE}> ?p ?o")
        # a hand edit of data/ goes live with --watch
        (data / "hand.ttl").write_text(
            mine.replace("pole-de-bout-en-bout", "pole-a-la-main").replace(
                "nom-de-l-organisation", "orga-a-la-main"
            ),
            encoding="utf-8",
        )
        assert wait_for(lambda: ask(base, "<https://w3id.org/ptce/id/pole/pole-a-la-main> a ptce:Pole"))


def test_a_swap_under_concurrent_queries_fails_no_request(tmp_path):
    data = copy_data(tmp_path)
    with ptce_serving(tmp_path, data) as (base, process):
        stop, failures, served = threading.Event(), [], [0]
        urls = [
            (
                base + "/sparql",
                {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ptce:Pole }"},
                {"Accept": "application/sparql-results+json"},
            ),
            (base + "/doc/pole/ag2i.ttl", None, {}),
            (base + "/.well-known/void", None, {"Accept": "text/turtle"}),
            (base + "/", None, {"Accept": "text/html"}),
        ]

        def load(index: int) -> None:
            session = requests.Session()
            while not stop.is_set():
                url, params, headers = urls[index % len(urls)]
                try:
                    response = session.get(url, params=params, headers=headers, timeout=30)
                    if response.status_code != 200:
                        failures.append((url, response.status_code))
                except requests.RequestException as error:
                    failures.append((url, repr(error)))
                served[0] += 1

        threads = [threading.Thread(target=load, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        try:
            for number in range(3):
                (data / f"extra-{number}.ttl").write_text(
                    f"<https://w3id.org/ptce/id/pole/extra-{number}> a <https://w3id.org/ptce/ontology#Pole> ;\n"
                    f'    <http://www.w3.org/2000/01/rdf-schema#label> "Extra {number}"@fr ;\n'
                    "    <http://purl.org/dc/terms/source> <https://example.org/> .\n",
                    encoding="utf-8",
                )
                process.send_signal(signal.SIGHUP)
                assert wait_for(
                    lambda n=number: ask(base, f"<https://w3id.org/ptce/id/pole/extra-{n}> ?p ?o")
                )
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert failures == [] and served[0] > 50


def test_the_old_stores_sparql_processes_stop_after_a_swap(tmp_path):
    import os
    import time

    from server import create_app
    from server.contributions.live import reload_dataset
    from server.sparql.views import start_workers
    from tests.helpers.servers import serve_in_thread

    app = create_app({"TESTING": True, "DATA_DIRS": [str(copy_data(tmp_path))], "SPARQL_TIMEOUT": 1.0})
    start_workers(app)
    from server.sparql.execution import _pools

    pools = list(_pools[app.extensions["ptce"]].values())  # the ordinary lane and the fast lane
    assert len(pools) == 2
    pids = [pid for pool in pools for server_pid, workers in [pool.pids()] for pid in (server_pid, *workers)]
    with serve_in_thread(app) as base:
        assert ask(base, "?s a ptce:Pole")
        reload_dataset(app)
        assert ask(base, "?s a ptce:Pole")  # served by the new store's workers
        time.sleep(1.0 + 5 + 2)
        for pid in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert ask(base, "?s a ptce:Pole")


def test_watch_never_reloads_half_written_curation_files(tmp_path):
    """--watch waits for the curation lock: files an accept is still writing never reach the server."""
    from server.contributions.lock import curation_lock

    data = copy_data(tmp_path)
    with ptce_serving(tmp_path, data, "--watch", WATCH_INTERVAL=0.2) as (base, _):
        poles = data / "poles.ttl"
        whole = poles.read_text(encoding="utf-8")
        with curation_lock(tmp_path / "inbox.sqlite3"):  # an accept in progress, between two files
            poles.write_text(whole + "\n<https://w3id.org/ptce/id/pole/coursive-boutaric> geo:lat \n")
            for _ in range(10):  # the watcher sees the change five times over while the lock is held
                assert requests.get(base + "/readyz", timeout=30).status_code == 200
                threading.Event().wait(0.1)
            poles.write_text(whole + '\n<https://w3id.org/ptce/id/pole/half-written> rdfs:label "x"@fr .\n')
        assert wait_for(lambda: ask(base, "<https://w3id.org/ptce/id/pole/half-written> ?p ?o"), 30)
        assert requests.get(base + "/readyz", timeout=30).json()["status"] == "ready"
