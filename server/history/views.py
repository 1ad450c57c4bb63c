"""The history routes: the change feed (``/changes``), each change's patch, a resource's history in words
(``/history/<rest>``), its TimeMap (``/timemap/<rest>``) and mementos (``/memento/<seq>/<rest>``), and the
TimeGate on resource documents (``/doc/<rest>`` with ``Accept-Datetime``: RFC 7089, pattern 2.1, 302-style).
"""

from __future__ import annotations

import json
from html import escape

from flask import Blueprint, Response, current_app, redirect, request
from rdflib import URIRef
from werkzeug.urls import iri_to_uri, uri_to_iri

from server.dataset import get_store
from server.history import feed, memento
from server.history.patch import MEDIA_TYPE as PATCH_TYPE
from server.history.record import ChangeLog
from server.history.words import TEXTS, lines_in_words
from server.languages import choose_language
from server.web import rendering as context
from server.web.describe import labels_of, resource_exists
from server.web.documents import base_iri, negotiated_format, not_found, raw_path, render, split_suffix, state
from server.web.page_view import PageView, fetch_view, view_cap
from server.web.resources import thing_document

bp = Blueprint("history", __name__)
#: Changes per page of the feed.
PAGE_SIZE = 100
LINK_FORMAT = "application/link-format"


def change_log() -> ChangeLog:
    """The app's change log (the inbox's change tables, or a replica's own)."""
    return current_app.extensions["ptce-history"]


def _root() -> str:
    return request.url_root


def _rest_of(prefix: str) -> str:
    return uri_to_iri(raw_path().split(prefix, 1)[1])


def _urls(rest: str) -> dict:
    root, path = _root().rstrip("/"), iri_to_uri(rest)
    return {
        "original": f"{root}/doc/{path}",
        "timemap": f"{root}/timemap/{path}",
        "history": f"{root}/history/{path}",
        "memento": f"{root}/memento/{{seq}}/{path}",
    }


def _origin() -> str:
    moment = state().last_modified
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(body: dict, status: int = 200) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False, indent=1), status, mimetype="application/ld+json"
    )
    response.headers["Content-Type"] = feed.MEDIA_TYPE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# -- the feed ----------------------------------------------------------------------------------------


@bp.get("/changes")
def changes():
    """The change feed (Activity Streams 2.0): the collection, or one page (``?page=k``)."""
    log, size = change_log(), int(current_app.config.get("CHANGES_PAGE_SIZE", PAGE_SIZE))
    total = log.last_seq()
    asked = request.args.get("page")
    if asked is None:
        response = _json(feed.collection(_root(), total, size, log.origin()))
        response.headers["Cache-Control"] = "no-cache"
        return response
    if not asked.isdigit() or not 1 <= int(asked) <= feed.pages(total, size):
        return Response("404 Not Found: no such page of changes\n", 404, mimetype="text/plain")
    number = int(asked)
    page = feed.page(
        _root(), number, log.between((number - 1) * size + 1, number * size), total, size, base_iri()
    )
    response = _json(page)
    full = number * size <= total
    response.headers["Cache-Control"] = "max-age=86400" if full else "no-cache"
    return response


@bp.get("/changes/<int:seq>")
def change(seq: int):
    """One change as an activity."""
    found = change_log().get(seq)
    if found is None:
        return Response(f"404 Not Found: no change {seq}\n", 404, mimetype="text/plain")
    return _json(feed.activity(_root(), found, base_iri(), context=True))


@bp.get("/changes/<int:seq>.rdfp")
def patch(seq: int):
    """One change's patch (RDF Patch)."""
    found = change_log().get(seq)
    if found is None:
        return Response(f"404 Not Found: no change {seq}\n", 404, mimetype="text/plain")
    response = Response(found.patch, mimetype=PATCH_TYPE)
    response.headers["Cache-Control"] = "max-age=31536000, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# -- mementos ----------------------------------------------------------------------------------------


def past_view(iri: str, seq: int) -> PageView:
    """The neighbourhood of ``iri`` as it was after change ``seq``: now, with the later patches undone."""
    store, config = get_store(), current_app.config
    now = fetch_view(store, iri, view_cap(config["PAGE_LIST_LIMIT"], config["MAP_POINT_LIMIT"]))
    quads = set(now.store.quads_for_pattern(None, None, None, None))
    if seq < change_log().last_seq():
        quads = memento.state_quads(quads, change_log(), seq)
    return PageView(store, list(quads), True)


def _memento_links(rest: str, found: list[memento.Memento], chosen: memento.Memento | None) -> str:
    urls = _urls(rest)
    links = [
        f'<{urls["original"]}>; rel="original timegate"',
        f'<{urls["timemap"]}>; rel="timemap"; type="{LINK_FORMAT}"',
    ]
    if found:
        first, last = found[0], found[-1]
        for item, rel in ((first, "first memento"), (last, "last memento")):
            if item is first and item is last:
                rel = "first last memento"
            elif item is last and first is last:
                continue
            target, when = urls["memento"].format(seq=item.seq), memento.http_date(item.at)
            links.append(f'<{target}>; rel="{rel}"; datetime="{when}"')
        if chosen is not None and chosen not in (first, last):
            target = urls["memento"].format(seq=chosen.seq)
            links.append(f'<{target}>; rel="memento"; datetime="{memento.http_date(chosen.at)}"')
    return ", ".join(links)


def _banner(lang: str, rest: str, item: memento.Memento) -> str:
    words, urls = TEXTS[lang], _urls(rest)
    moment = memento.parse_iso(item.at).strftime("%Y-%m-%d %H:%M:%S UTC")
    text = (words["banner"] if item.seq else words["banner_origin"]).format(date=moment, seq=item.seq)
    return (
        '<p class="memento" role="note" '
        'style="border:2px solid #8a5a00;background:#fff8e6;padding:.5em 1em">'
        f"<strong>{escape(words['old'])}.</strong> {escape(text)}"
        f'<a href="{escape(urls["original"])}?lang={lang}">{escape(words["current"])}</a> · '
        f'<a href="{escape(urls["history"])}?lang={lang}">{escape(words["history"])}</a></p>'
    )


@bp.get("/memento/<int:seq>/<path:_rest>")
def memento_document(seq: int, _rest: str):
    """The document of a resource as it was after change ``seq`` (0: before any change), in every format."""
    rest, fixed = split_suffix(_rest_of(f"/memento/{seq}/"))
    iri, log = f"{base_iri()}id/{rest}", change_log()
    if seq > log.last_seq():
        return not_found(iri, fixed)
    view = past_view(iri, seq)
    if not resource_exists(view, iri):
        return not_found(iri, fixed)
    key = negotiated_format(fixed)
    if isinstance(key, Response):
        return key
    found = memento.mementos(log, iri, _origin())
    at = (
        log.get(seq).at
        if seq
        else (found[0].at if found and found[0].seq == 0 else log.origin() or _origin())
    )
    item = memento.Memento(seq, at)
    document = thing_document(rest, view)
    document.path = f"/memento/{seq}/{iri_to_uri(rest)}"
    lang = choose_language(request)
    response = render(document, key, lang)
    if key == "html":
        html = response.get_data(as_text=True).replace(
            '<main id="main">', '<main id="main">' + _banner(lang, rest, item), 1
        )
        response.set_data(html)
        response.content_language.add(lang)
        response.vary.add("Accept-Language")
    response.headers["Memento-Datetime"] = memento.http_date(item.at)
    response.headers["Link"] = _memento_links(rest, found, item)
    if not fixed:
        response.vary.add("Accept")
    return response


@bp.get("/timemap/<path:_rest>")
def timemap(_rest: str):
    """The TimeMap of a resource (application/link-format): its original, TimeGate and mementos."""
    rest, log = _rest_of("/timemap/"), change_log()
    iri, urls = f"{base_iri()}id/{rest}", _urls(rest)
    found = memento.mementos(log, iri, _origin())
    if len(found) == 1 and found[0].seq == 0 and not resource_exists(get_store(), iri):
        return not_found(iri, "nt")
    entries = [
        (urls["original"], {"rel": "original timegate"}),
        (
            urls["timemap"],
            {
                "rel": "self",
                "type": LINK_FORMAT,
                "from": memento.http_date(found[0].at),
                "until": memento.http_date(found[-1].at),
            },
        ),
    ]
    for index, item in enumerate(found):
        rel = ["memento"]
        if index == len(found) - 1:
            rel.insert(0, "last")
        if index == 0:
            rel.insert(0, "first")
        entries.append(
            (
                urls["memento"].format(seq=item.seq),
                {"rel": " ".join(rel), "datetime": memento.http_date(item.at)},
            )
        )
    response = Response(memento.link_format(entries), mimetype=LINK_FORMAT)
    response.headers["Cache-Control"] = "no-cache"
    return response


def timegate():
    """Before ``/doc/<rest>``: with ``Accept-Datetime``, 302 to the memento of that time (400 when the
    date is not an HTTP-date)."""
    if request.endpoint != "resources.document" or "Accept-Datetime" not in request.headers:
        return None
    try:
        moment = memento.parse_http_date(request.headers["Accept-Datetime"])
    except ValueError:
        body = "400 Bad Request: Accept-Datetime must be an HTTP-date, e.g. Thu, 31 May 2007 20:35:00 GMT\n"
        response = Response(body, 400, mimetype="text/plain")
        response.vary.add("Accept-Datetime")
        return response
    rest, fixed = split_suffix(_rest_of("/doc/"))
    iri = f"{base_iri()}id/{rest}"
    found = memento.mementos(change_log(), iri, _origin())
    if len(found) == 1 and found[0].seq == 0 and not resource_exists(get_store(), iri):
        return None  # the document route answers 404
    chosen = memento.select(found, moment)
    location = _urls(rest)["memento"].format(seq=chosen.seq) + (f".{fixed}" if fixed else "")
    response = redirect(location, 302)
    response.vary.add("Accept-Datetime")
    response.headers["Link"] = _memento_links(rest, found, chosen)
    return response


def document_links(response: Response) -> Response:
    """After ``/doc/<rest>``: announce the TimeGate (itself), the TimeMap and the history (``Link``), and
    on the HTML page a link to the history."""
    if request.endpoint != "resources.document" or response.status_code not in (200, 304):
        return response
    rest, _ = split_suffix(_rest_of("/doc/"))
    urls = _urls(rest)
    extra = (
        f'<{urls["original"]}>; rel="original timegate", <{urls["timemap"]}>; rel="timemap"; '
        f'type="{LINK_FORMAT}", <{urls["history"]}>; rel="version-history"'
    )
    existing = response.headers.get("Link")
    response.headers["Link"] = f"{existing}, {extra}" if existing else extra
    response.vary.add("Accept-Datetime")
    if response.status_code == 200 and response.mimetype == "text/html" and not response.is_streamed:
        lang = (list(response.content_language) or ["fr"])[0]
        words = TEXTS["fr" if lang == "fr" else "en"]
        link = (
            f'<p class="history-link"><a rel="version-history" href="/history/{escape(iri_to_uri(rest))}'
            f'?lang={lang}">{escape(words["history"])}</a></p>\n'
        )
        html = response.get_data(as_text=True)
        if "</main>" in html:
            response.set_data(html.replace("</main>", link + "</main>", 1))
    return response


# -- the history of a resource -----------------------------------------------------------------------


@bp.get("/history/<path:_rest>")
def history(_rest: str):
    """A resource's changes, newest first, each in words with its date and contribution (fr/en)."""
    rest, log = _rest_of("/history/"), change_log()
    iri, lang = f"{base_iri()}id/{rest}", choose_language(request)
    touching = log.touching(iri)[: int(current_app.config.get("HISTORY_PAGE_LIMIT", 50))]
    store = get_store()
    if not touching and not resource_exists(store, iri):
        return not_found(iri, "html")
    entries = []
    if touching:
        config = current_app.config
        now = fetch_view(store, iri, view_cap(config["PAGE_LIST_LIMIT"], config["MAP_POINT_LIMIT"]))
        quads = set(now.store.quads_for_pattern(None, None, None, None))
        shapes = store.rdflib_graph(("shapes",))
        wanted = {c.seq for c in touching}
        for each in reversed(log.after(min(wanted) - 1)):
            parsed = each.parsed()
            before = memento.patches.apply(quads, parsed.reversed())
            if each.seq in wanted:
                lines = lines_in_words(parsed, iri, before, shapes, base_iri(), lang)
                entries.append({"change": each, "lines": lines})
            quads = before
    label = next(iter(labels_of(store, [URIRef(iri)], lang).values()), rest)
    urls = _urls(rest)
    html = context.page(
        "history/resource.html",
        lang,
        None,
        W=TEXTS[lang],
        label=label,
        iri=iri,
        entries=entries,
        urls=urls,
        origin=log.origin() or _origin(),
        feed_url=f"{_root()}changes",
    )
    response = Response(html, mimetype="text/html")
    response.content_language.add(lang)
    response.vary.add("Accept-Language")
    response.headers["Link"] = (
        f'<{urls["original"]}>; rel="original timegate", '
        f'<{urls["timemap"]}>; rel="timemap"; type="{LINK_FORMAT}"'
    )
    return response


def init_app(app) -> None:
    """Register the history routes, the TimeGate and the documents' links; the log is the inbox's change
    tables (or HISTORY_DB, a replica's)."""
    from pathlib import Path

    path = app.config.get("HISTORY_DB")
    if not path:
        from server.contributions.submission import inbox_path

        path = inbox_path(app)
    app.extensions["ptce-history"] = ChangeLog(Path(path))
    app.register_blueprint(bp)
    app.before_request(timegate)
    app.after_request(document_links)
