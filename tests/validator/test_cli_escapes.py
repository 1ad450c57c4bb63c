"""``ptce validate`` shows terminal control characters from a file escaped, in every output format."""

from __future__ import annotations

import re

import pytest

from server.cli import main

EVIL = (
    "@prefix ptce: <https://w3id.org/ptce/ontology#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "<https://w3id.org/ptce/id/pole/evil> a ptce:Pole ;\n"
    '    rdfs:label "Evil\\u001b]0;pwned\\u0007 pole\\u009b31m"@fr .\n'
)
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("output", ["text", "json", "turtle"])
def test_control_characters_from_labels_are_escaped(runner, tmp_path, output):
    path = tmp_path / "evil.ttl"
    path.write_text(EVIL)
    result = runner.invoke(main, ["validate", "--lang", "en", "--format", output, str(path)])
    assert result.exit_code == 1, result.output
    assert not CONTROL.search(result.output), repr(CONTROL.search(result.output))
    if output == "text":
        assert "Evil\\u001b]0;pwned\\u0007 pole\\u009b31m" in result.output
