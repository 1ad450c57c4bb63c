"""The ``ptce`` command line: serve the graph (and, in other modules, validate files)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from server import config as default_config


def dataset_options(verb: str):
    """The ``--data`` and ``--base-iri`` options that every command reading the dataset takes."""

    def decorate(command):
        command = click.option(
            "--base-iri", default=None, help=f"IRI space of the graphs [default: {default_config.BASE_IRI}]."
        )(command)
        return click.option(
            "--data",
            "data_dirs",
            multiple=True,
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help=f"{verb} the Turtle files of this folder instead of data/ (repeatable).",
        )(command)

    return decorate


class Commands(click.Group):
    """The ``ptce`` commands: a full disk is one clear error line and exit status 1, never a traceback."""

    def invoke(self, ctx):
        """Run the command; a full disk (files.DiskFull, or SQLite's "disk is full") is a clear error."""
        import errno
        import sqlite3

        try:
            return super().invoke(ctx)
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise click.ClickException(str(error)) from error
        except sqlite3.OperationalError as error:
            if "disk is full" not in str(error):
                raise
            raise click.ClickException(
                f"the disk is full: the contributions inbox could not be written ({error}); free some "
                "space, then try again"
            ) from error


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """PTCE Graph: the linked-data graph of the French PTCE."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@dataset_options("Serve")
@click.option(
    "--store",
    "store_path",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the Oxigraph store in this folder (instant restarts of large graphs).",
)
@click.option(
    "--threads",
    default=None,
    type=int,
    help=f"HTTP worker threads [default: {default_config.HTTP_THREADS}, or PTCE_HTTP_THREADS].",
)
@click.option(
    "--allow-invalid-data",
    is_flag=True,
    help="Serve data that violates the shapes (with a warning) instead of refusing to start.",
)
@click.option("--dev", is_flag=True, help="Use Werkzeug's development server (with its debugger) instead.")
@click.option(
    "--watch", is_flag=True, help="Reload the dataset when its files change (it also reloads on SIGHUP)."
)
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default=None,
    help="Log lines as JSON or text [default: PTCE_LOG_FORMAT, else text on a terminal, JSON otherwise].",
)
@click.option(
    "--follow",
    "follow_url",
    default=None,
    metavar="URL",
    help="Run a read-only replica of the curator node at URL, following its change feed (--data: the "
    "replica's own folder).",
)
def serve(
    host: str,
    port: int,
    data_dirs: tuple[Path, ...],
    base_iri: str | None,
    store_path: Path | None,
    threads: int | None,
    allow_invalid_data: bool,
    dev: bool,
    watch: bool,
    log_format: str | None,
    follow_url: str | None,
):
    """Serve the pages, the SPARQL endpoint and the validator.

    When a source file does not parse or the data violates the shapes (unless --allow-invalid-data), one
    FILE:LINE:COL line per problem, then the last dataset that passed this check is served read-only
    (/readyz says "degraded"); exit status 2 if there is none.
    """
    import logging

    from server import create_app, logs, serving, startup
    from server.dataset.sources import DatasetError
    from server.sparql import views as sparql

    settings: dict = {}
    if data_dirs:
        settings["DATA_DIRS"] = [str(path) for path in data_dirs]
    if base_iri:
        settings["BASE_IRI"] = base_iri
    if store_path:
        settings["STORE_PATH"] = str(store_path)
    if follow_url:
        settings.update(_replica_settings(follow_url, data_dirs, settings))
    config = _config(settings)
    started = time.monotonic()
    chosen = logs.configure(log_format or config.get("LOG_FORMAT"), level=_level(config.get("LOG_LEVEL")))
    try:
        problems = startup.syntax_problems(config)
    except DatasetError as error:
        problems = [str(error)]
    fallback = None
    if problems:
        fallback = _fall_back(config, problems, "the dataset cannot be read")
        app = _create_or_stop(settings, fallback)
    else:
        try:
            app = create_app(settings)
        except ValueError as error:  # BASE_IRI, SECRET_KEY...: the settings, not the data
            _stop_with([str(error)], "the settings are not valid")
        except DatasetError as error:
            fallback = _fall_back(config, [str(error)], "the dataset cannot be loaded")
            app = _create_or_stop(settings, fallback)
    if fallback is None and not app.config["STARTUP_SHAPES_CHECK"]:
        click.echo("ptce serve: WARNING: the data was not checked against the shapes", err=True)
    elif fallback is None and not app.config.get("SPARQL_BACKEND_URL"):
        violations = startup.shape_violations(app, "en")
        if violations and not allow_invalid_data:
            why = "the data violates the shapes (--allow-invalid-data serves it anyway)"
            fallback = _fall_back(config, violations, why)
            app = _create_or_stop(settings, fallback)
        elif violations:
            click.echo("\n".join(violations), err=True)
            click.echo(
                f"ptce serve: WARNING: serving data with {len(violations)} shape violation(s)", err=True
            )
        else:
            app.extensions["ptce-good"] = startup.describe_good(app.extensions["ptce"], app.config)
    store = app.extensions["ptce"]
    logging.getLogger("ptce.serve").info(
        "started: %s triples from %s files in %.1f s, listening on %s:%s",
        len(store),
        len(store.sources),
        time.monotonic() - started,
        host,
        port,
        extra={
            "triples": len(store),
            "files": len(store.sources),
            "startup_seconds": round(time.monotonic() - started, 3),
            "host": host,
            "port": port,
            "log_format": chosen,
            "read_only": bool(fallback),
        },
    )
    click.echo(f"PTCE Graph: {len(store)} triples from {len(store.sources)} files")
    click.echo(f"Listening on http://{host}:{port}/  (SPARQL endpoint: http://{host}:{port}/sparql)")
    click.echo(
        f"SPARQL: queries run in pre-forked workers, each killed after {app.config['SPARQL_TIMEOUT']} s; "
        f"at most {app.config['SPARQL_ROW_LIMIT']} rows per answer"
    )
    # The workers' fork server starts now, while this process has a single thread (server/sparql/pool.py);
    # then a threaded HTTP server serves the pages, and no query can stall it, whatever the WSGI server.
    sparql.start_workers(app)
    from server.contributions import live

    live.install_reload_signal(app)  # accepted contributions and hand edits go live without a restart
    if watch:
        live.watch(app)
    if follow_url:
        from server.history import replica

        replica.start(app)
    if dev:
        from werkzeug.serving import run_simple

        run_simple(host, port, serving.trust_proxies(app, app.config), threaded=True, use_debugger=True)
        return
    server = serving.make_server(app, host, port, threads or int(app.config["HTTP_THREADS"]))
    serving.run_until_stopped(server, float(app.config["SHUTDOWN_GRACE"]), serving.stop_children)


def _replica_settings(url: str, data_dirs: tuple[Path, ...], settings: dict) -> dict:
    """A replica's settings: its own data folder (the dump written there when it knows nothing), its change
    database, no curator."""
    from server.history import replica

    config = _config(settings)
    folder = replica.data_folder(url, data_dirs[0] if data_dirs else None, config["CACHE_DIR"])
    try:
        how = replica.prepare(url, folder, config["BASE_IRI"])
    except Exception as error:  # noqa: BLE001 - one clear line: the curator node cannot be read
        _stop_with([f"{url}: {error}"], "the replica knows nothing yet and cannot fetch the curator's dump")
    click.echo(f"ptce serve: replica of {url} in {folder} ({how})", err=True)
    return {
        "DATA_DIRS": [str(folder)],
        "FOLLOW_URL": url,
        "HISTORY_DB": str(folder / replica.DB_NAME),
        "CURATORS": {},
    }


def _level(name) -> int:
    """A logging level from its name (LOG_LEVEL), INFO when unknown."""
    import logging

    level = logging.getLevelName(str(name or "INFO").upper())
    return level if isinstance(level, int) else logging.INFO


def _config(settings: dict):
    """The settings as the app will see them: config.py, then PTCE_* variables, then ``settings``."""
    from flask import Config

    config = Config(str(default_config.PROJECT_ROOT))
    config.from_object(default_config)
    config.from_prefixed_env("PTCE")
    config.update(settings)
    return config


def _fall_back(config, problems: list[str], why: str):
    """The last good dataset to serve instead of files that fail the check (logged loudly); with none,
    stop as before (one line per problem, exit 2)."""
    from server import startup

    snapshot = None if config.get("SPARQL_BACKEND_URL") else startup.last_good(config)
    if snapshot is None:
        _stop_with(problems, why)
    fallback = startup.Fallback(snapshot, why, problems)
    for line in fallback.log_lines():
        click.echo(line, err=True)
    return fallback


def _create_or_stop(settings: dict, fallback):
    """The app serving the last good dataset; exit 2 if even that cannot be loaded."""
    from server import create_app
    from server.dataset.sources import DatasetError

    try:
        return create_app(settings, fallback)
    except ValueError as error:  # BASE_IRI, SECRET_KEY...: the settings, not the data
        _stop_with([str(error)], "the settings are not valid")
    except (DatasetError, OSError) as error:
        _stop_with(
            [*fallback.problems, str(error)], f"{fallback.why}, and the last good dataset cannot be loaded"
        )


def _stop_with(lines: list[str], why: str) -> None:
    """Print one line per problem and exit with status 2 (no traceback)."""
    for line in lines:
        click.echo(line, err=True)
    click.echo(f"ptce serve: not started: {why}", err=True)
    raise SystemExit(2)


@main.command()
@dataset_options("Load")
@click.option("--graph-store-url", default=None, help="Graph Store Protocol endpoint (HTTP PUT per graph).")
@click.option("--update-url", default=None, help="SPARQL Update endpoint (used when no Graph Store URL).")
def load(
    data_dirs: tuple[Path, ...], base_iri: str | None, graph_store_url: str | None, update_url: str | None
):
    """Push ontology/, shapes/ and data/ into the external SPARQL engine, one named graph per file.

    Settings come from PTCE_SPARQL_BACKEND_* environment variables (URLs, USER, PASSWORD, AUTH).
    """
    from flask import Config

    from server.dataset.base import BackendError
    from server.dataset.loader import load_into_engine
    from server.dataset.sources import DatasetError

    config = Config(str(default_config.PROJECT_ROOT))
    config.from_object(default_config)
    config.from_prefixed_env("PTCE")
    overrides = {
        "BASE_IRI": base_iri,
        "SPARQL_BACKEND_GRAPH_STORE_URL": graph_store_url,
        "SPARQL_BACKEND_UPDATE_URL": update_url,
    }
    config.update({key: value for key, value in overrides.items() if value})
    if data_dirs:
        config["DATA_DIRS"] = [str(path) for path in data_dirs]
    try:
        loaded = load_into_engine(config)
    except (BackendError, DatasetError) as error:
        raise click.ClickException(str(error)) from error
    for source, count in loaded:
        click.echo(f"{count:>8} triples  <{source.graph}>  from {source.path}")
    click.echo(f"Loaded {sum(count for _, count in loaded)} triples into {len(loaded)} graphs")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@dataset_options("Back up")
def backup(folder: Path, data_dirs: tuple[Path, ...], base_iri: str | None):
    """Back up the contributions inbox and the data folders into FOLDER (new or empty), while serving.

    The inbox is copied through SQLite's online backup API under the curation lock, then the data folders;
    manifest.json (sizes and SHA-256 of every file) is written last.
    """
    from server.backup import BackupError
    from server.backup import backup as run_backup

    config = _config({"DATA_DIRS": [str(path) for path in data_dirs]} if data_dirs else {})
    started = time.monotonic()
    try:
        manifest = run_backup(config, folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    size = sum(entry["size"] for entry in manifest["files"])
    click.echo(
        f"backed up {len(manifest['files'])} files ({size} bytes) into {folder} in "
        f"{time.monotonic() - started:.2f} s"
    )


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--data",
    "data_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Restore the data into this folder (empty or new) instead of data/ (repeatable, in order).",
)
def restore(folder: Path, data_dirs: tuple[Path, ...]):
    """Restore a backup made by `ptce backup` into an empty inbox location and empty data folders.

    Run it with the server stopped. A partial or corrupt backup (a file missing, added or changed since
    its manifest) is refused before anything is written.
    """
    from server.backup import BackupError
    from server.backup import restore as run_restore

    config = _config({"DATA_DIRS": [str(path) for path in data_dirs]} if data_dirs else {})
    try:
        manifest = run_restore(config, folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {len(manifest['files'])} files from {folder} (backup of {manifest['created']})")


from server.validator.cli import validate  # noqa: E402 - registered after the group is defined

main.add_command(validate)

from server.contributions.cli import contributions, submit  # noqa: E402 - registered after the group

main.add_command(contributions)
main.add_command(submit)
