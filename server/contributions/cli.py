"""``ptce contributions list|show|accept|reject|revert|journal|resolve|hash-token`` and ``ptce submit FILE
--server URL``. Every command starts, even when an interrupted accept or revert cannot be finished: recovery
reports it with the command that resolves it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from server import config as default_config
from server.validator.cli import printable


def _config(data_dirs: tuple[Path, ...] = ()):
    from flask import Config

    config = Config(str(default_config.PROJECT_ROOT))
    config.from_object(default_config)
    config.from_prefixed_env("PTCE")
    if data_dirs:
        config["DATA_DIRS"] = [str(path) for path in data_dirs]
    return config


def _inbox(config):
    from server.contributions.inbox import Inbox
    from server.contributions.recovery import recover

    path = config["CONTRIBUTIONS_DB"] or default_config.PROJECT_ROOT / "instance" / "contributions.sqlite3"
    inbox = Inbox(path)
    for number, action, outcome in recover(inbox):
        click.echo(f"contribution {number}: interrupted {action} {outcome}", err=True)
    return inbox


@click.group("contributions")
def contributions() -> None:
    """Curate the contributions inbox (PTCE_CONTRIBUTIONS_DB, else instance/contributions.sqlite3).

    Accepting or reverting writes data/; a running `ptce serve` picks the change up on SIGHUP or with --watch.
    """


@contributions.command("list")
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected", "reverted"]), default=None)
def list_(status: str | None) -> None:
    """List contributions, newest first."""
    for c in _inbox(_config()).list(status):
        click.echo(f"{c.id:>5}  {c.submitted}  {c.status:<9} {c.size:>8} B  {c.name!r}")


@contributions.command()
@click.argument("number", type=int)
@click.option("--turtle", is_flag=True, help="Print only the Turtle as sent.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "--data",
    "data_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The data folders the review reads (default: the configured ones).",
)
def show(number: int, turtle: bool, lang: str, data_dirs: tuple[Path, ...]) -> None:
    """Show one contribution: metadata, what changes in words against the data as it is now (new
    resources, old → new values, members, sources, possible duplicates, validation), history; or the
    Turtle as sent."""
    config = _config(data_dirs)
    c = _inbox(config).get(number)
    if c is None:
        raise click.ClickException(f"no contribution {number}")
    if turtle:
        if sys.stdout.isatty():  # contributed text never drives the curator's terminal
            click.echo(
                re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "\ufffd", c.turtle.decode("utf-8", "replace"))
            )
        else:
            sys.stdout.buffer.write(c.turtle)
        return
    click.echo(f"contribution {c.id}: {c.status}, received {c.submitted}, {c.size} bytes, sha256 {c.sha256}")
    click.echo(f"from: {c.name!r} <{c.email}>; message: {c.message!r}")
    if c.data_file:
        click.echo(f"file: {c.data_file}")
    click.echo(f"report at submission: {c.report.get('status')} {json.dumps(c.report.get('counts', {}))}")
    for line in _review_lines(c, config, lang):
        click.echo(printable(line, one_line=True))
    for h in c.history:
        click.echo(f"  {h['at']}  {h['status']:<9} {h['actor']}  {h['comment']}")


def _review_lines(contribution, config, lang: str) -> list[str]:
    """The review in words, as the curator's page shows it (server/contributions/review.py)."""
    from rdflib import Graph

    from server.contributions.removals import removals_of
    from server.contributions.review import removed_statements, review_in_words, text_lines
    from server.dataset import load_store
    from server.validator import judge_from_store, validate_with_judge

    judge = judge_from_store(load_store(config), config)
    report = validate_with_judge(
        contribution.turtle,
        judge,
        removals=removals_of(contribution, config["BASE_IRI"]),
        lang=lang,
        timeout=config["VALIDATION_TIMEOUT"],
        max_bytes=config["MAX_CONTENT_LENGTH"],
    )
    if report.status not in ("conforms", "does-not-conform"):
        return text_lines(None, lang, report)
    data = Graph().parse(data=contribution.turtle, format="turtle", publicID=config["BASE_IRI"])
    removed = removed_statements(contribution, data, judge)
    review = review_in_words(data, judge.live_graph, removed, judge.shapes, config["BASE_IRI"], lang)
    return text_lines(review, lang, report)


def _curate(action: str, number: int, curator: str, comment: str, data_dirs, cascade: bool = False) -> None:
    from server.contributions import writer
    from server.contributions.curation_error import CurationError

    config = _config(data_dirs)
    inbox = _inbox(config)
    try:
        if action == "accept":
            outcome = writer.accept(inbox, number, curator, comment, config)
        elif action == "revert":
            outcome = writer.revert(inbox, number, curator, comment, config, with_dependants=cascade)
        else:
            outcome = writer.reject(inbox, number, curator, comment)
    except CurationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"contribution {number}: {outcome.status}" + (f" ({outcome.data_file})" if outcome.data_file else "")
    )
    for other in outcome.numbers:
        if other != number:
            click.echo(f"contribution {other}: {outcome.status} with it (it depended on {number})")
    if outcome.files and config.get("SPARQL_BACKEND_URL"):  # the engine's graphs follow the files
        from server.contributions.live import push_to_engine

        push_to_engine(config, outcome.graphs(config["BASE_IRI"]))


def _curation_command(action: str, help_text: str):
    @click.argument("number", type=int)
    @click.option("--curator", required=True, help="Your name, recorded in the history and the provenance.")
    @click.option("--comment", default="", help="Why (recorded with the decision).")
    @click.option(
        "--data",
        "data_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="The data folders (the first one receives contributions/).",
    )
    def command(number: int, curator: str, comment: str, data_dirs: tuple[Path, ...], **flags) -> None:
        _curate(action, number, curator, comment, data_dirs, flags.get("with_dependants", False))

    command.__doc__ = help_text
    if action == "revert":
        command = click.option(
            "--with-dependants",
            is_flag=True,
            help="Also revert, newest first, the later contributions that depend on this one.",
        )(command)
    return contributions.command(action)(command)


_curation_command("accept", "Accept a pending contribution (re-validated against data/ as it is now).")
_curation_command("reject", "Reject a pending contribution.")
_curation_command(
    "revert",
    "Undo an accepted contribution (its file goes, replaced values come back); refused when later "
    "contributions depend on it, unless --with-dependants.",
)


@contributions.command("journal")
def journal_() -> None:
    """List the interrupted accepts and reverts not finished, with the state of each of their files."""
    from server.contributions.recovery import journal

    entries = journal(_inbox(_config()))
    if not entries:
        click.echo("the journal is empty: no interrupted accept or revert")
    for entry in entries:
        numbers = ", ".join(str(n) for n in entry["numbers"])
        click.echo(f"contribution {entry['number']}: interrupted {entry['action']} (contributions {numbers})")
        for path, state in entry["files"]:
            click.echo(f"  {state:<5} {path}")


@contributions.command("resolve")
@click.argument("number", type=int)
@click.option("--undo", "mode", flag_value="undo", help="Put back the files the action had written.")
@click.option("--forget", "mode", flag_value="forget", help="Keep the files as they are now.")
def resolve_(number: int, mode: str | None) -> None:
    """Close an interrupted accept or revert that could not be finished (see `ptce contributions journal`)."""
    from server.contributions.curation_error import CurationError
    from server.contributions.recovery import resolve

    if mode is None:
        raise click.UsageError(
            "say --undo (put the files back as they were) or --forget (keep them as they are)"
        )
    try:
        restored = resolve(_inbox(_config()), number, mode == "undo")
    except CurationError as error:
        raise click.ClickException(str(error)) from error
    for path in restored:
        click.echo(f"put back: {path}")
    click.echo(f"contribution {number}: journal entry closed ({mode}); a running server reloads on SIGHUP")


@contributions.command("hash-token")
@click.argument("token")
def hash_token(token: str) -> None:
    """Print the hash to put in CURATORS for this token (the token itself is never stored)."""
    from werkzeug.security import generate_password_hash

    click.echo(generate_password_hash(token))


@click.command("submit")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--server", "server_url", required=True, help="The PTCE Graph server, e.g. http://127.0.0.1:5000"
)
@click.option("--name", default="", help="Your name (optional).")
@click.option("--email", default="", help="Your e-mail address (optional, never published).")
@click.option("--message", default="", help="A message for the curators (optional).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def submit(file: Path, server_url: str, name: str, email: str, message: str, lang: str) -> None:
    """Propose a Turtle FILE to a server's curators (it is validated there first)."""
    import requests

    response = requests.post(
        server_url.rstrip("/") + "/contribute",
        params={"name": name, "email": email, "message": message, "lang": lang},
        data=file.read_bytes(),
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
        timeout=120,
    )
    try:
        answer = response.json()
    except ValueError:
        raise click.ClickException(f"HTTP {response.status_code}: {response.text[:300]}") from None
    click.echo(answer.get("message", ""))
    for problem in answer.get("report", {}).get("problems", []):
        click.echo(f"{file}:{problem.get('line') or 0}: {problem['message']}")
    sys.exit(0 if response.status_code == 201 else 1)
