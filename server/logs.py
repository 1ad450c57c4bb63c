"""Logs: one JSON line per request (a "canonical log line"), and the server's own events, with request ids.

:func:`configure` sets the root logger's one handler: JSON lines through python-json-logger (``--log-format
json``, ``PTCE_LOG_FORMAT=json``), or text (the default on a terminal). Every line carries ``request_id``
while a request is served (a context variable set by :class:`RequestLog`).

:class:`RequestLog` wraps the app (inside ``ProxyFix``, so the client address is the one the trusted
proxies give): it takes ``X-Request-ID`` from the client when it is well-formed (else makes one), returns it
on the answer, and logs one line when the answer is complete: time, request id, method, path (never the
query string), status, bytes, duration, client address, and for a SPARQL query its lane, outcome and rows.
It also counts the request for /metrics (server.metrics).

Nothing secret is ever logged: no query string, header or form value is written, and :class:`Redact`
rewrites e-mail addresses and bearer tokens in any line (a path, an exception message) before it is written.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable

from pythonjsonlogger.json import JsonFormatter

#: A client's X-Request-ID is kept when it is 1 to 128 of these characters (else one is made).
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SECRETS = (
    re.compile(r"(?i)\b(bearer\s+)[^\s,;\"']+"),
    re.compile(r"(?i)\b(token|password|secret|cookie|session_id|csrf_token)(\s*[=:]\s*)[^\s,;&\"']+"),
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: Fields a record always has (python-json-logger writes every other attribute as a field of its own).
JSON_FIELDS = "{asctime}{levelname}{name}{message}{request_id}"

#: Called with (route, method, status, seconds) once each request is answered.
REQUEST_OBSERVERS: list[Callable[[str, str, int, float], None]] = []

_STANDARD = frozenset(
    ("msg", "name", "levelname", "pathname", "filename", "module", "funcName", "request_id")
)
_request: contextvars.ContextVar[dict | None] = contextvars.ContextVar("ptce_request", default=None)
#: Request lines (and what concerns one client's request) are logged under this name, to stdout.
REQUEST_LOGGER = "ptce.request"
request_log = logging.getLogger(REQUEST_LOGGER)


def request_state() -> dict:
    """The state of the request served by this thread (a throw-away dict outside a request)."""
    state = _request.get()
    return state if state is not None else {}


def redact(text: str) -> str:
    """The text without e-mail addresses or values after "token", "bearer", "cookie", "password"..."""
    if "@" in text:
        text = EMAIL.sub("<e-mail>", text)
    for pattern in SECRETS:
        text = pattern.sub(
            lambda match: match.group(0)[: match.end(match.lastindex) - match.start()] + "<redacted>", text
        )
    return text


class Redact(logging.Filter):
    """Adds the request id to every record and takes secrets out of its message and text fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set ``request_id``; rewrite the message (arguments merged) and string extras without secrets."""
        state = _request.get()
        record.request_id = state["id"] if state else "-"
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        for key, value in list(record.__dict__.items()):
            if isinstance(value, str) and key not in _STANDARD:
                setattr(record, key, redact(value))
        return True


class _RedactingJson(JsonFormatter):
    """python-json-logger's formatter, with the traceback redacted too."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        """The traceback text without secrets."""
        return redact(super().formatException(ei))


class _RedactingText(logging.Formatter):
    """The text formatter, with the traceback redacted too."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        """The traceback text without secrets."""
        return redact(super().formatException(ei))


def formatter(fmt: str) -> logging.Formatter:
    """The formatter for ``json`` or ``text``."""
    if fmt == "json":
        return _RedactingJson(
            JSON_FIELDS,
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return _RedactingText(TEXT_FORMAT)


def choose_format(fmt: str | None, stream=None) -> str:
    """``json`` or ``text``: as asked, else text on a terminal and JSON otherwise."""
    if fmt in ("json", "text"):
        return fmt
    stream = stream or sys.stderr
    return "text" if getattr(stream, "isatty", lambda: False)() else "json"


class _Stream(logging.Filter):
    """Keeps the request lines (loggers under ``ptce.request``) or every other line."""

    def __init__(self, requests: bool):
        super().__init__()
        self.requests = requests

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether the record belongs to this stream."""
        return record.name.startswith(REQUEST_LOGGER) == self.requests


def _handler(stream, fmt: str, requests: bool) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    lines = formatter(fmt)
    lines.converter = time.gmtime  # times in UTC, ISO 8601
    lines.default_time_format, lines.default_msec_format = "%Y-%m-%dT%H:%M:%S", "%s.%03dZ"
    handler.setFormatter(lines)
    handler.addFilter(_Stream(requests))
    handler.addFilter(Redact())
    handler.set_name("ptce")
    return handler


def configure(fmt: str | None = None, stream=None, level: int = logging.INFO, request_stream=None) -> str:
    """Log as JSON or text lines: the request lines to ``request_stream`` (stdout), the server's events to
    ``stream`` (stderr), as access and error logs usually are; return the format chosen."""
    stream = stream or sys.stderr
    fmt = choose_format(fmt, stream)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "ptce"]:
        root.removeHandler(old)
    root.addHandler(_handler(request_stream or sys.stdout, fmt, True))
    root.addHandler(_handler(stream, fmt, False))
    root.setLevel(level)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth": /metrics says it
    return fmt


class RequestLog:
    """WSGI middleware: request id, one log line per request and its metrics (see the module docstring)."""

    def __init__(self, app, flask_app):
        self.app, self.flask_app = app, flask_app

    def __call__(self, environ, start_response):
        """Serve the request with its id; log and count it once the answer is complete."""
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        environ["ptce.request_id"] = request_id
        state = {"id": request_id, "started": time.monotonic(), "status": 500, "length": None}
        token = _request.set(state)
        environ["ptce.request_state"] = state

        def start(status, headers, exc_info=None):
            state["status"] = int(status.split(" ", 1)[0])
            for name, value in headers:
                if name.lower() == "content-length":
                    state["length"] = int(value)
            headers = [(n, v) for n, v in headers if n.lower() != "x-request-id"]
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, start)
        except BaseException:
            self._done(environ, state, 0)
            _request.reset(token)
            raise
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None and isinstance(wrapper, type) and isinstance(result, wrapper):
            # a file handed to the server (dumps, large answers): it sends it without a thread
            self._done(environ, state, state["length"] or 0)
            _request.reset(token)
            return result
        _request.reset(token)
        return _Counted(result, self, environ, state)

    def _done(self, environ, state: dict, sent: int) -> None:
        seconds = time.monotonic() - state["started"]
        route = environ.get("ptce.route") or "<unmatched>"
        method = environ.get("REQUEST_METHOD", "")
        path = environ.get("PATH_INFO", "")
        fields = {
            "method": method,
            "path": path,
            "route": route,
            "status": state["status"],
            "bytes": sent,
            "duration_ms": round(seconds * 1000, 2),
            "client": environ.get("REMOTE_ADDR", ""),
        }
        for key in ("lane", "outcome", "rows"):
            if key in state:
                fields[f"sparql_{key}"] = state[key]
        token = _request.set(state)
        try:
            request_log.info(
                "%s %s %s %s B %.1f ms", method, path, state["status"], sent, seconds * 1000, extra=fields
            )
        finally:
            _request.reset(token)
        for observe in REQUEST_OBSERVERS:  # the metrics (server.metrics registers its counter here)
            observe(route, method, state["status"], seconds)


class _Counted:
    """The answer's body, counting the bytes sent; the request is logged when the server closes it."""

    def __init__(self, result, owner: RequestLog, environ, state):
        self.result, self.owner, self.environ, self.state = result, owner, environ, state
        self.sent = 0

    def __iter__(self):
        """The body's chunks (counted), with the request id set while they are made."""
        token = _request.set(self.state)
        try:
            for chunk in self.result:
                self.sent += len(chunk)
                yield chunk
        finally:
            _request.reset(token)

    def close(self):
        """Close the body, then log and count the request."""
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.owner._done(self.environ, self.state, self.sent)


def note_route() -> None:
    """Flask hook: note the request's route (the URL rule, not the path) for the log line and metrics."""
    from flask import request

    rule = request.url_rule
    request.environ["ptce.route"] = rule.rule if rule is not None else "<unmatched>"


def init_app(app) -> None:
    """Wrap the app in :class:`RequestLog` and note each request's route (first of the request hooks)."""
    app.wsgi_app = RequestLog(app.wsgi_app, app)
    app.before_request_funcs.setdefault(None, []).insert(0, note_route)
