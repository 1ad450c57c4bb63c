"""Recovery of interrupted accepts and reverts, from the inbox's journal: at start-up, finish each one (roll
forward when every file is in its old or new state) or undo what it wrote (a file changed since); an entry
that cannot be finished is left, logged and reported with the command that resolves it. And the CLI's view of
the journal (``ptce contributions journal``) and its way out (``ptce contributions resolve``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from server.contributions.carry_out import apply_plan, commit_plan, undo_plan
from server.contributions.curation_error import CurationError
from server.contributions.files import digest, read
from server.contributions.inbox import Inbox
from server.contributions.writer import REQUIRED_STATUS, exclusive

logger = logging.getLogger(__name__)


def recover(inbox: Inbox) -> list[tuple[int, str, str]]:
    """Finish the accepts and reverts a crash interrupted (on start): roll forward when every file is in its
    old or new state, else roll back what was written. Never raises: an entry it cannot finish is left as it
    is, logged, and reported with the command that resolves it. Returns (number, action, outcome) triples."""
    done = []
    try:
        with exclusive(inbox):
            for number, action, plan in inbox.journal():
                done.append((number, action, _recover_entry(inbox, number, action, plan)))
    except Exception as error:  # noqa: BLE001 - the server and the CLI start anyway, and say so
        logger.exception("the journal of interrupted curation could not be read")
        done.append((0, "recovery", f"could not run ({error}): see `ptce contributions journal`"))
    return done


def _recover_entry(inbox: Inbox, number: int, action: str, plan: dict) -> str:
    try:
        _remove_temporaries(plan)
        blocked = _blocked(inbox, number, action, plan)
        if blocked:
            return _stuck(number, action, blocked)
        states = [digest(read(change["path"])) for change in plan["files"]]
        if all(s in (c["old_sha"], c["new_sha"]) for s, c in zip(states, plan["files"], strict=True)):
            apply_plan(inbox, number, action, plan)
            commit_plan(inbox, number, action, plan)
            return "finished"
        undo_plan(inbox, number, plan)  # someone edited a file since: what was written goes back
        logger.error("contribution %s: the %s was undone (a file changed since)", number, action)
        return "undone"
    except Exception as error:  # noqa: BLE001 - reported with the command that resolves it
        logger.exception("contribution %s: the interrupted %s could not be finished", number, action)
        return _stuck(number, action, f"{type(error).__name__}: {error}"[:300])


def _remove_temporaries(plan: dict) -> None:
    for change in plan["files"]:  # a temporary file a crash left behind is never used
        path = Path(change["path"])
        for leftover in path.parent.glob(f".{path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)


def _blocked(inbox: Inbox, number: int, action: str, plan: dict) -> str | None:
    """Why the entry cannot be finished as planned (a contribution no longer in the status it needs)."""
    for each in plan.get("numbers") or [number]:
        status, _ = inbox.state(each)
        if status != REQUIRED_STATUS[action]:
            return f"contribution {each} is {status} now, not {REQUIRED_STATUS[action]}"
    return None


def _stuck(number: int, action: str, why: str) -> str:
    message = (
        f"not finished ({why}); nothing was changed. Run `ptce contributions journal` to see its files, then "
        f"`ptce contributions resolve {number} --undo` to put them back as they were before the {action}, "
        f"or `ptce contributions resolve {number} --forget` to keep them as they are now"
    )
    logger.error("contribution %s: the interrupted %s is %s", number, action, message)
    return message


def journal(inbox: Inbox) -> list[dict]:
    """The interrupted actions: number, action, contributions, and each file's state (old, new or other)."""
    entries = []
    for number, action, plan in inbox.journal():
        files = []
        for change in plan["files"]:
            state = digest(read(change["path"]))
            word = "new" if state == change["new_sha"] else "old" if state == change["old_sha"] else "other"
            files.append((change["path"], word))
        entries.append(
            {"number": number, "action": action, "numbers": plan.get("numbers") or [number], "files": files}
        )
    return entries


def resolve(inbox: Inbox, number: int, undo: bool) -> list[str]:
    """Close an interrupted action recovery could not finish: ``undo`` puts back every file still in the state
    the action wrote; else the files stay as they are. The journal entry goes; returns the files put back."""
    with exclusive(inbox):
        for entry_number, _, plan in inbox.journal():
            if entry_number == number:
                if not undo:
                    inbox.forget(number)
                    return []
                _remove_temporaries(plan)
                return undo_plan(inbox, number, plan)
    raise CurationError("no-entry", number=number)
