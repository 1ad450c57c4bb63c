"""French and English texts of the validator's own messages (SHACL messages come from the shapes)."""

from __future__ import annotations

import re

TEXTS: dict[str, dict[str, str]] = {
    "too_large": {
        "en": "The file is {size} bytes; the limit is {limit} bytes. Split it into smaller files.",
        "fr": "Le fichier fait {size} octets ; la limite est de {limit} octets. "
        "Découpez-le en fichiers plus petits.",
    },
    "empty": {
        "en": "The file contains no triples: there is nothing to add.",
        "fr": "Le fichier ne contient aucun triplet : il n'y a rien à ajouter.",
    },
    "bad_utf8": {
        "en": "This line is not valid UTF-8 (byte {byte}). Save the file as UTF-8.",
        "fr": "Cette ligne n'est pas en UTF-8 valide (octet {byte}). Enregistrez le fichier en UTF-8.",
    },
    "too_deep": {
        "en": "Brackets are nested {depth} levels deep here; the limit is {limit}. "
        "Give the nested resources IRIs.",
        "fr": "Les crochets sont imbriqués sur {depth} niveaux ici ; la limite est {limit}. "
        "Donnez des IRI aux ressources imbriquées.",
    },
    "too_many_prefixes": {
        "en": "The file declares more than {limit} prefixes. Keep the prefixes you use.",
        "fr": "Le fichier déclare plus de {limit} préfixes. Gardez seulement ceux que vous utilisez.",
    },
    "number_too_long": {
        "en": "This number has {length} characters; the limit is {limit}.",
        "fr": "Ce nombre a {length} caractères ; la limite est {limit}.",
    },
    "bad_number": {
        "en": '"{value}" is not a valid {datatype} number.',
        "fr": "« {value} » n'est pas un nombre {datatype} valide.",
    },
    "bad_iri": {
        "en": "The IRI <{iri}> contains a character not allowed in IRIs (space, control character...).",
        "fr": "L'IRI <{iri}> contient un caractère interdit dans les IRI (espace, caractère de contrôle...).",
    },
    "timeout": {
        "en": "Validation took longer than {seconds} s and was stopped. Split the file into smaller files.",
        "fr": "La validation a dépassé {seconds} s et a été arrêtée. "
        "Découpez le fichier en fichiers plus petits.",
    },
    "memory": {
        "en": "Validation needed too much memory and was stopped. Split the file into smaller files.",
        "fr": "La validation demandait trop de mémoire et a été arrêtée. Découpez le fichier.",
    },
    "internal": {
        "en": "The validator failed on this file (internal error). Please report it.",
        "fr": "Le validateur a échoué sur ce fichier (erreur interne). Merci de le signaler.",
    },
    "syntax_generic": {"en": "Turtle syntax error: {detail}", "fr": "Erreur de syntaxe Turtle : {detail}"},
    "missing_dot": {
        "en": "Missing '.' at the end of the statement before this point.",
        "fr": "Il manque le '.' à la fin de l'énoncé qui précède.",
    },
    "missing_semicolon": {
        "en": "Missing ';' at the end of the line before: this line continues the description of the same "
        "resource.",
        "fr": "Il manque le ';' à la fin de la ligne précédente : cette ligne continue la description de la "
        "même ressource.",
    },
    "undeclared_prefix": {
        "en": "Prefix {prefix} is not declared. Add '@prefix {prefix} <...> .' at the top of the file.",
        "fr": "Le préfixe {prefix} n'est pas déclaré. Ajoutez '@prefix {prefix} <...> .' en tête du fichier.",
    },
    "iri_code_point": {
        "en": "This IRI contains {char}, which is not allowed in an IRI (write spaces as %20).",
        "fr": "Cette IRI contient {char}, interdit dans une IRI (écrivez les espaces %20).",
    },
    "unexpected_eof": {
        "en": "The file ends in the middle of a statement: a '.', ']', ')' or closing quote is missing.",
        "fr": "Le fichier se termine au milieu d'un énoncé : "
        "il manque un '.', ']', ')' ou un guillemet fermant.",
    },
    "not_predicate": {
        "en": "{token} cannot be used as a property here (a missing ';' or '.' before it?).",
        "fr": "{token} ne peut pas être une propriété ici (il manque un ';' ou un '.' avant ?).",
    },
    "not_subject": {
        "en": "{token} cannot start a statement here (a missing ';' or '.' before it?).",
        "fr": "{token} ne peut pas commencer un énoncé ici (il manque un ';' ou un '.' avant ?).",
    },
    "unknown_term": {
        "en": "{term} does not exist in {vocabulary}.",
        "fr": "{term} n'existe pas dans {vocabulary}.",
    },
    "did_you_mean": {"en": "Did you mean {suggestions}?", "fr": "Vouliez-vous dire {suggestions} ?"},
    "class_as_property": {
        "en": "{term} is a class, used here as a property.",
        "fr": "{term} est une classe, utilisée ici comme propriété.",
    },
    "property_as_class": {
        "en": "{term} is a property, used here as a class.",
        "fr": "{term} est une propriété, utilisée ici comme classe.",
    },
    "kind_hint_property": {
        "en": "Use a property in the middle of the statement, e.g. rdf:type (a) before a class.",
        "fr": "Au milieu de l'énoncé il faut une propriété, par ex. rdf:type (a) devant une classe.",
    },
    "kind_hint_class": {
        "en": "After 'a' (rdf:type) write a class, e.g. ptce:Pole or org:Organization.",
        "fr": "Après 'a' (rdf:type) il faut une classe, par ex. ptce:Pole ou org:Organization.",
    },
    "dangling_link": {
        "en": "{value} does not exist in this file nor in the dataset.",
        "fr": "{value} n'existe ni dans ce fichier ni dans le jeu de données.",
    },
    "unknown_commune_suggest": {
        "en": "{code} is not a commune code; did you mean {suggestions}?",
        "fr": "{code} n'est pas un code de commune ; vouliez-vous dire {suggestions} ?",
    },
    "unknown_commune": {
        "en": "{code} is not the INSEE code of a current commune or municipal arrondissement.",
        "fr": "{code} n'est pas le code INSEE d'une commune ou d'un arrondissement municipal actuels.",
    },
    "commune_hint": {
        "en": "Name a commune by its INSEE code (not its postcode), e.g. <https://w3id.org/ptce/id/commune/21231>"
        " for Dijon; you need not describe it.",
        "fr": "Désignez une commune par son code INSEE (pas son code postal), par exemple "
        "<https://w3id.org/ptce/id/commune/21231> pour Dijon ; inutile de la décrire.",
    },
    "or": {"en": " or ", "fr": " ou "},
    "dangling_hint": {
        "en": "Check the spelling of the IRI, or describe the resource in this file.",
        "fr": "Vérifiez l'orthographe de l'IRI, ou décrivez la ressource dans ce fichier.",
    },
    "duplicate": {
        "en": "{focus} looks like {existing} already in the dataset (same name '{label}', same town).",
        "fr": "{focus} ressemble à {existing}, déjà dans le jeu de données "
        "(même nom « {label} », même commune).",
    },
    "duplicate_hint": {
        "en": "If it is the same resource, use the existing IRI {existing}.",
        "fr": "S'il s'agit de la même ressource, utilisez l'IRI existante {existing}.",
    },
    "shape_hint": {
        "en": "Fix the value of {path} on {focus}.",
        "fr": "Corrigez la valeur de {path} sur {focus}.",
    },
    "shape_hint_node": {
        "en": "Complete or correct the description of {focus}.",
        "fr": "Complétez ou corrigez la description de {focus}.",
    },
    "shape_hint_missing": {
        "en": "Add {path} to {focus}.",
        "fr": "Ajoutez {path} à {focus}.",
    },
    "syntax_hint": {
        "en": "Fix the Turtle syntax at this position; nothing else is checked until the file parses.",
        "fr": "Corrigez la syntaxe Turtle à cet endroit ; "
        "rien d'autre n'est vérifié tant que le fichier est illisible.",
    },
    "elsewhere": {
        "en": "Elsewhere in the graph, on the existing resource {resource}: {message}",
        "fr": "Ailleurs dans le graphe, sur la ressource existante {resource} : {message}",
    },
    "elsewhere_hint": {
        "en": "This file changes what the graph says about {resource}, described in another file: "
        "check the links this file adds to it, or remove them.",
        "fr": "Ce fichier change ce que le graphe dit de {resource}, décrite dans un autre fichier : "
        "vérifiez les liens que ce fichier y ajoute, ou retirez-les.",
    },
    "scope_outside": {
        "en": "{subject} is outside the data IRI space: a contribution may describe only resources whose "
        "IRI begins with <{space}>.",
        "fr": "{subject} est hors de l'espace d'IRI des données : une contribution ne peut décrire que des "
        "ressources dont l'IRI commence par <{space}>.",
    },
    "scope_vocabulary": {
        "en": "{subject} is a term of a vocabulary (classes and properties): a contribution may not change "
        "the vocabulary, its labels or its definitions.",
        "fr": "{subject} est un terme d'un vocabulaire (classes et propriétés) : une contribution ne peut "
        "pas modifier le vocabulaire, ses libellés ni ses définitions.",
    },
    "scope_shapes": {
        "en": "{subject} belongs to the SHACL shapes: a contribution may not change the rules the data is "
        "checked against.",
        "fr": "{subject} appartient aux formes SHACL : une contribution ne peut pas modifier les règles "
        "auxquelles les données sont vérifiées.",
    },
    "scope_dataset": {
        "en": "{subject} is part of the dataset's own description (VoID/DCAT): a contribution may not "
        "change it.",
        "fr": "{subject} fait partie de la description du jeu de données lui-même (VoID/DCAT) : une "
        "contribution ne peut pas la modifier.",
    },
    "scope_provenance": {
        "en": "{subject} is provenance the server records itself (named graphs, contributions, "
        "curators): a contribution may not write it.",
        "fr": "{subject} est une provenance que le serveur enregistre lui-même (graphes nommés, "
        "contributions, curateurs) : une contribution ne peut pas l'écrire.",
    },
    "scope_prov": {
        "en": "{term} is a PROV provenance term: the server writes the provenance of every accepted "
        "contribution itself (who sent it, who accepted it, when); a contribution may not state any.",
        "fr": "{term} est un terme de provenance PROV : le serveur écrit lui-même la provenance de chaque "
        "contribution acceptée (qui l'a envoyée, qui l'a acceptée, quand) ; une contribution ne peut pas "
        "en déclarer.",
    },
    "scope_dataset_term": {
        "en": "{term} describes datasets (VoID/DCAT): the dataset's description is written by the "
        "server, not by contributions.",
        "fr": "{term} décrit des jeux de données (VoID/DCAT) : la description du jeu de données est écrite "
        "par le serveur, pas par les contributions.",
    },
    "scope_vocabulary_term": {
        "en": "{term} defines or merges classes, properties or resources (sameAs, subclasses, "
        "equivalences, domains, ranges): a contribution may not change what the graph's terms mean.",
        "fr": "{term} définit ou fusionne des classes, des propriétés ou des ressources (sameAs, "
        "sous-classes, équivalences, domaines, portées) : une contribution ne peut pas changer le sens "
        "des termes du graphe.",
    },
    "scope_new_type": {
        "en": "{subject} already exists as {types}; this file gives it the new type {new}. A contribution "
        "may not change the class of an existing resource: ask the curators.",
        "fr": "{subject} existe déjà comme {types} ; ce fichier lui donne le nouveau type {new}. Une "
        "contribution ne peut pas changer la classe d'une ressource existante : demandez aux curateurs.",
    },
    "scope_hint": {
        "en": "Remove these statements: describe only resources under <{space}> (poles, organisations, "
        "memberships...).",
        "fr": "Retirez ces énoncés : ne décrivez que des ressources sous <{space}> (pôles, organisations, "
        "adhésions...).",
    },
    "iri_double_slash": {
        "en": "The IRI <{iri}> has an empty segment (//) in its path: write each IRI with single slashes.",
        "fr": "L'IRI <{iri}> a un segment vide (//) dans son chemin : écrivez chaque IRI avec des barres "
        "obliques simples.",
    },
    "iri_dot_segment": {
        "en": "The IRI <{iri}> has a dot segment (/./ or /../) in its path: write the IRI in full, without "
        "'.' or '..' segments.",
        "fr": "L'IRI <{iri}> a un segment point (/./ ou /../) dans son chemin : écrivez l'IRI en entier, "
        "sans segment « . » ni « .. ».",
    },
    "iri_control": {
        "en": "The IRI <{iri}> contains the invisible control character {char}: remove it.",
        "fr": "L'IRI <{iri}> contient le caractère de contrôle invisible {char} : retirez-le.",
    },
    "literal_control": {
        "en": "This value contains the invisible control character {char} (terminal escape, bidirectional "
        "override...): remove it.",
        "fr": "Cette valeur contient le caractère de contrôle invisible {char} (séquence de terminal, "
        "inversion du sens d'écriture...) : retirez-le.",
    },
}


#: Severity names as shown to readers (singular, plural).
SEVERITIES: dict[str, dict[str, tuple[str, str]]] = {
    "Violation": {"en": ("violation", "violations"), "fr": ("violation", "violations")},
    "Warning": {"en": ("warning", "warnings"), "fr": ("avertissement", "avertissements")},
    "Info": {"en": ("note", "notes"), "fr": ("remarque", "remarques")},
}


def severity_name(severity: str, lang: str, count: int = 1) -> str:
    """The name of a severity in ``lang``, singular or plural for ``count`` (French: 0 and 1 are singular).

    >>> [severity_name("Warning", lang, n) for lang, n in (("fr", 0), ("en", 0), ("fr", 2))]
    ['avertissement', 'warnings', 'avertissements']
    """
    singular, plural = SEVERITIES.get(severity, SEVERITIES["Violation"]).get(lang, SEVERITIES[severity]["en"])
    return singular if (count <= 1 if lang == "fr" else count == 1) else plural


def counts(violations: int, warnings: int, lang: str) -> str:
    """``"1 violation, 2 warnings"`` in ``lang`` with the right plural forms.

    >>> counts(1, 0, "fr"), counts(2, 1, "en")
    ('1 violation, 0 avertissement', '2 violations, 1 warning')
    """
    return (
        f"{violations} {severity_name('Violation', lang, violations)}, "
        f"{warnings} {severity_name('Warning', lang, warnings)}"
    )


def text(key: str, lang: str, **values) -> str:
    """Return the message ``key`` in ``lang`` (English if unknown) with ``values`` filled in."""
    templates = TEXTS[key]
    return templates.get(lang, templates["en"]).format(**values)


_OXIGRAPH_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"A dot is expected at the end of statements"), "missing_dot"),
    (re.compile(r"The prefix (?P<prefix>\S*:) has not been declared"), "undeclared_prefix"),
    (re.compile(r"Invalid IRI code point (?P<char>'.*')$"), "iri_code_point"),
    (re.compile(r"^Unexpected end( of file)?$"), "unexpected_eof"),
    (re.compile(r"^(?P<token>.+) is not a valid predicate$"), "not_predicate"),
    (re.compile(r"^(?P<token>.+) is not a valid subject or graph name$"), "not_subject"),
]


#: Longest piece of the file (a token) quoted in a syntax message.
QUOTE_LENGTH = 80


def _short(quoted: str | None) -> str | None:
    """A quoted token cut to :data:`QUOTE_LENGTH` characters (a 5 MB token is not sent back whole)."""
    if quoted is None or len(quoted) <= QUOTE_LENGTH:
        return quoted
    return quoted[: QUOTE_LENGTH - 1] + "…"


def plain_syntax_message(detail: str, lang: str) -> str:
    """Turn one of Oxigraph's parser messages into a plain sentence for a pole coordinator."""
    for pattern, key in _OXIGRAPH_PATTERNS:
        match = pattern.search(detail)
        if match:
            return text(key, lang, **{name: _short(value) for name, value in match.groupdict().items()})
    return text("syntax_generic", lang, detail=_short(detail))
