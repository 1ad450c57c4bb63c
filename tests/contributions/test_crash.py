"""A process killed (SIGKILL) at any step of an accept or a revert, then started again: the inbox and data/
are consistent (the whole change applied and recorded, or none of it), nothing lost or duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from server.contributions.inbox import ACCEPTED, PENDING, REVERTED, Inbox
from tests.helpers.contributions import CHANGE_DIJON, PROJECT, VALID_POLE, copy_data, same_tree

pytestmark = pytest.mark.slow
PTCE = str(Path(sys.executable).parent / "ptce")
DIJON_LAT = (
    URIRef("https://w3id.org/ptce/id/commune/21231"),
    URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
)
#: A new pole and a changed value: two files are written (the contribution's, and territories.ttl).
BOTH = VALID_POLE + b"\n" + CHANGE_DIJON
ACCEPT_STEPS = [
    "planned",
    "journaled",
    "temporary-written",
    "file-0-written",
    "file-1-written",
    "files-written",
    "recorded",
]
REVERT_STEPS = ["journaled", "temporary-written", "file-0-written", "files-written", "recorded"]


def curate(action, tmp_path, failpoint=None):
    """``ptce contributions <action> 1`` as a separate process."""
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    env.pop("PTCE_FAILPOINT", None)
    if failpoint:
        env["PTCE_FAILPOINT"] = failpoint
    command = [PTCE, "contributions", action, "1", "--curator", "carol", "--data", str(tmp_path / "data")]
    return subprocess.run(command, capture_output=True, env=env, timeout=120)


def restart(tmp_path):
    """What a restart does first: open the inbox and recover (here through ``ptce contributions list``)."""
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    env.pop("PTCE_FAILPOINT", None)
    result = subprocess.run([PTCE, "contributions", "list"], capture_output=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    return Inbox(tmp_path / "inbox.sqlite3")


def check_consistent(data: Path, inbox: Inbox) -> str:
    """Either nothing of the accept, or all of it with its record; returns the status found."""
    status = inbox.get(1).status
    files = sorted((data / "contributions").glob("*")) if (data / "contributions").exists() else []
    territories = Graph().parse(data / "territories.ttl")
    old = Literal("47.33187", datatype=XSD.decimal)
    assert not [f for f in files if f.name.startswith(".")], "a temporary file was left behind"
    if status == ACCEPTED:
        assert [f.name for f in files] == ["contribution-00001.ttl"]
        assert (*DIJON_LAT, old) not in territories
        assert (*DIJON_LAT, Literal("47.3222", datatype=XSD.decimal)) in Graph().parse(files[0])
        assert inbox.journal() == []
    else:
        assert files == [] and (*DIJON_LAT, old) in territories
        assert same_tree(data, PROJECT / "data")
    return status


@pytest.mark.parametrize("step", ACCEPT_STEPS)
def test_accept_killed_at_each_step_is_finished_or_undone_on_restart(tmp_path, step):
    data = copy_data(tmp_path)
    Inbox(tmp_path / "inbox.sqlite3").add(BOTH, {}, name="Alice")
    killed = curate("accept", tmp_path, step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    inbox = restart(tmp_path)
    status = check_consistent(data, inbox)
    assert status == (PENDING if step == "planned" else ACCEPTED)
    history = [h["status"] for h in inbox.get(1).history]
    assert history.count(ACCEPTED) == (status == ACCEPTED)  # recorded once, never twice
    again = curate("accept", tmp_path)
    assert (again.returncode == 0) == (status == PENDING)
    check_consistent(data, restart(tmp_path))


@pytest.mark.parametrize("step", REVERT_STEPS)
def test_revert_killed_at_each_step_is_finished_on_restart(tmp_path, step):
    data = copy_data(tmp_path)
    Inbox(tmp_path / "inbox.sqlite3").add(BOTH, {}, name="Alice")
    assert curate("accept", tmp_path).returncode == 0
    killed = curate("revert", tmp_path, step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    inbox = restart(tmp_path)
    assert inbox.get(1).status == REVERTED and inbox.journal() == []
    assert same_tree(data, PROJECT / "data") or sorted((data / "contributions").iterdir()) == []
    assert (data / "territories.ttl").read_bytes() == (PROJECT / "data" / "territories.ttl").read_bytes()


def test_two_processes_accepting_changes_to_the_same_file_keep_both(tmp_path):
    data = copy_data(tmp_path)
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    inbox.add(CHANGE_DIJON, {})
    inbox.add(CHANGE_DIJON.replace(b'geo:lat "47.3222"', b'geo:long "5.0400"'), {})
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    env.pop("PTCE_FAILPOINT", None)
    processes = [
        subprocess.Popen(
            [PTCE, "contributions", "accept", str(n), "--curator", "carol", "--data", str(data)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in (1, 2)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors.decode()
    text = (data / "territories.ttl").read_text(encoding="utf-8")
    assert "47.33187" not in text and '"5.03222"' not in text
    assert sorted(p.name for p in (data / "contributions").iterdir()) == [
        "contribution-00001.ttl",
        "contribution-00002.ttl",
    ]
