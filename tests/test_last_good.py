"""The server never strands itself (issue 18, item 6): files that fail the start-up check after a good start
are not served; the last dataset that passed it is, read-only, and /readyz, the log and a banner for
curators say so; ``ptce contributions`` still works; SIGHUP reloads keep the old store. Real ``ptce serve``
processes, except the unit tests of the copies (atomic, bounded, never another dataset's)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from server import startup
from server.contributions.inbox import Inbox
from tests.helpers.contributions import (
    CASES,
    PROJECT,
    TOKEN,
    VALID_POLE,
    ask,
    config_for,
    copy_data,
    ptce_serving,
    wait_for,
)
from tests.helpers.serve import write_dataset
from tests.helpers.sparql import free_port

pytestmark = pytest.mark.slow
PTCE = str(Path(sys.executable).parent / "ptce")
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
DIJON_LAT = "<https://w3id.org/ptce/id/commune/21231> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?lat"
TEST_POLE = "<https://w3id.org/ptce/id/pole/la-fabrique-du-test> ?p ?o"
SMALL = '<https://example.org/x> <https://example.org/p> "{}" .\n'


def readyz(base: str) -> tuple[int, dict]:
    """GET /readyz: (status code, JSON); first waits for the server to answer (a loaded machine is slow)."""
    wait_for(lambda: _answers(base), 240)
    response = requests.get(base + "/readyz", timeout=30)
    return response.status_code, response.json()


def _answers(base: str) -> bool:
    try:
        requests.get(base + "/readyz", timeout=5)
        return True
    except requests.ConnectionError:
        return False


def dataset_check(state: dict) -> dict:
    """The ``dataset`` check of a /readyz answer."""
    return next(check for check in state["checks"] if check["name"] == "dataset")


def contributions_list(tmp_path: Path) -> subprocess.CompletedProcess:
    """``ptce contributions list`` on the test's inbox."""
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    return subprocess.run(
        [PTCE, "contributions", "list"], capture_output=True, text=True, env=env, timeout=120
    )


def assert_read_only(base: str) -> None:
    """Curator actions and submissions answer 503 in words; reading works."""
    for action in ("accept", "reject", "revert"):
        refused = requests.post(f"{base}/contributions/1/{action}?lang=en", headers=BEARER, timeout=60)
        assert refused.status_code == 503, (action, refused.text)
        assert "read-only" in refused.json()["message"]
        assert "last dataset that passed" in refused.json()["message"]
    french = requests.post(f"{base}/contributions/1/accept?lang=fr", headers=BEARER, timeout=60)
    assert french.status_code == 503 and "lecture seule" in french.json()["message"]
    submitted = requests.post(
        base + "/contribute?lang=en",
        data=VALID_POLE,
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=60,
    )
    assert submitted.status_code == 503 and "read-only" in submitted.json()["message"]
    anonymous = requests.post(
        f"{base}/contributions/1/accept", headers={"Accept": "application/json"}, timeout=60
    )
    assert anonymous.status_code == 401  # the curators' login comes first
    page = requests.get(
        f"{base}/contributions/1?lang=en", headers={**BEARER, "Accept": "text/html"}, timeout=60
    )
    assert page.status_code == 200 and 'role="alert"' in page.text and "Read-only:" in page.text
    public = requests.get(base + "/?lang=en", timeout=30)
    assert public.status_code == 200 and "Read-only:" not in public.text  # the banner is for curators


def test_files_failing_the_check_after_a_good_start_serve_the_last_good_dataset_read_only(tmp_path):
    data = copy_data(tmp_path)
    cache = tmp_path / "cache"
    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, _):
        status, state = readyz(base)
        assert status == 200 and state["status"] == "ready", state
        assert all(check["status"] == "pass" for check in state["checks"]), state
        assert [check["name"] for check in state["checks"]] == [
            "store",
            "sparql",
            "inbox",
            "dataset",
            "recovery",
        ]
    copies = [p for p in (cache / "last-good").iterdir() if not p.name.startswith(".")]
    assert len(copies) == 1 and (copies[0] / "manifest.json").is_file()
    Inbox(tmp_path / "inbox.sqlite3").add(VALID_POLE, {}, name="Alice")
    original = (data / "territories.ttl").read_text(encoding="utf-8")
    (data / "territories.ttl").write_text(original + "\ncommune:21231 geo:lat \n", encoding="utf-8")

    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, process):
        status, state = readyz(base)
        assert status == 503 and state["status"] == "degraded"
        check = dataset_check(state)
        assert check["status"] == "fail" and check["why"] == "the dataset cannot be read"
        assert check["problems"][0].startswith(f"{data / 'territories.ttl'}:")
        assert check["served"]["hash"] == copies[0].name and check["served"]["saved"]
        assert ask(base, DIJON_LAT)  # served from the copy: the broken territories.ttl is not read
        assert_read_only(base)
        listed = contributions_list(tmp_path)  # the CLI does not load the dataset: it works
        assert listed.returncode == 0 and "pending" in listed.stdout, listed.stderr

        (data / "territories.ttl").write_text(original, encoding="utf-8")  # fixed, then reloaded
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: readyz(base)[0] == 200, 120)
        accepted = requests.post(f"{base}/contributions/1/accept", headers=BEARER, timeout=120)
        assert accepted.status_code == 200, accepted.text
    log = process.stderr.read().decode()
    assert f"{data / 'territories.ttl'}:" in log
    assert "serving the LAST GOOD DATASET instead, READ-ONLY" in log and copies[0].name[:16] in log
    assert "pass the start-up check again" in log


def test_a_reload_that_fails_the_shapes_keeps_the_old_store_and_a_restart_serves_the_copy(tmp_path):
    data = copy_data(tmp_path)
    cache = tmp_path / "cache"
    Inbox(tmp_path / "inbox.sqlite3").add(VALID_POLE, {}, name="Alice")
    broken = data / "broken.ttl"
    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, process):
        assert readyz(base)[0] == 200  # up, with its SIGHUP handler
        broken.write_text((CASES / "validator" / "broken-pole-no-label.ttl").read_text(), encoding="utf-8")
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: readyz(base)[0] == 503, 120)
        check = dataset_check(readyz(base)[1])
        assert check["why"] == "the data violates the shapes"
        assert any(line.startswith(f"{broken}:16:1: violation") for line in check["problems"])
        assert not ask(base, TEST_POLE)  # the old store still serves
        assert_read_only(base)
    log = process.stderr.read().decode()
    assert f"{broken}:16:1: violation" in log and "reload refused: the data violates the shapes" in log

    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, process):
        status, state = readyz(base)
        assert status == 503 and dataset_check(state)["why"].startswith("the data violates the shapes")
        assert not ask(base, TEST_POLE) and ask(base, DIJON_LAT)
    log = process.stderr.read().decode()
    assert f"{broken}:16:1: violation" in log and "serving the LAST GOOD DATASET" in log


def test_without_a_copy_of_these_folders_serve_refuses_to_start_as_before(tmp_path):
    cache = tmp_path / "cache"
    other = write_dataset(tmp_path / "other", SMALL.format("a"))
    config = config_for(other)
    config["CACHE_DIR"] = str(cache)
    _check(config)  # a copy exists, but of another data folder
    data = write_dataset(tmp_path / "data", "<https://example.org/s> <https://example.org/p> \n")
    env = {**os.environ, "PTCE_CACHE_DIR": str(cache)}
    command = [PTCE, "serve", "--port", str(free_port()), "--data", str(data)]
    result = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"{data / 'sample.ttl'}:2:1:" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "ptce serve: not started: the dataset cannot be read"


def _check(config) -> list[str]:
    """Load the dataset of ``config`` and run the start-up check on it (a copy is kept if it passes)."""
    from server.dataset import load_store

    return startup.store_violations(load_store(config), config, "en")


def test_copies_are_atomic_bounded_intact_and_of_the_same_folders(tmp_path):
    data = write_dataset(tmp_path / "data", SMALL.format("first"))
    config = config_for(data)
    config["CACHE_DIR"] = str(tmp_path / "cache")
    root = tmp_path / "cache" / "last-good"
    assert startup.last_good(config) is None
    keys = []
    for value in ("first", "second", "third"):
        (data / "sample.ttl").write_text(SMALL.format(value))
        assert _check(config) == []
        keys.append(startup.last_good(config).key)
        os.utime(root / keys[-1], (1e9 + len(keys), 1e9 + len(keys)))  # distinct times on coarse clocks
    assert sorted(p.name for p in root.iterdir()) == sorted(keys[1:])  # the last two are kept
    snapshot = startup.last_good(config)
    assert snapshot.key == keys[2]
    manifest = json.loads((snapshot.folder / "manifest.json").read_text())
    copy = next(f for f in manifest["files"] if f["path"] == str(data / "sample.ttl"))
    assert (snapshot.folder / copy["name"]).read_text() == SMALL.format("third")
    assert copy["graph"] == "https://w3id.org/ptce/graph/sample"

    (snapshot.folder / copy["name"]).write_text(SMALL.format("tampered"))  # damaged: the older one is used
    assert startup.last_good(config).key == keys[1]
    (root / ".incoming-0123456789abcdef-1").mkdir()  # a crash during a copy: never served
    assert startup.last_good(config).key == keys[1]

    elsewhere = write_dataset(tmp_path / "elsewhere", SMALL.format("second"))
    other = config_for(elsewhere)
    other["CACHE_DIR"] = config["CACHE_DIR"]
    assert startup.last_good(other) is None  # a copy is only served for the folders it was made from
