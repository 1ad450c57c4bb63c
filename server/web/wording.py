"""Values in words for people: dates, amounts and numbers with Babel, French typography (Flask-free)."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from rdflib import Literal
from rdflib.namespace import XSD

NARROW_NBSP = "\u202f"
NUMERIC = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.int,
}
_BEFORE_PUNCTUATION = re.compile(r"[ \u00a0]([:;!?»])")
_AFTER_GUILLEMET = re.compile(r"(«)[ \u00a0]")


def french_typography(text: str) -> str:
    """Put a narrow no-break space before ``: ; ! ? »`` and after ``«`` (French rules).

    >>> french_typography("Liens : 3 ; « oui » !") == "Liens\u202f: 3\u202f; «\u202foui\u202f»\u202f!"
    True
    """
    text = _BEFORE_PUNCTUATION.sub(NARROW_NBSP + r"\1", text)
    return _AFTER_GUILLEMET.sub(r"\1" + NARROW_NBSP, text)


def typography(text: str, lang: str) -> str:
    """Apply the typography of ``lang`` to interface text (only French has rules here)."""
    return french_typography(text) if lang == "fr" else text


def number(value: float | int, lang: str) -> str:
    """Write a number with the language's separators.

    >>> number(1234567.5, "fr") == "1\u202f234\u202f567,5", number(1234567.5, "en")
    (True, '1,234,567.5')
    """
    return format_decimal(value, locale=lang)


def amount(value: float | int, lang: str) -> str:
    """Write an amount in euros, without cents when whole.

    >>> amount(100000, "fr") == "100\u202f000\u00a0€", amount(121555, "en")
    (True, '€121,555')
    """
    text = number(value, lang)
    return f"{text}\u00a0€" if lang == "fr" else f"€{text}"


def date_in_words(literal: Literal, lang: str) -> str | None:
    """Write an xsd:date, xsd:gYearMonth or xsd:gYear literal in words, or None for other literals.

    >>> from rdflib import Literal
    >>> date_in_words(Literal("2010-12-02", datatype=XSD.date), "fr")
    '2 décembre 2010'
    >>> date_in_words(Literal("2010-12-02", datatype=XSD.date), "en")
    '2 December 2010'
    >>> date_in_words(Literal("2013-07", datatype=XSD.gYearMonth), "fr")
    'juillet 2013'
    >>> date_in_words(Literal("2009", datatype=XSD.gYear), "en")
    '2009'
    """
    text = str(literal)
    try:
        if literal.datatype in (XSD.date, XSD.dateTime):
            day = date.fromisoformat(text[:10])
            return format_date(day, "d MMMM y", locale=lang)
        if literal.datatype == XSD.gYearMonth:
            year, month = text.split("-")[:2]
            return format_date(date(int(year), int(month), 1), "LLLL y", locale=lang)
        if literal.datatype == XSD.gYear:
            return str(int(text[:4]))
    except ValueError:
        return None
    return None


def literal_in_words(literal: Literal, lang: str) -> str:
    """Write any literal for a page: dates in words, numbers with separators, booleans in words, else text."""
    dated = date_in_words(literal, lang)
    if dated is not None:
        return dated
    if literal.datatype in NUMERIC:
        try:
            return number(literal.toPython(), lang)
        except (TypeError, ValueError, ArithmeticError):
            return str(literal)
    if literal.datatype == XSD.boolean:
        yes = str(literal).strip().lower() in ("true", "1")
        return {"fr": ("oui", "non"), "en": ("yes", "no")}[lang][0 if yes else 1]
    return str(literal)
