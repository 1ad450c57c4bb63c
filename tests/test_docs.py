"""The README is a front door: small, its links and anchors resolve, its commands are the ones CI runs."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(path: Path) -> str:
    """The Markdown text of ``path`` without its fenced code blocks (links there are not links)."""
    return FENCE.sub("", path.read_text(encoding="utf-8"))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.

    >>> slug("Virtuoso 7.2 quirks, and what RemoteStore does about them")
    'virtuoso-72-quirks-and-what-remotestore-does-about-them'
    >>> slug("1. Écrire la description de votre pôle")
    '1-écrire-la-description-de-votre-pôle'
    >>> slug("Validator: `/validate` and `ptce validate`")
    'validator-validate-and-ptce-validate'
    """
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub makes for the headings of ``path`` (repeated headings get -1, -2...)."""
    seen: dict[str, int] = {}
    out = set()
    for heading in HEADING.findall(_prose(path)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def _links() -> list:
    cases = []
    for page in PAGES:
        for target in LINK.findall(_prose(page)):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:... are not checked here
                continue
            cases.append(pytest.param(page, target, id=f"{page.relative_to(ROOT)}->{target}"))
    return cases


def test_readme_is_small():
    """The README stays a front door: at most 12 KB; the rest lives in docs/."""
    size = len(README.read_bytes())
    assert size <= 12_288, f"README.md is {size} bytes: move sections into docs/ and link them"


@pytest.mark.parametrize(("page", "target"), _links())
def test_relative_link_resolves(page: Path, target: str):
    """Every relative link points to an existing file, and every #anchor to a heading of that file."""
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    assert file.exists(), f"{page.relative_to(ROOT)}: {target} does not exist"
    if anchor and file.suffix == ".md":
        assert anchor in anchors(file), f"{page.relative_to(ROOT)}: no heading for #{anchor} in {file.name}"


def test_every_docs_page_is_linked_from_the_readme():
    """Each moved section is reachable: the README links every page of docs/ and the benchmark report."""
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(_prose(README))}
    for page in PAGES[1:]:
        assert page.resolve() in linked, f"README.md does not link {page.relative_to(ROOT)}"


def test_readme_test_command_is_what_ci_runs():
    """The README's test command is, word for word, the command .ci/run runs."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = next(line for line in ci if line.startswith("python3 -m venv .venv") and "pytest" in line)
    assert command in README.read_text(encoding="utf-8").splitlines()


def test_readme_keeps_the_counts_markers():
    """bench/counts.py --write README.md rewrites what is between these markers."""
    text = README.read_text(encoding="utf-8")
    assert text.count("<!-- counts:start -->") == 1
    assert text.index("<!-- counts:start -->") < text.index("<!-- counts:end -->")


def test_contributing_example_is_the_valid_test_case():
    """The commented example of docs/contributing.md is the valid case the validator's tests accept."""
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    example = re.search(r"```turtle\n(.*?)```", text, re.DOTALL).group(1)
    case = ROOT / "tests" / "cases" / "validator" / "valid-pole.ttl"
    assert isomorphic(Graph().parse(data=example, format="turtle"), Graph().parse(case, format="turtle"))


def test_benchmark_report_is_generated():
    """The figures of bench/README.md are what bench/report.py makes of bench/results.json, not a copy."""
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    data = json.loads(report.RESULTS.read_text(encoding="utf-8"))
    section = report.render(
        data["rows"], data["validation"], data["command"], data.get("peers"), data.get("machine")
    )
    text = report.README.read_text(encoding="utf-8")
    assert f"{report.START}\n{section}{report.END}" in text, "run: python bench/report.py"


def test_readme_counts_are_those_of_the_data():
    spec = importlib.util.spec_from_file_location("bench_counts", ROOT / "bench" / "counts.py")
    counts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(counts)
    table = counts.table(counts.load())
    assert f"{counts.START}\n{table}{counts.END}" in README.read_text(encoding="utf-8"), (
        "run: .venv/bin/python bench/counts.py --write README.md"
    )
