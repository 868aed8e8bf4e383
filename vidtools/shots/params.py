"""Every threshold of shot, feed-loss, letterbox and overlay detection, in one frozen value."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from vidtools.errors import UsageError

_SHARES = (
    "flash_return_ratio",
    "fade_ratio",
    "black_share",
    "static_cells",
    "still_cells",
    "overlay_persist",
    "overlay_cover",
    "min_active_frac",
)


@dataclass(frozen=True)
class ShotParams:
    """Every threshold of shot, strike, letterbox and overlay detection.

    Grey levels are 0..255 on the thumbnail (BT.601 luma). Durations are seconds, compared with
    the frames' own timestamps (so they mean the same at any frame rate, constant or variable);
    where a window must be a number of frames it is the duration times the clip's nominal rate.
    Shares are 0..1.

    Attributes:
        detector_width: Width (px) of the copy of each thumbnail that PySceneDetect's detectors
            see (their scores are means over the picture: a cut scores the same at 40 px as at 256
            px, while compression noise and fine motion score lower).
        content_threshold: ContentDetector's threshold: a frame whose HSV content score (mean
            change of hue, saturation and value against the previous frame) is at least this is a
            cut candidate (PySceneDetect's default 27).
        adaptive_threshold: AdaptiveDetector: ratio of a frame's content score to the mean score
            of its ``window_width`` neighbours on each side that makes a candidate (default 3).
        min_content_val: AdaptiveDetector: minimum content score of such a candidate.
        window_width: AdaptiveDetector: neighbours on each side in the rolling average (frames).
        motion_similarity: A candidate whose picture is this similar (:func:`similarity`, shift
            tolerant) to the frame before it ...
        motion_max_colour: ... and whose mean level of each colour channel changed by at most
            this (grey levels), is camera motion, not a cut (moving the camera does not recolour
            the whole picture in one frame; a cut to a differently coloured scene does).
        min_shot_s: Cut candidates closer than this to the previous boundary are ignored (s).
        flash_max_s: Longest flash or transient (s): 8 frames at 12 fps, the longest editing
            flash asked for, is 0.67 s.
        flash_rise: A frame at least this much brighter (mean grey level) than the frame before
            a candidate belongs to a flash; the flash is over when the level is this much below
            its peak ...
        flash_settle: ... and has settled: it changes by at most this to the next frame.
        flash_return_corr: After a candidate, a frame that "returns" to the picture before it
            (shift-tolerant similarity at least this) ...
        flash_return_ratio: ... and whose mean difference to it is at most this share of the
            candidate's, ends a transient inside the shot (an explosion flash, a glitch).
        black_luma: A pixel at most this grey level is dark.
        black_share: A frame is black when at least this share of its pixels are dark (OSD
            text, a crosshair and a watermark drawn over a lost picture cover far less) ...
        black_std: ... and the dark pixels vary by at most this (a dead feed is flat; a night
            scene has texture in its shadows).
        flat_std: Frames with a luma standard deviation under this are flat (no picture).
        min_texture_std: Pictures with a luma standard deviation under this are too plain to be
            compared by their content (a flash's return, a view resuming after a loss).
        cell_px: Side (thumbnail px) of the grid cells on which snow and stillness are judged,
            so that static overlays covering a few cells do not hide either.
        static_corr: Snow: a cell's correlation with the same cell of the previous frame is
            below this ...
        static_hf: ... its mean absolute horizontal step divided by its standard deviation is
            above this (noise ~0.9, natural pictures 0.05-0.3) ...
        static_chroma: ... and the frame is colourless: mean chroma (|Cr-128| + |Cb-128|)
            below this.
        static_cells: A frame is snow when at least this share of its textured cells are.
        static_max_corr: Frames at least this correlated with the previous one are not searched
            for snow (snow under overlays correlates ~0.1-0.5; a live picture ~0.7-1).
        broken_md: Broken-up: mean absolute difference to the previous frame at least this.
        broken_min_corr: Broken-up: correlation with the previous frame at least this (a
            picture breaking up keeps much of the last picture; a cut or noise does not) ...
        broken_max_corr: ... and below this (a picture barely changed is not breaking up).
        broken_axis: Broken-up: share of the change's strong gradients (global level and
            contrast change removed) that are horizontal or vertical (blocks) at least this
            (natural motion ~0.35-0.47 on the thumbnail, man-made scenes up to ~0.65; 16-px blocks
            of a 640-px picture ~0.55-0.75) ...
        broken_similarity: ... while the shift-tolerant similarity with the previous frame is
            below this (the change is not the camera moving: moving views score ~0.82-1, a
            picture breaking up ~0.3-0.85).
        broken_grad: Broken-up: gradient of the difference image counted as strong ...
        broken_min_strong: ... and at least this share of the pixels must have one.
        broken_onset_axis: A picture breaks up gradually: the clear frames just before a
            break-up whose change was already this blocky, and not the camera moving
            (``broken_similarity``), are where it began.
        still_md: A cell is still when its mean absolute difference to the previous frame is
            at most this (a repeated frame re-encoded: ~0) ...
        still_cells: ... and a frame is still when at least this share of its cells are (an
            OSD updating its numbers over a frozen picture changes a few cells).
        min_loss_s: Shortest snow / broken-up episode that counts as a feed loss (s).
        min_black_s: Shortest black episode that counts as a feed loss (s).
        fade_window_s: How far before a black episode (and after it) levels are compared to
            tell a fade from an abrupt change (s).
        fade_ratio: A black episode is entered through a fade when the last frame before it is
            darker than this share of the brightest frame in ``fade_window_s`` before it; it is
            left through a fade-in when the first clear frame after it is darker than this share
            of the brightest within ``fade_window_s`` after it ...
        fade_in_frames: ... or when its last frames already brightened steadily for at least
            this many frames ...
        fade_in_step: ... each at least this much brighter (mean grey level) than the one before;
            the fade-in starts at the first of them.
        live_share: A picture is live (a flying camera, not a photo or a title) when at most
            this share of its frames in ``motion_window_s`` are still. A black episode after a
            picture that is not live is an edit, not a feed loss.
        resume_corr: After a loss, a clear frame whose shift-tolerant similarity with the last
            clear frame before it is at least this ...
        resume_level: ... whose mean level is within this of it ...
        resume_contrast: ... and whose contrast (luma std) is within this factor of it, means
            the same flight resumed (a glitch, not a strike).
        max_glitch_s: Losses longer than this are never glitches (s).
        min_freeze_s: Shortest still run that can be a frozen feed (s).
        moving_md: A cell of the 4 x 4 motion grid moves when its mean difference to the
            previous frame exceeds the change of the frame's mean level by more than this.
        motion_window_s: Window before a loss in which the camera must have moved (s).
        freeze_motion_md: A freeze needs a median mean-difference in that window at least this
            ...
        freeze_motion_cells: ... and a median share of moving cells at least this.
        freeze_abrupt_ratio: The last frame before a freeze moved at least this share of the
            window's median (an abrupt stop, not a camera slowing down).
        bar_luma: Max grey level of a letterbox / pillarbox bar row or column.
        min_bar_frac: Bars thinner than this share of the side are ignored.
        min_active_frac: An active picture smaller than this share of a side is not believed.
        reset_md: A frame this different from the previous one restarts the letterbox estimate.
        overlay_rate: Frames per second that feed the overlay statistics.
        overlay_edge: Thumbnail gradient (grey levels) that counts as an edge.
        overlay_persist: Share of a shot's frames in which an overlay pixel is on an edge.
        overlay_ref_s: Period of the reference frame for the scene-change measure (s).
        overlay_min_change: Median share of a frame's edge pixels that were not on an edge in
            the reference frame (the scene moves under the overlays) a shot needs for overlays
            ...
        overlay_min_motion: ... and median share of moving cells it needs.
        overlay_min_s: Shortest shot (of clear frames) in which overlays are looked for (s).
        overlay_max_component: Largest overlay component, as a share of the active picture.
        overlay_max_area: Largest total overlay mask, as a share of the active picture.
        overlay_cover: A detection is dropped when this share of its box lies in the mask.
    """

    detector_width: int = 40
    content_threshold: float = 27.0
    adaptive_threshold: float = 3.0
    min_content_val: float = 15.0
    window_width: int = 2
    motion_similarity: float = 0.9
    motion_max_colour: float = 24.0
    min_shot_s: float = 0.2
    flash_max_s: float = 0.75
    flash_rise: float = 20.0
    flash_settle: float = 5.0
    flash_return_corr: float = 0.7
    flash_return_ratio: float = 0.4
    black_luma: float = 20.0
    black_share: float = 0.85
    black_std: float = 4.0
    flat_std: float = 3.0
    min_texture_std: float = 8.0
    cell_px: int = 16
    static_corr: float = 0.4
    static_hf: float = 0.4
    static_chroma: float = 16.0
    static_cells: float = 0.6
    static_max_corr: float = 0.8
    broken_md: float = 3.0
    broken_min_corr: float = 0.4
    broken_max_corr: float = 0.95
    broken_axis: float = 0.55
    broken_similarity: float = 0.85
    broken_grad: int = 12
    broken_min_strong: float = 0.05
    broken_onset_axis: float = 0.45
    still_md: float = 0.5
    still_cells: float = 0.9
    min_loss_s: float = 0.1
    min_black_s: float = 0.1
    fade_window_s: float = 0.5
    fade_ratio: float = 0.5
    fade_in_frames: int = 3
    fade_in_step: float = 0.25
    live_share: float = 0.5
    resume_corr: float = 0.7
    resume_level: float = 30.0
    resume_contrast: float = 2.0
    max_glitch_s: float = 1.0
    min_freeze_s: float = 0.4
    moving_md: float = 1.5
    motion_window_s: float = 0.5
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
        for name in ("window_width", "detector_width", "cell_px"):
            if getattr(self, name) < (8 if name == "detector_width" else 1):
                raise UsageError(f"ShotParams.{name} is too small: {getattr(self, name)}")
        for name in _SHARES:
            if not 0 < getattr(self, name) <= 1:
                raise UsageError(f"ShotParams.{name} must be within (0, 1], got {getattr(self, name)}")
        if self.overlay_rate <= 0:
            raise UsageError(f"ShotParams.overlay_rate must be > 0, got {self.overlay_rate}")

    def to_dict(self) -> dict[str, Any]:
        """All thresholds as a JSON-ready dict."""
        return dataclasses.asdict(self)


DEFAULT_PARAMS = ShotParams()
"""The default thresholds (frozen, shared)."""
