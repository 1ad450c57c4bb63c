"""The dataset as a document: VoID and DCAT description, and whole-dataset dumps (Flask-free)."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import threading
import weakref
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from server.dataset.base import QueryableStore
from server.formats import RDF_FORMATS, RdfFormat
from server.namespaces import DCAT, PREFIXES, SD, VOID
from server.web.describe import labels_of, new_graph

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"

#: Dump file name -> its format; each one also exists gzipped (name + ".gz").
DUMPS: dict[str, RdfFormat] = {f"ptce.{key}": RDF_FORMATS[key] for key in ("ttl", "nt", "jsonld", "nq")}
EXAMPLES = """SELECT ?x WHERE { { SELECT ?x WHERE { ?x a ptce:Pole } ORDER BY ?x LIMIT 3 }
  UNION { SELECT ?x WHERE { ?x a org:Organization } ORDER BY ?x LIMIT 2 } }"""
SOURCES = "SELECT DISTINCT ?src WHERE { ?s dcterms:source ?src FILTER isIRI(?src) } ORDER BY ?src"
CLASS_COUNTS = "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY ?c"


def dump_media_type(name: str) -> str | None:
    """Return the media type of a dump file name (gzip for ``.gz``), or None if there is no such dump.

    >>> dump_media_type("ptce.ttl"), dump_media_type("ptce.nt.gz"), dump_media_type("../etc/passwd")
    ('text/turtle', 'application/gzip', None)
    """
    if name.endswith(".gz") and name[:-3] in DUMPS:
        return "application/gzip"
    return DUMPS[name].media_type if name in DUMPS else None


class DumpCache:
    """Dumps of the data graphs, serialised on first request into files on disk (the data are read-only).

    The files are streamed to clients through ``wsgi.file_wrapper``: no thread waits on a slow reader and
    no dump is held in memory. Their folder is removed with the cache.
    """

    def __init__(self, store: QueryableStore):
        self.store = store
        self._files: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="ptce-dumps-"))
        weakref.finalize(self, shutil.rmtree, self._folder, True)

    def _quads(self) -> list[ox.Quad]:
        graphs = " ".join(f"<{s.graph}>" for s in self.store.sources if s.kind == "data")
        query = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        rows = self.store.query(query)
        return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]

    def _serialise(self, name: str) -> bytes:
        rdf_format = DUMPS[name].oxigraph
        quads = self._quads()
        if rdf_format is ox.RdfFormat.N_QUADS:
            return ox.serialize(sorted(quads, key=str), format=rdf_format)
        triples = sorted({quad.triple for quad in quads}, key=str)
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)

    def path(self, name: str) -> Path:
        """Return the file of a dump, written the first time (``name`` as :func:`dump_media_type` allows)."""
        with self._lock:
            if name not in self._files:
                if name.endswith(".gz"):
                    body = gzip.compress(self._serialise(name[:-3]), mtime=0)
                else:
                    body = self._serialise(name)
                path = self._folder / name
                path.write_bytes(body)
                self._files[name] = path
            return self._files[name]

    def get(self, name: str) -> bytes:
        """Return the bytes of a dump (``name`` must satisfy :func:`dump_media_type`)."""
        return self.path(name).read_bytes()


def _add_distributions(graph: Graph, dataset: URIRef, base: str) -> None:
    for name, fmt in DUMPS.items():
        media_type = fmt.media_type
        for file_name, compressed in ((name, False), (name + ".gz", True)):
            dist = URIRef(f"{base}dumps/{file_name}")
            graph.add((dataset, DCAT.distribution, dist))
            graph.add((dataset, VOID.dataDump, dist))
            graph.add((dist, RDF.type, DCAT.Distribution))
            graph.add((dist, DCAT.downloadURL, dist))
            graph.add((dist, DCAT.mediaType, URIRef(IANA + media_type)))
            graph.add((dist, DCTERMS.title, Literal(f"Dump {file_name}")))
            graph.add((dist, DCTERMS.license, LICENSE))
            if compressed:
                graph.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))


#: The poles in formats people use beyond RDF: file name -> (media type, French and English titles).
TABLES = {
    "poles.geojson": ("application/geo+json", "Les pôles localisés (GeoJSON)", "The located poles (GeoJSON)"),
    "poles.csv": ("text/csv", "Les pôles (CSV)", "The poles (CSV)"),
}


def _add_tables(graph: Graph, dataset: URIRef, base: str) -> None:
    """Add the GeoJSON and CSV files of the poles as distributions (a subset of the data, not dumps)."""
    for name, (media_type, title_fr, title_en) in TABLES.items():
        dist = URIRef(f"{base}{name}")
        graph.add((dataset, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCAT.downloadURL, dist))
        graph.add((dist, DCAT.mediaType, URIRef(IANA + media_type)))
        graph.add((dist, DCTERMS.title, Literal(title_fr, lang="fr")))
        graph.add((dist, DCTERMS.title, Literal(title_en, lang="en")))
        graph.add((dist, DCTERMS.license, LICENSE))


def _add_change_feed(graph: Graph, dataset: URIRef, base: str) -> None:
    """Add the change feed (Activity Streams 2.0, IIIF Change Discovery style) as a distribution: every
    accepted or reverted contribution, with its patch (server.history)."""
    feed = URIRef(f"{base}changes")
    graph.add((dataset, DCAT.distribution, feed))
    graph.add((feed, RDF.type, DCAT.Distribution))
    graph.add((feed, DCAT.downloadURL, feed))
    graph.add((feed, DCAT.mediaType, URIRef(IANA + "application/ld+json")))
    graph.add((feed, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/activitystreams-core/")))
    graph.add((feed, DCTERMS.conformsTo, URIRef("https://iiif.io/api/discovery/1.0/")))
    graph.add((feed, DCTERMS.title, Literal("Flux des modifications (Activity Streams 2.0)", lang="fr")))
    graph.add((feed, DCTERMS.title, Literal("Change feed (Activity Streams 2.0)", lang="en")))
    graph.add((feed, DCTERMS.license, LICENSE))


def _add_service(graph: Graph, dataset: URIRef, base: str) -> None:
    endpoint = URIRef(f"{base}sparql")
    graph.add((dataset, VOID.sparqlEndpoint, endpoint))
    service = URIRef(f"{base}sparql#service")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, DCTERMS.title, Literal("Point d'accès SPARQL PTCE Graph", lang="fr")))
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((dataset, DCAT.accessService, service))


def _add_statistics(graph: Graph, store: QueryableStore, dataset: URIRef) -> None:
    sizes = store.graph_sizes()
    data_graphs = [s for s in store.sources if s.kind == "data"]
    graph.add((dataset, VOID.triples, Literal(sum(sizes.get(s.graph, 0) for s in data_graphs))))
    for source in data_graphs:
        subset = URIRef(source.graph)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(sizes.get(source.graph, 0))))
        graph.add((subset, DCTERMS.title, Literal(source.path.name)))
    for row in store.select(CLASS_COUNTS):
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], row["c"]))
        graph.add((partition, VOID.entities, Literal(int(row["n"]))))


def last_modified(store: QueryableStore) -> datetime:
    """Return the latest modification time of the dataset's files (UTC)."""
    newest = max((s.path.stat().st_mtime for s in store.sources), default=0)
    return datetime.fromtimestamp(int(newest), tz=UTC)


DESCRIPTIONS = {
    "fr": "Graphe de connaissances des pôles territoriaux de coopération économique (PTCE) : "
    "pôles, acteurs, territoires, appels à projets et sources.",
    "en": "Knowledge graph of the French territorial economic cooperation clusters (PTCE): "
    "poles, actors, territories, calls for projects and sources.",
}
VOCABULARIES = ("org", "skos", "dcterms", "schema", "geo", "igeo")


def _add_header(graph: Graph, dataset: URIRef, base: str) -> None:
    """Add the catalogue, titles, descriptions, licence and publisher."""
    catalog, publisher = URIRef(f"{base}catalog"), URIRef(f"{base}dataset#publisher")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Catalogue PTCE Graph", lang="fr")))
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((catalog, DCAT.service, URIRef(f"{base}sparql#service")))
    for kind in (VOID.Dataset, DCAT.Dataset):
        graph.add((dataset, RDF.type, kind))
    graph.add((dataset, DCTERMS.title, Literal("PTCE Graph", lang="fr")))
    graph.add((dataset, RDFS.label, Literal("PTCE Graph", lang="fr")))
    for lang, text in DESCRIPTIONS.items():
        graph.add((dataset, DCTERMS.description, Literal(text, lang=lang)))
    graph.add((dataset, DCTERMS.license, LICENSE))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("Équipe PTCE Graph", lang="fr")))
    graph.add((dataset, DCTERMS.publisher, publisher))


def dataset_description(store: QueryableStore, base: str, ontology_iri: str) -> Graph:
    """Return the VoID + DCAT description of the dataset, its dumps, SPARQL service and catalogue."""
    graph = new_graph()
    dataset = URIRef(f"{base}dataset")
    _add_header(graph, dataset, base)
    modified = last_modified(store).date().isoformat()
    graph.add((dataset, DCTERMS.modified, Literal(modified, datatype=XSD.date)))
    graph.add((dataset, VOID.uriSpace, Literal(f"{base}id/")))
    for vocabulary in (ontology_iri, *(PREFIXES[p] for p in VOCABULARIES)):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(f"{base}shapes")))
    for row in store.select(EXAMPLES):
        graph.add((dataset, VOID.exampleResource, row["x"]))
    for row in store.select(SOURCES):
        graph.add((dataset, DCTERMS.source, row["src"]))
    _add_statistics(graph, store, dataset)
    _add_distributions(graph, dataset, base)
    _add_tables(graph, dataset, base)
    _add_service(graph, dataset, base)
    _add_change_feed(graph, dataset, base)
    labels = labels_of(store, graph.objects(dataset, VOID.exampleResource), "fr")
    for iri, label in labels.items():
        graph.add((iri, RDFS.label, Literal(label, lang="fr")))
    return graph
