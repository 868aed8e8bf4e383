"""The HTML pages' view model: a typed report -> the values the templates show (pure, no I/O).

:func:`clip_pictures` says which frames the clip page shows (keyframes, the last sampled frames
before each strike, the first lost frame) and how each is drawn; :mod:`vidtools.report.images`
grabs and draws them; :func:`clip_page` then builds the page (:class:`ClipPage`) from the report
and the drawn pictures, and :func:`timeline` the counts-over-time chart. The index page gets one
:class:`IndexRow` per clip (:func:`index_row`). :mod:`vidtools.report.html` renders them with the
Jinja2 templates.

Counts are worded as what is *visible* to the model; nothing here says "killed" or "destroyed".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidtools.annotate import category_color, spread
from vidtools.types import ClipReport, CountRange, CountStats, Shot, Strike, Target, Track
from vidtools.wording import plural

MAX_TRACK_ROWS = 200
"""Rows of the tracks table in the page (the full table is ``tracks.csv``)."""
MAX_KEYFRAMES = 60
"""Shots that get a keyframe image (spread over the clip when there are more shots)."""
MAX_STRIKE_IMAGES = 100
"""Strikes that get images (the first ones; all strikes are listed)."""
FRAMES_BEFORE_STRIKE = 4
"""Sampled frames shown before each strike."""


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PictureRequest:
    """A frame to show, and how to draw it.

    Attributes:
        key: Identifies the picture in the page.
        frame_index: Source frame index.
        t: Its time (s): what the frame is grabbed by.
        boxes: Draw the boxes of this frame (False: the bare picture).
        highlight: A box (source px) to draw as the strike target.
        highlight_track: A track whose box is drawn as the target.
        caption: Text lines drawn on the picture.
        blur_frame: For a bare picture: blur (when blurring) the persons of this sampled frame's
            boxes (a frozen or broken-up picture still shows the last scene).
    """

    key: str
    frame_index: int
    t: float
    boxes: bool = True
    highlight: tuple[float, float, float, float] | None = None
    highlight_track: int | None = None
    caption: tuple[str, ...] = ()
    blur_frame: int | None = None


def _keyframe_key(shot: int) -> str:
    return f"shot-{shot}"


def _strike_key(strike: int, frame_index: int) -> str:
    return f"strike-{strike}-{frame_index}"


def _loss_key(strike: int) -> str:
    return f"loss-{strike}"


def shot_keyframes(report: ClipReport) -> dict[int, tuple[int, float]]:
    """Shot index -> ``(frame_index, t)`` of its middle sampled frame."""
    f = report.frame_counts.frames
    order = np.argsort(f.frame_index, kind="stable")
    out: dict[int, tuple[int, float]] = {}
    for shot in np.unique(f.shot).tolist():
        rows = order[f.shot[order] == shot]
        r = rows[len(rows) // 2]
        out[int(shot)] = (int(f.frame_index[r]), float(f.t[r]))
    return out


def strike_frames(report: ClipReport, strike: Strike, n: int = FRAMES_BEFORE_STRIKE) -> list[tuple[int, float]]:
    """The last ``n`` sampled frames before a strike's loss (of its shot when it has any)."""
    f = report.frame_counts.frames
    before = f.t < strike.t - 1e-9
    same = before & (f.shot == strike.shot)
    use = np.flatnonzero(same if same.any() else before)
    use = use[np.argsort(f.t[use], kind="stable")][-n:] if n > 0 else use[:0]
    return [(int(f.frame_index[i]), float(f.t[i])) for i in use]


def _target_frame_track(strike: Strike, frame_index: int) -> tuple[Target | None, int | None]:
    """(target box to highlight in this frame, or the target's track to highlight instead)."""
    tgt = strike.target
    if tgt is not None and tgt.frame_index == frame_index:
        return tgt, None
    return None, tgt.track_id if tgt is not None else None


def clip_pictures(report: ClipReport) -> list[PictureRequest]:
    """Every picture of the clip page: a keyframe per shot (up to :data:`MAX_KEYFRAMES`, spread),
    and for each of the first :data:`MAX_STRIKE_IMAGES` strikes its last sampled frames and its
    first lost frame."""
    out = []
    keyframes = shot_keyframes(report)
    for s in spread(report.shots, MAX_KEYFRAMES):
        if s.index in keyframes:
            out.append(PictureRequest(_keyframe_key(s.index), *keyframes[s.index]))
    for s in report.strikes[:MAX_STRIKE_IMAGES]:
        frames = strike_frames(report, s)
        for fi, ft in frames:
            tgt, track = _target_frame_track(s, fi)
            out.append(PictureRequest(_strike_key(s.index, fi), fi, ft, highlight=tgt.xyxy if tgt else None,
                                      highlight_track=track))
        out.append(PictureRequest(_loss_key(s.index), s.start_frame, s.t, boxes=False,
                                  caption=(f"feed lost: {s.kind}",), blur_frame=frames[-1][0] if frames else None))
    return out


# --------------------------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------------------------


def css_color(category: str) -> str:
    """The CSS colour of a category (the box colour of the pictures)."""
    b, g, r = category_color(category)
    return f"#{r:02x}{g:02x}{b:02x}"


def plotted_categories(report: ClipReport) -> list[str]:
    """Categories drawn and tabled: those counted per frame; ``other`` only when seen."""
    fc = report.frame_counts
    cats = [c for c in report.summary.categories if c in fc.categories] or list(fc.categories)
    return [c for c in cats if c != "other" or (len(fc) and int(fc.of_category(c).max()) > 0)]


@dataclass(frozen=True)
class Band:
    """A shaded time span (a terminal window); coordinates are SVG px as text."""

    x: str
    width: str
    tip: str


@dataclass(frozen=True)
class Mark:
    """A vertical line at a time (shot start or strike), with its label number; ``left`` and
    ``right`` are the x of a marker head 12 px wide."""

    index: int
    x: str
    tip: str
    left: str = ""
    right: str = ""


@dataclass(frozen=True)
class Tick:
    """An axis tick: position, label and where the label's baseline goes."""

    at: str
    label: str
    text_at: str = ""


@dataclass(frozen=True)
class Series:
    """One category's step line."""

    category: str
    color: str
    points: str
    tip: str


@dataclass(frozen=True)
class LegendItem:
    """One legend entry."""

    x: int
    color: str
    label: str


@dataclass(frozen=True)
class Timeline:
    """The counts-over-time chart, laid out (SVG px).

    Attributes:
        width: SVG width.
        height: SVG height.
        left: Plot area left edge.
        top: Plot area top edge.
        plot_w: Plot area width.
        plot_h: Plot area height.
        bottom: Plot area bottom edge (``top + plot_h``).
        center_x: Horizontal middle of the plot area (axis title).
        center_y: Vertical middle of the plot area (axis title).
        y_ticks: Horizontal grid lines (``at`` = y) with their counts.
        x_ticks: Time ticks (``at`` = x) with their labels.
        windows: Terminal windows.
        boundaries: Shot starts after the first.
        series: One line per plotted category.
        strikes: Strike markers.
        legend: Legend entries.
    """

    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    bottom: int
    center_x: str
    center_y: str
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    windows: tuple[Band, ...]
    boundaries: tuple[Mark, ...]
    series: tuple[Series, ...]
    strikes: tuple[Mark, ...]
    legend: tuple[LegendItem, ...]


def _nice_step(span: float, target: int) -> float:
    raw = max(span, 1e-9) / max(1, target)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def _peaks(ts: np.ndarray, ys: np.ndarray, x0: float, x1: float, pw: int) -> tuple[np.ndarray, np.ndarray]:
    """At most two points per pixel column: the first time of the column with its maximum."""
    if len(ts) <= 2 * pw:
        return ts, ys
    cols = np.clip(((ts - x0) / (x1 - x0) * pw).astype(int), 0, pw - 1)
    keep_t, keep_y = [], []
    for col in np.unique(cols):
        m = cols == col
        keep_t.append(ts[m][0])
        keep_y.append(ys[m].max())
    return np.array(keep_t), np.array(keep_y)


def timeline(report: ClipReport, *, width: int = 960, height: int = 300) -> Timeline:
    """Lay out the counts per category over time: one step line per category (visible objects per
    sampled frame), a dashed line at the start of every shot after the first, a marker at every
    strike's loss time and a band over its terminal window."""
    fc = report.frame_counts
    order = np.argsort(fc.frames.t, kind="stable")
    t = fc.frames.t[order]
    x0, x1 = report.sampling.segment_start_s, report.sampling.segment_end_s
    fps = float(report.video.fps)
    if fps > 0:
        x1 += 1.0 / fps
    for s in report.strikes:
        x1 = max(x1, s.t + 1e-3)
    if x1 <= x0:
        x1 = x0 + 1.0
    cats = plotted_categories(report)
    peak = {c: int(fc.of_category(c).max()) if len(fc) else 0 for c in cats}
    ymax = max([1, *peak.values()])
    ml, mr, mt, mb = 46, 16, 44, 40
    pw, ph = width - ml - mr, height - mt - mb
    ytop = ymax * 1.08 + 0.2  # headroom: a line at the maximum stays off the frame

    def X(v: float) -> float:
        return ml + (v - x0) / (x1 - x0) * pw

    def Y(v: float) -> float:
        return mt + ph - v / ytop * ph

    windows = []
    for s in report.strikes:
        if s.terminal is None:
            continue
        a, b = max(x0, s.terminal.start_t), min(x1, s.terminal.end_t)
        if b > a:
            windows.append(Band(f"{X(a):.1f}", f"{max(1.0, X(b) - X(a)):.1f}",
                                f"terminal window of strike {s.index}: {a:.2f}-{b:.2f} s"))
    ystep = max(1, int(math.ceil(_nice_step(ymax, 5))))
    y_ticks = tuple(Tick(f"{Y(v):.1f}", str(v), f"{Y(v) + 4:.1f}") for v in range(0, ymax + 1, ystep))
    xstep = _nice_step(x1 - x0, 10)
    x_ticks = []
    v = math.ceil(x0 / xstep) * xstep
    while v <= x1 + 1e-9:
        x_ticks.append(Tick(f"{X(v):.1f}", f"{v:.0f}" if xstep >= 1 else f"{v:.1f}" if xstep >= 0.1 else f"{v:.2f}"))
        v += xstep
    boundaries = tuple(Mark(s.index, f"{X(s.start_t):.1f}", f"shot {s.index} starts at {s.start_t:.3f} s")
                       for s in report.shots[1:])
    series = []
    for c in cats if len(fc) else ():
        ts, ys = _peaks(t, fc.of_category(c)[order].astype(np.float64), x0, x1, pw)
        pts = " ".join(f"{X(ts[i]):.1f},{Y(ys[i]):.1f} {X(ts[i + 1]) if i + 1 < len(ts) else X(x1):.1f},{Y(ys[i]):.1f}"
                       for i in range(len(ts)))
        series.append(Series(c, css_color(c), pts, f"{c}: at most {peak[c]} visible in one frame"))
    strikes = []
    for s in report.strikes:
        tip = f"strike {s.index}: {s.kind} at {s.t:.3f} s"
        if s.target is not None:
            tip += f"; target {s.target.class_name} ({s.target.category})"
        x = X(s.t)
        strikes.append(Mark(s.index, f"{x:.1f}", tip, f"{x - 6:.1f}", f"{x + 6:.1f}"))
    legend, lx = [], ml
    for c in cats:
        label = f"{c} (max {peak[c]})"
        legend.append(LegendItem(lx, css_color(c), label))
        lx += 26 + 7 * len(label)
    return Timeline(width, height, ml, mt, pw, ph, mt + ph, f"{ml + pw / 2:.1f}", f"{mt + ph / 2:.1f}", y_ticks, tuple(x_ticks), tuple(windows), boundaries,
                    tuple(series), tuple(strikes), tuple(legend))


# --------------------------------------------------------------------------------------------
# Clip page
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A drawn picture in the page.

    Attributes:
        src: ``data:`` URI, or None when the frame could not be had.
        alt: Alternative text.
        caption: Caption under it.
        css: Extra CSS class (``target``).
    """

    src: str | None
    alt: str
    caption: str
    css: str = ""


@dataclass(frozen=True)
class ShotRow:
    """A row of the shots table, with its keyframe."""

    shot: Shot
    duration_s: float
    n_sampled: int | None
    max: Mapping[str, int | None]
    keyframe: Picture | None


@dataclass(frozen=True)
class StrikeBlock:
    """A strike's section: what was visible before the loss, its target, its pictures."""

    strike: Strike
    terminal_counts: Mapping[str, int]
    terminal_classes: Mapping[str, int]
    persons_sentence: str | None
    pictures: tuple[Picture, ...]
    loss: Picture | None
    images_skipped: bool


@dataclass(frozen=True)
class SummaryRow:
    """A row of the summary table."""

    level: str
    name: str
    stats: CountStats


@dataclass(frozen=True)
class RangeRow:
    """A row of the unique-counts table."""

    level: str
    name: str
    range: CountRange


@dataclass(frozen=True)
class ShotRanges:
    """One shot's count ranges per plotted category (None where not counted)."""

    shot: int
    ranges: Mapping[str, CountRange | None]


@dataclass(frozen=True)
class ClipPage:
    """Everything the clip page shows (see ``templates/clip.html.j2``).

    Attributes:
        title: Page title.
        name: The clip's file name.
        report: The typed report (provenance, video, sampling, ... are shown as they are).
        cats: Categories tabled and plotted.
        timeline: The counts-over-time chart.
        summary_rows: Per category, and per class seen.
        range_rows: Unique counts per category, and per class seen.
        shot_ranges: Unique counts per shot (empty for a one-shot clip).
        shots: The shots table.
        n_keyframes_skipped: Shots without a keyframe picture.
        strikes: One section per strike.
        tracks: The first :data:`MAX_TRACK_ROWS` tracks.
        n_tracks: All tracks.
        max_tracks: :data:`MAX_TRACK_ROWS`.
        model_names: The model's class names, in id order.
        undetectable: Categories the model cannot detect.
        image_note: Why images are missing, or None.
        blur_people: Persons are blurred in the pictures.
        files: Files beside the page in the report folder.
        generated_at: When the page was written.
    """

    title: str
    name: str
    report: ClipReport
    cats: tuple[str, ...]
    timeline: Timeline
    summary_rows: tuple[SummaryRow, ...]
    range_rows: tuple[RangeRow, ...]
    shot_ranges: tuple[ShotRanges, ...]
    shots: tuple[ShotRow, ...]
    n_keyframes_skipped: int
    strikes: tuple[StrikeBlock, ...]
    tracks: tuple[Track, ...]
    n_tracks: int
    max_tracks: int
    model_names: tuple[str, ...]
    undetectable: tuple[str, ...]
    image_note: str | None
    blur_people: bool
    files: tuple[str, ...]
    generated_at: str


def clip_name(report: ClipReport) -> str:
    """The clip's file name (from the input path)."""
    return Path(report.provenance.input.path or report.video.path or "clip").name


def _counts_text(report: ClipReport, frame_index: int, cats: Sequence[str]) -> str:
    fc = report.frame_counts
    rows = np.flatnonzero(fc.frames.frame_index == frame_index)
    if not len(rows):
        return ""
    return ", ".join(f"{c} {int(fc.of_category(c)[rows[0]])}" for c in cats if c in fc.categories)


def _shot_rows(report: ClipReport, pictures: Mapping[str, str], cats: Sequence[str]) -> tuple[ShotRow, ...]:
    keyframes = shot_keyframes(report)
    with_images = {s.index for s in spread(report.shots, MAX_KEYFRAMES)}
    rows = []
    for s in report.shots:
        kf = keyframes.get(s.index)
        picture = None
        if kf is not None:
            picture = Picture(pictures.get(_keyframe_key(s.index)) if s.index in with_images else None,
                              f"shot {s.index} keyframe",
                              f"shot {s.index} · {kf[1]:.3f} s · frame {kf[0]} · visible: {_counts_text(report, kf[0], cats)}")
        counts = s.counts.categories if s.counts is not None else {}
        rows.append(ShotRow(s, s.end_t - s.start_t, s.counts.n_frames if s.counts is not None else None,
                            {c: counts[c].max if c in counts else None for c in cats}, picture))
    return tuple(rows)


def _strike_block(report: ClipReport, s: Strike, pictures: Mapping[str, str], cats: Sequence[str],
                  with_images: bool) -> StrikeBlock:
    shown = []
    for fi, ft in strike_frames(report, s) if with_images else []:
        tgt, _ = _target_frame_track(s, fi)
        caption = f"{s.t - ft:.2f} s before the loss · {ft:.3f} s · frame {fi} · visible: {_counts_text(report, fi, cats)}"
        shown.append(Picture(pictures.get(_strike_key(s.index, fi)), f"strike {s.index} frame {fi}",
                             caption + (" · TARGET frame" if tgt else ""), "target" if tgt else ""))
    loss = None
    if with_images and _loss_key(s.index) in pictures:
        loss = Picture(pictures[_loss_key(s.index)], f"strike {s.index} first lost frame",
                       f"first lost frame · {s.t:.3f} s · frame {s.start_frame}")
    term = s.terminal
    counts = {k: v.max for k, v in term.counts.items()} if term is not None else {}
    classes = {k: v.max for k, v in term.classes.items() if v.max} if term is not None else {}
    persons = counts.get("personnel")
    sentence = None if persons is None else \
        f"{plural(int(persons), 'person')} visible in the terminal seconds of strike {s.index}"
    return StrikeBlock(s, counts, classes, sentence, tuple(shown), loss, not with_images)


def clip_page(
    report: ClipReport,
    pictures: Mapping[str, str],
    *,
    image_note: str | None = None,
    blur_people: bool = False,
    files: Sequence[str] = (),
    generated_at: str = "",
) -> ClipPage:
    """The clip page's values.

    Args:
        report: The analysed clip.
        pictures: ``data:`` URIs of the pictures of :func:`clip_pictures`, by key (missing ones
            are shown as "no image").
        image_note: Why images are missing (shown at the top), or None.
        blur_people: Persons are blurred in the pictures (said in the header).
        files: Files beside the page.
        generated_at: When the page was written.
    """
    cats = plotted_categories(report)
    summary = report.summary
    summary_rows = [SummaryRow("category", k, v) for k, v in summary.categories.items()]
    summary_rows += [SummaryRow("class", k, v) for k, v in summary.classes.items() if v.max > 0]
    uc = report.unique_counts
    range_rows = [RangeRow("category", k, v) for k, v in uc.clip.items()]
    range_rows += [RangeRow("class", k, v) for k, v in uc.classes.items() if (v.high or v.low or 0) > 0]
    shot_ranges = ()
    if len(uc.per_shot) > 1:
        shot_ranges = tuple(ShotRanges(p.shot, {c: p.categories.get(c) for c in cats})
                            for p in uc.per_shot[:MAX_KEYFRAMES * 5])
    shots = _shot_rows(report, pictures, cats)
    strikes = tuple(_strike_block(report, s, pictures, cats, k < MAX_STRIKE_IMAGES)
                    for k, s in enumerate(report.strikes))
    names = report.provenance.model.names
    name = clip_name(report)
    return ClipPage(
        title=f"vidtools report: {name}",
        name=name,
        report=report,
        cats=tuple(cats),
        timeline=timeline(report),
        summary_rows=tuple(summary_rows),
        range_rows=tuple(range_rows),
        shot_ranges=shot_ranges,
        shots=shots,
        n_keyframes_skipped=len(report.shots) - len(spread(report.shots, MAX_KEYFRAMES)),
        strikes=strikes,
        tracks=tuple(report.track_list[:MAX_TRACK_ROWS]),
        n_tracks=len(report.track_list),
        max_tracks=MAX_TRACK_ROWS,
        model_names=tuple(names[k] for k in sorted(names)),
        undetectable=tuple(c for c, v in report.taxonomy.detectable.items() if not v),
        image_note=image_note,
        blur_people=blur_people,
        files=tuple(files),
        generated_at=generated_at,
    )


# --------------------------------------------------------------------------------------------
# Index page
# --------------------------------------------------------------------------------------------


def thumbnail_pick(report: ClipReport) -> tuple[int, float] | None:
    """The sampled frame with the most objects visible (earliest on ties; the middle one when
    nothing is visible)."""
    fc = report.frame_counts
    if not len(fc):
        return None
    cats = [c for c in plotted_categories(report) if c != "other"] or plotted_categories(report)
    total = sum((fc.of_category(c) for c in cats), np.zeros(len(fc), np.int64))
    i = int(np.argmax(total)) if total.max() > 0 else len(fc) // 2
    return int(fc.frames.frame_index[i]), float(fc.frames.t[i])


@dataclass(frozen=True)
class IndexCount:
    """One category of an index row: most in one frame and the distinct range."""

    category: str
    max: int
    range: CountRange | None


@dataclass(frozen=True)
class IndexRow:
    """One clip of the index page.

    Attributes:
        name: The clip's report folder name.
        clip: The clip's path as given.
        error: Why it failed, or None.
        href: Link to its page (``report.html``, else ``report.json``), or None.
        report: Its report (None when it failed or could not be read).
        counts: Per category (``other`` only when seen).
        thumb: Thumbnail ``data:`` URI, or None.
    """

    name: str
    clip: str
    error: str | None
    href: str | None
    report: ClipReport | None
    counts: tuple[IndexCount, ...]
    thumb: str | None


def index_row(name: str, clip: str, error: str | None, href: str | None, report: ClipReport | None,
              thumb: str | None) -> IndexRow:
    """The index row of one clip."""
    counts: tuple[IndexCount, ...] = ()
    if report is not None:
        summ, uc = report.summary.categories, report.unique_counts.clip
        counts = tuple(IndexCount(c, s.max, uc.get(c)) for c, s in summ.items() if c != "other" or s.max > 0)
    return IndexRow(name, clip, error, href, report, counts, thumb)


def model_hashes(rows: Sequence[IndexRow]) -> dict[str, str]:
    """Model path -> sha256 over the index's reports."""
    out: dict[str, str] = {}
    for r in rows:
        if r.report is not None and r.report.provenance.model.path:
            out[r.report.provenance.model.path] = r.report.provenance.model.sha256 or ""
    return out

