"""The endpoint's SPARQL Service Description (rdflib-endpoint's SparqlRouter) with VoID statistics."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib_endpoint import SparqlRouter
from rdflib_endpoint.utils import FORMATS

from server.namespaces import PREFIXES, SD, VOID
from server.sparql.examples import example_queries

TITLE = "PTCE Graph SPARQL endpoint"
DESCRIPTION = (
    "Read-only SPARQL 1.1 endpoint over the knowledge graph of the French territorial economic cooperation "
    "poles (PTCE). SERVICE, LOAD and SPARQL Update are disabled."
)
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "RDF_XML",
    "N-Triples",
)
#: Stands for the endpoint's URL in the template, replaced by the URL of each request.
ENDPOINT = URIRef("urn:x-ptce:sparql-endpoint")


def _dataset_graph(endpoint: str, graph_sizes: dict[str, int]) -> Graph:
    sd = Graph()
    service = URIRef(endpoint)
    dataset, default_graph = BNode("dataset"), BNode("defaultGraph")
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, service))
    sd.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMATS:
        sd.add((service, SD.resultFormat, FORMATS[name]))
    sd.add((service, SD.defaultDataset, dataset))
    sd.add((dataset, RDF.type, SD.Dataset))
    sd.add((dataset, RDF.type, VOID.Dataset))
    sd.add((dataset, VOID.sparqlEndpoint, service))
    sd.add((dataset, VOID.triples, Literal(sum(graph_sizes.values()), datatype=XSD.integer)))
    sd.add((dataset, SD.defaultGraph, default_graph))
    sd.add((default_graph, RDF.type, SD.Graph))
    sd.add((default_graph, VOID.triples, Literal(sum(graph_sizes.values()), datatype=XSD.integer)))
    for index, (name, size) in enumerate(sorted(graph_sizes.items())):
        named, graph = BNode(f"named{index}"), BNode(f"graph{index}")
        sd.add((dataset, SD.namedGraph, named))
        sd.add((named, RDF.type, SD.NamedGraph))
        sd.add((named, SD.name, URIRef(name)))
        sd.add((named, SD.graph, graph))
        sd.add((graph, RDF.type, SD.Graph))
        sd.add((graph, VOID.triples, Literal(size, datatype=XSD.integer)))
    return sd


def description_template(graph_sizes: dict[str, int]) -> Graph:
    """Build the service description once per dataset, with :data:`ENDPOINT` standing for the endpoint URL.

    rdflib-endpoint's ``SparqlRouter`` completes our graph (label, description, language); we then take
    out what it claims but we refuse: federated query (SERVICE) and input formats (no updates).
    """
    router = SparqlRouter(
        path="/sparql",
        graph=Graph(),
        service_description=_dataset_graph(str(ENDPOINT), graph_sizes),
        title=TITLE,
        description=DESCRIPTION,
        public_url=str(ENDPOINT),
        enable_update=False,
        example_queries=example_queries(),
    )
    sd = router.service_description
    sd.remove((None, SD.feature, SD.BasicFederatedQuery))
    sd.remove((None, SD.inputFormat, None))
    return sd


def service_description(template: Graph, endpoint: str) -> Graph:
    """Return a copy of the template that names the endpoint by the URL the client used (nothing cached)."""
    url = URIRef(endpoint)
    sd = Graph()
    for prefix, namespace in PREFIXES.items():
        sd.bind(prefix, namespace, replace=True)
    for triple in template:
        sd.add(tuple(url if term == ENDPOINT else term for term in triple))
    return sd
