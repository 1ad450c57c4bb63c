"""A full disk (issue 18, finding 5), on a real full filesystem: a small tmpfs holding data/, filled up.

An accept answers 507 Insufficient Storage in words and leaves no temporary file; the CLI says the disk is
full without a traceback; a restart on the still-full disk starts, and once space is freed it is ready.
Mounting needs root (CI runs as root); elsewhere these tests are skipped, saying why.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.contributions.files import DiskFull, write_atomically
from server.contributions.inbox import Inbox
from tests.helpers.contributions import (
    PROJECT,
    TOKEN,
    VALID_POLE,
    copy_data,
    ptce_serving,
    same_tree,
    wait_for,
)

pytestmark = pytest.mark.slow
PTCE = str(Path(sys.executable).parent / "ptce")
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}


@pytest.fixture
def disk(tmp_path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted in the test's folder (unmounted after)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a full filesystem needs a tmpfs mount, which needs root (CI runs as root)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not allowed here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte; return the filler file (delete it to free)."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)
    return filler


def temporary_files(folder: Path) -> list[Path]:
    """Every temporary file of write_atomically under ``folder``."""
    return [path for path in folder.rglob(".*.tmp")]


def contributions_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``ptce contributions ...`` on the test's inbox."""
    env = {**os.environ, "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    return subprocess.run(
        [PTCE, "contributions", *args], capture_output=True, text=True, env=env, timeout=120
    )


def ready(base: str) -> int:
    """The status of /readyz, once the server answers (a loaded machine starts slowly)."""

    def answers() -> bool:
        try:
            return requests.get(base + "/readyz", timeout=5).status_code > 0
        except requests.ConnectionError:
            return False

    assert wait_for(answers, 240)
    return requests.get(base + "/readyz", timeout=30).status_code


def test_write_atomically_on_a_full_disk_raises_disk_full_and_leaves_nothing(disk):
    target = disk / "file.ttl"
    target.write_text("old\n")
    fill(disk)
    with pytest.raises(DiskFull) as raised:
        write_atomically(target, "new\n" * 100_000)
    assert raised.value.errno == errno.ENOSPC and isinstance(raised.value, OSError)
    assert "the disk is full" in str(raised.value) and str(target) in str(raised.value)
    assert "disque" in raised.value.words("fr") and "disk is full" in raised.value.words("en")
    assert target.read_text() == "old\n" and temporary_files(disk) == []


def test_an_accept_on_a_full_disk_is_507_leaves_nothing_and_the_server_restarts(tmp_path, disk):
    data = copy_data(disk)
    cache = tmp_path / "cache"
    Inbox(tmp_path / "inbox.sqlite3").add(VALID_POLE, {}, name="Alice")
    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, _):
        assert ready(base) == 200
        filler = fill(disk)
        refused = requests.post(f"{base}/contributions/1/accept?lang=en", headers=BEARER, timeout=120)
        assert refused.status_code == 507, refused.text
        assert "disk is full" in refused.json()["message"]
        french = requests.post(f"{base}/contributions/1/accept?lang=fr", headers=BEARER, timeout=120)
        assert french.status_code in (409, 507), french.text  # 409 once the first try is journaled
        assert temporary_files(data) == []
        assert same_tree(data, PROJECT / "data")  # nothing partial in data/
        assert ready(base) in (200, 503)  # still serving

    # the disk is still full: the CLI says so in words, and the server starts all the same
    listed = contributions_cli(tmp_path, "list")
    assert "Traceback" not in listed.stderr
    assert listed.returncode == 0 or "the disk is full" in listed.stderr, listed.stderr
    cli_accept = contributions_cli(tmp_path, "accept", "1", "--curator", "carol", "--data", str(data))
    assert "Traceback" not in cli_accept.stderr and cli_accept.returncode != 0
    assert temporary_files(data) == []
    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, _):
        assert ready(base) in (200, 503)
        assert requests.get(base + "/contributions", headers=BEARER, timeout=30).status_code == 200

    filler.unlink()  # space freed: the next start is ready, read-write
    with ptce_serving(tmp_path, data, CACHE_DIR=cache) as (base, _):
        assert ready(base) == 200
    listed = contributions_cli(tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    assert temporary_files(data) == []
