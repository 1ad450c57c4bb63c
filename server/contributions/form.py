"""The contribution form, read from the shapes: for a class, the property shapes that have a ``sh:name``, in
``sh:order`` within their ``sh:group``, with their words in the page's language and what their constraints say
of the widget (a text, a year, a web address, a commune, a concept of a SKOS scheme, the members...).

A new property shape with ``sh:name`` in ``shapes/`` appears in the form with no template change. Flask-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS, XSD

from server.contributions.picker import Choice, class_choices, scheme_choices
from server.namespaces import IGEO, ORG, curie

DASH = Namespace("http://datashapes.org/dash#")
PTCESH = Namespace("https://w3id.org/ptce/shapes#")
#: Widgets whose field holds one value; the others hold a list.
SINGLE = ("text", "textarea", "url", "year", "commune", "select", "organisation")


@dataclass
class FormField:
    """One field of the form: a property path and what its shapes say of it."""

    key: str  # the HTML name: the path's prefixed name with '_' for ':' (schema_url)
    path: URIRef
    name: str
    description: str
    prompt: str
    order: float
    widget: str
    required: bool
    choices: list[Choice] = field(default_factory=list)
    pattern: str | None = None
    classes: list[URIRef] = field(default_factory=list)
    group: URIRef | None = None
    datatypes: list[URIRef] = field(default_factory=list)

    @property
    def single(self) -> bool:
        """True when the form writes one value of this field."""
        return self.widget in SINGLE


@dataclass
class FormGroup:
    """A section of the form (an ``sh:PropertyGroup``)."""

    key: str
    label: str
    order: float
    fields: list[FormField]


def _text(graph: Graph, node, predicate, lang: str) -> str:
    values = [v for v in graph.objects(node, predicate) if isinstance(v, Literal)]
    for wanted in (lang, "fr", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else ""


def _number(graph: Graph, node, predicate, default: float = 0) -> float:
    value = graph.value(node, predicate)
    return float(value) if value is not None else default


def _alternatives(shapes: Graph, shape) -> list:
    """The shape, the members of its sh:or lists and its qualified value shapes."""
    found = [shape]
    for alternatives in shapes.objects(shape, SH["or"]):
        found += list(Collection(shapes, alternatives))
    found += list(shapes.objects(shape, SH.qualifiedValueShape))
    return found


def _scheme(shapes: Graph, shape):
    """The SKOS scheme a value must be in (the ``sh:hasValue`` of skos:inScheme in its ``sh:node``)."""
    for node in shapes.objects(shape, SH.node):
        for inner in shapes.objects(node, SH.property):
            if shapes.value(inner, SH.path) == SKOS.inScheme:
                return shapes.value(inner, SH.hasValue)
    return None


def _widget(shapes: Graph, shapes_of_path: list, path) -> tuple[str, dict]:
    """The widget of a field and what it needs (scheme, classes, listed values, pattern)."""
    editors, kinds, datatypes, classes, listed = set(), set(), set(), [], []
    scheme = pattern = max_count = None
    for shape in shapes_of_path:
        editors |= set(shapes.objects(shape, DASH.editor))
        scheme = scheme or _scheme(shapes, shape)
        pattern = pattern or shapes.value(shape, SH.pattern)
        max_count = max_count or shapes.value(shape, SH.maxCount)
        kinds |= set(shapes.objects(shape, SH.nodeKind))
        for member in _alternatives(shapes, shape):
            classes += [c for c in shapes.objects(member, SH["class"]) if c not in classes]
            datatypes |= set(shapes.objects(member, SH.datatype))
            for values in shapes.objects(member, SH["in"]):
                listed += list(Collection(shapes, values))
    needs = {
        "scheme": scheme,
        "classes": classes,
        "listed": listed,
        "pattern": pattern,
        "datatypes": sorted(datatypes),
    }
    select = DASH.EnumSelectEditor in editors or (max_count is not None and int(max_count) == 1)
    if path == ORG.hasMembership:
        widget = "members"
    elif IGEO.Commune in classes:
        widget = "commune"
    elif scheme is not None:
        widget = "select" if select else "checkboxes"
    elif listed:
        widget = "select"
    elif ORG.Organization in classes:
        widget = "organisation"
    elif SH.IRI in kinds or DASH.URIEditor in editors:
        widget = "urls" if DASH.TextAreaEditor in editors else "url"
    elif XSD.gYear in datatypes:
        widget = "year"
    elif DASH.TextAreaEditor in editors:
        widget = "textarea"
    else:
        widget = "text"
    return widget, needs


def _required(shapes: Graph, shapes_of_path: list) -> bool:
    for shape in shapes_of_path:
        least = shapes.value(shape, SH.minCount) or shapes.value(shape, SH.qualifiedMinCount)
        if least is not None and int(least) >= 1 and shapes.value(shape, SH.severity) in (None, SH.Violation):
            return True
    return False


def key_of(path: URIRef) -> str:
    """The HTML field name of a path: ``schema:url`` -> ``schema_url``."""
    return curie(str(path)).replace(":", "_").replace("/", "_").replace("#", "_")


def form_fields(shapes: Graph, cls: URIRef, lang: str, labels: Graph | None = None) -> list[FormField]:
    """The fields of ``cls``: one per path that has a property shape with ``sh:name``, in ``sh:order``."""
    by_path: dict[URIRef, list] = {}
    for node_shape in sorted(shapes.subjects(SH.targetClass, cls)):
        for shape in shapes.objects(node_shape, SH.property):
            path = shapes.value(shape, SH.path)
            if isinstance(path, URIRef):
                by_path.setdefault(path, []).append(shape)
    fields = []
    for path, shapes_of_path in by_path.items():
        named = [s for s in shapes_of_path if shapes.value(s, SH.name) is not None]
        if not named:
            continue
        first = named[0]
        widget, needs = _widget(shapes, shapes_of_path, path)
        choices: list[Choice] = []
        if labels is not None and needs["scheme"] is not None:
            choices = scheme_choices(labels, needs["scheme"], lang)
        elif labels is not None and needs["listed"]:
            choices = class_choices(labels, needs["listed"], lang)
        group = shapes.value(first, SH.group)
        fields.append(
            (
                (_number(shapes, group, SH.order, 99), _number(shapes, first, SH.order, 99)),
                FormField(
                    key_of(path),
                    path,
                    _text(shapes, first, SH.name, lang),
                    _text(shapes, first, SH.description, lang),
                    _text(shapes, first, PTCESH.prompt, lang),
                    _number(shapes, first, SH.order, 99),
                    widget,
                    _required(shapes, shapes_of_path),
                    choices,
                    str(needs["pattern"]) if needs["pattern"] else None,
                    needs["classes"],
                    group,
                    needs["datatypes"],
                ),
            )
        )
    return [f for _, f in sorted(fields, key=lambda pair: pair[0])]


def form_model(shapes: Graph, cls: URIRef, lang: str, labels: Graph | None = None) -> list[FormGroup]:
    """The form of ``cls``: its groups in ``sh:order``, each with its fields in ``sh:order``."""
    groups: dict[str, FormGroup] = {}
    for entry in form_fields(shapes, cls, lang, labels):
        group = entry.group
        key = str(group).rsplit("#", 1)[-1] if group is not None else "other"
        if key not in groups:
            label = _text(shapes, group, RDFS.label, lang) if group else ""
            groups[key] = FormGroup(key, label, _number(shapes, group, SH.order, 99) if group else 99, [])
        groups[key].fields.append(entry)
    return sorted(groups.values(), key=lambda g: g.order)


def field_by_path(groups: list[FormGroup], path: URIRef) -> FormField | None:
    """The field of a path in a form, if it has one."""
    return next((f for g in groups for f in g.fields if f.path == path), None)


@dataclass
class PoleForm:
    """Everything the pole form needs: its groups, the member row's fields and the new organisation's."""

    groups: list[FormGroup]
    member: list[FormField]
    organisation: list[FormField]

    def fields(self) -> list[FormField]:
        """The pole's fields, in the order of the page."""
        return [f for g in self.groups for f in g.fields]

    def member_field(self, path: URIRef) -> FormField | None:
        """The member row's field of a path."""
        return next((f for f in self.member if f.path == path), None)

    def row(self) -> dict[str, FormField | None]:
        """A member row's fields: the organisation, a new one's category, the role."""
        return {
            "name": self.member_field(ORG.member),
            "category": self.category(),
            "role": self.member_field(ORG.role),
        }

    def labels(self) -> dict[str, str]:
        """The label of every listed value (concepts, categories), by IRI."""
        fields = [*self.fields(), *self.member, *self.organisation]
        return {c.value: c.label for f in fields for c in f.choices}

    def category(self) -> FormField | None:
        """The new organisation's category (its ``rdf:type`` among the categories of the law)."""
        return next((f for f in self.organisation if f.path == RDF.type), None)


def pole_form(shapes: Graph, labels: Graph, lang: str) -> PoleForm:
    """The pole form: the pole's groups, each member's fields and a new organisation's fields."""
    from server.namespaces import PTCE

    return PoleForm(
        form_model(shapes, PTCE.Pole, lang, labels),
        form_fields(shapes, ORG.Membership, lang, labels),
        form_fields(shapes, ORG.Organization, lang, labels),
    )
