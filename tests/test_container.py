"""The deployment recipes of deploy/ agree with each other and with the app: the Containerfile's user, health
check, stop signal and volumes, the compose file's volumes and signals, and the systemd unit (checked by
``systemd-analyze verify``). The image itself is built and run by ``.ci/container`` (podman), from .ci/run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTAINERFILE = (ROOT / "deploy" / "Containerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
UNIT = ROOT / "deploy" / "ptce-graph.service"
VOLUMES = ("/var/lib/ptce/data", "/var/lib/ptce/instance")


def instructions(name: str) -> list[str]:
    """The arguments of every ``name`` instruction of the Containerfile (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE)
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]


def test_the_image_runs_as_a_user_with_a_health_check_a_stop_signal_and_volumes():
    assert instructions("USER") == ["ptce"]
    (health,) = instructions("HEALTHCHECK")
    assert "/healthz" in health and "--start-period" in health
    assert instructions("STOPSIGNAL") == ["SIGTERM"]
    (volumes,) = instructions("VOLUME")
    assert all(f'"{volume}"' in volumes for volume in VOLUMES)
    assert any(line.startswith("${NODE_BASE} AS assets") for line in instructions("FROM"))  # npm stage
    assert instructions("CMD")[0].startswith('["sh", "-c", "exec ptce serve')  # ptce serve gets SIGTERM
    env = " ".join(instructions("ENV"))
    assert (
        "PTCE_CONTRIBUTIONS_DB=/var/lib/ptce/instance/" in env
        and "PTCE_CACHE_DIR=/var/lib/ptce/instance/" in env
    )


def test_the_compose_file_uses_the_image_s_volumes_and_stops_it_gracefully():
    assert "dockerfile: deploy/Containerfile" in COMPOSE and "init: true" in COMPOSE
    assert all(f":{volume}" in COMPOSE for volume in VOLUMES)
    assert "stop_signal: SIGTERM" in COMPOSE and "stop_grace_period: 30s" in COMPOSE


def test_the_systemd_unit_is_valid_and_reloads_on_sighup(tmp_path):
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecReload=/bin/kill -HUP $MAINPID" in text and "KillSignal=SIGTERM" in text
    assert "ExecStart=/opt/ptce-graph/.venv/bin/ptce serve " in text
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    # the same unit, pointed at this checkout (verify checks that ExecStart exists)
    local = tmp_path / "ptce-graph.service"
    local.write_text(
        text.replace("/opt/ptce-graph/.venv/bin/ptce", str(ROOT / ".venv" / "bin" / "ptce"))
        .replace("WorkingDirectory=/opt/ptce-graph", f"WorkingDirectory={ROOT}")
        .replace("User=ptce", "User=root")
        .replace("Group=ptce", "Group=root"),
        encoding="utf-8",
    )
    result = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "ptce-graph.service" not in result.stderr, result.stderr
