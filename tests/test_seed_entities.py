"""Every entity named in the seed document can be found by a SPARQL query over the loaded dataset."""

from __future__ import annotations

import pytest

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX seed: <https://w3id.org/ptce/id/document/seed>
"""

# A culture-led pole of the seed: a ptce:Pole with the given French label, in the given commune, in the culture
# sector, sourced from the seed.
POLE_QUERY = """
ASK {{
  ?pole a ptce:Pole ; rdfs:label ?label ; ptce:sector <https://w3id.org/ptce/id/sector/culture> ;
        dcterms:source <https://w3id.org/ptce/id/document/seed> .
  FILTER (STR(?label) = "{label}" && LANG(?label) = "fr")
  {{ ?pole schema:location|dcterms:spatial ?place . ?place rdfs:label ?placeName . }}
  UNION
  {{ ?pole schema:location|dcterms:spatial ?sub . ?place igeo:subdivisionDirecte ?sub ; rdfs:label ?placeName . }}
  FILTER (CONTAINS(LCASE(STR(?placeName)), LCASE("{place}")))
}}
"""

# A network of the seed: an org:Organization and ptce:Network whose label or alternative label matches, with its
# role in the national approach.
ORG_QUERY = """
ASK {{
  ?o a org:Organization , ptce:Network ; rdfs:label|skos:altLabel ?label .
  FILTER (CONTAINS(LCASE(STR(?label)), LCASE("{label}")))
  ?m a org:Membership ; org:member ?o ; org:organization <https://w3id.org/ptce/id/programme/demarche-ptce> ;
     org:role <https://w3id.org/ptce/id/role/{role}> .
}}
"""

CASES: list[tuple[str, str]] = [
    ("pole-articulteurs", POLE_QUERY.format(label="Les Articulteurs", place="Ille-et-Vilaine")),
    ("pole-culture-et-cooperation", POLE_QUERY.format(label="Culture & Coopération", place="Saint-Étienne")),
    ("pole-coursive-boutaric", POLE_QUERY.format(label="La Coursive Boutaric", place="Dijon")),
    ("pole-fontaine-o-livres", POLE_QUERY.format(label="Fontaine O Livres", place="Paris")),
    ("pole-smac-07", POLE_QUERY.format(label="La SMAC 07", place="Ardèche")),
    ("org-labo-ess", ORG_QUERY.format(label="Labo de l’ESS", role="pilote")),
    ("org-rtes", ORG_QUERY.format(label="RTES", role="partenaire")),
    ("org-cncres", ORG_QUERY.format(label="CNCRES", role="partenaire")),
    ("org-coorace", ORG_QUERY.format(label="COORACE", role="partenaire")),
    ("org-mes", ORG_QUERY.format(label="Mouvement pour l’Économie Solidaire", role="partenaire")),
    (
        "programme-pilot",
        """
        ASK { <https://w3id.org/ptce/id/programme/demarche-ptce> a ptce:Programme ;
                ptce:pilot/rdfs:label ?l . FILTER (CONTAINS(STR(?l), "Labo de l’ESS")) }""",
    ),
    (
        "event-etats-generaux-2011",
        """
        ASK { ?e a schema:Event ; rdfs:label ?l ; schema:startDate ?d ; schema:organizer/skos:altLabel|schema:organizer/rdfs:label ?org .
              FILTER (CONTAINS(STR(?l), "États Généraux de l’ESS") && STR(?d) = "2011-06-17" && CONTAINS(STR(?org), "Labo")) }""",
    ),
    (
        "document-cahiers-esperances",
        """
        ASK { ?d a schema:CreativeWork ; rdfs:label ?l ; schema:about ?e . ?e a schema:Event ; schema:startDate ?date .
              FILTER (CONTAINS(STR(?l), "400 Cahiers") && STRSTARTS(STR(?date), "2011-06")) }""",
    ),
    (
        "event-appel-experimentation-2011",
        """
        ASK { ?e a schema:Event ; rdfs:label ?l ; schema:startDate ?d .
              FILTER (CONTAINS(LCASE(STR(?l)), "appel à expérimentation") && STRSTARTS(STR(?d), "2011")) }""",
    ),
    (
        "event-seminaires-2012",
        """
        ASK { ?e a schema:Event ; rdfs:label ?l ; schema:startDate ?d .
              FILTER (CONTAINS(LCASE(STR(?l)), "séminaires") && STRSTARTS(STR(?d), "2012")) }""",
    ),
    (
        "event-rencontre-nationale-2012",
        """
        ASK { ?e a schema:Event ; rdfs:label ?l ; schema:startDate ?d .
              FILTER (CONTAINS(LCASE(STR(?l)), "rencontre nationale") && STRSTARTS(STR(?d), "2012")) }""",
    ),
    (
        "call-2013-3-meur",
        """
        ASK { ?c a ptce:CallForProjects ; ptce:year ?y ; ptce:budget ?b .
              FILTER (STR(?y) = "2013" && ?b = 3000000) }""",
    ),
    (
        "event-hamon-bill-2013",
        """
        ASK { ?e a schema:Event ; rdfs:label ?l ; schema:startDate ?d .
              FILTER (CONTAINS(STR(?l), "Benoît Hamon") && STRSTARTS(STR(?d), "2013")) }""",
    ),
    (
        "law-2014-856",
        """
        ASK { ?law a schema:Legislation ; schema:legislationIdentifier "2014-856" ;
                   schema:legislationDate "2014-07-31"^^xsd:date ; rdfs:label ?l . }""",
    ),
    (
        "characteristic-renouveau-productif",
        """
        ASK { ?c a skos:Concept ; skos:inScheme <https://w3id.org/ptce/id/scheme/characteristics> ;
              skos:prefLabel "Renouveau productif"@fr ; skos:prefLabel ?en ; skos:definition ?def .
              FILTER (LANG(?en) = "en") }""",
    ),
    (
        "characteristic-ancrage-territorial",
        """
        ASK { ?c a skos:Concept ; skos:inScheme <https://w3id.org/ptce/id/scheme/characteristics> ;
              skos:prefLabel ?l ; skos:definition ?def .
              FILTER (LANG(?l) = "fr" && CONTAINS(LCASE(STR(?l)), "ancrage territorial") && CONTAINS(STR(?def), "emplois durables")) }""",
    ),
    (
        "characteristic-innovation-socio-economique",
        """
        ASK { ?c a skos:Concept ; skos:inScheme <https://w3id.org/ptce/id/scheme/characteristics> ;
              skos:prefLabel "Innovation socio-économique"@fr ; skos:definition ?def .
              FILTER (CONTAINS(STR(?def), "nouveaux modèles socio-économiques")) }""",
    ),
    (
        "characteristic-decloisonnement",
        """
        ASK { ?c a skos:Concept ; skos:inScheme <https://w3id.org/ptce/id/scheme/characteristics> ;
              skos:prefLabel ?l ; skos:definition ?def .
              FILTER (LANG(?l) = "fr" && CONTAINS(LCASE(STR(?l)), "décloisonnement") && CONTAINS(STR(?def), "ouverture")) }""",
    ),
    (
        "seed-document",
        """
        ASK { <https://w3id.org/ptce/id/document/seed> a schema:CreativeWork ; rdfs:label ?l ; dcterms:source ?s . }""",
    ),
]


@pytest.mark.parametrize("query", [q for _, q in CASES], ids=[name for name, _ in CASES])
def test_seed_entity_is_found(store, query: str) -> None:
    """Each query runs over the dataset the app loaded (the same store the endpoint and pages use)."""
    assert store.ask(PREFIXES + query), f"no match in the loaded dataset for:\n{query}"
