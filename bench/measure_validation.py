"""Time validating contributions against a live dataset of generated poles (run by hand).

.venv/bin/python bench/generate.py 10000
.venv/bin/python bench/measure_validation.py bench/out/poles-10000            # two one-pole files
.venv/bin/python bench/measure_validation.py --triples 10000                  # a 10,000-triple file, on data/

With ``--triples N`` the contribution is the first N triples (whole poles) of
``bench/out/poles-1000/synth-poles.ttl`` (``bench/generate.py 1000``), validated in process; the best of
``--runs`` runs after a warm-up is printed, wall-clock and CPU time of this process (on a shared machine the
CPU time moves less with the load), with the load average before and after. ``--profile`` prints instead
the top of a cProfile of one run, by cumulative time (cProfile makes the run 2-3 times slower).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

from server import create_app
from server.validator import judge_from_store, validate_with_judge

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "tests" / "cases" / "validator"


def first_triples(path: Path, triples: int) -> bytes:
    """The prefixes of a generated file and its first poles, up to about ``triples`` triples."""
    head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    text, count = head + "\n\n", 0
    for index, block in enumerate(body.split("\npole:")):
        chunk = ("pole:" if index else "") + block + "\n"
        text += chunk
        count += chunk.count(" ;") + chunk.count(" .")
        if count >= triples:
            break
    return text.encode()


def main() -> None:
    """Validate example contributions against the dataset in the given folders; print the times."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="*", help="live dataset folders (default: the project's data/)")
    parser.add_argument("--triples", type=int, help="time one contribution of about this many triples")
    parser.add_argument("--source", type=Path, default=HERE / "out" / "poles-1000" / "synth-poles.ttl")
    parser.add_argument("--runs", type=int, default=2, help="timed runs after the warm-up (best is printed)")
    parser.add_argument("--profile", type=int, metavar="N", help="print the top N functions of a profile")
    args = parser.parse_args()
    app = create_app({"DATA_DIRS": args.data} if args.data else {})
    store = app.extensions["ptce"]
    judge = judge_from_store(store, app.config)
    print(f"live dataset: {len(store)} triples")
    if args.triples:
        data = first_triples(args.source, args.triples)
        validate_with_judge(data, judge, lang="en", isolate=False)  # warm-up
        if args.profile:
            profile = cProfile.Profile()
            report = profile.runcall(validate_with_judge, data, judge, lang="en", isolate=False)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
            return
        load = os.getloadavg()[0]
        times, cpu = [], []
        for _ in range(args.runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            report = validate_with_judge(data, judge, lang="en", isolate=False)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        print(
            f"{args.triples} triples: {report.status}, {len(report.problems)} problem(s), {min(times):.2f} s"
            f" (CPU {min(cpu):.2f} s; load average {load:.2f} -> {os.getloadavg()[0]:.2f})"
        )
        return
    for isolate in (False, True):  # in process, then in a forked child, as the server runs it
        for name in ("valid-pole.ttl", "broken-membership-role.ttl"):
            began = time.perf_counter()
            report = validate_with_judge((EXAMPLES / name).read_bytes(), judge, lang="en", isolate=isolate)
            elapsed = time.perf_counter() - began
            where = "forked child" if isolate else "in process"
            print(f"{name} ({where}): {report.status}, {len(report.problems)} problem(s), {elapsed:.2f} s")


if __name__ == "__main__":
    main()
