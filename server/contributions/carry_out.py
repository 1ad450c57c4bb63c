"""Carrying out a checked plan, crash-safely: journal it in the inbox, write each file atomically (skipping
those already written), then record the new status and the change record in one transaction; a failure that
is not a crash puts the files back before it is raised. Recovery uses the same steps to finish or undo what a
crash interrupted. The caller holds :func:`server.contributions.writer.exclusive`.
"""

from __future__ import annotations

import logging

from server.contributions.curation_error import CurationError
from server.contributions.files import digest, failpoint, read, write_atomically
from server.contributions.inbox import ACCEPTED, REVERTED, Inbox
from server.history.record import recorder

logger = logging.getLogger(__name__)


def carry_out(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    """Journal, write and record the plan; a failure (not a crash) puts the files back before it is raised."""
    inbox.begin(number, action, plan)
    failpoint("journaled")
    try:
        apply_plan(inbox, number, action, plan)
        commit_plan(inbox, number, action, plan)
    except Exception:
        try:
            undo_plan(inbox, number, plan)
        except Exception:  # noqa: BLE001 - the journal entry stays: the next start finishes or undoes it
            logger.exception("contribution %s: the failed %s could not be undone now", number, action)
        raise


def apply_plan(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    """Write every file of the plan (each atomically), in order, skipping those already written."""
    for index, change in enumerate(plan["files"]):
        current = digest(read(change["path"]))
        if current == change["new_sha"]:
            continue
        if current != change["old_sha"]:
            raise CurationError("changed", action=action, path=change["path"])
        write_atomically(change["path"], change["new"])
        failpoint(f"file-{index}-written")


def commit_plan(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    """Record the new status, with the change record, in one transaction (a revert: all it takes)."""
    failpoint("files-written")
    record = recorder(number, action, plan)  # the change record, in the same transaction as the status
    if action == "accept":
        inbox.set_status(
            number,
            ACCEPTED,
            plan["actor"],
            plan["comment"],
            data_file=plan["data_file"],
            changes=plan,
            record=record,
        )
    else:
        numbers = plan.get("numbers") or [number]
        inbox.set_statuses(
            numbers, REVERTED, plan["actor"], plan["comment"], expected=(ACCEPTED,), record=record
        )
    failpoint("recorded")


def undo_plan(inbox: Inbox, number: int, plan: dict) -> list[str]:
    """Put back the files the plan wrote (those in their new state) and drop its journal entry."""
    restored = []
    for change in reversed(plan["files"]):
        if digest(read(change["path"])) == change["new_sha"] and change["new_sha"] != change["old_sha"]:
            write_atomically(change["path"], change["old"])
            restored.append(change["path"])
    inbox.forget(number)
    return restored
