"""Why SPARQL workers forked from an in-memory store cost memory: reading the store copies its pages.

Run by hand (not a test), after ``.venv/bin/python bench/generate.py 10000``::

    .venv/bin/python bench/measure_cow.py bench/out/poles-10000

It loads the files into an in-memory Oxigraph store, as ``ptce serve`` does, forks one child (as the fork
server forks a worker), runs the heavy queries of ``bench/run.py`` in the child and prints, after each,
the child's memory shared with the parent and its private memory (``/proc/self/smaps_rollup``). Oxigraph's
in-memory store writes to the pages it reads (reference counts on the quads it visits), so every worker
that scans the store ends up with a private copy of what it scanned. It then does the same with the store
on disk (``Store.read_only``), whose pages sit in the system's file cache, shared by every process.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from run import HEAVY, QUERIES  # noqa: E402

from server.namespaces import PREFIXES  # noqa: E402

FIELDS = ("Rss", "Pss", "Shared_Dirty", "Private_Dirty")


def memory_mb() -> dict[str, int]:
    """This process's resident, proportional, shared-dirty and private-dirty memory, in MB."""
    values = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in FIELDS:
            values[key] = int(rest.split()[0]) // 1024
    return values


def load(store: ox.Store, folder: Path) -> None:
    """Load every Turtle file of ``folder`` into its own named graph."""
    for path in sorted(folder.glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:{path.stem}"))


def child_rows(store: ox.Store, label: str) -> None:
    """In a forked child: run each heavy query and print the memory after it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        mem = memory_mb()
        lines = [f"| {label} | (none yet) | – | {mem['Shared_Dirty']} | {mem['Private_Dirty']} |"]
        for name in HEAVY:
            began = time.perf_counter()
            for _ in store.query(QUERIES[name], prefixes=PREFIXES, use_default_graph_as_union=True):
                pass
            spent = (time.perf_counter() - began) * 1000
            mem = memory_mb()
            lines.append(
                f"| {label} | {name} | {spent:.0f} | {mem['Shared_Dirty']} | {mem['Private_Dirty']} |"
            )
        os.write(write, ("\n".join(lines) + "\n").encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        print(pipe.read(), end="")
    os.waitpid(pid, 0)


def main() -> None:
    """Measure the child's memory on the in-memory store, then on the on-disk store."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    print(f"Data: {args.folder} · load average {os.getloadavg()[0]:.2f}\n")
    print("| store | query run in the forked child | ms | shared with the parent MB | private MB |")
    print("|---|---|---|---|---|")
    for label in ("in memory", "on disk"):
        pid = os.fork()  # each store loaded in a fresh process, as in `ptce serve`
        if pid == 0:
            with tempfile.TemporaryDirectory() as folder:
                store = ox.Store() if label == "in memory" else ox.Store(folder)
                load(store, args.folder)
                if label == "on disk":
                    store.flush()
                    del store
                    store = ox.Store.read_only(folder)
                child_rows(store, label)
            os._exit(0)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
