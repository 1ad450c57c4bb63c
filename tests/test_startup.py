"""``ptce serve`` start-up: a broken file is one FILE:LINE:COL line and exit 2, relative IRIs are errors, data
violating the shapes is refused unless --allow-invalid-data (real ``ptce serve`` processes)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from tests.helpers.serve import PTCE, ptce_serve, write_dataset
from tests.helpers.sparql import PROJECT_DIR, free_port

pytestmark = pytest.mark.slow
CASES = Path(__file__).parent / "cases" / "validator"


def serve_exits(data_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``ptce serve`` on data that must not be served; it must exit on its own."""
    env = {**os.environ, "PTCE_CACHE_DIR": str(tmp_path / "cache")}
    command = [PTCE, "serve", "--port", str(free_port()), "--data", str(data_dir)]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)


def test_a_syntax_error_is_one_short_line_and_exit_2(tmp_path):
    data = write_dataset(
        tmp_path / "data", "<https://example.org/s> <https://example.org/p> " + "x" * 10_000 + " .\n"
    )
    (data / "fine.ttl").write_text('<https://example.org/a> <https://example.org/b> "c" .\n')
    (data / "other.ttl").write_text("<https://example.org/a> <https://example.org/b> \n")
    result = serve_exits(data, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert f"{data / 'other.ttl'}:2:1: Unexpected end" in lines
    sample = next(line for line in lines if line.startswith(str(data / "sample.ttl")))
    assert sample.startswith(f"{data / 'sample.ttl'}:1:") and len(sample) < len(str(data)) + 250
    assert lines[-1].startswith("ptce serve: not started")


def test_a_relative_iri_in_a_data_file_is_an_error(tmp_path):
    data = write_dataset(tmp_path / "data", '<relative> <https://example.org/p> "o" .\n')
    result = serve_exits(data, tmp_path)
    assert result.returncode == 2
    assert f"{data / 'sample.ttl'}:1:1: relative IRI" in result.stderr
    assert "file://" not in result.stderr


def test_data_violating_the_shapes_is_refused_with_the_validators_report(tmp_path):
    data = write_dataset(tmp_path / "data", (CASES / "broken-pole-no-label.ttl").read_text())
    result = serve_exits(data, tmp_path)
    assert result.returncode == 2
    assert f"{data / 'sample.ttl'}:16:1: violation:" in result.stderr
    assert "--allow-invalid-data" in result.stderr.splitlines()[-1]


def test_allow_invalid_data_serves_it_with_a_warning(tmp_path):
    data = write_dataset(tmp_path / "data", (CASES / "broken-pole-no-label.ttl").read_text())
    with ptce_serve(data, tmp_path, "--allow-invalid-data") as served:
        answer = requests.get(served.base + "/sparql", params={"query": "ASK { ?s a ?c }"}, timeout=5)
        assert answer.json()["boolean"] is True
    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert "WARNING: serving data with" in log and ":16:1: violation:" in log
