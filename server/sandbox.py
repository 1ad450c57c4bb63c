"""A process-wide audit hook (PEP 578) that refuses network access and file opens outside allowed folders.

Usage (idempotent; later calls only add folders)::

    from server.sandbox import install_sandbox
    install_sandbox([data_dir, other_dir])          # in a server process or a forked worker

Once installed, for the rest of the process:

- ``urllib.Request`` (rdflib, pyshacl, SPARQLWrapper) and ``socket.connect`` to an IP address raise
  ``PermissionError``; listening and accepting connections is unaffected;
- ``open()`` of a path outside the allowed folders raises ``PermissionError``. Always allowed: the Python
  installation and its site-packages, this project's folder, ``/dev/null``, ``/proc/self`` and a few
  read-only system files the standard library needs (MIME types, time zones, TLS roots).

An audit hook cannot be removed, so do not install it in a process that must make outbound requests
(the test process does not: the SPARQL workers install it in their own forked process).
Note: native code that opens sockets itself (Oxigraph's SERVICE client) is not seen by audit hooks;
the SPARQL guard rejects SERVICE and LOAD before a query reaches Oxigraph.
"""

from __future__ import annotations

import os
import socket
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

_PROJECT_DIR = str(Path(__file__).resolve().parent.parent)
_SYSTEM_PATHS = (
    "/dev/null",
    "/dev/urandom",
    "/proc/self/",
    "/etc/mime.types",
    "/etc/localtime",
    "/etc/ssl/",
    "/usr/share/zoneinfo/",
    "/usr/lib/python3",
    "/usr/lib/ssl/",
)
_allowed: list[str] = []
_installed = False


def _python_dirs() -> list[str]:
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    paths.update(value for value in sysconfig.get_paths().values() if value)
    return [str(Path(path).resolve()) for path in paths]


def _as_prefix(folder: str) -> str:
    resolved = os.path.realpath(folder)
    return resolved if resolved.endswith("/") else resolved + "/"


def is_allowed_path(path: str) -> bool:
    """Tell whether the sandbox lets the process open this path."""
    resolved = os.path.realpath(path)
    if resolved.startswith(_SYSTEM_PATHS) or resolved in {p.rstrip("/") for p in _allowed}:
        return True
    return any(resolved.startswith(prefix) for prefix in _allowed)


def _hook(event: str, args: tuple) -> None:
    if event == "urllib.Request":
        raise PermissionError(f"network access is disabled in this process: {args[0]}")
    if event == "socket.connect":
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            raise PermissionError(f"network access is disabled in this process: {address}")
    elif event == "open":
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if isinstance(path, str) and not is_allowed_path(path):
            raise PermissionError(f"file access outside the allowed folders is disabled: {path}")


def install_sandbox(allowed_dirs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Install the audit hook once per process, allowing files under ``allowed_dirs`` (added)."""
    global _installed
    for folder in [*_python_dirs(), _PROJECT_DIR, *map(os.fspath, allowed_dirs)]:
        prefix = _as_prefix(folder)
        if prefix not in _allowed:
            _allowed.append(prefix)
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def sandbox_installed() -> bool:
    """Tell whether :func:`install_sandbox` ran in this process."""
    return _installed
