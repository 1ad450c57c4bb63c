"""Push the dataset files into an external SPARQL engine, one named graph per file (``ptce load``)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import requests

from server.dataset.base import BackendError
from server.dataset.sources import DatasetError, SourceFile, discover_sources


def backend_auth(config) -> requests.auth.AuthBase | None:
    """Build the HTTP credentials of the engine from SPARQL_BACKEND_USER/_PASSWORD/_AUTH (basic or digest)."""
    user = config.get("SPARQL_BACKEND_USER")
    if not user:
        return None
    password = config.get("SPARQL_BACKEND_PASSWORD") or ""
    if str(config["SPARQL_BACKEND_AUTH"]).lower() == "digest":
        return requests.auth.HTTPDigestAuth(user, password)
    return requests.auth.HTTPBasicAuth(user, password)


def read_triples(source: SourceFile) -> list[ox.Triple]:
    """Parse one Turtle file the way the embedded store does (same base IRI)."""
    try:
        return [
            quad.triple
            for quad in ox.parse(
                path=str(source.path), format=ox.RdfFormat.TURTLE, base_iri=source.path.resolve().as_uri()
            )
        ]
    except (SyntaxError, OSError) as error:
        raise DatasetError(f"{source.path}: {error}") from error


def _check(response: requests.Response, action: str) -> None:
    if response.status_code >= 300:
        raise BackendError(f"{action} failed (HTTP {response.status_code}): {response.text.strip()[:300]}")


def _send(session: requests.Session, method: str, url: str, action: str, timeout: float, **kwargs) -> None:
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as error:
        raise BackendError(f"{action}: the SPARQL engine is unreachable ({error})") from error
    _check(response, action)


def put_graph(session, graph_store_url: str, graph: str, triples: list[ox.Triple], timeout: float) -> None:
    """Replace one named graph with the Graph Store Protocol (HTTP PUT of N-Triples)."""
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    headers = {"Content-Type": "application/n-triples; charset=utf-8"}
    params = {"graph": graph}
    _send(
        session, "PUT", graph_store_url, f"PUT <{graph}>", timeout, params=params, data=body, headers=headers
    )


def update_chunks(graph: str, triples: list[ox.Triple], chunk_size: int) -> Iterator[str]:
    """Yield SPARQL Update requests that replace a graph: DROP SILENT, then INSERT DATA in chunks.

    Triples with blank nodes go together in one ``INSERT {} WHERE {}``: labels are scoped to one
    request, and Virtuoso 7 refuses blank nodes in INSERT DATA.
    """
    plain, with_blank_nodes = [], []
    for triple in triples:
        has_blank = isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
        (with_blank_nodes if has_blank else plain).append(triple)
    requests_text = [f"DROP SILENT GRAPH <{graph}>"]
    for start in range(0, len(plain), chunk_size):
        lines = ox.serialize(plain[start : start + chunk_size], format=ox.RdfFormat.N_TRIPLES).decode()
        requests_text.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{lines}}} }}")
    if with_blank_nodes:
        lines = ox.serialize(with_blank_nodes, format=ox.RdfFormat.N_TRIPLES).decode()
        requests_text.append(f"INSERT {{ GRAPH <{graph}> {{\n{lines}}} }} WHERE {{}}")
    # The DROP travels with the first chunk, so readers never see the graph missing for long.
    yield " ;\n".join(requests_text[:2])
    yield from requests_text[2:]


def load_into_engine(config, chunk_size: int = 5000) -> list[tuple[SourceFile, int]]:
    """Replace every dataset graph in the engine by the triples of its file; return (source, count) pairs.

    Uses SPARQL_BACKEND_GRAPH_STORE_URL (Graph Store Protocol) when set, else SPARQL_BACKEND_UPDATE_URL.
    Idempotent: running it twice leaves the engine in the same state.
    """
    gsp_url, update_url = (
        config.get("SPARQL_BACKEND_GRAPH_STORE_URL"),
        config.get("SPARQL_BACKEND_UPDATE_URL"),
    )
    if not gsp_url and not update_url:
        raise BackendError(
            "set SPARQL_BACKEND_GRAPH_STORE_URL (Graph Store Protocol) "
            "or SPARQL_BACKEND_UPDATE_URL (SPARQL Update)"
        )
    sources = discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    )
    timeout = float(config["SPARQL_BACKEND_TIMEOUT"]) * 10  # loading is slower than querying
    session = requests.Session()
    session.auth = backend_auth(config)
    loaded = []
    for source in sources:
        triples = read_triples(source)
        if gsp_url:
            put_graph(session, gsp_url, source.graph, triples, timeout)
        else:
            for text in update_chunks(source.graph, triples, chunk_size):
                headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
                action = f"update of <{source.graph}>"
                _send(session, "POST", update_url, action, timeout, data=text.encode(), headers=headers)
        loaded.append((source, len(triples)))
    return loaded
