"""Every validator case file states its expected outcome on its last line, and gets it.

``# expect: <status> [<severity>:<kind> ...]``: the report's status and the exact set of (severity, kind) of its
problems. Adding a file to ``tests/cases/validator/`` adds a test; detailed checks of lines, messages and
summaries live in test_pipeline.py, test_cli.py and test_views.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.validator import judge_from_store, validate_with_judge

CASES = sorted((Path(__file__).parent.parent / "cases" / "validator").glob("*.ttl"))


def expectation(path: Path) -> tuple[str, set[str]]:
    """Read the ``# expect:`` line of a case file (its last, so that lines above keep their numbers)."""
    last = path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii")
    assert last.startswith("# expect: "), f"{path.name}: the last line must be '# expect: <status> ...'"
    status, *kinds = last.removeprefix("# expect: ").split()
    return status, set(kinds)


@pytest.fixture(scope="module")
def judge(app, store):
    """The judge the server uses."""
    return judge_from_store(store, app.config)


def test_there_are_cases_of_each_outcome():
    assert {expectation(path)[0] for path in CASES} == {"conforms", "does-not-conform", "invalid-input"}


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_case_gets_its_expected_outcome(judge, path, lang):
    status, kinds = expectation(path)
    report = validate_with_judge(path.read_bytes(), judge, lang=lang, isolate=False)
    assert report.status == status, [problem.message for problem in report.problems]
    assert {f"{problem.severity.lower()}:{problem.kind}" for problem in report.problems} == kinds
