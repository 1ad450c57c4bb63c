"""Random sequences of submit, accept, reject, revert, restarts and kills on a real ``ptce serve`` (Hypothesis).

Two curators act, one through the server (Bearer token), one through ``ptce contributions`` beside it; the
server is killed at random steps of an accept or revert (``PTCE_FAILPOINT``) and restarted. After every step:
the server starts and is ready, data/ parses and conforms to the shapes, and the inbox agrees with data/ (a
file for each accepted contribution and for no other, no journal entry left).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from werkzeug.security import generate_password_hash

from tests.helpers.contributions import PROJECT, TOKEN, config_for, copy_data, wait_for
from tests.helpers.sparql import free_port

pytestmark = pytest.mark.slow

PTCE = str(Path(sys.executable).parent / "ptce")
SECOND_TOKEN = "second-curator-token-0123456789"
COMMUNES = ("21231", "29232", "26311", "33063")  # Dijon, Quimper, Valence, Bordeaux
#: Steps of an accept or revert at which the server may be killed (contributions/files, writer, carry_out).
FAILPOINTS = ("planned", "journaled", "temporary-written", "file-0-written", "files-written", "recorded")
PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <https://schema.org/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix ptce: <https://w3id.org/ptce/ontology#> .
@prefix id: <https://w3id.org/ptce/id/> .
"""
SOURCE = "dcterms:source <https://pole-{k}.example.org/a-propos>"


def new_pole(k: int, commune: str) -> str:
    """A new pole, a new member organisation and their membership."""
    source = SOURCE.format(k=k)
    return (
        PREFIXES
        + f"""
<https://w3id.org/ptce/id/pole/pole-aleatoire-{k}> a ptce:Pole ;
    rdfs:label "Pôle aléatoire {k}"@fr ; schema:location <https://w3id.org/ptce/id/commune/{commune}> ;
    org:hasMembership <https://w3id.org/ptce/id/membership/pole-aleatoire-{k}--atelier-{k}> ; {source} .
<https://w3id.org/ptce/id/organisation/atelier-{k}> a org:Organization , ptce:ESSEnterprise ;
    rdfs:label "Atelier {k}"@fr ; {source} .
<https://w3id.org/ptce/id/membership/pole-aleatoire-{k}--atelier-{k}> a org:Membership ;
    org:member <https://w3id.org/ptce/id/organisation/atelier-{k}> ;
    org:organization <https://w3id.org/ptce/id/pole/pole-aleatoire-{k}> ;
    org:role <https://w3id.org/ptce/id/role/structure-porteuse> ; {source} .
"""
    )


def new_member(k: int, pole: int) -> str:
    """A new member of the pole of an earlier contribution (it depends on that pole being there)."""
    source = SOURCE.format(k=k)
    membership = f"<https://w3id.org/ptce/id/membership/pole-aleatoire-{pole}--labo-ess-{k}>"
    return (
        PREFIXES
        + f"""
<https://w3id.org/ptce/id/pole/pole-aleatoire-{pole}> org:hasMembership {membership} .
{membership} a org:Membership ; org:member <https://w3id.org/ptce/id/organisation/labo-ess> ;
    org:organization <https://w3id.org/ptce/id/pole/pole-aleatoire-{pole}> ;
    org:role <https://w3id.org/ptce/id/role/partenaire> ; {source} .
"""
    )


def new_latitude(value: str) -> str:
    """Dijon's latitude replaced (a single value: the old one leaves the file that holds it)."""
    return PREFIXES + f'<https://w3id.org/ptce/id/commune/21231> geo:lat "{value}"^^xsd:decimal .\n'


#: The red team's file: one membership added to another pole's resources, which would strand the server.
HOSTILE = PREFIXES + (
    "<https://w3id.org/ptce/id/pole/coursive-boutaric> org:hasMembership "
    "<https://w3id.org/ptce/id/membership/articulteurs--cine-manivel> .\n"
)


class Curation(RuleBasedStateMachine):
    """One server over a private copy of data/, its inbox, and two curators."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ptce-stateful-"))
        self.data = copy_data(self.folder)
        self.inbox_path = self.folder / "inbox.sqlite3"
        self.env = {
            **os.environ,
            "PTCE_CONTRIBUTIONS_DB": str(self.inbox_path),
            "PTCE_CACHE_DIR": str(self.folder / "cache"),
            "PTCE_CURATORS": json.dumps(
                {"carol": generate_password_hash(TOKEN), "Dan Smith": generate_password_hash(SECOND_TOKEN)}
            ),
            "PTCE_SECRET_KEY": "a stateful test secret of 32 characters or more",
            "PTCE_RATELIMIT_ENABLED": "false",
        }
        self.env.pop("PTCE_FAILPOINT", None)
        self.process: subprocess.Popen | None = None
        self.base = ""
        self.submitted: list[int] = []
        self.poles: dict[int, int] = {}  # contribution number -> k of the pole it creates
        self.k = 0
        self.start()

    # --- the server ---------------------------------------------------------------------------------

    def start(self, failpoint: str | None = None) -> None:
        """Start ``ptce serve`` (dying at ``failpoint`` if given) and wait until it answers."""
        port = free_port()
        env = dict(self.env, **({"PTCE_FAILPOINT": failpoint} if failpoint else {}))
        command = [PTCE, "serve", "--port", str(port), "--data", str(self.data)]
        self.process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            assert self.process.poll() is None, self.process.stderr.read().decode()[-3000:]
            try:
                requests.get(self.base + "/readyz", timeout=2)
                return True
            except requests.ConnectionError:
                return False

        assert wait_for(up, 120), "the server did not start"

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL when ``kill``)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(timeout=30)
        if self.process and self.process.stderr:
            self.process.stderr.close()

    def teardown(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def curator(self, second: bool) -> dict:
        return {"Authorization": f"Bearer {SECOND_TOKEN if second else TOKEN}", "Accept": "application/json"}

    def act(self, number: int, action: str, second: bool, cascade: bool = False) -> requests.Response:
        response = requests.post(
            f"{self.base}/contributions/{number}/{action}",
            data={"comment": "stateful", **({"cascade": "1"} if cascade else {})},
            headers=self.curator(second),
            timeout=120,
        )
        assert response.status_code in (200, 409), (action, number, response.status_code, response.text[:500])
        event(f"{action}: {response.status_code}")
        return response

    def submit(self, turtle: str) -> requests.Response:
        return requests.post(
            self.base + "/contribute",
            data=turtle.encode(),
            headers={"Content-Type": "text/turtle", "Accept": "application/json"},
            params={"name": "Stateful", "lang": "en"},
            timeout=120,
        )

    # --- rules --------------------------------------------------------------------------------------

    @rule(data=st.data(), kind=st.sampled_from(["pole", "member", "latitude", "hostile"]))
    def submit_one(self, data, kind: str) -> None:
        """A contributor proposes a file: a new pole, a member of an earlier one, a value, or the red team's."""
        self.k += 1
        if kind == "hostile":
            assert self.submit(HOSTILE).status_code == 422
            return
        if kind == "member" and self.poles:
            turtle = new_member(self.k, data.draw(st.sampled_from(sorted(self.poles.values()))))
        elif kind == "latitude":
            turtle = new_latitude(f"47.3{data.draw(st.integers(min_value=1000, max_value=9999))}")
        else:
            kind, turtle = "pole", new_pole(self.k, data.draw(st.sampled_from(COMMUNES)))
        response = self.submit(turtle)
        # a member of a pole that is not live is refused at submission; a latitude already pending or accepted
        # is refused as a duplicate (409); every other file is received
        expected = {"member": (201, 422), "latitude": (201, 409)}.get(kind, (201,))
        assert response.status_code in expected, response.text[:1000]
        event(f"{kind} submitted: {response.status_code}")
        if response.status_code == 201:
            self.submitted.append(response.json()["id"])
            if kind == "pole":
                self.poles[response.json()["id"]] = self.k

    def pick(self, data, action: str) -> int:
        """A contribution for ``action``: one in the state it applies to, nine times out of ten."""
        from server.contributions.inbox import ACCEPTED, PENDING, Inbox

        inbox = Inbox(self.inbox_path)
        try:
            fitting = [c.id for c in inbox.list(ACCEPTED if action == "revert" else PENDING)]
        finally:
            inbox.close()
        if fitting and data.draw(st.integers(0, 9)) > 0:
            return data.draw(st.sampled_from(sorted(fitting)))
        return data.draw(st.sampled_from(self.submitted))

    @precondition(lambda self: self.submitted)
    @rule(data=st.data(), action=st.sampled_from(["accept", "reject", "revert"]), second=st.booleans())
    def curate(self, data, action: str, second: bool) -> None:
        number = self.pick(data, action)
        self.act(number, action, second, cascade=data.draw(st.booleans()))

    @precondition(lambda self: self.submitted)
    @rule(data=st.data(), action=st.sampled_from(["accept", "reject", "revert"]))
    def curate_from_the_command_line(self, data, action: str) -> None:
        """The other curator, with ``ptce contributions`` beside the running server (then SIGHUP)."""
        number = self.pick(data, action)
        command = [
            PTCE,
            "contributions",
            action,
            str(number),
            "--curator",
            "Carol Smith",
            "--data",
            str(self.data),
        ]
        result = subprocess.run(
            command, cwd=PROJECT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode in (0, 1), result.stderr[-2000:]
        assert "Traceback" not in result.stderr, result.stderr[-2000:]
        event(f"ptce contributions {action}: exit {result.returncode}")
        self.process.send_signal(signal.SIGHUP)

    @precondition(lambda self: self.submitted)
    @rule(data=st.data(), action=st.sampled_from(["accept", "revert"]), step=st.sampled_from(FAILPOINTS))
    def killed_during(self, data, action: str, step: str) -> None:
        """The server dies at one step of an accept or revert (SIGKILL, no clean-up), then starts again."""
        number = self.pick(data, action)
        self.stop()
        self.start(failpoint=step)
        try:
            self.act(number, action, second=False)
            event(f"not killed at {step}")
        except requests.ConnectionError:
            event(f"killed at {step}")
        self.stop(kill=True)
        self.start()

    @rule()
    def restart(self) -> None:
        self.stop(kill=True)
        self.start()

    # --- invariants ---------------------------------------------------------------------------------

    @invariant()
    def server_is_up_and_ready(self) -> None:
        if not self.base:
            return
        assert self.process.poll() is None, "the server stopped"
        ready = requests.get(self.base + "/readyz", timeout=30)
        assert ready.status_code == 200, ready.text[:2000]

    @invariant()
    def data_parses_and_conforms(self) -> None:
        from server.dataset import load_store
        from server.startup import dataset_conforms, syntax_problems

        config = config_for(self.data)
        assert syntax_problems(config) == []
        assert dataset_conforms(load_store(config)), "data/ does not conform to the shapes"

    @invariant()
    def inbox_agrees_with_data(self) -> None:
        from server.contributions.inbox import ACCEPTED, Inbox
        from server.contributions.writer import contribution_path

        inbox = Inbox(self.inbox_path)
        try:
            assert inbox.journal() == [], "an accept or revert was left half done"
            config = config_for(self.data)
            for contribution in inbox.list():
                on_disk = contribution_path(config, contribution.id).is_file()
                assert on_disk == (contribution.status == ACCEPTED), (contribution.id, contribution.status)
            folder = self.data / "contributions"
            files = {p.name for p in folder.glob("*.ttl")} if folder.is_dir() else set()
            accepted = {contribution_path(config, c.id).name for c in inbox.list(ACCEPTED)}
            assert files == accepted
        finally:
            inbox.close()


Curation.TestCase.settings = settings(
    max_examples=int(os.environ.get("PTCE_STATEFUL_EXAMPLES", "2")),
    stateful_step_count=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each step starts real processes
    suppress_health_check=list(HealthCheck),
)
TestCuration = Curation.TestCase
