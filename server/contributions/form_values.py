"""What a person typed in the pole form: read from the submitted fields, checked in words next to each field
(missing values, web addresses, years, communes, choices, members, the templates' placeholders). Flask-free.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from rdflib import RDFS
from rdflib.namespace import DCTERMS

from server.contributions.form import PoleForm
from server.contributions.form_texts import FORM_TEXTS
from server.contributions.picker import resolve_commune
from server.namespaces import ORG
from server.validator import placeholders
from server.validator.placeholders import placeholder_url
from server.web.search import fold

#: The example values of the templates and of the form, which a proposal may not keep (the templates' own
#: are refused in files too: server/validator/placeholders.py); the form also refuses its own example name.
PLACEHOLDER_NAMES = placeholders.PLACEHOLDER_NAMES | {"la fabrique du test"}
PLACEHOLDER_SLUGS = placeholders.PLACEHOLDER_SLUGS
PLACEHOLDER_TEXTS = {"", "...", "…", "description", "texte", "text"}
LIMITS = {"text": 300, "textarea": 5000, "url": 2000}
MEMBER_FIELDS = ("name", "iri", "category", "role", "membership")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_YEAR = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")  # a year; a month or a day kept from the graph


@dataclass
class Member:
    """One member row: an organisation of the graph (``iri``) or a new one (``name`` and ``category``)."""

    name: str = ""
    iri: str = ""
    category: str = ""
    role: str = ""
    membership: str = ""  # the existing membership's IRI, when the form was prefilled from the graph

    def empty(self) -> bool:
        """True when nothing was typed in the row."""
        return not (self.name or self.iri or self.role or self.category)


@dataclass
class Submission:
    """The values of a pole form: one list of texts per field, the member rows, the pole edited (if any)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    edit: str = ""
    communes: dict[str, str] = field(default_factory=dict)  # field key -> INSEE code found

    def one(self, key: str) -> str:
        """The first value of a field, or ''."""
        return next(iter(self.values.get(key) or []), "")


def slug(text: str, limit: int = 60) -> str:
    """A name as the last segment of an IRI: lower case, no accents, words joined by hyphens.

    >>> slug("L’Atelier du Pôle — Quimper !")
    'l-atelier-du-pole-quimper'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        c if c.isascii() and c.isalnum() else " " for c in decomposed if not unicodedata.combining(c)
    )
    return "-".join(kept.split())[:limit].strip("-")


def _clean(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text or "")
    return text.replace("\r\n", "\n").strip()


def read(form, model: PoleForm) -> Submission:
    """Read the submitted fields (a Werkzeug MultiDict or any mapping with ``getlist``)."""
    submission = Submission(edit=_clean(form.get("edit", "")))
    for entry in model.fields():
        if entry.widget == "members":
            continue
        if entry.widget == "urls":
            lines = "\n".join(form.getlist(entry.key)).split("\n")
            submission.values[entry.key] = [_clean(line) for line in lines if _clean(line)]
        else:
            submission.values[entry.key] = [_clean(v) for v in form.getlist(entry.key) if _clean(v)]
    numbers = sorted({int(k.split("-")[1]) for k in form if re.fullmatch(r"member-[0-9]{1,3}-[a-z]+", k)})
    for number in numbers:
        row = Member(**{name: _clean(form.get(f"member-{number}-{name}", "")) for name in MEMBER_FIELDS})
        if not row.empty() or row.membership:
            submission.members.append(row)
    return submission


def url_problem(value: str, words: dict) -> str | None:
    """The message for a web address that cannot be used, else None."""
    if not _URL.match(value) or "." not in (urlsplit(value).hostname or ""):
        return words["url"].format(value=value)
    if placeholder_url(value):
        return words["placeholder_url"].format(value=value)
    return None


def name_problem(value: str, words: dict) -> str | None:
    """The message for a name that is a template's example, else None."""
    if fold(value) in PLACEHOLDER_NAMES or slug(value) in PLACEHOLDER_SLUGS:
        return words["placeholder_name"].format(value=value)
    return None


@dataclass
class Checker:
    """Checks a submission against the form; ``organisation_named`` finds an organisation of the graph by
    its exact name (or returns None), ``is_organisation`` tells whether an IRI is one."""

    model: PoleForm
    lang: str
    organisation_named: object = None
    is_organisation: object = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def words(self) -> dict:
        """The form's words in the page's language."""
        return FORM_TEXTS[self.lang]

    def add(self, key: str, message: str) -> None:
        """Record a message next to a field."""
        self.errors.setdefault(key, []).append(message)

    def check(self, submission: Submission) -> dict[str, list[str]]:
        """Every problem, by field key (member rows: ``member-<n>-<name>``), in words."""
        for entry in self.model.fields():
            if entry.widget == "members":
                self.check_members(submission)
                continue
            values = submission.values.get(entry.key, [])
            if entry.required and not values:
                self.add(
                    entry.key,
                    self.words["missing"].format(prompt=entry.prompt, subject=self.words["subject"]),
                )
            for value in values[:1] if entry.single else values:
                self.check_value(entry, value, submission)
        return self.errors

    def check_value(self, entry, value: str, submission: Submission) -> None:
        """Check one value of a field."""
        words, key = self.words, entry.key
        limit = LIMITS.get(entry.widget, LIMITS["url"])
        if len(value) > limit:
            self.add(key, words["too_long"].format(limit=limit))
        elif entry.widget in ("url", "urls"):
            problem = url_problem(value, words)
            if problem:
                self.add(key, problem)
        elif entry.widget == "year":
            if not _YEAR.match(value):
                self.add(key, words["year"].format(value=value))
            elif value > date.today().isoformat()[: len(value)]:
                self.add(key, words["future"].format(value=value))
        elif entry.widget == "commune":
            found, candidates = resolve_commune(value)
            if found is not None:
                submission.communes[key] = found.code
            elif candidates:
                choices = ", ".join(c.label() for c in candidates[:5])
                self.add(key, words["commune_many"].format(value=value, choices=choices))
            else:
                self.add(key, words["commune_unknown"].format(value=value))
        elif entry.widget in ("select", "checkboxes"):
            if value not in {c.value for c in entry.choices}:
                self.add(key, words["choice"])
        elif entry.path == RDFS.label:
            problem = name_problem(value, words)
            if problem:
                self.add(key, problem)
        elif fold(value) in PLACEHOLDER_TEXTS or value.strip(".… ") == "":
            self.add(key, words["placeholder_text"].format(value=value))
        elif entry.pattern and not re.search(entry.pattern, value):
            self.add(key, words["siren"] if "siren" in entry.key.lower() else words["choice"])

    def check_members(self, submission: Submission) -> None:
        """Check each member row: an organisation (of the graph, or new with its category) and a role."""
        words, seen = self.words, {}
        role_field = self.model.member_field(ORG.role)
        member_field = self.model.member_field(ORG.member)
        category = self.model.category()
        for number, member in enumerate(submission.members, start=1):
            prefix = f"member-{number - 1}-"
            subject = words["subject_member"].format(n=number)
            if member.empty():
                continue
            if member.iri and not (self.is_organisation and self.is_organisation(member.iri)):
                member.iri = ""
            if not member.iri and member.name and self.organisation_named:
                member.iri = self.organisation_named(member.name) or ""
            if not member.name and not member.iri:
                prompt = member_field.prompt if member_field else words["member"].format(n=number)
                self.add(prefix + "name", words["missing"].format(prompt=prompt, subject=subject))
            elif not member.iri:
                problem = name_problem(member.name, words)
                if problem:
                    self.add(prefix + "name", problem)
                if category is not None and member.category not in {c.value for c in category.choices}:
                    self.add(prefix + "category", words["category"].format(name=member.name))
            name = member.name or member.iri
            if role_field is not None and member.role not in {c.value for c in role_field.choices}:
                self.add(prefix + "role", words["role"].format(name=name))
            identity = member.iri or fold(member.name)
            if identity in seen:
                self.add(prefix + "name", words["member_twice"].format(name=name, n=seen[identity]))
            seen.setdefault(identity, number)


def sources_of(submission: Submission, model: PoleForm) -> list[str]:
    """The sources given for the pole (cited by every resource the form writes)."""
    entry = next((f for f in model.fields() if f.path == DCTERMS.source), None)
    return submission.values.get(entry.key, []) if entry else []


def summary(submission: Submission, model: PoleForm, words: dict) -> list[tuple[str, list[str]]]:
    """What the description says, field by field, in words (labels for listed values, commune names)."""
    from server.contributions.picker import commune_index

    labels, communes = model.labels(), commune_index()[0]
    lines = []
    for entry in model.fields():
        if entry.widget == "members":
            members = []
            for member in submission.members:
                if member.empty():
                    continue
                text = f"{member.name or member.iri} — {labels.get(member.role, member.role)}"
                if not member.iri:
                    text += f" ({words['summary_new_org']} {labels.get(member.category, '')})"
                members.append(text)
            if members:
                lines.append((entry.name, members))
            continue
        values = submission.values.get(entry.key, [])
        values = values[:1] if entry.single else values
        if entry.widget == "commune" and entry.key in submission.communes:
            commune = communes[submission.communes[entry.key]]
            values = [f"{commune.name} ({commune.code})"]
        if values:
            lines.append((entry.name, [labels.get(v, v) for v in values]))
    return lines
