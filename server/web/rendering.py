"""HTML pages of documents: resource, ontology, shapes and named-graph pages rendered with Jinja."""

from __future__ import annotations

from flask import current_app, render_template, request
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH

from server.dataset import get_store
from server.languages import LANGUAGES, choose_language
from server.web.describe import (
    examples,
    incoming_counts,
    instances,
    labels_of,
    map_points,
    members,
    related_poles,
)
from server.web.labels import comment, local_name, pick_literal, resource_label
from server.web.negotiation import FORMATS
from server.web.profile import ProfileBuilder
from server.web.ui_text import UI
from server.web.view_models import Linker, Value, ViewBuilder, json_for_script, map_json
from server.web.wording import number, typography

#: Page types whose profile already lists their members and poles.
PROFILED = ("pole", "organisation", "territory", "call", "concept", "award")
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def register(app) -> None:
    """Give templates the interface text and the ``local_href`` filter."""
    app.jinja_env.globals["UI"] = {
        lang: {k: typography(v, lang) if isinstance(v, str) else v for k, v in text.items()}
        for lang, text in UI.items()
    }
    app.jinja_env.globals["page_lang"] = lambda: choose_language(request)
    app.jinja_env.filters["num"] = lambda value, lang, digits=4: number(round(float(value), digits), lang)
    app.jinja_env.filters["local_href"] = lambda iri: Linker(app.config["BASE_IRI"]).href(str(iri)) or "#"


def linker() -> Linker:
    """Return the IRI-to-link mapper for this app's base IRI."""
    return Linker(current_app.config["BASE_IRI"])


def formats(path: str) -> list[dict]:
    """Return the links to every format of a document."""
    return [
        {"href": f"{path}.{key}", "label": fmt.label, "type": fmt.media_type} for key, fmt in FORMATS.items()
    ]


def listing(iris: list[URIRef], lang: str, store=None) -> list[Value]:
    """Return labelled, linked values for resources that may not be in the page's graph."""
    labels = labels_of(get_store() if store is None else store, iris, lang)
    link = linker()
    values = [Value(labels.get(i, local_name(str(i))), href=link.href(str(i)), iri=str(i)) for i in iris]
    return sorted(values, key=lambda v: v.text.lower())


def page(template: str, lang: str, path: str | None, **values) -> str:
    """Render a page template with the values every page needs (no format links when path is None)."""
    return render_template(
        template,
        lang=lang,
        other_lang=LANGUAGES[1 - LANGUAGES.index(lang)],
        formats=formats(path) if path else [],
        doc_path=path,
        tile_url=current_app.config["TILE_URL"],
        tile_attribution=current_app.config["TILE_ATTRIBUTION"],
        **values,
    )


def own_description(graph: Graph, node: URIRef) -> Graph:
    """Return the part of a document that describes the resource itself (for the embedded JSON-LD).

    Incoming links are left out: a hub (a region, a characteristic) can have thousands.
    """
    own = Graph()
    kept = [(s, p, o) for s, p, o in graph if s == node or (isinstance(s, BNode) and o != node)]
    mentioned = {o for _, _, o in kept if isinstance(o, URIRef)}
    kept += [(s, p, o) for s, p, o in graph if s in mentioned and p in (RDF.type, RDFS.label) and o != node]
    for triple in sorted(kept, key=lambda t: tuple(term.n3() for term in t)):  # the same text on any store
        own.add(triple)
    return own


def resource_page(graph: Graph, iri: str, lang: str, path: str, store=None) -> str:
    """Render the page of one resource: its profile first, then every other statement (lists cut at
    PAGE_LIST_LIMIT). ``store``: where its queries run (the app's store, or a page view of it)."""
    store, node = get_store() if store is None else store, URIRef(iri)
    limit = current_app.config["PAGE_LIST_LIMIT"]
    view = ViewBuilder(graph, store.rdflib_graph(("ontology",)), linker(), lang)
    poles, pole_count = related_poles(store, iri, current_app.config["MAP_POINT_LIMIT"])
    profile = ProfileBuilder(store, graph, iri, lang, linker(), limit).build((poles[:limit], pole_count))
    member_list = members(store, iri)
    instance_list = instances(store, iri)
    located = [node, *member_list, *poles][: current_app.config["MAP_POINT_LIMIT"]]
    points = map_points(store, located, lang)
    groups = [
        dict(group, rows=[r for r in group["rows"] if URIRef(r.iri) not in profile.shown])
        for group in view.groups(node)
    ]
    incoming = [
        r
        for r in view.incoming(node, limit, incoming_counts(store, iri))
        if URIRef(r.iri) not in profile.shown_incoming
    ]
    return page(
        "web/resource.html",
        lang,
        path,
        iri=iri,
        label=resource_label(graph, node, lang),
        profile=profile,
        types=view.values(list(graph.objects(node, RDF.type))),
        groups=[g for g in groups if g["rows"]],
        incoming=incoming,
        members=listing(member_list[:limit], lang, store) if profile.kind not in PROFILED else [],
        poles=listing(poles[:limit], lang, store) if profile.kind not in PROFILED else [],
        instances=listing(instance_list[:limit], lang, store),
        totals={"poles": pole_count, "members": len(member_list), "instances": len(instance_list)},
        points=points,
        map_data=map_json(points, linker()),
        jsonld=json_for_script(own_description(graph, node).serialize(format="json-ld", auto_compact=True)),
    )


def _term(graph: Graph, view: ViewBuilder, term: URIRef, lang: str) -> dict:
    """Describe one class or property of the ontology for its documentation section."""
    store = get_store()
    other = LANGUAGES[1 - LANGUAGES.index(lang)]
    other_label = pick_literal(list(graph.objects(term, RDFS.label)), other)
    entry = {
        "iri": str(term),
        "anchor": str(term).rsplit("#", 1)[-1],
        "label": resource_label(graph, term, lang),
        "other_label": str(other_label) if other_label is not None else None,
        "comment": comment(graph, term, lang),
        "rows": [r for r in view.rows(term) if URIRef(r.iri) not in (RDFS.label, RDFS.comment, RDF.type)],
        "instances": [],
        "examples": [],
    }
    if (term, RDF.type, OWL.Class) in graph:
        entry["instances"] = listing(instances(store, str(term)), lang)
    else:
        entry["examples"] = [(view.value(s), view.value(o)) for s, o in examples(store, str(term))]
    return entry


def ontology_page(graph: Graph, iri: str, lang: str, path: str) -> str:
    """Render the vocabulary documentation: header, classes, properties, with anchors per term."""
    namespace = iri + "#"
    view = ViewBuilder(graph, graph, linker(), lang)
    classes = sorted(t for t in graph.subjects(RDF.type, OWL.Class) if str(t).startswith(namespace))
    properties = sorted(
        {t for kind in PROPERTY_TYPES for t in graph.subjects(RDF.type, kind) if str(t).startswith(namespace)}
    )
    header = URIRef(iri)
    return page(
        "web/ontology.html",
        lang,
        path,
        iri=iri,
        title=str(pick_literal(list(graph.objects(header, DCTERMS.title)), lang) or "Ontology"),
        description=comment(graph, header, lang),
        header_rows=[
            r for r in view.rows(header) if URIRef(r.iri) not in (DCTERMS.title, DCTERMS.description)
        ],
        classes=[_term(graph, view, t, lang) for t in classes],
        properties=[_term(graph, view, t, lang) for t in properties],
    )


def shapes_page(graph: Graph, lang: str, path: str) -> str:
    """Render the SHACL shapes: one section per node shape with its property shapes nested."""
    view = ViewBuilder(graph, get_store().rdflib_graph(("ontology",)), linker(), lang)
    shapes = sorted(s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))
    sections = [
        {
            "iri": str(s),
            "anchor": local_name(str(s)),
            "label": resource_label(graph, s, lang),
            "rows": view.rows(s),
        }
        for s in shapes
    ]
    return page("web/shapes.html", lang, path, shapes=sections, triples=len(graph))


def graph_page(graph: Graph, iri: str, lang: str, path: str) -> str:
    """Render a named graph: its size and the resources it describes."""
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    view = ViewBuilder(graph, get_store().rdflib_graph(("ontology",)), linker(), lang)
    return page("web/graph.html", lang, path, iri=iri, triples=len(graph), subjects=view.values(subjects))


def make_html_response(html: str, lang: str):
    """Wrap a page in a response that declares its language and the headers it varies on."""
    from flask import Response

    response = Response(html, mimetype="text/html")
    response.content_language.add(lang)
    response.vary.add("Accept-Language")
    return response
