"""Hostile strings never run in the HTML reports, checked in a real headless Chromium.

A real clip (cut short, so the page also shows its partial status) is given a file name that is
HTML, analysed with a detector whose class names are script, attribute and SVG payloads, mapped
by a taxonomy YAML whose file name and class names are payloads too (a payload category is
refused at load), and compared with a claims text full of payloads. Its report.html and an index.html (with a failed clip whose error line is
a payload) are opened in Chromium: every payload would call ``console.error("pwned-…")``, so a
page passes when no console message, exception or dialog appeared, it holds no script element and
no event-handler attribute, and each payload is on the page as visible text (escaped, not
dropped). A control page that puts one payload in unescaped proves the check sees it run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pytest
import yaml

import vidtools
from tests.fakes import FakeDetector
from tests.integration.test_reports_browser import Chromium
from vidtools.claims import claims_to_json
from vidtools.errors import TaxonomyError
from vidtools.ffmpeg import ffmpeg_exe
from vidtools.report.html import IndexEntry, write_clip_html, write_index_html
from vidtools.taxonomy import load_taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.videos]

FILE_PAYLOAD = "<img src=x onerror=console.error('pwned-file')>\"q'"
CLASS_PAYLOADS = {
    0: '<script>console.error("pwned-class-script")</script>',
    1: '" onmouseover="console.error(\'pwned-class-attr\')" x="',
    2: "</title><svg onload=console.error('pwned-class-svg')>",
}
# taxonomy YAML: its category names are checked against the known ones (a payload is refused), so
# the file's own name is the payload (shown as the taxonomy's source)
TAXONOMY_PAYLOAD = "<img src=x onerror=console.error('pwned-taxonomy')>"
CATEGORY_PAYLOAD = "<svg/onload=console.error('pwned-category')>"
CLAIMS_TEXT = ("The brigade said two cars were hit <script>console.error('pwned-claims')</script> and five soldiers "
               "were seen <img src=x onerror=console.error('pwned-claims-img')> near the bridge.")
CLAIM_PAYLOAD = "two cars were hit <script>console.error('pwned-claim-text')</script>"
CLAIMANT_PAYLOAD = "<iframe srcdoc=\"<script>parent.console.error('pwned-claimant')</script>\"></iframe>brigade"
ERROR_PAYLOAD = "broken.mp4: <script>console.error('pwned-error')</script>"


@pytest.fixture(scope="module")
def browser(browser_exe: str, tmp_path_factory: pytest.TempPathFactory):
    b = Chromium(browser_exe, tmp_path_factory.mktemp("chromium-hostile"))
    try:
        yield b
    finally:
        b.close()


_PROBE_JS = """
(() => ({
  scripts: document.scripts.length,
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  text: document.body.innerText,
  svgTitles: [...document.querySelectorAll('svg title')].map(t => t.textContent).join('\\n'),
}))()
"""


def open_page(browser: Chromium, path: Path) -> tuple[list[str], dict[str, Any]]:
    """Load ``path`` with its Content-Security-Policy switched off (so escaping alone must keep
    every payload inert); return what ran or was refused (console messages, exceptions,
    dialogs, log errors) and the DOM facts."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Page.setBypassCSP", {"enabled": True}, session=session)
        browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        browser.wait_event("Page.loadEventFired", session)
        # hover and focus everything, so handlers that need an event would fire too
        browser.send("Runtime.evaluate", {"expression": "document.querySelectorAll('*').forEach(e => {"
                                          "e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); })"},
                     session=session)
        facts = browser.send("Runtime.evaluate", {"expression": _PROBE_JS, "returnByValue": True},
                             session=session)["result"]["value"]
        browser.drain(0.5)
        ran = []
        for e in browser.events(session):
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled":
                ran.append("console: " + " ".join(str(a.get("value", "")) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                ran.append("exception: " + str(p.get("exceptionDetails", {}).get("text")))
            elif m == "Page.javascriptDialogOpening":
                ran.append("dialog: " + str(p.get("message")))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                ran.append("log: " + str(p["entry"].get("text")))
        return ran, facts
    finally:
        browser.send("Target.closeTarget", {"targetId": target})


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory, videos_dir: Path) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    src = d / "src.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(videos_dir / "opencv_vtest.avi"), "-t", "4",
                    "-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart", str(src)], check=True)
    clip = d / f"{FILE_PAYLOAD}.mp4"
    data = src.read_bytes()
    clip.write_bytes(data[: int(len(data) * 0.6)])  # cut short: the page shows a partial status
    refused = d / "refused.yaml"
    refused.write_text(yaml.safe_dump({"categories": {CATEGORY_PAYLOAD: [CLASS_PAYLOADS[2]]}}), encoding="utf-8")
    with pytest.raises(TaxonomyError, match="is not one vidtools counts"):
        load_taxonomy(str(refused))
    taxonomy_file = d / f"{TAXONOMY_PAYLOAD}.yaml"
    taxonomy_file.write_text(yaml.safe_dump({"categories": {"personnel": [CLASS_PAYLOADS[0]], "vehicle": [CLASS_PAYLOADS[1]],
                                                             "aircraft": [CLASS_PAYLOADS[2]]}}), encoding="utf-8")

    def boxes(n: int, img: np.ndarray) -> list[tuple]:
        h, w = img.shape[:2]
        return [(k, 0.9, 0.1 * w + 40 * k, 0.2 * h, 0.1 * w + 40 * k + 30, 0.2 * h + 60) for k in CLASS_PAYLOADS]

    detector = FakeDetector(boxes, names=dict(CLASS_PAYLOADS))
    out = d / "out"
    report = vidtools.analyze(clip, out, detector=detector, quiet=True, every=5, taxonomy=str(taxonomy_file), html=False)
    assert report.status.state == "partial"
    assert load_taxonomy(str(taxonomy_file)).category_of(CLASS_PAYLOADS[2]) == "aircraft"
    # a claims.json as a researcher may edit it by hand: the claim's text and claimant are payloads too
    claims_json = claims_to_json(vidtools.extract_claims(CLAIMS_TEXT), source_path="statement.txt")
    claims_json["claims"][0]["text"] = CLAIM_PAYLOAD
    claims_json["claims"][0]["claimant"] = CLAIMANT_PAYLOAD
    (d / "claims.json").write_text(json.dumps(claims_json), encoding="utf-8")
    claims = vidtools.load_claims(d / "claims.json")
    folder = next(p for p in out.iterdir() if p.is_dir())
    write_clip_html(report, folder, video_path=clip, checks=vidtools.compare([report], claims))
    write_index_html(out, [IndexEntry(folder.name, clip=str(clip), report=report),
                           IndexEntry("broken", clip=f"{FILE_PAYLOAD}2.mp4", error=ERROR_PAYLOAD)])
    return out


def _assert_inert(ran: list[str], facts: dict[str, Any], page: Path) -> None:
    assert ran == [], ran
    assert facts["scripts"] == 0 and facts["handlers"] == 0, facts
    # and, should escaping ever fail, the page's own policy still forbids any script
    assert "Content-Security-Policy\" content=\"default-src 'none'" in page.read_text(encoding="utf-8")


def test_clip_report_runs_no_hostile_string(browser: Chromium, hostile_run: Path) -> None:
    page = next(hostile_run.glob("*/report.html"))
    ran, facts = open_page(browser, page)
    _assert_inert(ran, facts, page)
    text = facts["text"] + "\n" + facts["svgTitles"]
    for payload in (FILE_PAYLOAD, *CLASS_PAYLOADS.values(), TAXONOMY_PAYLOAD):
        assert payload in text, f"{payload!r} is not shown as text"
    for payload in (CLAIM_PAYLOAD, CLAIMANT_PAYLOAD):
        assert payload in text, f"the claim field {payload!r} is not shown as text"
    assert "Partial clip:" in facts["text"] and "cut short" in facts["text"]


def test_index_runs_no_hostile_string(browser: Chromium, hostile_run: Path) -> None:
    ran, facts = open_page(browser, hostile_run / "index.html")
    _assert_inert(ran, facts, hostile_run / "index.html")
    for payload in (FILE_PAYLOAD, ERROR_PAYLOAD):
        assert payload in facts["text"], f"{payload!r} is not shown as text"
    assert "partial" in facts["text"]
    html = (hostile_run / "index.html").read_text(encoding="utf-8")
    folder = next(p for p in hostile_run.iterdir() if p.is_dir())
    href = quote(os.fsencode(folder.name)) + "/report.html"
    assert f'href="{href}"' in html, "the link is the folder name percent-encoded (a name may hold '#', '?', '%')"


def test_control_page_with_an_unescaped_payload_is_caught(browser: Chromium, hostile_run: Path, tmp_path: Path) -> None:
    page = tmp_path / "control.html"
    html = next(hostile_run.glob("*/report.html")).read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", CLASS_PAYLOADS[2].replace("</title>", "") + "</body>"), encoding="utf-8")
    ran, facts = open_page(browser, page)
    assert any("pwned-class-svg" in r for r in ran), ran
    assert facts["handlers"] >= 1
    shutil.rmtree(tmp_path, ignore_errors=True)
