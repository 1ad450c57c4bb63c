"""Start-up checks of ``ptce serve``: every source file parses, and the data conforms to the shapes.

A file that does not parse gives one ``FILE:LINE:COL: message`` line (no traceback); data that violates the
shapes gives the validator's report, one line per violation. A dataset judged conforming is remembered by
the fingerprint of its files' contents (``CACHE_DIR``), so a restart with unchanged files skips the shapes;
``STARTUP_SHAPES_CHECK = False`` skips them always (large generated data, with a warning).

The last dataset that passed the check is kept too: a copy of its files' contents with a manifest, in
``CACHE_DIR/last-good/<hash>/`` (written atomically, the last ``LAST_GOOD_KEPT`` kept). When the files fail
the check later, ``ptce serve`` serves that copy read-only instead of refusing to start (:class:`Fallback`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from server.contributions.files import fsync_path
from server.dataset.sources import SourceFile, check_syntax, discover_sources, fingerprint

logger = logging.getLogger(__name__)
#: Copies of datasets that passed the start-up check kept in CACHE_DIR/last-good (the newest ones).
LAST_GOOD_KEPT = 2
#: A half-written copy (``.incoming-*``) older than this (seconds) was left by a crash: it is removed.
STALE_INCOMING = 600


def syntax_problems(config) -> list[str]:
    """Lines ``FILE:LINE:COL: message`` for every source file (data, ontology, shapes) that does not parse."""
    sources = discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    )
    return check_syntax(sources)


def dataset_key(sources, config) -> str:
    """The content hash of a dataset: its files' names, graphs and contents, and the base IRI."""
    return _key(fingerprint(sources), config)


def _key(files_fingerprint: str, config) -> str:
    return hashlib.sha256(f"{files_fingerprint}|{config['BASE_IRI']}".encode()).hexdigest()


def _stamp(store, config) -> Path:
    return Path(config["CACHE_DIR"]) / "conforming" / dataset_key(store.sources, config)


def judge_dataset(store):
    """Judge the whole dataset at once with pyshacl (2 s on data/, 19 s at 1,000 poles): (conforms, the
    report graph)."""
    from pyshacl import validate
    from rdflib import Graph

    from server.validator.shapes import prepared_shape_queries

    data, shapes = Graph(), Graph()  # pyshacl writes into its graphs: never hand it the store's
    data += store.rdflib_graph(("data", "ontology"))
    shapes += store.rdflib_graph(("shapes",))
    with prepared_shape_queries():
        conforms, results, _ = validate(
            data,
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
        )
    return bool(conforms), results


def dataset_conforms(store) -> bool:
    """Whether the whole dataset conforms to the shapes (no violation)."""
    return judge_dataset(store)[0]


def shape_violations(app, lang: str) -> list[str]:
    """The validator's lines for every violation of the app's data (empty when it conforms)."""
    return store_violations(app.extensions["ptce"], app.config, lang)


def store_violations(store, config, lang: str) -> list[str]:
    """The validator's lines for every data file's violations (empty when the data conforms).

    The whole dataset is judged at once first; only when it does not conform is each file judged by the
    validator, for its ``FILE:LINE:COL`` lines (slower: about 1 s per file of data/). A dataset that
    conforms is remembered (the stamp, and a copy of its files: :func:`remember_good`).
    """
    from server.validator.judge import judge_from_store
    from server.validator.pipeline import validate_with_judge
    from server.validator.render import problem_line

    stamp = _stamp(store, config)
    if stamp.is_file():
        remember_good(store, config, stamp.name)
        return []
    try:
        conforms = dataset_conforms(store)
    except Exception as error:  # noqa: BLE001 - one clear line, and the data is not served unchecked
        return [f"data:0:0: the shapes could not be checked: {error!r}"[:500]]
    lines = []
    judge = None if conforms else judge_from_store(store, config)
    for source in [] if conforms else store.sources:
        if source.kind != "data":
            continue
        data = source.path.read_bytes()
        try:
            report = validate_with_judge(
                data, judge, lang=lang, max_bytes=len(data) + 1, timeout=None, isolate=False
            )
        except Exception as error:  # noqa: BLE001 - one clear line, and the data is not served unchecked
            lines.append(f"{source.path}:0:0: the shapes could not be checked: {error!r}"[:500])
            continue
        lines += [problem_line(str(source.path), problem) for problem in report.violations]
    if not conforms and not lines:  # a violation no single file shows (files judged together)
        lines.append("data:0:0: violation: the dataset as a whole violates the shapes (see ptce validate)")
    if not lines:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text("conforms\n")
        except OSError:
            pass  # no cache: the next start checks again
        remember_good(store, config, stamp.name)
    return lines


def describe_good(store, config) -> dict:
    """What is served after it passed the check: its hash and the time (for the logs and /readyz)."""
    try:
        key = dataset_key(store.sources, config)
    except OSError:
        key = "unknown"
    return {"hash": key, "saved": datetime.now(UTC).isoformat(timespec="seconds")}


def remember_if_checked(store, config) -> None:
    """Keep a copy of ``store``'s files if they are already known to conform (their stamp exists)."""
    try:
        stamp = _stamp(store, config)
    except OSError:
        return
    if stamp.is_file():
        remember_good(store, config, stamp.name)


@dataclass(frozen=True)
class Snapshot:
    """A copy of a dataset that passed the start-up check: its hash, when it was saved, and its files
    (the copies, each with the named graph and kind of the file it was copied from)."""

    folder: Path
    key: str
    saved: str
    sources: list[SourceFile] = field(repr=False)
    originals: tuple[str, ...] = field(repr=False, default=())

    def describe(self) -> dict:
        """What /readyz says about it: hash, time saved, number of files (the log names its folder too)."""
        return {"hash": self.key, "saved": self.saved, "files": len(self.sources)}


def _root(config) -> Path:
    return Path(config["CACHE_DIR"]) / "last-good"


def _folders(config) -> dict:
    """The folders a dataset is read from (resolved): a copy is only served for the same folders."""
    return {
        "ontology": str(Path(config["ONTOLOGY_DIR"]).resolve()),
        "shapes": str(Path(config["SHAPES_DIR"]).resolve()),
        "data": [str(Path(folder).resolve()) for folder in config["DATA_DIRS"]],
    }


def remember_good(store, config, key: str) -> Path | None:
    """Keep a copy of the files of ``store`` (which passed the check, hash ``key``) in CACHE_DIR/last-good.

    Written in a hidden folder, then renamed: a crash or a full disk leaves no half copy. The copy is made
    only if the files still hash to ``key`` (they may have changed since the check). Never raises: without
    a copy, a start on broken files refuses to start, as before. Returns the copy's folder, or None.
    """
    if config.get("SPARQL_BACKEND_URL"):
        return None  # the engine holds the data: a copy of the files could not be served
    root = _root(config)
    target = root / key
    try:
        if (target / "manifest.json").is_file():
            os.utime(target)  # the newest good copy is the one last checked
            return target
        contents = [source.path.read_bytes() for source in store.sources]
        digest = hashlib.sha256()
        for source, data in zip(store.sources, contents, strict=True):
            digest.update(f"{source.path.resolve()}|{source.graph}|".encode())
            digest.update(hashlib.sha256(data).digest())
            digest.update(b"\n")
        if _key(digest.hexdigest(), config) != key:
            logger.warning("the files changed during the start-up check: no copy of the last good dataset")
            return None
        root.mkdir(parents=True, exist_ok=True)
        incoming = root / f".incoming-{key[:16]}-{os.getpid()}"
        shutil.rmtree(incoming, ignore_errors=True)
        try:
            files = []
            for index, (source, data) in enumerate(zip(store.sources, contents, strict=True)):
                name = f"files/{index:04d}/{source.path.name}"
                (incoming / name).parent.mkdir(parents=True)
                with open(incoming / name, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                files.append(
                    {
                        "name": name,
                        "path": str(source.path),
                        "graph": source.graph,
                        "kind": source.kind,
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            manifest = {
                "hash": key,
                "saved": datetime.now(UTC).isoformat(timespec="seconds"),
                "base_iri": config["BASE_IRI"],
                "folders": _folders(config),
                "files": files,
            }
            with open(incoming / "manifest.json", "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            fsync_path(incoming)
            os.rename(incoming, target)
            fsync_path(root)
        except BaseException:
            shutil.rmtree(incoming, ignore_errors=True)
            raise
        _prune(root, target)
        return target
    except OSError as error:  # a full disk, a read-only cache: no copy, the server serves all the same
        logger.warning("no copy of the last good dataset was kept in %s: %s", root, error)
        return None


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the newest ``LAST_GOOD_KEPT`` copies, and half copies a crash left behind."""
    copies, now = [], time.time()
    for folder in root.iterdir():
        if folder.name.startswith(".incoming-"):
            if now - folder.stat().st_mtime > STALE_INCOMING:
                shutil.rmtree(folder, ignore_errors=True)
        elif folder.is_dir() and folder != keep:
            copies.append(folder)
    copies.sort(key=lambda folder: folder.stat().st_mtime, reverse=True)
    for stale in copies[max(0, LAST_GOOD_KEPT - 1) :]:
        shutil.rmtree(stale, ignore_errors=True)


def last_good(config) -> Snapshot | None:
    """The newest intact copy of a dataset that passed the check, for the same folders and base IRI."""
    root = _root(config)
    try:
        folders = sorted(
            (folder for folder in root.iterdir() if not folder.name.startswith(".")),
            key=lambda folder: folder.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return None
    for folder in folders:
        snapshot = _read_snapshot(folder, config)
        if snapshot is not None:
            return snapshot
    return None


def _read_snapshot(folder: Path, config) -> Snapshot | None:
    """The copy in ``folder`` if its manifest matches these folders and base IRI and every file its hash."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest["base_iri"] != config["BASE_IRI"] or manifest["folders"] != _folders(config):
            return None
        sources = []
        for entry in manifest["files"]:
            path = folder / entry["name"]
            if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
                logger.warning("the copy of the last good dataset in %s is damaged: %s", folder, path)
                return None
            sources.append(SourceFile(path, entry["graph"], entry["kind"]))
        originals = tuple(entry["path"] for entry in manifest["files"])
        return Snapshot(folder, manifest["hash"], manifest["saved"], sources, originals)
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass
class Fallback:
    """Why the files are not served (the check's lines) and the last good copy served instead, read-only."""

    snapshot: Snapshot
    why: str
    problems: list[str]
    since: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def state(self) -> dict:
        """The ``dataset`` check of ``app.extensions["ptce-degraded"]`` (see server.health)."""
        return {
            "why": self.why,
            "problems": self.problems[:100],
            "problem_count": len(self.problems),
            "since": self.since,
            "served": self.snapshot.describe(),
        }

    def log_lines(self) -> list[str]:
        """What ``ptce serve`` prints: the problems, then what is served instead."""
        served = self.snapshot
        return [
            *self.problems,
            f"ptce serve: WARNING: {self.why}: serving the LAST GOOD DATASET instead, READ-ONLY "
            f"(hash {served.key[:16]}, saved {served.saved}, {len(served.sources)} files, "
            f"from {served.folder}); curator actions and submissions answer 503 until the files are fixed "
            "and reloaded (SIGHUP, --watch) or the server restarted",
        ]

    def load(self, config):
        """The store of the last good copy (the same named graphs as the files it was copied from)."""
        from server.dataset import load_store

        return load_store(config, sources=self.snapshot.sources)
