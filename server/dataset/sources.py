"""The Turtle files of the dataset: where they are, the named graph of each, their fingerprint and syntax."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

#: Longest message quoted from a parser (the offending token can be megabytes long).
EXCERPT_LENGTH = 160
_POSITION = re.compile(r"^Parser error [^:]*: ")


class DatasetError(Exception):
    """A source file of the dataset could not be loaded."""


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file of the dataset and the named graph that holds its triples."""

    path: Path
    graph: str
    kind: str  # "data", "ontology" or "shapes"


def discover_sources(
    base_iri: str, ontology_dir: str, shapes_dir: str, data_dirs: Iterable[str]
) -> list[SourceFile]:
    """List the Turtle files of the dataset with the named graph each one goes to.

    Data files go to ``<base>graph/<file stem>``; the ontology to ``<base>graph/ontology``
    and the shapes to ``<base>graph/shapes`` (suffixed by the stem when there are several).
    """
    sources: list[SourceFile] = []
    for kind, folder in (("ontology", ontology_dir), ("shapes", shapes_dir)):
        files = sorted(Path(folder).glob("*.ttl"))
        for path in files:
            suffix = "" if len(files) == 1 else f"/{path.stem}"
            sources.append(SourceFile(path, f"{base_iri}graph/{kind}{suffix}", kind))
    seen: dict[str, Path] = {}
    for folder in data_dirs:
        if not Path(folder).is_dir():
            raise DatasetError(f"data folder not found: {folder}")
        for path in sorted(Path(folder).rglob("*.ttl")):
            graph = f"{base_iri}graph/{path.stem}"
            if graph in seen or path.stem in ("ontology", "shapes"):
                raise DatasetError(f"two data files would share the graph {graph}: {path}")
            seen[graph] = path
            sources.append(SourceFile(path, graph, "data"))
    return sources


def fingerprint(sources: Iterable[SourceFile]) -> str:
    """Hash the names, graphs and contents of the source files (an edit that keeps size and time counts)."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(f"{source.path.resolve()}|{source.graph}|".encode())
        with source.path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
        digest.update(b"\n")
    return digest.hexdigest()


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """Shorten a message to ``limit`` characters (a huge offending token is not repeated in full).

    >>> excerpt("x" * 100, 10)
    'xxxxxxxxx…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def syntax_problem(path: Path, error: SyntaxError) -> str:
    """One ``FILE:LINE:COL: message`` line for Oxigraph's parse error in a source file."""
    detail = _POSITION.sub("", str(error.msg if hasattr(error, "msg") else error))
    if "No scheme found" in detail:
        detail = "relative IRI: the dataset's files must use absolute IRIs (or declare @base)"
    return f"{path}:{error.lineno or 0}:{error.offset or 0}: {excerpt(detail)}"


def check_syntax(sources: Iterable[SourceFile]) -> list[str]:
    """Parse every source file strictly, without a base IRI; return one line per file that fails."""
    problems = []
    for source in sources:
        try:
            with source.path.open("rb") as handle:
                for _ in ox.parse(handle, format=ox.RdfFormat.TURTLE):
                    pass
        except SyntaxError as error:
            problems.append(syntax_problem(source.path, error))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{source.path}:0:0: {excerpt(str(error))}")
    return problems
