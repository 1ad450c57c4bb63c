"""The profile at the top of a page: a pole, organisation, territory, call or concept (Flask-free)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from server.dataset.base import QueryableStore
from server.namespaces import IGEO, ORG, PREFIXES, PTCE, SCHEMA
from server.web.citations import CitationList
from server.web.describe import labels_of
from server.web.labels import comment
from server.web.profile_model import Fact, Item, Profile
from server.web.profile_queries import (
    ABOVE,
    AWARDS,
    CATEGORIES,
    CONCEPT_POLES,
    EDITORIAL,
    EDITORIAL_POLES,
    FIGURES,
    LAUREATES,
    MEMBERS,
    PLACES,
    POLES_OF_MEMBER,
    RECOGNITIONS,
    TYPES,
)
from server.web.profile_text import TEXT
from server.web.wording import amount, date_in_words, literal_in_words

#: Terms of the vocabulary newer than server.namespaces.PTCE (awards, legal forms).
TERMS = Namespace(PREFIXES["ptce"])
PLACE_ORDER = ("Commune", "ArrondissementMunicipal", "Intercommunalite", "Departement", "Region")


def _run(store: QueryableStore, query: str, **terms: str) -> list[dict[str, Node]]:
    for name, iri in terms.items():
        query = query.replace(f"${name}", str(ox.NamedNode(iri)))
    return store.select(query)


def _iris(iris) -> str:
    """Write IRIs from the store as a VALUES list."""
    return " ".join(str(ox.NamedNode(str(i))) for i in sorted(iris, key=str))


def kind_of(graph: Graph, node: URIRef) -> str:
    """Return the page type of a resource: pole, organisation, territory, call, concept or other."""
    types = set(graph.objects(node, RDF.type))
    if PTCE.Pole in types:
        return "pole"
    if PTCE.CallForProjects in types:
        return "call"
    if TERMS.Award in types:
        return "award"
    if any(str(t).startswith(str(IGEO)) for t in types):
        return "territory"
    if SKOS.Concept in types:
        return "concept"
    if ORG.Organization in types or any(str(t).startswith(str(PTCE)) for t in types):
        return "organisation" if ORG.Organization in types else "other"
    return "other"


class ProfileBuilder:
    """Build the profile of one resource from its description graph and a few anchored queries."""

    def __init__(self, store: QueryableStore, graph: Graph, iri: str, lang: str, linker, limit: int):
        self.store, self.graph, self.iri, self.lang = store, graph, iri, lang
        self.node, self.linker, self.limit = URIRef(iri), linker, limit
        self.text = TEXT[lang]
        self.citations = CitationList()
        self.facts: list[Fact] = []
        self.shown: set[URIRef] = {DCTERMS.source}
        self.shown_incoming: set[URIRef] = set()
        self._labels: dict[URIRef, str] = {}
        self.classification = f"{store.base_iri}graph/classification"

    def labels(self, iris) -> None:
        """Fetch the labels of these IRIs (one query)."""
        wanted = {i for i in iris if isinstance(i, URIRef) and i not in self._labels}
        self._labels.update(labels_of(self.store, wanted, self.lang))

    def item(self, iri: Node, note: str | None = None, cites: list[int] | None = None) -> Item:
        """Return a linked item for a resource (its label, or its IRI's last segment)."""
        text = self._labels.get(iri) or str(iri).rstrip("/").rsplit("/", 1)[-1]
        return Item(text, self.linker.href(str(iri)), note, cites or [])

    def add(self, key: str, items: list[Item], editorial: bool = False, label: str | None = None) -> None:
        """Add a fact if it has values."""
        if items:
            self.facts.append(Fact(key, label or self.text[key], items, editorial))

    def own(self, prop: URIRef, key: str) -> None:
        """Add a fact from the resource's own values of ``prop`` (dates in words, links labelled)."""
        values = list(self.graph.objects(self.node, prop))
        self.labels(values)
        items = []
        for value in sorted(values, key=str):
            if isinstance(value, Literal) and prop in (PTCE.budget, SCHEMA.amount):
                items.append(Item(amount(float(value), self.lang)))
            elif isinstance(value, Literal):
                items.append(Item(literal_in_words(value, self.lang)))
            elif prop == SCHEMA.url:
                items.append(Item(str(value), self.linker.href(str(value))))
            else:
                items.append(self.item(value))
        self.add(key, items)
        self.shown.add(prop)

    def places(self) -> None:
        """Add the commune, intercommunality, département and region of the resource."""
        places = {
            row["place"] for row in _run(self.store, PLACES, r=self.iri) if isinstance(row["place"], URIRef)
        }
        frontier = set(places)
        for _ in range(3):  # commune or arrondissement < département < region
            if not frontier:
                break
            frontier = {row["place"] for row in self.store.select(ABOVE % _iris(frontier))} - places
            places |= frontier
        if not places:
            return
        self.labels(places)
        by_kind: dict[str, list[Item]] = {}
        for row in self.store.select(TYPES % _iris(places)):
            if str(row["kind"]).startswith(str(IGEO)):
                kind = str(row["kind"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                by_kind.setdefault(kind, []).append(self.item(row["x"]))
        for kind in PLACE_ORDER:
            items = {i.href: i for i in by_kind.get(kind, [])}
            self.add(f"place_{kind}", sorted(items.values(), key=lambda i: i.text))
        self.shown |= {SCHEMA.location, DCTERMS.spatial}

    def members(self) -> None:
        """Add the members grouped by role, each with its category of the law, and their sources."""
        rows = _run(self.store, MEMBERS, r=self.iri)
        self.labels({v for row in rows for v in row.values()})
        grouped: dict[Node | None, dict[Node, dict]] = {}
        for row in rows:
            entry = grouped.setdefault(row.get("role"), {}).setdefault(
                row["member"], {"cat": set(), "src": set()}
            )
            entry["cat"] |= {row["category"]} if row.get("category") else set()
            entry["src"] |= {row["src"]} if row.get("src") else set()
        ordered = sorted(grouped.items(), key=lambda kv: (kv[0] is None, self._labels.get(kv[0], "")))
        for role, entries in ordered:
            items = [
                self.item(
                    member,
                    ", ".join(sorted(self._labels.get(c, "") for c in e["cat"])) or None,
                    self.citations.cite(e["src"]),
                )
                for member, e in entries.items()
            ]
            label = self._labels.get(role) if role is not None else self.text["members"]
            self.add("members", sorted(items, key=lambda i: i.text.lower()), label=label)
        self.shown.add(ORG.hasMembership)
        self.shown_incoming.add(ORG.organization)

    def awards(self, of_call: bool = False) -> None:
        """Add the calls a pole won, or the laureates of a call: year or date, amount where known."""
        rows = _run(self.store, AWARDS, r=self.iri)
        seen = {(row["call"], row["pole"]) for row in rows}
        rows += [
            row for row in _run(self.store, LAUREATES, r=self.iri) if (row["call"], row["pole"]) not in seen
        ]
        self.labels({v for row in rows for v in row.values()})
        merged: dict[tuple, dict] = {}
        for row in rows:
            entry = merged.setdefault(
                (row["call"], row["pole"]), {"date": None, "amount": None, "src": set()}
            )
            entry["date"] = entry["date"] or row.get("date")
            entry["amount"] = entry["amount"] or row.get("amount")
            entry["src"] |= {row["src"]} if row.get("src") else set()
        items = []
        for (call, pole), entry in merged.items():
            notes = [date_in_words(entry["date"], self.lang) if entry["date"] is not None else None]
            if entry["amount"] is not None:
                notes.append(amount(float(entry["amount"]), self.lang))
            note = ", ".join(n for n in notes if n) or None
            items.append(self.item(pole if of_call else call, note, self.citations.cite(entry["src"])))
        self.add("laureates" if of_call else "awards", sorted(items, key=lambda i: (i.note or "", i.text)))
        self.shown.add(PTCE.laureate)
        self.shown_incoming |= {SCHEMA.fundedItem, PTCE.laureate, TERMS.call}

    def dated(self, query: str, key: str, what: str, incoming: set[URIRef]) -> None:
        """Add dated statements about the resource (statuses and labels, or figures), with their sources."""
        rows = _run(self.store, query, r=self.iri)
        self.labels({v for row in rows for v in row.values()})
        merged: dict[tuple, set] = {}
        for row in rows:
            sources = merged.setdefault((row[what], row.get("value"), row.get("date")), set())
            sources |= {row["src"]} if row.get("src") else set()
        items = []
        for (term, value, date), sources in merged.items():
            when = date_in_words(date, self.lang) if date is not None else None
            item = self.item(term, when, self.citations.cite(sources))
            if value is not None:
                shown = literal_in_words(value, self.lang) if isinstance(value, Literal) else str(value)
                if term == TERMS.turnover and isinstance(value, Literal):
                    shown = amount(float(value), self.lang)
                item = Item(f"{item.text}{TEXT[self.lang]['colon']} {shown}", None, when, item.cites)
            items.append(item)
        self.add(key, sorted(items, key=lambda i: (i.text.lower(), i.note or "")))
        self.shown_incoming |= incoming

    def characteristics(self) -> None:
        """Add the characteristics, marked as the project's editorial reading when they are."""
        editorial = {row["c"] for row in _run(self.store, EDITORIAL, r=self.iri, g=self.classification)}
        values = set(self.graph.objects(self.node, PTCE.characteristic))
        self.labels(values)
        self.add("characteristics", [self.item(v) for v in sorted(values - editorial, key=str)])
        self.add(
            "characteristics_editorial", [self.item(v) for v in sorted(editorial, key=str)], editorial=True
        )
        self.shown.add(PTCE.characteristic)

    def categories(self) -> None:
        """Add the categories of the law an actor belongs to."""
        rows = _run(self.store, CATEGORIES, r=self.iri)
        self.labels(row["category"] for row in rows)
        self.add("category", [Item(self._labels.get(row["category"], "")) for row in rows])

    def poles(self, poles: list[URIRef], count: int) -> None:
        """Add the poles of a territory or concept (once), marked editorial for a characteristic."""
        self.labels(poles)
        items = sorted((self.item(p) for p in poles), key=lambda i: i.text.lower())
        query = EDITORIAL_POLES.replace("$r", str(ox.NamedNode(self.iri)))
        editorial = bool(self.store.query(query.replace("$g", str(ox.NamedNode(self.classification)))))
        self.add("poles_here", items[: self.limit], editorial, label=self.text["poles_here"].format(n=count))
        if self.facts and self.facts[-1].key == "poles_here":
            self.facts[-1].more = max(0, count - len(self.facts[-1].items))

    def poles_of_member(self) -> None:
        """Add the poles an organisation belongs to, with its role in each."""
        rows = _run(self.store, POLES_OF_MEMBER, r=self.iri)
        self.labels({v for row in rows for v in row.values()})
        merged: dict[Node, dict] = {}
        for row in rows:
            entry = merged.setdefault(row["pole"], {"roles": set(), "src": set()})
            entry["roles"] |= {self._labels.get(row["role"], "")} if row.get("role") else set()
            entry["src"] |= {row["src"]} if row.get("src") else set()
        items = [
            self.item(p, ", ".join(sorted(e["roles"])) or None, self.citations.cite(e["src"]))
            for p, e in merged.items()
        ]
        self.add("member_of", sorted(items, key=lambda i: i.text.lower()))
        self.shown_incoming.add(ORG.member)

    def build(self, related: tuple[list[URIRef], int]) -> Profile:
        """Return the profile for the resource's page type."""
        kind = kind_of(self.graph, self.node)
        self.citations.cite(self.graph.objects(self.node, DCTERMS.source))
        if kind in ("pole", "organisation", "call", "other"):
            self.places()
        if kind == "pole":
            self.own(SCHEMA.foundingDate, "founded")
            self.own(TERMS.legalForm, "legal_form")
            self.own(SCHEMA.url, "website")
            self.members()
            self.awards()
            self.dated(RECOGNITIONS, "recognitions", "status", {TERMS.holder})
            self.dated(FIGURES, "figures", "measure", {SCHEMA.observationAbout})
            self.own(PTCE.sector, "sectors")
            self.characteristics()
        elif kind == "organisation":
            self.categories()
            self.own(SCHEMA.url, "website")
            self.poles_of_member()
        elif kind == "call":
            for prop, key in ((PTCE.year, "year"), (DCTERMS.date, "launched"), (PTCE.budget, "budget")):
                self.own(prop, key)
            self.own(SCHEMA.funder, "funders")
            self.awards(of_call=True)
        elif kind == "award":
            for prop, key in ((TERMS.call, "call"), (SCHEMA.fundedItem, "funded"), (DCTERMS.date, "date")):
                self.own(prop, key)
            self.own(SCHEMA.amount, "amount")
            self.own(SCHEMA.funder, "funders")
        elif kind in ("territory", "concept"):
            self.own(IGEO.codeINSEE, "insee")
            poles, count = related
            if kind == "concept":
                rows = _run(self.store, CONCEPT_POLES, r=self.iri)
                poles, count = [row["pole"] for row in rows[: self.limit]], len(rows)
            self.poles(poles, count)
            self.shown_incoming |= {PTCE.characteristic, PTCE.sector, TERMS.legalForm, SCHEMA.location}
        description = comment(self.graph, self.node, self.lang)
        for prop in (RDFS.comment, SKOS.definition, DCTERMS.description):
            if description and any(str(o) == description for o in self.graph.objects(self.node, prop)):
                self.shown.add(prop)
        return Profile(
            kind,
            description,
            self.facts,
            self.citations.build(self.store, self.lang, self.linker),
            self.shown,
            self.shown_incoming,
        )
