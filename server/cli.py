"""The ``ptce`` command line: serve the graph (and, in other modules, validate files)."""

from __future__ import annotations

from pathlib import Path

import click

from . import config as default_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """PTCE Graph: the linked-data graph of the French PTCE."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--data",
    "data_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Serve the Turtle files of this folder instead of data/ (repeatable).",
)
@click.option("--base-iri", default=None, help=f"IRI space to publish [default: {default_config.BASE_IRI}].")
@click.option(
    "--store",
    "store_path",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the Oxigraph store in this folder (instant restarts of large graphs).",
)
def serve(host: str, port: int, data_dirs: tuple[Path, ...], base_iri: str | None, store_path: Path | None):
    """Serve the pages, the SPARQL endpoint and the validator."""
    from werkzeug.serving import run_simple

    from . import create_app

    settings: dict = {}
    if data_dirs:
        settings["DATA_DIRS"] = [str(path) for path in data_dirs]
    if base_iri:
        settings["BASE_IRI"] = base_iri
    if store_path:
        settings["STORE_PATH"] = str(store_path)
    app = create_app(settings)
    store = app.extensions["ptce"]
    click.echo(f"PTCE Graph: {len(store)} triples from {len(store.sources)} files")
    click.echo(f"Listening on http://{host}:{port}/  (SPARQL endpoint: http://{host}:{port}/sparql)")
    run_simple(host, port, app, threaded=True)
