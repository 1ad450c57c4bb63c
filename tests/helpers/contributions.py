"""Helpers for contribution tests: a private copy of data/ and an app or config over it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from flask import Config

from server import config as defaults

PROJECT = Path(__file__).resolve().parent.parent.parent
CASES = PROJECT / "tests" / "cases"
VALID_POLE = (CASES / "validator" / "valid-pole.ttl").read_bytes()
CHANGE_DIJON = (CASES / "contributions" / "change-dijon-latitude.ttl").read_bytes()


def another_pole(number: int) -> bytes:
    """VALID_POLE under other IRIs (``la-fabrique-du-test-<number>``): a distinct proposal, where the same
    file twice would be refused as a duplicate of the first (409)."""
    return VALID_POLE.replace(b"la-fabrique-du-test", f"la-fabrique-du-test-{number}".encode())


def filled_template(template: str, slug: str, name: str) -> str:
    """A kit template with its example values replaced (the validator refuses them: « Nom », nom-du-pole,
    nom-de-l-organisation, www.exemple.fr...): the pole ``slug`` named ``name``, its member ``<slug>-membre``
    named ``name (membre)``, sources and web sites under ``<slug>.example.org``."""
    text = template
    for example in ("nom-du-pole", "name-of-the-pole"):
        text = text.replace(example, slug)
    for example in ("nom-de-l-organisation", "name-of-the-organisation"):
        text = text.replace(example, f"{slug}-membre")
    text = text.replace('"Nom"@fr', f'"{name}"@fr', 1).replace('"Name"@fr', f'"{name}"@fr', 1)
    text = text.replace('"Nom"@fr', f'"{name} (membre)"@fr').replace('"Name"@fr', f'"{name} (membre)"@fr')
    for example in ("https://www.exemple.fr/", "https://www.example.org/"):
        text = text.replace(example, f"https://{slug}.example.org/")
    return text


def copy_data(folder: Path) -> Path:
    """A copy of the project's data/ in ``folder`` (tests write there, never in data/)."""
    target = folder / "data"
    shutil.copytree(PROJECT / "data", target)
    return target


def config_for(data: Path) -> Config:
    """The default settings with ``data`` as the only data folder."""
    config = Config(str(PROJECT))
    config.from_object(defaults)
    config["DATA_DIRS"] = [str(data)]
    return config


def same_tree(left: Path, right: Path) -> bool:
    """True when two folders hold the same files with the same bytes."""
    names = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    others = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    return names == others and all((left / n).read_bytes() == (right / n).read_bytes() for n in names)


TOKEN = "curator-token-0123456789"


def ask(base: str, pattern: str, prefixes: str = "") -> bool:
    """ASK a pattern on the server's /sparql."""
    response = requests.get(
        base + "/sparql",
        params={"query": f"{prefixes}ASK {{ {pattern} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["boolean"]


def curated_app(tmp_path: Path, data: Path):
    """The app over ``data`` with its own inbox and one curator (TOKEN), for tests in a browser."""
    from werkzeug.security import generate_password_hash

    from server import create_app

    return create_app(
        {
            "TESTING": True,
            "DATA_DIRS": [str(data)],
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
            "CURATORS": {"carol": generate_password_hash(TOKEN)},
            "SECRET_KEY": "browser test: a secret of at least 32 characters",
        }
    )


@contextmanager
def ptce_serving(
    tmp_path: Path, data: Path, *options: str, **settings
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `ptce serve` on ``data`` with one curator (TOKEN) and its own inbox; yield (base URL, process)."""
    from werkzeug.security import generate_password_hash

    from tests.helpers.sparql import free_port

    port = free_port()
    env = {
        **os.environ,
        "PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
        "PTCE_CURATORS": json.dumps({"carol": generate_password_hash(TOKEN)}),
        "PTCE_SECRET_KEY": "a test secret of at least 32 characters",
        **{f"PTCE_{key}": str(value) for key, value in settings.items()},
    }
    command = [str(Path(sys.executable).parent / "ptce"), "serve", "--port", str(port), "--data", str(data)]
    process = subprocess.Popen(
        [*command, *options], cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                requests.get(base + "/contribute", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(check, seconds: float = 30.0) -> bool:
    """Poll ``check()`` until it is true or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
