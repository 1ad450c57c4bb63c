"""The language policy of every page, report and message: French first, English on request."""

from __future__ import annotations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "lang"  # set when a page is asked for with ?lang=, so the choice persists


def supported(lang: str | None) -> str:
    """Return ``lang`` if we write in it, else the default language.

    >>> supported("en"), supported("de"), supported(None)
    ('en', 'fr', 'fr')
    """
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def choose_language(request, form: bool = False) -> str:
    """Return the request's language: ``lang`` (the form's first if ``form``), the language cookie,
    Accept-Language, else fr."""
    asked = (request.form.get("lang") if form else None) or request.args.get("lang") or ""
    if asked.lower() in LANGUAGES:
        return asked.lower()
    if request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:  # the choice made on an earlier page
        return request.cookies[LANGUAGE_COOKIE]
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
