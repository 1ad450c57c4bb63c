"""The form's pickers: every official commune by name, postcode or INSEE code (an index built once from
Etalab's ``@etalab/decoupage-administratif``), and the concepts of a SKOS scheme of the live graph,
labelled in a language.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from server.dataset import territories
from server.web.search import fold

_CODE = re.compile(r"^(?:[0-9]{5}|2[ABab][0-9]{3})$")
_IN_TEXT = re.compile(r"\((?:[^()]*\s)?([0-9]{5}|2[AB][0-9]{3})\)\s*$")


@dataclass(frozen=True)
class Commune:
    """One current commune or municipal arrondissement of the official list."""

    code: str
    name: str
    departement: str
    departement_name: str
    postcodes: tuple[str, ...]
    population: int
    folded: str

    def label(self) -> str:
        """How the picker shows it: ``Quimper (Finistère, 29000) 29232``."""
        postcodes = ", ".join(self.postcodes[:3]) + (" …" if len(self.postcodes) > 3 else "")
        where = ", ".join(part for part in (self.departement_name, postcodes) if part)
        return f"{self.name} ({where}) {self.code}"

    def as_json(self) -> dict:
        """The picker's JSON for this commune."""
        return {
            "code": self.code,
            "name": self.name,
            "label": self.label(),
            "value": f"{self.name} ({self.code})",
            "departement": self.departement,
            "postcodes": list(self.postcodes),
        }


@functools.cache
def commune_index() -> tuple[dict[str, Commune], dict[str, tuple[str, ...]]]:
    """Every commune by INSEE code, and the codes of each postcode (read once, about 1 s)."""
    package = territories.PACKAGE_DIR
    kinds = territories.official_communes(package)
    populations = territories.official_populations(package)
    departements = {d["code"]: d["nom"] for d in territories._load(package, "departements")}
    communes: dict[str, Commune] = {}
    by_postcode: dict[str, list[str]] = {}
    for row in territories._load(package, "communes"):
        if row["code"] not in kinds or row["code"] in communes:
            continue
        postcodes = tuple(sorted(row.get("codesPostaux") or ()))
        departement = row.get("departement") or row["code"][:2]
        communes[row["code"]] = Commune(
            row["code"],
            row["nom"],
            departement,
            departements.get(departement, ""),
            postcodes,
            populations.get(row["code"], 0),
            fold(row["nom"]),
        )
        for postcode in postcodes:
            by_postcode.setdefault(postcode, []).append(row["code"])
    return communes, {p: tuple(codes) for p, codes in by_postcode.items()}


def _name_score(commune: Commune, wanted: str) -> int:
    if commune.folded == wanted:
        return 100
    if commune.folded.startswith(wanted):
        return 90
    words = commune.folded.split()
    if all(any(w.startswith(q) for w in words) for q in wanted.split()):
        return 60
    return 30 if wanted in commune.folded else 0


def find_communes(query: str, limit: int = 10) -> list[Commune]:
    """Communes matching a name, a postcode or an INSEE code, best first (most inhabitants among equals).

    >>> [c.code for c in find_communes("Quimper")][:1], [c.code for c in find_communes("29000")][:1]
    (['29232'], ['29232'])
    """
    communes, by_postcode = commune_index()
    wanted = fold(query)[:100]
    if not wanted:
        return []
    scored: dict[str, int] = {}
    if wanted.replace(" ", "").isdigit() or _CODE.match(wanted.replace(" ", "").upper()):
        digits = wanted.replace(" ", "").upper()
        if digits in communes:
            scored[digits] = 100
        for postcode, codes in by_postcode.items():
            if postcode.startswith(digits):
                for code in codes:
                    scored[code] = max(scored.get(code, 0), 95 if postcode == digits else 70)
        for code in communes:
            if code.startswith(digits) and code not in scored:
                scored[code] = 50
    else:
        for code, commune in communes.items():
            score = _name_score(commune, wanted)
            if score:
                scored[code] = score
    ranked = sorted(scored, key=lambda c: (-scored[c], -communes[c].population, communes[c].name))
    return [communes[c] for c in ranked[:limit]]


def resolve_commune(text: str) -> tuple[Commune | None, list[Commune]]:
    """The commune a form field names (``Quimper (29232)``, an INSEE code, a postcode or a name), or None with
    the candidates to choose from when the text names several or none."""
    communes, _ = commune_index()
    text = (text or "").strip()
    found = _IN_TEXT.search(text)
    code = found.group(1) if found else text.upper()
    if code in communes:
        return communes[code], []
    candidates = find_communes(text, limit=6)
    wanted = fold(text)
    exact = [c for c in candidates if c.folded == wanted or wanted in c.postcodes]
    if len(exact) == 1:
        return exact[0], []
    return None, exact or candidates


@dataclass(frozen=True)
class Choice:
    """One option of a picker: the value sent (an IRI) and its label in the page's language."""

    value: str
    label: str


def label_of(graph: Graph, node, lang: str) -> str:
    """A resource's label in ``lang``, else in French, else any, else the end of its IRI."""
    found = {}
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, predicate):
            found.setdefault(getattr(value, "language", None) or "", str(value))
    for wanted in (lang, "fr", ""):
        if wanted in found:
            return found[wanted]
    return next(iter(found.values()), str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def scheme_choices(graph: Graph, scheme: URIRef, lang: str) -> list[Choice]:
    """The concepts of a SKOS scheme in the live graph, labelled in ``lang``, in alphabetical order."""
    concepts = {c for c in graph.subjects(SKOS.inScheme, scheme) if (c, RDF.type, SKOS.Concept) in graph}
    choices = [Choice(str(c), label_of(graph, c, lang)) for c in concepts]
    return sorted(choices, key=lambda c: fold(c.label))


def class_choices(graph: Graph, classes: list, lang: str) -> list[Choice]:
    """Classes (e.g. the categories of the law) labelled from the ontology, in the shapes' order."""
    return [Choice(str(c), label_of(graph, c, lang)) for c in classes]
