"""The record of every change: one row per accept or revert, in the inbox's SQLite database, written in the
same transaction as the contribution's new status (a crash never leaves one without the other).

A row holds its sequence number, time, curator (the name, never the token), contribution number, action
(accept, revert), kind (create, update, delete, undo), the resources it touched and its patch (RDF Patch).
A replica keeps the same tables in its own database, filled from the curator node's feed.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from server import config as defaults
from server.history import patch as patches

_TABLES = (
    """CREATE TABLE IF NOT EXISTS change (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    curator TEXT NOT NULL,
    contribution INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'revert')),
    kind TEXT NOT NULL CHECK (kind IN ('create', 'update', 'delete', 'undo')),
    resources TEXT NOT NULL,
    patch TEXT NOT NULL
)""",
    "CREATE TABLE IF NOT EXISTS change_resource (iri TEXT NOT NULL, seq INTEGER NOT NULL, "
    "PRIMARY KEY (iri, seq))",
    "CREATE TABLE IF NOT EXISTS change_origin (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL)",
)
_ORG = "http://www.w3.org/ns/org#"
_FOLLOWED = (_ORG + "organization", _ORG + "member")  # a membership's change is its pole's and member's


@dataclass(frozen=True)
class Change:
    """One recorded change."""

    seq: int
    at: str
    curator: str
    contribution: int
    action: str
    kind: str
    resources: tuple[str, ...]
    patch: str

    def parsed(self) -> patches.Patch:
        """Its patch, read."""
        return patches.read(self.patch)


def now() -> str:
    """The current UTC time, ISO 8601 to the second (as the inbox writes it)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def ensure_tables(db: sqlite3.Connection) -> None:
    """Create the change tables if missing (inside the caller's transaction), and the origin: the time from
    which history is known (the state before the first change is dated then)."""
    for statement in _TABLES:
        db.execute(statement)
    db.execute("INSERT OR IGNORE INTO change_origin (id, at) VALUES (1, ?)", (now(),))


def touched(patch: patches.Patch, base_iri: str) -> tuple[str, ...]:
    """The resources a patch touches: the subjects under ``<base>id/``, and the organisations a touched
    membership links (a member added to a pole changes the pole's page)."""
    space, found = f"{base_iri}id/", set()
    quads = (*patch.removed, *patch.added)
    for q in quads:
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(space):
            found.add(q.subject.value)
    for q in quads:
        if q.predicate.value in _FOLLOWED and isinstance(q.object, ox.NamedNode):
            if q.object.value.startswith(space):
                found.add(q.object.value)
    return tuple(sorted(found))


def patch_id(base_iri: str, seq: int) -> str:
    """The RDF Patch id of change ``seq`` (a UUID IRI made from the dataset and the number)."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base_iri}changes/{seq}')}>"


def created_subjects(store, plan: dict) -> list[str]:
    """The resources (under ``<base>id/``) an accept's contribution file describes that the store (the
    graph before the accept) has no statement about: what the accept creates. One query on the store."""
    text = plan["files"][0]["new"] if plan.get("files") else None
    space = f"{store.base_iri}id/"
    subjects = sorted(
        {
            q.subject.value
            for q in patches.text_quads(text, "urn:x")
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(space)
        }
    )
    if not subjects:
        return []
    values = " ".join(f"<{iri}>" for iri in subjects)
    rows = store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
    existing = {str(row["s"]) for row in rows}
    return [iri for iri in subjects if iri not in existing]


def recorder(number: int, action: str, plan: dict) -> Callable[[sqlite3.Connection], None]:
    """What the inbox calls inside the transaction that sets the new status: insert the change row. The
    patch is computed here, before the transaction, from the plan's old and new file texts."""
    facts = plan.get("history") or {}
    base = facts.get("base") or defaults.BASE_IRI
    patch = patches.from_files(plan["files"], base)
    resources = touched(patch, base)
    numbers = plan.get("numbers") or [number]

    def record(db: sqlite3.Connection) -> None:
        ensure_tables(db)
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM change").fetchone()[0]
        if action == "accept":
            kind = "create" if facts.get("created") else "update"
        else:
            marks = ",".join("?" * len(numbers))
            created = db.execute(
                "SELECT 1 FROM change WHERE action = 'accept' AND kind = 'create' "
                f"AND contribution IN ({marks})",
                numbers,
            ).fetchone()
            kind = "delete" if created else "undo"
        patch.headers = {"id": patch_id(base, seq)}
        if seq > 1:
            patch.headers["prev"] = patch_id(base, seq - 1)
        insert(
            db,
            Change(
                seq, now(), plan.get("actor") or "", number, action, kind, resources, patches.write(patch)
            ),
        )

    return record


def insert(db: sqlite3.Connection, change: Change) -> None:
    """Insert one change and its resources (a replica inserts the curator node's rows as they are)."""
    db.execute(
        "INSERT OR REPLACE INTO change (seq, at, curator, contribution, action, kind, resources, patch) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            change.seq,
            change.at,
            change.curator,
            change.contribution,
            change.action,
            change.kind,
            json.dumps(list(change.resources)),
            change.patch,
        ),
    )
    db.executemany(
        "INSERT OR IGNORE INTO change_resource (iri, seq) VALUES (?, ?)",
        [(iri, change.seq) for iri in change.resources],
    )


def _row(row) -> Change:
    return Change(
        row["seq"],
        row["at"],
        row["curator"],
        row["contribution"],
        row["action"],
        row["kind"],
        tuple(json.loads(row["resources"])),
        row["patch"],
    )


class ChangeLog:
    """Reads the change tables of a SQLite file (the inbox, or a replica's database); an absent file or
    table is an empty log."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        if not self.path.is_file():
            return []
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            raise
        finally:
            db.close()

    def last_seq(self) -> int:
        """The number of the newest change (0 when there is none)."""
        rows = self._query("SELECT COALESCE(MAX(seq), 0) AS n FROM change")
        return int(rows[0]["n"]) if rows else 0

    def origin(self) -> str | None:
        """When history began (the state before the first change is dated then), or None."""
        rows = self._query("SELECT at FROM change_origin WHERE id = 1")
        return rows[0]["at"] if rows else None

    def get(self, seq: int) -> Change | None:
        """One change, or None."""
        rows = self._query("SELECT * FROM change WHERE seq = ?", (seq,))
        return _row(rows[0]) if rows else None

    def between(self, first: int, last: int) -> list[Change]:
        """The changes first..last (inclusive), oldest first."""
        return [
            _row(r)
            for r in self._query("SELECT * FROM change WHERE seq BETWEEN ? AND ? ORDER BY seq", (first, last))
        ]

    def after(self, seq: int) -> list[Change]:
        """The changes after ``seq``, oldest first."""
        return [_row(r) for r in self._query("SELECT * FROM change WHERE seq > ? ORDER BY seq", (seq,))]

    def touching(self, iri: str) -> list[Change]:
        """The changes that touched a resource, newest first."""
        rows = self._query(
            "SELECT change.* FROM change JOIN change_resource USING (seq) WHERE iri = ? ORDER BY seq DESC",
            (iri,),
        )
        return [_row(r) for r in rows]


def open_writable(path: str | Path) -> sqlite3.Connection:
    """A connection to a change database (WAL, synchronous writes), its tables created."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("BEGIN IMMEDIATE")
    ensure_tables(db)
    db.execute("COMMIT")
    return db
