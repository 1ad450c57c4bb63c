"""data/ conforms to the shapes with RDFS entailment as well as without.

A consumer with a reasoner (GraphDB, Stardog, pyshacl with ``inference="rdfs"``) sees the types that the
ontology's rdfs:domain, rdfs:range and rdfs:subClassOf entail. They must be true of every use: for example
``ptce:siren`` is given to communes and intercommunalities too, so its domain is foaf:Agent, not
org:Organization (which would turn every territory into an organisation without a category of the law).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from server.namespaces import SH

ROOT = Path(__file__).parent.parent
ORG = Namespace("http://www.w3.org/ns/org#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")


def _data() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.slow  # SHACL over the whole dataset, twice: about a minute
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_data_conforms_with_and_without_rdfs_inference(inference: str):
    shapes = Graph().parse(ROOT / "shapes" / "ptce-shapes.ttl", format="turtle")
    ontology = Graph().parse(ROOT / "ontology" / "ptce.ttl", format="turtle")
    _conforms, report, _text = validate(
        _data(), shacl_graph=shapes, ont_graph=ontology, inference=inference, allow_warnings=True
    )
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) == SH.Violation:
            violations.append(
                f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                f"{report.value(result, SH.resultMessage)}"
            )
    assert not violations, f"{len(violations)} violations with inference={inference}:\n" + "\n".join(
        sorted(violations)[:20]
    )


def test_rdfs_entailment_makes_no_territory_an_organisation():
    """The ontology's domains and ranges do not make a commune or EPCI an org:Organization by themselves."""
    owlrl = pytest.importorskip("owlrl")
    graph = _data()
    graph.parse(ROOT / "ontology" / "ptce.ttl", format="turtle")
    before = set(graph.subjects(RDF.type, ORG.Organization))
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(graph)
    after = set(graph.subjects(RDF.type, ORG.Organization))
    territories = set(graph.subjects(RDF.type, IGEO.Commune)) | set(
        graph.subjects(RDF.type, IGEO.Intercommunalite)
    )
    assert (after - before) & territories == set(), sorted(str(t) for t in (after - before) & territories)
