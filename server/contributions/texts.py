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
        # the review in words (server/contributions/review.py)
        "words": "Ce qui change, en mots",
        "new_pole": "Nouveau pôle : {name}",
        "new_organisation": "Nouvelle organisation : {name}",
        "new_membership": "Nouvelle adhésion : {name}",
        "new_other": "Nouvelle ressource ({kind}) : {name}",
        "changed_pole": "Pôle modifié : {name}",
        "changed_organisation": "Organisation modifiée : {name}",
        "changed_membership": "Adhésion modifiée : {name}",
        "changed_other": "Ressource modifiée ({kind}) : {name}",
        "added_value": "{name} (ajout)",
        "removed_value": "{name} (retrait)",
        "member_added": "Membre ajouté",
        "member_removed": "Membre retiré",
        "colon": "\u202f:",
        "quote": "«\u202f{}\u202f»",
        "separator": " ; ",
        "nothing": "La contribution ne change rien au graphe.",
        "words_more": "… et {count} autres nouvelles ressources, non décrites ici (toutes figurent dans les "
        "triplets).",
        "sources": "Sources données",
        "no_sources": "aucune",
        "duplicates": "Doublons possibles",
        "duplicate_name": "« {new} » porte le même nom que « {existing} », déjà dans le graphe.",
        "duplicate_site": "« {new} » a le même site web ({site}) que « {existing} », déjà dans le graphe.",
        "no_duplicates": "aucun (ni même nom ni même site web qu'un pôle ou une organisation du graphe).",
        "validation": "Résultat de la validation, contre le graphe tel qu'il est maintenant",
        "status_conforms": "conforme",
        "status_does-not-conform": "non conforme",
        "status_invalid-input": "fichier illisible",
        "status_error": "erreur interne du validateur",
        "raw": "Les triplets et le fichier Turtle",
        "see_report": "voir le rapport",
        "its_page": "sa page",
        "cascade": "Annuler aussi les contributions qui en dépendent",
        "cascade_how": "Pour les annuler ensemble : sur la page de la contribution {number}, cochez "
        "« Annuler aussi les contributions qui en dépendent » puis cliquez de nouveau sur « Annuler » ; en "
        "ligne de commande : ptce contributions revert {number} --with-dependants --curator VOTRE_NOM.",
        "back_to": "Retour à la contribution {number}",
        "raw_intro": "Pour vérifier le détail : les différences avec le graphe, triplet par triplet, et le "
        "fichier tel qu'envoyé.",
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
        "words": "What changes, in words",
        "new_pole": "New pole: {name}",
        "new_organisation": "New organisation: {name}",
        "new_membership": "New membership: {name}",
        "new_other": "New resource ({kind}): {name}",
        "changed_pole": "Pole changed: {name}",
        "changed_organisation": "Organisation changed: {name}",
        "changed_membership": "Membership changed: {name}",
        "changed_other": "Resource changed ({kind}): {name}",
        "added_value": "{name} (added)",
        "removed_value": "{name} (removed)",
        "member_added": "Member added",
        "member_removed": "Member removed",
        "colon": ":",
        "quote": "“{}”",
        "separator": "; ",
        "nothing": "The contribution changes nothing in the graph.",
        "words_more": "… and {count} more new resources, not described here (all of them are in the "
        "triples).",
        "sources": "Sources given",
        "no_sources": "none",
        "duplicates": "Possible duplicates",
        "duplicate_name": "“{new}” has the same name as “{existing}”, already in the graph.",
        "duplicate_site": "“{new}” has the same website ({site}) as “{existing}”, already in the graph.",
        "no_duplicates": "none (neither the same name nor the same website as a pole or organisation of the "
        "graph).",
        "validation": "Validation result, against the graph as it is now",
        "status_conforms": "conforms",
        "status_does-not-conform": "does not conform",
        "status_invalid-input": "unreadable file",
        "status_error": "internal error of the validator",
        "raw": "The triples and the Turtle file",
        "see_report": "see the report",
        "its_page": "its page",
        "cascade": "Also revert the contributions that depend on it",
        "cascade_how": "To revert them together: on the page of contribution {number}, tick “Also revert the "
        "contributions that depend on it” and click “Revert” again; on the command line: ptce contributions "
        "revert {number} --with-dependants --curator YOUR_NAME.",
        "back_to": "Back to contribution {number}",
        "raw_intro": "To check the detail: the differences with the graph, triple by triple, and the file as "
        "sent.",
    },
}
