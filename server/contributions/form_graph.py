"""What the pole form reads from the live graph: the labels of concepts and categories, organisations by name,
and a pole's current values, members and sources to prefill "Suggest a change"."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import RDFS, Graph, Literal, URIRef

from server.contributions.form import PoleForm
from server.contributions.form_values import Member, Submission
from server.contributions.picker import commune_index
from server.dataset.base import QueryableStore
from server.namespaces import ORG, PTCE
from server.web.search import build_index, fold

_LABELS = """CONSTRUCT { ?c a skos:Concept ; skos:inScheme ?s ; skos:prefLabel ?l . ?k rdfs:label ?kl }
WHERE { { ?c a skos:Concept ; skos:inScheme ?s ; skos:prefLabel ?l }
        UNION { ?k a owl:Class ; rdfs:label ?kl } }"""
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,100}$")


def labels_graph(store: QueryableStore) -> Graph:
    """The concepts of the SKOS schemes and the ontology's classes with their labels (once per store)."""
    return store.memo("form-labels", lambda: store.construct(_LABELS))


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def resolve_pole(store: QueryableStore, text: str) -> URIRef | None:
    """The pole an ``edit`` parameter names (its IRI, or the last segment of it), if it is in the graph."""
    text = (text or "").strip()
    if _SLUG.match(text):
        text = f"{store.base_iri}id/pole/{text}"
    try:
        iri = _iri(text)
    except ValueError:
        return None
    return URIRef(text) if store.ask(f"ASK {{ {iri} a <{PTCE.Pole}> }}") else None


def organisation_finder(store: QueryableStore):
    """Two look-ups on the live graph: an organisation by its exact name (accents and case ignored), and
    whether an IRI is an organisation."""

    def named(name: str) -> str | None:
        index = store.memo("search_index", lambda: build_index(store))
        wanted = fold(name)
        found = [e.iri for e in index if e.kind == "organisation" and wanted in e.folded]
        return found[0] if len(found) == 1 else None

    def is_organisation(iri: str) -> bool:
        try:
            return store.ask(f"ASK {{ {_iri(iri)} a <{ORG.Organization}> }}")
        except ValueError:
            return False

    return named, is_organisation


def _shown(value, entry) -> str | None:
    """A value of the graph as the form shows it."""
    if entry.widget == "commune":
        code = str(value).rsplit("/", 1)[-1]
        commune = commune_index()[0].get(code)
        return f"{commune.name} ({code})" if commune else None
    if isinstance(value, Literal) and entry.path == RDFS.label and value.language not in ("fr", None):
        return None
    return str(value)


def prefill(store: QueryableStore, pole: URIRef, model: PoleForm, lang: str) -> tuple[Submission, str]:
    """The form's values for an existing pole: current values, members with their roles, sources."""
    rows = store.select(f"SELECT ?p ?o WHERE {{ {_iri(str(pole))} ?p ?o }}")
    sub = Submission(edit=str(pole))
    rows.sort(key=lambda r: getattr(r["o"], "language", None) != lang)  # the page's language first
    for entry in model.fields():
        if entry.widget == "members":
            continue
        values = [_shown(r["o"], entry) for r in rows if r["p"] == entry.path]
        values = [v for v in values if v]
        sub.values[entry.key] = values[:1] if entry.single else values
    members = store.select(
        f"""SELECT ?ms ?member ?role ?label WHERE {{
            {_iri(str(pole))} <{ORG.hasMembership}> ?ms . ?ms <{ORG.member}> ?member .
            OPTIONAL {{ ?ms <{ORG.role}> ?role }}
            OPTIONAL {{ ?member <{RDFS.label}> ?label FILTER (LANG(?label) = "fr") }} }}
            ORDER BY ?label ?ms"""
    )
    seen = set()
    for row in members:
        if str(row["ms"]) in seen:
            continue
        seen.add(str(row["ms"]))
        sub.members.append(
            Member(
                name=str(row.get("label", "")) or str(row["member"]).rsplit("/", 1)[-1],
                iri=str(row["member"]),
                role=str(row.get("role", "")),
                membership=str(row["ms"]),
            )
        )
    name = sub.one("rdfs_label") or str(pole).rsplit("/", 1)[-1]
    return sub, name
