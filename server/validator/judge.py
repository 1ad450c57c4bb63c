"""The trusted side of a validation: our shapes, our ontology, the live dataset and its vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from server import config as defaults
from server.validator import communes
from server.validator.vocabulary import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class Judge:
    """The trusted side of a validation: our shapes, our ontology and the live dataset (never the upload)."""

    shapes: Graph
    ontology: Graph
    live_graph: Graph
    vocabulary: Vocabulary
    base_iri: str = defaults.BASE_IRI
    memory_bytes: int = defaults.VALIDATION_MEMORY_LIMIT  # the validation child's, on top of the server's


def judge_from_store(store, config) -> Judge:
    """Build the judge from the store's cached rdflib views (shapes, ontology, data + ontology)."""
    ontology = store.rdflib_graph(("ontology",))
    communes.load_official()  # shared with every validation child, not read again by each
    return Judge(
        store.rdflib_graph(("shapes",)),
        ontology,
        store.rdflib_graph(("data", "ontology")),
        load_vocabulary(ontology),
        config["BASE_IRI"],
        int(config["VALIDATION_MEMORY_LIMIT"]),
    )
