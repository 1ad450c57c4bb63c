"""``ptce backup DIR`` and ``ptce restore DIR``: the inbox and the data folders, with a manifest of hashes.

Backup runs beside a serving server. It takes the curation lock (the lock file beside the inbox that every
accept and revert holds, server.contributions.writer), so no change is half-written while it copies; then
it copies the inbox through SQLite's online backup API (a consistent copy even while contributions are
submitted: the WAL and its ``-shm`` side files are folded in), and every file of the data folders. It
writes ``manifest.json`` last, atomically: a backup without it is partial and is refused.

Restore runs with the server stopped, into an empty inbox location and empty (or absent) data folders. It
checks the manifest first (every file present, no file more, sizes and SHA-256 as recorded, the inbox
passes SQLite's integrity check), then copies, fsyncs and only then renames each file into place.

The curator sessions (``curator-sessions.sqlite3``) are not backed up: a restored server starts with every
curator logged out. The settings (environment, ``CURATORS``, ``SECRET_KEY``) are the operator's to keep.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

from server import config as default_config
from server.contributions.files import fsync_path
from server.contributions.lock import curation_lock

MANIFEST = "manifest.json"
FORMAT = "ptce-backup/1"
INBOX_NAME = "contributions.sqlite3"


class BackupError(Exception):
    """The backup or the restore cannot be done; the message says why and what to do."""


def inbox_location(config) -> Path:
    """Where the inbox lives (CONTRIBUTIONS_DB, else instance/contributions.sqlite3, as ``ptce
    contributions`` finds it)."""
    return Path(config.get("CONTRIBUTIONS_DB") or default_config.PROJECT_ROOT / "instance" / INBOX_NAME)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _data_folder_names(folders: list[Path]) -> list[str]:
    """A distinct name per data folder inside the backup: ``0-data``, ``1-other``..."""
    return [f"{index}-{folder.name or 'data'}" for index, folder in enumerate(folders)]


def backup(config, target: Path) -> dict:
    """Copy the inbox (online backup API) and the data folders into ``target`` (new or empty), under the
    curation lock; write the manifest last. Return the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new folder")
    target.mkdir(parents=True, exist_ok=True)
    inbox = inbox_location(config)
    folders = [Path(folder) for folder in config["DATA_DIRS"]]
    files: list[dict] = []
    started = time.time()
    with curation_lock(inbox):
        if inbox.is_file():
            copy = target / INBOX_NAME
            source = sqlite3.connect(f"file:{inbox}?mode=ro", uri=True, timeout=30)
            destination = sqlite3.connect(copy)
            try:
                source.backup(destination, pages=1024)  # the online backup API, page by page
                destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                destination.close()
                source.close()
            files.append({"path": INBOX_NAME, "role": "inbox"})
        for folder, name in zip(folders, _data_folder_names(folders), strict=True):
            if not folder.is_dir():
                raise BackupError(f"data folder {folder} does not exist")
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                relative = path.relative_to(folder)
                if any(part.startswith(".") and part.endswith(".tmp") for part in relative.parts):
                    continue  # a temporary file of a write in progress elsewhere
                destination = target / "data" / name / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
                files.append({"path": f"data/{name}/{relative.as_posix()}", "role": "data"})
    for entry in files:
        path = target / entry["path"]
        fsync_path(path)
        entry.update(size=path.stat().st_size, sha256=sha256(path))
    manifest = {
        "format": FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "inbox": str(inbox) if inbox.is_file() else None,
        "data_dirs": [
            {"name": name, "source": str(folder)}
            for folder, name in zip(folders, _data_folder_names(folders), strict=True)
        ],
        "files": files,
    }
    partial = target / (MANIFEST + ".tmp")
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    fsync_path(partial)
    os.replace(partial, target / MANIFEST)
    return manifest


def verify(source: Path) -> dict:
    """The manifest of a complete, intact backup (else :class:`BackupError` saying what is wrong)."""
    source = Path(source)
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: the backup is partial or this is not a backup")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{manifest_path} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path} is not a {FORMAT} manifest")
    listed = {entry["path"] for entry in manifest["files"]}
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {MANIFEST}
    if listed - present:
        raise BackupError(
            f"the backup is missing {len(listed - present)} file(s): {sorted(listed - present)[:5]}"
        )
    if present - listed:
        raise BackupError(
            f"the backup holds file(s) its manifest does not list: {sorted(present - listed)[:5]}"
        )
    for entry in manifest["files"]:
        path = source / entry["path"]
        if path.stat().st_size != entry["size"] or sha256(path) != entry["sha256"]:
            raise BackupError(f"{path} does not match the manifest (size or SHA-256): the backup is corrupt")
    if any(entry["role"] == "inbox" for entry in manifest["files"]):
        db = sqlite3.connect(f"file:{source / INBOX_NAME}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            result = str(error)
        finally:
            db.close()
        if result != "ok":
            raise BackupError(f"the inbox in the backup fails SQLite's integrity check: {result}")
    return manifest


def _empty(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def restore(config, source: Path) -> dict:
    """Check the backup in ``source``, then copy it into the (empty) inbox location and data folders of
    ``config``. Return the manifest."""
    source = Path(source)
    manifest = verify(source)
    inbox = inbox_location(config)
    folders = [Path(folder) for folder in config["DATA_DIRS"]]
    if len(folders) != len(manifest["data_dirs"]):
        raise BackupError(
            f"the backup holds {len(manifest['data_dirs'])} data folder(s), the settings name {len(folders)}"
        )
    has_inbox = any(entry["role"] == "inbox" for entry in manifest["files"])
    side_files = [inbox, *(inbox.with_name(inbox.name + suffix) for suffix in ("-wal", "-shm"))]
    if has_inbox and any(path.exists() for path in side_files):
        raise BackupError(f"{inbox} exists: restore into an empty place (stop the server, move it away)")
    for folder in folders:
        if not _empty(folder):
            raise BackupError(f"data folder {folder} is not empty: restore into empty folders")
    targets: dict[str, Path] = {}
    for entry, folder in zip(manifest["data_dirs"], folders, strict=True):
        targets[f"data/{entry['name']}/"] = folder
    for entry in manifest["files"]:
        if entry["role"] == "inbox":
            destination = inbox
        else:
            prefix = next(p for p in targets if entry["path"].startswith(p))
            destination = targets[prefix] / entry["path"][len(prefix) :]
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".restoring")
        shutil.copy2(source / entry["path"], partial)
        fsync_path(partial)
        os.replace(partial, destination)
    return manifest
