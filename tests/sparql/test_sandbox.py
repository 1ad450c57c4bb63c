"""server.sandbox in a fresh process: no outbound connections, no file opens outside the allowed folders."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_sandbox_blocks_network_and_foreign_files(tmp_path):
    allowed = tmp_path / "data"
    allowed.mkdir()
    (allowed / "ok.ttl").write_text("ok")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    script = textwrap.dedent(
        f"""
        import socket, urllib.request
        from server.sandbox import install_sandbox, sandbox_installed
        install_sandbox([{str(allowed)!r}])
        install_sandbox([{str(allowed)!r}])  # idempotent
        assert sandbox_installed()
        assert open({str(allowed / "ok.ttl")!r}).read() == "ok"
        for attempt in (lambda: open({str(outside)!r}), lambda: open("/etc/passwd"),
                        lambda: urllib.request.urlopen("http://127.0.0.1:9/"),
                        lambda: socket.create_connection(("127.0.0.1", 9))):
            try:
                attempt()
            except PermissionError:
                continue
            raise SystemExit("not blocked")
        import rdflib.plugins.sparql  # imports still work
        print("sandboxed")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "sandboxed", result.stderr
