"""Start Debian's Virtuoso open source (virtuoso-t) on 127.0.0.1 with its own config and database folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def installed() -> bool:
    """Tell whether virtuoso-t is on this machine."""
    return Path(VIRTUOSO).is_file()


def free_port() -> int:
    """Ask the kernel for a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Virtuoso:
    """A virtuoso-t process in the foreground, owned by the test session."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.http_port = free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(INI.format(folder=folder, sql_port=free_port(), http_port=self.http_port))
        self.log = (folder / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=self.log, stderr=self.log
        )
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.settings = {
            "SPARQL_BACKEND_URL": f"{self.base}/sparql",
            "SPARQL_BACKEND_GRAPH_STORE_URL": f"{self.base}/sparql-graph-crud-auth",
            "SPARQL_BACKEND_UPDATE_URL": f"{self.base}/sparql-auth",
            "SPARQL_BACKEND_USER": "dba",
            "SPARQL_BACKEND_PASSWORD": "dba",
            "SPARQL_BACKEND_AUTH": "digest",
        }

    def wait(self, seconds: float = 60.0) -> None:
        """Wait until /sparql answers, or fail with the server's log."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.base}/sparql", params={"query": "ASK {}"}, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        log = (self.folder / "virtuoso.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"virtuoso-t did not start: {log}")

    def stop(self) -> None:
        """Stop the server (it checkpoints on SIGTERM) and close its log."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
