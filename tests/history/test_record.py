"""The change record: one row per accept and revert, in the inbox's transaction, with an RDF Patch."""

from __future__ import annotations

import sqlite3

import pyoxigraph as ox
import pytest

from server.contributions import carry_out, writer
from server.contributions.inbox import Inbox
from server.history import patch as patches
from server.history.record import ChangeLog
from tests.helpers.contributions import CHANGE_DIJON, VALID_POLE, config_for, copy_data

BASE = "https://w3id.org/ptce/"
POLE = BASE + "id/pole/la-fabrique-du-test"
DIJON = BASE + "id/commune/21231"


def test_a_patch_is_the_difference_of_two_texts_graph_by_graph():
    old = '<http://x/a> <http://x/p> "1" .\n<http://x/a> <http://x/q> [ <http://x/r> "b" ] .\n'
    new = '<http://x/a> <http://x/p> "2" .\n<http://x/a> <http://x/q> [ <http://x/r> "b" ] .\n'
    patch = patches.from_files([{"path": "/d/things.ttl", "old": old, "new": new}], BASE)
    assert {q.object.value for q in patch.removed} == {"1"} and {q.object.value for q in patch.added} == {"2"}
    assert patch.graphs() == {BASE + "graph/things"}  # the blank node read twice is the same node
    text = patches.write(patch)
    assert text.splitlines()[0] == "TX ." and text.splitlines()[-1] == "TC ."
    assert patches.read(text) == patch


def test_rdf_patch_rows_as_the_specification_writes_them():
    text = """H id <uuid:0686c69d-8f89-4496-acb5-744f0157a8db> .
TX .
D <http://example/s> <http://example/p> <http://example/o> <http://example/g> .
A _:b1 <http://example/p> "abc"@en <http://example/g> .
TC .
TX .
A <http://example/s> <http://example/p> "drop" <http://example/g> .
TA .
"""
    patch = patches.read(text)
    assert patch.headers["id"] == "<uuid:0686c69d-8f89-4496-acb5-744f0157a8db>"
    assert [q.object for q in patch.added] == [ox.Literal("abc", language="en")]
    assert len(patch.removed) == 1
    with pytest.raises(ValueError):
        patches.read("X nonsense .\n")


@pytest.mark.slow  # accepts on a copy of data/: seconds
def test_accept_and_revert_are_recorded_with_the_status(tmp_path):
    data = copy_data(tmp_path)
    config, inbox = config_for(data), Inbox(tmp_path / "inbox.sqlite3")
    pole, change = inbox.add(VALID_POLE, {}), inbox.add(CHANGE_DIJON, {})
    writer.accept(inbox, pole, "carol", "", config)
    writer.accept(inbox, change, "dave", "", config)
    writer.revert(inbox, change, "carol", "oops", config)
    log = ChangeLog(inbox.path)
    rows = log.after(0)
    assert [(c.seq, c.action, c.kind, c.contribution, c.curator) for c in rows] == [
        (1, "accept", "create", pole, "carol"),
        (2, "accept", "update", change, "dave"),
        (3, "revert", "undo", change, "carol"),
    ]
    assert POLE in rows[0].resources and rows[1].resources == (DIJON,) == rows[2].resources
    assert [c.seq for c in log.touching(DIJON)] == [3, 2]
    update, undo = rows[1].parsed(), rows[2].parsed()
    assert {q.object.value for q in update.added if q.predicate.value.endswith("#lat")} == {"47.3222"}
    assert update.added == undo.removed and update.removed == undo.added
    assert "H prev " in rows[1].patch and "curator-token" not in rows[0].patch
    db = sqlite3.connect(inbox.path)
    assert db.execute("SELECT COUNT(*) FROM history WHERE status IN ('accepted', 'reverted')").fetchone() == (
        3,
    )


def test_no_change_row_without_its_status(tmp_path, monkeypatch):
    data = copy_data(tmp_path)
    config, inbox = config_for(data), Inbox(tmp_path / "inbox.sqlite3")
    number = inbox.add(CHANGE_DIJON, {})

    def broken(*args):
        def record(db):
            raise RuntimeError("the record fails")

        return record

    monkeypatch.setattr(carry_out, "recorder", broken)
    with pytest.raises(RuntimeError):
        writer.accept(inbox, number, "carol", "", config)
    assert inbox.get(number).status == "pending" and ChangeLog(inbox.path).last_seq() == 0
