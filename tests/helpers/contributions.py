"""Helpers for contribution tests: a private copy of data/ and an app or config over it."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Config

from server import config as defaults

PROJECT = Path(__file__).resolve().parent.parent.parent
CASES = PROJECT / "tests" / "cases"
VALID_POLE = (CASES / "validator" / "valid-pole.ttl").read_bytes()
CHANGE_DIJON = (CASES / "contributions" / "change-dijon-latitude.ttl").read_bytes()


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
