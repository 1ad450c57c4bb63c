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


@pytest.mark.parametrize("token", ["x" * 5000, "ex:" + "y" * 5000])
def test_a_syntax_error_quotes_only_a_short_excerpt_of_a_huge_token(runner, tmp_path, token):
    path = tmp_path / "long.ttl"
    path.write_text(f"@prefix ex: <https://example.org/> .\nex:a ex:b {token} ex:c .\n")
    result = runner.invoke(main, ["validate", "--lang", "en", str(path)])
    assert result.exit_code == 2
    assert max(len(line) for line in result.output.splitlines()) < len(str(path)) + 300, result.output[:500]
