"""One state machine for curation: accept, reject and revert take the same lock and read the status and the
journal together; a wrong state is a 409 in words; recovery never stops the server or the CLI; a revert
names the later contributions that depend on it, or reverts them with it; curator names may have spaces."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, XSD

from server.contributions import recovery, writer
from server.contributions.curation_error import CurationError
from server.contributions.inbox import ACCEPTED, PENDING, REJECTED, REVERTED, Inbox
from tests.helpers.contributions import (
    CHANGE_DIJON,
    PROJECT,
    TOKEN,
    VALID_POLE,
    config_for,
    copy_data,
    ptce_serving,
    same_tree,
)

PTCE = str(Path(sys.executable).parent / "ptce")
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
DIJON_LAT = (
    URIRef("https://w3id.org/ptce/id/commune/21231"),
    URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
)
#: A later pole whose membership uses the organisation VALID_POLE creates (without describing it again).
USES_ATELIER = b"\n\n".join(
    block for block in VALID_POLE.split(b"\n\n") if not block.startswith(b"orga:atelier-du-test a")
)
USES_ATELIER = (
    USES_ATELIER.replace(b"la-fabrique-du-test", b"la-fabrique-bis")
    .replace(b"La Fabrique du Test", b"La Fabrique Bis")
    .replace(b"The Test Factory", b"The Bis Factory")
)


def ptce(tmp_path: Path, *args: str, failpoint: str | None = None) -> subprocess.CompletedProcess:
    """``ptce contributions ARGS`` as a separate process on the test's inbox."""
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    env.pop("PTCE_FAILPOINT", None)
    if failpoint:
        env["PTCE_FAILPOINT"] = failpoint
    return subprocess.run([PTCE, "contributions", *args], capture_output=True, env=env, timeout=180)


@pytest.fixture
def setup(tmp_path):
    """A copy of data/, its config and an empty inbox."""
    data = copy_data(tmp_path)
    return data, config_for(data), Inbox(tmp_path / "inbox.sqlite3")


# --- 1. reject during an accept -----------------------------------------------------------------------------


@pytest.mark.slow  # a live server and curation processes
def test_a_reject_during_an_accept_waits_for_it_and_is_refused_in_words(tmp_path):
    data = copy_data(tmp_path)
    with ptce_serving(tmp_path, data) as (base, _):
        number = requests.post(base + "/contribute", data=VALID_POLE, headers=TURTLE).json()["id"]
        with writer.exclusive(Inbox(tmp_path / "inbox.sqlite3")):  # a curation in progress elsewhere
            env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
            rejecting = subprocess.Popen(
                [PTCE, "contributions", "reject", str(number), "--curator", "bob"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            time.sleep(2)
            assert rejecting.poll() is None, "reject did not wait for the curation in progress"
            rejecting.send_signal(signal.SIGKILL)
            rejecting.wait()
        answers = {}
        accepting = threading.Thread(
            target=lambda: answers.update(
                accept=requests.post(f"{base}/contributions/{number}/accept", headers=BEARER, timeout=180)
            )
        )
        accepting.start()
        time.sleep(0.5)  # the accept is re-validating and writing now
        rejected = ptce(tmp_path, "reject", str(number), "--curator", "bob")
        accepting.join()
        accept = answers["accept"]
        assert accept.status_code in (200, 409), accept.text  # never a 500
        status = Inbox(tmp_path / "inbox.sqlite3").get(number).status
        if accept.status_code == 200:
            assert rejected.returncode == 1 and b"is accepted, not pending" in rejected.stderr
            assert status == ACCEPTED and (data / "contributions" / "contribution-00001.ttl").is_file()
        else:
            assert rejected.returncode == 0 and status == REJECTED and same_tree(data, PROJECT / "data")
        again = requests.post(f"{base}/contributions/{number}/accept?lang=fr", headers=BEARER)
        assert again.status_code == 409 and "ne peut pas être acceptée" in again.json()["message"]
        english = requests.post(f"{base}/contributions/{number}/reject?lang=en", headers=BEARER)
        assert english.status_code == 409 and "cannot be rejected now" in english.json()["message"]
        missing = requests.post(f"{base}/contributions/99/revert?lang=en", headers=BEARER)
        assert missing.status_code == 409 and "There is no contribution 99" in missing.json()["message"]
    listed = ptce(tmp_path, "list")
    assert listed.returncode == 0 and b"Traceback" not in listed.stderr


def test_reject_is_refused_while_an_accept_is_journaled(setup):
    _, _, inbox = setup
    number = inbox.add(VALID_POLE, {})
    inbox.begin(number, "accept", {"files": []})
    with pytest.raises(CurationError, match="interrupted accept"):
        writer.reject(inbox, number, "bob", "")
    assert inbox.get(number).status == PENDING


# --- 1. recovery never raises -------------------------------------------------------------------------------


@pytest.mark.slow  # curation processes and a live server
def test_an_entry_recovery_cannot_finish_is_reported_and_everything_still_starts(tmp_path):
    data = copy_data(tmp_path)
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    inbox.add(VALID_POLE + b"\n" + CHANGE_DIJON, {}, name="Alice")
    killed = ptce(
        tmp_path, "accept", "1", "--curator", "carol", "--data", str(data), failpoint="files-written"
    )
    assert killed.returncode == -signal.SIGKILL
    with sqlite3.connect(tmp_path / "inbox.sqlite3") as db:  # what the old reject did during an accept
        db.execute("UPDATE contribution SET status = 'rejected' WHERE id = 1")
    listed = ptce(tmp_path, "list")
    assert listed.returncode == 0, listed.stderr.decode()
    assert b"Traceback" not in listed.stderr and b"ptce contributions resolve 1 --undo" in listed.stderr
    journal = ptce(tmp_path, "journal")
    assert journal.returncode == 0 and b"interrupted accept" in journal.stdout and b"new" in journal.stdout
    with ptce_serving(tmp_path, data) as (base, process):  # the server starts too, and says why in its log
        assert requests.get(base + "/contribute").status_code == 200 and process.poll() is None
    resolved = ptce(tmp_path, "resolve", "1", "--undo")
    assert resolved.returncode == 0, resolved.stderr.decode()
    assert same_tree(data, PROJECT / "data") and Inbox(tmp_path / "inbox.sqlite3").journal() == []
    assert ptce(tmp_path, "list").stderr == b""


def test_recovery_reports_instead_of_raising(setup, monkeypatch):
    _, _, inbox = setup
    number = inbox.add(VALID_POLE, {})
    inbox.begin(
        number, "accept", {"files": [{"path": "/nonexistent/x.ttl", "old_sha": None, "new_sha": "x"}]}
    )
    monkeypatch.setattr(
        recovery, "apply_plan", lambda *args: (_ for _ in ()).throw(OSError(28, "No space left"))
    )
    [(found, action, outcome)] = recovery.recover(inbox)
    assert (found, action) == (number, "accept") and "No space left" in outcome
    assert f"ptce contributions resolve {number}" in outcome and inbox.journal() != []


# --- 4. revert knows its dependants -------------------------------------------------------------------------


@pytest.mark.slow  # accepts and reverting processes
def test_a_revert_names_the_contribution_that_uses_what_it_created_or_takes_it_along(setup, tmp_path):
    data, config, inbox = setup
    first, second = inbox.add(VALID_POLE, {}), inbox.add(USES_ATELIER, {})
    writer.accept(inbox, first, "carol", "", config)
    writer.accept(inbox, second, "carol", "", config)
    alone = ptce(tmp_path, "revert", str(first), "--curator", "carol", "--data", str(data))
    assert (
        alone.returncode == 1
        and b"contribution 2 (uses" in alone.stderr
        and b"atelier-du-test" in alone.stderr
    )
    assert inbox.get(first).status == ACCEPTED and inbox.get(second).status == ACCEPTED
    both = ptce(
        tmp_path, "revert", str(first), "--curator", "carol", "--data", str(data), "--with-dependants"
    )
    assert both.returncode == 0, both.stderr.decode()
    assert inbox.get(first).status == REVERTED and inbox.get(second).status == REVERTED
    assert same_tree(data, PROJECT / "data") or not list((data / "contributions").iterdir())


@pytest.mark.slow  # accepts and reverts
def test_a_value_replaced_twice_comes_back_exactly(setup):
    data, config, inbox = setup
    first = inbox.add(CHANGE_DIJON, {})
    second = inbox.add(CHANGE_DIJON.replace(b"47.3222", b"47.3400"), {})
    writer.accept(inbox, first, "carol", "", config)
    writer.accept(inbox, second, "carol", "", config)
    with pytest.raises(CurationError, match="replaced a value it added") as refused:
        writer.revert(inbox, first, "carol", "", config)
    assert "a remplacé une valeur" in refused.value.text("fr")
    outcome = writer.revert(inbox, first, "carol", "", config, with_dependants=True)
    assert outcome.numbers == (second, first)
    assert (data / "territories.ttl").read_bytes() == (PROJECT / "data" / "territories.ttl").read_bytes()
    graph = Graph()
    for path in data.rglob("*.ttl"):
        graph.parse(path)
    assert list(graph.objects(*DIJON_LAT)) == [Literal("47.33187", datatype=XSD.decimal)]  # one latitude


# --- curator names ------------------------------------------------------------------------------------------


@pytest.mark.slow  # an accepting process
def test_a_curator_name_with_spaces_is_quoted_in_the_iri_and_kept_as_written(setup, tmp_path):
    data, _, inbox = setup
    number = inbox.add(VALID_POLE, {})
    accepted = ptce(tmp_path, "accept", str(number), "--curator", "Carol Smith", "--data", str(data))
    assert accepted.returncode == 0 and b"Traceback" not in accepted.stderr, accepted.stderr.decode()
    written = Graph().parse(data / "contributions" / "contribution-00001.ttl")
    curator = URIRef("https://w3id.org/ptce/curator/Carol%20Smith")
    assert (curator, FOAF.nick, Literal("Carol Smith")) in written
    assert inbox.get(number).history[-1]["actor"] == "Carol Smith"


@pytest.mark.slow  # an accept and a revert
def test_a_revert_the_whole_graph_refuses_changes_nothing(setup):
    data, config, inbox = setup
    number = inbox.add(VALID_POLE, {})
    writer.accept(inbox, number, "carol", "", config)
    (data / "by-hand.ttl").write_bytes(USES_ATELIER)  # a hand-written file uses the organisation it created
    before = {path: path.read_bytes() for path in data.rglob("*.ttl")}
    with pytest.raises(CurationError, match="would not pass the start-up check") as refused:
        writer.revert(inbox, number, "carol", "", config)
    assert "atelier-du-test" in str(refused.value)
    assert {path: path.read_bytes() for path in data.rglob("*.ttl")} == before
    assert inbox.get(number).status == ACCEPTED and inbox.journal() == []
