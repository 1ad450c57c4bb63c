"""``ptce validate FILE...``: exit 0 conforms, 1 does not conform, 2 unreadable input, 3 internal error."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click

from server.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.validator.render import VAL, problem_line, to_graph, to_json
from server.validator.report import EXIT_CODES, INTERNAL_ERROR, INVALID_INPUT, Problem, Report

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, one_line: bool = False) -> str:
    """Show terminal control characters (and bidi overrides) as ``\\uXXXX`` escapes, valid in Turtle and JSON.

    >>> printable("a\\x1b]0;pwned\\x07b"), printable("x\\ny", one_line=True)
    ('a\\\\u001b]0;pwned\\\\u0007b', 'x\\\\u000ay')
    """
    pattern = _CONTROL_IN_LINE if one_line else _CONTROL
    return pattern.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _read(name: str, max_bytes: int) -> bytes | str:
    """The file's bytes (at most max_bytes + 1), or an error text."""
    try:
        if name == "-":
            with click.open_file("-", "rb") as stdin:
                return stdin.read(max_bytes + 1)
        with Path(name).open("rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as error:
        return error.strerror or str(error)


@functools.lru_cache(maxsize=1)
def _judge():
    from server import create_app
    from server.validator.judge import judge_from_store

    app = create_app()
    return app, judge_from_store(app.extensions["ptce"], app.config)


@click.command("validate")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="text: FILE:LINE:COL lines; turtle: sh:ValidationReport; json.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Message language.",
)
def validate(files: tuple[str, ...], output: str, lang: str) -> None:
    """Validate contributed Turtle FILES (- for standard input) against the PTCE shapes and the dataset."""
    try:
        app, judge = _judge()
        reports = [(name, _validate_one(name, judge, app.config, lang)) for name in files]
    except Exception as error:  # noqa: BLE001 - the documented exit code 3
        click.echo(printable(f"ptce validate: internal error: {error}", one_line=True), err=True)
        sys.exit(EXIT_CODES[INTERNAL_ERROR])
    _print(reports, output)
    sys.exit(max(report.exit_code for _, report in reports))


def _validate_one(name: str, judge, config, lang: str) -> Report:
    from server.validator.pipeline import validate_with_judge

    data = _read(name, config["MAX_CONTENT_LENGTH"])
    if isinstance(data, str):
        message = {"fr": f"Impossible de lire le fichier : {data}", "en": f"Cannot read the file: {data}"}[
            lang
        ]
        return Report(INVALID_INPUT, lang, (Problem("Violation", "input", message),))
    return validate_with_judge(
        data, judge, lang=lang, timeout=config["VALIDATION_TIMEOUT"], max_bytes=config["MAX_CONTENT_LENGTH"]
    )


def _print(reports: list[tuple[str, Report]], output: str) -> None:
    if output == "json":
        items = [to_json(report, name) for name, report in reports]
        click.echo(printable(items[0] if len(items) == 1 else "[\n" + ",\n".join(items) + "\n]"))
    elif output == "turtle":
        from rdflib import Graph, Literal

        from server.namespaces import SH

        graph = Graph()
        for name, report in reports:
            part = to_graph(report)
            for node in part.subjects(predicate=SH.conforms):
                part.add((node, VAL.file, Literal(name)))
            graph += part
            graph.namespace_manager = part.namespace_manager
        click.echo(printable(graph.serialize(format="turtle")))
    else:
        for name, report in reports:
            for problem in report.problems:
                line = problem_line("<stdin>" if name == "-" else name, problem, report.lang)
                click.echo(printable(line, one_line=True))
            summary = f"{'<stdin>' if name == '-' else name}: {report.status} ({report.counts_text()})"
            click.echo(printable(summary, one_line=True))
