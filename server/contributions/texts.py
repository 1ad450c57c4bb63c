"""French and English texts of the contribution pages and answers."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "kit_title": "Contribuer : le kit",
        "kit_intro": "Décrivez votre pôle dans un fichier Turtle, vérifiez-le, puis proposez-le aux "
        "curateurs du graphe. Les modèles et la liste des champs sont tirés des formes SHACL "
        "du graphe : ils sont toujours à jour.",
        "templates": "Modèles à télécharger",
        "new-pole": "Un nouveau pôle, ses membres et leurs rôles",
        "new-organisation": "Une nouvelle organisation, membre d'un pôle existant",
        "update-pole": "Compléter un pôle existant",
        "fields": "Champs de chaque classe",
        "required": "Obligatoire",
        "recommended": "Recommandé",
        "optional": "Facultatif",
        "commune_help": "Une commune se cite par son code INSEE (code officiel géographique, pas le code "
        "postal) : commune:21231 pour Dijon, soit <https://w3id.org/ptce/id/commune/21231>.",
        "existing_help": "Une organisation déjà dans le graphe se cite par son IRI, sans la décrire à "
        "nouveau : cherchez-la sur la page de son pôle ou avec /sparql.",
        "guide": "Le guide complet : docs/contributing.md.",
        "validate": "Valider un fichier",
        "review_title": "Vérifier et proposer",
        "preview": "Aperçu des pages",
        "preview_new": "nouvelle page",
        "preview_changed": "page modifiée",
        "submit_title": "Proposer ce fichier aux curateurs",
        "name": "Votre nom (facultatif)",
        "email": "Votre adresse électronique (facultative, jamais publiée)",
        "message": "Un message pour les curateurs (facultatif)",
        "send": "Proposer",
        "not_conform": "Le fichier n'est pas conforme : corrigez-le avant de le proposer.",
        "received_title": "Contribution reçue",
        "received": "Merci ! Votre contribution n° {number} est enregistrée. Les curateurs du graphe vont la "
        "relire ; une fois acceptée, elle apparaîtra aussitôt dans le graphe.",
        "rate_limited": "Trop de propositions depuis votre adresse : réessayez dans une heure.",
        "too_many": "La boîte de réception est pleine ({limit} contributions en attente) : réessayez quand "
        "les curateurs l'auront relue.",
        "too_big": "La boîte de réception n'a plus de place ({limit} octets en attente) : "
        "réessayez plus tard.",
        "bad_field": "Le champ « {field} » est trop long ou mal formé.",
        "pending": "en attente",
        "accepted": "acceptée",
        "rejected": "refusée",
        "reverted": "annulée",
        "busy": "Le serveur valide déjà autant de fichiers qu'il le peut ; réessayez dans {seconds} s.",
        "not_turtle": "Envoyez du Turtle : un corps text/turtle, ou un formulaire avec « file » ou « text ».",
    },
    "en": {
        "kit_title": "Contribute: the kit",
        "kit_intro": "Describe your pole in a Turtle file, check it, then propose it to the graph's "
        "curators. The templates and the list of fields come from the graph's SHACL shapes: "
        "they are always up to date.",
        "templates": "Templates to download",
        "new-pole": "A new pole, its members and their roles",
        "new-organisation": "A new organisation, member of an existing pole",
        "update-pole": "Complete an existing pole",
        "fields": "Fields of each class",
        "required": "Required",
        "recommended": "Recommended",
        "optional": "Optional",
        "commune_help": "A commune is cited by its INSEE code (official geographic code, not the postcode): "
        "commune:21231 for Dijon, i.e. <https://w3id.org/ptce/id/commune/21231>.",
        "existing_help": "An organisation already in the graph is cited by its IRI, without describing it "
        "again: find it on its pole's page or with /sparql.",
        "guide": "The full guide: docs/contributing.md.",
        "validate": "Validate a file",
        "review_title": "Check and propose",
        "preview": "Preview of the pages",
        "preview_new": "new page",
        "preview_changed": "changed page",
        "submit_title": "Propose this file to the curators",
        "name": "Your name (optional)",
        "email": "Your e-mail address (optional, never published)",
        "message": "A message for the curators (optional)",
        "send": "Propose",
        "not_conform": "The file does not conform: fix it before proposing it.",
        "received_title": "Contribution received",
        "received": "Thank you! Your contribution no. {number} is recorded. The graph's curators will review "
        "it; once accepted, it appears in the graph at once.",
        "rate_limited": "Too many proposals from your address: try again in an hour.",
        "too_many": "The inbox is full ({limit} contributions waiting): try again once the curators have "
        "reviewed it.",
        "too_big": "The inbox has no room left ({limit} bytes waiting): try again later.",
        "bad_field": "The field '{field}' is too long or malformed.",
        "pending": "pending",
        "accepted": "accepted",
        "rejected": "rejected",
        "reverted": "reverted",
        "busy": "The server is already validating as many files as it can; try again in {seconds} s.",
        "not_turtle": "Send Turtle: a text/turtle body, or a form with 'file' or 'text'.",
    },
}


def say(key: str, lang: str, **values) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in."""
    return TEXTS.get(lang, TEXTS["en"])[key].format(**values)


#: The curator's review of one contribution (GET /contributions/N): summary of what it touches, the diff.
REVIEW_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "summary": "Ce que touche la contribution",
        "new": "Nouvelles ressources : {count}",
        "new_more": "… et {count} autres, non listées ici (toutes figurent dans les différences).",
        "changed": "Ressources existantes modifiées : {count}",
        "none_changed": "Aucune ressource existante n'est modifiée : la contribution ne fait qu'ajouter.",
        "other_files": "Attention : cette contribution modifie des ressources décrites dans d'autres "
        "fichiers",
        "other_files_intro": "Accepter ce fichier change ce que ces fichiers disent : vérifiez chaque "
        "modification ci-dessous avant d'accepter.",
        "files": "fichiers",
        "added": "{count} énoncé(s) ajouté(s)",
        "removed": "{count} valeur(s) remplacée(s)",
        "diff": "Différences avec le graphe",
        "diff_order": "Les modifications des ressources existantes viennent en premier, puis les ajouts de "
        "nouvelles ressources.",
        "page": "Page {number} sur {pages} : lignes {first} à {last} sur {total}.",
        "page_all": "{total} ligne(s), toutes affichées.",
        "previous": "← Page précédente",
        "next": "Page suivante →",
        "no_diff": "Aucune différence : tout ce que dit ce fichier est déjà dans le graphe.",
    },
    "en": {
        "summary": "What the contribution touches",
        "new": "New resources: {count}",
        "new_more": "… and {count} more, not listed here (all of them are in the differences).",
        "changed": "Existing resources changed: {count}",
        "none_changed": "No existing resource is changed: the contribution only adds.",
        "other_files": "Warning: this contribution changes resources described in other files",
        "other_files_intro": "Accepting this file changes what those files say: check each change below "
        "before accepting.",
        "files": "files",
        "added": "{count} statement(s) added",
        "removed": "{count} value(s) replaced",
        "diff": "Difference with the graph",
        "diff_order": "Changes to existing resources come first, then the additions of new resources.",
        "page": "Page {number} of {pages}: lines {first} to {last} of {total}.",
        "page_all": "{total} line(s), all shown.",
        "previous": "← Previous page",
        "next": "Next page →",
        "no_diff": "No difference: everything this file says is already in the graph.",
    },
}
