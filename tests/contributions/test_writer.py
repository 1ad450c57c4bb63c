"""Accept and revert write data/ exactly: one file per contribution with PROV, old values removed in place."""

from __future__ import annotations

import threading

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, XSD

from server.contributions import writer
from server.contributions.curation_error import CurationError
from server.contributions.files import remove_statement, restore_statement
from server.contributions.inbox import ACCEPTED, PENDING, REVERTED, Inbox
from tests.helpers.contributions import CHANGE_DIJON, PROJECT, VALID_POLE, config_for, copy_data, same_tree

BASE = "https://w3id.org/ptce/"
DIJON = URIRef(BASE + "id/commune/21231")
LAT = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")


@pytest.fixture
def setup(tmp_path):
    """A copy of data/, its config and an empty inbox."""
    data = copy_data(tmp_path)
    return data, config_for(data), Inbox(tmp_path / "inbox.sqlite3")


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_accept_writes_one_file_with_provenance_and_removes_the_replaced_value(setup):
    data, config, inbox = setup
    pole = inbox.add(VALID_POLE, {}, name="Alice Martin", email="alice@example.org", lang="en")
    change = inbox.add(CHANGE_DIJON, {}, name="Bob")
    outcome = writer.accept(inbox, pole, "carol", "fine", config)
    assert outcome.status == ACCEPTED and inbox.get(pole).status == ACCEPTED
    written = Graph().parse(outcome.data_file)
    graph = URIRef(f"{BASE}graph/contribution-{pole:05d}")
    assert (graph, PROV.wasDerivedFrom, URIRef(f"{BASE}contribution/{pole}")) in written
    assert (None, FOAF.name, Literal("Alice Martin")) in written
    assert (None, FOAF.nick, Literal("carol")) in written
    assert "alice@example.org" not in open(outcome.data_file).read()  # the e-mail stays in the inbox
    assert len(written) > len(Graph().parse(data=VALID_POLE, format="turtle"))
    before = (data / "territories.ttl").read_text().splitlines()
    assert writer.accept(inbox, change, "carol", "", config).removed == 1
    after = (data / "territories.ttl").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and "47.33187" in changed[0][0] and "47.33187" not in changed[0][1]
    assert 'geo:long "5.03222"^^xsd:decimal' in changed[0][1]  # the rest of the line is as it was
    territories = Graph().parse(data / "territories.ttl")
    assert (DIJON, LAT, Literal("47.33187", datatype=XSD.decimal)) not in territories
    history = [h["status"] for h in inbox.get(change).history]
    assert history == [PENDING, ACCEPTED]


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_revert_restores_data_byte_for_byte(setup):
    data, config, inbox = setup
    numbers = [inbox.add(VALID_POLE, {}), inbox.add(CHANGE_DIJON, {})]
    for number in numbers:
        writer.accept(inbox, number, "carol", "", config)
    for number in reversed(numbers):
        assert writer.revert(inbox, number, "carol", "mistake", config).status == REVERTED
    assert same_tree(data, PROJECT / "data")
    with pytest.raises(CurationError):
        writer.revert(inbox, numbers[0], "carol", "", config)


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_accept_revalidates_against_the_graph_as_it_is_now(setup):
    _, config, inbox = setup
    first, second = (
        inbox.add(VALID_POLE, {}),
        inbox.add(VALID_POLE.replace(b"dcterms:source", b"dcterms:source", 1), {}),
    )
    writer.accept(inbox, first, "carol", "", config)
    # the same pole again now only adds triples already there: still conforms, and is written once more
    assert writer.accept(inbox, second, "carol", "", config).status == ACCEPTED
    third = inbox.add(VALID_POLE.replace(b"role:partenaire", b"role:chef"), {})
    with pytest.raises(CurationError, match="no longer conforms"):
        writer.accept(inbox, third, "carol", "", config)
    assert inbox.get(third).status == PENDING


@pytest.mark.slow  # a second or more: left out of the inner loop
def test_concurrent_accepts_on_the_same_file_keep_both_changes(setup):
    data, config, inbox = setup
    lat = CHANGE_DIJON
    long = CHANGE_DIJON.replace(b'geo:lat "47.3222"', b'geo:long "5.0400"')
    numbers = [inbox.add(lat, {}), inbox.add(long, {})]
    errors = []

    def accept(number):
        try:
            writer.accept(inbox, number, "carol", "", config)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=accept, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    text = (data / "territories.ttl").read_text()
    assert "47.33187" not in text and '"5.03222"' not in text
    graph = Graph()
    for path in (data / "contributions").glob("*.ttl"):
        graph.parse(path)
    assert (DIJON, LAT, Literal("47.3222", datatype=XSD.decimal)) in graph


@pytest.mark.parametrize(
    "text, removed, expected",
    [
        ("ex:a ex:p 1 ;\n    ex:q 2 ;\n    ex:r 3 .\n", "q", "ex:a ex:p 1 ;\n    ex:r 3 .\n"),
        ("ex:a ex:p 1 ;\n    ex:q 2 .\n# end\n", "q", "ex:a ex:p 1 .\n# end\n"),
        ("ex:a ex:p 1 ; ex:q 2 ; ex:r 3 .\n", "q", "ex:a ex:p 1 ; ex:r 3 .\n"),
        ("ex:a ex:p 1 ; ex:q 2 .\n", "q", "ex:a ex:p 1 .\n"),
        ('ex:a ex:p 1 ;\n    ex:q "x, y" , 2 .\n', "q2", 'ex:a ex:p 1 ;\n    ex:q "x, y" .\n'),
    ],
)
def test_remove_statement_touches_only_its_own_text(text, removed, expected):
    source = "@prefix ex: <http://example.org/> .\n" + text
    ex = "http://example.org/"
    predicate, value = (removed[0], removed[1:] or "2")
    triple = (URIRef(ex + "a"), URIRef(ex + predicate), Literal(int(value)))
    result, edit = remove_statement(source, triple, BASE)
    assert result == "@prefix ex: <http://example.org/> .\n" + expected
    nt = " ".join(t.n3() for t in triple) + " ."
    assert restore_statement(result, edit, nt, BASE) == source
