"""``ptce validate``: exit codes, FILE:LINE:COL lines, machine formats, stdin, languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

from server.cli import main

EXAMPLES = Path(__file__).parent.parent / "cases" / "validator"
DATA = Path(__file__).parent.parent.parent / "data"


def run(runner, *args, stdin: bytes | None = None):
    """Invoke ``ptce validate`` in-process."""
    return runner.invoke(main, ["validate", *map(str, args)], input=stdin)


@pytest.mark.slow
def test_the_project_data_files_conform(runner):
    files = sorted(DATA.glob("*.ttl"))
    assert files
    result = run(runner, *files)
    assert result.exit_code == 0, result.output
    assert result.output.count(": conforms (") == len(files)


def test_non_conforming_file_exits_1_with_file_line_column_lines(runner):
    name = EXAMPLES / "broken-pole-no-label.ttl"
    result = run(runner, "--lang", "en", name)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    match = re.match(rf"{re.escape(str(name))}:(\d+):(\d+): violation: Give a French name", first)
    assert match and (int(match[1]), int(match[2])) == (16, 1)


def test_syntax_error_exits_2_and_french_is_the_default(runner):
    result = run(runner, EXAMPLES / "syntax-missing-dot.ttl")
    assert result.exit_code == 2
    assert ":5:1: violation: Il manque le '.'" in result.output


def test_unreadable_file_exits_2(runner, tmp_path):
    result = run(runner, tmp_path / "absent.ttl")
    assert result.exit_code == 2
    assert "absent.ttl:0:0: violation: Impossible de lire le fichier" in result.output


def test_an_empty_file_is_readable_and_does_not_conform(tmp_path):
    """The real command on an empty file: exit 1 (nothing to add), not 2 (unreadable)."""
    import subprocess
    import sys

    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("ptce")), "validate", str(empty)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "aucun triplet" in result.stdout and "does-not-conform" in result.stdout


def test_worst_file_sets_the_exit_code(runner):
    result = run(
        runner, EXAMPLES / "valid-pole.ttl", EXAMPLES / "broken-unknown-term.ttl", EXAMPLES / "bad-utf8.ttl"
    )
    assert result.exit_code == 2
    assert (
        "valid-pole.ttl: conforms" in result.output
        and "broken-unknown-term.ttl: does-not-conform" in result.output
    )


def test_stdin_with_dash(runner):
    good = run(runner, "-", stdin=(EXAMPLES / "valid-pole.ttl").read_bytes())
    assert good.exit_code == 0 and "<stdin>: conforms" in good.output
    bad = run(runner, "--lang", "en", "-", stdin=b"<https://w3id.org/ptce/id/pole/a> <http://p> 1")
    assert bad.exit_code == 2 and bad.output.startswith("<stdin>:1:")


def test_json_format(runner):
    result = run(runner, "--format", "json", "--lang", "en", EXAMPLES / "broken-membership-role.ttl")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["status"] == "does-not-conform" and report["conforms"] is False
    assert report["counts"] == {"violations": 1, "warnings": 1}
    assert {p["kind"] for p in report["problems"]} == {"shape", "link"}


def test_turtle_format_is_a_shacl_validation_report(runner):
    result = run(
        runner, "--format", "turtle", EXAMPLES / "broken-pole-no-label.ttl", EXAMPLES / "valid-pole.ttl"
    )
    assert result.exit_code == 1
    graph = Graph().parse(data=result.output, format="turtle")
    reports = set(graph.subjects(None, SH.ValidationReport))
    assert len(reports) == 2
    assert {graph.value(r, SH.conforms) for r in reports} == {Literal(True), Literal(False)}
    (result_node,) = graph.objects(None, SH.result)
    assert graph.value(result_node, SH.resultSeverity) == SH.Violation
    assert graph.value(result_node, SH.sourceConstraintComponent) is not None


@pytest.mark.parametrize("fmt", ["text", "json", "turtle"])
def test_internal_error_exits_3(runner, monkeypatch, fmt):
    import server.validator.cli as cli

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_judge", broken)
    result = run(runner, "--format", fmt, EXAMPLES / "valid-pole.ttl")
    assert result.exit_code == 3
