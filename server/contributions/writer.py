"""Accept, reject and revert contributions: one state machine under one lock, crash-safe through the inbox's
journal, and nothing written that was not checked.

Every action takes :func:`exclusive` (threads and processes) and reads the contribution's status and journal
together before doing anything. Accept and revert build the plan of the files they would write (one Turtle
file per accepted contribution with its PROV provenance; changed values removed from, or put back into, the
file that holds them), check it (graph_check.py: each text reads back, the start-up check passes on the
dataset those files would make), then carry it out (carry_out.py: the journal, the files, the commit).
Contributions are read and written exactly (turtle_out.py); a revert names the later contributions that
depend on it (dependants.py); recovery.py finishes what a crash interrupted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from server.contributions.carry_out import carry_out
from server.contributions.curation_error import CurationError
from server.contributions.dependants import dependants
from server.contributions.files import digest, failpoint, read, remove_statement, restore_statement
from server.contributions.graph_check import Edit, check_result, reads_back
from server.contributions.inbox import ACCEPTED, PENDING, REJECTED, REVERTED, Inbox, now
from server.contributions.lock import curation_lock
from server.contributions.removals import held_removals, removals_of
from server.contributions.turtle_out import (
    contribution_triples,
    parse_exactly,
    statement,
    to_oxigraph_triple,
    to_rdflib_graph,
    turtle_text,
)
from server.history.record import created_subjects
from server.namespaces import PREFIXES

#: What each action needs the contribution to be.
REQUIRED_STATUS = {"accept": PENDING, "reject": PENDING, "revert": ACCEPTED}


@dataclass(frozen=True)
class Outcome:
    """What an accept, reject or revert did."""

    number: int
    status: str
    data_file: str | None
    removed: int = 0
    report: dict | None = None
    files: tuple[str, ...] = ()  # every file written or deleted
    numbers: tuple[int, ...] = ()  # a revert with its dependants: every contribution reverted, newest first

    def graphs(self, base_iri: str) -> tuple[str, ...]:
        """The named graphs of the files written or deleted (one per file, named by its stem)."""
        return tuple(f"{base_iri}graph/{Path(path).stem}" for path in self.files)


def contribution_path(config, number: int) -> Path:
    """Where the accepted contribution ``number`` is written: the first data folder's contributions/."""
    return Path(config["DATA_DIRS"][0]) / "contributions" / f"contribution-{number:05d}.ttl"


def exclusive(inbox: Inbox):
    """One curation action at a time, in this process (threads) and across processes (the CLI)."""
    return curation_lock(inbox.path)


def _ready(inbox: Inbox, number: int, action: str):
    """The contribution, if ``action`` may be done on it now (status and journal read in one transaction)."""
    status, journaled = inbox.state(number)
    if status is None:
        raise CurationError("missing", number=number)
    if journaled:
        raise CurationError("journaled", number=number, action=journaled)
    if status != REQUIRED_STATUS[action]:
        raise CurationError(
            "state", number=number, status=status, expected=REQUIRED_STATUS[action], action=action
        )
    return inbox.get(number)


# --- provenance and the contribution's file -----------------------------------------------------------------


def provenance(graph_iri: str, config, contribution, curator: str, comment: str, accepted: str) -> Graph:
    """PROV statements on the contribution's named graph: the submission it comes from, its contributor as
    given (name only: the e-mail stays in the inbox), the curator's acceptance and the dates."""
    base = config["BASE_IRI"]
    graph_node = URIRef(graph_iri)
    submission = URIRef(f"{base}contribution/{contribution.id}")
    acceptance = URIRef(f"{base}contribution/{contribution.id}/acceptance")
    contributor = URIRef(f"{base}contribution/{contribution.id}/contributor")
    curator_node = URIRef(f"{base}curator/{quote(curator, safe='')}")  # the name itself is the foaf:nick
    prov = Graph()
    prov.add((graph_node, RDF.type, PROV.Entity))
    prov.add((graph_node, PROV.wasDerivedFrom, submission))
    prov.add((graph_node, PROV.wasGeneratedBy, acceptance))
    prov.add((graph_node, PROV.generatedAtTime, Literal(accepted, datatype=XSD.dateTime)))
    prov.add((submission, RDF.type, PROV.Entity))
    prov.add((submission, RDFS.label, Literal(f"Contribution {contribution.id}")))
    prov.add((submission, DCTERMS.created, Literal(contribution.submitted, datatype=XSD.dateTime)))
    prov.add((submission, PROV.wasAttributedTo, contributor))
    prov.add((contributor, RDF.type, PROV.Agent))
    if contribution.name:
        prov.add((contributor, FOAF.name, Literal(contribution.name)))
    prov.add((acceptance, RDF.type, PROV.Activity))
    prov.add((acceptance, PROV.used, submission))
    prov.add((acceptance, PROV.endedAtTime, Literal(accepted, datatype=XSD.dateTime)))
    prov.add((acceptance, PROV.wasAssociatedWith, curator_node))
    if comment:
        prov.add((acceptance, RDFS.comment, Literal(comment)))
    prov.add((curator_node, RDF.type, PROV.Agent))
    prov.add((curator_node, FOAF.nick, Literal(curator)))
    return prov


def _contribution_text(number: int, triples: list[ox.Triple], base_iri: str) -> str:
    header = (
        f"# Contribution {number}, accepted through PTCE Graph's inbox (ptce contributions show {number}).\n"
    )
    return header + turtle_text(triples, _prefixes(base_iri))


def _prefixes(base_iri: str) -> dict[str, str]:
    from server.contributions.kit import local_prefixes

    return {prefix: str(namespace) for prefix, namespace in {**PREFIXES, **local_prefixes(base_iri)}.items()}


# --- the values a contribution replaces ---------------------------------------------------------------------


def _fresh_store(config):
    from server.dataset import load_store

    return load_store(config)


def _revalidate(store, config, turtle: bytes, lang: str, removals=()):
    from server.validator import judge_from_store, validate_with_judge

    judge = judge_from_store(store, config)
    return validate_with_judge(
        turtle,
        judge,
        lang=lang,
        timeout=config["VALIDATION_TIMEOUT"],
        max_bytes=config["MAX_CONTENT_LENGTH"],
        removals=removals,
    )


def _changed_values(data: Graph, store) -> list[tuple]:
    """Live statements a contributed single value replaces: (triple, graph IRI) pairs."""
    from server.validator.live_checks import single_valued_properties

    shapes = store.rdflib_graph(("shapes",))
    live = store.rdflib_graph(("data",))
    found = []
    for predicate in sorted(single_valued_properties(shapes)):
        for subject in sorted(s for s in set(data.subjects(predicate)) if isinstance(s, URIRef)):
            new = set(data.objects(subject, predicate))
            for old in sorted(set(live.objects(subject, predicate)) - new):
                found += [
                    ((subject, predicate, old), graph)
                    for graph in _graphs_holding(store, (subject, predicate, old))
                ]
    return found


def _graphs_holding(store, triple) -> list[str]:
    s, p, o = (term.n3() for term in triple)
    rows = store.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ {s} {p} {o} }} }}")
    return sorted(str(row["g"]) for row in rows)


def _as_written(text: str, triple: tuple) -> ox.Triple:
    """The statement of ``text`` equal to ``triple`` (an rdflib triple), in the file's own lexical form."""
    from server.dataset.base import to_rdflib

    for found in parse_exactly(text):
        if (to_rdflib(found.subject), to_rdflib(found.predicate), to_rdflib(found.object)) == triple:
            return found
    return to_oxigraph_triple(triple)


def _change(path: str, new: str | None) -> dict:
    """One file of a plan: its text now and the text to write, with their digests."""
    old = read(path)
    return {"path": path, "old": old, "new": new, "old_sha": digest(old), "new_sha": digest(new)}


# --- the three actions --------------------------------------------------------------------------------------


def accept(inbox: Inbox, number: int, curator: str, comment: str, config) -> Outcome:
    """Accept a pending contribution: re-validate it against the graph as it is now, check the whole data it
    would make, then write data/."""
    with exclusive(inbox):
        contribution = _ready(inbox, number, "accept")
        store = _fresh_store(config)
        removals = removals_of(contribution, config["BASE_IRI"])
        report = _revalidate(store, config, contribution.turtle, contribution.lang, removals)
        if not report.conforms:
            details = "; ".join(p.message for p in report.violations)[:2000]
            raise CurationError("conform", number=number, details=details)
        plan = _accept_plan(contribution, curator, comment, config, store)
        plan["history"] = {"base": config["BASE_IRI"], "created": created_subjects(store, plan)}
        failpoint("planned")
        carry_out(inbox, number, "accept", plan)
        paths = tuple(change["path"] for change in plan["files"])
        return Outcome(number, ACCEPTED, plan["data_file"], len(plan["removed"]), report.to_dict(), paths)


def _accept_plan(contribution, curator: str, comment: str, config, store) -> dict:
    """Every file an accept writes, read back and checked on the whole data, before anything is written."""
    base = config["BASE_IRI"]
    triples = contribution_triples(contribution.id, contribution.turtle, base)
    target = contribution_path(config, contribution.id)
    accepted = now()
    prov = provenance(f"{base}graph/{target.stem}", config, contribution, curator, comment, accepted)
    written = [to_oxigraph_triple(t) for t in prov] + triples
    files = [_change(str(target), _contribution_text(contribution.id, written, base))]
    edits = {str(target): Edit([], written)}
    removed, texts, done = [], {}, set()
    by_path = {source.graph: str(source.path) for source in store.sources}
    removals = held_removals(contribution, store, _graphs_holding, base)  # a change's (removals.py)
    for triple, graph in _changed_values(to_rdflib_graph(triples), store) + removals:
        path = by_path.get(graph)
        if path is None or (triple, path) in done:
            continue
        done.add((triple, path))
        text = texts.get(path, read(path) or "")
        exact = _as_written(text, triple)
        result = _remove(text, triple, exact, path, config)
        if result is None:
            raise CurationError("unremovable", details=statement(exact)[:300], path=path)
        texts[path], edit = result
        edits.setdefault(path, Edit([], [])).removed.append(exact)
        removed.append({"path": path, "triple": statement(exact), "edit": edit})
    files += [_change(path, text) for path, text in texts.items()]
    _with_territories(config, files, edits, "accept")
    reads_back(files, edits, "accept")
    check_result(config, files, "accept")
    return {
        "files": files,
        "removed": removed,
        "data_file": str(target),
        "actor": curator,
        "comment": comment,
        "accepted": accepted,
    }


def _with_territories(config, files: list[dict], edits: dict, action: str) -> None:
    """Add the official territories file, regenerated for the data the plan makes (places.py), to the plan."""
    from server.contributions.places import regenerated

    try:
        found = regenerated(config, files)
    except ValueError as error:
        raise CurationError("graph", action=action, details=str(error)[:600]) from None
    if found is None:
        return
    path, text = found
    change = _change(path, text)
    old, new = set(parse_exactly(change["old"] or "")), set(parse_exactly(text))
    edits[path] = Edit(sorted(old - new, key=str), sorted(new - old, key=str))
    files.append(change)


def _remove(text: str, triple: tuple, exact: ox.Triple, path: str, config) -> tuple[str, dict] | None:
    """``text`` without one statement, its other lines as they were; an accepted contribution's file (written
    by us) is written again without it when no line edit does it (a subject's only statement)."""
    result = remove_statement(text, triple, config["BASE_IRI"])
    if result is not None or Path(path).parent.resolve() != contribution_path(config, 0).parent.resolve():
        return result
    lines = text.splitlines(keepends=True)
    header = "".join(line for line in lines[: next((i for i, x in enumerate(lines) if x[:1] != "#"), 0)])
    kept = [t for t in parse_exactly(text) if t != exact]
    new = header + turtle_text(kept, _prefixes(config["BASE_IRI"]))
    return new, {"at": 0, "before": lines, "after": new.splitlines(keepends=True)}  # the whole file, undoable


def reject(inbox: Inbox, number: int, curator: str, comment: str) -> Outcome:
    """Reject a pending contribution that no accept is writing (it stays in the inbox, with the comment)."""
    with exclusive(inbox):
        _ready(inbox, number, "reject")
        try:
            inbox.reject(number, curator, comment)
        except KeyError:
            raise CurationError("missing", number=number) from None
        except ValueError:
            status, journaled = inbox.state(number)
            if journaled:
                raise CurationError("journaled", number=number, action=journaled) from None
            raise CurationError(
                "state", number=number, status=status, expected=PENDING, action="reject"
            ) from None
    return Outcome(number, REJECTED, None)


def revert(
    inbox: Inbox, number: int, curator: str, comment: str, config, *, with_dependants: bool = False
) -> Outcome:
    """Undo an accepted contribution: delete its file and put back the values it had replaced, exactly. The
    later accepted contributions that depend on it are named and the revert refused, unless
    ``with_dependants``: then they are reverted with it, newest first, in one checked change."""
    with exclusive(inbox):
        contribution = _ready(inbox, number, "revert")
        if not contribution.changes:
            raise CurationError(
                "state", number=number, status=contribution.status, expected=ACCEPTED, action="revert"
            )
        later = dependants(inbox, contribution, config)
        if later and not with_dependants:
            raise CurationError("dependants", number=number, details=later)
        numbers = sorted([number, *later], reverse=True)
        plan = _revert_plan(inbox, numbers, curator, comment, config)
        plan["data_file"] = contribution.data_file
        plan["history"] = {"base": config["BASE_IRI"]}
        carry_out(inbox, number, "revert", plan)
        paths = tuple(change["path"] for change in plan["files"])
        return Outcome(
            number, REVERTED, contribution.data_file, plan["restored"], None, paths, tuple(numbers)
        )


def _revert_plan(inbox: Inbox, numbers: list[int], curator: str, comment: str, config) -> dict:
    """The files a revert writes (newest contribution first), read back and checked on the whole data."""
    texts: dict[str, str | None] = {}
    edits: dict[str, Edit] = {}
    restored = 0
    for number in numbers:
        contribution = inbox.get(number)
        texts[contribution.data_file] = None
        for removal in reversed(contribution.changes.get("removed", [])):
            path = removal["path"]
            text = texts[path] if path in texts else read(path)
            if text is None:
                raise CurationError("changed", action="revert", path=path)
            texts[path] = restore_statement(text, removal["edit"], removal["triple"], config["BASE_IRI"])
            edits.setdefault(path, Edit([], [])).added += parse_exactly(removal["triple"])
            restored += 1
    files = [_change(path, text) for path, text in texts.items()]
    _with_territories(config, files, edits, "revert")
    reads_back(files, edits, "revert")
    check_result(config, files, "revert")
    return {"files": files, "actor": curator, "comment": comment, "numbers": numbers, "restored": restored}
