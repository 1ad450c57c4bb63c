"""Example SPARQL queries answering real questions about the PTCE data (query UI and docs/api.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.namespaces import PREFIXES


@dataclass(frozen=True)
class Example:
    """One example query: a short id, a title (the question it answers) and the query text."""

    id: str
    title: str
    body: str  # the query without its PREFIX lines
    title_fr: str = ""  # the question in French (the query page shows it on French pages)

    @property
    def query(self) -> str:
        """The full query, with a PREFIX line for each prefix it uses."""
        return with_prefixes(self.body)


def with_prefixes(body: str) -> str:
    """Prepend the PREFIX declarations of the prefixes that ``body`` uses (from PREFIXES)."""
    used = [p for p in PREFIXES if re.search(rf"(?<![\w?$]){re.escape(p)}:", body)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used) + body.strip() + "\n"


EXAMPLES: tuple[Example, ...] = (
    Example(
        "poles-by-region",
        "How many poles are there in each region?",
        """
SELECT ?region ?regionName (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
  ?pole a ptce:Pole ; schema:location|dcterms:spatial ?place .
  ?region a igeo:Region ; rdfs:label ?regionName ; igeo:subdivisionDirecte* ?place .
  FILTER(LANG(?regionName) = "fr")
} GROUP BY ?region ?regionName ORDER BY DESC(?poles) ?regionName""",
        "Combien de pôles compte chaque région ?",
    ),
    Example(
        "poles-by-departement",
        "Which poles are in each département?",
        """
SELECT ?departement ?departementName (GROUP_CONCAT(DISTINCT ?name; separator=" | ") AS ?poleNames)
       (COUNT(DISTINCT ?pole) AS ?poles)
WHERE {
  ?pole a ptce:Pole ; rdfs:label ?name ; schema:location|dcterms:spatial ?place .
  FILTER(LANG(?name) = "fr")
  ?departement a igeo:Departement ; rdfs:label ?departementName ; igeo:subdivisionDirecte* ?place .
  FILTER(LANG(?departementName) = "fr")
} GROUP BY ?departement ?departementName ORDER BY DESC(?poles) ?departementName""",
        "Quels pôles compte chaque département ?",
    ),
    Example(
        "pole-members",
        "Who are the members of each pole, with their role and category?",
        """
SELECT ?poleName ?memberName ?roleName ?categoryName WHERE {
  ?pole a ptce:Pole ; rdfs:label ?poleName ; org:hasMembership ?membership .
  ?membership org:member ?member .
  ?member rdfs:label ?memberName .
  OPTIONAL { ?membership org:role/skos:prefLabel ?roleName FILTER(LANG(?roleName) = "en") }
  OPTIONAL { ?member a ?category . ?category rdfs:subClassOf* ptce:Actor ; rdfs:label ?categoryName
             FILTER(LANG(?categoryName) = "en") }
  FILTER(LANG(?poleName) = "fr")
} ORDER BY ?poleName ?memberName""",
        "Qui sont les membres de chaque pôle, avec leur rôle et leur catégorie ?",
    ),
    Example(
        "members-by-category",
        "How many actors of each category (law 2014-856, art. 9) take part in poles?",
        """
SELECT ?category ?label (COUNT(DISTINCT ?member) AS ?actors) WHERE {
  ?pole a ptce:Pole ; org:hasMembership/org:member ?member .
  ?member a ?category .
  ?category rdfs:subClassOf+ ptce:Actor ; rdfs:label ?label FILTER(LANG(?label) = "en")
} GROUP BY ?category ?label ORDER BY DESC(?actors)""",
        "Combien d'acteurs de chaque catégorie (loi 2014-856, art. 9) participent aux pôles ?",
    ),
    Example(
        "shared-members",
        "Which organisations take part in several poles or programmes?",
        """
SELECT ?member ?memberName (COUNT(DISTINCT ?collaboration) AS ?collaborations)
       (GROUP_CONCAT(DISTINCT ?collaborationName; separator=" | ") AS ?names)
WHERE {
  ?membership org:member ?member ; org:organization ?collaboration .
  ?member rdfs:label ?memberName FILTER(LANG(?memberName) = "fr")
  ?collaboration rdfs:label ?collaborationName FILTER(LANG(?collaborationName) = "fr")
} GROUP BY ?member ?memberName HAVING (COUNT(DISTINCT ?collaboration) > 1)
ORDER BY DESC(?collaborations) ?memberName""",
        "Quelles organisations participent à plusieurs pôles ou démarches ?",
    ),
    Example(  # the characteristics are the project's reading (graph classification), hence the title
        "poles-by-characteristic",
        "How many poles show each of the four PTCE characteristics (editorial reading)?",
        """
SELECT ?characteristic ?label (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
  ?pole a ptce:Pole ; ptce:characteristic ?characteristic .
  ?characteristic skos:prefLabel ?label FILTER(LANG(?label) = "en")
} GROUP BY ?characteristic ?label ORDER BY DESC(?poles)""",
        "Combien de pôles présentent chacune des quatre caractéristiques des PTCE (lecture éditoriale) ?",
    ),
    Example(
        "poles-by-sector",
        "Which sectors are the poles active in?",
        """
SELECT ?sector ?label (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
  ?pole a ptce:Pole ; ptce:sector ?sector .
  ?sector skos:prefLabel ?label FILTER(LANG(?label) = "en")
} GROUP BY ?sector ?label ORDER BY DESC(?poles) ?label""",
        "Dans quels secteurs les pôles sont-ils actifs ?",
    ),
    Example(
        "timeline",
        "Timeline: calls for projects, laws and events, by date",
        """
SELECT ?date ?kind ?thing ?label WHERE {
  {
    ?thing a ptce:CallForProjects ; ptce:year ?date . BIND("call for projects" AS ?kind)
  } UNION {
    ?thing a schema:Legislation ; schema:legislationDate ?date . BIND("law or decree" AS ?kind)
  } UNION {
    ?thing a schema:Event ; schema:startDate ?date . BIND("event" AS ?kind)
  }
  ?thing rdfs:label ?label FILTER(LANG(?label) = "fr")
} ORDER BY STR(?date) ?label""",
        "Chronologie : appels à projets, lois et événements, par date",
    ),
    Example(
        "calls-and-laureates",
        "What did each national call fund: budget, applications, laureates?",
        """
SELECT ?call ?label ?year ?budget ?applications ?laureates
       (COUNT(DISTINCT ?pole) AS ?laureatesInGraph)
WHERE {
  ?call a ptce:CallForProjects ; rdfs:label ?label FILTER(LANG(?label) = "fr")
  OPTIONAL { ?call ptce:year ?year }
  OPTIONAL { ?call ptce:budget ?budget }
  OPTIONAL { ?call ptce:applicationCount ?applications }
  OPTIONAL { ?call ptce:laureateCount ?laureates }
  OPTIONAL { ?call ptce:laureate ?pole }
} GROUP BY ?call ?label ?year ?budget ?applications ?laureates ORDER BY ?year""",
        "Qu'a financé chaque appel national : budget, candidatures, lauréats ?",
    ),
    Example(
        "map",
        "Where are the poles? (coordinates of their commune, for a map)",
        """
SELECT ?pole ?name ?communeName ?lat ?long WHERE {
  ?pole a ptce:Pole ; rdfs:label ?name ; schema:location ?place .
  FILTER(LANG(?name) = "fr")
  ?place rdfs:label ?communeName ; geo:lat ?lat ; geo:long ?long .
} ORDER BY ?name""",
        "Où sont les pôles ? (coordonnées de leur commune, pour une carte)",
    ),
    Example(
        "provenance",
        "Where does each fact about a pole come from (named graph and cited source)?",
        """
SELECT ?pole ?name ?graph (COUNT(*) AS ?triples)
       (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources)
WHERE {
  ?pole a ptce:Pole ; rdfs:label ?name FILTER(LANG(?name) = "fr")
  GRAPH ?graph { ?pole ?p ?o }
  OPTIONAL { ?pole dcterms:source ?source }
} GROUP BY ?pole ?name ?graph ORDER BY ?name ?graph""",
        "D'où vient chaque fait sur un pôle (graphe nommé et source citée) ?",
    ),
    Example(
        "dashboard",
        "Dashboard: how many poles, organisations, memberships, communes, intercommunalities, calls, awards, "
        "poles with a known legal form, and sources?",
        """
SELECT
  (COUNT(DISTINCT ?pole) AS ?poles) (COUNT(DISTINCT ?organisation) AS ?organisations)
  (COUNT(DISTINCT ?membership) AS ?memberships) (COUNT(DISTINCT ?commune) AS ?communes)
  (COUNT(DISTINCT ?epci) AS ?intercommunalities) (COUNT(DISTINCT ?call) AS ?calls)
  (COUNT(DISTINCT ?award) AS ?awards) (COUNT(DISTINCT ?formal) AS ?polesWithLegalForm)
  (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
  { ?pole a ptce:Pole } UNION { ?organisation a org:Organization } UNION { ?membership a org:Membership }
  UNION { ?commune a igeo:Commune } UNION { ?epci a igeo:Intercommunalite }
  UNION { ?call a ptce:CallForProjects } UNION { ?award a ptce:Award }
  UNION { ?formal a ptce:Pole ; ptce:legalForm ?form }
  UNION { ?s dcterms:source ?source }
}""",
        "Tableau de bord : combien de pôles, d'organisations, d'adhésions, de communes, d'intercommunalités, "
        "d'appels, de lauréats, de pôles à la forme juridique connue, et de sources ?",
    ),
    Example(
        "networks",
        "Which national networks support the PTCE approach, and in which roles?",
        """
SELECT ?network ?name ?organisation ?roleName WHERE {
  ?network a ptce:Network ; rdfs:label ?name FILTER(LANG(?name) = "fr")
  OPTIONAL {
    ?membership org:member ?network ; org:organization ?organisation .
    OPTIONAL { ?membership org:role/skos:prefLabel ?roleName FILTER(LANG(?roleName) = "en") }
  }
} ORDER BY ?name""",
        "Quels réseaux nationaux soutiennent la démarche PTCE, et avec quels rôles ?",
    ),
    Example(
        "laureates-by-call",
        "Which poles won each national call, and for how much (where the amount is known)?",
        """
SELECT ?year ?callName (COUNT(DISTINCT ?award) AS ?laureatesNamed)
       (SAMPLE(?announced) AS ?laureatesAnnounced) (SUM(COALESCE(?amount, 0)) AS ?knownAmountsEuros)
       (GROUP_CONCAT(DISTINCT ?poleName; separator=" | ") AS ?poles)
WHERE {
  ?award a ptce:Award ; ptce:call ?call ; schema:fundedItem ?pole .
  ?call ptce:year ?year ; rdfs:label ?callName FILTER(LANG(?callName) = "fr")
  ?pole rdfs:label ?poleName FILTER(LANG(?poleName) = "fr")
  OPTIONAL { ?call ptce:laureateCount ?announced }
  OPTIONAL { ?award schema:amount ?amount }
} GROUP BY ?year ?callName ORDER BY ?year ?callName""",
        "Quels pôles ont remporté chaque appel national, et pour quel montant (quand il est connu) ?",
    ),
    Example(
        "legal-forms",
        "How many poles have each legal form (association, SCIC...)?",
        """
SELECT ?legalForm (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
  ?pole a ptce:Pole ; ptce:legalForm/skos:prefLabel ?legalForm FILTER(LANG(?legalForm) = "en")
} GROUP BY ?legalForm ORDER BY DESC(?poles) ?legalForm""",
        "Combien de pôles ont chaque forme juridique (association, SCIC…) ?",
    ),
    Example(
        "pole-count-growth",
        "How did the number of PTCE grow, according to which source (and which figures are disputed)?",
        """
SELECT ?date ?count ?description (MIN(STR(?source)) AS ?aSource) (COUNT(DISTINCT ?other) AS ?disputedBy)
WHERE {
  ?figure schema:observationAbout ptce:Pole ; schema:measuredProperty ptce:poleCount ;
          schema:observationDate ?date ; schema:value ?count ; dcterms:description ?description ;
          dcterms:source ?source .
  FILTER(LANG(?description) = "fr")
  OPTIONAL { ?figure ptce:conflictsWith ?other }
} GROUP BY ?date ?count ?description ORDER BY ?date ?count""",
        "Comment le nombre de PTCE a-t-il évolué, selon quelle source (et quels chiffres sont discutés) ?",
    ),
    Example(
        "poles-by-epci",
        "How many poles are there in each intercommunality (EPCI)?",
        """
SELECT ?epci ?epciName ?siren (COUNT(DISTINCT ?pole) AS ?poles) WHERE {
  ?pole a ptce:Pole ; schema:location ?place .
  { ?epci dcterms:hasPart ?place } UNION { ?epci dcterms:hasPart/igeo:subdivisionDirecte ?place }
  ?epci a igeo:Intercommunalite ; rdfs:label ?epciName ; ptce:siren ?siren .
} GROUP BY ?epci ?epciName ?siren ORDER BY DESC(?poles) ?epciName""",
        "Combien de pôles compte chaque intercommunalité (EPCI) ?",
    ),
    Example(
        "named-graphs",
        "Which named graphs make up the dataset, and how big is each?",
        """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph""",
        "Quels graphes nommés composent le jeu de données, et quelle est leur taille ?",
    ),
    Example(
        "pole-graph",
        "The poles, their communes and members as a graph (CONSTRUCT, for Turtle or JSON-LD)",
        """
CONSTRUCT {
  ?pole a ptce:Pole ; rdfs:label ?name ; schema:location ?place ; org:hasMember ?member .
  ?place rdfs:label ?placeName .
} WHERE {
  ?pole a ptce:Pole ; rdfs:label ?name .
  OPTIONAL { ?pole schema:location ?place . ?place rdfs:label ?placeName }
  OPTIONAL { ?pole org:hasMembership/org:member ?member }
}""",
        "Les pôles, leurs communes et leurs membres sous forme de graphe (CONSTRUCT, en Turtle ou JSON-LD)",
    ),
)


def example_queries() -> dict[str, dict[str, str]]:
    """The examples in rdflib-endpoint's ``example_queries`` shape: ``{title: {"query": ...}}``."""
    return {example.title: {"query": example.query} for example in EXAMPLES}
