"""Every file in data/ parses strictly and its resources conform to shapes/ (one test per file)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF

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
