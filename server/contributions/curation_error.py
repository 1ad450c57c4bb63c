"""Why a curation action was refused: :class:`CurationError` carries a key and its details, and says in French
or English what was wrong (a wrong status, an interrupted action, data that would not pass the start-up check,
an unsafe IRI, the later contributions that depend on a revert) and that nothing was changed. Raised by the
writer and by the modules it checks a plan with, and shown by the curators' pages and the CLI.
"""

from __future__ import annotations

from server.contributions.inbox import ACCEPTED, PENDING, REJECTED, REVERTED

_STATUS_WORDS = {
    "fr": {PENDING: "en attente", ACCEPTED: "acceptée", REJECTED: "rejetée", REVERTED: "annulée"},
    "en": {PENDING: PENDING, ACCEPTED: ACCEPTED, REJECTED: REJECTED, REVERTED: REVERTED},
}
_ACTION_WORDS = {
    "fr": {"accept": "acceptée", "reject": "rejetée", "revert": "annulée"},
    "en": {"accept": "accepted", "reject": "rejected", "revert": "reverted"},
}
_NOUNS = {
    "fr": {"accept": "l'acceptation", "reject": "le rejet", "revert": "l'annulation"},
    "en": {"accept": "accept", "reject": "reject", "revert": "revert"},
}
_TEXTS = {
    "missing": {
        "en": "There is no contribution {number}.",
        "fr": "Il n'y a pas de contribution {number}.",
    },
    "state": {
        "en": "contribution {number} is {status}, not {expected}: it cannot be {verb} now.",
        "fr": "La contribution {number} est {status}, et non {expected} : elle ne peut pas être {verb} "
        "maintenant.",
    },
    "journaled": {
        "en": "An interrupted {noun} of contribution {number} is not finished: restart the server, or run "
        "`ptce contributions journal` and `ptce contributions resolve {number}`.",
        "fr": "{noun} interrompue de la contribution {number} n'est pas terminée : redémarrez le serveur, ou "
        "lancez `ptce contributions journal` puis `ptce contributions resolve {number}`.",
    },
    "conform": {
        "en": "Contribution {number} no longer conforms to the graph as it is now: {details}",
        "fr": "La contribution {number} n'est plus conforme au graphe tel qu'il est maintenant : {details}",
    },
    "graph": {
        "en": "Nothing was changed: after this {noun} the data would not pass the start-up check "
        "({details}).",
        "fr": "Rien n'a été modifié : après {noun}, les données ne passeraient pas la vérification de "
        "démarrage ({details}).",
    },
    "unreadable": {
        "en": "Nothing was changed: a file this {noun} would write does not read back as written "
        "({details}).",
        "fr": "Rien n'a été modifié : un fichier que {noun} écrirait ne se relit pas tel qu'écrit "
        "({details}).",
    },
    "iri": {
        "en": "Contribution {number} holds an IRI that cannot be written safely ({details}): it must be "
        "absolute, without '//' in its path, '.' or '..' segments, or control characters.",
        "fr": "La contribution {number} contient un IRI qui ne peut pas être écrit sans risque ({details}) : "
        "il doit être absolu, sans '//' dans son chemin, ni segments '.' ou '..', ni caractères de contrôle.",
    },
    "unremovable": {
        "en": "The old value {details} could not be removed from {path} without reformatting it: edit that "
        "file by hand, then accept again.",
        "fr": "L'ancienne valeur {details} n'a pas pu être retirée de {path} sans le reformater : "
        "modifiez ce fichier à la main, puis acceptez de nouveau.",
    },
    "changed": {
        "en": "{path} changed during the {noun}: nothing was changed.",
        "fr": "{path} a changé pendant {noun} : rien n'a été modifié.",
    },
    "dependants": {
        "en": "Contribution {number} cannot be reverted alone: {details}, accepted later, depend on it. "
        "Revert them first, or confirm reverting them together, newest first (--with-dependants, or "
        "cascade=1).",
        "fr": "La contribution {number} ne peut pas être annulée seule : {details}, acceptées ensuite, en "
        "dépendent. Annulez-les d'abord, ou confirmez leur annulation ensemble, de la plus récente à la plus "
        "ancienne (--with-dependants, ou cascade=1).",
    },
    "no-entry": {
        "en": "The journal holds no interrupted action of contribution {number}.",
        "fr": "Le journal ne contient aucune action interrompue de la contribution {number}.",
    },
}
_WHY = {
    "uses": {"en": "uses {details}, which it created", "fr": "utilise {details}, qu'elle a créé"},
    "replaced": {"en": "replaced a value it added", "fr": "a remplacé une valeur qu'elle avait ajoutée"},
    "same-value": {
        "en": "gives {details} a value it had replaced",
        "fr": "donne à {details} une valeur qu'elle avait remplacée",
    },
}


class CurationError(Exception):
    """An action that cannot be done now: nothing was changed, and :meth:`text` tells the curator why."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The message in French or English."""
        lang = lang if lang in ("fr", "en") else "en"
        params = dict(self.params)
        if "status" in params:
            params["status"] = _STATUS_WORDS[lang].get(params["status"], params["status"])
        if "expected" in params:
            params["expected"] = _STATUS_WORDS[lang][params["expected"]]
        if "action" in params:
            params["verb"] = _ACTION_WORDS[lang][params["action"]]
            params["noun"] = _NOUNS[lang][params["action"]]
        if isinstance(params.get("details"), dict):  # dependants: {number: (why, details)}
            params["details"] = _dependants_text(params["details"], lang)
        message = _TEXTS[self.key][lang].format(**params)
        return message[0].upper() + message[1:]


def _dependants_text(found: dict, lang: str) -> str:
    word = "la contribution" if lang == "fr" else "contribution"
    return "; ".join(
        f"{word} {number} ({_WHY[why][lang].format(details=details)})"
        for number, (why, details) in found.items()
    )
