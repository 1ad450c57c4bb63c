"""Print the dataset's counts table (Markdown) from data/*.ttl, or write it into the README.

    python bench/counts.py                   # print the table
    python bench/counts.py --write README.md # replace the text between the counts markers

The markers are ``<!-- counts:start -->`` and ``<!-- counts:end -->``; without them the file is left as is
and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
START, END = "<!-- counts:start -->", "<!-- counts:end -->"

PREFIXES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX ptce: <https://w3id.org/ptce/ontology#>
"""

POLE_COUNTS = """
SELECT (COUNT(DISTINCT ?p) AS ?poles) (COUNT(DISTINCT ?withCommune) AS ?commune)
       (COUNT(DISTINCT ?withMembers) AS ?members) (COUNT(DISTINCT ?withDate) AS ?date)
       (COUNT(DISTINCT ?withForm) AS ?form) (COUNT(DISTINCT ?withAward) AS ?award) WHERE {
  ?p a ptce:Pole .
  OPTIONAL { ?p schema:location ?c . BIND (?p AS ?withCommune) }
  OPTIONAL { ?p org:hasMembership ?m . BIND (?p AS ?withMembers) }
  OPTIONAL { ?p schema:foundingDate ?d . BIND (?p AS ?withDate) }
  OPTIONAL { ?p ptce:legalForm ?f . BIND (?p AS ?withForm) }
  OPTIONAL { ?a schema:fundedItem ?p . BIND (?p AS ?withAward) }
}
"""

CALLS = """
SELECT ?call ?label ?year ?announced (COUNT(DISTINCT ?pole) AS ?named) WHERE {
  ?call a ptce:CallForProjects ; ptce:year ?year ; rdfs:label ?label .
  FILTER (LANG(?label) = "fr")
  OPTIONAL { ?call ptce:laureateCount ?announced }
  OPTIONAL { ?call ptce:laureate ?pole }
} GROUP BY ?call ?label ?year ?announced ORDER BY ?year ?label
"""

SINGLE = {
    "Organisations (org:Organization)": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:Organization }",
    "Memberships (org:Membership)": "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a org:Membership }",
    "Partnerships that are not memberships": """SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?m a ptce:Partnership }""",
    "Awards (one per call and laureate)": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ptce:Award }",
    "Statuses and labels": "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a ptce:Recognition }",
    "Dated figures (sizes, national counts)": """SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {
        ?o a ptce:Observation ; schema:measuredProperty ?m . FILTER (?m != ptce:population) }""",
    "Distinct sources (dcterms:source)": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?x dcterms:source ?s }",
}


def load(data_dir: Path = DATA_DIR) -> ox.Store:
    """An in-memory store with one named graph per data file."""
    store = ox.Store()
    for path in sorted(data_dir.glob("*.ttl")):
        graph = ox.NamedNode(path.resolve().as_uri())
        with path.open("rb") as handle:
            store.load(handle, format=ox.RdfFormat.TURTLE, to_graph=graph)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    results = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in results]


def table(store: ox.Store) -> str:
    """The counts table, in Markdown."""
    poles = select(store, POLE_COUNTS)[0]
    total = int(poles["poles"])

    def share(key: str) -> str:
        return f"{poles[key]} of {total}"

    rows = [
        ("Poles (ptce:Pole)", str(total)),
        ("… with a commune (schema:location)", share("commune")),
        ("… with members (org:Membership)", share("members")),
        ("… with a creation date (schema:foundingDate)", share("date")),
        ("… with a legal form (ptce:legalForm)", share("form")),
        ("… laureate of at least one call (ptce:Award)", share("award")),
    ]
    rows += [(label, select(store, query)[0]["n"]) for label, query in SINGLE.items()]
    triples = len(set(q.triple for q in store))
    rows.insert(len(rows) - 1, ("Triples (all data files, without duplicates)", str(triples)))
    lines = ["| Count | Value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    lines += ["", "| Call | Year | Laureates named / announced |", "|---|---|---|"]
    for call in select(store, CALLS):
        announced = call["announced"] or "?"
        lines.append(f"| {call['label']} | {call['year']} | {call['named']} / {announced} |")
    return "\n".join(lines) + "\n"


def write(readme: Path, text: str) -> bool:
    """Replace the text between the markers of ``readme``; False when the markers are missing."""
    content = readme.read_text(encoding="utf-8")
    start, end = content.find(START), content.find(END)
    if start < 0 or end < start:
        return False
    new = content[: start + len(START)] + "\n" + text + content[end:]
    if new != content:
        readme.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Counts table of the PTCE Graph data (Markdown).")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of the data files")
    parser.add_argument("--write", type=Path, metavar="README", help=f"write between {START} and {END}")
    args = parser.parse_args(argv)
    text = table(load(args.data))
    if args.write is None:
        sys.stdout.write(text)
        return 0
    if not write(args.write, text):
        print(f"{args.write}: markers {START} … {END} not found; nothing written", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
