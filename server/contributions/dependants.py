"""Which later contributions depend on one about to be reverted: an accepted contribution depends on an
earlier one when it uses a resource the earlier one created (and no other data file describes), replaced a
value the earlier one added, or gives a value to a property whose old value the earlier one replaced;
directly or through each other. A revert names them and is refused, or reverts them with it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from server.contributions.inbox import ACCEPTED, Inbox
from server.contributions.turtle_out import parse_exactly


def dependants(inbox: Inbox, contribution, config) -> dict[int, tuple[str, str]]:
    """The accepted contributions after this one that depend on it, directly or through each other:
    {number: (why, what)}. One depends on another when it uses a resource the other created, replaced a value
    the other added, or gives a value to a property whose old value the other replaced."""
    later = sorted((c for c in inbox.list(ACCEPTED) if c.id > contribution.id), key=lambda c: c.id)
    if not later:
        return {}
    base = config["BASE_IRI"]
    facts = {c.id: _facts(c, base) for c in [contribution, *later]}
    closure, found = {contribution.id: contribution}, {}
    changed = True
    while changed:
        changed = False
        for candidate in later:
            if candidate.id in closure:
                continue
            for earlier in list(closure.values()):
                why = _depends(candidate, facts[candidate.id], earlier, facts[earlier.id], later, config)
                if why:
                    closure[candidate.id], found[candidate.id], changed = candidate, why, True
                    break
    return dict(sorted(found.items()))


def _facts(contribution, base_iri: str) -> dict:
    try:
        triples = parse_exactly(contribution.turtle, base_iri)
    except SyntaxError:
        triples = []
    replaced = set()
    for removal in (contribution.changes or {}).get("removed", []):
        for t in parse_exactly(removal["triple"]):
            replaced.add((t.subject, t.predicate))
    return {
        "iris": {term for t in triples for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)},
        "subjects": {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)},
        "pairs": {(t.subject, t.predicate) for t in triples},
        "replaced": replaced,
        "removed_from": {removal["path"] for removal in (contribution.changes or {}).get("removed", [])},
    }


def _depends(candidate, mine: dict, earlier, theirs: dict, later: list, config) -> tuple[str, str] | None:
    if earlier.data_file in mine["removed_from"]:
        return "replaced", ""
    common = sorted(mine["pairs"] & theirs["replaced"], key=str)
    if common:
        subject, predicate = common[0]
        return "same-value", f"{subject} {predicate}"
    used = mine["iris"] & theirs["subjects"]
    if used:
        created = used - _described_elsewhere(used, earlier, later, config)
        if created:
            return "uses", str(sorted(created, key=str)[0])
    return None


def _described_elsewhere(iris: set, earlier, later: list, config) -> set:
    """The IRIs among ``iris`` that a data file describes (as a subject) other than ``earlier``'s file and
    those of the contributions accepted after it."""
    from server.dataset.sources import discover_sources

    skip = {Path(earlier.data_file).resolve()} | {
        Path(c.data_file).resolve() for c in later if c.id > earlier.id
    }
    found = set()
    for source in discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    ):
        if source.kind != "data" or source.path.resolve() in skip:
            continue
        found |= {t.subject for t in parse_exactly(source.path.read_bytes()) if t.subject in iris}
    return found
