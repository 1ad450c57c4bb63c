"""RDF namespaces used by the code: our vocabulary as a closed DefinedNamespace, and reused ones."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


class PTCE(DefinedNamespace):
    """The PTCE vocabulary (``ontology/ptce.ttl``); a misspelt term raises AttributeError."""

    _NS = Namespace("https://w3id.org/ptce/ontology#")
    _fail = True

    Pole: URIRef
    Actor: URIRef
    ESSEnterprise: URIRef
    OtherEnterprise: URIRef
    LocalAuthority: URIRef
    ResearchCentre: URIRef
    HigherEducationInstitution: URIRef
    TrainingBody: URIRef
    OtherPerson: URIRef
    Network: URIRef
    Programme: URIRef
    CallForProjects: URIRef
    characteristic: URIRef
    sector: URIRef
    laureate: URIRef
    budget: URIRef
    applicationCount: URIRef
    laureateCount: URIRef
    year: URIRef
    siren: URIRef
    legalBasis: URIRef
    pilot: URIRef


#: Prefixes bound in every serialisation and preloaded in the SPARQL endpoint.
PREFIXES: dict[str, str] = {
    "ptce": str(PTCE._NS),
    "org": str(ORG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "igeo": str(IGEO),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "void": str(VOID),
    "dcat": str(DCAT),
    "sh": str(SH),
}


def sparql_prologue() -> str:
    """Return ``PREFIX`` lines for every prefix in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def curie(iri: str) -> str:
    """Write an IRI as ``prefix:name`` when its namespace is in :data:`PREFIXES`, else as ``<iri>``.

    >>> curie("http://www.w3.org/ns/org#role"), curie("https://example.org/x")
    ('org:role', '<https://example.org/x>')
    """
    for namespace, prefix in _BY_LENGTH:
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


_BY_LENGTH = sorted(((iri, prefix) for prefix, iri in PREFIXES.items()), key=lambda item: -len(item[0]))
