"""The HTML reports in a real headless browser (Debian's chromium, installed by ``.ci/run``).

Reports come from a real (short) analysis. Chromium is driven over the DevTools protocol through
``--remote-debugging-pipe`` (JSON messages on file descriptors 3 and 4, so no port, no websocket
library): every console message, JavaScript exception, log entry (CSP violations, failed loads)
and network request of the page is recorded while it loads. A page passes when it has no console
or log errors, requests nothing but ``file:``/``data:`` URLs, every image decodes, the timeline
SVG has a size and drawn lines, and a screenshot is not blank.

A control page with a deliberate console error and an external image proves that the harness
does see both.

When chromium is missing the tests skip locally and FAIL under CI (``CI`` set).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.weights, pytest.mark.videos]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
LOCAL_SCHEMES = ("file:", "data:", "about:")
TIMEOUT_S = 30.0


def find_browser() -> str | None:
    env = os.environ.get("VIDTOOLS_CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in BROWSERS:
        exe = shutil.which(name)
        if exe:
            return exe
    return None


class Chromium:
    """Headless chromium driven over ``--remote-debugging-pipe`` (fd 3: commands in, fd 4: out)."""

    def __init__(self, exe: str, user_data_dir: Path) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def child_fds() -> None:  # runs in the child before exec: put the pipe ends on fds 3 and 4
            a, b = os.dup(cmd_r), os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio",
            "--password-store=basic", "--use-mock-keychain", "--hide-scrollbars", "--remote-debugging-pipe",
            f"--user-data-dir={user_data_dir}", "--window-size=1280,2000", "about:blank",
        ]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(out_w)
        self._q: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._events: list[dict[str, Any]] = []
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._out_r, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._q.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                self._q.put(json.loads(msg))

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = TIMEOUT_S) -> dict[str, Any]:
        self._next_id += 1
        mid = self._next_id
        msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            item = self._q.get(timeout=max(0.01, deadline - time.monotonic()))
            if item is None:
                raise RuntimeError(f"chromium exited while waiting for {method}")
            if item.get("id") == mid:
                if "error" in item:
                    raise RuntimeError(f"{method}: {item['error']}")
                return item.get("result", {})
            self._events.append(item)

    def wait_event(self, method: str, session: str, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        for e in self._events:
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        deadline = time.monotonic() + timeout
        while True:
            item = self._q.get(timeout=max(0.01, deadline - time.monotonic()))
            if item is None:
                raise RuntimeError(f"chromium exited while waiting for {method}")
            self._events.append(item)
            if item.get("method") == method and item.get("sessionId") == session:
                return item

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                item = self._q.get(timeout=0.05)
            except queue.Empty:
                continue
            if item is None:
                return
            self._events.append(item)

    def events(self, session: str) -> list[dict[str, Any]]:
        return [e for e in self._events if e.get("sessionId") == session]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._out_r):
            try:
                os.close(fd)
            except OSError:
                pass


class PageResult:
    """What happened while a page loaded."""

    def __init__(self, events: list[dict[str, Any]], images: list[Any], svg: dict[str, Any], screenshot: np.ndarray,
                 svg_shot: np.ndarray | None) -> None:
        self.events = events
        self.images = images
        self.svg = svg
        self.screenshot = screenshot
        self.svg_shot = svg_shot

    @property
    def console_errors(self) -> list[str]:
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                out.append("exception: " + str(p.get("exceptionDetails", {}).get("text")))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append(f"log.{p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    @property
    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


def _png(b64: str) -> np.ndarray:
    import cv2

    return cv2.imdecode(np.frombuffer(base64.b64decode(b64), np.uint8), cv2.IMREAD_COLOR)


_IMAGES_JS = """
Promise.all([...document.images].map(i => i.decode().then(
    () => [i.naturalWidth, i.naturalHeight, i.complete], e => [0, 0, String(e)])))
"""
_SVG_JS = """
(() => { const s = document.querySelector('svg.timeline');
  if (!s) return {found: false};
  const r = s.getBoundingClientRect();
  return {found: true, x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height,
          series: s.querySelectorAll('polyline.series').length,
          boundaries: s.querySelectorAll('.shot-boundary').length,
          strikes: s.querySelectorAll('.strike-marker').length}; })()
"""


def load_page(browser: Chromium, path: Path) -> PageResult:
    """Open ``path`` in a new tab, record everything until it has loaded, then inspect it."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False}, session=session)
        nav = browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        assert "errorText" not in nav, nav
        browser.wait_event("Page.loadEventFired", session)
        images = browser.send("Runtime.evaluate", {"expression": _IMAGES_JS, "awaitPromise": True, "returnByValue": True},
                              session=session)["result"].get("value", [])
        svg = browser.send("Runtime.evaluate", {"expression": _SVG_JS, "returnByValue": True}, session=session)["result"]["value"]
        shot = _png(browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"])
        svg_shot = None
        if svg.get("found") and svg["width"] > 0:
            clip = {"x": svg["x"], "y": svg["y"], "width": svg["width"], "height": svg["height"], "scale": 1}
            svg_shot = _png(browser.send("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                                    "captureBeyondViewport": True}, session=session)["data"])
        browser.drain(0.3)  # late console / network events
        return PageResult(browser.events(session), images, svg, shot, svg_shot)
    finally:
        browser.send("Target.closeTarget", {"targetId": target})


@pytest.fixture(scope="module")
def browser(browser_exe: str, tmp_path_factory: pytest.TempPathFactory):
    b = Chromium(browser_exe, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, videos_dir: Path, detector: Any) -> Path:
    """A real two-clip run (short segments) plus a failed clip, with report.html pages and index.html."""
    import vidtools
    from vidtools.report.html import IndexEntry, write_clip_html, write_index_html

    out = tmp_path_factory.mktemp("browser-run")
    # shot and strike detection land separately; use them once both modules exist
    shots = all(importlib.util.find_spec(f"vidtools.{m}") is not None for m in ("shots", "strikes"))
    clips = [(videos_dir / "opencv_vtest.avi", {"end": 8, "every": 2}),
             (videos_dir / "intel_car-detection.mp4", {"end": 3, "every": 5})]
    claims = vidtools.extract_claims("The unit said two cars were hit and five soldiers were seen on 3 March.")
    entries = []
    for path, opts in clips:
        report = vidtools.analyze(path, out, detector=detector, quiet=True, shots=shots, **opts)
        write_clip_html(report, out / path.stem, blur_people=path.stem == "opencv_vtest",
                        checks=vidtools.compare([report], claims))
        entries.append(IndexEntry(path.stem, clip=str(path), report=report))
    entries.append(IndexEntry("broken", clip="broken.mp4", error="broken.mp4: not a readable video (corrupt)"))
    write_index_html(out, entries)
    return out


def _check_page(res: PageResult, n_images_min: int) -> None:
    assert res.console_errors == [], res.console_errors
    assert res.external_requests == [], res.external_requests
    assert len(res.images) >= n_images_min
    assert all(w > 0 and h > 0 for w, h, *_ in res.images), res.images
    gray = res.screenshot.mean(axis=2)
    assert gray.std() > 20, "the screenshot is blank"
    assert (gray < 200).mean() > 0.05, "the screenshot is nearly all white"


def test_clip_report_in_browser(browser: Chromium, run_dir: Path) -> None:
    res = load_page(browser, run_dir / "opencv_vtest" / "report.html")
    _check_page(res, n_images_min=1)
    assert res.requests and all(u.startswith(LOCAL_SCHEMES) for u in res.requests)
    svg = res.svg
    assert svg["found"] and svg["width"] > 300 and svg["height"] > 100 and svg["series"] >= 1, svg
    assert res.svg_shot is not None
    # the plot is drawn: coloured (not grey) pixels of the series lines
    px = res.svg_shot.astype(int)
    colourful = (px.max(axis=2) - px.min(axis=2)) > 80
    assert colourful.mean() > 0.002, "no plot lines rendered in the timeline"


def test_index_in_browser(browser: Chromium, run_dir: Path) -> None:
    res = load_page(browser, run_dir / "index.html")
    _check_page(res, n_images_min=2)  # one thumbnail per analysed clip
    html = (run_dir / "index.html").read_text()
    for name in ("opencv_vtest", "intel_car-detection"):
        assert f'href="{name}/report.html"' in html and (run_dir / name / "report.html").is_file()
    assert "broken.mp4: not a readable video" in html


def test_harness_sees_errors_and_requests(browser: Chromium, tmp_path: Path) -> None:
    """Control: a page with a console error and an external image must be caught."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><p>x</p><img src="http://127.0.0.1:9/x.png">'
                    '<script>console.error("boom")</script></body></html>')
    res = load_page(browser, page)
    assert any("boom" in e for e in res.console_errors), res.events
    assert any(u.startswith("http://127.0.0.1:9/") for u in res.external_requests), res.requests
