"""Every pole that the facts file (../shared/docs/domain-facts.md) names with a source is in the graph.

For each section of the facts file that names poles (2, 3, 8, 9 and 10), the list below gives the name as the
facts file writes it and the IRI of the pole in data/. A name left out of the graph is in EXCLUDED with the
reason (unnamed pole, no source calling it a PTCE...). A name may appear in several sections.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

ROOT = Path(__file__).parent.parent
PTCE = Namespace("https://w3id.org/ptce/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
POLE = "https://w3id.org/ptce/id/pole/"

SECTIONS: dict[str, list[tuple[str, str]]] = {
    # 2. National calls, laureates, lists and datasets (2b first-call laureates, 2c AMI 2021 phase 2 and
    # other AMI laureates, 2d poles named by the Labo pages and the Pays de la Loire guide)
    "2": [
        ("La Coursive Boutaric", "coursive-boutaric"),
        ("Culture & Coopération", "culture-et-cooperation"),
        ("La Serre – Le Multiple", "la-serre"),
        ("PTCE du Pays d'Ancenis", "pays-d-ancenis"),
        ("Le Damier", "le-damier"),
        ("Turfu Productions en Val d'Allier", "turfu-productions-val-d-allier"),
        ("La Place des Possibles", "la-place-des-possibles"),
        ("PTCE Gâtinais Montargois", "gatinais-montargois"),
        ("PTCE Stras Eco Renov", "stras-eco-renov"),
        ("Les Amis du Bien-vieillir", "amis-du-bien-vieillir"),
        ("PTCE Auton'Homme", "auton-homme"),
        ("Filière vélo du Grand Paris", "filiere-velo-grand-paris"),
        ("PTCE autonomie MCE-M3S", "autonomie-mce-m3s"),
        ("Les Ateliers du Rond-Point", "ateliers-du-rond-point"),
        ("PTCE Grand Bergeracois", "grand-bergeracois"),
        ("Cluster économie textile circulaire (Recyclo'Occ)", "recyclo-occ"),
        ("EDENN", "edenn"),
        ("Projet PHARE", "projet-phare"),
        ("Tiers lieu ESS Level", "tiers-lieu-ess-level"),
        ("Réuniverre", "reuniverre"),
        ("ECHOBAT", "echobat"),
        ("Association JADES", "jades"),
        ("Tour Letan Sin Pol", "tour-letan-sin-pol"),
        ("SMAC 07", "smac-07"),
        ("Écossolies", "ecossolies"),
        ("Articulteurs", "articulteurs"),
        ("Fontaine O Livres", "fontaine-o-livres"),
        ("Culture à Montaigu", "culture-a-montaigu"),
        ("Mieux Manger en Mayenne", "mieux-manger-en-mayenne"),
        ("Nord-Ouest Loire-Atlantique", "nord-ouest-loire-atlantique"),
        ("La Roche-sur-Yon", "la-roche-sur-yon"),
        ("Loire Angers", "loire-angers"),
        ("Pays d'Ancenis", "pays-d-ancenis"),
        ("Pays du Mans", "pays-du-mans"),
        ("Village Terre & Vie", "village-terre-et-vie"),
    ],
    # 3. The PTCE themselves (3a-3f)
    "3": [
        ("Les Articulteurs", "articulteurs"),
        ("Culture & Coopération", "culture-et-cooperation"),
        ("La Coursive Boutaric", "coursive-boutaric"),
        ("Fontaine O Livres", "fontaine-o-livres"),
        ("SMAC 07", "smac-07"),
        ("Le Damier", "le-damier"),
        ("Pôle Sud (Groupe Archer)", "pole-sud"),
        ("Les Écossolies", "ecossolies"),
        ("TETRIS", "tetris"),
        ("La Serre – Le Multiple", "la-serre"),
        ("Écopôle alimentaire", "ecopole-alimentaire"),
    ],
    # 8. Second research pass (8.1 laureate lists, 8.2 pole table, 8.3 Labo pages)
    "8": [
        ("Clus'Ter Jura", "cluster-jura"),
        ("Ardaines", "ardaines"),
        ("L'Éco-domaine en Pays d'Auge", "eco-domaine-pays-d-auge"),
        ("Pôle mobilité du bassin d'emploi du Havre", "pole-mobilite-le-havre"),
        ("Recyclo'Occ textile", "recyclo-occ"),
        ("EDENN", "edenn"),
        ("Remendaires", "remendaires"),
        ("Micro-filière Meunerie sur la Margeride", "meunerie-margeride"),
        ("PTCE AGIR Durable 2.0", "agir-durable"),
        ("Pôle de coopération de la Cartoucherie", "cartoucherie"),
        ("PEPSS 30", "pepss-30"),
        ("Tiers-lieu Station A", "station-a"),
        ("Brie'Nov", "brie-nov"),
        ("Coop'actions", "coop-actions"),
        ("PECCS – Pôle d'Économie Circulaire en Cœur de Savoie", "peccs"),
        ("Pôle Laine du Pays de Saugues", "pole-laine-saugues"),
        ("La Californie", "la-californie"),
        ("L'Accordeur", "l-accordeur"),
        ("Anima Grand Calais", "anima-grand-calais"),
        ("Émergence Hénin-Carvin", "emergence-henin-carvin"),
        ("PôPE – Pôle Petite Enfance", "pope-pole-petite-enfance"),
        ("GEIQ Sport et Loisirs", "geiq-sport-et-loisirs"),
        ("Tera", "tera"),
        ("Les Herbes Folles", "les-herbes-folles"),
        ("Les Grandlieu'Zarts", "les-grandlieu-zarts"),
        ("LABSPORT", "labsport"),
        ("Echobat", "echobat"),
        ("JADE(S)", "jades"),
        ("La Place des Possibles", "la-place-des-possibles"),
        ("PTCE Stras Eco Renov", "stras-eco-renov"),
        ("Réuniverre", "reuniverre"),
        ("PTCE Grand Bergeracois", "grand-bergeracois"),
        ("Turfu Productions en Val d'Allier", "turfu-productions-val-d-allier"),
        ("PTCE Gâtinais Montargois", "gatinais-montargois"),
        ("Les Amis du Bien-vieillir", "amis-du-bien-vieillir"),
        ("Auton'Homme", "auton-homme"),
        ("Filière vélo du Grand Paris", "filiere-velo-grand-paris"),
        ("Autonomie MCE-M3S", "autonomie-mce-m3s"),
        ("Les Ateliers du Rond-Point", "ateliers-du-rond-point"),
        ("Projet PHARE", "projet-phare"),
        ("Tiers lieu ESS Level", "tiers-lieu-ess-level"),
        ("FigeACteurs", "figeacteurs"),
        ("Pôle territorial Val de Saône Dombes", "val-de-saone-dombes"),
        ("RéFlex", "reflex-grenoble"),
        ("L'Atelier 26", "atelier-26"),
        ("Le Pirat", "le-pirat"),
        ("AG2I", "ag2i"),
        (
            "Plateforme territoriale de l'éco-construction et des métiers du bois",
            "plateforme-eco-construction-bois",
        ),
        ("Pôle ressources du Roannais", "pole-ressources-roannais"),
        ("Savoie Léman Solidaire", "savoie-leman-solidaire"),
        ("Pôle Sud (Romans)", "pole-sud"),
        ("Tour Letan Sin Pol", "tour-letan-sin-pol"),
    ],
    # 9. Third pass (November 2026)
    "9": [
        ("PHARES", "phares"),
        ("Vivre Les Mureaux", "vivre-les-mureaux"),
        ("Pôle Sud Aquitaine", "pole-sud-aquitaine"),
        ("Réalis", "realis"),
        ("La Mut'", "la-mut"),
        ("ECHOBAT", "echobat"),
        ("Tour Letan Sin Pol", "tour-letan-sin-pol"),
    ],
    # 10. Fourth pass (December 2026): 10a new poles, 10b new facts about poles already in the graph
    "10": [
        ("Néo56", "neo56"),
        ("Mady&co", "mady-and-co"),
        ("Distro", "distro"),
        ("Ordi Grand Ouest", "ordi-grand-ouest"),
        ("Coat&co – Le village des transitions", "coat-and-co"),
        ("Energies Citoyennes en Pays de Vilaine", "energies-citoyennes-pays-de-vilaine"),
        ("PTCE Bâtiments Durables", "ptce-batiments-durables"),
        ("Re-sources", "re-sources"),
        ("CIS DT 52", "cis-dt-52"),
        ("Florange e2i", "florange-e2i"),
        ("Maison d'économie solidaire (MES) du Pays de Bray", "mes-pays-de-bray"),
        ("Lille MétroPôle Solidaire", "lille-metropole-solidaire"),
        ("Bou'Sol", "bou-sol"),
        ("Matières & couleurs Luberon-Provence", "matieres-couleurs-luberon"),
        ("EcoPAL", "ecopal"),
        ("Animation Démocratie Nature – Les jardins du Gros Morne", "jardins-du-gros-morne"),
        ("Resto Passerelle", "resto-passerelle"),
        ("PôleS NOE", "poles-noe"),
        ("PLOUCS", "ploucs"),
        ("Turfu Productions en Val d'Allier", "turfu-productions-val-d-allier"),
        ("Filière vélo du Grand Paris", "filiere-velo-grand-paris"),
        ("PTCE autonomie MCE-M3S", "autonomie-mce-m3s"),
        ("Éco-domaine en Pays d'Auge", "eco-domaine-pays-d-auge"),
        ("Écopôle alimentaire de la région d'Audruicq", "ecopole-alimentaire"),
        ("PHARES", "phares"),
        ("Vivre Les Mureaux", "vivre-les-mureaux"),
        ("Pôle Sud Aquitaine", "pole-sud-aquitaine"),
        ("PTCE Culture à Montaigu", "culture-a-montaigu"),
        ("PTCE Nord-Ouest Loire-Atlantique (NOLA)", "nord-ouest-loire-atlantique"),
    ],
}

# Names the facts file gives that are deliberately not poles of the graph, with the reason.
EXCLUDED: dict[str, str] = {
    # 3f: "no source calls it a PTCE [U]" — it calls itself a "pôle de l'économie solidaire".
    "Pôle d'économie solidaire Chalonnais (association Active)": "no source calls it a PTCE",
    # 3f: named only to tell it apart from the Chalonnais pole; no source calls it a PTCE either.
    "Pôle d'Économie Solidaire 21": "no source calls it a PTCE",
    # 8.1a: the pole is described ("two pallet-wood recyclers...") but its name is [U].
    "Unnamed 2014 laureate, Bouches-du-Rhône": "unnamed in the sources",
    # 8.1a: very likely the PTCE du Pays d'Ancenis, which is in the graph; the link itself is [U].
    "Unnamed 2014 laureate, Loire-Atlantique (comité d'animation de bassin d'emploi)": "unnamed; probably Pays d'Ancenis",
    # 8.1b and 2b: the 2015 laureates of La Réunion and Martinique exist, their names are [U].
    "Unnamed 2015 laureates of La Réunion and Martinique": "unnamed in the sources",
    # 8.1e: the 15th laureate of the AMI 2023 is not named by any source read.
    "15th laureate of the AMI 2023": "unnamed in the sources",
    # 8.1d, 8.1f: the AMI 2022 (16), AMI 2024 (14 of 15) and AMI 2025 (8) laureates are not named.
    "Laureates of the AMI 2022, 2024 (but one) and 2025": "unnamed in the sources",
    # 10a: "PTCE status only implied [U]: leave out until confirmed".
    "Émergence Beauvaisis": "PTCE status only implied (unconfirmed)",
    # 10a: "name only [U]: leave out until more is known".
    "PTCE COOPAXIS": "name only, unconfirmed",
    # 10a: created 2014, but "called a PTCE only in a CRESS Île-de-France list [U]".
    "Pôle des Gouttes d'Or de la mode et du design": "PTCE status unconfirmed (one list only)",
    # 10a: the other 2014 laureates (eco-construction in PACA and Pays de la Loire, green jobs and personal
    # services in Picardie and Haute-Normandie) are described but not named.
    "Unnamed 2014 laureates (PACA, Pays de la Loire, Picardie, Haute-Normandie)": "unnamed in the sources",
}

CASES = [(section, name, slug) for section, poles in SECTIONS.items() for name, slug in poles]


@cache
def dataset() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize(
    ("section", "name", "slug"), CASES, ids=[f"{section}-{slug}" for section, _, slug in CASES]
)
def test_named_pole_is_in_the_graph(section: str, name: str, slug: str) -> None:
    graph = dataset()
    pole = URIRef(POLE + slug)
    assert (pole, RDF.type, PTCE.Pole) in graph, f"section {section}: {name!r} ({pole}) is not a ptce:Pole"
    assert graph.value(pole, RDFS.label) is not None, f"{name!r}: no rdfs:label"
    assert graph.value(pole, DCTERMS.source) is not None, f"{name!r}: no dcterms:source"


def test_every_pole_of_the_graph_is_named_by_the_facts_file() -> None:
    """The other way round: the graph holds no pole that the sections above do not name."""
    named = {URIRef(POLE + slug) for _, _, slug in CASES}
    in_graph = set(dataset().subjects(RDF.type, PTCE.Pole))
    assert in_graph - named == set(), sorted(in_graph - named)


def test_exclusions_have_reasons() -> None:
    assert all(reason.strip() for reason in EXCLUDED.values())
