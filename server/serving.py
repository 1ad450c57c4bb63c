"""The HTTP server of ``ptce serve``: waitress with deadlines, bounded buffers and a graceful stop.

waitress serves every connection from one poll loop and runs the app in a few threads, so an idle or slow
client costs a file descriptor and a few kilobytes, never a thread. Three things waitress does not do are
added here by subclassing its documented server and channel classes:

- a deadline for receiving a request (headers and body): waitress's ``channel_timeout`` counts inactivity,
  so a client sending one byte a minute would keep its connection for ever;
- a deadline for sending: a client that stops reading is disconnected when no byte could be sent to it for
  ``HTTP_SEND_TIMEOUT`` seconds, which also frees a thread waiting on its full output buffer;
- no pipelining: requests pipelined behind the first one are dropped and the connection closed after its
  answer, since waitress holds a thread while a pipelining client does not read (big answers and dumps are
  files handed over through ``wsgi.file_wrapper``, so no thread waits for the first answer to be read);
- a graceful stop on SIGTERM: stop accepting, let in-flight requests finish within ``SHUTDOWN_GRACE``, then
  stop the SPARQL workers and the validation children.
"""

from __future__ import annotations

import logging
import resource
import signal
import time
from collections.abc import Callable

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.wasyncore import loop

from server import config as defaults

log = logging.getLogger(__name__)


class DeadlineChannel(HTTPChannel):
    """A waitress channel that times the request it receives and answers one pipelined request at a time."""

    request_started: float | None = None

    def received(self, data):
        """Note when a new request starts, parse as waitress does, then refuse pipelining (see below)."""
        if self.request is None and data:
            self.request_started = time.monotonic()
        result = super().received(data)
        if self.request is None:
            self.request_started = None
        with self.requests_lock:
            if len(self.requests) > 1:
                # waitress makes the thread that finished one pipelined request wait until the client has
                # read its answer before it starts the next one: a client that pipelines and never reads
                # holds a thread. So the first request is answered with "Connection: close" and the rest
                # dropped (RFC 9112, 9.3.2: a pipelining client retries on a new connection).
                for extra in self.requests[1:]:
                    extra.close()
                del self.requests[1:]
                self.requests[0].headers["CONNECTION"] = "close"
                if self.request is not None:
                    self.request.close()
                    self.request, self.request_started = None, None
        return result


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server with a request deadline and a send deadline (see the module docstring)."""

    channel_class = DeadlineChannel
    request_deadline = defaults.HTTP_REQUEST_DEADLINE  # both set again from the app's settings at start
    send_timeout = defaults.HTTP_SEND_TIMEOUT

    def maintenance(self, now):
        """Close idle channels (waitress), and those past the request or send deadline."""
        super().maintenance(now)
        started_cutoff = time.monotonic() - self.request_deadline
        send_cutoff = now - self.send_timeout
        for channel in list(self.active_channels.values()):
            started = getattr(channel, "request_started", None)
            if started is not None and started < started_cutoff:
                channel.will_close = True  # headers or body too slow: the connection is closed
            elif channel.total_outbufs_len and channel.last_activity < send_cutoff:
                channel.will_close = True  # the client stopped reading: its waiting thread is released

    def busy(self) -> bool:
        """Whether a request is being served or queued, or an answer is still being sent."""
        dispatcher = self.task_dispatcher
        if dispatcher.active_count or dispatcher.queue:
            return True
        return any(channel.total_outbufs_len for channel in list(self.active_channels.values()))


def raise_descriptor_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 65536)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


def connection_limit(config) -> int:
    """The configured connection limit, or one sized to the file-descriptor limit (half, after a reserve)."""
    descriptors = raise_descriptor_limit()
    configured = config.get("HTTP_CONNECTION_LIMIT")
    if configured:
        return int(configured)
    return max(100, (descriptors - 256) // 2)


def trust_proxies(app, config):
    """Wrap the app in werkzeug's ProxyFix when ``TRUSTED_PROXIES`` (a number of proxies) is set."""
    hops = int(config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    return app


def make_server(app, host: str, port: int, threads: int) -> GuardedServer:
    """Build (and bind) the server for ``app`` from its config (``HTTP_*`` settings)."""
    config = app.config
    body_limit = int(config["MAX_CONTENT_LENGTH"]) + 64 * 1024  # a multipart envelope around a full file
    adjustments = Adjustments(
        host=host,
        port=port,
        threads=threads,
        ident="PTCE Graph",
        connection_limit=connection_limit(config),
        channel_timeout=int(config["HTTP_IDLE_TIMEOUT"]),
        cleanup_interval=max(1, int(config["HTTP_CLEANUP_INTERVAL"])),
        outbuf_high_watermark=int(config["HTTP_OUTPUT_BUFFER"]),
        outbuf_overflow=int(config["HTTP_OUTPUT_BUFFER"]),
        channel_request_lookahead=0,
        asyncore_use_poll=True,  # select() cannot watch more than 1,024 descriptors
        max_request_body_size=body_limit,
        inbuf_overflow=body_limit,
        clear_untrusted_proxy_headers=False,  # ProxyFix decides (TRUSTED_PROXIES)
        backlog=1024,
    )
    server = GuardedServer(trust_proxies(app, config), map={}, adj=adjustments)
    server.request_deadline = float(config["HTTP_REQUEST_DEADLINE"])
    server.send_timeout = float(config["HTTP_SEND_TIMEOUT"])
    return server


def run_until_stopped(server: GuardedServer, grace: float, on_stop: Callable[[], None]) -> None:
    """Serve until SIGTERM or SIGINT; then stop accepting, give requests ``grace`` s, call ``on_stop()``."""
    stopping: list[float] = []

    def stop(signum, frame):
        if not stopping:
            stopping.append(time.monotonic())
            log.warning("ptce serve: stopping (signal %s)", signum)
            server.del_channel()  # no more accept(); the listening socket is closed below
            server.socket.close()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        interval = min(1.0, server.adj.cleanup_interval)
        while not stopping:
            loop(timeout=interval, map=server._map, use_poll=True, count=1)
        while server.busy() and time.monotonic() - stopping[0] < grace:
            loop(timeout=0.05, map=server._map, use_poll=True, count=1)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        on_stop()
        if stopping:
            log.info("ptce serve: stopped in %.1f s", time.monotonic() - stopping[0])


def stop_children() -> None:
    """Stop the SPARQL workers and their fork server, and kill running validations (the server stops)."""
    from server.sparql.pool import close_all
    from server.validator.isolation import kill_all

    kill_all()
    close_all()
