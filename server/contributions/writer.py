"""Accept, reject and revert contributions: re-validate against the graph as it is now, write data/ (one
Turtle file per accepted contribution with its PROV provenance; changed values removed from the file that
holds them), crash-safe through the inbox's journal, one change at a time across processes."""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV

from server.contributions.files import (
    digest,
    failpoint,
    read,
    remove_statement,
    restore_statement,
    write_atomically,
)
from server.contributions.inbox import ACCEPTED, PENDING, REJECTED, REVERTED, Inbox, now
from server.namespaces import PREFIXES

logger = logging.getLogger(__name__)
_thread_lock = threading.Lock()


class CurationError(Exception):
    """An accept or revert that cannot be done (the message says why, for the curator)."""


@dataclass(frozen=True)
class Outcome:
    """What an accept or revert did."""

    number: int
    status: str
    data_file: str | None
    removed: int = 0
    report: dict | None = None
    files: tuple[str, ...] = ()  # every file written or deleted

    def graphs(self, base_iri: str) -> tuple[str, ...]:
        """The named graphs of the files written or deleted (one per file, named by its stem)."""
        return tuple(f"{base_iri}graph/{Path(path).stem}" for path in self.files)


def contribution_path(config, number: int) -> Path:
    """Where the accepted contribution ``number`` is written: the first data folder's contributions/."""
    return Path(config["DATA_DIRS"][0]) / "contributions" / f"contribution-{number:05d}.ttl"


@contextmanager
def exclusive(inbox: Inbox) -> Iterator[None]:
    """One accept or revert at a time, in this process (threads) and across processes (the CLI)."""
    with _thread_lock:
        with open(inbox.path.with_suffix(".lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _fresh_store(config):
    from server.dataset import load_store

    return load_store(config)


def _revalidate(store, config, turtle: bytes, lang: str):
    from server.validator import judge_from_store, validate_with_judge

    judge = judge_from_store(store, config)
    return validate_with_judge(
        turtle, judge, lang=lang, timeout=config["VALIDATION_TIMEOUT"], max_bytes=config["MAX_CONTENT_LENGTH"]
    )


def provenance(graph_iri: str, config, contribution, curator: str, comment: str, accepted: str) -> Graph:
    """PROV statements on the contribution's named graph: the submission it comes from, its contributor as
    given (name only: the e-mail stays in the inbox), the curator's acceptance and the dates."""
    base = config["BASE_IRI"]
    graph_node = URIRef(graph_iri)
    submission = URIRef(f"{base}contribution/{contribution.id}")
    acceptance = URIRef(f"{base}contribution/{contribution.id}/acceptance")
    contributor = URIRef(f"{base}contribution/{contribution.id}/contributor")
    curator_node = URIRef(f"{base}curator/{curator}")
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


def _contribution_text(contribution, data: Graph, prov: Graph, base_iri: str) -> str:
    number = contribution.id
    header = (
        f"# Contribution {number}, accepted through PTCE Graph's inbox (ptce contributions show {number}).\n"
    )
    from server.contributions.kit import local_prefixes

    combined = Graph()
    for prefix, namespace in {**PREFIXES, **local_prefixes(base_iri)}.items():
        combined.bind(prefix, namespace)
    combined += prov
    combined += data
    return header + combined.serialize(format="turtle")


def _changed_values(data: Graph, store) -> list[tuple]:
    """Live statements a contributed single value replaces: (triple, graph IRI) pairs."""
    from server.validator.live_checks import single_valued_properties

    shapes = store.rdflib_graph(("shapes",))
    live = store.rdflib_graph(("data",))
    found = []
    for predicate in sorted(single_valued_properties(shapes)):
        for subject in sorted(set(data.subjects(predicate))):
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


def _apply(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    """Write every file of the plan (each atomically), in order, skipping those already written."""
    for index, change in enumerate(plan["files"]):
        current = digest(read(change["path"]))
        if current == change["new_sha"]:
            continue
        if current != change["old_sha"]:
            raise CurationError(f"{change['path']} changed during the {action}; nothing more was written")
        write_atomically(change["path"], change["new"])
        failpoint(f"file-{index}-written")


def _commit(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    failpoint("files-written")
    if action == "accept":
        inbox.set_status(
            number, ACCEPTED, plan["actor"], plan["comment"], data_file=plan["data_file"], changes=plan
        )
    else:
        inbox.set_status(number, REVERTED, plan["actor"], plan["comment"], expected=(ACCEPTED,))
    failpoint("recorded")


def _change(path: str, new: str | None) -> dict:
    old = read(path)
    return {"path": path, "old": old, "new": new, "old_sha": digest(old), "new_sha": digest(new)}


def accept(inbox: Inbox, number: int, curator: str, comment: str, config) -> Outcome:
    """Accept a pending contribution: re-validate it against the graph as it is now, then write data/."""
    with exclusive(inbox):
        contribution = inbox.get(number)
        if contribution is None:
            raise CurationError(f"no contribution {number}")
        if contribution.status != PENDING:
            raise CurationError(f"contribution {number} is {contribution.status}, not pending")
        store = _fresh_store(config)
        report = _revalidate(store, config, contribution.turtle, contribution.lang)
        if not report.conforms:
            raise CurationError(
                f"contribution {number} no longer conforms to the graph as it is now: "
                + "; ".join(p.message for p in report.violations)[:2000]
            )
        data = Graph().parse(data=contribution.turtle, format="turtle", publicID=config["BASE_IRI"])
        target = contribution_path(config, number)
        graph_iri = f"{config['BASE_IRI']}graph/{target.stem}"
        accepted = now()
        prov = provenance(graph_iri, config, contribution, curator, comment, accepted)
        files = [_change(str(target), _contribution_text(contribution, data, prov, config["BASE_IRI"]))]
        removed = []
        by_path = {source.graph: str(source.path) for source in store.sources}
        texts: dict[str, str] = {}
        for triple, graph in _changed_values(data, store):
            path = by_path.get(graph)
            if path is None:
                continue
            text = texts.get(path, read(path) or "")
            result = remove_statement(text, triple, config["BASE_IRI"])
            if result is None:
                raise CurationError(
                    f"the old value {' '.join(t.n3() for t in triple)} could not be removed from {path} "
                    "without reformatting it: edit that file by hand, then accept again"
                )
            texts[path], edit = result
            removed.append({"path": path, "triple": " ".join(t.n3() for t in triple) + " .", "edit": edit})
        files += [_change(path, text) for path, text in texts.items()]
        plan = {
            "files": files,
            "removed": removed,
            "data_file": str(target),
            "actor": curator,
            "comment": comment,
            "accepted": accepted,
        }
        failpoint("planned")
        inbox.begin(number, "accept", plan)
        failpoint("journaled")
        _apply(inbox, number, "accept", plan)
        _commit(inbox, number, "accept", plan)
        paths = tuple(change["path"] for change in files)
        return Outcome(number, ACCEPTED, str(target), len(removed), report.to_dict(), paths)


def reject(inbox: Inbox, number: int, curator: str, comment: str) -> Outcome:
    """Reject a pending contribution (it stays in the inbox, with the curator's comment)."""
    try:
        inbox.set_status(number, REJECTED, curator, comment)
    except KeyError:
        raise CurationError(f"no contribution {number}") from None
    except ValueError as error:
        raise CurationError(str(error)) from None
    return Outcome(number, REJECTED, None)


def revert(inbox: Inbox, number: int, curator: str, comment: str, config) -> Outcome:
    """Undo an accepted contribution: delete its file and put back the values it had replaced."""
    with exclusive(inbox):
        contribution = inbox.get(number)
        if contribution is None:
            raise CurationError(f"no contribution {number}")
        if contribution.status != ACCEPTED or not contribution.changes:
            raise CurationError(f"contribution {number} is {contribution.status}, not accepted")
        files = [_change(contribution.data_file, None)]
        texts: dict[str, str] = {}
        for removal in reversed(contribution.changes.get("removed", [])):
            path = removal["path"]
            text = texts.get(path, read(path) or "")
            texts[path] = restore_statement(text, removal["edit"], removal["triple"], config["BASE_IRI"])
        files += [_change(path, text) for path, text in texts.items()]
        plan = {"files": files, "actor": curator, "comment": comment, "data_file": contribution.data_file}
        inbox.begin(number, "revert", plan)
        failpoint("journaled")
        _apply(inbox, number, "revert", plan)
        _commit(inbox, number, "revert", plan)
        paths = tuple(change["path"] for change in files)
        return Outcome(number, REVERTED, contribution.data_file, len(texts), None, paths)


def recover(inbox: Inbox) -> list[tuple[int, str, str]]:
    """Finish the accepts and reverts a crash interrupted (on start): roll forward when every file is in
    its old or new state, else roll back what was written. Returns (number, action, outcome) triples."""
    done = []
    with exclusive(inbox):
        for number, action, plan in inbox.journal():
            for change in plan["files"]:  # a temporary file a crash left behind is never used
                path = Path(change["path"])
                for leftover in path.parent.glob(f".{path.name}.*.tmp"):
                    leftover.unlink(missing_ok=True)
            states = [digest(read(change["path"])) for change in plan["files"]]
            forward = all(
                s in (c["old_sha"], c["new_sha"]) for s, c in zip(states, plan["files"], strict=True)
            )
            if forward:
                _apply(inbox, number, action, plan)
                _commit(inbox, number, action, plan)
                done.append((number, action, "finished"))
                continue
            for change, state in zip(plan["files"], states, strict=True):  # someone edited a file since
                if state == change["new_sha"]:
                    write_atomically(change["path"], change["old"])
            inbox.forget(number)
            logger.error("contribution %s: the %s was undone (a file changed since)", number, action)
            done.append((number, action, "undone"))
    return done
