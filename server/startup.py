"""Start-up checks of ``ptce serve``: every source file parses, and the data conforms to the shapes.

A file that does not parse gives one ``FILE:LINE:COL: message`` line (no traceback); data that violates the
shapes gives the validator's report, one line per violation. A dataset judged conforming is remembered by
the fingerprint of its files' contents (``CACHE_DIR``), so a restart with unchanged files skips the shapes.
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


def shape_violations(app, lang: str) -> list[str]:
    """The validator's lines for every data file's violations (empty when the data conforms)."""
    from server.validator.judge import judge_from_store
    from server.validator.pipeline import validate_with_judge
    from server.validator.render import problem_line

    store, config = app.extensions["ptce"], app.config
    stamp = _stamp(store, config)
    if stamp.is_file():
        return []
    judge = judge_from_store(store, config)
    lines = []
    for source in store.sources:
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
    if not lines:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text("conforms\n")
        except OSError:
            pass  # no cache: the next start checks again
    return lines
