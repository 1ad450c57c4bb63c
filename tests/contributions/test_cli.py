"""``ptce contributions`` on the command line: list, show, reject, hash-token."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from server.cli import main as ptce
from server.contributions.inbox import Inbox
from tests.helpers.contributions import VALID_POLE


def test_list_show_reject_and_hash_token(runner, tmp_path):
    env = {"PTCE_CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3")}
    number = Inbox(tmp_path / "inbox.sqlite3").add(VALID_POLE, {"status": "conforms"}, name="Alice\x1b[31m")
    listed = runner.invoke(ptce, ["contributions", "list"], env=env)
    assert listed.exit_code == 0 and "pending" in listed.output and "\x1b" not in listed.output
    shown = runner.invoke(ptce, ["contributions", "show", str(number)], env=env)
    assert "report at submission: conforms" in shown.output and "\x1b" not in shown.output
    assert (
        runner.invoke(ptce, ["contributions", "show", str(number), "--turtle"], env=env).stdout_bytes
        == VALID_POLE
    )
    rejected = runner.invoke(
        ptce, ["contributions", "reject", str(number), "--curator", "carol", "--comment", "doublon"], env=env
    )
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    again = runner.invoke(ptce, ["contributions", "reject", str(number), "--curator", "carol"], env=env)
    assert again.exit_code == 1 and "is rejected, not pending" in again.output
    hashed = runner.invoke(ptce, ["contributions", "hash-token", "s3cret"]).output.strip()
    assert hashed != "s3cret" and check_password_hash(hashed, "s3cret")
