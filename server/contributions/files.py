"""Crash-safe file changes: write a temporary file, fsync, rename, fsync the folder; and the removal of
one statement from a Turtle file without reformatting the rest of it.

A write that fails (a full disk above all) removes its temporary file and leaves the file as it was; a full
disk or quota is raised as :class:`DiskFull`, which the web answers with 507 and the CLI with a clear error.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import BNode, Graph

from server.validator.linemap import parse_with_lines

#: Test failpoint: ``PTCE_FAILPOINT=<step>`` kills the process (SIGKILL) when it reaches that step, so that
#: tests can check that an accept interrupted anywhere is finished or undone on the next start.
FAILPOINT_VARIABLE = "PTCE_FAILPOINT"


def failpoint(step: str) -> None:
    """Die at once (SIGKILL, no clean-up) if the test failpoint names this step."""
    if os.environ.get(FAILPOINT_VARIABLE) == step:
        os.kill(os.getpid(), signal.SIGKILL)


#: The errors that mean "no room left": no space on the device, or the user's disk quota reached.
FULL_ERRORS = (errno.ENOSPC, errno.EDQUOT)


class DiskFull(OSError):
    """A file could not be written because the disk (or the quota) is full; the file is as it was."""

    def __init__(self, path: str | Path, error: OSError):
        super().__init__(error.errno, os.strerror(error.errno or errno.ENOSPC), str(path))
        self.path = str(path)

    def __str__(self) -> str:
        return (
            f"the disk is full ({self.strerror}): {self.path} could not be written; it is as it was and no "
            "temporary file is left. Free some space, then try again."
        )

    def words(self, lang: str) -> str:
        """The message for a curator, in French or English (the path is not shown on the web)."""
        if lang == "fr":
            return (
                "Le disque du serveur est plein : la modification n'a pas pu être écrite dans les données. "
                "Demandez à l'administrateur de libérer de la place, puis recommencez."
            )
        return (
            "The server's disk is full: the change could not be written to the data. Ask the administrator "
            "to free some space, then try again."
        )


def digest(text: str | None) -> str | None:
    """SHA-256 of a file's text (None for a file that does not exist)."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def read(path: str | Path) -> str | None:
    """A file's text, or None if it does not exist."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def fsync_path(path: Path) -> None:
    """Flush a file or a folder (its entries) to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def _disk_full_named(path: Path) -> Iterator[None]:
    """Raise an ENOSPC or EDQUOT error met while writing ``path`` as :class:`DiskFull`."""
    try:
        yield
    except OSError as error:
        if error.errno in FULL_ERRORS and not isinstance(error, DiskFull):
            raise DiskFull(path, error) from error
        raise


def write_atomically(path: str | Path, text: str | None) -> None:
    """Replace the file by ``text`` (or delete it for None): all of it or nothing, even after a crash.

    On any error the temporary file is removed and the file is as it was; a full disk is :class:`DiskFull`.
    """
    path = Path(path)
    with _disk_full_named(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.unlink(missing_ok=True)
        else:
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                with temporary.open("w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                failpoint("temporary-written")
                os.replace(temporary, path)
            except BaseException:  # any failure (but SIGKILL): no partial temporary file is left behind
                temporary.unlink(missing_ok=True)
                raise
        fsync_path(path.parent)


def _ground(graph: Graph) -> set:
    return {t for t in graph if not any(isinstance(n, BNode) for n in t)}


def _same_but(original: Graph, text: str, base_iri: str, removed: set, added: set) -> bool:
    try:
        graph, _ = parse_with_lines(text, base_iri)
    except Exception:  # noqa: BLE001 - an edit that does not parse is simply not the right edit
        return False
    return (
        len(graph) == len(original) - len(removed) + len(added)
        and _ground(graph) == (_ground(original) - removed) | added
    )


def _object_end(line: str, start: int) -> int:
    """Index just past the Turtle object term that starts at ``start`` in ``line``."""
    if line.startswith(('"""', "'''"), start):
        return -1  # long strings span lines: not edited in place
    if line[start] in "\"'":
        quote, i = line[start], start + 1
        while i < len(line) and line[i] != quote:
            i += 2 if line[i] == "\\" else 1
        i += 1
    elif line[start] == "<":
        i = line.find(">", start) + 1
        if i == 0:
            return -1
    else:
        i = start
    while i < len(line) and not line[i].isspace() and line[i] not in ";,":
        if line[i] == "." and (i + 1 == len(line) or line[i + 1].isspace()):
            break
        i += 1
    return i


def _hunks(lines: list[str], index: int, column: int) -> list[tuple[int, list[str], list[str]]]:
    """Candidate edits removing the predicate-object pair whose object starts at (index, column):
    (first line, lines before, lines after)."""
    line, start = lines[index], column - 1
    end = _object_end(line, start)
    if end < 0:
        return []
    rest = line[end:].lstrip(" \t")
    before = line[:start].rstrip(" \t")
    candidates = []
    if before.endswith(","):  # one object of a list: drop ", object"
        candidates.append((index, [line], [before[:-1].rstrip(" \t") + line[end:]]))
    if rest.startswith(","):  # the first object of a list: drop "object, " (and a line left empty)
        tail = rest[1:].lstrip(" \t")
        new = (line[:start] if tail.strip() else line[:start].rstrip(" \t")) + tail
        candidates.append((index, [line], [new] if new.strip() else []))
    if not before.strip() and not rest.startswith(","):  # the last object of a list, alone on its line
        previous = next((i for i in range(index - 1, -1, -1) if lines[i].split(" #")[0].strip()), None)
        code = lines[previous].split(" #")[0].rstrip() if previous is not None else ""
        if code.endswith(","):
            cut = lines[previous].rfind(",", 0, len(code))
            ending = rest.lstrip(" \t") if rest.strip() else "\n"
            fixed = lines[previous][:cut].rstrip(" \t") + (" " + ending if rest.strip() else ending)
            candidates.append((previous, lines[previous : index + 1], [fixed]))
    predicate_start = len(before) - len(before.split()[-1]) if before.split() else 0
    if rest.startswith(";"):
        after = rest[1:].lstrip(" \t")
        new = line[:predicate_start] + after
        candidates.append((index, [line], [] if not new.strip() else [new]))
    if rest.startswith(".") or not rest.strip():
        # the last pair of the statement: the ';' before the predicate goes, the '.' (if here) stays
        head = line[:predicate_start].rstrip(" \t")
        if head.endswith(";"):
            candidates.append((index, [line], [head[:-1].rstrip(" \t") + " " + rest.lstrip()]))
        elif not head.strip():
            for previous in range(index - 1, -1, -1):
                code = lines[previous].split(" #")[0].rstrip()
                if code:
                    if code.endswith(";"):
                        cut = lines[previous].rfind(";")
                        ending = " ." if rest.startswith(".") else ""
                        fixed = lines[previous][:cut].rstrip(" \t") + ending + lines[previous][cut + 1 :]
                        tail = rest[1:].lstrip(" \t") if rest.startswith(".") else rest
                        new_lines = [fixed] + ([tail] if tail.strip() else [])
                        candidates.append((previous, lines[previous : index + 1], new_lines))
                    break
    return candidates


def _whole_statement(lines: list[str], at, index: int, column: int) -> list[tuple[int, list[str], list[str]]]:
    """The lines of a subject's only statement (from its subject at the start of a line to the '.' after the
    object at (index, column)), with the blank line after it when one is before it too."""
    if not at or at[1] != 1 or at[0] - 1 > index:
        return []
    end = _object_end(lines[index], column - 1)
    if end < 0 or lines[index][end:].strip() != ".":
        return []
    first, last = at[0] - 1, index + 1
    if last < len(lines) and not lines[last].strip() and (first == 0 or not lines[first - 1].strip()):
        last += 1
    return [(first, lines[first:last], [])]


def remove_statement(text: str, triple: tuple, base_iri: str) -> tuple[str, dict] | None:
    """``text`` without the one statement ``triple``, every other line as it was; with the edit made (to
    undo it), or None when no simple edit of the statement's line(s) does exactly that."""
    original, linemap = parse_with_lines(text, base_iri)
    if triple not in original:
        return None
    line, column = linemap.triples.get(triple, (None, None))
    if not line:
        return None
    lines = text.splitlines(keepends=True)
    candidates = _hunks(lines, line - 1, column)
    if len(list(original.triples((triple[0], None, None)))) == 1:  # the subject's last statement here
        candidates += _whole_statement(lines, linemap.subjects.get(triple[0]), line - 1, column)
    for first, before, after in candidates:
        if after and not after[-1].endswith("\n") and before[-1].endswith("\n"):
            after[-1] += "\n"
        candidate = "".join(lines[:first] + after + lines[first + len(before) :])
        if _same_but(original, candidate, base_iri, {triple}, set()):
            return candidate, {"at": first, "before": before, "after": after}
    return None


def restore_statement(text: str, edit: dict, triple_nt: str, base_iri: str) -> str:
    """Undo :func:`remove_statement`: put the lines back if the file around them has not changed, else
    append the statement in N-Triples form (valid Turtle) at the end of the file."""
    from rdflib.util import from_n3

    triple = tuple(from_n3(term) for term in _split_nt(triple_nt))
    current, _ = parse_with_lines(text, base_iri)
    if triple in current:
        return text
    lines = text.splitlines(keepends=True)
    at, before, after = edit["at"], edit["before"], edit["after"]
    if lines[at : at + len(after)] == after:
        candidate = "".join(lines[:at] + before + lines[at + len(after) :])
        if _same_but(current, candidate, base_iri, set(), {triple}):
            return candidate
    return text + ("" if text.endswith("\n") else "\n") + triple_nt + "\n"


def _split_nt(statement: str) -> list[str]:
    """The three terms of one N-Triples statement (``<s> <p> "o"@fr .``)."""
    body = statement.strip().removesuffix(".").strip()
    subject, predicate, rest = body.split(" ", 2)
    return [subject, predicate, rest.strip()]
