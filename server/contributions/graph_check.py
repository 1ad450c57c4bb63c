"""The whole-graph check before anything is written: every text a plan would write reads back as exactly the
statements meant (lexical forms included), and the start-up check (every file parses, the whole data conforms
to the shapes) passes on the dataset those files would make, built in a temporary folder. A plan that would
not pass is refused with a CurationError saying why (the first shape violations in words); nothing is
written here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from server.contributions.curation_error import CurationError
from server.contributions.turtle_out import parse_exactly


@dataclass
class Edit:
    """The statements a plan removes from and adds to one file (to check the text it writes)."""

    removed: list
    added: list


def _ground(triples: Iterable[ox.Triple]) -> set:
    return {t for t in triples if not any(isinstance(term, ox.BlankNode) for term in t)}


def reads_back(files: list[dict], edits: dict[str, Edit], action: str) -> None:
    """Every text the plan writes parses, and holds exactly the statements meant (lexical forms included)."""
    for change in files:
        if change["new"] is None:
            continue
        edit = edits.get(change["path"], Edit([], []))
        try:
            written = parse_exactly(change["new"])
            before = parse_exactly(change["old"] or "")
        except SyntaxError as error:
            raise CurationError(
                "unreadable", action=action, details=f"{change['path']}: {error}"[:400]
            ) from None
        if change["old"] is None:
            before = []
        old = _ground(before)
        expected = (old - set(edit.removed)) | set(edit.added)
        count = len(before) - len(set(edit.removed) & old) + len(set(edit.added) - old)
        if _ground(written) != expected or len(written) != count:
            raise CurationError("unreadable", action=action, details=change["path"])


def _spill(folder: Path, index: int, text: str, name: str) -> Path:
    path = folder / f"{index:05d}-{name}"
    path.write_text(text, encoding="utf-8")
    return path


def _check_sources(config, files: list[dict], folder: Path):
    """The dataset's sources as they would be after the plan: changed texts written under ``folder``."""
    from server.dataset.sources import SourceFile, discover_sources

    new = {Path(change["path"]).resolve(): change["new"] for change in files}
    sources, seen = [], set()
    for source in discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    ):
        key = source.path.resolve()
        seen.add(key)
        if key in new:
            if new[key] is None:
                continue
            source = SourceFile(_spill(folder, len(sources), new[key], key.name), source.graph, source.kind)
        sources.append(source)
    graphs = {source.graph for source in sources}
    for key, text in new.items():
        if key in seen or text is None:
            continue
        graph = f"{config['BASE_IRI']}graph/{key.stem}"
        if graph in graphs:
            raise CurationError("graph", action="accept", details=f"two data files would share {graph}")
        sources.append(SourceFile(_spill(folder, len(sources), text, key.name), graph, "data"))
    return sources


def check_result(config, files: list[dict], action: str) -> None:
    """The start-up check on the dataset the plan would make: every file parses, the whole data conforms to
    the shapes. Raises CurationError (saying why) when it would not pass; nothing is written here."""
    from server.dataset.embedded import GraphStore
    from server.dataset.sources import DatasetError, check_syntax
    from server.startup import judge_dataset

    with tempfile.TemporaryDirectory(prefix="ptce-check-") as folder:
        try:
            sources = _check_sources(config, files, Path(folder))
            problems = check_syntax(sources)
            if problems:
                raise CurationError("unreadable", action=action, details="; ".join(problems)[:600])
            store = GraphStore(sources, config["BASE_IRI"], None)
        except (DatasetError, OSError) as error:
            raise CurationError("graph", action=action, details=str(error)[:600]) from None
        conforms, results = judge_dataset(store)
        if not conforms:
            raise CurationError("graph", action=action, details=violations(results))


def violations(results: Graph, limit: int = 5) -> str:
    """The violations of a pyshacl report graph in words (focus, property, message), the first ``limit``."""
    from rdflib import Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    lines = sorted(
        f"<{results.value(r, sh.focusNode)}> {results.value(r, sh.resultPath) or ''}: "
        f"{results.value(r, sh.resultMessage) or 'violation'}"
        for r in results.subjects(sh.resultSeverity, sh.Violation)
    )
    more = f" (and {len(lines) - limit} more)" if len(lines) > limit else ""
    return "; ".join(lines[:limit])[:1500] + more
