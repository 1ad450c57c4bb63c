"""Generate realistic synthetic PTCE data (poles, members, towns, sources) for benchmarks, outside data/."""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

BASE = "https://w3id.org/ptce/id/"
PREFIXES = """@prefix ptce: <https://w3id.org/ptce/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix pole: <https://w3id.org/ptce/id/pole/> .
@prefix orga: <https://w3id.org/ptce/id/organisation/> .
@prefix mem: <https://w3id.org/ptce/id/membership/> .
@prefix commune: <https://w3id.org/ptce/id/commune/> .
@prefix dep: <https://w3id.org/ptce/id/departement/> .
@prefix char: <https://w3id.org/ptce/id/characteristic/> .
@prefix sector: <https://w3id.org/ptce/id/sector/> .
@prefix role: <https://w3id.org/ptce/id/role/> .

"""
CHARACTERISTICS = [
    "renouveau-productif",
    "ancrage-territorial",
    "innovation-socio-economique",
    "decloisonnement",
]
SECTORS = ["culture"]
ROLES = ["membre", "membre-fondateur", "structure-porteuse"]
CATEGORIES = ["ESSEnterprise", "OtherEnterprise", "LocalAuthority", "ResearchCentre", "TrainingBody"]
WORDS = [
    "Coop",
    "Ressourcerie",
    "Fabrique",
    "Atelier",
    "Pôle",
    "Réseau",
    "Maison",
    "Tiers-lieu",
    "Rivière",
    "Vallée",
]
PLACES = ["du Lac", "des Monts", "de la Vallée", "du Bocage", "des Rivières", "du Littoral", "des Coteaux"]
SOURCE = "https://www.lelabo-ess.org/"


def _commune_code(rng: random.Random, index: int) -> tuple[str, str]:
    department = 1 + index % 95
    department = 96 if department == 20 else department  # no "20": Corsica is 2A/2B
    return f"{department:02d}{100 + index % 800:03d}", f"{department:02d}"


def communes(rng: random.Random, count: int) -> tuple[str, list[str]]:
    """Return Turtle for ``count`` communes within metropolitan France, and their codes."""
    lines, codes = [], []
    for index in range(count):
        code, dep = _commune_code(rng, index)
        if code in codes:
            continue
        codes.append(code)
        lat, lon = rng.uniform(43.0, 50.5), rng.uniform(-1.5, 7.5)
        lines.append(
            f'commune:{code} a igeo:Commune ; rdfs:label "Commune {code}"@fr ; igeo:codeINSEE "{code}" ;\n'
            f"  geo:lat {lat:.4f} ; geo:long {lon:.4f} ; dcterms:source <{SOURCE}> .\n"
            f"dep:{dep} igeo:subdivisionDirecte commune:{code} .\n"
        )
    deps = sorted({code[:2] for code in codes})
    for dep in deps:
        lines.append(
            f'dep:{dep} a igeo:Departement ; rdfs:label "Département {dep}"@fr ; igeo:codeINSEE "{dep}" ;\n'
            f"  dcterms:source <{SOURCE}> .\n"
        )
    return "".join(lines), codes


def organisations(rng: random.Random, count: int, codes: list[str]) -> str:
    """Return Turtle for ``count`` member organisations."""
    out = []
    for index in range(count):
        category = CATEGORIES[index % len(CATEGORIES)]
        name = f"{rng.choice(WORDS)} {rng.choice(PLACES)} {index}"
        out.append(
            f'orga:synth-{index} a org:Organization, ptce:{category} ; rdfs:label "{name}"@fr ;\n'
            f"  schema:location commune:{rng.choice(codes)} ; dcterms:source <{SOURCE}> .\n"
        )
    return "".join(out)


def pole(rng: random.Random, index: int, codes: list[str], org_count: int) -> str:
    """Return Turtle for one pole with its five memberships."""
    members = rng.sample(range(org_count), 5)
    chars = rng.sample(CHARACTERISTICS, 3)
    year = rng.randint(2005, 2024)
    lines = [
        f"pole:synth-{index} a ptce:Pole ; "
        f'rdfs:label "PTCE {rng.choice(WORDS)} {rng.choice(PLACES)} {index}"@fr ;',
        f'  dcterms:description "Pôle de coopération synthétique n° {index} pour les essais de charge."@fr ;',
        f'  schema:location commune:{rng.choice(codes)} ; schema:foundingDate "{year}"^^xsd:gYear ;',
        "  ptce:characteristic "
        + ", ".join(f"char:{c}" for c in chars)
        + f" ; ptce:sector sector:{SECTORS[0]} ;",
        "  org:hasMembership " + ", ".join(f"mem:synth-{index}--synth-{m}" for m in members) + " ;",
        f"  dcterms:source <{SOURCE}> .",
    ]
    for position, member in enumerate(members):
        role = ROLES[0] if position else ROLES[2]
        lines.append(
            f"mem:synth-{index}--synth-{member} a org:Membership ; org:organization pole:synth-{index} ;\n"
            f"  org:member orga:synth-{member} ; org:role role:{role} ; dcterms:source <{SOURCE}> ."
        )
    return "\n".join(lines) + "\n"


def generate(poles: int, out: Path, seed: int = 42) -> Path:
    """Write ``poles`` synthetic poles (plus towns, organisations and the concept schemes) into ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    towns, codes = communes(rng, max(50, poles // 10))
    org_count = max(20, poles * 2)
    (out / "synth-territories.ttl").write_text(PREFIXES + towns, encoding="utf-8")
    (out / "synth-organisations.ttl").write_text(
        PREFIXES + organisations(rng, org_count, codes), encoding="utf-8"
    )
    with (out / "synth-poles.ttl").open("w", encoding="utf-8") as handle:
        handle.write(PREFIXES)
        for index in range(poles):
            handle.write(pole(rng, index, codes, org_count))
    concepts = Path(__file__).resolve().parent.parent / "data" / "concepts.ttl"
    if concepts.is_file():
        shutil.copy(concepts, out / "concepts.ttl")
    return out


def main() -> None:
    """Command line: ``python bench/generate.py 1000 10000 --out bench/out``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of poles, e.g. 1000 10000 100000")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    for size in args.sizes:
        folder = generate(size, args.out / f"poles-{size}")
        print(f"{size} poles -> {folder}")


if __name__ == "__main__":
    main()
