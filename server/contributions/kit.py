"""The contributor kit from the shapes: required and recommended fields per class, and Turtle templates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import ORG, SH

from server.namespaces import PREFIXES, PTCE, curie

#: Field levels, most demanding first.
REQUIRED, RECOMMENDED, OPTIONAL = "required", "recommended", "optional"
_LEVELS = (REQUIRED, RECOMMENDED, OPTIONAL)
#: The classes a contributor describes, in the order of the guide.
KIT_CLASSES = (PTCE.Pole, ORG.Organization, ORG.Membership)
#: The downloadable templates.
TEMPLATES = ("new-pole", "new-organisation", "update-pole")
_EXAMPLE_IRI = re.compile(r"<(https://w3id\.org/ptce/id/[^>\s]+)>")
_SAMPLE_DATATYPES = {
    XSD.gYear: '"2020"^^xsd:gYear',
    XSD.gYearMonth: '"2020-06"^^xsd:gYearMonth',
    XSD.date: '"2020-06-30"^^xsd:date',
    XSD.dateTime: '"2020-06-30T00:00:00"^^xsd:dateTime',
    XSD.decimal: "45.0",
    XSD.double: "45.0e0",
    XSD.integer: "10",
}


@dataclass
class Field:
    """One property a class's description has: how much it is needed, and what the shapes say of it."""

    path: str  # the path as written in Turtle (prefixed name)
    level: str
    messages: list[str] = field(default_factory=list)
    property_shapes: list = field(default_factory=list)


@dataclass
class ClassFields:
    """The fields of one class, from its node shape."""

    iri: str
    name: str
    label: str
    fields: list[Field]

    def by_level(self, level: str) -> list[Field]:
        """The fields of one level."""
        return [f for f in self.fields if f.level == level]


def _text(graph: Graph, node, predicate, lang: str) -> str:
    values = list(graph.objects(node, predicate))
    for value in values:
        if isinstance(value, Literal) and value.language == lang:
            return str(value)
    return str(values[0]) if values else ""


def _path_text(graph: Graph, path) -> str | None:
    if isinstance(path, URIRef):
        return "a" if path == RDF.type else curie(str(path))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(curie(str(p)) for p in Collection(graph, alternatives))
    return None  # inverse and sequence paths are checks, not fields a contributor writes


def _level(graph: Graph, shape) -> str:
    minimum = graph.value(shape, SH.minCount) or graph.value(shape, SH.qualifiedMinCount)
    if minimum is None or int(minimum) < 1:
        return OPTIONAL
    return RECOMMENDED if graph.value(shape, SH.severity) in (SH.Warning, SH.Info) else REQUIRED


def class_fields(shapes: Graph, cls: URIRef, lang: str) -> ClassFields:
    """The fields the shapes of ``cls`` ask for, required first, each with the shapes' own messages."""
    fields: dict[str, Field] = {}
    for node_shape in sorted(shapes.subjects(SH.targetClass, cls)):
        for shape in shapes.objects(node_shape, SH.property):
            path = _path_text(shapes, shapes.value(shape, SH.path))
            if path is None:
                continue
            path = path.split(" | ")[0]  # "schema:location or dcterms:spatial" is told by its message
            entry = fields.setdefault(path, Field(path, OPTIONAL))
            level = _level(shapes, shape)
            entry.level = min(entry.level, level, key=_LEVELS.index)
            message = _text(shapes, shape, SH.message, lang)
            if message and message not in entry.messages:
                entry.messages.append(message)
            entry.property_shapes.append(shape)
    node_shape = next(iter(sorted(shapes.subjects(SH.targetClass, cls))), None)
    label = _text(shapes, node_shape, RDFS.label, lang) if node_shape is not None else ""
    ordered = sorted(fields.values(), key=lambda f: (_LEVELS.index(f.level), f.path != "a"))
    return ClassFields(str(cls), curie(str(cls)), label or curie(str(cls)), ordered)


def kit_fields(shapes: Graph, lang: str) -> list[ClassFields]:
    """The fields of every class of the kit."""
    return [class_fields(shapes, cls, lang) for cls in KIT_CLASSES]


def _options(shapes: Graph, shape, predicate) -> list:
    """Values of ``predicate`` on the shape, or in its sh:or / qualified value shape alternatives."""
    found = list(shapes.objects(shape, predicate))
    for alternatives in shapes.objects(shape, SH["or"]):
        for member in Collection(shapes, alternatives):
            found += list(shapes.objects(member, predicate))
    for qualified in shapes.objects(shape, SH.qualifiedValueShape):
        found += list(shapes.objects(qualified, predicate))
    return found


def sample_value(shapes: Graph, live: Graph, entry: Field, own: dict[str, str], lang: str) -> str:
    """A value that satisfies the field's shapes: a resource of the template, an existing resource (the
    shapes' own example when it exists), a literal of the right datatype, or a web address."""
    if entry.path.startswith("rdfs:label"):
        return '"' + ("Nom" if lang == "fr" else "Name") + '"@fr'
    for shape in entry.property_shapes:
        for listed in _options(shapes, shape, SH["in"]):
            return curie(str(next(iter(Collection(shapes, listed)))))
    classes = [c for shape in entry.property_shapes for c in _options(shapes, shape, SH["class"])]
    for cls in classes:
        if curie(str(cls)) in own:
            return own[curie(str(cls))]
    for message in entry.messages if classes else ():
        for example in _EXAMPLE_IRI.findall(message):
            if (URIRef(example), None, None) in live:
                return curie(example)
    for cls in classes:
        instance = min((s for s in live.subjects(RDF.type, cls) if isinstance(s, URIRef)), default=None)
        if instance is not None:
            return curie(str(instance))
    for shape in entry.property_shapes:
        for datatype in _options(shapes, shape, SH.datatype):
            if datatype in _SAMPLE_DATATYPES:
                return _SAMPLE_DATATYPES[datatype]
            if datatype == XSD.string:
                return '"123456782"' if entry.path == "ptce:siren" else '"..."'
        if shapes.value(shape, SH.nodeKind) == SH.IRI or shapes.value(shape, SH.pattern):
            return "<https://www.exemple.fr/>" if lang == "fr" else "<https://www.example.org/>"
    return '"..."@fr'


_HEAD = {
    "fr": {
        "new-pole": "Modèle : un nouveau pôle, une nouvelle organisation membre et l'adhésion qui les relie.",
        "new-organisation": "Modèle : une nouvelle organisation (membre ou partenaire d'un pôle existant).",
        "update-pole": "Modèle : compléter un pôle existant (une valeur modifiée remplace l'ancienne).",
        "how": "Remplacez les valeurs d'exemple ; les lignes '#' sont des commentaires. "
        "Validez sur /validate.",
        REQUIRED: "obligatoire",
        RECOMMENDED: "recommandé",
        OPTIONAL: "facultatif",
        "commune": "Une commune s'écrit commune: suivi de son code INSEE (pas le code postal).",
        "existing": "Une organisation existante se cite par son IRI, sans la décrire à nouveau.",
    },
    "en": {
        "new-pole": "Template: a new pole, a new member organisation and the membership linking them.",
        "new-organisation": "Template: a new organisation (a member or partner of an existing pole).",
        "update-pole": "Template: complete an existing pole (a changed value replaces the old one).",
        "how": "Replace the example values; '#' lines are comments. Validate at /validate.",
        REQUIRED: "required",
        RECOMMENDED: "recommended",
        OPTIONAL: "optional",
        "commune": "A commune is written commune: followed by its INSEE code (not the postcode).",
        "existing": "An existing organisation is cited by its IRI, without describing it again.",
    },
}
_LOCAL_PREFIXES = {
    "pole": "id/pole/",
    "orga": "id/organisation/",
    "ms": "id/membership/",
    "commune": "id/commune/",
    "role": "id/role/",
    "sector": "id/sector/",
    "char": "id/characteristic/",
    "legal": "id/legal-form/",
}


def _block(
    shapes, live, cls, subject, own, lang, extra_types=(), typed=True, links=(), commented=(OPTIONAL,)
):
    """The lines describing one resource: each field with the shapes' message as a comment; optional
    fields commented out, except the ``links`` to the template's other resources. Every statement ends
    with ';' and the block with a lone '.', so that any line can be uncommented."""
    fields = class_fields(shapes, cls, lang)
    words = _HEAD[lang]
    types = ", ".join([curie(str(cls)), *extra_types])
    lines = [f"# {fields.label}", f"{subject} a {types} ;" if typed else f"{subject}"]
    written = set()
    for entry in fields.fields:
        path = entry.path.split(" | ")[0]
        if entry.path == "a" or path in written:
            continue
        written.add(path)
        value = sample_value(shapes, live, entry, own, lang)
        comment = f"    # [{words[entry.level]}] " + (entry.messages[0] if entry.messages else path)
        statement = f"    {path} {value} ;"
        if entry.level in commented and path not in links:
            statement = "#" + statement[1:]
        lines += [comment, statement]
    return lines + ["    .", ""]


def local_prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes of our own IRIs that templates and accepted files use (pole:, orga:, ms:...)."""
    return {prefix: f"{base_iri}{path}" for prefix, path in _LOCAL_PREFIXES.items()}


def _prefixes(base_iri: str) -> list[str]:
    wanted = ("rdfs", "xsd", "dcterms", "org", "schema", "ptce", "geo")
    lines = [f"@prefix {p}: <{PREFIXES[p]}> ." for p in wanted]
    lines += [f"@prefix {p}: <{base_iri}{path}> ." for p, path in _LOCAL_PREFIXES.items()]
    return lines + [""]


def _existing_pole(live: Graph) -> str:
    poles = sorted(str(s) for s in live.subjects(RDF.type, PTCE.Pole) if isinstance(s, URIRef))
    return "pole:" + poles[0].rsplit("/", 1)[-1] if poles else "pole:nom-du-pole"


def template(name: str, shapes: Graph, live: Graph, lang: str, base_iri: str) -> str:
    """The commented Turtle template ``name`` (one of :data:`TEMPLATES`), generated from the shapes."""
    words = _HEAD[lang]
    slug_orga = "nom-de-l-organisation" if lang == "fr" else "name-of-the-organisation"
    pole = (
        _existing_pole(live)
        if name != "new-pole"
        else ("pole:nom-du-pole" if lang == "fr" else "pole:name-of-the-pole")
    )
    orga = f"orga:{slug_orga}"
    membership = f"ms:{pole.split(':', 1)[1]}--{slug_orga}"
    own = {"ptce:Pole": pole, "org:Organization": orga, "org:Membership": membership}
    lines = [f"# {words[name]}", f"# {words['how']}", f"# {words['commune']}", f"# {words['existing']}", ""]
    lines += _prefixes(base_iri)
    if name == "new-pole":
        lines += _block(shapes, live, PTCE.Pole, pole, own, lang, links=("org:hasMembership",))
    elif name == "update-pole":  # every field of the existing pole, to uncomment and fill in
        lines += _block(
            shapes,
            live,
            PTCE.Pole,
            pole,
            own,
            lang,
            typed=False,
            links=("org:hasMembership",),
            commented=_LEVELS,
        )
    else:  # the existing pole gains the new membership
        lines += [f"{pole} org:hasMembership {membership} .", ""]
    lines += _block(shapes, live, ORG.Organization, orga, own, lang, extra_types=("ptce:ESSEnterprise",))
    lines += _block(shapes, live, ORG.Membership, membership, own, lang)
    return "\n".join(lines)
