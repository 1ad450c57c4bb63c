"""The linked-data site: dereferenceable IRIs, vocabulary and dataset documents, the home page."""

from __future__ import annotations

from flask import Response

from server.dataset.base import BackendError, BackendQueryError


def backend_failed(error: BackendError) -> Response:
    """Answer a storage error in HTTP terms: 400 if the engine refused the query, 503 otherwise."""
    status = 400 if isinstance(error, BackendQueryError) else 503
    return Response(f"{status} {error.message}\n", status, mimetype="text/plain")


def remember_language(response: Response) -> Response:
    """Keep the language asked for with ``?lang=`` in a cookie, so the next pages use it too."""
    from flask import request

    from server.languages import LANGUAGE_COOKIE, LANGUAGES

    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != asked:
        response.set_cookie(LANGUAGE_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if response.mimetype == "text/html":
        response.vary.add("Cookie")
    return response


def init_app(app) -> None:
    """Compute the pages' state and register the home page, the published documents and the IRI routes."""
    from server.web import exports, home, published, reconcile, rendering, resources
    from server.web.documents import PagesState

    app.extensions["ptce-pages"] = PagesState(app)
    rendering.register(app)
    app.register_error_handler(BackendError, backend_failed)
    app.after_request(remember_language)
    home.init_app(app)
    exports.init_app(app)
    reconcile.init_app(app)
    app.register_blueprint(published.bp)
    resources.init_app(app)  # last: it answers every other path under the base IRI
