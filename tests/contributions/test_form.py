"""The pole form: its model read from the shapes, the Turtle it writes, minted IRIs, the pickers, messages in
words next to the fields, placeholders and duplicates refused, "Suggest a change" prefilled from the graph."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH
from werkzeug.datastructures import MultiDict

from server import create_app
from server.contributions.form import form_model, pole_form
from server.contributions.form_turtle import Minter, build, normal_form
from server.contributions.form_values import Checker, Member, Submission, read, slug
from server.contributions.picker import find_communes, resolve_commune
from server.namespaces import ORG, PTCE, SCHEMA
from tests.helpers.contributions import copy_data

BASE = "https://w3id.org/ptce/"
ID = BASE + "id/"
SHAPES = "shapes/ptce-shapes.ttl"
RDF_WORDS = re.compile(r"rdfs:|xsd:|schema:|dcterms:|org:|ptce:|@fr|\^\^|sh:")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("form")
    data = copy_data(folder)
    return create_app(
        {"TESTING": True, "DATA_DIRS": [str(data)], "CONTRIBUTIONS_DB": str(folder / "inbox.sqlite3")}
    )


@pytest.fixture(scope="module")
def graphs(app):
    from server.contributions.form_graph import labels_graph
    from server.dataset import get_store

    store = get_store(app)
    return store.rdflib_graph(("shapes",)), labels_graph(store)


def quimper_pole(name="Pôle des Essais de Quimper", **extra) -> dict:
    fields = {
        "lang": "fr",
        "rdfs_label": name,
        "dcterms_description": "Un pôle d'essai pour les tests du formulaire.",
        "schema_url": "https://www.pole-essais-quimper.fr/",
        "schema_foundingDate": "2019",
        "schema_location": "Quimper (29232)",
        "ptce_sector": ["https://w3id.org/ptce/id/sector/culture", "https://w3id.org/ptce/id/sector/sport"],
        "dcterms_source": "https://www.pole-essais-quimper.fr/a-propos\nhttps://www.ouest-france.fr/pole",
        "member-0-name": "Le Labo de l’ESS",
        "member-0-role": ID + "role/membre",
        "member-1-name": "Atelier Quimpérois",
        "member-1-category": str(PTCE.ESSEnterprise),
        "member-1-role": ID + "role/membre-fondateur",
    }
    fields.update(extra)
    return fields


class FormReader(HTMLParser):
    """The values a browser would send for the page's forms (text inputs, checked boxes, selected options)."""

    def __init__(self):
        super().__init__()
        self.fields, self.textarea, self.select = MultiDict(), None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and (attrs.get("type") != "checkbox" or "checked" in attrs):
            self.fields.add(name, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields.add(name, "")
        elif tag == "select":
            self.select = name
            self.fields.add(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.setlist(self.select, [attrs.get("value") or ""])

    def handle_endtag(self, tag):
        if tag in ("textarea", "select"):
            self.textarea = self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.fields.setlist(self.textarea, [self.fields[self.textarea] + data])


def form_fields(page: str) -> MultiDict:
    reader = FormReader()
    reader.feed(page)
    return reader.fields


def errors_of(response) -> list[str]:
    return [
        unescape(m) for m in re.findall(r'<p class="error" id="[^"]*">([^<]*)</p>', response.get_data(True))
    ]


# --- the form model ------------------------------------------------------------------------------


def test_the_form_follows_the_shapes_groups_and_order(graphs):
    shapes, labels = graphs
    model = pole_form(shapes, labels, "fr")
    assert [g.label for g in model.groups] == ["Présentation", "Lieu", "Activité", "Membres", "Sources"]
    fields = [(f.name, f.widget, f.required) for f in model.fields()]
    assert fields[:4] == [
        ("Nom", "text", True),
        ("Description", "textarea", False),
        ("Site web", "url", False),
        ("Année de création", "year", False),
    ]
    widgets = {f.name: f.widget for f in model.fields()}
    assert (
        widgets["Commune"] == "commune" and widgets["Membres"] == "members" and widgets["Sources"] == "urls"
    )
    assert widgets["Forme juridique"] == "select" and widgets["Secteurs d'activité"] == "checkboxes"
    assert [f.name for f in model.row().values()] == ["Organisation membre", "Catégorie selon la loi", "Rôle"]


def test_pickers_are_the_schemes_of_the_live_graph_in_the_page_language(graphs):
    shapes, labels = graphs
    french, english = pole_form(shapes, labels, "fr"), pole_form(shapes, labels, "en")
    roles_fr = {c.label for c in french.row()["role"].choices}
    roles_en = {c.label for c in english.row()["role"].choices}
    assert "Membre fondateur" in roles_fr and "Founding member" in roles_en
    sectors = next(f for f in english.fields() if f.key == "ptce_sector")
    assert len(sectors.choices) == 10 and all(c.value.startswith(ID + "sector/") for c in sectors.choices)
    categories = [c.value for c in french.category().choices]
    assert categories[0] == str(PTCE.ESSEnterprise) and str(PTCE._NS) + "UnclassifiedActor" in categories
    assert [g.label for g in english.groups][:2] == ["About", "Place"]


def test_a_new_property_shape_with_a_name_appears_in_the_form(graphs):
    shapes = Graph().parse(SHAPES)
    extra = URIRef("https://w3id.org/ptce/shapes#TestPhoneProperty")
    shapes.add((URIRef("https://w3id.org/ptce/shapes#PoleShape"), SH.property, extra))
    shapes.add((extra, SH.path, SCHEMA.telephone))
    shapes.add((extra, SH.name, Literal("Téléphone", lang="fr")))
    shapes.add((extra, SH.group, URIRef("https://w3id.org/ptce/shapes#AboutGroup")))
    shapes.add((extra, SH.order, Literal(5)))
    about = form_model(shapes, PTCE.Pole, "fr")[0]
    assert [f.name for f in about.fields][-1] == "Téléphone" and about.fields[-1].widget == "text"


# --- minting and Turtle --------------------------------------------------------------------------


def test_slugs_have_no_accents_and_minted_iris_are_unique():
    assert slug("L’Atelier du Pôle — Quimper !") == "l-atelier-du-pole-quimper"
    taken = {ID + "pole/la-coursive", ID + "pole/la-coursive-2"}
    minter = Minter(BASE, lambda iri: iri in taken)
    assert str(minter.mint("pole", "La Coursive", "pole")) == ID + "pole/la-coursive-3"
    assert (
        str(minter.mint("pole", "La Coursive", "pole")) == ID + "pole/la-coursive-4"
    )  # unique in the file too


def test_the_turtle_of_a_new_pole_with_two_members(app, graphs):
    shapes, labels = graphs
    model = pole_form(shapes, labels, "fr")
    submission = read(MultiDict(quimper_pole()), model)
    with app.app_context():
        from server.contributions.form_graph import organisation_finder
        from server.dataset import get_store

        assert Checker(model, "fr", *organisation_finder(get_store())).check(submission) == {}
    roles = {ID + "role/membre": "Membre", ID + "role/membre-fondateur": "Membre fondateur"}
    graph = build(submission, model, BASE, lambda iri: False, roles, "fr")
    pole = URIRef(ID + "pole/pole-des-essais-de-quimper")
    assert (pole, RDF.type, PTCE.Pole) in graph
    assert (pole, RDFS.label, Literal("Pôle des Essais de Quimper", lang="fr")) in graph
    assert (pole, SCHEMA.foundingDate, Literal("2019", datatype=XSD.gYear)) in graph
    assert (pole, SCHEMA.location, URIRef(ID + "commune/29232")) in graph
    assert len(list(graph.objects(pole, URIRef(str(PTCE._NS) + "sector")))) == 2
    new = URIRef(ID + "organisation/atelier-quimperois")
    assert {(new, RDF.type, ORG.Organization), (new, RDF.type, PTCE.ESSEnterprise)} <= set(graph)
    memberships = set(graph.subjects(RDF.type, ORG.Membership))
    assert {str(m) for m in memberships} == {
        ID + "membership/pole-des-essais-de-quimper--labo-ess",
        ID + "membership/pole-des-essais-de-quimper--atelier-quimperois",
    }
    assert {graph.value(m, ORG.member) for m in memberships} == {URIRef(ID + "organisation/labo-ess"), new}
    for resource in {pole, new, *memberships}:
        assert len(list(graph.objects(resource, DCTERMS.source))) == 2
    assert normal_form(graph) == normal_form(Graph().parse(data=graph.serialize(format="nt"), format="nt"))


# --- pickers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Quimper", "quimper", "29000", "29232"])
def test_the_commune_picker_offers_quimper_first(query):
    assert find_communes(query)[0].code == "29232"


def test_communes_json(app):
    client = app.test_client()
    results = client.get("/communes.json?q=29000").get_json()["results"]
    assert results[0]["code"] == "29232" and results[0]["value"] == "Quimper (29232)"
    assert "Finistère" in results[0]["label"]
    assert client.get("/communes.json?q=Paris 11").get_json()["results"][0]["code"] == "75111"
    assert len(client.get("/communes.json?q=saint&limit=50").get_json()["results"]) == 50
    assert client.get("/communes.json?q=").get_json()["results"] == []


def test_a_commune_is_resolved_from_what_a_person_types():
    assert resolve_commune("Quimper (29232)")[0].code == "29232"
    assert resolve_commune("quimper")[0].code == "29232"
    found, candidates = resolve_commune("Saint-Martin")
    assert found is None and len(candidates) > 1


def test_schemes_json_lists_labels_in_the_page_language(app):
    lists = app.test_client().get("/contribute/schemes.json?lang=en").get_json()["lists"]
    assert "Founding member" in {c["label"] for c in lists["org_role"]}
    assert "Culture" in {c["label"] for c in lists["ptce_sector"]}


# --- the pages -----------------------------------------------------------------------------------


def test_the_form_page_labels_every_field_in_french_and_english(app):
    client = app.test_client()
    page = client.get("/contribute/pole?lang=fr").get_data(True)
    for label in (
        "Nom",
        "Site web",
        "Année de création",
        "Commune",
        "Organisation membre",
        "Rôle",
        "Sources",
    ):
        assert re.search(rf'<label for="f-[^"]+">{label} ', page), label
    assert 'src="/static/form.js"' in page and 'action="/contribute/pole/preview"' in page
    assert "Year founded" in client.get("/contribute/pole?lang=en").get_data(True)


def test_messages_are_next_to_the_fields_in_words(app):
    response = app.test_client().post("/contribute/pole/preview", data={"lang": "fr"})
    assert response.status_code == 200  # the form again, with its messages
    assert app.test_client().post("/contribute/pole?format=html", data={"lang": "fr"}).status_code == 422
    messages = errors_of(response)
    assert "Indiquez le nom du pôle." in messages and "Indiquez au moins une source du pôle." in messages
    assert not any(RDF_WORDS.search(m) for m in messages)
    english = errors_of(app.test_client().post("/contribute/pole/preview", data={"lang": "en"}))
    assert "Give the name of the pole." in english


def test_wrong_values_get_messages_in_words(app):
    fields = quimper_pole(
        schema_url="www.sans-protocole.fr",
        schema_foundingDate="20x4",
        schema_location="Nullepartville",
        **{"member-1-category": "", "member-0-role": ""},
    )
    messages = errors_of(app.test_client().post("/contribute/pole/preview", data=fields))
    assert any("n'est pas une adresse web complète" in m for m in messages)
    assert any("« 20x4 » n'est pas une année" in m for m in messages)
    assert any("Aucune commune ne s'appelle « Nullepartville »" in m for m in messages)
    assert (
        "« Atelier Quimpérois » n'est pas encore dans le graphe : choisissez sa catégorie selon la loi."
        in messages
    )
    assert "Choisissez le rôle de « Le Labo de l’ESS » dans le pôle." in messages
    assert not any(RDF_WORDS.search(m) for m in messages)


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"rdfs_label": "Nom"}, "« Nom » est le nom d'exemple du modèle"),
        ({"rdfs_label": "Nom du pôle"}, "« Nom du pôle » est le nom d'exemple du modèle"),
        ({"rdfs_label": "nom-du-pole"}, "est le nom d'exemple du modèle"),
        ({"schema_url": "https://www.exemple.fr/"}, "https://www.exemple.fr/ est une adresse d'exemple"),
        (
            {"dcterms_source": "https://www.exemple.fr/page"},
            "https://www.exemple.fr/page est une adresse d'exemple",
        ),
        ({"member-1-name": "Nom de l'organisation"}, "est le nom d'exemple du modèle"),
    ],
)
def test_the_templates_placeholders_are_refused(app, change, expected):
    response = app.test_client().post("/contribute/pole/preview", data=quimper_pole(**change))
    assert 'class="form-errors"' in response.get_data(True)
    assert any(expected in m for m in errors_of(response)), errors_of(response)


def test_preview_shows_the_description_the_turtle_and_the_full_report(app):
    response = app.test_client().post("/contribute/pole/preview", data=quimper_pole(name="Pôle de l'aperçu"))
    page = response.get_data(True)
    assert response.status_code == 200, errors_of(response)
    assert "La description est complète et conforme" in page
    assert '<details class="turtle">' in page and "pole:pole-de-l-apercu a ptce:Pole" in unescape(page)
    assert 'action="/validate?format=html"' in page  # the full report, one click away
    assert "Quimper (29232)" in page and "Membre fondateur" in page and "Atelier Quimpérois" in page
    back = app.test_client().post("/contribute/pole/preview", data={**quimper_pole(), "back": "1"})
    assert back.status_code == 200 and 'value="Pôle des Essais de Quimper"' in unescape(back.get_data(True))


def test_propose_then_the_same_proposal_is_refused_with_its_number(app):
    client = app.test_client()
    fields = quimper_pole(name="Pôle proposé deux fois", name_field="x")
    fields.pop("name_field")
    first = client.post("/contribute/pole?format=html", data={**fields, "name": "Alice"})
    assert first.status_code == 201, errors_of(first)
    number = int(first.headers["Location"].rsplit("/", 1)[-1])
    again = client.post("/contribute/pole?format=html", data=fields)
    assert again.status_code == 409
    assert f"c'est la contribution n° {number} (en attente)" in unescape(again.get_data(True))
    reordered = dict(fields, ptce_sector=list(reversed(fields["ptce_sector"])))
    assert client.post("/contribute/pole?format=json", data=reordered).get_json()["id"] == number
    preview = client.post("/contribute/pole/preview", data=fields)
    assert f"c'est la contribution n° {number}" in unescape(preview.get_data(True))
    assert 'id="send"' not in preview.get_data(True)


def test_suggest_a_change_prefills_the_form_from_the_graph(app):
    client = app.test_client()
    page = unescape(client.get("/contribute/pole?edit=culture-et-cooperation&lang=fr").get_data(True))
    assert "Proposer une modification : Culture & Coopération" in page
    assert 'value="Culture & Coopération"' in page and 'value="Saint-Étienne (42218)"' in page
    assert (
        'name="member-0-membership" value="https://w3id.org/ptce/id/membership/culture-et-cooperation--'
        in page
    )
    assert "http://citego.org/bdf_fiche-document-320_fr.html" in page
    by_iri = client.get("/contribute/pole?edit=https://w3id.org/ptce/id/pole/culture-et-cooperation")
    assert by_iri.status_code == 200
    assert client.get("/contribute/pole?edit=no-such-pole").status_code == 404


def test_a_changed_description_of_an_existing_pole_conforms(app):
    client = app.test_client()
    form = form_fields(client.get("/contribute/pole?edit=culture-et-cooperation").get_data(True))
    form["dcterms_description"] = "Une description nouvelle."
    form["lang"] = "fr"
    response = client.post("/contribute/pole/preview", data=form)
    assert response.status_code == 200, errors_of(response)
    turtle = unescape(response.get_data(True))
    assert 'dcterms:description "Une description nouvelle."@fr' in turtle
    assert "pole:culture-et-cooperation a ptce:Pole" in turtle


def test_the_ways_in(app):
    client = app.test_client()
    kit = client.get("/contribute?lang=fr").get_data(True)
    assert '<a class="button" href="/contribute/pole?lang=fr">Décrire un pôle</a>' in kit
    assert "Envoyer un fichier Turtle" in kit
    assert "Describe a pole" in client.get("/contribute?lang=en").get_data(True)
    home = client.get("/?lang=fr", headers={"Accept": "text/html"}).get_data(True)
    assert (
        '<a href="/contribute?lang=fr">Contribuer</a>' in home and 'href="/contribute/pole?lang=fr"' in home
    )
    pole = client.get(
        "/id/pole/culture-et-cooperation?lang=fr", headers={"Accept": "text/html"}, follow_redirects=True
    )
    assert "/contribute/pole?edit=https%3A//w3id.org/ptce/id/pole/culture-et-cooperation" in pole.get_data(
        True
    )
    organisation = client.get(
        "/id/organisation/labo-ess?lang=en", headers={"Accept": "text/html"}, follow_redirects=True
    )
    assert ">Suggest a change</a>" in organisation.get_data(True)


def test_members_rows_are_read_and_checked(graphs):
    shapes, labels = graphs
    model = pole_form(shapes, labels, "fr")
    form = MultiDict(
        {"member-0-name": "A", "member-0-role": ID + "role/membre", "member-3-name": "", "member-5-name": "A"}
    )
    submission = read(form, model)
    assert [m.name for m in submission.members] == ["A", "A"]
    errors = Checker(model, "fr").check(Submission(members=submission.members))
    assert any("est déjà membre 1" in m for m in errors["member-1-name"])
    assert Member().empty()


def test_the_curators_login_page_has_its_words_and_the_401_page_links_to_it(tmp_path):
    from werkzeug.security import generate_password_hash

    app = create_app(
        {
            "TESTING": True,
            "CONTRIBUTIONS_DB": str(tmp_path / "inbox.sqlite3"),
            "CURATORS": {"carol": generate_password_hash("a curator token of some length")},
            "SECRET_KEY": "form test: a secret of at least 32 characters",
        }
    )
    client = app.test_client()
    login = client.get("/contributions/login?lang=fr").get_data(True)
    assert "<h1>Connexion des curateurs</h1>" in login and '<label for="token">Jeton</label>' in login
    refused = client.get("/contributions?lang=en", headers={"Accept": "text/html"})
    assert refused.status_code == 401
    assert '<a href="/contributions/login?lang=en">Curators&#39; login</a>' in refused.get_data(True)
