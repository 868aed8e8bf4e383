"""Self-contained HTML reports: ``OUT/<clip>/report.html`` and ``OUT/index.html``.

A report page is one file a researcher can open offline, e-mail and cite: images are inline JPEG
data URIs, the timeline is inline SVG generated here, the CSS is inline, and there is no script,
font or URL that would make the browser touch the network. Every text goes through Jinja2's
autoescaping (templates are files in ``vidtools/report/templates``).

The clip page shows: provenance (input path and sha256, model path, sha256 and format, every
parameter, versions, device, start / end time), the notes of the report, a timeline of the
counts per category over time with the shot boundaries and strike markers, the summary table,
the unique-count ranges, the shots with a keyframe each, every strike with its last sampled
frames before the loss (boxes drawn, the target highlighted) and the first lost frame, the
tracks table (first rows) and, when given, the comparison with the claims of a text.

Counts are worded as what is *visible* to the model; nothing here says "killed" or "destroyed".
"""

from __future__ import annotations

import base64
import datetime as _dt
import logging
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from vidtools.annotate import (
    Boxes,
    blur_regions,
    boxes_by_frame,
    category_color,
    encode_jpeg,
    render_frame,
    resolve_video,
    share_mode,
    spread,
    strike_marks,
)
from vidtools.claims.format import claim_source, claimed_text
from vidtools.claims.model import Claim, ClaimCheck
from vidtools.errors import ReportError, VidtoolsError
from vidtools.io import atomic_write_text
from vidtools.types import ClipReport

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
REPORT_NAME = "report.html"
INDEX_NAME = "index.html"

MAX_TRACK_ROWS = 200
"""Rows of the tracks table in the page (the full table is ``tracks.csv``)."""
MAX_KEYFRAMES = 60
"""Shots that get a keyframe image (spread over the clip when there are more shots)."""
MAX_STRIKE_IMAGES = 100
"""Strikes that get images (the first ones; all strikes are listed)."""
FRAMES_BEFORE_STRIKE = 4
"""Sampled frames shown before each strike."""
IMAGE_WIDTH = 560
THUMB_WIDTH = 240
JPEG_QUALITY = 78

_SVG_COLORS = {}  # category -> css colour, filled lazily from the BGR box colours


def _css_color(category: str) -> str:
    if category not in _SVG_COLORS:
        b, g, r = category_color(category)
        _SVG_COLORS[category] = f"#{r:02x}{g:02x}{b:02x}"
    return _SVG_COLORS[category]


# --------------------------------------------------------------------------------------------
# Jinja2
# --------------------------------------------------------------------------------------------


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
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


def _data_uri(image: np.ndarray, quality: int = JPEG_QUALITY) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(encode_jpeg(image, quality)).decode("ascii")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Timeline (inline SVG)
# --------------------------------------------------------------------------------------------


def _nice_step(span: float, target: int) -> float:
    raw = max(span, 1e-9) / max(1, target)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def plotted_categories(report: ClipReport) -> list[str]:
    """Categories drawn in the timeline: those with a count column; ``other`` only when seen."""
    cats = list(report.meta.get("summary", {}).get("categories", {}))
    if not cats:
        cats = [c for c in report.frames.columns if c not in ("frame_index", "t_s", "shot") and not str(c).startswith("class:")]
    out = []
    for c in cats:
        if c not in report.frames:
            continue
        if c == "other" and not (len(report.frames) and report.frames[c].max() > 0):
            continue
        out.append(c)
    return out


def timeline_svg(report: ClipReport, *, width: int = 960, height: int = 300) -> Markup:
    """The counts per category over time as an inline SVG.

    One step line per category (visible objects per sampled frame), a dashed vertical line
    (``class="shot-boundary"``) at the start of every shot after the first, a red marker
    (``class="strike-marker"``) at every strike's loss time and a shaded band
    (``class="terminal-window"``) over its terminal window. Element ``<title>``s give exact values.

    Args:
        report: The analysed clip.
        width: SVG width in px.
        height: SVG height in px.

    Returns:
        The ``<svg>`` element as markup (every text escaped).
    """
    frames = report.frames.sort_values("t_s") if len(report.frames) else report.frames
    sampling = report.meta.get("sampling", {})
    t = frames["t_s"].to_numpy(np.float64) if len(frames) else np.zeros(0)
    x0 = float(sampling.get("segment_start_s", t.min() if len(t) else 0.0))
    x1 = float(sampling.get("segment_end_s", t.max() if len(t) else 1.0))
    fps = float(report.meta.get("video", {}).get("fps_float") or 0.0)
    if fps > 0:
        x1 += 1.0 / fps
    for s in report.strikes:
        x1 = max(x1, float(s.get("t_s", 0.0)) + 1e-3)
    if x1 <= x0:
        x1 = x0 + 1.0
    cats = plotted_categories(report)
    ymax = max([1] + [int(frames[c].max()) for c in cats if len(frames)])
    ml, mr, mt, mb = 46, 16, 44, 40
    pw, ph = width - ml - mr, height - mt - mb
    ytop = ymax * 1.08 + 0.2  # headroom: a line at the maximum stays off the frame

    def X(v: float) -> float:
        return ml + (v - x0) / (x1 - x0) * pw

    def Y(v: float) -> float:
        return mt + ph - v / ytop * ph

    parts: list[str] = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Objects visible per sampled frame over time">',
        f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fbfbfb" stroke="#bbb"/>',
    ]
    # terminal windows (under everything else)
    for s in report.strikes:
        term = s.get("terminal") or {}
        if "start_t_s" in term:
            a = max(x0, float(term["start_t_s"]))
            b = min(x1, float(term.get("end_t_s", s.get("t_s", a))))
            if b > a:
                tip = escape(f"terminal window of strike {s.get('index')}: {a:.2f}-{b:.2f} s")
                parts.append(
                    f'<rect class="terminal-window" x="{X(a):.1f}" y="{mt}" width="{max(1.0, X(b) - X(a)):.1f}" '
                    f'height="{ph}" fill="#e0343422"><title>{tip}</title></rect>'
                )
    # grid + axes
    ystep = max(1, int(math.ceil(_nice_step(ymax, 5))))
    for v in range(0, ymax + 1, ystep):
        y = Y(v)
        parts.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#444">{v}</text>')
    xstep = _nice_step(x1 - x0, 10)
    v = math.ceil(x0 / xstep) * xstep
    while v <= x1 + 1e-9:
        x = X(v)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{mt + ph}" y2="{mt + ph + 4}" stroke="#666"/>')
        label = f"{v:.0f}" if xstep >= 1 else f"{v:.1f}" if xstep >= 0.1 else f"{v:.2f}"
        parts.append(f'<text x="{x:.1f}" y="{mt + ph + 16}" text-anchor="middle" font-size="11" fill="#444">{label}</text>')
        v += xstep
    parts.append(f'<text x="{ml + pw / 2:.1f}" y="{height - 6}" text-anchor="middle" font-size="12" fill="#222">time (s)</text>')
    parts.append(
        f'<text x="12" y="{mt + ph / 2:.1f}" transform="rotate(-90 12 {mt + ph / 2:.1f})" text-anchor="middle" '
        f'font-size="12" fill="#222">visible per sampled frame</text>'
    )
    # shot boundaries
    for s in report.shots[1:]:
        x = X(float(s["start_t_s"]))
        tip = escape(f"shot {s['index']} starts at {float(s['start_t_s']):.3f} s")
        parts.append(
            f'<line class="shot-boundary" data-shot="{int(s["index"])}" x1="{x:.1f}" x2="{x:.1f}" y1="{mt}" y2="{mt + ph}" '
            f'stroke="#555" stroke-dasharray="4 3"><title>{tip}</title></line>'
        )
    # series
    max_pts = 2 * pw
    for c in cats:
        if not len(frames):
            break
        ys = frames[c].to_numpy(np.float64)
        ts = t
        if len(ts) > max_pts:  # keep peaks: max per pixel column
            cols = np.clip(((ts - x0) / (x1 - x0) * pw).astype(int), 0, pw - 1)
            keep_t, keep_y = [], []
            for col in np.unique(cols):
                m = cols == col
                keep_t.append(ts[m][0])
                keep_y.append(ys[m].max())
            ts, ys = np.array(keep_t), np.array(keep_y)
        pts = []
        for i in range(len(ts)):
            xa = X(ts[i])
            xb = X(ts[i + 1]) if i + 1 < len(ts) else X(x1)
            pts.append(f"{xa:.1f},{Y(ys[i]):.1f} {xb:.1f},{Y(ys[i]):.1f}")
        parts.append(
            f'<polyline class="series" data-category="{escape(c)}" fill="none" stroke="{_css_color(c)}" stroke-width="1.8" '
            f'points="{" ".join(pts)}"><title>{escape(f"{c}: at most {int(frames[c].max())} visible in one frame")}</title></polyline>'
        )
    # strike markers
    for s in report.strikes:
        x = X(float(s.get("t_s", 0.0)))
        tgt = s.get("target")
        tip = f"strike {s.get('index')}: {s.get('kind')} at {float(s.get('t_s', 0)):.3f} s"
        if tgt:
            tip += f"; target {tgt.get('class')} ({tgt.get('category')})"
        parts.append(
            f'<g class="strike-marker" data-strike="{escape(s.get("index"))}"><title>{escape(tip)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{mt}" y2="{mt + ph}" stroke="#d00" stroke-width="2"/>'
            f'<path d="M{x - 6:.1f},{mt - 12} L{x + 6:.1f},{mt - 12} L{x:.1f},{mt - 2} Z" fill="#d00"/>'
            f'<text x="{x:.1f}" y="{mt - 15}" text-anchor="middle" font-size="10" fill="#d00">S{escape(s.get("index"))}</text></g>'
        )
    # legend
    lx = ml
    for c in cats:
        label = f"{c} (max {int(frames[c].max()) if len(frames) else 0})"
        parts.append(f'<rect x="{lx}" y="8" width="14" height="4" fill="{_css_color(c)}"/>')
        parts.append(f'<text x="{lx + 18}" y="14" font-size="11" fill="#222">{escape(label)}</text>')
        lx += 26 + 7 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def _check_video(report: ClipReport, video_path: str | os.PathLike[str] | None, verify: bool) -> tuple[str | None, str | None]:
    """(path to grab from, or None) and a sentence for the page when images are unavailable."""
    try:
        path = resolve_video(report, video_path)
    except VidtoolsError as e:
        return None, f"Images are not included: {e}."
    p = Path(path)
    if not p.is_file():
        return None, f"Images are not included: the video {path} is not available on the machine that wrote this page."
    expected = report.meta.get("provenance", {}).get("input", {}).get("sha256")
    if verify and expected:
        from vidtools.probe import sha256_file

        try:
            actual = sha256_file(p)
        except OSError as e:
            return None, f"Images are not included: the video {path} cannot be read ({e.__class__.__name__})."
        if actual != expected:
            return None, (
                f"Images are not included: the file at {path} is not the analysed video "
                f"(sha256 {actual[:16]}… differs from {expected[:16]}…)."
            )
    return str(p), None


def _shot_keyframes(report: ClipReport) -> dict[int, tuple[int, float]]:
    """Shot index -> (frame_index, t_s) of its middle sampled frame."""
    f = report.frames
    if f is None or not len(f):
        return {}
    out = {}
    for shot, g in f.sort_values("frame_index").groupby("shot", sort=True):
        row = g.iloc[len(g) // 2]
        out[int(shot)] = (int(row["frame_index"]), float(row["t_s"]))
    return out


def _strike_frames(report: ClipReport, strike: Mapping[str, Any], n: int = FRAMES_BEFORE_STRIKE) -> list[tuple[int, float]]:
    """The last ``n`` sampled frames before a strike's loss (same shot when it has any)."""
    f = report.frames
    if f is None or not len(f):
        return []
    t = float(strike.get("t_s", 0.0))
    before = f[f["t_s"] < t - 1e-9]
    same = before[before["shot"] == strike.get("shot")] if "shot" in before else before
    use = same if len(same) else before
    use = use.sort_values("t_s").tail(n)
    return [(int(a), float(b)) for a, b in zip(use["frame_index"], use["t_s"])]


def _counts_text(report: ClipReport, frame_index: int, cats: Sequence[str]) -> str:
    f = report.frames
    row = f[f["frame_index"] == frame_index]
    if not len(row):
        return ""
    r = row.iloc[0]
    return ", ".join(f"{c} {int(r[c])}" for c in cats if c in r.index)


def _terminal_counts(term: Mapping[str, Any]) -> dict[str, Any]:
    counts = term.get("counts") or {}
    out: dict[str, Any] = {}
    for k, v in counts.items():
        out[k] = v.get("max") if isinstance(v, Mapping) else v
    return out


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


def _df_records(df: pd.DataFrame, cols: Sequence[str]) -> list[dict[str, Any]]:
    cols = [c for c in cols if c in df.columns]
    return [dict(zip(cols, r)) for r in df[cols].itertuples(index=False, name=None)]


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
    meta = report.meta
    video = meta.get("video", {})
    prov = meta.get("provenance", {})
    cats = plotted_categories(report)
    name = Path(str(prov.get("input", {}).get("path") or video.get("path") or "clip")).name

    path, image_note = _check_video(report, video_path, verify_video)
    boxes = boxes_by_frame(report.detections)
    marks = {m.index: m for m in strike_marks(report, boxes)}

    # which frames to grab
    keyframes = _shot_keyframes(report)
    shots = report.shots
    shots_with_images = {int(s["index"]) for s in spread(shots, MAX_KEYFRAMES)}
    strikes = report.strikes
    strike_req: dict[int, list[tuple[int, float]]] = {}
    loss_req: dict[int, tuple[int, float]] = {}
    for s in strikes[:MAX_STRIKE_IMAGES]:
        k = int(s.get("index", 0))
        strike_req[k] = _strike_frames(report, s)
        if s.get("start_frame") is not None:
            loss_req[k] = (int(s["start_frame"]), float(s.get("t_s", 0.0)))
    images: dict[int, np.ndarray] = {}
    if path is not None:
        wanted = [keyframes[i] for i in shots_with_images if i in keyframes]
        wanted += [ft for v in strike_req.values() for ft in v] + list(loss_req.values())
        try:
            from vidtools.media import grab_frames

            images = grab_frames(path, wanted)
        except VidtoolsError as e:
            image_note = f"Images are not included: {e}."
            images = {}
        if wanted and not images and image_note is None:
            image_note = "Images are not included: none of the frames could be decoded from the video."

    def img(index: int, t: float, *, highlight: Any = None, track: int | None = None, caption: Sequence[str] = ()) -> str | None:
        if index not in images:
            return None
        return _data_uri(render_frame(images[index], boxes.get(index, Boxes.empty()), width=IMAGE_WIDTH,
                                      blur_people=blur_people, highlight=highlight, highlight_track=track, caption=caption))

    shot_rows = []
    for s in shots:
        k = int(s["index"])
        kf = keyframes.get(k)
        counts = s.get("counts", {})
        shot_rows.append({
            "index": k,
            "start_t_s": s.get("start_t_s"),
            "end_t_s": s.get("end_t_s"),
            "duration_s": (float(s["end_t_s"]) - float(s["start_t_s"])) if s.get("end_t_s") is not None else None,
            "start_frame": s.get("start_frame"),
            "end_frame": s.get("end_frame"),
            "end_reason": s.get("end_reason"),
            "n_sampled": s.get("n_sampled_frames"),
            "max": {c: (counts.get(c) or {}).get("max") for c in cats},
            "keyframe": None if kf is None else {"frame_index": kf[0], "t_s": kf[1],
                                                 "counts": _counts_text(report, kf[0], cats),
                                                 "src": img(*kf) if k in shots_with_images else None},
        })

    strike_rows = []
    for s in strikes:
        k = int(s.get("index", 0))
        term = s.get("terminal") or {}
        tgt = s.get("target")
        m = marks.get(k)
        frames_out = []
        for fi, ft in strike_req.get(k, []):
            is_target = bool(tgt) and int(tgt.get("frame_index", -1)) == fi
            frames_out.append({
                "frame_index": fi, "t_s": ft, "before_s": float(s.get("t_s", 0.0)) - ft,
                "is_target_frame": is_target, "counts": _counts_text(report, fi, cats),
                "src": img(fi, ft, highlight=tgt["xyxy"] if is_target else None,
                           track=None if is_target or m is None else m.target_track),
            })
        loss = None
        if k in loss_req and loss_req[k][0] in images:
            li, lt = loss_req[k]
            picture = images[li]
            if blur_people and strike_req.get(k):
                # a frozen or broken-up picture still shows the last scene: blur its persons too
                last = boxes.get(strike_req[k][-1][0], Boxes.empty())
                picture = blur_regions(picture, last.xyxy[last.people()], margin=0.25)
            loss = {"frame_index": li, "t_s": lt, "src": _data_uri(render_frame(picture, None, width=IMAGE_WIDTH,
                                                                                   caption=[f"feed lost: {s.get('kind')}"]))}
        tc = _terminal_counts(term)
        tclasses = {k: v for k, v in _terminal_counts({"counts": term.get("classes") or {}}).items() if v}
        persons = tc.get("personnel")
        strike_rows.append({
            "index": k, "shot": s.get("shot"), "kind": s.get("kind"), "t_s": s.get("t_s"),
            "duration_s": s.get("duration_s"), "start_frame": s.get("start_frame"),
            "terminal": term, "terminal_counts": tc, "terminal_classes": tclasses, "target_note": s.get("target_note"),
            "persons_sentence": None if persons is None else
            f"{int(persons)} person{'s' if int(persons) != 1 else ''} visible in the terminal seconds of strike {k}",
            "target": tgt, "target_track": None if m is None else m.target_track,
            "frames": frames_out, "loss": loss, "images_skipped": k not in strike_req,
        })

    summary = report.summary
    summary_rows = [r for r in _df_records(summary, ["level", "name", "max", "max_frame_index", "max_t_s", "mean", "share_frames"])
                    if r["level"] == "category" or (r.get("max") or 0) > 0]
    uc = meta.get("unique_counts") or {}
    uc_rows = [{"level": "category", "name": k, **v} for k, v in (uc.get("clip") or {}).items()]
    uc_rows += [{"level": "class", "name": k, **v} for k, v in (uc.get("classes") or {}).items() if (v.get("high") or v.get("low") or 0) > 0]
    per_shot = []
    if len(uc.get("per_shot") or []) > 1:
        for ps in uc["per_shot"][:MAX_KEYFRAMES * 5]:
            per_shot.append({"shot": ps.get("shot"), "cats": {c: (ps.get("categories") or {}).get(c) for c in cats}})
    track_cols = ["track_id", "shot", "class", "category", "first_t_s", "last_t_s", "duration_s", "n_detections", "mean_conf", "confirmed"]
    tracks = report.tracks if report.tracks is not None else pd.DataFrame()
    track_rows = _df_records(tracks.head(MAX_TRACK_ROWS), track_cols) if len(tracks) else []
    claim_rows, n_ctx = claims_rows(checks)
    model = dict(prov.get("model") or {})
    model_names = model.pop("names", None)
    taxonomy = meta.get("taxonomy") or {}
    undetectable = [c for c, v in (taxonomy.get("detectable") or {}).items() if not v]

    env = _env()
    return env.get_template("clip.html.j2").render(
        title=f"vidtools report: {name}",
        name=name,
        meta=meta,
        video=video,
        prov=prov,
        model=model,
        model_names=model_names,
        params=prov.get("parameters") or {},
        versions=prov.get("versions") or {},
        sampling=meta.get("sampling") or {},
        taxonomy=taxonomy,
        undetectable=undetectable,
        overlays=meta.get("overlays") or {},
        shot_detection=meta.get("shot_detection") or {},
        notes=list(meta.get("notes") or []),
        cats=cats,
        colors={c: _css_color(c) for c in cats},
        timeline=timeline_svg(report),
        summary_rows=summary_rows,
        uc=uc,
        uc_rows=uc_rows,
        per_shot=per_shot,
        shots=shot_rows,
        n_keyframes_skipped=len(shots) - len(shots_with_images),
        strikes=strike_rows,
        track_rows=track_rows,
        track_cols=[c for c in track_cols if c in tracks.columns],
        n_tracks=len(tracks),
        claim_rows=claim_rows,
        claims_given=checks is not None,
        n_context=n_ctx,
        verdict_class=_verdict_class,
        image_note=image_note,
        blur_people=blur_people,
        files=list(files),
        generated_at=_now(),
        max_tracks=MAX_TRACK_ROWS,
        frames_before=FRAMES_BEFORE_STRIKE,
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


def _thumb_pick(report: ClipReport) -> tuple[int, float] | None:
    """The sampled frame with the most objects visible (earliest on ties)."""
    f = report.frames
    if f is None or not len(f):
        return None
    cats = [c for c in plotted_categories(report) if c != "other"] or plotted_categories(report)
    total = f[cats].sum(axis=1) if cats else pd.Series(np.zeros(len(f)), index=f.index)
    row = f.loc[total.idxmax()] if total.max() > 0 else f.iloc[len(f) // 2]
    return int(row["frame_index"]), float(row["t_s"])


def _thumbnail(report: ClipReport, clip: Any, blur_people: bool) -> str | None:
    pick = _thumb_pick(report)
    if pick is None:
        return None
    path, note = _check_video(report, clip, verify=False)
    if path is None:
        return None
    try:
        from vidtools.media import grab_frames

        got = grab_frames(path, [pick])
    except VidtoolsError:
        return None
    if pick[0] not in got:
        return None
    b = boxes_by_frame(report.detections).get(pick[0], Boxes.empty())
    return _data_uri(render_frame(got[pick[0]], b, width=THUMB_WIDTH, blur_people=blur_people, labels=False), 72)


def render_index_html(out_dir: str | os.PathLike[str], entries: Sequence[Mapping[str, Any]], *, blur_people: bool = False) -> str:
    """The multi-clip index page as HTML text (see :func:`write_index_html`)."""
    out = Path(out_dir)
    rows = []
    models: dict[str, str] = {}
    for e in entries:
        name = str(e.get("name") or Path(str(e.get("clip") or "clip")).stem)
        report: ClipReport | None = e.get("report")
        if report is None and not e.get("error") and (out / name / "report.json").is_file():
            from vidtools.report.writer import load_report

            try:
                report = load_report(out / name)
            except ReportError as err:
                e = {**e, "error": str(err)}
        row: dict[str, Any] = {"name": name, "clip": str(e.get("clip") or ""), "error": e.get("error"), "href": None}
        for f in (REPORT_NAME, "report.json"):
            if (out / name / f).is_file():
                row["href"] = f"{name}/{f}"
                break
        if report is not None:
            meta = report.meta
            video = meta.get("video", {})
            sampling = meta.get("sampling", {})
            uc = (meta.get("unique_counts") or {}).get("clip") or {}
            summ = (meta.get("summary") or {}).get("categories") or {}
            cats = [c for c in summ if c != "other" or (summ[c].get("max") or 0) > 0]
            m = (meta.get("provenance") or {}).get("model") or {}
            if m.get("path"):
                models[str(m.get("path"))] = str(m.get("sha256") or "")
            row.update({
                "thumb": _thumbnail(report, e.get("clip"), blur_people),
                "duration_s": video.get("duration_s"),
                "segment": (sampling.get("segment_start_s"), sampling.get("segment_end_s")),
                "n_sampled": sampling.get("n_frames_sampled"),
                "counts": [{"cat": c, "max": summ[c].get("max"), "low": (uc.get(c) or {}).get("low"),
                            "high": (uc.get(c) or {}).get("high"), "estimate": (uc.get(c) or {}).get("estimate")} for c in cats],
                "n_shots": len(report.shots),
                "strikes": [{"index": s.get("index"), "kind": s.get("kind"), "t_s": s.get("t_s"),
                             "target": (s.get("target") or {}).get("class")} for s in report.strikes],
                "sha256": (meta.get("provenance") or {}).get("input", {}).get("sha256") or video.get("sha256"),
            })
        rows.append(row)
    env = _env()
    return env.get_template("index.html.j2").render(
        title=f"vidtools: {len(rows)} clip{'s' if len(rows) != 1 else ''}",
        rows=rows,
        n_failed=sum(1 for r in rows if r.get("error")),
        models=models,
        blur_people=blur_people,
        generated_at=_now(),
        version=_version(),
    )


def _version() -> str:
    from vidtools import __version__

    return __version__


def write_index_html(
    out_dir: str | os.PathLike[str],
    entries: Sequence[Mapping[str, Any]],
    *,
    blur_people: bool = False,
) -> Path:
    """Write ``out_dir/index.html``: one row per clip, linking each clip's report (atomically).

    Args:
        out_dir: The run's output folder (holding one folder per clip).
        entries: One dict per clip, in the order to show: ``name`` (the clip's folder name),
            ``report`` (:class:`ClipReport`, or None: then it is read from ``out_dir/name`` when
            that folder holds a report and there is no error), ``error`` (one line, or None) and
            ``clip`` (the video's path, for the thumbnail; default: the path in the report).
        blur_people: Blur persons in the thumbnails.

    Returns:
        Path of ``index.html``.
    """
    html = render_index_html(out_dir, entries, blur_people=blur_people)
    return share_mode(atomic_write_text(Path(out_dir) / INDEX_NAME, html))
