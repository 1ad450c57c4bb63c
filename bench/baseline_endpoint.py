"""The baseline a Python user would pick: plain rdflib-endpoint over an rdflib Graph of the same files."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    """Usage: ``python bench/baseline_endpoint.py PORT DIR...``; serves DIR/*.ttl at /sparql."""
    port, folders = int(sys.argv[1]), sys.argv[2:]
    dataset = Dataset(default_union=True)
    for folder in folders:
        for path in sorted(Path(folder).glob("*.ttl")):
            dataset.graph(f"urn:graph:{path.stem}").parse(path, format="turtle")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
