"""Accept, reject and revert contributions: one state machine under one lock, crash-safe through the inbox's
journal, and nothing written that was not checked.

Every action takes :func:`exclusive` (threads and processes) and reads the contribution's status and journal
together before doing anything. Accept and revert build the files they would write (one Turtle file per
accepted contribution with its PROV provenance; changed values removed from, or put back into, the file that
holds them), read each text back, and run the start-up check (every file parses; the whole data conforms to
the shapes) on the dataset those files would make, before the journal and the commit. Contributions are read
with Oxigraph and written with its serializer, so lexical forms are kept as sent (``"01"^^xsd:integer``
stays ``"01"``) and every string is escaped the way both Oxigraph and rdflib read back.
"""

from __future__ import annotations

import fcntl
import logging
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
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
from server.contributions.removals import held_removals, removals_of
from server.history.record import created_subjects, recorder
from server.namespaces import PREFIXES

logger = logging.getLogger(__name__)
_thread_lock = threading.Lock()
#: What each action needs the contribution to be, and what it makes of it.
_FROM = {"accept": PENDING, "reject": PENDING, "revert": ACCEPTED}
_STATUS_WORDS = {
    "fr": {PENDING: "en attente", ACCEPTED: "acceptée", REJECTED: "rejetée", REVERTED: "annulée"},
    "en": {PENDING: PENDING, ACCEPTED: ACCEPTED, REJECTED: REJECTED, REVERTED: REVERTED},
}
_ACTION_WORDS = {
    "fr": {"accept": "acceptée", "reject": "rejetée", "revert": "annulée"},
    "en": {"accept": "accepted", "reject": "rejected", "revert": "reverted"},
}
_NOUNS = {
    "fr": {"accept": "l'acceptation", "reject": "le rejet", "revert": "l'annulation"},
    "en": {"accept": "accept", "reject": "reject", "revert": "revert"},
}
_TEXTS = {
    "missing": {
        "en": "There is no contribution {number}.",
        "fr": "Il n'y a pas de contribution {number}.",
    },
    "state": {
        "en": "contribution {number} is {status}, not {expected}: it cannot be {verb} now.",
        "fr": "La contribution {number} est {status}, et non {expected} : elle ne peut pas être {verb} "
        "maintenant.",
    },
    "journaled": {
        "en": "An interrupted {noun} of contribution {number} is not finished: restart the server, or run "
        "`ptce contributions journal` and `ptce contributions resolve {number}`.",
        "fr": "{noun} interrompue de la contribution {number} n'est pas terminée : redémarrez le serveur, ou "
        "lancez `ptce contributions journal` puis `ptce contributions resolve {number}`.",
    },
    "conform": {
        "en": "Contribution {number} no longer conforms to the graph as it is now: {details}",
        "fr": "La contribution {number} n'est plus conforme au graphe tel qu'il est maintenant : {details}",
    },
    "graph": {
        "en": "Nothing was changed: after this {noun} the data would not pass the start-up check "
        "({details}).",
        "fr": "Rien n'a été modifié : après {noun}, les données ne passeraient pas la vérification de "
        "démarrage ({details}).",
    },
    "unreadable": {
        "en": "Nothing was changed: a file this {noun} would write does not read back as written "
        "({details}).",
        "fr": "Rien n'a été modifié : un fichier que {noun} écrirait ne se relit pas tel qu'écrit "
        "({details}).",
    },
    "iri": {
        "en": "Contribution {number} holds an IRI that cannot be written safely ({details}): it must be "
        "absolute, without '//' in its path, '.' or '..' segments, or control characters.",
        "fr": "La contribution {number} contient un IRI qui ne peut pas être écrit sans risque ({details}) : "
        "il doit être absolu, sans '//' dans son chemin, ni segments '.' ou '..', ni caractères de contrôle.",
    },
    "unremovable": {
        "en": "The old value {details} could not be removed from {path} without reformatting it: edit that "
        "file by hand, then accept again.",
        "fr": "L'ancienne valeur {details} n'a pas pu être retirée de {path} sans le reformater : "
        "modifiez ce fichier à la main, puis acceptez de nouveau.",
    },
    "changed": {
        "en": "{path} changed during the {noun}: nothing was changed.",
        "fr": "{path} a changé pendant {noun} : rien n'a été modifié.",
    },
    "dependants": {
        "en": "Contribution {number} cannot be reverted alone: {details}, accepted later, depend on it. "
        "Revert them first, or confirm reverting them together, newest first (--with-dependants, or "
        "cascade=1).",
        "fr": "La contribution {number} ne peut pas être annulée seule : {details}, acceptées ensuite, en "
        "dépendent. Annulez-les d'abord, ou confirmez leur annulation ensemble, de la plus récente à la plus "
        "ancienne (--with-dependants, ou cascade=1).",
    },
    "no-entry": {
        "en": "The journal holds no interrupted action of contribution {number}.",
        "fr": "Le journal ne contient aucune action interrompue de la contribution {number}.",
    },
}
_WHY = {
    "uses": {"en": "uses {details}, which it created", "fr": "utilise {details}, qu'elle a créé"},
    "replaced": {"en": "replaced a value it added", "fr": "a remplacé une valeur qu'elle avait ajoutée"},
    "same-value": {
        "en": "gives {details} a value it had replaced",
        "fr": "donne à {details} une valeur qu'elle avait remplacée",
    },
}
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069<>\"{}|\\^`]")


class CurationError(Exception):
    """An action that cannot be done now: nothing was changed, and :meth:`text` tells the curator why."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The message in French or English."""
        lang = lang if lang in ("fr", "en") else "en"
        params = dict(self.params)
        if "status" in params:
            params["status"] = _STATUS_WORDS[lang].get(params["status"], params["status"])
        if "expected" in params:
            params["expected"] = _STATUS_WORDS[lang][params["expected"]]
        if "action" in params:
            params["verb"] = _ACTION_WORDS[lang][params["action"]]
            params["noun"] = _NOUNS[lang][params["action"]]
        if isinstance(params.get("details"), dict):  # dependants: {number: (why, details)}
            params["details"] = _dependants_text(params["details"], lang)
        message = _TEXTS[self.key][lang].format(**params)
        return message[0].upper() + message[1:]


def _dependants_text(found: dict, lang: str) -> str:
    word = "la contribution" if lang == "fr" else "contribution"
    return "; ".join(
        f"{word} {number} ({_WHY[why][lang].format(details=details)})"
        for number, (why, details) in found.items()
    )


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


@contextmanager
def exclusive(inbox: Inbox) -> Iterator[None]:
    """One curation action at a time, in this process (threads) and across processes (the CLI)."""
    with _thread_lock:
        with open(inbox.path.with_suffix(".lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _ready(inbox: Inbox, number: int, action: str):
    """The contribution, if ``action`` may be done on it now (status and journal read in one transaction)."""
    status, journaled = inbox.state(number)
    if status is None:
        raise CurationError("missing", number=number)
    if journaled:
        raise CurationError("journaled", number=number, action=journaled)
    if status != _FROM[action]:
        raise CurationError("state", number=number, status=status, expected=_FROM[action], action=action)
    return inbox.get(number)


# --- reading and writing Turtle exactly ---------------------------------------------------------------------


def to_oxigraph(term):
    """The Oxigraph term equal to an rdflib term (its lexical form as it is)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def parse_exactly(text: str | bytes, base_iri: str | None = None) -> list[ox.Triple]:
    """The triples of a Turtle text as Oxigraph reads them (what the server loads), lexical forms kept."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base_iri)]


def turtle_text(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> str:
    """Turtle that Oxigraph and rdflib both read back as exactly these triples: every literal quoted and
    escaped as in N-Triples (never a bare ``01`` or ``true``, which rdflib reads as ``1``), IRIs as prefixed
    names only when their local part is plain, one predicate and object per line."""
    ordered = sorted(
        set(triples),
        key=lambda t: (str(t.subject), t.predicate != _RDF_TYPE, str(t.predicate), str(t.object)),
    )
    names = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    used: dict[str, str] = {}
    blocks, subject = [], None
    for t in ordered:
        term = _term(t.predicate, names, used) if t.predicate != _RDF_TYPE else "a"
        pair = f"{term} {_term(t.object, names, used)}"
        if t.subject != subject:
            subject = t.subject
            blocks.append([f"{_term(subject, names, used)} {pair}"])
        else:
            blocks[-1].append(f"    {pair}")
    header = "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in sorted(used.items()))
    body = "".join(" ;\n".join(block) + " .\n" for block in blocks)
    return header + ("\n" if header else "") + body


_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


def _term(term, names: list[tuple[str, str]], used: dict[str, str]) -> str:
    """One term in Turtle: a prefixed name when that is plain, else its N-Triples form."""
    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        lexical = str(ox.Literal(term.value))
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return lexical
        return f"{lexical}^^{_term(term.datatype, names, used)}"
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in names:
            local = term.value[len(namespace) :]
            if term.value.startswith(namespace) and _PLAIN_LOCAL.fullmatch(local):
                used[prefix] = namespace
                return f"{prefix}:{local}"
    return str(term)


def statement(triple: ox.Triple) -> str:
    """One N-Triples statement (valid Turtle): what a revert appends when it cannot restore lines."""
    return f"{triple.subject} {triple.predicate} {triple.object} ."


def _rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    from server.dataset.base import to_rdflib

    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def unsafe_iri(iri: str) -> bool:
    """Whether an IRI is relative, has '//' in its path, '.' or '..' segments, or control characters."""
    parts = urlsplit(iri)
    segments = parts.path.split("/")
    return (
        not parts.scheme
        or bool(_UNSAFE_CHARACTERS.search(iri))
        or "//" in parts.path
        or any(segment in (".", "..") for segment in segments)
    )


def contribution_triples(number: int, turtle: bytes, base_iri: str) -> list[ox.Triple]:
    """A contribution's triples as they will be written: relative IRIs resolved against ``base_iri``,
    lexical forms as sent; refused (CurationError) when an IRI could not be written safely."""
    try:
        triples = parse_exactly(turtle, base_iri)
    except SyntaxError as error:
        raise CurationError("unreadable", action="accept", details=str(error)[:300]) from None
    for triple in triples:
        for term in triple:
            if isinstance(term, ox.NamedNode) and unsafe_iri(term.value):
                raise CurationError("iri", number=number, details=repr(term.value)[:200])
    return triples


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


def to_oxigraph_triple(triple: tuple) -> ox.Triple:
    """The Oxigraph triple equal to an rdflib triple."""
    return ox.Triple(*(to_oxigraph(term) for term in triple))


# --- checking what would be written -------------------------------------------------------------------------


@dataclass
class _Edit:
    """The statements a plan removes from and adds to one file (to check the text it writes)."""

    removed: list
    added: list


def _ground(triples: Iterable[ox.Triple]) -> set:
    return {t for t in triples if not any(isinstance(term, ox.BlankNode) for term in t)}


def _reads_back(files: list[dict], edits: dict[str, _Edit], action: str) -> None:
    """Every text the plan writes parses, and holds exactly the statements meant (lexical forms included)."""
    for change in files:
        if change["new"] is None:
            continue
        edit = edits.get(change["path"], _Edit([], []))
        try:
            written = parse_exactly(change["new"])
            before = parse_exactly(change["old"] or "")
        except SyntaxError as error:
            raise CurationError(
                "unreadable", action=action, details=f"{change['path']}: {error}"[:400]
            ) from None
        if change["old"] is None:
            before = []
        old = _ground(before)
        expected = (old - set(edit.removed)) | set(edit.added)
        count = len(before) - len(set(edit.removed) & old) + len(set(edit.added) - old)
        if _ground(written) != expected or len(written) != count:
            raise CurationError("unreadable", action=action, details=change["path"])


def _spill(folder: Path, index: int, text: str, name: str) -> Path:
    path = folder / f"{index:05d}-{name}"
    path.write_text(text, encoding="utf-8")
    return path


def _check_sources(config, files: list[dict], folder: Path):
    """The dataset's sources as they would be after the plan: changed texts written under ``folder``."""
    from server.dataset.sources import SourceFile, discover_sources

    new = {Path(change["path"]).resolve(): change["new"] for change in files}
    sources, seen = [], set()
    for source in discover_sources(
        config["BASE_IRI"], config["ONTOLOGY_DIR"], config["SHAPES_DIR"], config["DATA_DIRS"]
    ):
        key = source.path.resolve()
        seen.add(key)
        if key in new:
            if new[key] is None:
                continue
            source = SourceFile(_spill(folder, len(sources), new[key], key.name), source.graph, source.kind)
        sources.append(source)
    graphs = {source.graph for source in sources}
    for key, text in new.items():
        if key in seen or text is None:
            continue
        graph = f"{config['BASE_IRI']}graph/{key.stem}"
        if graph in graphs:
            raise CurationError("graph", action="accept", details=f"two data files would share {graph}")
        sources.append(SourceFile(_spill(folder, len(sources), text, key.name), graph, "data"))
    return sources


def check_result(config, files: list[dict], action: str) -> None:
    """The start-up check on the dataset the plan would make: every file parses, the whole data conforms to
    the shapes. Raises CurationError (saying why) when it would not pass; nothing is written here."""
    from server.dataset.embedded import GraphStore
    from server.dataset.sources import DatasetError, check_syntax
    from server.startup import dataset_conforms

    with tempfile.TemporaryDirectory(prefix="ptce-check-") as folder:
        try:
            sources = _check_sources(config, files, Path(folder))
            problems = check_syntax(sources)
            if problems:
                raise CurationError("unreadable", action=action, details="; ".join(problems)[:600])
            store = GraphStore(sources, config["BASE_IRI"], None)
        except (DatasetError, OSError) as error:
            raise CurationError("graph", action=action, details=str(error)[:600]) from None
        if not dataset_conforms(store):
            raise CurationError("graph", action=action, details=violations(store))


def violations(store, limit: int = 5) -> str:
    """The whole data's shape violations in words (focus, property, message), the first ``limit`` of them."""
    from pyshacl import validate
    from rdflib import Namespace

    from server.validator.shapes import prepared_shape_queries

    sh = Namespace("http://www.w3.org/ns/shacl#")
    data, shapes = Graph(), Graph()
    data += store.rdflib_graph(("data", "ontology"))
    shapes += store.rdflib_graph(("shapes",))
    with prepared_shape_queries():
        _, results, _ = validate(
            data,
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
        )
    lines = sorted(
        f"<{results.value(r, sh.focusNode)}> {results.value(r, sh.resultPath) or ''}: "
        f"{results.value(r, sh.resultMessage) or 'violation'}"
        for r in results.subjects(sh.resultSeverity, sh.Violation)
    )
    more = f" (and {len(lines) - limit} more)" if len(lines) > limit else ""
    return "; ".join(lines[:limit])[:1500] + more


# --- carrying out a plan ------------------------------------------------------------------------------------


def _apply(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    """Write every file of the plan (each atomically), in order, skipping those already written."""
    for index, change in enumerate(plan["files"]):
        current = digest(read(change["path"]))
        if current == change["new_sha"]:
            continue
        if current != change["old_sha"]:
            raise CurationError("changed", action=action, path=change["path"])
        write_atomically(change["path"], change["new"])
        failpoint(f"file-{index}-written")


def _commit(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    failpoint("files-written")
    record = recorder(number, action, plan)  # the change record, in the same transaction as the status
    if action == "accept":
        inbox.set_status(
            number,
            ACCEPTED,
            plan["actor"],
            plan["comment"],
            data_file=plan["data_file"],
            changes=plan,
            record=record,
        )
    else:
        numbers = plan.get("numbers") or [number]
        inbox.set_statuses(
            numbers, REVERTED, plan["actor"], plan["comment"], expected=(ACCEPTED,), record=record
        )
    failpoint("recorded")


def _undo(inbox: Inbox, number: int, plan: dict) -> list[str]:
    """Put back the files the plan wrote (those in their new state) and drop its journal entry."""
    restored = []
    for change in reversed(plan["files"]):
        if digest(read(change["path"])) == change["new_sha"] and change["new_sha"] != change["old_sha"]:
            write_atomically(change["path"], change["old"])
            restored.append(change["path"])
    inbox.forget(number)
    return restored


def _carry_out(inbox: Inbox, number: int, action: str, plan: dict) -> None:
    """Journal, write and record the plan; a failure (not a crash) puts the files back before it is raised."""
    inbox.begin(number, action, plan)
    failpoint("journaled")
    try:
        _apply(inbox, number, action, plan)
        _commit(inbox, number, action, plan)
    except Exception:
        try:
            _undo(inbox, number, plan)
        except Exception:  # noqa: BLE001 - the journal entry stays: the next start finishes or undoes it
            logger.exception("contribution %s: the failed %s could not be undone now", number, action)
        raise


def _change(path: str, new: str | None) -> dict:
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
        _carry_out(inbox, number, "accept", plan)
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
    edits = {str(target): _Edit([], written)}
    removed, texts, done = [], {}, set()
    by_path = {source.graph: str(source.path) for source in store.sources}
    removals = held_removals(contribution, store, _graphs_holding, base)  # a change's (removals.py)
    for triple, graph in _changed_values(_rdflib_graph(triples), store) + removals:
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
        edits.setdefault(path, _Edit([], [])).removed.append(exact)
        removed.append({"path": path, "triple": statement(exact), "edit": edit})
    files += [_change(path, text) for path, text in texts.items()]
    _with_territories(config, files, edits, "accept")
    _reads_back(files, edits, "accept")
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
    edits[path] = _Edit(sorted(old - new, key=str), sorted(new - old, key=str))
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
        _carry_out(inbox, number, "revert", plan)
        paths = tuple(change["path"] for change in plan["files"])
        return Outcome(
            number, REVERTED, contribution.data_file, plan["restored"], None, paths, tuple(numbers)
        )


def _revert_plan(inbox: Inbox, numbers: list[int], curator: str, comment: str, config) -> dict:
    """The files a revert writes (newest contribution first), read back and checked on the whole data."""
    texts: dict[str, str | None] = {}
    edits: dict[str, _Edit] = {}
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
            edits.setdefault(path, _Edit([], [])).added += parse_exactly(removal["triple"])
            restored += 1
    files = [_change(path, text) for path, text in texts.items()]
    _with_territories(config, files, edits, "revert")
    _reads_back(files, edits, "revert")
    check_result(config, files, "revert")
    return {"files": files, "actor": curator, "comment": comment, "numbers": numbers, "restored": restored}


# --- dependants of a revert ---------------------------------------------------------------------------------


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


# --- recovery at start-up -----------------------------------------------------------------------------------


def recover(inbox: Inbox) -> list[tuple[int, str, str]]:
    """Finish the accepts and reverts a crash interrupted (on start): roll forward when every file is in its
    old or new state, else roll back what was written. Never raises: an entry it cannot finish is left as it
    is, logged, and reported with the command that resolves it. Returns (number, action, outcome) triples."""
    done = []
    try:
        with exclusive(inbox):
            for number, action, plan in inbox.journal():
                done.append((number, action, _recover_entry(inbox, number, action, plan)))
    except Exception as error:  # noqa: BLE001 - the server and the CLI start anyway, and say so
        logger.exception("the journal of interrupted curation could not be read")
        done.append((0, "recovery", f"could not run ({error}): see `ptce contributions journal`"))
    return done


def _recover_entry(inbox: Inbox, number: int, action: str, plan: dict) -> str:
    try:
        _remove_temporaries(plan)
        blocked = _blocked(inbox, number, action, plan)
        if blocked:
            return _stuck(number, action, blocked)
        states = [digest(read(change["path"])) for change in plan["files"]]
        if all(s in (c["old_sha"], c["new_sha"]) for s, c in zip(states, plan["files"], strict=True)):
            _apply(inbox, number, action, plan)
            _commit(inbox, number, action, plan)
            return "finished"
        _undo(inbox, number, plan)  # someone edited a file since: what was written goes back
        logger.error("contribution %s: the %s was undone (a file changed since)", number, action)
        return "undone"
    except Exception as error:  # noqa: BLE001 - reported with the command that resolves it
        logger.exception("contribution %s: the interrupted %s could not be finished", number, action)
        return _stuck(number, action, f"{type(error).__name__}: {error}"[:300])


def _remove_temporaries(plan: dict) -> None:
    for change in plan["files"]:  # a temporary file a crash left behind is never used
        path = Path(change["path"])
        for leftover in path.parent.glob(f".{path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)


def _blocked(inbox: Inbox, number: int, action: str, plan: dict) -> str | None:
    """Why the entry cannot be finished as planned (a contribution no longer in the status it needs)."""
    for each in plan.get("numbers") or [number]:
        status, _ = inbox.state(each)
        if status != _FROM[action]:
            return f"contribution {each} is {status} now, not {_FROM[action]}"
    return None


def _stuck(number: int, action: str, why: str) -> str:
    message = (
        f"not finished ({why}); nothing was changed. Run `ptce contributions journal` to see its files, then "
        f"`ptce contributions resolve {number} --undo` to put them back as they were before the {action}, "
        f"or `ptce contributions resolve {number} --forget` to keep them as they are now"
    )
    logger.error("contribution %s: the interrupted %s is %s", number, action, message)
    return message


def journal(inbox: Inbox) -> list[dict]:
    """The interrupted actions: number, action, contributions, and each file's state (old, new or other)."""
    entries = []
    for number, action, plan in inbox.journal():
        files = []
        for change in plan["files"]:
            state = digest(read(change["path"]))
            word = "new" if state == change["new_sha"] else "old" if state == change["old_sha"] else "other"
            files.append((change["path"], word))
        entries.append(
            {"number": number, "action": action, "numbers": plan.get("numbers") or [number], "files": files}
        )
    return entries


def resolve(inbox: Inbox, number: int, undo: bool) -> list[str]:
    """Close an interrupted action recovery could not finish: ``undo`` puts back every file still in the state
    the action wrote; else the files stay as they are. The journal entry goes; returns the files put back."""
    with exclusive(inbox):
        for entry_number, _, plan in inbox.journal():
            if entry_number == number:
                if not undo:
                    inbox.forget(number)
                    return []
                _remove_temporaries(plan)
                return _undo(inbox, number, plan)
    raise CurationError("no-entry", number=number)
