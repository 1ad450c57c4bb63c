"""STORE_PATH "auto": small data in memory, large data on disk in CACHE_DIR/stores, old stores pruned."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from server import create_app
from server.dataset import KEPT_STORES, STORE_BYTES_PER_TURTLE_BYTE, memory_budget, store_location
from server.dataset.sources import discover_sources

ROW = '<https://example.org/s{n}> <https://example.org/p> "{text}" .\n'


def make_dataset(folder, text: str = "one", rows: int = 3):
    for name in ("data", "ontology", "shapes"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / "data" / "items.ttl").write_text("".join(ROW.format(n=n, text=text) for n in range(rows)))
    return discover_sources(
        "https://example.org/", str(folder / "ontology"), str(folder / "shapes"), [str(folder / "data")]
    )


def settings(tmp_path, **extra):
    return {
        "STORE_PATH": "auto",
        "STORE_MEMORY_MAX_BYTES": 1000,
        "CACHE_DIR": str(tmp_path / "cache"),
        **extra,
    }


def test_small_data_stays_in_memory(tmp_path):
    sources = make_dataset(tmp_path / "d")
    assert store_location(settings(tmp_path), sources) is None
    assert not (tmp_path / "cache").exists()


def test_large_data_goes_to_a_folder_named_by_its_files(tmp_path):
    sources = make_dataset(tmp_path / "d", rows=50)  # about 2.6 kB, over the 1,000-byte threshold
    where = store_location(settings(tmp_path), sources)
    assert where is not None and where.startswith(str(tmp_path / "cache" / "stores"))
    assert store_location(settings(tmp_path), sources) == where  # the same files: the same store
    changed = make_dataset(tmp_path / "d", text="two", rows=50)
    assert store_location(settings(tmp_path), changed) != where


def test_explicit_settings_win(tmp_path):
    sources = make_dataset(tmp_path / "d", rows=50)
    assert store_location(settings(tmp_path, STORE_PATH=None), sources) is None
    assert store_location(settings(tmp_path, STORE_PATH=str(tmp_path / "mine")), sources) == str(
        tmp_path / "mine"
    )


def test_only_the_last_stores_are_kept(tmp_path):
    folders = [
        store_location(settings(tmp_path), make_dataset(tmp_path / "d", text=f"v{n}", rows=50))
        for n in range(4)
    ]
    kept = sorted(path.name for path in (tmp_path / "cache" / "stores").iterdir())
    assert len(kept) == KEPT_STORES
    assert sorted(folder.rsplit("/", 1)[1] for folder in folders[-KEPT_STORES:]) == kept


@pytest.mark.slow
def test_an_app_over_large_data_serves_queries_from_the_disk_store(tmp_path):
    make_dataset(tmp_path / "d", rows=50)
    app = create_app(
        {
            "TESTING": True,
            **settings(tmp_path),
            "DATA_DIRS": [str(tmp_path / "d" / "data")],
            "ONTOLOGY_DIR": str(tmp_path / "d" / "ontology"),
            "SHAPES_DIR": str(tmp_path / "d" / "shapes"),
            "STARTUP_SHAPES_CHECK": False,
        }
    )
    store = app.extensions["ptce"].store
    assert isinstance(store, ox.Store) and len(store) == 50
    assert any((tmp_path / "cache" / "stores").iterdir())
    response = app.test_client().get(
        "/sparql",
        query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/p> ?o }"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.text.split() == ["n", "50"]


def test_the_default_budget_keeps_the_worst_case_in_half_the_memory():
    budget = memory_budget(workers=2, memory_bytes=24 << 30)
    assert (
        budget * STORE_BYTES_PER_TURTLE_BYTE * 3 <= 12 << 30 < (budget + 1) * STORE_BYTES_PER_TURTLE_BYTE * 3
    )
    assert memory_budget(workers=8, memory_bytes=24 << 30) < budget


def test_without_a_budget_the_machine_decides(tmp_path):
    sources = make_dataset(tmp_path / "d", rows=50)
    assert store_location(settings(tmp_path, STORE_MEMORY_MAX_BYTES=None, SPARQL_WORKERS=2), sources) is None
