"""Changes, not only additions, and communes never lost (issue 19, items 4 and 6).

A pole proposed in Quimper (not in the data yet) through the form gets its commune, EPCI, département and
region on its page, in /poles.csv and in SPARQL the moment a curator accepts it; a change suggested from a
pole's page (a member removed, a new description) is stored with what it removes, judged on the graph it
would make, applied by accept and undone by revert, files byte for byte."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from html import unescape

import pytest
import requests
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from server.contributions.files import remove_statement, restore_statement
from server.contributions.inbox import Inbox
from server.contributions.removals import form_removals, removals_of
from server.dataset import territories
from server.namespaces import ORG
from server.validator.removals import n_triples, parse_removals
from tests.contributions.test_form import form_fields, quimper_pole
from tests.helpers.contributions import TOKEN, config_for, copy_data, ptce_serving, same_tree
from tests.helpers.contributions import ask as sparql_ask

BASE = "https://w3id.org/ptce/"
ID = BASE + "id/"
BEARER = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
NEEDS_PACKAGE = pytest.mark.skipif(
    not (territories.PACKAGE_DIR / "package.json").exists(), reason="npm ci --prefix server/static"
)


def ask(base: str, pattern: str) -> bool:
    """ASK a pattern (igeo: declared) on the server's /sparql."""
    return sparql_ask(base, pattern, "PREFIX igeo: <http://rdf.insee.fr/def/geo#> ")


def curate(base: str, number: int, action: str) -> dict:
    response = requests.post(f"{base}/contributions/{number}/{action}", headers=BEARER, timeout=300)
    assert response.status_code == 200, response.text
    return response.json()


def csv_row(base: str, pole: str) -> dict:
    text = requests.get(base + "/poles.csv?lang=fr", timeout=30).text.lstrip("\ufeff")
    return next(row for row in csv.DictReader(io.StringIO(text)) if row["iri"] == pole)


def startup_check_passes(data) -> bool:
    from server.contributions.live import checked_store

    checked_store(config_for(data))  # raises Refused when the data would not start
    return True


@pytest.mark.slow
@NEEDS_PACKAGE
def test_a_pole_in_quimper_gets_its_commune_and_region_at_once(tmp_path):
    data = copy_data(tmp_path)
    before = copy_data(tmp_path / "before")
    assert "commune:29232" not in (data / "territories-official.ttl").read_text(encoding="utf-8")
    with ptce_serving(tmp_path, data) as (base, _):
        sent = requests.post(
            base + "/contribute/pole?format=json",
            data=quimper_pole(name="Pôle des Essais de Quimper"),
            timeout=120,
        )
        assert sent.status_code == 201, sent.text
        number = sent.json()["id"]
        assert curate(base, number, "accept")["status"] == "accepted"
        pole = ID + "pole/pole-des-essais-de-quimper"
        page = unescape(requests.get(base + "/id/pole/pole-des-essais-de-quimper?lang=fr", timeout=30).text)
        for words in ("Quimper", "Quimper Bretagne Occidentale", "Finistère", "Bretagne"):
            assert words in page, words
        row = csv_row(base, pole)
        assert (row["commune"], row["commune_iri"]) == ("Quimper", ID + "commune/29232")
        assert (row["region"], row["region_iri"]) == ("Bretagne", ID + "region/53")
        assert ask(
            base,
            f"<{pole}> <https://schema.org/location> ?c . <{ID}region/53> a igeo:Region ; "
            "igeo:subdivisionDirecte/igeo:subdivisionDirecte ?c",
        )
        official = data / "territories-official.ttl"
        assert territories.generate(official, data_dir=data, check=True)  # what --check says after the accept
        assert startup_check_passes(data)
        assert curate(base, number, "revert")["status"] == "reverted"
        assert same_tree(data, before)
        assert not ask(base, f"<{ID}commune/29232> ?p ?o")


@pytest.mark.slow
def test_a_change_suggested_from_a_poles_page_is_accepted_then_reverted_exactly(tmp_path):
    data = copy_data(tmp_path)
    before = copy_data(tmp_path / "before")
    pole = ID + "pole/articulteurs"
    with ptce_serving(tmp_path, data) as (base, _):
        page = unescape(requests.get(base + "/id/pole/articulteurs?lang=fr", timeout=30).text)
        link = re.search(r'href="(/contribute/pole\?edit=[^"]+)"', page).group(1)
        form = form_fields(requests.get(base + link, timeout=30).text)
        removed = form["member-0-membership"]
        for key in [k for k in form if k.startswith("member-0-")]:
            del form[key]
        form["dcterms_description"] = "Pôle culturel du Pays de Redon, décrit à nouveau."
        form["lang"] = "fr"
        sent = requests.post(base + "/contribute/pole?format=json", data=form, timeout=120)
        assert sent.status_code == 201, sent.text
        number = sent.json()["id"]
        stored = Inbox(tmp_path / "inbox.sqlite3").get(number)
        removals = removals_of(stored)
        assert (URIRef(pole), ORG.hasMembership, URIRef(removed)) in removals
        assert {t[0] for t in removals} == {URIRef(pole), URIRef(removed)}
        accepted = curate(base, number, "accept")
        assert accepted["status"] == "accepted"
        page = unescape(requests.get(base + "/id/pole/articulteurs?lang=fr", timeout=30).text)
        assert "décrit à nouveau" in page and "Ville du siège non confirmée" not in page
        assert removed.rsplit("/", 1)[-1] not in page
        assert not ask(base, f"<{removed}> ?p ?o") and not ask(base, f"?s ?p <{removed}>")
        assert ask(base, f'<{pole}> <http://www.w3.org/2000/01/rdf-schema#label> "Les Articulteurs"@en')
        assert startup_check_passes(data)
        assert curate(base, number, "revert")["status"] == "reverted"
        assert same_tree(data, before)
        assert ask(base, f"<{pole}> <{ORG.hasMembership}> <{removed}>")


# --- the parts, without a server ------------------------------------------------------------------------


def test_an_inbox_made_before_removals_gets_the_column_and_keeps_its_contributions(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE contribution (id INTEGER PRIMARY KEY AUTOINCREMENT, submitted TEXT NOT NULL,
        status TEXT NOT NULL, turtle BLOB NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
        report TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL DEFAULT 'fr', data_file TEXT, changes TEXT);
        INSERT INTO contribution (submitted, status, turtle, size, sha256, report)
        VALUES ('2026-01-01T00:00:00Z', 'pending', X'', 0, '', '{}');"""
    )
    db.close()
    inbox = Inbox(path)
    assert inbox.get(1).removals is None and removals_of(inbox.get(1)) == []
    statement = (URIRef(ID + "pole/x"), RDFS.label, Literal("X", lang="fr"))
    number = inbox.add(b"<a> <b> <c> .", {}, removals=n_triples([statement]))
    assert removals_of(inbox.get(number)) == [statement]
    assert Inbox(path).get(number).removals == n_triples([statement])  # opened again: nothing to migrate


def test_the_validator_judges_the_graph_a_change_makes(tmp_path):
    from server.dataset import load_store
    from server.validator import judge_from_store, validate_with_judge

    store = load_store(config_for(copy_data(tmp_path)))
    judge = judge_from_store(store, config_for(tmp_path / "data"))
    pole = URIRef(ID + "pole/articulteurs")
    turtle = f'<{pole}> <{RDFS.label}> "Les Articulteurs"@fr .'.encode()
    assert validate_with_judge(turtle, judge, isolate=False).conforms
    names = [(pole, RDFS.label, o) for o in judge.live_graph.objects(pole, RDFS.label)]
    no_name = validate_with_judge(turtle, judge, isolate=False, removals=names)
    assert no_name.conforms  # the French name is added back by the file: only the English one goes
    sources = [(pole, DCTERMS.source, o) for o in judge.live_graph.objects(pole, DCTERMS.source)]
    report = validate_with_judge(turtle, judge, isolate=False, removals=sources)
    assert not report.conforms and any(p.path == DCTERMS.source.n3() for p in report.violations)
    outside = [(URIRef("https://w3id.org/ptce/ontology#Pole"), RDFS.label, Literal("x"))]
    refused = validate_with_judge(turtle, judge, isolate=False, lang="en", removals=outside)
    assert any("cannot be removed" in p.message for p in refused.violations)
    assert parse_removals(n_triples(sources), BASE) == sorted(sources, key=lambda t: tuple(map(str, t)))


def test_the_form_removes_what_it_showed_and_keeps_the_rest(tmp_path):
    from server.contributions.form import pole_form
    from server.contributions.form_graph import labels_graph
    from server.dataset import load_store

    store = load_store(config_for(copy_data(tmp_path)))
    live = store.rdflib_graph(("data",))
    model = pole_form(store.rdflib_graph(("shapes",)), labels_graph(store), "fr")
    pole = URIRef(ID + "pole/articulteurs")
    memberships = sorted(live.objects(pole, ORG.hasMembership))
    graph = Graph()
    for triple in live.triples((pole, None, None)):
        if triple[1] != ORG.hasMembership or triple[2] != memberships[0]:
            graph.add(triple)
    graph.remove((pole, DCTERMS.source, None))
    graph.add((memberships[1], ORG.role, URIRef(ID + "role/membre")))
    removed = form_removals(live, pole, graph, model, "fr")
    assert (pole, ORG.hasMembership, memberships[0]) in removed
    assert set(live.triples((memberships[0], None, None))) <= set(removed)
    assert {(pole, DCTERMS.source, o) for o in live.objects(pole, DCTERMS.source)} <= set(removed)
    assert (memberships[1], ORG.role, URIRef(ID + "role/membre-fondateur")) in removed
    assert not any(p == RDFS.label for s, p, o in removed if s == pole)  # the English name is not shown


TEXT = """@prefix ex: <https://w3id.org/ptce/id/x/> .

ex:a ex:p ex:one ,
        ex:two ,
        ex:three ;
    ex:q "v" .

ex:b a ex:C ;
    ex:r ex:one .

ex:c ex:p ex:two .
"""


@pytest.mark.parametrize(
    "statements",
    [
        [("a", "p", "three")],  # the last item of a list, alone on its line
        [("a", "p", "one")],
        [("b", "type", "C"), ("b", "r", "one")],  # a subject's statements, its last one with its lines
        [("c", "p", "two")],
    ],
)
def test_statements_come_out_of_a_file_and_go_back_byte_for_byte(statements):
    from rdflib import RDF

    x = ID + "x/"
    triples = [
        (URIRef(x + s), RDF.type if p == "type" else URIRef(x + p), URIRef(x + o)) for s, p, o in statements
    ]
    text, edits = TEXT, []
    for triple in triples:
        result = remove_statement(text, triple, BASE)
        assert result is not None, triple
        text, edit = result
        edits.append((triple, edit))
    graph = Graph().parse(data=text, format="turtle")
    assert len(graph) == 7 - len(triples) and not any(t in graph for t in triples)
    for triple, edit in reversed(edits):
        text = restore_statement(text, edit, " ".join(term.n3() for term in triple) + " .", BASE)
    assert text == TEXT


def test_a_file_sent_to_post_contribute_may_name_its_removals(tmp_path):
    from server import create_app
    from server.contributions.submission import inbox

    data = copy_data(tmp_path)
    app = create_app({"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(tmp_path / "i.db")})
    client = app.test_client()
    pole = f"<{ID}pole/articulteurs>"
    turtle = f'{pole} <{RDFS.label}> "Les Articulteurs"@fr .'
    removals = f"@prefix dcterms: <{DCTERMS}> .\n{pole} dcterms:spatial <{ID}departement/35> ."
    sent = client.post("/contribute?format=json", data={"text": turtle, "removals": removals, "lang": "en"})
    assert sent.status_code == 201, sent.get_data(True)
    with app.app_context():
        stored = inbox().get(sent.get_json()["id"])
    assert removals_of(stored) == [(URIRef(pole[1:-1]), DCTERMS.spatial, URIRef(ID + "departement/35"))]
    bad = client.post(
        "/contribute?format=json", data={"text": turtle, "removals": "not turtle", "lang": "en"}
    )
    assert bad.status_code == 400 and "removals" in bad.get_json()["message"]
    outside = f'<{BASE}ontology#Pole> <{RDFS.label}> "x" .'
    refused = client.post("/contribute?format=json", data={"text": turtle, "removals": outside, "lang": "en"})
    assert refused.status_code == 422


def test_the_preview_of_a_change_says_what_it_removes(tmp_path):
    from server import create_app

    data = copy_data(tmp_path)
    app = create_app({"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(tmp_path / "i.db")})
    client = app.test_client()
    form = form_fields(client.get("/contribute/pole?edit=articulteurs&lang=fr").get_data(True))
    name = form["member-0-name"]
    for key in [k for k in form if k.startswith("member-0-")]:
        del form[key]
    form["dcterms_description"] = "Une description nouvelle."
    form["lang"] = "fr"
    page = unescape(client.post("/contribute/pole/preview", data=form).get_data(True))
    start = page.index('id="removed-title"')
    removed = page[start : page.index("</section>", start)]
    assert "Retiré du graphe si les curateurs acceptent" in page
    assert f"<del>{name} — Membre fondateur</del>" in removed
    assert "Ville du siège non confirmée" in removed and "Une description nouvelle." not in removed


@pytest.mark.slow
@NEEDS_PACKAGE
def test_a_change_to_an_accepted_contribution_depends_on_it_and_both_revert_exactly(tmp_path):
    from server import create_app
    from server.contributions import writer
    from server.contributions.curation_error import CurationError
    from server.contributions.live import reload_dataset
    from server.contributions.submission import inbox

    data = copy_data(tmp_path)
    before = copy_data(tmp_path / "before")
    app = create_app({"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(tmp_path / "i.db")})
    client = app.test_client()

    def accept(number: int) -> None:
        with app.app_context():
            outcome = writer.accept(inbox(), number, "carol", "", app.config)
            reload_dataset(app, outcome.graphs(BASE))

    first = client.post("/contribute/pole?format=json", data=quimper_pole(name="Pôle de Quimper à changer"))
    assert first.status_code == 201, first.get_data(True)
    accept(first.get_json()["id"])
    added = data / "contributions" / f"contribution-{first.get_json()['id']:05d}.ttl"
    as_accepted = added.read_bytes()
    form = form_fields(client.get("/contribute/pole?edit=pole-de-quimper-a-changer").get_data(True))
    for key in [k for k in form if k.startswith("member-0-")]:
        del form[key]
    form["lang"] = "fr"
    second = client.post("/contribute/pole?format=json", data=form)
    assert second.status_code == 201, second.get_data(True)
    accept(second.get_json()["id"])
    assert added.read_bytes() != as_accepted  # the member it added is taken out of its file
    with app.app_context():
        with pytest.raises(CurationError) as refused:
            writer.revert(inbox(), first.get_json()["id"], "carol", "", app.config)
        assert refused.value.key == "dependants"
        writer.revert(inbox(), second.get_json()["id"], "carol", "", app.config)
        assert added.read_bytes() == as_accepted
        writer.revert(inbox(), first.get_json()["id"], "carol", "", app.config)
    assert same_tree(data, before)


@pytest.mark.slow  # every pole of the data, about 6 s
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_suggested_change_left_as_prefilled_removes_nothing_from_any_pole(tmp_path, lang):
    from rdflib import RDF

    from server import create_app
    from server.contributions import form_views
    from server.dataset import get_store
    from server.namespaces import PTCE

    data = copy_data(tmp_path)
    app = create_app({"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(tmp_path / "i.db")})
    client = app.test_client()
    with app.app_context():
        live = get_store().rdflib_graph(("data",))
    poles = sorted(live.subjects(RDF.type, PTCE.Pole))
    assert len(poles) > 50
    for pole in poles:
        page = client.get("/contribute/pole", query_string={"edit": str(pole), "lang": lang}).get_data(True)
        form = form_fields(page)
        form["lang"] = lang
        with app.test_request_context("/contribute/pole/preview", method="POST", data=form):
            model = form_views._model(lang)
            sub, errors, _ = form_views._check(lang, model)
            assert not errors, (pole, errors)
            graph = form_views._graph(sub, model, lang)
            assert form_removals(live, pole, graph, model, lang) == [], pole
