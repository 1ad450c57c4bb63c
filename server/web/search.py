"""Search over the labels of poles, organisations, territories and calls: accent- and case-insensitive,
French and English labels alike (Flask-free)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from server.dataset.base import QueryableStore
from server.namespaces import PREFIXES

#: The kinds of resources people look for, by class (prefixed name -> kind key).
KINDS = {
    "ptce:Pole": "pole",
    "org:Organization": "organisation",
    "igeo:Commune": "commune",
    "igeo:ArrondissementMunicipal": "commune",
    "igeo:Intercommunalite": "epci",
    "igeo:Departement": "departement",
    "igeo:Region": "region",
    "ptce:CallForProjects": "call",
}
ENTRIES = """SELECT ?x ?type ?l ?lang ?code WHERE {
  VALUES ?type { %s }
  ?x a ?type .
  { ?x rdfs:label|skos:prefLabel|skos:altLabel|igeo:nom|schema:name ?l BIND(LANG(?l) AS ?lang) }
  UNION { ?x igeo:codeINSEE ?code } }"""


def fold(text: str) -> str:
    """Lower-case, strip accents, and turn hyphens, apostrophes and punctuation into spaces.

    >>> fold("Île-de-France  Côte-d’Or")
    'ile de france cote d or'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


@dataclass
class Entry:
    """One searchable resource: its IRI, kind, labels by language, folded labels and INSEE code."""

    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    folded: set[str] = field(default_factory=set)
    code: str | None = None

    def label(self, lang: str) -> str:
        """Return the label in ``lang``, else French, else any."""
        return self.labels.get(lang) or self.labels.get("fr") or next(iter(self.labels.values()), self.iri)


def build_index(store: QueryableStore) -> list[Entry]:
    """Read every searchable resource with its labels (one query; call it through ``store.memo``)."""
    entries: dict[str, Entry] = {}
    types = " ".join(f"<{PREFIXES[c.split(':')[0]]}{c.split(':')[1]}>" for c in KINDS)
    kinds = {f"{PREFIXES[c.split(':')[0]]}{c.split(':')[1]}": k for c, k in KINDS.items()}
    for row in store.select(ENTRIES % types):
        entry = entries.setdefault(str(row["x"]), Entry(str(row["x"]), kinds[str(row["type"])]))
        if row.get("code") is not None:
            entry.code = str(row["code"])
            entry.folded.add(entry.code)
        if row.get("l") is not None:
            lang = str(row.get("lang") or "") or "fr"
            entry.labels.setdefault(lang, str(row["l"]))
            entry.folded.add(fold(str(row["l"])))
    return sorted(entries.values(), key=lambda e: fold(e.label("fr")))


def score(entry: Entry, wanted: str) -> float:
    """Return how well an entry matches a folded query (0 to 100).

    100 for an exact label; 90 for a label that starts with the query; otherwise, when every word of the
    query starts a word of the label, 50 to 85 by the share of the label's words matched; 30 for a label
    that merely contains the query.
    """
    best = 0.0
    words = wanted.split()
    for text in entry.folded:
        if text == wanted:
            return 100.0
        if text.startswith(wanted):
            best = max(best, 90.0)
            continue
        label_words = text.split()
        if all(any(w.startswith(q) for w in label_words) for q in words):
            best = max(best, 50.0 + 35.0 * len(words) / max(len(label_words), len(words)))
        elif wanted in text:
            best = max(best, 30.0)
    return round(best, 1)


def search(index: list[Entry], query: str, kinds: set[str] | None = None, limit: int = 20):
    """Return (entry, score) pairs matching the query, best first (at most ``limit``)."""
    wanted = fold(query)
    if not wanted:
        return []
    found = [(e, score(e, wanted)) for e in index if kinds is None or e.kind in kinds]
    found = [(e, s) for e, s in found if s > 0]
    return sorted(found, key=lambda pair: (-pair[1], fold(pair[0].label("fr"))))[:limit]
