"""Every file in data/ parses strictly and its resources conform to shapes/ (one test per file)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import URIRef

from server.namespaces import SH

ROOT = Path(__file__).parent.parent
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))


@pytest.fixture(scope="module")
def report() -> Graph:
    """The SHACL report of the whole dataset (files refer to each other, so they are judged together)."""
    data = Graph()
    for path in DATA_FILES:
        data.parse(path, format="turtle")
    shapes = Graph().parse(ROOT / "shapes" / "ptce-shapes.ttl", format="turtle")
    ontology = Graph().parse(ROOT / "ontology" / "ptce.ttl", format="turtle")
    _conforms, results, _text = validate(data, shacl_graph=shapes, ont_graph=ontology, allow_warnings=True)
    return results


def test_there_is_data():
    assert len(DATA_FILES) >= 5


@pytest.mark.slow  # SHACL over the whole dataset: seconds
@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_file_parses_strictly_and_conforms(path: Path, report: Graph):
    with path.open("rb") as handle:
        quads = list(ox.parse(handle, format=ox.RdfFormat.TURTLE))  # strict parser: raises on any error
    subjects = {str(quad.subject) for quad in quads if isinstance(quad.subject, ox.NamedNode)}
    subjects = {s.strip("<>") for s in subjects}
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if str(focus) in subjects and report.value(result, SH.resultSeverity) == SH.Violation:
            messages = [str(m) for m in report.objects(result, SH.resultMessage)]
            problems.append(f"{focus} {report.value(result, SH.resultPath)}: {' / '.join(messages)}")
    assert not problems, "\n".join(problems)


def test_every_resource_has_a_source():
    data = Graph()
    for path in DATA_FILES:
        data.parse(path, format="turtle")
    missing = data.query(
        """SELECT DISTINCT ?s WHERE { ?s a ?type . FILTER(isIRI(?s))
           FILTER NOT EXISTS { ?s <http://purl.org/dc/terms/source> ?source } }"""
    )
    assert not list(missing), [str(row[0]) for row in missing]


def test_official_territories_are_up_to_date():
    """data/territories-official.ttl is what the generator makes from the pinned npm package and data/."""
    territories = pytest.importorskip("server.dataset.territories")
    if not (territories.PACKAGE_DIR / "package.json").exists():
        pytest.skip("npm package not installed: run npm ci --prefix server/static")
    assert territories.generate(check=True), "run: python -m server.dataset.territories"


def test_communes_and_epci_keep_their_official_siren():
    """Every commune and EPCI described carries the SIREN the official package gives (ptce:siren)."""
    territories = pytest.importorskip("server.dataset.territories")
    if not (territories.PACKAGE_DIR / "package.json").exists():
        pytest.skip("npm package not installed: run npm ci --prefix server/static")
    official = {
        c["code"]: c["siren"]
        for c in territories._load(territories.PACKAGE_DIR, "communes")
        if c["type"] == "commune-actuelle" and c.get("siren")
    }
    graph = Graph().parse(ROOT / "data" / "territories-official.ttl", format="turtle")
    igeo = "http://rdf.insee.fr/def/geo#"
    siren = URIRef("https://w3id.org/ptce/ontology#siren")
    communes = list(graph.subjects(RDF.type, URIRef(igeo + "Commune")))
    assert communes
    for commune in communes:
        code = str(commune).rsplit("/", 1)[1]
        assert str(graph.value(commune, siren)) == official[code], commune
    for epci in graph.subjects(RDF.type, URIRef(igeo + "Intercommunalite")):
        assert str(graph.value(epci, siren)) == str(epci).rsplit("/", 1)[1], epci


QUESTION_PREFIXES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX ptce: <https://w3id.org/ptce/ontology#>
"""


@pytest.fixture(scope="module")
def union() -> ox.Store:
    """All data files in one store (default graph = union of the files)."""
    store = ox.Store()
    for path in DATA_FILES:
        with path.open("rb") as handle:
            store.load(handle, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
    return store


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(QUESTION_PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [tuple(row[n].value if row[n] is not None else "" for n in names) for row in result]


def test_question_laureates_and_amounts_by_call(union):
    found = rows(
        union,
        """SELECT ?call (COUNT(?award) AS ?laureates) (SUM(COALESCE(?amount, 0)) AS ?amounts) WHERE {
             ?award a ptce:Award ; ptce:call ?call ; schema:fundedItem ?pole .
             OPTIONAL { ?award schema:amount ?amount } } GROUP BY ?call""",
    )
    by_call = {call.rsplit("/", 1)[1]: (int(n), int(amount)) for call, n, amount in found}
    assert by_call["ami-ptce-2021"] == (15, 1_500_000)
    assert by_call["aap-ptce-2015"] == (6, 121_555 + 80_000)  # L'Éco-domaine en Pays d'Auge, EcoPAL
    # Le Damier and Néo56 are "recognised in 2014" without a named call: not laureates
    assert by_call["aap-ptce-2013"][0] == 12


def test_question_legal_forms(union):
    found = rows(
        union,
        """SELECT ?form (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
             ?pole a ptce:Pole ; ptce:legalForm/skos:prefLabel ?form . FILTER (LANG(?form) = "fr")
           } GROUP BY ?form""",
    )
    counts = {form: int(n) for form, n in found}
    assert counts["Association loi 1901"] >= 10
    assert counts["SCIC sous forme de société anonyme (SCIC SA)"] >= 2


def test_question_growth_of_the_count(union):
    found = rows(
        union,
        """SELECT ?date ?count WHERE {
             ?o schema:observationAbout ptce:Pole ; schema:measuredProperty ptce:poleCount ;
                schema:observationDate ?date ; schema:value ?count } ORDER BY ?date""",
    )
    assert ("2021-01-08", "56") in found and ("2023-05", "140") in found and ("2023-10", "218") in found
    ask = "ASK { ?a ptce:conflictsWith ?b . ?a schema:value 140 . ?b schema:value 218 }"
    assert bool(
        union.query(QUESTION_PREFIXES + ask, use_default_graph_as_union=True)
    )  # the dispute is stated


def test_question_poles_per_epci(union):
    found = rows(
        union,
        """SELECT ?epci (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
             ?pole a ptce:Pole ; schema:location ?place .
             { ?e dcterms:hasPart ?place } UNION { ?e dcterms:hasPart/igeo:subdivisionDirecte ?place }
             ?e a igeo:Intercommunalite ; rdfs:label ?epci } GROUP BY ?epci""",
    )
    counts = {epci: int(n) for epci, n in found}
    assert counts["Toulouse Métropole"] == 2  # EDENN, La Serre
    assert counts["Métropole du Grand Paris"] == 3  # Fontaine O Livres (11e), PôPE (Bobigny), PHARES
    assert counts["Dijon Métropole"] == 1
