"""The curator's review in words: per resource a contribution touches, what changes ("Description :
« ancienne » → « nouvelle »", "Membre ajouté : X (partenaire)", "Commune : Dijon → Quimper"), new resources
with their values, the sources given and possible duplicates. Used by the page GET /contributions/N and by
``ptce contributions show N``. Flask-free: the caller gives the contribution, the live graph, the removed
statements and the shapes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SH

from server.contributions.texts import REVIEW_TEXTS
from server.namespaces import ORG, PTCE, SCHEMA
from server.web.labels import LABEL_PROPERTIES, pick_literal, property_label, resource_label
from server.web.search import fold
from server.web.wording import NUMERIC, literal_in_words

#: New resources told in words, at most (a file of 260 organisations: the first ones, then a count).
NEW_IN_WORDS = 50
#: The main classes, in the order their resources are listed, and the key of their words.
KINDS = ((PTCE.Pole, "pole"), (ORG.Organization, "organisation"), (ORG.Membership, "membership"))
_LAST = (DCTERMS.source,)


@dataclass(frozen=True)
class Value:
    """One value in words: a text (quoted when it is a text of the file), and a link when there is one."""

    text: str
    href: str | None = None
    quoted: bool = False
    note: str = ""  # the language of a text in another language than the page's


@dataclass(frozen=True)
class Change:
    """One line: ``label : old → new`` (a replaced value), or ``label : values`` (added, removed or new)."""

    label: str
    old: tuple[Value, ...] = ()
    new: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Touched:
    """A resource the contribution creates or changes, with its lines in words."""

    iri: str
    title: str
    new: bool
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Duplicate:
    """A new resource that looks like one of the graph: same name, or same web site."""

    iri: str
    name: str
    existing: Value
    reason: str  # "name" or "site"
    site: str = ""


@dataclass(frozen=True)
class Review:
    """The whole review in words."""

    resources: tuple[Touched, ...]
    sources: tuple[Value, ...]
    duplicates: tuple[Duplicate, ...]
    more: int = 0  # new resources not told in words (past NEW_IN_WORDS), all in the triples


class _Words:
    """Labels of properties (the shapes' ``sh:name``, else the ontology's) and of values, in one language."""

    def __init__(self, contribution: Graph, live: Graph, shapes: Graph, base_iri: str, lang: str):
        self.graphs, self.live, self.base, self.lang = (contribution, live), live, base_iri, lang
        self.R = REVIEW_TEXTS[lang]
        self.names: dict = {}
        self.order: dict = {}
        for shape, name in shapes.subject_objects(SH.name):
            path = shapes.value(shape, SH.path)
            if isinstance(path, URIRef) and path not in self.names:
                self.names[path] = str(pick_literal(list(shapes.objects(shape, SH.name)), lang) or name)
                group = shapes.value(shape, SH.group)
                rank = shapes.value(group, SH.order) if group is not None else None
                self.order[path] = (float(rank or 0), float(shapes.value(shape, SH.order) or 0))

    def prop(self, predicate) -> str:
        """A property in words, with a capital letter."""
        name = self.names.get(predicate) or property_label(self.live, predicate, self.lang)
        return name[:1].upper() + name[1:]

    def rank(self, predicate):
        """Where a property's line goes: the shapes' order, then the others, sources last."""
        return (
            predicate in _LAST,
            predicate not in self.order,
            self.order.get(predicate, (0, 0)),
            str(predicate),
        )

    def label(self, node) -> str:
        """A resource in words: its label in the contribution or the graph, a commune's official name."""
        for graph in self.graphs:
            if any(pick_literal(list(graph.objects(node, p)), self.lang) for p in LABEL_PROPERTIES):
                return resource_label(graph, node, self.lang)
        if str(node).startswith(f"{self.base}id/commune/"):
            from server.contributions.picker import commune_index

            commune = commune_index()[0].get(str(node).rsplit("/", 1)[-1])
            if commune is not None:
                return commune.name
        return resource_label(self.live, node, self.lang)

    def value(self, node) -> Value:
        """A value in words: a literal as a page writes it, a web address as a link, a resource by name."""
        if isinstance(node, Literal):
            text = _number(node, self.lang) or literal_in_words(node, self.lang)
            quoted = node.datatype is None
            if node.language and node.language != self.lang:
                return Value(text, quoted=quoted, note=node.language)
            return Value(text, quoted=quoted)
        if isinstance(node, URIRef) and not str(node).startswith(self.base):
            return Value(str(node), str(node))
        href = None
        if str(node).startswith(f"{self.base}id/") and (node, None, None) in self.live:
            href = "/doc/" + str(node)[len(f"{self.base}id/") :]
        return Value(self.label(node), href)

    def kind(self, node) -> str:
        """``pole``, ``organisation``, ``membership`` or ``other``, from its classes."""
        classes = {c for g in self.graphs for c in g.objects(node, RDF.type)}
        return next((key for cls, key in KINDS if cls in classes), "other")

    def title(self, node, new: bool) -> str:
        """« Nouveau pôle : X », « Organisation modifiée : Y »."""
        kind = self.kind(node)
        classes = sorted({self.label(c) for g in self.graphs for c in g.objects(node, RDF.type)})
        key = ("new_" if new else "changed_") + kind
        return self.R[key].format(name=self.label(node), kind=", ".join(classes) or "?")


def _number(literal: Literal, lang: str) -> str | None:
    """A number with every digit the file gives (a page rounds to three decimals; a review must not)."""
    if literal.datatype not in NUMERIC:
        return None
    try:
        return format_decimal(Decimal(str(literal)), locale=lang, decimal_quantization=False)
    except (ArithmeticError, ValueError):
        return None


def _role(words: _Words, membership, graph_order) -> Value:
    """« X (partenaire) » for a membership: the member's name and its role (in lower case)."""
    member = next((o for g in graph_order for o in g.objects(membership, ORG.member)), None)
    role = next((o for g in graph_order for o in g.objects(membership, ORG.role)), None)
    shown = words.value(member) if member is not None else Value(words.label(membership))
    if role is None:
        return shown
    role_text = words.label(role)
    if role_text[1:2].islower():
        role_text = role_text[:1].lower() + role_text[1:]
    return Value(f"{shown.text} ({role_text})", shown.href)


def removed_statements(contribution, data: Graph, judge) -> list[tuple]:
    """What accepting ``contribution`` (its parsed ``data``) takes away from the live graph: the single
    values it replaces and the statements its change removes (a member, a value cleared)."""
    from server.contributions.removals import removals_of
    from server.validator.pipeline import replaced_values

    return replaced_values(judge, data, removals_of(contribution, judge.base_iri))


def review_in_words(
    contribution: Graph, live: Graph, removed: list[tuple], shapes: Graph, base_iri: str, lang: str
) -> Review:
    """The review in words of ``contribution`` against ``live``, ``removed`` being the statements it takes
    away (replaced values, removed members)."""
    words = _Words(contribution, live, shapes, base_iri, lang)
    added, gone = defaultdict(list), defaultdict(list)
    for triple in contribution:
        if any(isinstance(n, BNode) for n in triple) or triple not in live:
            added[triple[0]].append(triple)
    for triple in removed:
        gone[triple[0]].append(triple)
    subjects = sorted({s for s in (*added, *gone) if isinstance(s, URIRef)}, key=str)
    new = {s for s in subjects if (s, None, None) not in live}
    members: dict = defaultdict(lambda: ([], []))  # pole -> (memberships added, memberships removed)
    folded, taken = set(), set(removed)
    for subject in subjects:
        pole = next((o for g in (contribution, live) for o in g.objects(subject, ORG.organization)), None)
        if pole is None or words.kind(subject) != "membership":
            continue
        if subject in new:
            members[pole][0].append(_role(words, subject, (contribution, live)))
        elif (pole, ORG.hasMembership, subject) in taken or (subject, ORG.organization, pole) in taken:
            members[pole][1].append(_role(words, subject, (live,)))
        else:
            continue
        folded.add(subject)
    subjects = sorted(set(subjects) | {p for p in members if isinstance(p, URIRef)}, key=str)
    resources = []
    for subject in subjects:
        if subject in folded:
            continue
        is_new = subject in new
        changes = _changes(words, subject, is_new, added[subject], gone[subject], members.get(subject))
        if changes or is_new:
            resources.append(Touched(str(subject), words.title(subject, is_new), is_new, tuple(changes)))
    order = {key: n for n, (_, key) in enumerate(KINDS)}
    resources.sort(key=lambda r: (r.new, order.get(words.kind(URIRef(r.iri)), 9), r.title))  # changes first
    fresh = [r for r in resources if r.new]
    resources = [r for r in resources if not r.new] + fresh[:NEW_IN_WORDS]
    sources = sorted(
        {o for o in contribution.objects(None, DCTERMS.source) if isinstance(o, URIRef)}, key=str
    )
    shown_sources = tuple(words.value(s) for s in sources)
    more = max(0, len(fresh) - NEW_IN_WORDS)
    return Review(tuple(resources), shown_sources, duplicates(contribution, live, words), more)


def _changes(words: _Words, subject, is_new: bool, added: list, gone: list, members) -> list[Change]:
    R = words.R
    new_by, old_by = defaultdict(list), defaultdict(list)
    for _, predicate, obj in added:
        new_by[predicate].append(obj)
    for _, predicate, obj in gone:
        old_by[predicate].append(obj)
    kind = words.kind(subject)
    main = next((cls for cls, key in KINDS if key == kind), None)
    lines = []
    for predicate in sorted(set(new_by) | set(old_by), key=words.rank):
        new = [o for o in new_by[predicate] if not (predicate == RDF.type and o == main)]
        old = old_by[predicate]
        if predicate == ORG.hasMembership or (is_new and predicate in _LAST) or not (new or old):
            continue  # members are told below; a new resource's sources are listed once for the whole file
        name = words.prop(predicate)
        shown_new = tuple(words.value(o) for o in sorted(new, key=str))
        shown_old = tuple(words.value(o) for o in sorted(old, key=str))
        if is_new or (new and old):
            lines.append(Change(name, shown_old, shown_new))
        elif new:
            lines.append(Change(R["added_value"].format(name=name), (), shown_new))
        else:
            lines.append(Change(R["removed_value"].format(name=name), shown_old, ()))
    joined, left = members or ([], [])
    if is_new and joined:
        lines.append(Change(words.prop(ORG.hasMembership), (), tuple(joined)))
    elif joined:
        lines += [Change(R["member_added"], (), (value,)) for value in joined]
    lines += [Change(R["member_removed"], (value,), ()) for value in left]
    return lines


def _site(node) -> str:
    """A web site without scheme, ``www.``, query or trailing slash, in lower case."""
    text = str(node).split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0].lower().rstrip("/")
    return text.removeprefix("www.")


def duplicates(contribution: Graph, live: Graph, words: _Words) -> tuple[Duplicate, ...]:
    """New poles (and organisations) named like an existing one of the same class, accents and case aside,
    or with the same web site."""
    found = []
    for cls, _ in KINDS[:2]:
        fresh = [s for s in contribution.subjects(RDF.type, cls) if (s, None, None) not in live]
        if not fresh:
            continue
        names, sites = defaultdict(set), defaultdict(set)
        for existing in live.subjects(RDF.type, cls):
            for prop in LABEL_PROPERTIES[:3]:
                for label in live.objects(existing, prop):
                    names[fold(str(label))].add(existing)
            for url in live.objects(existing, SCHEMA.url):
                sites[_site(url)].add(existing)
        for subject in sorted(set(fresh), key=str):
            name = words.label(subject)
            seen = set()
            for prop in LABEL_PROPERTIES[:3]:
                for label in contribution.objects(subject, prop):
                    for existing in sorted(names.get(fold(str(label)), ()), key=str):
                        if existing not in seen:
                            seen.add(existing)
                            found.append(Duplicate(str(subject), name, words.value(existing), "name"))
            for url in contribution.objects(subject, SCHEMA.url):
                for existing in sorted(sites.get(_site(url), set()) - seen, key=str):
                    seen.add(existing)
                    found.append(Duplicate(str(subject), name, words.value(existing), "site", str(url)))
    return tuple(found)


def value_text(value: Value, R: dict) -> str:
    """One value as text: quoted when it is a text, its language after it when not the page's."""
    text = R["quote"].format(value.text) if value.quoted else value.text
    return f"{text} ({value.note})" if value.note else text


def _values(values: tuple[Value, ...], R: dict) -> str:
    return R["separator"].join(value_text(v, R) for v in values)


def line_text(change: Change, R: dict) -> str:
    """One change as a line of text: ``Commune : Dijon → Quimper``."""
    if change.old and change.new:
        shown = f"{_values(change.old, R)} → {_values(change.new, R)}"
    else:
        shown = _values(change.new or change.old, R)
    return f"{change.label}{R['colon']} {shown}"


def duplicate_text(duplicate: Duplicate, R: dict) -> str:
    """One possible duplicate in words."""
    key = "duplicate_name" if duplicate.reason == "name" else "duplicate_site"
    return R[key].format(new=duplicate.name, existing=duplicate.existing.text, site=duplicate.site)


def text_lines(review: Review | None, lang: str, report=None) -> list[str]:
    """The review as lines of text (what ``ptce contributions show N`` prints); without a review (an
    unreadable file), the validation result alone."""
    R = REVIEW_TEXTS[lang]
    result = []
    if report is not None:
        status = R["status_" + report.status]
        result = [f"{R['validation']}{R['colon']} {status} ({report.counts_text()})"]
    if review is None:
        return result
    lines = [R["words"]]
    for resource in review.resources:
        lines.append(f"  {resource.title}  <{resource.iri}>")
        lines += [f"    {line_text(change, R)}" for change in resource.changes]
    if review.more:
        lines.append(f"  {R['words_more'].format(count=review.more)}")
    if not review.resources:
        lines.append(f"  {R['nothing']}")
    sources = ", ".join(v.text for v in review.sources) or R["no_sources"]
    lines.append(f"{R['sources']}{R['colon']} {sources}")
    lines.append(R["duplicates"] + R["colon"] + ("" if review.duplicates else " " + R["no_duplicates"]))
    lines += [f"  {duplicate_text(d, R)}" for d in review.duplicates]
    return lines + result
