"""``ptce backup`` beside a real ``ptce serve`` under load (queries, submissions, an accept), then ``ptce
restore`` into empty folders and a server started on what was restored: pending, accepted and reverted
contributions and data/ come back as they were backed up; a partial, corrupt or padded backup, or a place
that is not empty, is refused before anything is written."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.security import generate_password_hash

from tests.helpers.contributions import CHANGE_DIJON, VALID_POLE, copy_data, same_tree
from tests.helpers.serve import PTCE, ptce_serve
from tests.helpers.sparql import PROJECT_DIR

pytestmark = pytest.mark.slow
TOKEN = "curator-token-for-backups-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}
SERIAL = itertools.count(10)
POLE = "ASK { <https://w3id.org/ptce/id/pole/la-fabrique-du-test> ?p ?o }"


def ptce(*args: str, inbox: Path) -> subprocess.CompletedProcess:
    """Run a ``ptce`` command with the test's inbox."""
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(inbox)}
    return subprocess.run(
        [PTCE, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def statuses(inbox: Path) -> dict[int, str]:
    """{contribution number: status} of an inbox file."""
    db = sqlite3.connect(f"file:{inbox}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT id, status FROM contribution ORDER BY id").fetchall())
    finally:
        db.close()


def settings(inbox: Path) -> dict:
    """The server's settings: one curator, its key, the test's inbox, submissions not throttled."""
    return {
        "CURATORS": json.dumps({"carol": generate_password_hash(TOKEN)}),
        "SECRET_KEY": "a secret key of at least thirty-two characters",
        "CONTRIBUTIONS_DB": inbox,
        "CONTRIBUTIONS_RATE_LIMIT": "1000 per hour",
    }


def dijon(serial: int) -> bytes:
    """A change of Dijon's latitude of its own (the same file twice is refused)."""
    return CHANGE_DIJON.replace(b'"47.3222"', f'"47.3{serial:03d}"'.encode())


def submit(base: str, turtle: bytes) -> int:
    """Propose a file; its number."""
    sent = requests.post(
        f"{base}/contribute", params={"email": "x@example.org"}, data=turtle, headers=TURTLE, timeout=120
    )
    assert sent.status_code == 201, sent.text
    return sent.json()["id"]


def act(base: str, number: int, action: str) -> None:
    """A curator's accept or revert on the web."""
    done = requests.post(f"{base}/contributions/{number}/{action}", headers=BEARER, timeout=300)
    assert done.status_code == 200, done.text


def test_backup_under_load_then_restore_into_empty_folders(tmp_path):
    data, inbox = copy_data(tmp_path), tmp_path / "instance" / "contributions.sqlite3"
    with ptce_serve(data, tmp_path, "--watch", **settings(inbox)) as served:
        base = served.base
        accepted = submit(base, VALID_POLE)
        act(base, accepted, "accept")
        reverted = submit(base, dijon(1))
        act(base, reverted, "accept")
        act(base, reverted, "revert")
        pending = submit(base, dijon(2))
        late = submit(base, dijon(3))  # accepted while the backup runs

        stop, failures, served_count = threading.Event(), [], [0]

        def load(kind: str) -> None:
            while not stop.is_set():
                try:
                    if kind == "query":
                        answer = requests.post(
                            base + "/sparql",
                            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                            timeout=60,
                        )
                    else:
                        answer = requests.post(
                            f"{base}/contribute",
                            data=dijon(next(SERIAL)),
                            headers=TURTLE,
                            timeout=120,
                        )
                    if answer.status_code not in (200, 201):
                        failures.append(answer.status_code)
                    served_count[0] += 1
                except requests.RequestException as error:
                    failures.append(repr(error))

        workers = [
            threading.Thread(target=load, args=(kind,)) for kind in ("query", "query", "query", "submit")
        ]
        for worker in workers:
            worker.start()
        try:
            time.sleep(1)
            accept = threading.Thread(target=act, args=(base, late, "accept"))
            accept.start()
            backup = ptce("backup", str(tmp_path / "backup"), "--data", str(data), inbox=inbox)
            accept.join()
        finally:
            stop.set()
            for worker in workers:
                worker.join()
        assert backup.returncode == 0, backup.stderr
        assert backup.stdout.startswith("backed up ")
        assert failures == [] and served_count[0] > 5
        status_now = statuses(inbox)
    events = next(tmp_path.glob("serve-*.log")).read_text(encoding="utf-8")
    assert f"contribution {accepted}: accept (now accepted)" in events
    assert f"contribution {reverted}: revert (now reverted)" in events and "dataset reloaded" in events
    assert "ptce serve: stopped in" in events

    folder = tmp_path / "backup"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "ptce-backup/1" and manifest["files"][0]["path"] == "contributions.sqlite3"
    backed = statuses(folder / "contributions.sqlite3")
    assert backed[accepted] == "accepted" and backed[reverted] == "reverted" and backed[pending] == "pending"
    assert backed[late] in ("pending", "accepted")  # before or after the accept: never in between
    assert {n: s for n, s in backed.items() if n != late and n in status_now} == {
        n: s for n, s in status_now.items() if n != late and n in backed
    }
    backed_data = folder / "data" / "0-data"
    files_of_late = list((backed_data / "contributions").glob(f"contribution-{late:05d}*.ttl"))
    assert bool(files_of_late) == (backed[late] == "accepted")  # the inbox and data/ agree
    assert not list((backed_data / "contributions").glob(f"contribution-{reverted:05d}*.ttl"))

    # restore into new, empty places; then a server on them serves what was backed up
    restored_data, restored_inbox = tmp_path / "restored" / "data", tmp_path / "restored" / "inbox.sqlite3"
    done = ptce("restore", str(folder), "--data", str(restored_data), inbox=restored_inbox)
    assert done.returncode == 0, done.stderr
    assert same_tree(restored_data, backed_data)
    assert statuses(restored_inbox) == backed
    with ptce_serve(restored_data, tmp_path, **settings(restored_inbox)) as served:
        ready = requests.get(served.base + "/readyz", timeout=60)
        assert ready.status_code == 200, ready.text
        answer = requests.get(
            served.base + "/sparql",
            params={"query": POLE},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert answer.json()["boolean"] is True  # the accepted pole
        listed = requests.get(served.base + "/contributions", headers=BEARER, timeout=60).json()
        assert {item["id"]: item["status"] for item in listed["contributions"]} == backed

    # a second restore on top of the first is refused: the places are not empty
    again = ptce("restore", str(folder), "--data", str(restored_data), inbox=restored_inbox)
    assert again.returncode == 1 and "exists" in again.stderr


def test_a_partial_corrupt_or_padded_backup_is_refused_and_nothing_is_written(tmp_path):
    data, inbox = copy_data(tmp_path), tmp_path / "inbox.sqlite3"
    from server.contributions.inbox import Inbox

    Inbox(inbox).add(VALID_POLE, {}, name="Alice", email="alice@example.org")
    folder = tmp_path / "backup"
    made = ptce("backup", str(folder), "--data", str(data), inbox=inbox)
    assert made.returncode == 0, made.stderr
    assert ptce("backup", str(folder), "--data", str(data), inbox=inbox).returncode == 1  # not empty

    def refused(broken: Path, words: str) -> None:
        target, target_inbox = tmp_path / "target" / "data", tmp_path / "target" / "inbox.sqlite3"
        result = ptce("restore", str(broken), "--data", str(target), inbox=target_inbox)
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert not target.exists() and not target_inbox.exists()  # nothing written

    corrupt = tmp_path / "corrupt"
    shutil.copytree(folder, corrupt)
    some_file = next((corrupt / "data" / "0-data").glob("*.ttl"))
    some_file.write_bytes(some_file.read_bytes().replace(b"ptce", b"ptcE", 1))
    refused(corrupt, "corrupt")

    partial = tmp_path / "partial"
    shutil.copytree(folder, partial)
    (partial / "manifest.json").unlink()
    refused(partial, "partial")

    missing = tmp_path / "missing"
    shutil.copytree(folder, missing)
    next((missing / "data" / "0-data").glob("*.ttl")).unlink()
    refused(missing, "missing")

    padded = tmp_path / "padded"
    shutil.copytree(folder, padded)
    (padded / "data" / "0-data" / "extra.ttl").write_text("<https://x/s> <https://x/p> <https://x/o> .\n")
    refused(padded, "does not list")

    bad_inbox = tmp_path / "bad-inbox"
    shutil.copytree(folder, bad_inbox)
    manifest = json.loads((bad_inbox / "manifest.json").read_text())
    database = bad_inbox / "contributions.sqlite3"
    database.write_bytes(database.read_bytes()[:4096] + b"\0" * (database.stat().st_size - 4096))
    entry = next(e for e in manifest["files"] if e["role"] == "inbox")
    from server.backup import sha256

    entry["sha256"] = sha256(database)  # consistent hashes, broken database
    (bad_inbox / "manifest.json").write_text(json.dumps(manifest))
    refused(bad_inbox, "integrity")
