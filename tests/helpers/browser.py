"""Headless Chromium driven by Selenium through Debian's matching chromium-driver: viewport sizes, recorded
requests, axe-core, keys, console errors."""

from __future__ import annotations

import base64
import json
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

from tests.helpers.servers import CHROMIUM, CHROMIUM_FLAGS

CHROMEDRIVER = shutil.which("chromedriver")
AXE = Path(__file__).parent.parent.parent / "server" / "static" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.1 levels A and AA: the rules RGAA 4 refers to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = (390, 844, True)
DESKTOP = (1280, 900, False)
_KEY_CODES = {"Enter": 13, "Tab": 9, "Escape": 27, "ArrowDown": 40, "ArrowUp": 38, "Backspace": 8}


def _options() -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return options


class Browser:
    """One headless Chromium with one tab, closed even when it fails to start; use as a context manager."""

    def __init__(self) -> None:
        assert CHROMIUM and CHROMEDRIVER, "Debian's chromium and chromium-driver are installed by .ci/run"
        # an explicit driver path: Selenium Manager never looks for (or downloads) another driver
        self.driver = webdriver.Chrome(options=_options(), service=Service(executable_path=CHROMEDRIVER))
        try:
            self.driver.set_page_load_timeout(60)
            self.driver.set_script_timeout(60)
            self.requests: list[str] = []
            self.console: list[dict] = []
            self.send("Network.enable")
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Quit Chromium and its driver."""
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    def send(self, method: str, **params) -> dict:
        """Send a DevTools command to the tab and return its result."""
        return self.driver.execute_cdp_cmd(method, params)

    def _drain(self) -> None:
        """Record the requests the page made and the console messages since the last call."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
        self.console += self.driver.get_log("browser")

    def settle(self, quiet: float = 0.6) -> None:
        """Let scripts and their fetches finish (no new request for ``quiet`` seconds)."""
        self._drain()
        count, since = len(self.requests), time.monotonic()
        while time.monotonic() - since < quiet:
            time.sleep(0.1)
            self._drain()
            if len(self.requests) != count:
                count, since = len(self.requests), time.monotonic()

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
        self.driver.get(url)
        self.settle()

    @contextmanager
    def navigation(self, timeout: float = 30) -> Iterator[None]:
        """Wait, after the block, until the tab has loaded a new document (a click, a key, a submit)."""
        marker = uuid.uuid4().hex
        self.driver.execute_script(f"window.__ptce_page = '{marker}'")
        yield
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = self.driver.execute_script("return [window.__ptce_page || '', document.readyState]")
                if state[0] != marker and state[1] == "complete":
                    break
            except WebDriverException:  # the document went away between two looks
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("no new page was loaded")
            time.sleep(0.05)
        self.settle()

    def eval(self, expression: str):
        """Evaluate JavaScript in the page (promises awaited) and return its JSON value."""
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the first element matching a CSS selector and wait for the next page."""
        with self.navigation():
            assert self.eval(
                f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.click(); return !!e; }})()"
            )

    def key(self, key: str, text: str = "") -> None:
        """Press a key on the focused element (``text`` for keys that type, e.g. "\\r" for Enter)."""
        code = _KEY_CODES.get(key, 0)
        common = {"key": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    def type(self, text: str) -> None:
        """Type text into the focused element, one key event per character (as a person types)."""
        for character in text:
            self.send("Input.dispatchKeyEvent", type="keyDown", text=character, key=character)
            self.send("Input.dispatchKeyEvent", type="keyUp", key=character)

    def errors(self) -> list[str]:
        """The console errors recorded so far (script errors, failed loads)."""
        self._drain()
        return [entry["message"] for entry in self.console if entry.get("level") == "SEVERE"]

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
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
