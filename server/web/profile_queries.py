"""SPARQL of the profiles; ``$r`` is the resource, ``$g`` the editorial graph (written in as IRIs)."""

from __future__ import annotations

# The places are walked up one level per query (a property path such as "+", or a join on the types,
# makes Oxigraph scan every territory: 65 ms to 1 s a page at 10,000 poles; these take 0.1 ms each).
PLACES = """SELECT ?place WHERE { { $r schema:location|dcterms:spatial ?place }
  UNION { $r schema:location/dcterms:isPartOf ?place } }"""
ABOVE = "SELECT DISTINCT ?place WHERE { VALUES ?below { %s } ?place igeo:subdivisionDirecte ?below }"
TYPES = "SELECT ?x ?kind WHERE { VALUES ?x { %s } ?x a ?kind }"
MEMBERS = """SELECT ?m ?member ?role ?category ?src WHERE {
  { $r org:hasMembership ?m } UNION { ?m org:organization $r }
  ?m org:member ?member . OPTIONAL { ?m org:role ?role } OPTIONAL { ?m dcterms:source ?src }
  OPTIONAL { ?member a ?category . ?category rdfs:subClassOf ptce:Actor } }"""
POLES_OF_MEMBER = """SELECT ?m ?pole ?role ?src WHERE {
  ?m org:member $r ; org:organization ?pole . OPTIONAL { ?m org:role ?role }
  OPTIONAL { ?m dcterms:source ?src } }"""
AWARDS = """SELECT ?call ?pole ?date ?amount ?src WHERE {
  { ?a schema:fundedItem $r ; ptce:call ?call BIND($r AS ?pole) }
  UNION { ?a ptce:call $r ; schema:fundedItem ?pole BIND($r AS ?call) }
  OPTIONAL { ?a dcterms:date ?date } OPTIONAL { ?a schema:amount ?amount }
  OPTIONAL { ?a dcterms:source ?src } }"""
LAUREATES = """SELECT ?call ?pole WHERE { { ?call ptce:laureate $r BIND($r AS ?pole) }
  UNION { $r ptce:laureate ?pole BIND($r AS ?call) } }"""
RECOGNITIONS = """SELECT ?status ?date ?src WHERE { ?rec ptce:holder $r ; ptce:status ?status .
  OPTIONAL { ?rec dcterms:date ?date } OPTIONAL { ?rec dcterms:source ?src } }"""
FIGURES = """SELECT ?measure ?value ?date ?src WHERE { ?obs schema:observationAbout $r ;
  schema:measuredProperty ?measure ; schema:value ?value .
  OPTIONAL { ?obs schema:observationDate ?date } OPTIONAL { ?obs dcterms:source ?src } }"""
EDITORIAL = "SELECT ?c WHERE { GRAPH $g { $r ptce:characteristic ?c } }"
EDITORIAL_POLES = "ASK WHERE { GRAPH $g { ?pole ptce:characteristic $r } }"
CATEGORIES = "SELECT ?category WHERE { $r a ?category . ?category rdfs:subClassOf ptce:Actor }"
CONCEPT_POLES = """SELECT DISTINCT ?pole WHERE {
  ?pole ptce:characteristic|ptce:sector|ptce:legalForm|ptce:status $r
  FILTER EXISTS { ?pole a ptce:Pole } }"""
