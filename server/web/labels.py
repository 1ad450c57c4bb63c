"""Labels in a chosen language for resources and properties (French by default, English on request)."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from server.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.namespaces import DCAT, GEO, IGEO, ORG, SCHEMA, VOID

VANN = Namespace("http://purl.org/vocab/vann/")

#: Label properties, most preferred first.
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, IGEO.nom, DCTERMS.title)

#: French and English labels of reused terms the ontology does not declare.
BUILTIN_LABELS: dict[URIRef, tuple[str, str]] = {
    RDF.type: ("type", "type"),
    RDFS.label: ("libellé", "label"),
    RDFS.comment: ("commentaire", "comment"),
    RDFS.subClassOf: ("sous-classe de", "subclass of"),
    RDFS.isDefinedBy: ("défini par", "defined by"),
    RDFS.domain: ("domaine", "domain"),
    RDFS.range: ("portée", "range"),
    RDFS.seeAlso: ("voir aussi", "see also"),
    OWL.sameAs: ("identique à", "same as"),
    SKOS.prefLabel: ("libellé préféré", "preferred label"),
    SKOS.altLabel: ("autre libellé", "alternative label"),
    SKOS.definition: ("définition", "definition"),
    SKOS.inScheme: ("dans le schéma", "in scheme"),
    SKOS.topConceptOf: ("concept de tête de", "top concept of"),
    SKOS.hasTopConcept: ("concept de tête", "top concept"),
    SKOS.broader: ("concept plus large", "broader"),
    SKOS.narrower: ("concept plus précis", "narrower"),
    DCTERMS.description: ("description", "description"),
    DCTERMS.source: ("source", "source"),
    DCTERMS.title: ("titre", "title"),
    DCTERMS.date: ("date", "date"),
    DCTERMS.spatial: ("territoire", "territory"),
    DCTERMS.license: ("licence", "licence"),
    DCTERMS.publisher: ("éditeur", "publisher"),
    DCTERMS.creator: ("auteur", "creator"),
    DCTERMS.created: ("créé le", "created"),
    DCTERMS.modified: ("modifié le", "modified"),
    SCHEMA.url: ("site web", "website"),
    SCHEMA.name: ("nom", "name"),
    SCHEMA.foundingDate: ("date de création", "founding date"),
    SCHEMA.location: ("lieu", "location"),
    SCHEMA.startDate: ("début", "start date"),
    SCHEMA.endDate: ("fin", "end date"),
    SCHEMA.organizer: ("organisateur", "organizer"),
    SCHEMA.about: ("sujet", "about"),
    SCHEMA.mentions: ("mentionne", "mentions"),
    SCHEMA.legislationIdentifier: ("identifiant du texte", "legislation identifier"),
    SCHEMA.legislationDate: ("date du texte", "legislation date"),
    ORG.hasMembership: ("adhésion", "membership"),
    ORG.member: ("membre", "member"),
    ORG.organization: ("organisation", "organisation"),
    ORG.role: ("rôle", "role"),
    GEO.lat: ("latitude", "latitude"),
    GEO.long: ("longitude", "longitude"),
    IGEO.codeINSEE: ("code INSEE", "INSEE code"),
    IGEO.nom: ("nom officiel", "official name"),
    IGEO.subdivisionDirecte: ("subdivision directe", "direct subdivision"),
    FOAF.primaryTopic: ("sujet principal", "primary topic"),
    VOID.inDataset: ("dans le jeu de données", "in dataset"),
    DCAT.downloadURL: ("URL de téléchargement", "download URL"),
    ORG.Organization: ("organisation", "organisation"),
    ORG.Membership: ("adhésion", "membership"),
    OWL.Ontology: ("vocabulaire (ontologie)", "vocabulary (ontology)"),
    OWL.Class: ("classe", "class"),
    OWL.ObjectProperty: ("propriété (relation)", "property (relation)"),
    OWL.DatatypeProperty: ("propriété (valeur)", "property (value)"),
    OWL.versionInfo: ("version", "version"),
    OWL.imports: ("importe", "imports"),
    SKOS.Concept: ("concept", "concept"),
    SKOS.ConceptScheme: ("schéma de concepts", "concept scheme"),
    IGEO.Commune: ("commune", "town"),
    IGEO.Departement: ("département", "département"),
    IGEO.Region: ("région", "region"),
    IGEO.Intercommunalite: ("intercommunalité", "intercommunality"),
    IGEO.ArrondissementMunicipal: ("arrondissement municipal", "municipal district"),
    SCHEMA.CreativeWork: ("document", "document"),
    SCHEMA.Event: ("événement", "event"),
    SCHEMA.Legislation: ("texte juridique", "legislation"),
    SCHEMA.MonetaryGrant: ("subvention", "grant"),
    SCHEMA.observationAbout: ("observation sur", "observation about"),
    SCHEMA.measuredProperty: ("grandeur mesurée", "measured property"),
    SCHEMA.value: ("valeur", "value"),
    SCHEMA.observationDate: ("date de l'observation", "observation date"),
    SCHEMA.fundedItem: ("bénéficiaire", "funded item"),
    SCHEMA.amount: ("montant", "amount"),
    SCHEMA.funder: ("financeur", "funder"),
    SCHEMA.postalCode: ("code postal", "postal code"),
    DCTERMS.isPartOf: ("fait partie de", "is part of"),
    DCTERMS.hasPart: ("comprend", "has part"),
    VOID.Dataset: ("jeu de données (VoID)", "dataset (VoID)"),
    DCAT.Dataset: ("jeu de données (DCAT)", "dataset (DCAT)"),
    DCAT.Distribution: ("distribution", "distribution"),
    DCAT.Catalog: ("catalogue", "catalogue"),
    DCAT.DataService: ("service de données", "data service"),
    FOAF.Organization: ("organisation", "organisation"),
    FOAF.Document: ("document", "document"),
    URIRef("http://www.w3.org/ns/prov#wasAssociatedWith"): ("associé à", "associated with"),
    VANN.preferredNamespacePrefix: ("préfixe conseillé", "preferred prefix"),
    VANN.preferredNamespaceUri: ("espace de noms conseillé", "preferred namespace"),
    OWL.versionIRI: ("IRI de la version", "version IRI"),
    FOAF.Agent: ("agent", "agent"),
    SH.NodeShape: ("forme de nœud", "node shape"),
    SH.PropertyShape: ("forme de propriété", "property shape"),
    SH.targetClass: ("classe visée", "target class"),
    SH.targetSubjectsOf: ("vise les sujets de", "target subjects of"),
    SH.targetObjectsOf: ("vise les objets de", "target objects of"),
    SH.property: ("propriété contrôlée", "property"),
    SH.path: ("chemin", "path"),
    SH.minCount: ("nombre minimal", "minimum count"),
    SH.maxCount: ("nombre maximal", "maximum count"),
    SH.datatype: ("type de donnée", "datatype"),
    SH["class"]: ("classe attendue", "expected class"),
    SH.nodeKind: ("nature du nœud", "node kind"),
    SH.message: ("message", "message"),
    SH.severity: ("gravité", "severity"),
    SH.pattern: ("motif", "pattern"),
    SH["in"]: ("valeurs permises", "allowed values"),
    SH["or"]: ("l'une des formes", "one of the shapes"),
    SH.node: ("forme du nœud", "node shape"),
    SH.minLength: ("longueur minimale", "minimum length"),
    SH.maxLength: ("longueur maximale", "maximum length"),
    SH.uniqueLang: ("une valeur par langue", "unique language"),
    SH.languageIn: ("langues permises", "allowed languages"),
    SH.hasValue: ("valeur imposée", "required value"),
    SH.deactivated: ("désactivée", "deactivated"),
    SH.sparql: ("contrainte SPARQL", "SPARQL constraint"),
    SH.select: ("requête", "query"),
    SH.prefixes: ("préfixes", "prefixes"),
    SH.declare: ("déclare", "declares"),
    SH.prefix: ("préfixe", "prefix"),
    SH.namespace: ("espace de noms", "namespace"),
    SH.alternativePath: ("chemins possibles", "alternative path"),
    SH.inversePath: ("chemin inverse", "inverse path"),
    SH.minInclusive: ("minimum", "minimum"),
    SH.maxInclusive: ("maximum", "maximum"),
    SH.qualifiedValueShape: ("forme qualifiée", "qualified value shape"),
    SH.qualifiedMinCount: ("nombre minimal qualifié", "qualified minimum count"),
    URIRef("https://creativecommons.org/licenses/by/4.0/"): ("CC BY 4.0", "CC BY 4.0"),
    URIRef("http://www.w3.org/ns/prov#wasAttributedTo"): ("attribué par", "attributed to"),
}


def pick_literal(values: list[Node], lang: str) -> Literal | None:
    """Return the literal in ``lang``, else French, else untagged, else any.

    >>> pick_literal([Literal("pôle", lang="fr"), Literal("cluster", lang="en")], "en")
    rdflib.term.Literal('cluster', lang='en')
    >>> pick_literal([Literal("Dijon")], "en")
    rdflib.term.Literal('Dijon')
    """
    literals = [value for value in values if isinstance(value, Literal)]
    for wanted in (lang, DEFAULT_LANGUAGE, None):
        for literal in literals:
            if (literal.language or None) == wanted:
                return literal
    return literals[0] if literals else None


def local_name(iri: str) -> str:
    """Return the last segment of an IRI, a readable fallback label.

    >>> local_name("https://w3id.org/ptce/ontology#Pole"), local_name("https://w3id.org/ptce/id/pole/x")
    ('Pole', 'x')
    """
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1] or iri


def resource_label(graph: Graph, node: Node, lang: str) -> str:
    """Return the best label of ``node`` in ``graph`` for ``lang`` (falls back to the IRI's last segment)."""
    for prop in LABEL_PROPERTIES:
        literal = pick_literal(list(graph.objects(node, prop)), lang)
        if literal is not None:
            return str(literal)
    if isinstance(node, URIRef):
        builtin = BUILTIN_LABELS.get(node)
        return builtin[LANGUAGES.index(lang)] if builtin else local_name(str(node))
    return str(node)


def property_label(ontology: Graph, prop: URIRef, lang: str) -> str:
    """Return a property's label from the ontology, our built-in table, or its local name.

    >>> property_label(Graph(), DCTERMS.source, "en"), property_label(Graph(), SCHEMA.location, "fr")
    ('source', 'lieu')
    """
    literal = pick_literal(list(ontology.objects(prop, RDFS.label)), lang)
    if literal is not None:
        return str(literal)
    builtin = BUILTIN_LABELS.get(prop)
    return builtin[LANGUAGES.index(lang)] if builtin else local_name(str(prop))


def comment(graph: Graph, node: Node, lang: str) -> str | None:
    """Return the rdfs:comment / skos:definition / dcterms:description of ``node`` in ``lang``."""
    for prop in (RDFS.comment, SKOS.definition, DCTERMS.description):
        literal = pick_literal(list(graph.objects(node, prop)), lang)
        if literal is not None:
            return str(literal)
    return None
