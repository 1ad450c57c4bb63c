"""The Turtle files of the dataset: where they are, the named graph of each, and their fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


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
    """Hash the names, sizes and modification times of the source files."""
    digest = hashlib.sha256()
    for source in sources:
        stat = source.path.stat()
        digest.update(f"{source.path.resolve()}|{source.graph}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
