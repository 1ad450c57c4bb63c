"""The PTCE ontology: header, fr+en documentation of every term, and agreement with data and shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

PROJECT_DIR = Path(__file__).parent.parent
ONTOLOGY_FILE = PROJECT_DIR / "ontology" / "ptce.ttl"
DATA_FILES = sorted((PROJECT_DIR / "data").glob("*.ttl"))
SHAPES_FILES = sorted((PROJECT_DIR / "shapes").glob("*.ttl"))

PTCE = Namespace("https://w3id.org/ptce/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/ptce/ontology")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)

# Declared terms that neither data nor shapes use yet, each with the reason it is kept.
ALLOWED_UNUSED: dict[URIRef, str] = {
    # (empty: every term is used; add entries as `PTCE.term: "reason"`)
}

ONTOLOGY = Graph().parse(ONTOLOGY_FILE)
DECLARED = sorted(
    {s for t in TERM_TYPES for s in ONTOLOGY.subjects(RDF.type, t) if str(s).startswith(str(PTCE))}
)


def ptce_terms_used(files: list[Path]) -> set[URIRef]:
    """Every IRI of the ptce: namespace appearing in any position of the given Turtle files."""
    used: set[URIRef] = set()
    for path in files:
        for triple in Graph().parse(path):
            used |= {n for n in triple if isinstance(n, URIRef) and str(n).startswith(str(PTCE))}
    return used


def languages(subject: URIRef, predicate: URIRef) -> set[str | None]:
    """Language tags of the literal values of subject/predicate in the ontology."""
    return {o.language for o in ONTOLOGY.objects(subject, predicate) if isinstance(o, Literal)}


def test_ontology_parses_and_has_terms() -> None:
    assert len(ONTOLOGY) > 0
    assert DECLARED, "no ptce: class or property declared"


def test_exactly_one_ontology_header_with_metadata() -> None:
    headers = list(ONTOLOGY.subjects(RDF.type, OWL.Ontology))
    assert headers == [ONTOLOGY_IRI]
    assert {"fr", "en"} <= languages(ONTOLOGY_IRI, DCTERMS.title)
    assert {"fr", "en"} <= languages(ONTOLOGY_IRI, DCTERMS.description)
    assert ONTOLOGY.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/ptce/ontology/0.1.0")
    assert ONTOLOGY.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ONTOLOGY.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ONTOLOGY.value(ONTOLOGY_IRI, DCTERMS.creator) is not None
    for date_property in (DCTERMS.created, DCTERMS.modified):
        date = ONTOLOGY.value(ONTOLOGY_IRI, date_property)
        assert isinstance(date, Literal) and date.datatype == XSD_DATE, date_property
    assert str(ONTOLOGY.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "ptce"
    assert str(ONTOLOGY.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(PTCE)


@pytest.mark.parametrize("term", DECLARED, ids=[str(t).removeprefix(str(PTCE)) for t in DECLARED])
def test_term_is_documented_in_french_and_english(term: URIRef) -> None:
    assert {"fr", "en"} <= languages(term, RDFS.label), f"{term}: rdfs:label @fr and @en"
    assert {"fr", "en"} <= languages(term, RDFS.comment), f"{term}: rdfs:comment @fr and @en"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ONTOLOGY, f"{term}: rdfs:isDefinedBy the ontology"
    if (term, RDF.type, OWL.Class) not in ONTOLOGY:
        assert (term, RDFS.domain, None) in ONTOLOGY, f"{term}: property without rdfs:domain"
        assert (term, RDFS.range, None) in ONTOLOGY, f"{term}: property without rdfs:range"


def test_every_term_used_in_data_or_shapes_is_declared() -> None:
    undeclared = ptce_terms_used(DATA_FILES + SHAPES_FILES) - set(DECLARED)
    assert not undeclared, f"ptce: terms used but not declared in {ONTOLOGY_FILE.name}: {sorted(undeclared)}"


def test_every_declared_term_is_used_or_allowed_unused() -> None:
    unused = set(DECLARED) - ptce_terms_used(DATA_FILES + SHAPES_FILES) - set(ALLOWED_UNUSED)
    assert not unused, f"declared but used neither in data/ nor in shapes/: {sorted(unused)}"


def test_allowed_unused_terms_are_declared_and_really_unused() -> None:
    used = ptce_terms_used(DATA_FILES + SHAPES_FILES)
    for term, reason in ALLOWED_UNUSED.items():
        assert term in DECLARED and reason, term
        assert term not in used, f"{term} is used now: remove it from ALLOWED_UNUSED"
