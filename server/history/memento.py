"""Past states of a resource (Memento, RFC 7089): their dates, the HTTP-date syntax, and the state itself,
rebuilt from the resource's neighbourhood now by applying the later patches in reverse.

A memento is named by a change number: ``/memento/<seq>/<rest>`` is the document of ``<base>id/<rest>`` as it
was after change ``seq`` (0: before the first change, dated when history began). Flask-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import pyoxigraph as ox

from server.history import patch as patches
from server.history.record import ChangeLog

#: An HTTP-date in the preferred format (RFC 7231 IMF-fixdate), the only one RFC 7089 allows.
_HTTP_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) "
    r"(\d{2}):(\d{2}):(\d{2}) GMT"
)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Memento:
    """One past state of a resource: after change ``seq`` (0: before any), from ``at`` (ISO 8601, UTC)."""

    seq: int
    at: str

    def when(self) -> datetime:
        """Its date as an aware datetime."""
        return parse_iso(self.at)


def parse_iso(text: str) -> datetime:
    """An ISO 8601 UTC time of the log (``2026-12-06T15:39:45Z``) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def http_date(moment: datetime | str) -> str:
    """An HTTP-date (``Thu, 31 May 2007 20:35:00 GMT``)."""
    if isinstance(moment, str):
        moment = parse_iso(moment)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_http_date(text: str) -> datetime:
    """Read an Accept-Datetime value (IMF-fixdate only, as RFC 7089 requires); ValueError otherwise.

    >>> parse_http_date("Thu, 31 May 2007 20:35:00 GMT").isoformat()
    '2007-05-31T20:35:00+00:00'
    """
    found = _HTTP_DATE.fullmatch(text.strip())
    if not found:
        raise ValueError(f"not an HTTP-date: {text!r}")
    _, day, month, year, hour, minute, second = found.groups()
    moment = datetime(
        int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
    )
    if moment.strftime("%a") != found.group(1):
        raise ValueError(f"wrong day of the week: {text!r}")
    return moment


def mementos(log: ChangeLog, iri: str, fallback_origin: str) -> list[Memento]:
    """The mementos of a resource, oldest first: the state before its first change (when it existed then)
    and the state after each change that touched it."""
    changes = list(reversed(log.touching(iri)))
    origin = log.origin() or fallback_origin
    found = [Memento(c.seq, c.at) for c in changes]
    if not changes or _existed_before(changes[0].parsed(), iri):
        found.insert(0, Memento(0, min(origin, changes[0].at) if changes else origin))
    return found


def _existed_before(patch: patches.Patch, iri: str) -> bool:
    node = ox.NamedNode(iri)
    if any(q.subject == node for q in patch.removed):
        return True
    return not any(q.subject == node and q.predicate.value == _TYPE for q in patch.added)


def select(found: list[Memento], moment: datetime) -> Memento:
    """The memento a TimeGate picks for ``moment``: the last one dated at or before it, else the first."""
    chosen = found[0]
    for memento in found:
        if memento.when() <= moment:
            chosen = memento
    return chosen


def state_quads(current: set, log: ChangeLog, seq: int) -> set:
    """The quads ``current`` (a neighbourhood now) held after change ``seq``: later patches undone, newest
    first."""
    quads = set(current)
    for change in reversed(log.after(seq)):
        quads = patches.apply(quads, change.parsed().reversed())
    return quads


def link_format(entries: list[tuple[str, dict]]) -> str:
    """Link entries (RFC 6690 / RFC 8288 syntax) as a TimeMap body: one per line, comma-separated."""
    lines = []
    for target, params in entries:
        attributes = "".join(f'; {name}="{value}"' for name, value in params.items())
        lines.append(f"<{target}>{attributes}")
    return ",\n".join(lines) + "\n"
