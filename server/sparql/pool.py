"""A pool of pre-forked SPARQL evaluation workers, spawned by a single-threaded fork server.

Why processes: Oxigraph evaluates in Rust and cannot be interrupted from Python, and a thread deadline
does not stop a query that holds the GIL. Why a pool: forking per query
costs 10-50 ms, growing with the size of the loaded store.

How: when the pool is created, the server forks one *fork server* that holds the loaded store
(copy-on-write) and never starts a thread. Each worker is forked from it, so no worker is ever forked
from the threaded web server. A worker limits its own memory (``RLIMIT_AS``) and CPU time, installs the
sandbox, then answers requests one at a time over a Unix socket it shares with the web server. The web
server waits for an answer at most until the query's deadline; past it, or when the answer grows too
large, it kills that worker and a replacement is forked in the background. Workers are recycled after
``MAX_QUERIES`` queries or a ``MemoryError``. The fork server and its workers exit when the web server does
(end of file on their sockets); they form one process group, killed whole by :meth:`WorkerPool.close`.

Supervision: a fork server that died (killed, out of memory) is replaced at the next query that needs a
worker, and a worker found dead before it got its query is replaced and the query given to another one, so
queries recover without a restart. The replacement is forked from the web server, which by then runs threads
(the only process that still holds the store): the rare path, taken under the spawn lock. Neither process
keeps the web server's sockets.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import faulthandler
import gc
import os
import resource
import signal
import socket
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from server import metrics
from server.descriptors import drop_inherited_sockets
from server.sparql.framing import WorkerLost, recv_frame, send_frame

MAX_QUERIES = 1000
try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _LIBC.malloc_trim  # noqa: B018 - glibc only
except (OSError, AttributeError):
    _LIBC = None
_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    served: int = 0

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.sock.close()


Handler = Callable[[dict], tuple[dict, bytes]]


def _close_other_pools(keep: WorkerPool | None = None) -> None:
    """In a freshly forked child: drop the sockets of every pool (so they see end of file correctly)."""
    for pool in list(_pools):
        if pool is not keep:
            pool._forget()


class WorkerPool:
    """Pre-forked workers running ``handler(request) -> (header, body)`` in their own process."""

    def __init__(self, handler: Handler, setup: Callable[[], None], size: int = 2):
        self.size = size
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._spawn_lock = threading.Lock()
        self._closed = False
        self._handler, self._setup = handler, setup
        self.restarts = 0
        self._start_fork_server()
        _pools.add(self)
        for _ in range(size):
            self._idle.append(self._spawn())

    def _start_fork_server(self) -> None:
        parent_end, server_end = socket.socketpair()
        gc.collect()
        gc.freeze()  # objects loaded so far stay in shared pages (no copy-on-write from the collector)
        pid = os.fork()
        if pid == 0:
            parent_end.close()
            _close_other_pools()
            _fork_server(server_end, self._handler, self._setup)
        gc.unfreeze()
        server_end.close()
        try:
            os.setpgid(pid, pid)
        except (ProcessLookupError, PermissionError):
            pass
        self._control, self._server_pid = parent_end, pid
        self._finalizer = weakref.finalize(self, _shutdown, self._control, self._server_pid, self._idle)

    def _restart_fork_server(self) -> None:
        """Replace a dead fork server (called with the spawn lock held)."""
        self._finalizer.detach()
        self._control.close()
        try:
            os.killpg(self._server_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.waitpid(self._server_pid, os.WNOHANG)
        except ChildProcessError:
            pass
        self.restarts += 1
        self._start_fork_server()
        metrics.fork_server_restarted()

    def _ask_fork_server(self) -> _Worker:
        self._control.sendall(b"F")
        message, fds, _, _ = socket.recv_fds(self._control, 32, 1)
        if not fds:
            raise ConnectionError("the SPARQL fork server is gone")
        return _Worker(int(message), socket.socket(fileno=fds[0]))

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            if self._closed:
                raise RuntimeError("the SPARQL worker pool is closed")
            try:
                return self._ask_fork_server()
            except OSError:
                self._restart_fork_server()
                return self._ask_fork_server()

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._spawn()

    def _refill(self) -> None:
        try:
            worker = self._spawn()
        except (OSError, RuntimeError):
            return
        with self._lock:
            if self._closed or len(self._idle) >= self.size:
                worker.kill()
            else:
                self._idle.append(worker)

    def _take_and_send(self, request: dict) -> _Worker:
        """An idle worker that accepted the request (one found dead is replaced and the next one tried)."""
        for attempt in range(self.size + 2):
            worker = self._take()
            try:
                send_frame(worker.sock, request)
                return worker
            except OSError:
                worker.kill()
                if attempt == self.size + 1:
                    raise WorkerLost("died") from None
        raise WorkerLost("died")

    def run(self, request: dict, timeout: float, max_bytes: int) -> tuple[dict, bytes]:
        """Send one request to an idle worker; return its answer, or raise :class:`WorkerLost`."""
        try:
            worker = self._take_and_send(request)
        except RuntimeError:
            raise WorkerLost("died") from None
        keep = False
        try:
            answer = recv_frame(worker.sock, time.monotonic() + timeout, max_bytes)
            if answer is None:
                raise WorkerLost("died")
            worker.served += 1
            keep = not answer[0].pop("retire", False) and worker.served < MAX_QUERIES
            if not keep:
                metrics.worker_retired()
            return answer
        except OSError:
            raise WorkerLost("died") from None
        finally:
            if keep:
                with self._lock:
                    self._idle.append(worker)
            else:
                worker.kill()
                threading.Thread(target=self._refill, daemon=True).start()

    def fork_server_alive(self) -> bool:
        """Whether the fork server still runs (readiness checks; a dead one is replaced at the next spawn)."""
        try:
            return os.waitpid(self._server_pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def revive(self) -> None:
        """Replace the fork server now if it died (rather than at the next spawn)."""
        with self._spawn_lock:
            if not self._closed and not self.fork_server_alive():
                self._restart_fork_server()

    def pids(self) -> tuple[int, list[int]]:
        """The fork server's pid and the idle workers' pids (for tests and monitoring)."""
        with self._lock:
            return self._server_pid, [worker.pid for worker in self._idle]

    def close(self) -> None:
        """Stop every worker (idle or busy) and the fork server: their whole process group."""
        with self._lock:
            self._closed = True
        self._finalizer.detach()
        _shutdown(self._control, self._server_pid, self._idle)

    def _forget(self) -> None:
        if hasattr(self, "_control"):
            self._control.close()
        for worker in self._idle:
            worker.sock.close()


def _shutdown(control: socket.socket, server_pid: int, idle: list[_Worker]) -> None:
    for worker in idle:
        worker.kill()
    idle.clear()
    control.close()
    try:
        os.killpg(server_pid, signal.SIGKILL)  # the fork server leads the group of its workers
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(server_pid, 0)
    except ChildProcessError:
        pass


def close_all() -> None:
    """Stop every pool of this process (the server is stopping)."""
    for pool in list(_pools):
        pool.close()


def _fork_server(control: socket.socket, handler: Handler, setup: Callable[[], None]) -> None:
    """Body of the fork server: fork one worker per byte received; exit at end of file."""
    code = 0
    try:
        os.setpgid(0, 0)
        drop_inherited_sockets(keep=[control.fileno()])
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
        while control.recv(1):
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                control.close()
                ours.close()
                _worker(theirs, handler, setup)
            theirs.close()
            socket.send_fds(control, [str(pid).encode()], [ours.fileno()])
            ours.close()
    except BaseException:  # noqa: BLE001 - never return into the web server's code
        code = 1
    finally:
        os._exit(code)


def release_memory() -> None:
    """Give freed heap pages back to the system (glibc ``malloc_trim``), where available."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _worker(sock: socket.socket, handler: Handler, setup: Callable[[], None]) -> None:
    """Body of a worker: set up (limits, sandbox), then answer requests until end of file."""
    code = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        faulthandler.disable()  # a query stopped by its limits is not a crash to report
        gc.freeze()
        setup()
        while (message := recv_frame(sock)) is not None:
            used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
            cpu = int(used + float(message[0].get("timeout", 60))) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
            header, body = handler(message[0])
            send_frame(sock, header, body)
            if header.get("retire"):
                break
            del header, body
            release_memory()  # after answering: big joins would otherwise keep their peak resident
    except BaseException:  # noqa: BLE001 - a worker must never return into the server's code
        code = 1
    finally:
        os._exit(code)
