"""The same file gives the same report whatever Python's hash seed: a dangling link or an unknown commune named
twice is reported once, at the same place (not wherever the graph's iteration order put it first), and a SPARQL
constraint's message is in the report's language (not whichever of its messages a set yielded first)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CONTRIBUTION = """@prefix ptce: <https://w3id.org/ptce/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix pole: <https://w3id.org/ptce/id/pole/> .
@prefix orga: <https://w3id.org/ptce/id/organisation/> .
@prefix commune: <https://w3id.org/ptce/id/commune/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

pole:twin-0 schema:foundingDate "2999"^^xsd:gYear .
""" + "".join(
    f"""
pole:twin-{n} a ptce:Pole ; rdfs:label "Pôle jumeau {n}"@fr ; schema:location commune:99999 ;
  org:hasMember orga:nobody-{n % 2} , orga:nobody-shared ; schema:subjectOf orga:nobody-shared .
"""
    for n in range(8)
)


@pytest.mark.slow
def test_the_report_does_not_depend_on_the_hash_seed(tmp_path):
    path = tmp_path / "twins.ttl"
    path.write_text(CONTRIBUTION, encoding="utf-8")
    ptce = str(Path(sys.executable).parent / "ptce")
    reports = {
        subprocess.run(
            [ptce, "validate", "--format", "text", "--lang", "en", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            timeout=120,
        ).stdout
        for seed in range(1, 5)
    }
    assert len(reports) == 1, "the report changes with the hash seed"
    (report,) = reports
    assert "99999" in report and "nobody-shared" in report
    assert "The date 2999 is in the future" in report
