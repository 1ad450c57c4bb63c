"""What a profile is made of: facts, their items and cited sources (Flask-free)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from server.web.citations import Citation


@dataclass
class Item:
    """One value of a profile fact: text, optional link, a note (category, amount...), cited sources."""

    text: str
    href: str | None = None
    note: str | None = None
    cites: list[int] = field(default_factory=list)


@dataclass
class Fact:
    """One line of the profile: a label and its values; ``editorial`` marks the project's own reading."""

    key: str
    label: str
    items: list[Item]
    editorial: bool = False
    more: int = 0  # values left out of the page (the RDF document and SPARQL have them)


@dataclass
class Profile:
    """What a page says first, and which statements it need not repeat below."""

    kind: str
    description: str | None
    facts: list[Fact]
    citations: list[Citation]
    shown: set[URIRef]
    shown_incoming: set[URIRef]
    pole_count: int = 0
