"""The on-disk store is rebuilt when a file's content changes, even with the same size and time."""

from __future__ import annotations

import os

from server.dataset.embedded import GraphStore
from server.dataset.sources import discover_sources


def open_store(folder, store_path) -> GraphStore:
    sources = discover_sources(
        "https://example.org/", str(folder / "ontology"), str(folder / "shapes"), [str(folder / "data")]
    )
    return GraphStore(sources, "https://example.org/", str(store_path))


def values(store: GraphStore) -> list[str]:
    return [row["o"].value for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]


def test_a_same_size_edit_with_the_time_kept_is_seen(tmp_path):
    for name in ("data", "ontology", "shapes"):
        (tmp_path / name).mkdir()
    data = tmp_path / "data" / "items.ttl"
    data.write_text('<https://example.org/s> <https://example.org/p> "old" .\n')
    first = open_store(tmp_path, tmp_path / "store")
    assert values(first) == ["old"]
    del first
    stat = data.stat()
    data.write_text('<https://example.org/s> <https://example.org/p> "new" .\n')
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert data.stat().st_size == stat.st_size and data.stat().st_mtime_ns == stat.st_mtime_ns
    assert values(open_store(tmp_path, tmp_path / "store")) == ["new"]
