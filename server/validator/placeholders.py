"""The example values of the contributor kit's templates and of the pole form, which a contribution may not
keep: the name « Nom » / "Name", « Nom du pôle », « Nom de l'organisation », the slugs ``nom-du-pole``,
``name-of-the-pole``, ``nom-de-l-organisation``, and the templates' web addresses (``www.exemple.fr``,
``www.example.org``). They are violations everywhere: /validate, ``ptce validate``, submission, accept.

The pole form (server/contributions/form_values.py) refuses more: any address under the domains reserved for
examples (example.org, .com, .net, RFC 2606). Files may keep those: the test files describe fictitious poles
with them, and nothing typed by hand in a form has a reason to.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from server.namespaces import SCHEMA
from server.validator.linemap import LineMap
from server.validator.report import Problem

#: The names of the templates and the form's examples, folded (lower case, no accents, no punctuation).
PLACEHOLDER_NAMES = frozenset(
    {"nom", "name", "nom du pole", "name of the pole", "nom de l organisation", "name of the organisation"}
)
#: The last segments of the templates' IRIs (a membership joins two: ``nom-du-pole--nom-de-l-organisation``).
PLACEHOLDER_SLUGS = frozenset(
    {"nom-du-pole", "name-of-the-pole", "nom-de-l-organisation", "name-of-the-organisation"}
)
#: Hosts of example addresses: the form refuses every one; files only the templates' own (TEMPLATE_HOSTS).
PLACEHOLDER_HOSTS = ("exemple.fr", "example.org", "example.com", "example.net", "exemple.com")
#: The templates' addresses: any host under exemple.fr / exemple.com, and www.example.org/.com/.net exactly.
TEMPLATE_HOSTS = ("exemple.fr", "exemple.com")
TEMPLATE_EXACT_HOSTS = frozenset({"www.example.org", "www.example.com", "www.example.net"})
_NAME_PROPERTIES = (RDFS.label, SKOS.prefLabel, SCHEMA.name)
_TEXTS = {
    "name": {
        "fr": "« {value} » est le nom d'exemple du modèle : écrivez le vrai nom.",
        "en": "'{value}' is the template's example name: write the real name.",
    },
    "iri": {
        "fr": "L'IRI <{value}> est celui du modèle : nommez la ressource d'après son vrai nom "
        "(par exemple pole:la-coursive-boutaric).",
        "en": "The IRI <{value}> is the template's: name the resource after its real name "
        "(for example pole:la-coursive-boutaric).",
    },
    "url": {
        "fr": "{value} est l'adresse d'exemple du modèle : indiquez une vraie adresse web.",
        "en": "{value} is the template's example address: give a real web address.",
    },
}


def folded(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: « Nom de l’Organisation » → ``nom de l organisation``
    (as server.web.search.fold, which the validator may not import)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def _host(value: str) -> str:
    try:
        return (urlsplit(value).hostname or "").lower()
    except ValueError:
        return ""


def under(host: str, domains) -> bool:
    """True when ``host`` is one of ``domains`` or a host under one."""
    return any(host == d or host.endswith("." + d) for d in domains)


def placeholder_url(value: str) -> bool:
    """True for any example address (www.exemple.fr, example.org...): what the form refuses."""
    return under(_host(value), PLACEHOLDER_HOSTS)


def template_url(value: str) -> bool:
    """True for the templates' own example addresses: what a file may not keep."""
    host = _host(value)
    return under(host, TEMPLATE_HOSTS) or host in TEMPLATE_EXACT_HOSTS


def placeholder_name(value: str) -> bool:
    """True for a template's example name."""
    return folded(value) in PLACEHOLDER_NAMES


def placeholder_iri(iri: str, base_iri: str) -> bool:
    """True for an IRI of ours named like the templates' (``pole:nom-du-pole``, ``ms:nom-du-pole--…``)."""
    if not iri.startswith(f"{base_iri}id/"):
        return False
    return any(part in PLACEHOLDER_SLUGS for part in iri.rsplit("/", 1)[-1].split("--"))


def placeholder_problems(
    graph: Graph, linemap: LineMap, live: Graph, base_iri: str, lang: str
) -> list[Problem]:
    """Violations for the templates' example names, IRIs and addresses the file adds (not those the dataset
    already holds). Once per value, at its first statement."""
    lang = lang if lang in ("fr", "en") else "en"
    found: dict = {}
    for triple in sorted(graph, key=lambda t: tuple(str(n) for n in t)):
        if triple in live:
            continue  # restates the dataset: changes nothing
        subject, predicate, obj = triple
        for node in (subject, obj):
            if isinstance(node, URIRef) and placeholder_iri(str(node), base_iri):
                found.setdefault(("iri", str(node)), triple)
        if isinstance(obj, Literal) and predicate in _NAME_PROPERTIES and placeholder_name(str(obj)):
            found.setdefault(("name", str(obj)), triple)
        if (
            isinstance(obj, URIRef)
            and str(obj).startswith(("http://", "https://"))
            and template_url(str(obj))
        ):
            found.setdefault(("url", str(obj)), triple)
    problems = []
    for (key, value), (subject, predicate, obj) in found.items():
        line, column = linemap.value(subject, predicate, obj) or linemap.node(subject) or (None, None)
        problems.append(
            Problem(
                "Violation",
                "placeholder",
                _TEXTS[key][lang].format(value=value[:200]),
                line,
                column,
                focus=subject.n3(),
                path=predicate.n3(),
                value=obj.n3()[:300],
            )
        )
    return problems
