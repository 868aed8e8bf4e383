"""Shots, feed losses (strikes), letterbox bars and static overlays from cheap per-frame statistics.

Everything here runs in the pipeline's single decode pass on the small BGR thumbnail that the
decoder makes for every frame (:data:`THUMB_WIDTH` pixels wide); the full-size image is touched
only by :meth:`SignalAnalyzer.active_box`, for the sampled frames, to place the letterbox edges to
the pixel. No frame is stored: the analyser keeps a short look-ahead ring of grey thumbnails
(:attr:`ShotParams.flash_max_s` plus a few frames) and a few per-shot accumulators, so memory does
not grow with the clip's length.

Rules (every threshold is a field of :class:`ShotParams`):

Hard cuts
    PySceneDetect's :class:`~scenedetect.detectors.AdaptiveDetector` (HSV content score compared
    with the mean score of ``window_width`` neighbours on each side, so steady camera motion does
    not trigger it; minimum score ``min_content_val``) is fed a quarter-size copy of every
    thumbnail (~40 px wide). Each cut it reports is checked for a *transient* both ways: if, within
    ``flash_max_s`` after it, a frame looks like the frame before the candidate again, or the
    candidate looks like a frame seen within ``flash_max_s`` before it (shift-tolerant similarity,
    :func:`similarity`, >= ``flash_return_corr`` and mean grey difference at most
    ``flash_return_ratio`` of the candidate's), it was an explosion flash or a glitch, not a cut.
    Candidates closer than ``min_shot_s`` to the previous boundary are ignored.

Fades
    PySceneDetect's :class:`~scenedetect.detectors.ThresholdDetector` (mean level below
    ``fade_level``) reports the fade-in after a dark gap. A fade to black, a black gap and a fade
    in is an edit (end reason ``cut``, no strike): the next shot starts at the first frame that is
    no longer black.

Feed losses (each frame gets a label; runs of non-clear frames are "episodes")
    - *black*: mean luma < ``black_luma`` and luma std < ``black_std``.
    - *static* (analog snow): uncorrelated with the previous frame (corr < ``static_corr``),
      noise-like (mean |horizontal step| / luma std > ``static_hf``) and colourless (mean chroma
      < ``static_chroma``).
    - *broken-up* (digital break-up): a large change (mean difference >= ``broken_md``) that
      keeps much of the last picture (corr >= ``broken_min_corr``) and whose difference image has
      blocky, axis-aligned edges (share >= ``broken_axis``).
    - *still*: mean absolute difference to the previous frame <= ``freeze_md``.
    An episode with static / broken-up frames (>= ``min_loss_s``) or black frames
    (>= ``min_black_s``) ends its shot with a strike (kind of its first phase long enough to
    count: ``signal_loss`` for static / broken-up, ``black``) unless (a) within ``max_glitch_s``
    the picture after it resumes the view before it (:func:`similarity` >= ``resume_corr`` with a
    similar level and contrast: a glitch), (b) a black episode was entered through a fade (the last
    frame before it is darker than ``fade_ratio`` of the brightest of the ``fade_window_s`` before
    it: an edit), or (c) it starts the segment. A *freeze* strike needs a still run >=
    ``min_freeze_s`` that ends in a cut or in another loss, after a moving picture (median
    difference >= ``freeze_motion_md`` and median share of moving 4x4 cells >=
    ``freeze_motion_cells`` over ``motion_window_s``) that stopped abruptly
    (``freeze_abrupt_ratio``). Fixed cameras and slideshows have still runs too, but they do not
    end in a loss, and a still run that reaches the end of the analysed segment is not reported.
    The lost frames belong to the shot they end; a strike starts at its first lost frame (the
    first frozen frame when the picture froze before it broke up or went black).

Letterbox / pillarbox
    On clear frames that are bright somewhere (max >= 3 x ``bar_luma``: not a loss, not the first
    frames of a fade-in), thumbnail rows / columns whose maximum grey level is <= ``bar_luma``,
    from each border inwards, are bars. The active picture is the union of the non-bar extents of
    such frames since the start of the shot, so it can only grow within a shot; it restarts at a
    cut (mean difference >= ``reset_md``) and after a loss (during a loss the box of the shot it
    ends is kept; until the next picture is bright enough, the full frame). Bars thinner than
    ``min_bar_frac`` of the side are ignored; an active picture smaller than ``min_active_frac`` is
    not believed. :meth:`SignalAnalyzer.active_box` places each bar edge on the full-size image
    (first row / column, within a thumbnail pixel of the coarse edge, whose maximum exceeds
    ``bar_luma``) and caches the answer until the thumbnail estimate changes. The report gives per
    shot the union of its frames' extents, placed to the pixel where :meth:`active_box` placed the
    same estimate, else at the thumbnail edge (outward, within ``width / THUMB_WIDTH`` px; so always
    for :func:`detect_shots`, which converts no full-size image).

Static overlays (OSD text, crosshair, watermark)
    Per shot, at ``overlay_rate`` frames per second, each thumbnail pixel counts the frames in
    which it lies on a vertical edge and on a horizontal edge (step >= ``overlay_edge``). Pixels on
    an edge in at least ``overlay_persist`` of the frames are grouped; a group is an overlay when it
    holds both vertical-only and horizontal-only edge pixels (text, crosshair arms, logos; not a
    horizon or a line the camera slides along) and is at most ``overlay_max_component`` of the
    picture. Only shots of at least ``overlay_min_s`` whose picture moves are searched: median
    share of moving 4x4 cells >= ``overlay_min_motion`` and median share of edge pixels not on an
    edge in a reference frame (refreshed every ``overlay_ref_s``) >= ``overlay_min_change``. Fixed
    cameras, whose whole background is constant, therefore get no mask. A mask larger than
    ``overlay_max_area`` is rejected. The mask is reported as disjoint boxes in source pixels
    (one box per dense text line or logo, thin boxes along thin strokes, so a target seen behind
    the crosshair is not dropped by :func:`drop_overlay_detections`).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pandas as pd

from vidtools.count import shot_of
from vidtools.errors import UsageError, VideoOpenError
from vidtools.types import Shot, Strike

logger = logging.getLogger(__name__)

THUMB_WIDTH = 160
"""Width in pixels of the thumbnail that :meth:`SignalAnalyzer.update` expects for every frame."""

OK, STILL, BLACK, STATIC, BROKEN = 0, 1, 2, 3, 4
LABELS = ("ok", "still", "black", "static", "broken")
_LOSS_KIND = {BLACK: "black", STATIC: "signal_loss", BROKEN: "signal_loss", STILL: "freeze"}


@dataclass(frozen=True)
class ShotParams:
    """Every threshold of shot, strike, letterbox and overlay detection.

    Grey levels are 0..255 on the thumbnail (BT.601 luma); durations are seconds and are turned into
    frame counts with the clip's frame rate.

    Attributes:
        adaptive_threshold: AdaptiveDetector: ratio of a frame's content score to the mean score of
            its neighbours that makes a cut.
        min_content_val: AdaptiveDetector: minimum content score (HSV mean difference) of a cut.
        window_width: AdaptiveDetector: neighbours on each side in the rolling average (frames).
        fade_level: ThresholdDetector: mean level (0..255) under which a frame is faded out.
        flash_max_s: Longest flash / transient that is not a cut (s).
        flash_return_corr: A later frame "returns" to the pre-candidate picture when its grey-level
            correlation with it is at least this ...
        flash_return_ratio: ... and its mean difference to it is at most this share of the
            candidate frame's mean difference.
        min_shot_s: Cut candidates closer than this to the previous boundary are ignored (s).
        black_luma: Mean luma under which a frame can be black.
        black_std: Luma standard deviation under which a frame can be black.
        flat_std: Frames with a luma std under this are flat (never static / broken / still).
        static_corr: Static: correlation with the previous frame below this.
        static_hf: Static: mean |horizontal gradient| / luma std above this (noise ~ 0.9,
            natural pictures ~ 0.05-0.3).
        static_chroma: Static: mean chroma (|Cr-128| + |Cb-128|) below this (colourless).
        broken_md: Broken-up: mean absolute difference to the previous frame at least this.
        broken_min_corr: Broken-up: correlation with the previous frame at least this (a picture
            breaking up keeps much of the last picture; a cut or noise does not).
        broken_axis: Broken-up: share of the difference image's strong gradients that are
            horizontal or vertical (blocks) at least this (natural motion ~ 0.4-0.55).
        broken_grad: Broken-up: gradient of the difference image counted as strong.
        min_loss_s: Shortest static / broken-up episode that counts as a feed loss (s).
        min_black_s: Shortest abrupt black episode that counts as a feed loss (s).
        fade_window_s: How far back the level before a black episode is compared (s).
        fade_ratio: A black episode is entered through a fade when the last frame before it is
            darker than this share of the brightest frame in ``fade_window_s`` before it.
        resume_corr: After a loss, a clear frame (of the first three) whose shift-tolerant
            similarity (:func:`similarity`) with the last clear frame before the loss is at least
            this, with a similar mean (within 30 levels) and contrast (std within x2), means the
            same flight resumed (a glitch, not a strike). Pictures with a luma std under 8 are
            never called resumed.
        max_glitch_s: Losses longer than this are never glitches (s).
        freeze_md: Mean absolute difference to the previous frame at most this: a still frame.
        min_freeze_s: Shortest still run that can be a frozen feed (s).
        motion_window_s: Window before a still run in which the camera must have moved (s).
        freeze_motion_md: Median mean-difference in that window at least this ...
        freeze_motion_cells: ... and median share of moving 4x4 cells at least this.
        freeze_abrupt_ratio: The last frame before the freeze moved at least this share of the
            window's median (an abrupt stop, not a camera slowing down).
        bar_luma: Max grey level of a letterbox / pillarbox bar row or column.
        min_bar_frac: Bars thinner than this share of the side are ignored.
        min_active_frac: An active picture smaller than this share of a side is not believed.
        reset_md: A frame this different from the previous one restarts the letterbox estimate.
        overlay_rate: Frames per second that feed the overlay statistics.
        overlay_edge: Thumbnail gradient (grey levels) that counts as an edge.
        overlay_persist: Share of a shot's frames in which an overlay pixel is on an edge.
        overlay_ref_s: Period of the reference frame for the scene-change measure (s).
        overlay_min_change: Median share of a frame's edge pixels that were not on an edge in the
            reference frame (the scene moves under the overlays) a shot needs for overlays ...
        overlay_min_motion: ... and median share of moving 4x4 cells (frame difference above 1.5
            grey levels after removing the change of mean level) it needs.
        overlay_min_s: Shortest shot (of clear frames) in which overlays are looked for (s).
        overlay_max_component: Largest overlay component, as a share of the active picture.
        overlay_max_area: Largest total overlay mask, as a share of the active picture.
        overlay_cover: A detection is dropped when this share of its box lies in the mask.
    """

    adaptive_threshold: float = 3.0
    min_content_val: float = 15.0
    window_width: int = 2
    fade_level: float = 10.0
    flash_max_s: float = 0.4
    flash_return_corr: float = 0.7
    flash_return_ratio: float = 0.4
    min_shot_s: float = 0.2
    black_luma: float = 12.0
    black_std: float = 6.0
    flat_std: float = 3.0
    static_corr: float = 0.4
    static_hf: float = 0.4
    static_chroma: float = 16.0
    broken_md: float = 8.0
    broken_min_corr: float = 0.5
    broken_axis: float = 0.64
    broken_grad: int = 12
    min_loss_s: float = 0.1
    min_black_s: float = 0.1
    fade_window_s: float = 0.5
    fade_ratio: float = 0.5
    resume_corr: float = 0.7
    max_glitch_s: float = 1.0
    freeze_md: float = 0.3
    min_freeze_s: float = 0.4
    motion_window_s: float = 1.0
    freeze_motion_md: float = 1.5
    freeze_motion_cells: float = 0.5
    freeze_abrupt_ratio: float = 0.3
    bar_luma: float = 32.0
    min_bar_frac: float = 0.02
    min_active_frac: float = 0.3
    reset_md: float = 20.0
    overlay_rate: float = 5.0
    overlay_edge: float = 24.0
    overlay_persist: float = 0.7
    overlay_ref_s: float = 1.0
    overlay_min_change: float = 0.2
    overlay_min_motion: float = 0.5
    overlay_min_s: float = 1.5
    overlay_max_component: float = 0.06
    overlay_max_area: float = 0.2
    overlay_cover: float = 0.5

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
                raise UsageError(f"ShotParams.{f.name} must be a finite number >= 0, got {v!r}")
        if self.window_width < 1:
            raise UsageError(f"ShotParams.window_width must be >= 1, got {self.window_width}")
        for name in ("flash_return_ratio", "fade_ratio", "overlay_persist", "overlay_cover", "min_active_frac"):
            if not 0 < getattr(self, name) <= 1:
                raise UsageError(f"ShotParams.{name} must be within (0, 1], got {getattr(self, name)}")
        if self.overlay_rate <= 0:
            raise UsageError(f"ShotParams.overlay_rate must be > 0, got {self.overlay_rate}")

    def to_dict(self) -> dict[str, Any]:
        """All thresholds as a JSON-ready dict."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SegmentResult:
    """Shots, strikes, letterbox and overlay masks of one analysed segment.

    Attributes:
        shots: Contiguous shots covering every decoded frame of the segment (no gaps). Lost frames
            belong to the shot they end; ``Shot.end_reason`` says why it ended.
        strikes: Feed losses that end a shot, in order.
        overlays: Per shot: ``{"shot", "boxes": [[x1, y1, x2, y2], ...] (source px, exclusive end,
            disjoint), "area_frac", "status"}``; status ``masked``, ``none`` (looked, nothing
            found), ``fixed_camera`` (the picture does not move: not looked for), ``too_short``,
            ``too_large`` (a candidate mask was rejected) or ``disabled``.
        letterbox: Per shot: ``{"shot", "active_box": [x1, y1, x2, y2], "bars": bool}``.
        events: Things that were *not* cuts or strikes, for transparency: ``{"type": "flash" |
            "glitch", "start_frame", "end_frame", "t_s"}``.
        params: The thresholds used.
        fps: Frame rate of the clip.
        width: Source width (px).
        height: Source height (px).
        strike_ends: Last lost frame of each strike (parallel to ``strikes``).
    """

    shots: list[Shot]
    strikes: list[Strike]
    overlays: list[dict[str, Any]]
    letterbox: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)
    params: ShotParams = field(default_factory=ShotParams)
    fps: float = 0.0
    width: int = 0
    height: int = 0
    strike_ends: list[int] = field(default_factory=list)

    def shot_index(self, frame_index: int) -> int:
        """Index of the shot holding a source frame index (-1 when outside the segment)."""
        for s in self.shots:
            if s.start_frame <= frame_index <= s.end_frame:
                return s.index
        return -1

    def shot_indices(self, frame_index: np.ndarray | Sequence[int]) -> np.ndarray:
        """Vectorised :meth:`shot_index` for an array of frame indices."""
        return shot_of(frame_index, self.shots)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``shots``, ``strikes`` (each with ``end_frame``), ``overlays``, ``letterbox``,
        ``events`` and ``params``."""
        strikes = []
        for s, end in zip(self.strikes, self.strike_ends or [None] * len(self.strikes)):
            d = s.to_dict()
            if end is not None:
                d["end_frame"] = end
            strikes.append(d)
        return {
            "shots": [s.to_dict() for s in self.shots],
            "strikes": strikes,
            "overlays": [dict(o) for o in self.overlays],
            "letterbox": [dict(b) for b in self.letterbox],
            "events": [dict(e) for e in self.events],
            "params": {"thumb_width": THUMB_WIDTH, **self.params.to_dict()},
        }


# ---------------------------------------------------------------------------------------------
# Per-frame statistics (pure functions on small arrays; unit-tested)


def noise_ratio(gray: np.ndarray, std: float) -> float:
    """Mean absolute horizontal gradient divided by the luma std (about 1.1 for white noise,
    0.05-0.3 for natural pictures).

    Args:
        gray: (h, w) uint8 grey image.
        std: Its standard deviation.
    """
    if std < 1e-6 or gray.shape[1] < 2:
        return 0.0
    return float(cv2.norm(gray[:, 1:], gray[:, :-1], cv2.NORM_L1)) / (gray.shape[0] * (gray.shape[1] - 1)) / std


def chroma_level(bgr: np.ndarray) -> float:
    """Mean chroma ``|Cr - 128| + |Cb - 128|`` of a BGR uint8 image (0 for grey pictures)."""
    ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)
    c = cv2.mean(cv2.absdiff(ycc, (0, 128, 128, 0)))
    return float(c[1] + c[2])


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two same-size grey images (0 when either is flat)."""
    za = a.astype(np.float32).ravel()
    zb = b.astype(np.float32).ravel()
    za -= za.mean()
    zb -= zb.mean()
    den = math.sqrt(float(za @ za) * float(zb @ zb))
    return float(za @ zb) / den if den > 1e-6 else 0.0


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two same-size grey uint8 images (grey levels)."""
    return float(cv2.norm(a, b, cv2.NORM_L1)) / a.size


def axis_share(diff: np.ndarray, grad: int) -> tuple[float, int]:
    """Share of an image's strong gradients that are purely horizontal or vertical.

    Args:
        diff: (h, w) uint8 image (typically the absolute difference of two frames).
        grad: Gradient (grey levels) counted as strong.

    Returns:
        ``(share, n_strong)``: the share in 0..1 of strong-gradient pixels whose smaller
        component is at most 20 % of the larger one (blocks give ~0.7-0.9, natural motion
        ~0.4-0.55), and the number of strong-gradient pixels.
    """
    d = diff.astype(np.int16)
    dx = np.abs(d[:-1, 1:] - d[:-1, :-1])
    dy = np.abs(d[1:, :-1] - d[:-1, :-1])
    mx = np.maximum(dx, dy)
    strong = mx >= grad
    n = int(np.count_nonzero(strong))
    if n == 0:
        return 0.0, 0
    mn = np.minimum(dx, dy)
    return float(np.count_nonzero(mn[strong] * 5 <= mx[strong])) / n, n


def similarity(a: np.ndarray, b: np.ndarray, crop: float = 0.6) -> float:
    """Shift-tolerant similarity of two grey pictures: the best correlation of the central
    ``crop`` of ``a`` (half-size copies) anywhere inside ``b``. Same view moved by the camera
    ~0.8-1; unrelated pictures ~0-0.5.

    Args:
        a: (h, w) uint8.
        b: (h, w) uint8, same size.
        crop: Size of the central part of ``a`` as a share of each side.
    """
    h, w = a.shape
    hs, ws = max(8, h // 2), max(8, w // 2)
    a2 = cv2.resize(a, (ws, hs), interpolation=cv2.INTER_AREA)
    b2 = cv2.resize(b, (ws, hs), interpolation=cv2.INTER_AREA)
    ch, cw = max(4, int(hs * crop)), max(4, int(ws * crop))
    y0, x0 = (hs - ch) // 2, (ws - cw) // 2
    tpl = a2[y0 : y0 + ch, x0 : x0 + cw]
    if float(cv2.meanStdDev(tpl)[1][0, 0]) < 1.0 or float(cv2.meanStdDev(b2)[1][0, 0]) < 1.0:
        return 0.0
    r = cv2.matchTemplate(b2, tpl, cv2.TM_CCOEFF_NORMED)
    v = float(np.nanmax(r)) if r.size else 0.0
    return v if math.isfinite(v) else 0.0


def bar_extent(gray: np.ndarray, level: float) -> tuple[int, int, int, int] | None:
    """Extent of the non-bar picture of a grey image.

    Args:
        gray: (h, w) uint8 image.
        level: Rows / columns whose maximum is at most this are bar candidates.

    Returns:
        ``(x1, y1, x2, y2)`` (exclusive end) of the rows / columns that hold picture, or None when
        the whole image is dark.
    """
    rows = np.flatnonzero(gray.max(axis=1) > level)
    if rows.size == 0:
        return None
    cols = np.flatnonzero(gray.max(axis=0) > level)
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def edge_maps(gray: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixels on a vertical edge (horizontal step >= ``level``) and on a horizontal edge.

    Args:
        gray: (h, w) uint8.
        level: Step between neighbouring pixels, in grey levels.

    Returns:
        Two (h, w) uint8 arrays of 0 / 1.
    """
    ex = np.zeros(gray.shape, np.uint8)
    ey = np.zeros(gray.shape, np.uint8)
    ex[:, :-1] = cv2.absdiff(gray[:, 1:], gray[:, :-1]) >= level
    ey[:-1, :] = cv2.absdiff(gray[1:, :], gray[:-1, :]) >= level
    return ex, ey


def overlay_mask(px: np.ndarray, py: np.ndarray, n: int, region: np.ndarray, params: ShotParams) -> np.ndarray:
    """Static-overlay mask from per-pixel edge persistence counts.

    A pixel is persistent when it lies on an edge in at least ``overlay_persist`` of the ``n``
    frames. Persistent pixels are grouped (5x5 dilation); a group is an overlay when it has at
    least 4 persistent pixels, both pixels with only a vertical edge and pixels with only a
    horizontal edge (>= 15 % each: text strokes, crosshair arms and logos; a horizon, a diagonal
    line, or any straight edge the camera slides along does not), and is not larger than
    ``overlay_max_component`` of the active picture. The kept pixels are grown by one pixel.

    Args:
        px: (h, w) counts of frames with a vertical edge at each pixel (see :func:`edge_maps`).
        py: (h, w) counts of frames with a horizontal edge.
        n: Number of frames counted.
        region: (h, w) bool, where overlays may be (the active picture less a margin).
        params: Thresholds.

    Returns:
        (h, w) bool mask.
    """
    need = params.overlay_persist * n
    sx = (px >= need) & region
    sy = (py >= need) & region
    pers = sx | sy
    if not pers.any():
        return pers
    groups = cv2.dilate(pers.astype(np.uint8), np.ones((5, 5), np.uint8))
    n_cc, labels = cv2.connectedComponents(groups, connectivity=8)
    x_only = np.bincount(labels[sx & ~sy], minlength=n_cc)
    y_only = np.bincount(labels[sy & ~sx], minlength=n_cc)
    tot = np.bincount(labels[pers], minlength=n_cc)
    grown = (cv2.dilate(pers.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & region
    area = np.bincount(labels[grown], minlength=n_cc)
    active = max(1, int(region.sum()))
    keep = (
        (np.minimum(x_only, y_only) >= 0.15 * np.maximum(tot, 1))
        & (tot >= 4)
        & (area <= params.overlay_max_component * active)
    )
    keep[0] = False
    return grown & keep[labels]


def compact_mask(mask: np.ndarray, fill: float = 0.6) -> np.ndarray:
    """Replace each dense component of a mask (text lines, logos: at least ``fill`` of its
    bounding box) by its bounding box, so it is reported as one box; sparse ones (crosshairs)
    keep their shape."""
    n_cc, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = mask.astype(bool).copy()
    for c in range(1, n_cc):
        x, y, w, h, area = stats[c]
        if area >= fill * w * h:
            out[y : y + h, x : x + w] = True
    return out


def mask_to_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Cover a boolean mask exactly with disjoint rectangles (runs merged down rows).

    Args:
        mask: (h, w) bool.

    Returns:
        ``(x1, y1, x2, y2)`` boxes in mask pixels, exclusive end.
    """
    boxes: list[list[int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (x1, x2) -> index in boxes, runs ending on the previous row
    for y in range(mask.shape[0]):
        row = mask[y]
        if not row.any():
            open_runs = {}
            continue
        padded = np.concatenate(([False], row, [False]))
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        runs = list(zip(edges[::2].tolist(), edges[1::2].tolist()))
        new_open = {}
        for x1, x2 in runs:
            k = open_runs.get((x1, x2))
            if k is not None:
                boxes[k][3] = y + 1
            else:
                k = len(boxes)
                boxes.append([x1, y, x2, y + 1])
            new_open[(x1, x2)] = k
        open_runs = new_open
    return [tuple(b) for b in boxes]  # type: ignore[misc]


def box_coverage(boxes: np.ndarray, mask_boxes: np.ndarray) -> np.ndarray:
    """Share of each box's area covered by a set of disjoint mask boxes.

    Args:
        boxes: (n, 4) float x1, y1, x2, y2.
        mask_boxes: (m, 4) float, disjoint.

    Returns:
        (n,) float in 0..1.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    mb = np.asarray(mask_boxes, np.float64).reshape(-1, 4)
    if len(boxes) == 0 or len(mb) == 0:
        return np.zeros(len(boxes))
    ix = np.clip(np.minimum(boxes[:, None, 2], mb[None, :, 2]) - np.maximum(boxes[:, None, 0], mb[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, None, 3], mb[None, :, 3]) - np.maximum(boxes[:, None, 1], mb[None, :, 1]), 0, None)
    area = np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None)
    inter = (ix * iy).sum(axis=1)
    return np.where(area > 0, np.minimum(inter / np.where(area > 0, area, 1), 1.0), 0.0)


# ---------------------------------------------------------------------------------------------
# The streaming analyser


@dataclass(slots=True)
class _Rec:
    index: int
    t: float
    g: np.ndarray  # grey thumbnail (uint8)
    label: int
    m: float
    s: float
    md: float
    mov: float
    extent: tuple[int, int, int, int] | None  # non-bar extent (thumb px) when reliable
    cand: bool = False
    z: np.ndarray | None = None  # centred grey values (float32), kept until the next frame


class _ShotAcc:
    """Accumulators of the shot being committed (overlay edge persistence, letterbox extent)."""

    def __init__(self, shape: tuple[int, int], do_overlays: bool) -> None:
        self.extent: list[int] | None = None
        self.do_overlays = do_overlays
        self.n = 0
        # frames in which each thumbnail pixel lies on a vertical (x) / horizontal (y) edge
        self.px = np.zeros(shape, np.uint16) if do_overlays else None
        self.py = np.zeros(shape, np.uint16) if do_overlays else None
        self.ref: np.ndarray | None = None  # edge map of the reference frame
        self.ref_age = 0
        self.changes: list[float] = []  # share of edge pixels not on an edge in the reference
        self.movs: list[float] = []  # share of moving 4x4 cells

    def add_extent(self, e: tuple[int, int, int, int]) -> None:
        if self.extent is None:
            self.extent = list(e)
        else:
            x = self.extent
            x[0], x[1], x[2], x[3] = min(x[0], e[0]), min(x[1], e[1]), max(x[2], e[2]), max(x[3], e[3])


class SignalAnalyzer:
    """Streaming shot / strike / letterbox / overlay analysis of one clip (one per clip).

    Call :meth:`update` for every decoded frame in order with its thumbnail, :meth:`active_box` for
    the sampled frames (after their :meth:`update`), then :meth:`finish` once.

    Args:
        fps: Frame rate of the clip (frames per second; durations in :class:`ShotParams` use it).
        width: Source frame width (px, as displayed).
        height: Source frame height (px).
        params: Thresholds.
        crop_bars: Find letterbox / pillarbox bars (else :meth:`active_box` is always the full frame).
        mask_overlays: Find static overlays.
    """

    def __init__(
        self,
        fps: float,
        width: int,
        height: int,
        *,
        params: ShotParams = ShotParams(),
        crop_bars: bool = True,
        mask_overlays: bool = True,
    ) -> None:
        from scenedetect.detectors import AdaptiveDetector, ThresholdDetector

        if not fps or not math.isfinite(float(fps)) or float(fps) <= 0:
            raise UsageError(f"SignalAnalyzer needs the clip's frame rate > 0, got {fps!r}")
        if width <= 0 or height <= 0:
            raise UsageError(f"SignalAnalyzer needs a frame size > 0, got {width}x{height}")
        self.fps = float(fps)
        self._rate = Fraction(fps).limit_denominator(1_000_000) if not isinstance(fps, Fraction) else fps
        self.width, self.height = int(width), int(height)
        self.params = p = params
        self.crop_bars, self.mask_overlays = crop_bars, mask_overlays

        def frames(seconds: float, minimum: int = 1) -> int:
            return max(minimum, int(round(seconds * self.fps)))

        self._flash_n = frames(p.flash_max_s, 2)
        self._lag = self._flash_n + p.window_width + 2
        self._min_shot_n = frames(p.min_shot_s)
        self._min_loss_n = frames(p.min_loss_s, 2)
        self._min_black_n = frames(p.min_black_s, 2)
        self._min_freeze_n = frames(p.min_freeze_s, 3)
        self._max_glitch_n = frames(p.max_glitch_s)
        self._fade_n = frames(p.fade_window_s, 2)
        self._motion_n = frames(p.motion_window_s, 3)
        self._ov_stride = frames(1.0 / p.overlay_rate)
        self._ov_ref_every = max(2, int(round(p.overlay_ref_s * p.overlay_rate)))
        self._ov_min_n = max(3, int(round(p.overlay_min_s * p.overlay_rate)))

        self._adaptive = AdaptiveDetector(
            adaptive_threshold=p.adaptive_threshold,
            min_scene_len=1,
            window_width=p.window_width,
            min_content_val=p.min_content_val,
        )
        self._fade = ThresholdDetector(threshold=p.fade_level, min_scene_len=1, fade_bias=1.0)

        # per-frame state
        self._prev: _Rec | None = None
        self._ring: deque[_Rec] = deque()
        self._cands: set[int] = set()
        self._last_index: int | None = None
        self._tshape: tuple[int, int] | None = None
        # provisional letterbox (update time, no look-ahead)
        self._prov_extent: list[int] | None = None
        self._after_loss = False
        self._refined: dict[tuple[int, ...], tuple[int, int, int, int]] = {}
        # committed state
        self._hist: deque[_Rec] = deque(maxlen=max(self._motion_n, self._fade_n) + 2)
        self._shot_start: tuple[int, float] | None = None
        self._last: _Rec | None = None
        self._last_clear: _Rec | None = None
        self._episode: dict[str, Any] | None = None
        self._ignore_until = -1
        self._last_boundary = -(10**9)
        self._shots: list[Shot] = []
        self._strikes: list[Strike] = []
        self._strike_ends: list[int] = []
        self._overlays: list[dict[str, Any]] = []
        self._letterbox: list[dict[str, Any]] = []
        self._events: list[dict[str, Any]] = []
        self._acc: _ShotAcc | None = None
        self._final_reason = "end"
        self._finished = False

    # -- public API ------------------------------------------------------------------------

    def update(self, index: int, t: float, thumb: np.ndarray) -> None:
        """Feed one decoded frame (every frame, in decoding order).

        Args:
            index: Source frame index.
            t: Time of the frame (s, from pts).
            thumb: (h, w, 3) uint8 BGR thumbnail, :data:`THUMB_WIDTH` wide (any width works).

        Raises:
            UsageError: frames out of order, a missing / malformed thumbnail, or after finish().
        """
        if self._finished:
            raise UsageError("SignalAnalyzer.update() called after finish(); make a new analyser per clip")
        if thumb is None or not isinstance(thumb, np.ndarray) or thumb.ndim != 3 or thumb.shape[2] != 3:
            raise UsageError("SignalAnalyzer.update() needs an (h, w, 3) BGR thumbnail; decode with thumb_width=THUMB_WIDTH")
        if self._last_index is not None and index <= self._last_index:
            raise UsageError(f"SignalAnalyzer.update(): frame {index} after frame {self._last_index}; frames must come in order")
        if thumb.dtype != np.uint8:
            thumb = np.clip(thumb, 0, 255).astype(np.uint8)
        thumb = np.ascontiguousarray(thumb)
        p = self.params
        g = cv2.cvtColor(thumb, cv2.COLOR_BGR2GRAY)
        if self._tshape is None:
            self._tshape = g.shape
            self._acc = _ShotAcc(g.shape, self.mask_overlays)
        elif g.shape != self._tshape:
            raise UsageError(f"SignalAnalyzer.update(): thumbnail size changed from {self._tshape} to {g.shape}")
        self._last_index = index

        # PySceneDetect's detectors see a quarter-size copy of the thumbnail (~40 px wide: they
        # compare means over the picture; cut scores are unchanged, camera-motion and compression
        # scores drop, and the largest per-frame cost shrinks)
        small = cv2.resize(thumb, (max(8, thumb.shape[1] // 4), max(6, thumb.shape[0] // 4)), interpolation=cv2.INTER_AREA)
        tc = self._timecode(index)
        for c in self._adaptive.process_frame(tc, small):
            self._cands.add(int(c.frame_num))
        for c in self._fade.process_frame(tc, small):
            self._cands.add(int(c.frame_num))

        mean, std = cv2.meanStdDev(g)
        m, s = float(mean[0, 0]), float(std[0, 0])
        prev = self._prev
        md = mov = 0.0
        z = None
        label = OK
        if m < p.black_luma and s < p.black_std:
            label = BLACK
        elif prev is not None:
            diff = cv2.absdiff(g, prev.g)
            md = float(cv2.sumElems(diff)[0]) / g.size
            cells = cv2.resize(diff, (4, 4), interpolation=cv2.INTER_AREA).astype(np.float32) - abs(m - prev.m)
            mov = float(np.count_nonzero(cells > 1.5)) / 16.0
            if s >= p.flat_std:
                z = g.astype(np.float32).ravel()
                z -= m
                # a flat previous frame (black, grey) correlates with nothing
                corr = float(z @ prev.z) / (z.size * s * prev.s) if prev.z is not None and prev.s >= p.flat_std else 0.0
                if corr < p.static_corr and noise_ratio(g, s) > p.static_hf and chroma_level(thumb) < p.static_chroma:
                    label = STATIC
                elif md >= p.broken_md and corr >= p.broken_min_corr:
                    share, n = axis_share(diff, p.broken_grad)
                    if share >= p.broken_axis and n >= 0.05 * g.size:
                        label = BROKEN
                if label == OK and md <= p.freeze_md:
                    label = STILL
        extent = None
        if self.crop_bars:
            # Bars can only be seen on a clear picture that is bright enough somewhere (not a
            # loss, not flat, not the first frames of a fade-in). During a loss the box of the
            # shot it ends is kept; after a loss or at a cut the estimate starts again.
            reliable = label in (OK, STILL) and s >= p.flat_std and float(g.max()) >= 3 * p.bar_luma
            if label in (BLACK, STATIC, BROKEN):
                self._after_loss = True
            elif self._after_loss and not reliable:
                self._prov_extent = None  # unknown yet: the full frame
            fresh = self._prov_extent is None or self._after_loss or md >= p.reset_md
            if reliable and (fresh or index % 3 == 0):  # the union only grows: every 3rd frame is enough
                extent = bar_extent(g, p.bar_luma)
            if extent is not None:
                if fresh:
                    self._prov_extent = list(extent)
                    self._after_loss = False
                else:
                    x = self._prov_extent
                    x[0], x[1] = min(x[0], extent[0]), min(x[1], extent[1])
                    x[2], x[3] = max(x[2], extent[2]), max(x[3], extent[3])
        if prev is not None:
            prev.z = None  # only the next frame needs it
        if z is None and s >= p.flat_std:
            z = g.astype(np.float32).ravel()
            z -= m
        rec = _Rec(index, float(t), g, label, m, s, md, mov, extent, z=z)
        self._prev = rec
        self._ring.append(rec)
        while len(self._ring) > self._lag:
            self._commit(self._ring.popleft())

    def active_box(self, image: np.ndarray) -> tuple[int, int, int, int]:
        """The active picture of a sampled frame, letterbox / pillarbox bars removed.

        Call after :meth:`update` of the same frame. The box is decided from the thumbnails of the
        shot so far (only growing within a shot) and placed on this full-size image to the pixel;
        it is cached until the thumbnail estimate changes, so it is stable within a shot.

        Args:
            image: (H, W, 3) uint8 BGR full-size frame.

        Returns:
            ``(x1, y1, x2, y2)`` in source pixels, exclusive end; the full frame when there are no
            bars (or ``crop_bars`` is off).
        """
        h, w = image.shape[:2]
        full = (0, 0, w, h)
        if not self.crop_bars or self._prov_extent is None or self._tshape is None:
            return full
        key = (*self._prov_extent, w, h)
        box = self._refined.get(key)
        if box is None:
            box = self._refine(self._prov_extent, image)
            if len(self._refined) > 256:
                self._refined.clear()
            self._refined[key] = box
        return box

    def finish(self) -> SegmentResult:
        """Flush the look-ahead and return the result of the segment.

        Raises:
            UsageError: no frame was given, or finish() was called twice.
        """
        if self._finished:
            raise UsageError("SignalAnalyzer.finish() called twice")
        if self._last_index is None:
            raise UsageError("SignalAnalyzer.finish(): no frames were analysed")
        while self._ring:
            self._commit(self._ring.popleft())
        if self._episode is not None:
            self._close_episode(None)
        if self._last is not None:
            self._close_shot(self._final_reason, self._last)
        self._finished = True
        return SegmentResult(
            shots=list(self._shots),
            strikes=list(self._strikes),
            overlays=list(self._overlays),
            letterbox=list(self._letterbox),
            events=list(self._events),
            params=self.params,
            fps=self.fps,
            width=self.width,
            height=self.height,
            strike_ends=list(self._strike_ends),
        )

    # -- internals ---------------------------------------------------------------------------

    def _timecode(self, index: int) -> Any:
        from scenedetect.common import FrameTimecode

        return FrameTimecode(int(index), fps=self._rate)

    def _scale(self) -> tuple[float, float]:
        th, tw = self._tshape  # type: ignore[misc]
        return self.width / tw, self.height / th

    def _coarse_box(self, e: Sequence[int], w: int, h: int) -> tuple[int, int, int, int]:
        """Thumbnail extent -> source box (outward), with thin bars and implausible boxes dropped."""
        th, tw = self._tshape  # type: ignore[misc]
        sx, sy = w / tw, h / th
        x1, y1 = int(math.floor(e[0] * sx)), int(math.floor(e[1] * sy))
        x2, y2 = min(w, int(math.ceil(e[2] * sx))), min(h, int(math.ceil(e[3] * sy)))
        return self._sanitize((x1, y1, x2, y2), w, h)

    def _sanitize(self, b: tuple[int, int, int, int], w: int, h: int) -> tuple[int, int, int, int]:
        p = self.params
        x1, y1, x2, y2 = b
        mx, my = p.min_bar_frac * w, p.min_bar_frac * h
        x1 = 0 if x1 < mx else x1
        y1 = 0 if y1 < my else y1
        x2 = w if w - x2 < mx else x2
        y2 = h if h - y2 < my else y2
        if x2 - x1 < p.min_active_frac * w or y2 - y1 < p.min_active_frac * h:
            return (0, 0, w, h)
        return (x1, y1, x2, y2)

    def _refine(self, e: Sequence[int], image: np.ndarray) -> tuple[int, int, int, int]:
        """Place the coarse bar edges on the full-size image (search within a thumbnail pixel)."""
        h, w = image.shape[:2]
        coarse = self._coarse_box(e, w, h)
        if coarse == (0, 0, w, h):
            return coarse
        th, tw = self._tshape  # type: ignore[misc]
        sx, sy = w / tw, h / th
        lvl = self.params.bar_luma
        x1, y1, x2, y2 = coarse
        step = 4
        if y1 > 0:
            a, b = max(0, int((e[1] - 1) * sy)), min(h, int(math.ceil((e[1] + 1) * sy)) + 1)
            rows = np.flatnonzero(image[a:b, ::step].max(axis=(1, 2)) > lvl)
            if rows.size:
                y1 = a + int(rows[0])
        if y2 < h:
            a, b = max(0, int((e[3] - 1) * sy) - 1), min(h, int(math.ceil((e[3] + 1) * sy)))
            rows = np.flatnonzero(image[a:b, ::step].max(axis=(1, 2)) > lvl)
            if rows.size:
                y2 = a + int(rows[-1]) + 1
        if x1 > 0:
            a, b = max(0, int((e[0] - 1) * sx)), min(w, int(math.ceil((e[0] + 1) * sx)) + 1)
            cols = np.flatnonzero(image[::step, a:b].max(axis=(0, 2)) > lvl)
            if cols.size:
                x1 = a + int(cols[0])
        if x2 < w:
            a, b = max(0, int((e[2] - 1) * sx) - 1), min(w, int(math.ceil((e[2] + 1) * sx)))
            cols = np.flatnonzero(image[::step, a:b].max(axis=(0, 2)) > lvl)
            if cols.size:
                x2 = a + int(cols[-1]) + 1
        return self._sanitize((x1, y1, x2, y2), w, h)

    # committed processing (frames leave the look-ahead ring in order) ---------------------

    def _commit(self, rec: _Rec) -> None:
        rec.cand = rec.index in self._cands
        self._cands.discard(rec.index)
        if self._shot_start is None:
            self._shot_start = (rec.index, rec.t)
        ep = self._episode
        if rec.label != OK:
            if ep is None:
                ep = self._episode = self._open_episode(rec)
            else:
                self._extend_episode(ep, rec)
        elif ep is not None and self._gap_in_loss(ep):
            self._extend_episode(ep, rec, gap=True)
        else:
            handled = False
            if ep is not None:
                handled = self._close_episode(rec)
            if not handled and rec.cand and rec.index > self._ignore_until:
                self._consider_cut(rec)
            self._last_clear = rec
        if rec.label in (OK, STILL):
            self._accumulate(rec)
        self._hist.append(rec)
        self._last = rec

    def _gap_in_loss(self, ep: dict[str, Any]) -> bool:
        """An isolated clear-looking frame inside static / broken / black is part of the loss."""
        if ep["runs"][-1][0] not in (STATIC, BROKEN, BLACK) or not self._ring:
            return False
        nxt = self._ring[0]
        return nxt.label == ep["runs"][-1][0]

    def _open_episode(self, rec: _Rec) -> dict[str, Any]:
        hist = list(self._hist)
        before = hist[-self._motion_n :]
        md_before = float(np.median([r.md for r in before])) if before else 0.0
        mov_before = float(np.median([r.mov for r in before])) if before else 0.0
        last_md = hist[-1].md if hist else 0.0
        fade_part = hist[-self._fade_n - 1 :]
        peak = max((r.m for r in fade_part), default=0.0)
        last_m = hist[-1].m if hist else 0.0
        return {
            "start": rec,
            "runs": [[rec.label, rec.index, rec.t, 1]],
            "last": rec,
            "pre": self._last_clear,
            "moving": md_before >= self.params.freeze_motion_md
            and mov_before >= self.params.freeze_motion_cells
            and last_md >= self.params.freeze_abrupt_ratio * md_before,
            "faded": bool(hist) and last_m < self.params.fade_ratio * peak,
            "cand_at_start": rec.cand and rec.index > self._ignore_until,
            "before": self._last,
        }

    def _extend_episode(self, ep: dict[str, Any], rec: _Rec, gap: bool = False) -> None:
        label = ep["runs"][-1][0] if gap else rec.label
        run = ep["runs"][-1]
        if run[0] == label:
            run[3] += 1
        else:
            ep["runs"].append([label, rec.index, rec.t, 1])
        ep["last"] = rec

    def _close_episode(self, nxt: _Rec | None) -> bool:
        """Decide what a finished run of non-clear frames was. ``nxt`` is the first clear frame
        after it (None at the end of the segment). Returns True when ``nxt`` was handled (a
        boundary was placed there or its cut candidate must be ignored)."""
        ep, self._episode = self._episode, None
        if ep is None:
            return False
        runs = ep["runs"]
        start: _Rec = ep["start"]
        pre: _Rec | None = ep["pre"]
        n_total = sum(r[3] for r in runs)
        # leading still frames, then the "core" (black / static / broken)
        k = 0
        n_still = 0
        while k < len(runs) and runs[k][0] == STILL:
            n_still += runs[k][3]
            k += 1
        core = runs[k:]
        n_core = sum(r[3] for r in core if r[0] != STILL)
        n_black = sum(r[3] for r in core if r[0] == BLACK)
        n_noise = n_core - n_black

        if not core:  # only still frames: a frozen feed, or just a still picture
            cut_after = nxt is not None and nxt.cand and nxt.index > self._ignore_until
            if (
                n_still >= self._min_freeze_n
                and ep["moving"]
                and pre is not None
                and cut_after
                and nxt.index - self._last_boundary > self._min_shot_n  # type: ignore[union-attr]
            ):
                self._strike("freeze", (start.index, start.t), ep, nxt)
                return True
            return False  # a still picture; the next frame's cut candidate is judged normally

        if pre is None:  # loss at the very start of the segment: belongs to the first shot
            return True
        long_enough = n_noise >= self._min_loss_n or n_black >= self._min_black_n
        if not long_enough:
            # a frame or two of junk: a cut through it when it started on a cut candidate
            if ep["cand_at_start"] and nxt is not None and not self._resumes(pre, nxt):
                self._boundary(start, "cut", last=ep["before"])
                return True
            return True
        if nxt is not None and n_total <= self._max_glitch_n and self._resumes(pre, nxt):
            self._events.append({"type": "glitch", "start_frame": start.index, "end_frame": ep["last"].index,
                                 "t_s": round(start.t, 6), "kind": LABELS[core[0][0]]})
            return True
        only_black = n_noise < self._min_loss_n
        if only_black and ep["faded"] and n_still == 0:
            if nxt is not None:  # an edit: fade through black
                self._boundary(nxt, "cut")
            return True
        if n_still >= self._min_freeze_n and ep["moving"]:
            kind = "freeze"
            first = (start.index, start.t)
        else:
            # the kind of the first phase long enough to count (black then snow: black)
            kind = "black" if only_black else "signal_loss"
            first = (core[0][1], core[0][2])
            for label, idx, t_, n in core:
                if label == BLACK and n >= self._min_black_n or label in (STATIC, BROKEN) and n >= self._min_loss_n:
                    kind, first = _LOSS_KIND[label], (idx, t_)
                    break
            if n_still and ep["moving"]:  # the picture stopped just before it broke up
                first = (start.index, start.t)
        self._strike(kind, first, ep, nxt)
        return True

    def _resumes(self, pre: _Rec, nxt: _Rec) -> bool:
        """Whether the picture after a loss continues the view before it (coarse correlation of
        the last clear frame with the first clear frames after, tolerant of camera motion)."""
        if pre.s < 8.0:  # too little contrast to tell
            return False
        after = [nxt] + [r for r in list(self._ring)[:2] if r.label in (OK, STILL)]
        for r in after:
            if abs(r.m - pre.m) <= 30.0 and 0.5 <= r.s / pre.s <= 2.0 and similarity(pre.g, r.g) >= self.params.resume_corr:
                return True
        return False

    def _strike(self, kind: str, first: tuple[int, float], ep: dict[str, Any], nxt: _Rec | None) -> None:
        """Record a strike whose first lost frame is ``first`` = (index, t); ``nxt`` is the first
        frame after the loss (None at the end of the segment)."""
        last: _Rec = ep["last"]
        first_index, first_t = first
        if nxt is not None:
            duration = nxt.t - first_t
        else:
            duration = last.t - first_t + 1.0 / self.fps
        shot_index = len(self._shots)
        self._strikes.append(
            Strike(index=len(self._strikes), shot=shot_index, kind=kind, start_frame=first_index,
                   t=round(first_t, 6), duration_s=round(max(duration, 0.0), 6))
        )
        self._strike_ends.append(last.index)
        if nxt is not None:
            self._boundary(nxt, kind)
        else:
            self._final_reason = kind

    def _consider_cut(self, rec: _Rec) -> None:
        if rec.index - self._last_boundary < self._min_shot_n:
            return
        pre = self._last_clear
        if pre is None:
            return
        d0 = mean_abs_diff(pre.g, rec.g)
        p = self.params
        for later in list(self._ring)[: self._flash_n]:
            if later.label not in (OK, STILL):
                continue
            if mean_abs_diff(pre.g, later.g) <= p.flash_return_ratio * d0 and similarity(pre.g, later.g) >= p.flash_return_corr:
                self._ignore_until = later.index
                self._events.append({"type": "flash", "start_frame": rec.index, "end_frame": later.index - 1,
                                     "t_s": round(rec.t, 6)})
                return
        # the end of a transient whose start was not a candidate: the picture returns to a frame
        # seen just before the disturbance
        hist = list(self._hist)
        if hist:
            d1 = mean_abs_diff(hist[-1].g, rec.g)
            for k in range(2, min(len(hist), self._flash_n + 1) + 1):
                before = hist[-k]
                if before.label not in (OK, STILL) or before.index <= self._last_boundary:
                    continue
                if mean_abs_diff(before.g, rec.g) <= p.flash_return_ratio * d1 and similarity(before.g, rec.g) >= p.flash_return_corr:
                    self._events.append({"type": "flash", "start_frame": before.index + 1, "end_frame": rec.index - 1,
                                         "t_s": round(hist[-k + 1].t, 6)})
                    return
        self._boundary(rec, "cut")

    def _boundary(self, rec: _Rec, reason: str, *, last: _Rec | None = None) -> None:
        """Close the current shot with ``last`` (default: the last committed frame) as its final
        frame; ``rec`` starts the next shot."""
        last = last if last is not None else self._last
        if self._shot_start is None or last is None or rec.index <= self._shot_start[0]:
            return
        self._close_shot(reason, last)
        self._shot_start = (rec.index, rec.t)
        self._last_boundary = rec.index
        self._acc = _ShotAcc(self._tshape, self.mask_overlays)  # type: ignore[arg-type]

    def _close_shot(self, reason: str, end: _Rec) -> None:
        if self._shot_start is None:
            return
        k = len(self._shots)
        self._shots.append(Shot(k, self._shot_start[0], end.index, round(self._shot_start[1], 6), round(end.t, 6), reason))
        acc = self._acc
        self._letterbox.append(self._letterbox_entry(k, acc))
        self._overlays.append(self._overlay_entry(k, acc))

    def _accumulate(self, rec: _Rec) -> None:
        acc = self._acc
        if acc is None or rec.s < self.params.flat_std:
            return
        if rec.extent is not None:
            acc.add_extent(rec.extent)
        if not acc.do_overlays or (rec.index - (self._shot_start or (0, 0))[0]) % self._ov_stride:
            return
        ex, ey = edge_maps(rec.g, self.params.overlay_edge)
        acc.px += ex  # type: ignore[operator]
        acc.py += ey  # type: ignore[operator]
        acc.n += 1
        acc.movs.append(rec.mov)
        edges = ex | ey
        if acc.ref is None or acc.ref_age >= self._ov_ref_every:
            acc.ref, acc.ref_age = edges, 0
        else:
            acc.ref_age += 1
            n_edges = cv2.countNonZero(edges)
            if n_edges >= 0.01 * edges.size:
                acc.changes.append(1.0 - cv2.countNonZero(edges & acc.ref) / n_edges)

    def _letterbox_entry(self, k: int, acc: _ShotAcc | None) -> dict[str, Any]:
        w, h = self.width, self.height
        box = (0, 0, w, h)
        if self.crop_bars and acc is not None and acc.extent is not None:
            key = (*acc.extent, w, h)
            box = self._refined.get(key) or self._coarse_box(acc.extent, w, h)
        return {"shot": k, "active_box": list(box), "bars": box != (0, 0, w, h)}

    def _overlay_entry(self, k: int, acc: _ShotAcc | None) -> dict[str, Any]:
        out: dict[str, Any] = {"shot": k, "boxes": [], "area_frac": 0.0}
        if not self.mask_overlays or acc is None or acc.px is None or acc.py is None:
            return {**out, "status": "disabled"}
        p = self.params
        if acc.n < self._ov_min_n:
            return {**out, "status": "too_short"}
        change = float(np.median(acc.changes)) if acc.changes else 0.0
        motion = float(np.median(acc.movs)) if acc.movs else 0.0
        out["scene_change"] = round(change, 3)
        out["scene_motion"] = round(motion, 3)
        if change < p.overlay_min_change or motion < p.overlay_min_motion:
            return {**out, "status": "fixed_camera"}
        th, tw = self._tshape  # type: ignore[misc]
        ext = acc.extent or [0, 0, tw, th]
        x1, y1, x2, y2 = ext
        m = 1 if (x1, y1, x2, y2) == (0, 0, tw, th) else 2
        region = np.zeros((th, tw), bool)
        region[y1 + m : y2 - m, x1 + m : x2 - m] = True
        mask = compact_mask(overlay_mask(acc.px, acc.py, acc.n, region, p)) & region
        active = max(1, int(region.sum()))
        total = float(mask.sum()) / active
        if not mask.any():
            return {**out, "status": "none"}
        if total > p.overlay_max_area:
            return {**out, "status": "too_large", "area_frac": round(total, 4)}
        sx, sy = self._scale()
        boxes = []
        for bx1, by1, bx2, by2 in mask_to_boxes(mask):
            boxes.append([int(math.floor(bx1 * sx)), int(math.floor(by1 * sy)),
                          min(self.width, int(math.ceil(bx2 * sx))), min(self.height, int(math.ceil(by2 * sy)))])
        return {**out, "boxes": boxes, "area_frac": round(total, 4), "status": "masked"}


# ---------------------------------------------------------------------------------------------
# Standalone use, detection masking, frame export


def detect_shots(
    path: str | os.PathLike[str],
    *,
    start: float | None = None,
    end: float | None = None,
    params: ShotParams = ShotParams(),
    progress: Callable[[int], None] | None = None,
) -> SegmentResult:
    """Find shots, strikes, letterbox bars and static overlays of a clip (no detector; fast).

    Decodes thumbnails only (no full-size frame is converted), so letterbox edges are placed to
    the thumbnail's precision (about ``width / THUMB_WIDTH`` px, always outward).

    Args:
        path: Video file.
        start: Segment start (s).
        end: Segment end (s, exclusive).
        params: Thresholds.
        progress: Called with the number of frames decoded so far.

    Returns:
        :class:`SegmentResult`.

    Raises:
        VideoOpenError: the clip is missing, unreadable, corrupt, or has no frames in the segment.
        UsageError: invalid start / end.
    """
    from vidtools.frames import decode
    from vidtools.probe import displayed_size, open_container, stream_fps

    if start is not None and start < 0:
        raise UsageError(f"start must be >= 0, got {start}")
    if start is not None and end is not None and end <= start:
        raise UsageError(f"end ({end}) must be after start ({start})")
    container, stream = open_container(path)
    try:
        fps = stream_fps(stream)
        width, height, _ = displayed_size(path, stream)
    finally:
        container.close()
    analyzer = SignalAnalyzer(float(fps) if fps else 25.0, width, height, params=params)
    n = 0
    for d in decode(path, start=start, end=end, thumb_width=THUMB_WIDTH, images=False):
        analyzer.update(d.index, d.t, d.thumb)
        n += 1
        if progress:
            progress(n)
    if n == 0:
        raise VideoOpenError(path, f"no frames in the selected segment ({start or 0:g}-{end if end is not None else 'end'} s); check --start/--end")
    return analyzer.finish()


def drop_overlay_detections(xyxy: np.ndarray, shot: np.ndarray, result: SegmentResult) -> np.ndarray:
    """Which detections to keep: those not inside the static-overlay mask of their shot.

    A box is dropped when at least ``params.overlay_cover`` (default 50 %) of its area is covered
    by the mask (OSD text, crosshair, watermark), so a target seen *behind* a thin crosshair is
    kept.

    Args:
        xyxy: (n, 4) float boxes, source px.
        shot: (n,) int shot index of each box.
        result: The segment's :class:`SegmentResult`.

    Returns:
        (n,) bool: True = keep.
    """
    xyxy = np.asarray(xyxy, np.float64).reshape(-1, 4)
    shot = np.asarray(shot, np.int64).reshape(-1)
    if len(shot) != len(xyxy):
        raise UsageError(f"drop_overlay_detections: {len(xyxy)} boxes but {len(shot)} shot indices")
    keep = np.ones(len(xyxy), bool)
    cover = result.params.overlay_cover
    for ov in result.overlays:
        if not ov.get("boxes"):
            continue
        rows = np.flatnonzero(shot == ov["shot"])
        if rows.size == 0:
            continue
        cov = box_coverage(xyxy[rows], np.asarray(ov["boxes"], np.float64))
        keep[rows[cov >= cover]] = False
    return keep


def export_shot_frames(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    result: SegmentResult,
    *,
    fmt: str = "jpg",
) -> Path:
    """Write one keyframe per shot and the last clear frame before each strike.

    The keyframe is the middle frame of the shot's clear part (its lost frames excluded; moved off
    an explosion flash or a glitch). Files are
    named ``shot003_keyframe_f000150_t5.000s.jpg`` / ``strike001_last_clear_f000412_t13.733s.jpg``;
    ``index.csv`` (``frame_index, t_s, file, role, shot, strike``) is written last, so a folder with
    an ``index.csv`` is complete. One extra decode pass.

    Args:
        path: The clip the result was computed from.
        out_dir: Output folder (created).
        result: :func:`detect_shots` / :meth:`SignalAnalyzer.finish` result.
        fmt: ``jpg`` or ``png``.

    Returns:
        Path of ``index.csv``.

    Raises:
        UsageError: bad format or an empty result.
        VideoOpenError: the clip cannot be decoded.
    """
    from vidtools.frames import decode, encode_image, frame_filename, write_index_csv
    from vidtools.io import atomic_write_bytes

    if fmt not in ("jpg", "png"):
        raise UsageError(f"format must be jpg or png, got {fmt!r}")
    if not result.shots:
        raise UsageError("export_shot_frames: the result has no shots")
    wanted: list[tuple[int, str, int, int | None]] = []  # (frame, role, shot, strike)
    ends = {s.shot: s.start_frame for s in result.strikes}
    transients = [(e["start_frame"], e["end_frame"]) for e in result.events if "start_frame" in e]
    for s in result.shots:
        last_clear = ends.get(s.index, s.end_frame + 1) - 1
        last_clear = max(s.start_frame, last_clear)
        key = (s.start_frame + last_clear) // 2
        for a, b in transients:  # not on an explosion flash or a glitch
            if a <= key <= b:
                key = a - 1 if a - 1 >= s.start_frame else min(b + 1, last_clear)
        wanted.append((key, "keyframe", s.index, None))
    for st in result.strikes:
        shot = result.shots[st.shot] if 0 <= st.shot < len(result.shots) else None
        lo = shot.start_frame if shot else 0
        wanted.append((max(lo, st.start_frame - 1), "last_clear", st.shot, st.index))
    need = {w[0] for w in wanted}
    first_t = result.shots[0].start_t
    last_frame = result.shots[-1].end_frame
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    got: dict[int, tuple[float, bytes]] = {}
    for d in decode(path, sampler=lambda i, t: i in need, start=max(0.0, first_t - 1e-6) if first_t > 0 else None):
        if d.index > last_frame:
            break
        if d.sampled and d.image is not None:
            got[d.index] = (d.t, encode_image(d.image, fmt, str(path)))
    rows = []
    for frame, role, shot, strike in sorted(wanted, key=lambda w: (w[0], w[1])):
        if frame not in got:
            raise VideoOpenError(path, f"frame {frame} could not be decoded again; is this the clip the shots came from?")
        t, data = got[frame]
        prefix = f"shot{shot:03d}" if strike is None else f"strike{strike:03d}"
        name = f"{prefix}_{role}_{frame_filename(frame, t, fmt)}"
        atomic_write_bytes(out / name, data)
        rows.append((frame, round(t, 6), name, role, shot, "" if strike is None else strike))
    return write_index_csv(out, ["frame_index", "t_s", "file", "role", "shot", "strike"], rows)


def shot_table(result: SegmentResult) -> pd.DataFrame:
    """The shots as a table (``index, start_frame, end_frame, start_t_s, end_t_s, end_reason``)."""
    return pd.DataFrame([s.to_dict() for s in result.shots])
