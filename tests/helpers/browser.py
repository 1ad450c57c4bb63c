"""Headless Chromium driven over the DevTools protocol: viewport sizes, recorded requests, axe-core, keys."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

from tests.helpers.servers import CHROMIUM, CHROMIUM_FLAGS

AXE = Path(__file__).parent.parent.parent / "server" / "static" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.1 levels A and AA: the rules RGAA 4 refers to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = (390, 844, True)
DESKTOP = (1280, 900, False)


class Browser:
    """One headless Chromium with one tab; use as a context manager."""

    def __init__(self) -> None:
        self.profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile.name}", "--remote-debugging-port=0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        for _ in range(200):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as answer:
            target = json.load(answer)
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events: list[dict] = []
        self.requests: list[str] = []
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable")

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.profile.cleanup()

    def _event(self, message: dict) -> None:
        if message.get("method") == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        self.events.append(message)

    def send(self, method: str, **params) -> dict:
        """Send a DevTools command and return its result (recording the events that arrive meanwhile)."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, message["error"]
                return message.get("result", {})
            self._event(message)

    def wait_for(self, method: str, timeout: float = 15) -> dict:
        """Wait for an event (one already recorded since the last wait counts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[: index + 1]
                    return event
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            self._event(json.loads(self.socket.recv()))
        raise TimeoutError(method)

    def settle(self, quiet: float = 0.6) -> None:
        """Let scripts and their fetches finish (no new request for ``quiet`` seconds)."""
        count, since = len(self.requests), time.monotonic()
        while time.monotonic() - since < quiet:
            self.socket.settimeout(0.1)
            try:
                self._event(json.loads(self.socket.recv()))
            except websocket.WebSocketTimeoutException:
                pass
            if len(self.requests) != count:
                count, since = len(self.requests), time.monotonic()
        self.socket.settimeout(30)

    def open(self, url: str, size: tuple[int, int, bool] = DESKTOP) -> None:
        """Load a page at a viewport size (width, height, mobile) and wait until it settles."""
        width, height, mobile = size
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.settle()

    def eval(self, expression: str):
        """Evaluate JavaScript in the page (promises awaited) and return its JSON value."""
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the first element matching a CSS selector and wait for the next page."""
        self.events.clear()
        assert self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.click(); return !!e; }})()"
        )
        self.wait_for("Page.loadEventFired")
        self.settle()

    def key(self, key: str, text: str = "") -> None:
        """Press a key on the focused element (``text`` for keys that type, e.g. "\\r" for Enter)."""
        code = {"Enter": 13, "Tab": 9}.get(key, 0)
        common = {"key": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    def axe(self) -> list[dict]:
        """Run axe-core (served from this repository's node_modules, injected here) for WCAG 2.1 A and AA."""
        self.eval(AXE.read_text(encoding="utf-8") + "\n;true")
        options = json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}})
        return self.eval(
            f"axe.run(document, {options}).then(r => r.violations.map(v => "
            "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)})))"
        )

    def screenshot(self, path: Path) -> None:
        """Save a PNG of the whole page."""
        import base64

        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
