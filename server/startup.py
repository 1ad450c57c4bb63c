"""Start-up checks of ``ptce serve``: every source file parses, and the data conforms to the shapes.

A file that does not parse gives one ``FILE:LINE:COL: message`` line (no traceback); data that violates the
shapes gives the validator's report, one line per violation. A dataset judged conforming is remembered by
the fingerprint of its files' contents (``CACHE_DIR``), so a restart with unchanged files skips the shapes;
``STARTUP_SHAPES_CHECK = False`` skips them always (large generated data, with a warning).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from server.dataset.sources import check_syntax, discover_sources, fingerprint


def syntax_problems(config) -> list[str]:
    """Lines ``FILE:LINE:COL: message`` for every source file (data, ontology, shapes) that does not parse."""
    sources = discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    )
    return check_syntax(sources)


def _stamp(store, config) -> Path:
    key = hashlib.sha256(f"{fingerprint(store.sources)}|{config['BASE_IRI']}".encode()).hexdigest()
    return Path(config["CACHE_DIR"]) / "conforming" / key


def dataset_conforms(store) -> bool:
    """Judge the whole dataset at once with pyshacl (2 s on data/, 19 s at 1,000 poles): no violation?"""
    from pyshacl import validate
    from rdflib import Graph

    from server.validator.shapes import prepared_shape_queries

    data, shapes = Graph(), Graph()  # pyshacl writes into its graphs: never hand it the store's
    data += store.rdflib_graph(("data", "ontology"))
    shapes += store.rdflib_graph(("shapes",))
    with prepared_shape_queries():
        conforms, _, _ = validate(
            data,
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
        )
    return bool(conforms)


def shape_violations(app, lang: str) -> list[str]:
    """The validator's lines for every data file's violations (empty when the data conforms).

    The whole dataset is judged at once first; only when it does not conform is each file judged by the
    validator, for its ``FILE:LINE:COL`` lines (slower: about 1 s per file of data/).
    """
    from server.validator.judge import judge_from_store
    from server.validator.pipeline import validate_with_judge
    from server.validator.render import problem_line

    store, config = app.extensions["ptce"], app.config
    stamp = _stamp(store, config)
    if stamp.is_file():
        return []
    try:
        conforms = dataset_conforms(store)
    except Exception as error:  # noqa: BLE001 - one clear line, and the data is not served unchecked
        return [f"data:0:0: the shapes could not be checked: {error!r}"[:500]]
    lines = []
    judge = None if conforms else judge_from_store(store, config)
    for source in [] if conforms else store.sources:
        if source.kind != "data":
            continue
        data = source.path.read_bytes()
        try:
            report = validate_with_judge(
                data, judge, lang=lang, max_bytes=len(data) + 1, timeout=None, isolate=False
            )
        except Exception as error:  # noqa: BLE001 - one clear line, and the data is not served unchecked
            lines.append(f"{source.path}:0:0: the shapes could not be checked: {error!r}"[:500])
            continue
        lines += [problem_line(str(source.path), problem) for problem in report.violations]
    if not conforms and not lines:  # a violation no single file shows (files judged together)
        lines.append("data:0:0: violation: the dataset as a whole violates the shapes (see ptce validate)")
    if not lines:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text("conforms\n")
        except OSError:
            pass  # no cache: the next start checks again
    return lines
