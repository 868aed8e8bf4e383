"""Self-contained HTML reports: ``OUT/<clip>/report.html`` and ``OUT/index.html``.

A report page is one file a researcher can open offline, e-mail and cite: images are inline JPEG
data URIs, the timeline is inline SVG, the CSS is inline, and there is no script, font or URL that
would make the browser touch the network. Every text goes through Jinja2's autoescaping
(templates are files in ``vidtools/report/templates``).

The clip page shows: provenance (input path and sha256, model path, sha256 and format, every
parameter, versions, device, start / end time), the notes of the report, a timeline of the
counts per category over time with the shot boundaries and strike markers, the summary table,
the unique-count ranges, the shots with a keyframe each, every strike with its last sampled
frames before the loss (boxes drawn, the target highlighted) and the first lost frame, the
tracks table (first rows) and, when given, the comparison with the claims of a text.

Three steps, one module each: :mod:`vidtools.report.view` builds the page's values from the typed
report (pure), :mod:`vidtools.report.images` grabs and draws the pictures, and this module renders
the templates and writes the files.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from markupsafe import Markup

from vidtools._version import __version__
from vidtools.annotate import share_mode
from vidtools.claims.format import claim_source, claimed_text
from vidtools.claims.model import Claim, ClaimCheck
from vidtools.errors import ReportError
from vidtools.io import atomic_write_text
from vidtools.provenance import utc_now
from vidtools.report import images, view
from vidtools.types import ClipReport
from vidtools.wording import plural

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
REPORT_NAME = "report.html"
INDEX_NAME = "index.html"

IMAGE_WIDTH = 560
"""Width (px) of the clip page's pictures."""
JPEG_QUALITY = 78
INDEX_THUMB_WIDTH = 240
"""Width (px) of the index page's thumbnails."""
INDEX_THUMB_QUALITY = 72


# --------------------------------------------------------------------------------------------
# Jinja2
# --------------------------------------------------------------------------------------------


def _bytecode_cache() -> Any:
    """Jinja2's cache of compiled templates in the user's temporary folder (compiling the clip
    page's templates took 120 ms of every run), best effort: a cache file that cannot be read or
    written only costs the compilation; None where that folder cannot be made safely."""
    import jinja2

    class BestEffortCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a damaged cache file: compile instead
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:  # a full or read-only temporary folder
                pass

    try:
        return BestEffortCache()
    except (OSError, RuntimeError):
        return None


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    env.filters["secs"] = _secs
    env.filters["pct"] = _pct
    env.filters["val"] = _val
    env.filters["cell"] = _cell
    return env


def _cell(v: Any, column: str) -> str:
    """A table cell: times with three decimals, other values as :func:`_num`."""
    if column.endswith("_t_s") or column.endswith("duration_s"):
        return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{float(v):.3f}"
    return _num(v)


def _num(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f"{int(f):,}" if f.is_integer() and abs(f) < 1e15 else f"{f:,.{digits}f}"
    return str(v)


def _secs(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{float(v):.3f} s"


def _pct(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{100 * float(v):.0f} %"


def _val(v: Any) -> str:
    """A parameter / provenance value as short text."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(_val(x) for x in v) if v else "(none)"
    if isinstance(v, Mapping):
        return "; ".join(f"{k}: {_val(x)}" for k, x in v.items()) if v else "(none)"
    return str(v)


# --------------------------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------------------------


def timeline_svg(report: ClipReport, *, width: int = 960, height: int = 300) -> Markup:
    """The counts per category over time as an inline SVG (see :func:`vidtools.report.view.timeline`).

    One step line per category (``class="series"``), a dashed vertical line
    (``class="shot-boundary"``) at the start of every shot after the first, a red marker
    (``class="strike-marker"``) at every strike's loss time and a shaded band
    (``class="terminal-window"``) over its terminal window. Element ``<title>``s give exact values.

    Returns:
        The ``<svg>`` element as markup (every text escaped).
    """
    tl = view.timeline(report, width=width, height=height)
    return Markup(_env().get_template("_timeline.svg.j2").render(tl=tl).strip())


# --------------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------------


def _claimed_text(claim: Claim) -> str:
    """The claimed figure, worded as in the Markdown table (one formatter for both)."""
    return claimed_text(claim)


def claims_rows(checks: Sequence[ClaimCheck] | Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], int]:
    """Rows of the claims table.

    Args:
        checks: ``list[ClaimCheck]`` from :func:`vidtools.compare`, or the JSON of a comparison
            (:func:`vidtools.claims.checks_to_json`, e.g. a saved ``comparison.json``).

    Returns:
        (rows with ``id``, ``text``, ``who``, ``claimed``, ``observed``, ``verdict``, ``reason``;
        number of background figures left out).

    Raises:
        ReportError: ``checks`` is neither.
    """
    if checks is None:
        return [], 0
    if isinstance(checks, Mapping):
        from vidtools.claims import checks_from_json
        from vidtools.errors import ClaimsError

        try:
            checks = checks_from_json(checks)
        except ClaimsError as e:
            raise ReportError(f"claim checks: {e}") from None
    if not isinstance(checks, Sequence) or not all(isinstance(c, ClaimCheck) for c in checks):
        raise ReportError("claim checks: expected a list of ClaimCheck (vidtools.compare) or the JSON of checks_to_json()")
    rows, n_background = [], 0
    for i, ch in enumerate(checks, 1):
        if ch.verdict == "background" or ch.claim.background:
            n_background += 1
            continue
        rows.append({
            "id": ch.claim.id or i,
            "text": ch.claim.text or _claimed_text(ch.claim),
            "who": claim_source(ch.claim),
            "claimed": _claimed_text(ch.claim),
            "observed": ch.observed.summary if ch.observed is not None else "",
            "verdict": ch.verdict,
            "reason": ch.reason,
        })  # fmt: skip
    return rows, n_background


def _verdict_class(v: str) -> str:
    if v == "consistent":
        return "ok"
    if v.startswith("footage shows"):
        return "warn"
    return "na"


# --------------------------------------------------------------------------------------------
# Clip page
# --------------------------------------------------------------------------------------------


def render_clip_html(
    report: ClipReport,
    *,
    video_path: str | os.PathLike[str] | None = None,
    blur_people: bool = False,
    checks: Any = None,
    verify_video: bool = True,
    files: Sequence[str] = (),
) -> str:
    """The clip page as HTML text (see :func:`write_clip_html`)."""
    pictures, note = images.render_pictures(report, view.clip_pictures(report), video_path=video_path,
                                            verify=verify_video, blur_people=blur_people, width=IMAGE_WIDTH,
                                            quality=JPEG_QUALITY)
    page = view.clip_page(report, pictures, image_note=note, blur_people=blur_people, files=files,
                          generated_at=utc_now())
    claim_rows, n_ctx = claims_rows(checks)
    return _env().get_template("clip.html.j2").render(
        page=page,
        claim_rows=claim_rows,
        claims_given=checks is not None,
        n_context=n_ctx,
        verdict_class=_verdict_class,
    )


_SIBLINGS = ("report.json", "frames.csv", "detections.csv", "tracks.csv", "annotated.mp4", "contact_sheet.jpg",
             "claims_check.md", "claims_check.json")


def write_clip_html(
    report: ClipReport,
    clip_dir: str | os.PathLike[str],
    *,
    video_path: str | os.PathLike[str] | None = None,
    blur_people: bool = False,
    checks: Any = None,
    verify_video: bool = True,
) -> Path:
    """Write ``clip_dir/report.html``, one self-contained page (atomically).

    Args:
        report: The analysed clip.
        clip_dir: The clip's report folder (or the temporary folder of ``write_extra``).
        video_path: The clip to take images from (default: the input path in the report's
            provenance). When it is missing, unreadable or not the analysed file (sha256
            differs), the page is written without images and says why.
        blur_people: Blur every person box in every image (for sharing).
        checks: Claim comparison to include: ``list[ClaimCheck]`` from :func:`vidtools.compare`,
            the dict of ``checks_to_json``, or a list of plain dicts (see :func:`claims_rows`).
        verify_video: Check the video's sha256 against the report before taking images from it.

    Returns:
        Path of ``report.html``.

    Raises:
        ReportError: ``checks`` has an unknown shape.
    """
    d = Path(clip_dir)
    files = [f for f in _SIBLINGS if (d / f).is_file()]
    html = render_clip_html(report, video_path=video_path, blur_people=blur_people, checks=checks,
                            verify_video=verify_video, files=files)
    return share_mode(atomic_write_text(d / REPORT_NAME, html))


# --------------------------------------------------------------------------------------------
# Index page
# --------------------------------------------------------------------------------------------


def _thumbnail(report: ClipReport, clip: Any, blur_people: bool) -> str | None:
    pick = view.thumbnail_pick(report)
    if pick is None:
        return None
    request = view.PictureRequest("thumb", *pick)
    got, _ = images.render_pictures(report, [request], video_path=clip, verify=False, blur_people=blur_people,
                                    width=INDEX_THUMB_WIDTH, quality=INDEX_THUMB_QUALITY, labels=False)
    return got.get("thumb")


@dataclass(frozen=True)
class IndexEntry:
    """One row of the multi-clip index.

    Attributes:
        name: The clip's folder name under the output folder.
        clip: The video's path (for the thumbnail; "" to use the path in the report).
        error: One line saying why the clip has no report, or None.
        report: The clip's report, or None: then it is read from ``out_dir/name`` when that folder
            holds one and there is no error.
    """

    name: str
    clip: str | os.PathLike[str] = ""
    error: str | None = None
    report: ClipReport | None = None


def render_index_html(out_dir: str | os.PathLike[str], entries: Sequence[IndexEntry], *, blur_people: bool = False) -> str:
    """The multi-clip index page as HTML text (see :func:`write_index_html`)."""
    from vidtools.report.writer import load_report

    out = Path(out_dir)
    rows = []
    for e in entries:
        name = e.name or Path(str(e.clip or "clip")).stem
        report, error = e.report, e.error
        if report is None and not error and (out / name / "report.json").is_file():
            try:
                report = load_report(out / name)
            except ReportError as err:
                error = str(err)
        # the folder name percent-encoded from its bytes: '#', '?', '%' and any byte stay part of the path
        href = next((f"{quote(os.fsencode(name))}/{f}" for f in (REPORT_NAME, "report.json") if (out / name / f).is_file()),
                    None)
        thumb = _thumbnail(report, e.clip or None, blur_people) if report is not None else None
        rows.append(view.index_row(name, str(e.clip or ""), error, href, report, thumb))
    n_failed = sum(1 for r in rows if r.error)
    return _env().get_template("index.html.j2").render(
        title=f"vidtools: {plural(len(rows), 'clip')}",
        rows=rows,
        n_failed=n_failed,
        n_partial=sum(1 for r in rows if r.partial),
        models=view.model_hashes(rows),
        blur_people=blur_people,
        generated_at=utc_now(),
        version=__version__,
    )


def write_index_html(
    out_dir: str | os.PathLike[str],
    entries: Sequence[IndexEntry],
    *,
    blur_people: bool = False,
) -> Path:
    """Write ``out_dir/index.html``: one row per clip, linking each clip's report (atomically).

    Args:
        out_dir: The run's output folder (holding one folder per clip).
        entries: One :class:`IndexEntry` per clip, in the order to show.
        blur_people: Blur persons in the thumbnails.

    Returns:
        Path of ``index.html``.
    """
    html = render_index_html(out_dir, entries, blur_people=blur_people)
    return share_mode(atomic_write_text(Path(out_dir) / INDEX_NAME, html))
