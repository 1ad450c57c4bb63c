"""The inbox of contributions: a SQLite database (WAL, synchronous writes) holding each Turtle file as sent,
its report, its metadata, its status history and the journal of accepts in progress. Nothing executes from it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

#: Statuses of a contribution.
PENDING, ACCEPTED, REJECTED, REVERTED = "pending", "accepted", "rejected", "reverted"
STATUSES = (PENDING, ACCEPTED, REJECTED, REVERTED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contribution (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submitted TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'reverted')),
    turtle BLOB NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    report TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'fr',
    data_file TEXT,
    changes TEXT,
    removals TEXT
);
CREATE INDEX IF NOT EXISTS contribution_status ON contribution (status);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contribution INTEGER NOT NULL REFERENCES contribution (id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS journal (
    contribution INTEGER PRIMARY KEY REFERENCES contribution (id),
    action TEXT NOT NULL,
    plan TEXT NOT NULL
);
"""


class QuotaExceeded(Exception):
    """The inbox holds too many pending contributions, or too many bytes of them."""

    def __init__(self, kind: str, limit: int):
        super().__init__(f"{kind} limit {limit} reached")
        self.kind, self.limit = kind, limit


@dataclass(frozen=True)
class Contribution:
    """One stored contribution (the Turtle as sent, never parsed from here but by the validator)."""

    id: int
    submitted: str
    status: str
    turtle: bytes
    size: int
    sha256: str
    report: dict
    name: str
    email: str
    message: str
    lang: str
    data_file: str | None
    changes: dict | None
    history: tuple[dict, ...] = ()
    removals: str | None = None  # the live statements it removes, in N-Triples (None: it only adds)


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Inbox:
    """The contributions database. One connection per thread; every write is its own transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._write_lock:
            self._connection().executescript(_SCHEMA)
            _migrate(self._connection())

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed contribution survives a power cut
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add(
        self,
        turtle: bytes,
        report: dict,
        *,
        name: str = "",
        email: str = "",
        message: str = "",
        lang: str = "fr",
        max_pending: int | None = None,
        max_pending_bytes: int | None = None,
        removals: str | None = None,
    ) -> int:
        """Store a pending contribution and return its number; raise QuotaExceeded past the caps.
        ``removals``: the live statements it removes, in N-Triples (a change made with the form)."""
        with self._transaction() as db:
            count, size = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM contribution WHERE status = 'pending'"
            ).fetchone()
            if max_pending is not None and count >= max_pending:
                raise QuotaExceeded("count", max_pending)
            if max_pending_bytes is not None and size + len(turtle) > max_pending_bytes:
                raise QuotaExceeded("bytes", max_pending_bytes)
            cursor = db.execute(
                "INSERT INTO contribution (submitted, status, turtle, size, sha256, report, name, email, "
                "message, lang, removals) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now(),
                    turtle,
                    len(turtle),
                    hashlib.sha256(turtle).hexdigest(),
                    json.dumps(report, ensure_ascii=False),
                    name,
                    email,
                    message,
                    lang,
                    removals or None,
                ),
            )
            number = cursor.lastrowid
            db.execute(
                "INSERT INTO history (contribution, at, status, actor) VALUES (?, ?, 'pending', ?)",
                (number, now(), name or "anonymous"),
            )
            return number

    def get(self, number: int) -> Contribution | None:
        """One contribution with its history, or None."""
        db = self._connection()
        row = db.execute("SELECT * FROM contribution WHERE id = ?", (number,)).fetchone()
        if row is None:
            return None
        history = db.execute(
            "SELECT at, status, actor, comment FROM history WHERE contribution = ? ORDER BY id", (number,)
        ).fetchall()
        return _contribution(row, tuple(dict(h) for h in history))

    def list(self, status: str | None = None) -> list[Contribution]:
        """The contributions (of one status), newest first, without their history."""
        db = self._connection()
        if status:
            rows = db.execute("SELECT * FROM contribution WHERE status = ? ORDER BY id DESC", (status,))
        else:
            rows = db.execute("SELECT * FROM contribution ORDER BY id DESC")
        return [_contribution(row) for row in rows.fetchall()]

    def set_status(
        self,
        number: int,
        status: str,
        actor: str,
        comment: str = "",
        *,
        expected: tuple[str, ...] = (PENDING,),
        data_file: str | None = None,
        changes: dict | None = None,
        record=None,
    ) -> None:
        """Move a contribution to ``status`` (only from an ``expected`` status), record it in the history
        and clear its journal entry, in one transaction (``record(db)``, if given, runs in it too)."""
        with self._transaction() as db:
            self._set_status(db, number, status, actor, comment, expected, data_file, changes)
            if record is not None:
                record(db)

    def reject(self, number: int, actor: str, comment: str = "") -> None:
        """Reject a pending contribution that no accept has begun to write (checked in the same transaction);
        raise KeyError if there is none, ValueError in any other state."""
        with self._transaction() as db:
            action = _journaled(db, number)
            if action:
                raise ValueError(f"contribution {number} has an interrupted {action} in the journal")
            self._set_status(db, number, REJECTED, actor, comment, (PENDING,), None, None)

    def set_statuses(
        self,
        numbers: list[int],
        status: str,
        actor: str,
        comment: str,
        *,
        expected: tuple[str, ...],
        record=None,
    ) -> None:
        """Move several contributions to ``status`` together (a revert with its dependants): all or none
        (``record(db)``, if given, runs in the same transaction)."""
        with self._transaction() as db:
            for number in numbers:
                self._set_status(db, number, status, actor, comment, expected, None, None)
            if record is not None:
                record(db)

    def state(self, number: int) -> tuple[str | None, str | None]:
        """(status, action of the journal entry that includes it, or None), read in one transaction."""
        with self._transaction() as db:
            row = db.execute("SELECT status FROM contribution WHERE id = ?", (number,)).fetchone()
            return (row["status"] if row else None), _journaled(db, number)

    def _set_status(self, db, number, status, actor, comment, expected, data_file, changes) -> None:
        row = db.execute("SELECT status FROM contribution WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise KeyError(number)
        if row["status"] not in expected:
            raise ValueError(f"contribution {number} is {row['status']}, not {' or '.join(expected)}")
        db.execute(
            "UPDATE contribution SET status = ?, data_file = COALESCE(?, data_file), "
            "changes = COALESCE(?, changes) WHERE id = ?",
            (status, data_file, None if changes is None else json.dumps(changes), number),
        )
        db.execute(
            "INSERT INTO history (contribution, at, status, actor, comment) VALUES (?, ?, ?, ?, ?)",
            (number, now(), status, actor, comment),
        )
        db.execute("DELETE FROM journal WHERE contribution = ?", (number,))

    def begin(self, number: int, action: str, plan: dict) -> None:
        """Record the plan of an accept or revert before any file is touched (the write-ahead step)."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO journal (contribution, action, plan) VALUES (?, ?, ?)",
                (number, action, json.dumps(plan, ensure_ascii=False)),
            )

    def forget(self, number: int) -> None:
        """Drop the journal entry of an accept or revert that was undone."""
        with self._transaction() as db:
            db.execute("DELETE FROM journal WHERE contribution = ?", (number,))

    def journal(self) -> list[tuple[int, str, dict]]:
        """Accepts and reverts begun and not recorded as done (to finish on start)."""
        rows = self._connection().execute(
            "SELECT contribution, action, plan FROM journal ORDER BY contribution"
        )
        return [(row["contribution"], row["action"], json.loads(row["plan"])) for row in rows.fetchall()]

    def pending_totals(self) -> tuple[int, int]:
        """(number, bytes) of pending contributions."""
        row = (
            self._connection()
            .execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM contribution WHERE status = 'pending'")
            .fetchone()
        )
        return int(row[0]), int(row[1])

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def status_counts(path: str | Path) -> dict[str, int] | None:
    """Contributions by status in the inbox at ``path``, read-only (0 each when there is no inbox yet;
    None when it cannot be read)."""
    if not Path(path).is_file():
        return dict.fromkeys(STATUSES, 0)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            rows = db.execute("SELECT status, COUNT(*) FROM contribution GROUP BY status").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return {**dict.fromkeys(STATUSES, 0), **dict(rows)}


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an inbox made by an earlier version up to the schema: the ``removals`` column (nullable)."""
    columns = {row["name"] for row in db.execute("PRAGMA table_info(contribution)").fetchall()}
    if "removals" not in columns:
        try:
            db.execute("ALTER TABLE contribution ADD COLUMN removals TEXT")
        except sqlite3.OperationalError as error:  # another process added it in the meantime
            if "duplicate column" not in str(error):
                raise


def _journaled(db: sqlite3.Connection, number: int) -> str | None:
    """The action of the journal entry whose plan includes ``number`` (its own, or a revert's dependants)."""
    for row in db.execute("SELECT contribution, action, plan FROM journal").fetchall():
        if row["contribution"] == number or number in json.loads(row["plan"]).get("numbers", ()):
            return row["action"]
    return None


def _contribution(row: sqlite3.Row, history: tuple[dict, ...] = ()) -> Contribution:
    return Contribution(
        id=row["id"],
        submitted=row["submitted"],
        status=row["status"],
        turtle=bytes(row["turtle"]),
        size=row["size"],
        sha256=row["sha256"],
        report=json.loads(row["report"]),
        name=row["name"],
        email=row["email"],
        message=row["message"],
        lang=row["lang"],
        data_file=row["data_file"],
        changes=json.loads(row["changes"]) if row["changes"] else None,
        history=history,
        removals=row["removals"] if "removals" in row.keys() else None,
    )
