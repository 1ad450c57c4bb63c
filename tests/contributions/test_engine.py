"""With an external engine (Virtuoso), accepting a contribution puts its named graph in the engine and
reverting empties it: the pole answers, then no longer does, without a restart."""

from __future__ import annotations

import pytest

from server import create_app
from server.contributions import live, writer
from server.contributions.inbox import Inbox
from tests.helpers.contributions import CHANGE_DIJON, VALID_POLE, copy_data

pytestmark = pytest.mark.slow
POLE = "<https://w3id.org/ptce/id/pole/la-fabrique-du-test>"
DIJON = "<https://w3id.org/ptce/id/commune/21231>"


def test_accept_and_revert_update_the_engines_named_graph(tmp_path, virtuoso_settings):
    data = copy_data(tmp_path)
    app = create_app(
        {
            "TESTING": True,
            **virtuoso_settings,
            "DATA_DIRS": [str(data)],
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
        }
    )
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    number = inbox.add(VALID_POLE + b"\n" + CHANGE_DIJON, {}, name="Alice")
    graph = f"{app.config['BASE_IRI']}graph/contribution-{number:05d}"
    assert not app.extensions["ptce"].ask(f"ASK {{ {POLE} ?p ?o }}")
    outcome = writer.accept(inbox, number, "carol", "", app.config)
    live.reload_dataset(app, outcome.graphs(app.config["BASE_IRI"]))
    store = app.extensions["ptce"]
    assert store.ask(f"ASK {{ GRAPH <{graph}> {{ {POLE} a ptce:Pole }} }}")
    assert not store.ask(f"ASK {{ {DIJON} geo:lat 47.33187 }}") and store.ask(
        f"ASK {{ {DIJON} geo:lat 47.3222 }}"
    )
    assert app.test_client().get("/id/pole/la-fabrique-du-test").status_code == 303
    outcome = writer.revert(inbox, number, "carol", "", app.config)
    live.reload_dataset(app, outcome.graphs(app.config["BASE_IRI"]))
    store = app.extensions["ptce"]
    assert not store.ask(f"ASK {{ {POLE} ?p ?o }}") and store.ask(f"ASK {{ {DIJON} geo:lat 47.33187 }}")
