"""Time validating small contributions against a live dataset of generated poles (run by hand).

.venv/bin/python bench/generate.py 1000
.venv/bin/python bench/measure_validation.py bench/out/poles-1000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from server import create_app
from server.validator import judge_from_store, validate_with_judge

EXAMPLES = Path(__file__).resolve().parent.parent / "tests" / "cases" / "validator"


def main() -> None:
    """Validate two example contributions against the dataset in the given folder; print the times."""
    settings = {"DATA_DIRS": sys.argv[1:]} if len(sys.argv) > 1 else {}
    app = create_app(settings)
    store = app.extensions["ptce"]
    judge = judge_from_store(store, app.config)
    print(f"live dataset: {len(store)} triples")
    for name in ("valid-pole.ttl", "broken-membership-role.ttl"):
        began = time.perf_counter()
        report = validate_with_judge((EXAMPLES / name).read_bytes(), judge, lang="en", isolate=False)
        elapsed = time.perf_counter() - began
        print(f"{name}: {report.status}, {len(report.problems)} problem(s), {elapsed:.2f} s")


if __name__ == "__main__":
    main()
