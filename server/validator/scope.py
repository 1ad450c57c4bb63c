"""What a contribution may change, and the characters it may write.

A contribution adds statements about resources of the data, under ``<base>id/``. It may not change the
vocabulary (ontology terms and every other vocabulary's classes and properties), the SHACL shapes, the
dataset's own description (VoID/DCAT) or provenance: the server writes the provenance of each accepted
contribution itself, so PROV terms are refused, except the PROV properties the shapes make part of the
data model (``prov:wasAttributedTo`` of a ptce:Recognition), and only on resources of the classes that use
them. ``owl:sameAs``, sub-classes, sub-properties, equivalences, domains and ranges are refused, as is a new
``rdf:type`` on an existing resource (the class of a resource is a curator's decision: a contributor asks
the curators rather than sends a file; refusing keeps the rule one the validator can say in advance).

Only the statements the file *adds* are judged: a statement already in the dataset changes nothing (so the
data files themselves, checked at start-up against a dataset that holds them, pass).

IRIs may not have an empty path segment (``//``; outside our IRI space ``//`` is allowed right after a
colon, as in web-archive addresses ``…/web/2020/https://example.org/``), dot segments (``/./``, ``/../``,
also written as relative references such as ``<../x>`` that the parser resolves: the raw text is read for
them), or control characters; literals may not hold control characters other than tab and line breaks (C0,
DEL, C1 such as U+009B, bidirectional overrides U+202A-U+202E and isolates U+2066-U+2069).
"""

from __future__ import annotations

import re

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV

from server.namespaces import DCAT, PREFIXES, SH, VOID, curie
from server.validator.linemap import LineMap
from server.validator.live_checks import label_of, short_name
from server.validator.messages import text
from server.validator.report import Problem

#: Predicates that define or merge terms: a contribution never states them.
MEANING_PREDICATES = frozenset(
    {
        OWL.sameAs,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
    }
)
#: Namespaces whose classes, used as a type, make a vocabulary term (a class or a property).
_VOCABULARY_TYPES = (str(OWL), str(RDFS), str(RDF))
#: The namespaces of the vocabularies the data uses (ptce:, org:, schema:...): their terms are not data.
_VOCABULARIES = tuple(PREFIXES.values())
_DATASET_CLASSES = frozenset({VOID.Dataset, DCAT.Dataset, DCAT.Distribution, DCAT.Catalog})
#: Literals: C0 but tab, LF and CR; DEL; C1; bidirectional embeddings, overrides and isolates.
LITERAL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: IRIs: every one of those, tab and line breaks included.
IRI_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Strings, comments and IRI references of Turtle text, to find the IRIs as written.
_RAW_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|#[^\n]*"
    r"|<(?P<iri>[^<>\"{}|^`\\\s]*)>",
    re.DOTALL,
)
#: Refusals that are about a character or an IRI, not about what may be described.
_NO_HINT = frozenset({"iri_double_slash", "iri_dot_segment", "iri_control", "literal_control"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: The path of an absolute IRI (RFC 3986: after the scheme and authority, before the query).
_PATH = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?://[^/?#]*)?([^?#]*)")
_TYPE = RDF.type


def _term_key(term: URIRef) -> str | None:
    """The refusal a term brings by its namespace alone: PROV, VoID/DCAT, SHACL, RDF/RDFS/OWL."""
    iri = str(term)
    if iri.startswith(str(PROV)):
        return "scope_prov"
    if iri.startswith((str(VOID), str(DCAT))):
        return "scope_dataset_term"
    if iri.startswith(_VOCABULARY_TYPES + (str(SH),)):
        return "scope_vocabulary_term"
    return None


def control_name(char: str) -> str:
    """``U+001B`` for a control character (the character itself is invisible or harmful to print)."""
    return f"U+{ord(char):04X}"


def model_paths(shapes: Graph) -> dict[URIRef, set[URIRef]]:
    """For each class a node shape targets, the properties its property shapes describe (simple paths)."""
    paths: dict[URIRef, set[URIRef]] = {}
    for shape, cls in shapes.subject_objects(SH.targetClass):
        for property_shape in shapes.objects(shape, SH.property):
            path = shapes.value(property_shape, SH.path)
            if isinstance(path, URIRef):
                paths.setdefault(cls, set()).add(path)
    return paths


def iri_problem(iri: str, base_iri: str) -> str | None:
    """The message key of what is wrong with an IRI as parsed (``None`` when nothing is).

    >>> iri_problem("https://w3id.org/ptce//evil.example/x", "https://w3id.org/ptce/")
    'iri_double_slash'
    >>> iri_problem("https://web.archive.org/web/2020/https://example.org/", "https://w3id.org/ptce/")
    >>> iri_problem("https://w3id.org/ptce/id/pole/../x", "https://w3id.org/ptce/")
    'iri_dot_segment'
    """
    if IRI_CONTROL.search(iri):
        return "iri_control"
    if "/." not in iri and iri.count("//") < 2:
        return None  # the common case, without splitting the IRI
    match = _PATH.match(iri)
    path = match.group(1) if match else iri
    if "//" in path and (iri.startswith(base_iri) or re.search(r"(?<!:)//", path)):
        return "iri_double_slash"
    segments = path.split("/")
    if "." in segments or ".." in segments:
        return "iri_dot_segment"
    return None


def raw_iri_problems(source: str, lang: str) -> list[Problem]:
    """IRIs as written in the text: relative references with dot segments (``<../x>``), which the parser
    resolves before any other check sees them, and control characters written as ``\\u`` escapes."""
    problems = []
    for match in _RAW_TOKENS.finditer(source):
        written = match.group("iri")
        if written is None:
            continue
        reference = written.split("#", 1)[0].split("?", 1)[0]
        if _SCHEME.match(reference):
            continue  # absolute: judged once parsed, by iri_problem
        segments = reference.split("/")
        if "." in segments or ".." in segments:
            line = source.count("\n", 0, match.start()) + 1
            column = match.start() - source.rfind("\n", 0, match.start())
            problems.append(
                Problem(
                    "Violation",
                    "scope",
                    text("iri_dot_segment", lang, iri=written[:120]),
                    line,
                    column,
                    value=f"<{written[:120]}>",
                )
            )
    return problems


class _Scope:
    """The judgement of one contribution's statements (state shared by the rules)."""

    def __init__(self, graph: Graph, linemap: LineMap, judge, lang: str):
        self.graph, self.linemap, self.judge, self.lang = graph, linemap, judge, lang
        self.live = judge.live_graph
        self.base = judge.base_iri
        self.space = f"{judge.base_iri}id/"
        self.problems: list[Problem] = []
        self._said: set = set()
        self._iris_seen: set = set()
        self._subjects_seen: set = set()
        self._predicate_keys: dict = {}
        self._paths = model_paths(judge.shapes)

    def add(self, key: str, node, triple, *, value=None, path=None, **values) -> None:
        """One refusal, placed at ``triple``'s value in the file (or at ``node``'s statement without one)."""
        said = (key, node, path, value)
        if said in self._said:
            return
        self._said.add(said)
        place = self.linemap.value(*triple) if triple else self.linemap.node(node)
        line, column = place or (None, None)
        short = short_name(node, self.graph) if isinstance(node, URIRef) else "[ ]"
        hint = "" if key in _NO_HINT else text("scope_hint", self.lang, space=self.space)
        self.problems.append(
            Problem(
                "Violation",
                "scope",
                text(key, self.lang, **{"subject": short, "space": self.space, **values}),
                line,
                column,
                focus=node.n3() if node is not None else None,
                focus_label=label_of(node, (self.graph, self.live), self.lang) if node is not None else None,
                path=path.n3() if path is not None else None,
                value=value.n3() if value is not None else None,
                hint=hint,
            )
        )

    def subject_kind(self, subject: URIRef) -> str | None:
        """Why a subject may not be described (a message key), or None when it may."""
        iri = str(subject)
        typed = set(self.live.objects(subject, RDF.type)) | set(self.graph.objects(subject, RDF.type))
        if typed & _DATASET_CLASSES or iri.startswith((f"{self.base}dataset", f"{self.base}void")):
            return "scope_dataset"
        if iri.startswith(self.space):
            return None
        if iri.startswith(f"{self.base}shapes") or (subject, None, None) in self.judge.shapes:
            return "scope_shapes"
        if iri.startswith(tuple(f"{self.base}{area}/" for area in ("graph", "contribution", "curator"))):
            return "scope_provenance"
        if (
            iri.startswith(_VOCABULARIES)
            or (subject, None, None) in self.judge.ontology
            or any(str(cls).startswith(_VOCABULARY_TYPES) for cls in typed)
        ):
            return "scope_vocabulary"
        return "scope_outside"

    def classes(self, subject) -> set:
        return set(self.graph.objects(subject, RDF.type)) | set(self.live.objects(subject, RDF.type))

    def judge_triple(self, subject, predicate, obj) -> None:
        """Every rule on one statement the file adds (each subject, predicate and IRI judged once)."""
        triple = (subject, predicate, obj)
        if subject not in self._subjects_seen:
            self._subjects_seen.add(subject)
            kind = self.subject_kind(subject) if isinstance(subject, URIRef) else None
            if kind:
                self.add(kind, subject, None)
        if predicate not in self._predicate_keys:
            key = "scope_vocabulary_term" if predicate in MEANING_PREDICATES else _term_key(predicate)
            if key == "scope_vocabulary_term" and predicate not in MEANING_PREDICATES:
                key = key if str(predicate).startswith(str(SH)) else None  # rdf:type, rdfs:label...
            self._predicate_keys[predicate] = key
        key = self._predicate_keys[predicate]
        if key == "scope_prov":
            allowed = set().union(*(self._paths.get(cls, ()) for cls in self.classes(subject)))
            key = None if predicate in allowed else key
        if key:
            self.add(key, subject, triple, path=predicate, term=curie(str(predicate)))
        if predicate == _TYPE and isinstance(obj, URIRef):
            self.judge_type(subject, obj, triple)
        for term in triple:
            if isinstance(term, URIRef):
                if term not in self._iris_seen:
                    self.judge_iri(term, subject, triple)
            elif isinstance(term, Literal):
                self.judge_literal(term, subject, triple)

    def judge_type(self, subject, cls: URIRef, triple) -> None:
        """A class from a vocabulary the server keeps (PROV, VoID, RDFS...), or a new type of an existing
        resource."""
        key = _term_key(cls)
        if key:
            self.add(key, subject, triple, path=RDF.type, value=cls, term=curie(str(cls)))
        elif isinstance(subject, URIRef) and (subject, None, None) in self.live:
            types = sorted(curie(str(t)) for t in self.live.objects(subject, RDF.type))
            if types:  # a described resource with a class; an untyped one (a commune's link) may get one
                self.add(
                    "scope_new_type",
                    subject,
                    triple,
                    path=RDF.type,
                    value=cls,
                    types=", ".join(types),
                    new=curie(str(cls)),
                )

    def judge_literal(self, term: Literal, subject, triple) -> None:
        """Control characters in a value, and the IRI of its datatype."""
        found = LITERAL_CONTROL.search(term)
        if found:
            char = control_name(found.group())
            self.add("literal_control", subject, triple, path=triple[1], value=Literal(char), char=char)
        if term.datatype is not None and term.datatype not in self._iris_seen:
            self.judge_iri(URIRef(term.datatype), subject, triple)

    def judge_iri(self, term: URIRef, subject, triple) -> None:
        """Empty segments, dot segments and control characters in an IRI (once per IRI)."""
        self._iris_seen.add(term)
        iri = str(term)
        key = iri_problem(iri, self.base)
        if key is None:
            return
        found = IRI_CONTROL.search(iri)
        shown = IRI_CONTROL.sub(lambda m: control_name(m.group()), iri)[:160]
        char = control_name(found.group()) if found else ""
        self.add(key, subject, triple, value=URIRef(shown), iri=shown, char=char)


def scope_problems(graph: Graph, source: str, linemap: LineMap, judge, lang: str) -> list[Problem]:
    """Refusals for what the file may not change (see the module's description), one per statement and
    reason, each with its line where the file says it."""
    scope = _Scope(graph, linemap, judge, lang)
    live = judge.live_graph
    for triple in graph:
        if not (isinstance(triple[0], BNode) or isinstance(triple[2], BNode)) and triple in live:
            continue  # restates the dataset: changes nothing
        scope.judge_triple(*triple)
    return raw_iri_problems(source, lang) + scope.problems
