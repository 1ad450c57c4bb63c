"""Official French territories for the graph, generated from Etalab's ``@etalab/decoupage-administratif``.

The npm package (pinned in ``server/static/package.json``, installed by ``npm ci --prefix server/static``)
publishes the official administrative division as JSON: communes (INSEE COG, La Poste postal codes, INSEE
legal population), EPCI with their member communes and SIREN (DGCL), départements and regions.

:func:`generate` describes only the territories the data refers to: the communes, départements and regions
named by ``data/*.ttl`` and the accepted contributions ``data/contributions/*.ttl`` (``commune:``, ``dep:``,
``region:`` IRIs), the EPCI of those communes and the EPCI named by their SIREN (``epci:`` IRIs), their
département and region. Communes and EPCI carry their SIREN (``ptce:siren``) as the package gives it: the
same IRI is the territory and, where the data say so, the local authority that takes part in a pole. Every
resource cites the package and its version (``dcterms:source``). The output is sorted, so that running it
twice on the same package gives the same file::

    python -m server.dataset.territories            # writes data/territories-official.ttl
    python -m server.dataset.territories --check    # exit 1 if the file is not up to date

:func:`commune_names` returns every current commune and municipal arrondissement (code -> name), for
checking the commune codes of a contribution.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE_NAME = "@etalab/decoupage-administratif"
PACKAGE_DIR = ROOT / "server" / "static" / "node_modules" / "@etalab" / "decoupage-administratif"
DATA_DIR = ROOT / "data"
OUTPUT = DATA_DIR / "territories-official.ttl"

#: Reference year of the legal populations in the package: version 6.0.0 (COG 2026) takes INSEE's
#: "populations légales" in force on 1 January 2026, whose reference date is 1 January 2023.
POPULATION_YEARS = {"6.0.0": "2023"}

BASE = "https://w3id.org/ptce/id/"
IRI_RE = re.compile(r"<https://w3id\.org/ptce/id/(commune|departement|region|epci)/([0-9AB]+)>")
PREFIXED_RE = re.compile(r"(?<![\w:/])(commune|dep|region):([0-9AB]{2,5})\b")
EPCI_PREFIXED_RE = re.compile(r"(?<![\w:/])epci:([0-9]{9})\b")
PREFIX_KIND = {"commune": "commune", "dep": "departement", "region": "region"}


def package_version(package_dir: Path = PACKAGE_DIR) -> str:
    """The version of the installed package, read from its package.json."""
    return json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]


def source_iri(version: str) -> str:
    """The address of the package version, used as ``dcterms:source``."""
    return f"https://www.npmjs.com/package/{PACKAGE_NAME}/v/{version}"


@cache
def _load(package_dir: Path, name: str) -> list[dict]:
    path = package_dir / "data" / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `npm ci --prefix server/static` first")
    return json.loads(path.read_text(encoding="utf-8"))


def official_communes(package_dir: Path = PACKAGE_DIR) -> dict[str, tuple[str, str]]:
    """Every current commune and municipal arrondissement: INSEE code -> (name, kind).

    ``kind`` is ``commune`` or ``arrondissement``. Delegated and associated communes (former communes merged
    into another) are left out: their codes are not valid locations for a pole.

    >>> communes = official_communes()
    >>> communes["21231"], communes["75111"][1], "21999" in communes
    (('Dijon', 'commune'), 'arrondissement', False)
    """
    kinds = {"commune-actuelle": "commune", "arrondissement-municipal": "arrondissement"}
    return {
        c["code"]: (c["nom"], kinds[c["type"]]) for c in _load(package_dir, "communes") if c["type"] in kinds
    }


def official_populations(package_dir: Path = PACKAGE_DIR) -> dict[str, int]:
    """The legal population of every commune and arrondissement that has one: INSEE code -> inhabitants."""
    return {c["code"]: c["population"] for c in _load(package_dir, "communes") if c.get("population")}


def commune_names(package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """Every current commune and municipal arrondissement of the package: INSEE code -> name.

    >>> names = commune_names()
    >>> names["21231"], names["75111"], "21999" in names
    ('Dijon', 'Paris 11e Arrondissement', False)
    """
    return {code: name for code, (name, _) in official_communes(package_dir).items()}


def referenced_codes(paths: Iterable[Path]) -> dict[str, set[str]]:
    """The territory codes the given Turtle files refer to, by kind (commune, departement, region, epci).

    An intercommunality is referred to by its SIREN (``epci:200039857``), for example where the data describe
    it as a local authority taking part in a pole: the EPCI as a body and as a territory are one resource.
    """
    return referenced_codes_in(path.read_text(encoding="utf-8") for path in paths)


def referenced_codes_in(texts: Iterable[str]) -> dict[str, set[str]]:
    """The territory codes the given Turtle texts refer to, by kind (see :func:`referenced_codes`)."""
    found: dict[str, set[str]] = {"commune": set(), "departement": set(), "region": set(), "epci": set()}
    for text in texts:
        for kind, code in IRI_RE.findall(text):
            found[kind].add(code)
        for prefix, code in PREFIXED_RE.findall(text):
            found[PREFIX_KIND[prefix]].add(code)
        found["epci"].update(EPCI_PREFIXED_RE.findall(text))
    return found


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(subject: str, statements: list[tuple[str, str]]) -> str:
    lines = [f"{subject} {statements[0][0]} {statements[0][1]}"]
    lines += [f"    {p} {o}" for p, o in statements[1:]]
    return " ;\n".join(lines) + " .\n"


def build(codes: dict[str, set[str]], package_dir: Path = PACKAGE_DIR) -> str:
    """The Turtle text describing the referenced territories (and their EPCI, département and region)."""
    version = package_version(package_dir)
    source = f"<{source_iri(version)}>"
    year = POPULATION_YEARS.get(version)
    communes = {c["code"]: c for c in _load(package_dir, "communes") if c["type"] != "commune-deleguee"}
    communes = {k: v for k, v in communes.items() if v["type"] != "commune-associee"}
    departements = {d["code"]: d for d in _load(package_dir, "departements")}
    regions = {r["code"]: r for r in _load(package_dir, "regions")}
    epci_of: dict[str, dict] = {}
    epci_by_code: dict[str, dict] = {}
    for epci in _load(package_dir, "epci"):
        epci_by_code[epci["code"]] = epci
        for member in epci["membres"]:
            epci_of[member["code"]] = epci

    unknown = sorted(c for c in codes["commune"] if c not in communes)
    if unknown:
        raise ValueError(f"commune codes not in {PACKAGE_NAME} {version}: {unknown}")
    commune_codes = set(codes["commune"])
    for code in list(commune_codes):  # a municipal arrondissement brings its commune (Paris, Lyon, Marseille)
        if communes[code]["type"] == "arrondissement-municipal":
            commune_codes.add(communes[code]["commune"])
    dep_codes = set(codes["departement"]) | {communes[c]["departement"] for c in commune_codes}
    region_codes = set(codes["region"]) | {departements[d]["region"] for d in dep_codes}
    epcis = {epci_of[c]["code"]: epci_of[c] for c in commune_codes if c in epci_of}
    unknown = sorted(c for c in codes.get("epci", ()) if c not in epci_by_code)
    if unknown:
        raise ValueError(f"EPCI codes not in {PACKAGE_NAME} {version}: {unknown}")
    epcis.update({c: epci_by_code[c] for c in codes.get("epci", ())})

    out = [
        "# PTCE Graph — data/territories-official.ttl (generated: do not edit by hand)\n"
        "# Generated by `python -m server.dataset.territories` from the npm package\n"
        f"# {PACKAGE_NAME} {version} (Etalab: INSEE Code officiel géographique, DGCL list of EPCI,\n"
        "# La Poste postal codes, INSEE legal populations). Only the territories that data/*.ttl refers to\n"
        "# are described, with the EPCI of their communes, their département and region.\n"
        "# Coordinates are not in the package: see data/territories.ttl.\n\n",
        "@prefix igeo:    <http://rdf.insee.fr/def/geo#> .\n"
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix schema:  <https://schema.org/> .\n"
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix ptce:    <https://w3id.org/ptce/ontology#> .\n"
        f"@prefix region:  <{BASE}region/> .\n"
        f"@prefix dep:     <{BASE}departement/> .\n"
        f"@prefix epci:    <{BASE}epci/> .\n"
        f"@prefix commune: <{BASE}commune/> .\n"
        f"@prefix obs:     <{BASE}observation/> .\n\n",
        _block(
            source,
            [
                ("a", "schema:Dataset"),
                ("rdfs:label", _literal(f"{PACKAGE_NAME} {version}") + "@fr"),
                ("schema:name", _literal(PACKAGE_NAME)),
                ("schema:version", _literal(version)),
                ("schema:url", "<https://github.com/etalab/decoupage-administratif>"),
                ("dcterms:license", "<https://www.etalab.gouv.fr/licence-ouverte-open-licence>"),
                ("dcterms:source", "<https://github.com/etalab/decoupage-administratif>"),
            ],
        ),
        "\n# ---------------------------------------------------------------- regions\n\n",
    ]
    for code in sorted(region_codes):
        region = regions[code]
        deps = sorted(d for d in dep_codes if departements[d]["region"] == code)
        st = [
            ("a", "igeo:Region"),
            ("rdfs:label", _literal(region["nom"]) + "@fr"),
            ("igeo:nom", _literal(region["nom"])),
            ("igeo:codeINSEE", _literal(code)),
        ]
        if deps:
            st.append(("igeo:subdivisionDirecte", " , ".join(f"dep:{d}" for d in deps)))
        st.append(("dcterms:source", source))
        out.append(_block(f"region:{code}", st) + "\n")

    out.append("# ---------------------------------------------------------------- départements\n\n")
    for code in sorted(dep_codes):
        dep = departements[code]
        members = sorted(
            c
            for c in commune_codes
            if communes[c]["departement"] == code and communes[c]["type"] == "commune-actuelle"
        )
        st = [
            ("a", "igeo:Departement"),
            ("rdfs:label", _literal(dep["nom"]) + "@fr"),
            ("igeo:nom", _literal(dep["nom"])),
            ("igeo:codeINSEE", _literal(code)),
        ]
        if members:
            st.append(("igeo:subdivisionDirecte", " , ".join(f"commune:{c}" for c in members)))
        st.append(("dcterms:source", source))
        out.append(_block(f"dep:{code}", st) + "\n")

    out.append(
        "# ---------------------------------------------------------------- intercommunalities (EPCI)\n\n"
    )
    for code in sorted(epcis):
        epci = epcis[code]
        members = sorted(m["code"] for m in epci["membres"] if m["code"] in commune_codes)
        st = [
            ("a", "igeo:Intercommunalite"),
            ("rdfs:label", _literal(epci["nom"]) + "@fr"),
            ("igeo:nom", _literal(epci["nom"])),
            ("igeo:codeINSEE", _literal(code)),
            ("ptce:siren", _literal(code)),
            ("ptce:epciType", _literal(epci["type"])),
        ]
        if members:
            st.append(("dcterms:hasPart", " , ".join(f"commune:{c}" for c in members)))
        st.append(("dcterms:source", source))
        out.append(_block(f"epci:{code}", st) + "\n")

    out.append(
        "# ---------------------------------------------------------------- communes and arrondissements\n\n"
    )
    observations = []
    for code in sorted(commune_codes):
        commune = communes[code]
        municipal = commune["type"] == "arrondissement-municipal"
        st = [
            ("a", "igeo:ArrondissementMunicipal" if municipal else "igeo:Commune"),
            ("rdfs:label", _literal(commune["nom"]) + "@fr"),
            ("igeo:nom", _literal(commune["nom"])),
            ("igeo:codeINSEE", _literal(code)),
        ]
        if commune.get("siren") and not municipal:  # the commune as a local authority (DGCL)
            st.append(("ptce:siren", _literal(commune["siren"])))
        if commune.get("codesPostaux"):
            st.append(("schema:postalCode", " , ".join(_literal(p) for p in sorted(commune["codesPostaux"]))))
        if not municipal:
            parts = sorted(c for c in commune_codes if communes[c].get("commune") == code)
            if parts:
                st.append(("igeo:subdivisionDirecte", " , ".join(f"commune:{c}" for c in parts)))
            if code in epci_of:
                st.append(("dcterms:isPartOf", f"epci:{epci_of[code]['code']}"))
        st.append(("dcterms:source", source))
        out.append(_block(f"commune:{code}", st) + "\n")
        if year and commune.get("population") is not None:
            observations.append(
                _block(
                    f"obs:population-{code}-{year}",
                    [
                        ("a", "ptce:Observation"),
                        ("rdfs:label", _literal(f"Population de {commune['nom']} ({year})") + "@fr"),
                        ("schema:observationAbout", f"commune:{code}"),
                        ("schema:measuredProperty", "ptce:population"),
                        ("schema:value", _literal(str(commune["population"])) + "^^xsd:integer"),
                        ("schema:observationDate", _literal(year) + "^^xsd:gYear"),
                        ("dcterms:source", source),
                    ],
                )
                + "\n"
            )
    if observations:
        out.append("# ---------------------------------------------------------------- legal populations\n\n")
        out += observations
    return "".join(out).rstrip("\n") + "\n"


def input_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The Turtle files whose territories are described: data/*.ttl and the accepted contributions
    (data/contributions/*.ttl), so that a pole placed in any official commune gets it on accept."""
    return sorted(data_dir.glob("*.ttl")) + sorted((data_dir / "contributions").glob("*.ttl"))


def generate(
    output: Path = OUTPUT, package_dir: Path = PACKAGE_DIR, data_dir: Path = DATA_DIR, check: bool = False
) -> bool:
    """Write (or with ``check``, compare) the official-territories file; True when the file is up to date."""
    inputs = [p for p in input_files(data_dir) if p.resolve() != output.resolve()]
    text = build(referenced_codes(inputs), package_dir)
    current = output.read_text(encoding="utf-8") if output.exists() else None
    if check:
        return current == text
    if current != text:
        output.write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m server.dataset.territories",
        description=f"Describe the territories data/ refers to, from the npm package {PACKAGE_NAME}.",
    )
    parser.add_argument(
        "--output", type=Path, default=OUTPUT, help="Turtle file to write (default: %(default)s)"
    )
    parser.add_argument("--package", type=Path, default=PACKAGE_DIR, help="installed package directory")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of the data files to scan")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the output is out of date"
    )
    args = parser.parse_args(argv)
    ok = generate(args.output, args.package, args.data, check=args.check)
    if args.check and not ok:
        print(f"{args.output} is out of date: run python -m server.dataset.territories", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
