"""Content negotiation: the formats a document is served in and the choice among them."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept

from server.formats import GRAPH_FORMAT_KEYS, RDF_FORMATS

_GRAPH_FORMATS = {key: RDF_FORMATS[key] for key in GRAPH_FORMAT_KEYS}


@dataclass(frozen=True)
class Format:
    """One representation of a document: URL suffix, media type and rdflib serializer name."""

    key: str
    media_type: str
    rdflib_name: str | None
    label: str


#: The formats of a document in server preference order (the first one wins for ``*/*``): HTML for
#: people, then the RDF formats of :data:`server.formats.RDF_FORMATS`.
FORMATS: dict[str, Format] = {
    "html": Format("html", "text/html", None, "HTML"),
    **{key: Format(key, rdf.media_type, rdf.rdflib_name, rdf.label) for key, rdf in _GRAPH_FORMATS.items()},
}

#: Every media type we recognise in Accept -> format key (aliases after the registered types).
MEDIA_TYPES: dict[str, str] = {
    **{fmt.media_type: key for key, fmt in FORMATS.items()},
    "application/xhtml+xml": "html",
    **{alias: key for key, rdf in _GRAPH_FORMATS.items() for alias in rdf.media_aliases},
}

#: Names accepted by ``?format=`` (and ``?output=``) besides the keys and media types.
FORMAT_ALIASES: dict[str, str] = {
    "htm": "html",
    **{name: key for key, rdf in _GRAPH_FORMATS.items() for name in rdf.names},
}


class UnknownFormat(ValueError):
    """``?format=`` named a format we do not serve."""


def format_from_name(name: str) -> str:
    """Return the format key for a ``?format=`` value (key, alias or media type).

    >>> format_from_name("turtle"), format_from_name("application/ld+json"), format_from_name("NT")
    ('ttl', 'jsonld', 'nt')
    >>> format_from_name("pdf")
    Traceback (most recent call last):
    ...
    server.web.negotiation.UnknownFormat: pdf
    """
    value = name.strip().lower()
    key = FORMATS.get(value) and value or FORMAT_ALIASES.get(value) or MEDIA_TYPES.get(value.split(";")[0])
    if key is None:
        raise UnknownFormat(name)
    return key


def best_format(accept: MIMEAccept, available: tuple[str, ...] = tuple(FORMATS)) -> str | None:
    """Pick the available format the Accept header prefers (q-values, wildcards), or None.

    >>> from werkzeug.http import parse_accept_header
    >>> def pick(header):
    ...     return best_format(parse_accept_header(header, MIMEAccept))
    >>> pick("text/turtle, application/rdf+xml;q=0.5, text/html;q=0.9")
    'ttl'
    >>> pick("application/rdf+xml, text/rdf;q=0.6, */*;q=0.1")
    'rdf'
    >>> pick("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    'html'
    >>> pick("*/*"), pick(""), pick("text/*")
    ('html', 'html', 'html')
    >>> pick("application/*;q=0.5, text/turtle;q=0.2")
    'jsonld'
    >>> pick("image/png") is None, pick("text/html;q=0, */*")
    (True, 'ttl')
    """
    if not accept:
        return available[0]
    refused = {value.lower() for value, quality in accept if quality == 0 and "*" not in value}
    primary = {fmt.media_type for fmt in FORMATS.values()}
    candidates = [media for media, key in MEDIA_TYPES.items() if key in available and media not in refused]
    candidates.sort(key=lambda media: (media not in primary, available.index(MEDIA_TYPES[media])))
    match = accept.best_match(candidates)
    return MEDIA_TYPES[match] if match else None


def choose_format(request, available: tuple[str, ...] = tuple(FORMATS)) -> str | None:
    """Return the format for a request: ``?format=``/``?output=`` first, then Accept; None means 406.

    Raises :class:`UnknownFormat` when the override names no format we serve.
    """
    override = request.args.get("format") or request.args.get("output")
    if override:
        key = format_from_name(override)
        if key not in available:
            raise UnknownFormat(override)
        return key
    return best_format(request.accept_mimetypes, available)


def available_types(available: tuple[str, ...] = tuple(FORMATS)) -> list[str]:
    """Return the media types of the given formats (for 406 bodies and Link headers).

    >>> available_types(("ttl", "nt"))
    ['text/turtle', 'application/n-triples']
    """
    return [FORMATS[key].media_type for key in available]
