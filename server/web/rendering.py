"""HTML pages of documents: resource, ontology, shapes and named-graph pages rendered with Jinja."""

from __future__ import annotations

from flask import current_app, render_template
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH

from server.dataset import get_store
from server.languages import LANGUAGES
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
from server.web.view_models import Linker, Value, ViewBuilder, json_for_script, map_json

PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def register(app) -> None:
    """Give templates the interface text and the ``local_href`` filter."""
    app.jinja_env.globals["UI"] = UI
    app.jinja_env.filters["local_href"] = lambda iri: Linker(app.config["BASE_IRI"]).href(str(iri)) or "#"


def linker() -> Linker:
    """Return the IRI-to-link mapper for this app's base IRI."""
    return Linker(current_app.config["BASE_IRI"])


def formats(path: str) -> list[dict]:
    """Return the links to every format of a document."""
    return [
        {"href": f"{path}.{key}", "label": fmt.label, "type": fmt.media_type} for key, fmt in FORMATS.items()
    ]


def listing(iris: list[URIRef], lang: str) -> list[Value]:
    """Return labelled, linked values for resources that may not be in the page's graph."""
    labels = labels_of(get_store(), iris, lang)
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
    for triple in kept:
        own.add(triple)
    mentioned = {o for _, _, o in kept if isinstance(o, URIRef)}
    for s, p, o in graph.triples((None, None, None)):
        if s in mentioned and p in (RDF.type, RDFS.label) and o != node:
            own.add((s, p, o))
    return own


def resource_page(graph: Graph, iri: str, lang: str, path: str) -> str:
    """Render the page of one resource from its description graph (long lists cut at PAGE_LIST_LIMIT)."""
    store, node = get_store(), URIRef(iri)
    limit = current_app.config["PAGE_LIST_LIMIT"]
    view = ViewBuilder(graph, store.rdflib_graph(("ontology",)), linker(), lang)
    poles, pole_count = related_poles(store, iri, current_app.config["MAP_POINT_LIMIT"])
    member_list = members(store, iri)
    instance_list = instances(store, iri)
    located = [node, *member_list, *poles][: current_app.config["MAP_POINT_LIMIT"]]
    points = map_points(store, located, lang)
    return page(
        "web/resource.html",
        lang,
        path,
        iri=iri,
        label=resource_label(graph, node, lang),
        description=comment(graph, node, lang),
        types=view.values(list(graph.objects(node, RDF.type))),
        groups=view.groups(node),
        incoming=view.incoming(node, limit, incoming_counts(store, iri)),
        sources=view.sources(node),
        poles=listing(poles[:limit], lang),
        members=listing(member_list[:limit], lang),
        instances=listing(instance_list[:limit], lang),
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


#: Interface text in French and English (the templates read ``UI[lang]``).
UI: dict[str, dict[str, str]] = {
    "fr": {
        "home": "Accueil",
        "sparql": "SPARQL",
        "ontology": "Vocabulaire",
        "shapes": "Formes SHACL",
        "validator": "Validateur",
        "void": "Description du jeu de données",
        "dumps": "Téléchargements",
        "other_lang": "English",
        "formats": "Ce document dans d'autres formats",
        "incoming": "Liens entrants",
        "sources": "Sources",
        "map": "Carte",
        "poles": "Pôles",
        "members": "Membres",
        "instances": "Instances",
        "iri": "IRI",
        "types": "Types",
        "no_js_map": "Lieux sur la carte (latitude, longitude) :",
        "not_found": "Ressource inconnue",
        "not_found_text": "Cette IRI n'est pas décrite dans le jeu de données :",
        "classes": "Classes",
        "properties": "Propriétés",
        "examples": "Exemples tirés des données",
        "subjects": "Ressources décrites",
        "triples": "triplets",
        "blank": "nœud anonyme",
        "search": "Rechercher un pôle (nom, commune, région)",
        "name": "Nom",
        "town": "Commune",
        "region": "Région",
        "actors": "acteurs",
        "regions": "régions",
        "sources_count": "sources",
        "search_button": "Filtrer",
        "graph": "Graphe nommé",
        "shapes_intro": "Formes SHACL qui valident les données.",
        "more": "… et {n} autres : voir le document RDF ou interroger le point SPARQL.",
        "more_poles": "… et {n} autres pôles : affinez la recherche.",
    },
    "en": {
        "home": "Home",
        "sparql": "SPARQL",
        "ontology": "Vocabulary",
        "shapes": "SHACL shapes",
        "validator": "Validator",
        "void": "Dataset description",
        "dumps": "Downloads",
        "other_lang": "Français",
        "formats": "This document in other formats",
        "incoming": "Incoming links",
        "sources": "Sources",
        "map": "Map",
        "poles": "Poles",
        "members": "Members",
        "instances": "Instances",
        "iri": "IRI",
        "types": "Types",
        "no_js_map": "Places on the map (latitude, longitude):",
        "not_found": "Unknown resource",
        "not_found_text": "This IRI is not described in the dataset:",
        "classes": "Classes",
        "properties": "Properties",
        "examples": "Examples from the data",
        "subjects": "Resources described",
        "triples": "triples",
        "blank": "blank node",
        "search": "Search a pole (name, town, region)",
        "name": "Name",
        "town": "Town",
        "region": "Region",
        "actors": "actors",
        "regions": "regions",
        "sources_count": "sources",
        "search_button": "Filter",
        "graph": "Named graph",
        "shapes_intro": "SHACL shapes that validate the data.",
        "more": "… and {n} more: see the RDF document or query the SPARQL endpoint.",
        "more_poles": "… and {n} more poles: narrow the search.",
    },
}


def make_html_response(html: str, lang: str):
    """Wrap a page in a response that declares its language and the headers it varies on."""
    from flask import Response

    response = Response(html, mimetype="text/html")
    response.content_language.add(lang)
    response.vary.add("Accept-Language")
    return response
