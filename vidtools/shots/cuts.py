"""Cuts: PySceneDetect's detectors propose, the flash and transition logic decides.

:class:`CandidateDetector` feeds a small copy of every thumbnail to PySceneDetect's
``AdaptiveDetector`` (HSV content score well above its neighbours') and applies
``ContentDetector``'s test to the same score (at least ``content_threshold``); every frame either
flags is a *candidate*.
:func:`judge_candidate` then looks at the frames around a candidate (the analyser's look-ahead):

1. A candidate within ``min_shot_s`` of the previous boundary is ignored.
2. **Transient** (an explosion flash, a glitch): within ``flash_max_s`` after it, the picture
   returns to the frame before it (shift-tolerant similarity at least ``flash_return_corr``, and,
   unless the candidate is a bright flash, a mean difference at most ``flash_return_ratio`` of the
   candidate's). Or the candidate is itself the return to a frame seen within ``flash_max_s``
   before it. Not a cut.
3. **Flash transition**: the candidate starts a bright run (mean at least ``flash_rise`` above
   the frame before) that comes down again (at least ``flash_rise`` below its peak, to a level
   that has settled: it changes by at most ``flash_settle`` to the next frame) within
   ``flash_max_s``, in a picture unlike the one before it (a white flash out of which a
   different shot emerges). The cut is placed at the first frame of
   the new shot: the first frame of the run that correlates better with the picture after the
   flash than with the one before it (a flash lifts the levels, which correlation ignores, so
   each washed frame still matches the shot it belongs to). A bright run that leads into a loss
   is the strike's own flash, not a cut.
4. **Camera motion**: a candidate whose picture is, shift-tolerantly, at least
   ``motion_similarity`` like the frame before it, in about the same colours
   (``motion_max_colour``), is the camera moving.
5. Otherwise a cut at the candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from vidtools.shots.feedloss import LOSS_LABELS, FrameRef, LabelledFrame, ref
from vidtools.shots.params import ShotParams
from vidtools.shots.signals import correlation, mean_abs_diff, similarity
from vidtools.types import ShotEvent


class CandidateDetector:
    """PySceneDetect's AdaptiveDetector over a stream of thumbnails, with ContentDetector's test
    applied to the same content score.

    AdaptiveDetector *is* a ContentDetector that keeps the HSV content score of the frame it last
    processed (``_frame_score``); reading it applies ContentDetector's threshold test without
    computing the score twice (half the cost of running both detectors, which is a third of the
    analyser's time). ``tests/unit/test_shots.py`` checks that the installed PySceneDetect still
    keeps it and that it equals ContentDetector's own score.

    Args:
        params: Thresholds (``detector_width``, ``content_threshold``, ``adaptive_threshold``,
            ``min_content_val``, ``window_width``).
        rate: Nominal frame rate (frames per second) for PySceneDetect's timecodes.

    Attributes:
        lag: Frames by which a candidate can be reported after its own frame.
    """

    def __init__(self, params: ShotParams, rate: float) -> None:
        from fractions import Fraction

        from scenedetect.detectors import AdaptiveDetector

        self._params = params
        self._rate = Fraction(rate).limit_denominator(1_000_000)
        self._adaptive = AdaptiveDetector(
            adaptive_threshold=params.adaptive_threshold,
            min_scene_len=0,
            window_width=params.window_width,
            min_content_val=params.min_content_val,
        )
        self.lag = params.window_width

    def push(self, index: int, thumb: np.ndarray) -> list[int]:
        """Feed the next frame (consecutive source indices); returns the candidate frame
        indices reported now (this frame's, or an earlier one's within :attr:`lag`)."""
        from scenedetect.common import FrameTimecode

        f = thumb.shape[1] // self._params.detector_width
        if f >= 2:  # an integer factor on a cropped copy: OpenCV's fast area-resize path
            h, w = thumb.shape[0] - thumb.shape[0] % f, thumb.shape[1] - thumb.shape[1] % f
            thumb = cv2.resize(thumb[:h, :w], (w // f, h // f), interpolation=cv2.INTER_AREA)
        found = [int(c.frame_num) for c in self._adaptive.process_frame(FrameTimecode(int(index), fps=self._rate), thumb)]
        if (self.content_score or 0.0) >= self._params.content_threshold:
            found.append(int(index))
        return found

    @property
    def content_score(self) -> float | None:
        """ContentDetector's score of the last frame pushed (None before two frames)."""
        return self._adaptive._frame_score  # a PySceneDetect internal: see the class docstring


@dataclass(frozen=True)
class CutVerdict:
    """What a candidate was.

    Attributes:
        boundary: First frame of the new shot (the candidate, or a later frame of a flash
            transition), or None when it is not a cut.
        settled_until: Candidates up to this source index are decided by this verdict.
        event: A flash that was not a cut (for transparency), or None.
    """

    boundary: FrameRef | None = None
    settled_until: int = -1
    event: ShotEvent | None = None


def _returns(pre: LabelledFrame, later: LabelledFrame, d0: float, bright: bool, p: ShotParams) -> bool:
    if later.label in LOSS_LABELS or pre.sig.std < p.min_texture_std:
        return False
    if bright:  # back to the level before the flash, and the same view
        if later.sig.mean >= pre.sig.mean + p.flash_rise:
            return False
    elif mean_abs_diff(pre.sig.g, later.sig.g) > p.flash_return_ratio * d0:
        return False
    return similarity(pre.sig.g, later.sig.g) >= p.flash_return_corr


def judge_candidate(
    cand: LabelledFrame,
    before: Sequence[LabelledFrame],
    ahead: Sequence[LabelledFrame],
    last_boundary_t: float,
    params: ShotParams,
) -> CutVerdict:
    """Decide whether a candidate is a cut (see the module docstring).

    Args:
        cand: The candidate frame.
        before: Committed frames before it, oldest first (at least the last ``flash_max_s``).
        ahead: Frames after it in the look-ahead, in order.
        last_boundary_t: Time of the first frame of the current shot (s).
        params: Thresholds.

    Returns:
        :class:`CutVerdict`.
    """
    p = params
    if not before or cand.t - last_boundary_t < p.min_shot_s:
        return CutVerdict()
    pre = before[-1]
    window = [f for f in ahead if f.t - cand.t <= p.flash_max_s]
    bright = cand.sig.mean >= pre.sig.mean + p.flash_rise
    d0 = mean_abs_diff(pre.sig.g, cand.sig.g)

    # 2. a transient inside the shot: the picture comes back
    for later in window:
        if _returns(pre, later, d0, bright, p):
            event = ShotEvent("flash", cand.index, later.index - 1, round(cand.t, 6))
            return CutVerdict(settled_until=later.index, event=event)
    for b in reversed(before[:-1] if not bright else ()):
        if cand.t - b.t > p.flash_max_s or b.t < last_boundary_t:
            break
        if b.label in LOSS_LABELS or abs(b.sig.mean - cand.sig.mean) >= p.flash_rise:
            continue
        if mean_abs_diff(b.sig.g, cand.sig.g) <= p.flash_return_ratio * d0 and similarity(b.sig.g, cand.sig.g) >= p.flash_return_corr:
            first = next(f for f in before if f.index > b.index)
            event = ShotEvent("flash", first.index, cand.index - 1, round(first.t, 6))
            return CutVerdict(settled_until=cand.index, event=event)

    # 3. a flash transition: a bright run that ends in a different picture
    if bright:
        run = [cand]
        post = None
        peak = cand.sig.mean
        for f, after in zip(window, [*window[1:], None]):
            if f.label in LOSS_LABELS:
                return CutVerdict(settled_until=f.index)  # the strike's own flash
            settled = after is not None and abs(after.sig.mean - f.sig.mean) <= p.flash_settle
            if f.sig.mean <= peak - p.flash_rise and settled:
                post = f
                break
            peak = max(peak, f.sig.mean)
            run.append(f)
        if post is not None:
            split = post
            for f in run:
                if correlation(f.sig.g, post.sig.g) > correlation(f.sig.g, pre.sig.g):
                    split = f
                    break
            return CutVerdict(boundary=ref(split), settled_until=post.index)

    # 4. camera motion
    recoloured = max(abs(a - b) for a, b in zip(cand.sig.colour, pre.sig.colour)) > p.motion_max_colour
    if not recoloured and similarity(pre.sig.g, cand.sig.g) >= p.motion_similarity:
        return CutVerdict(settled_until=cand.index)
    return CutVerdict(boundary=ref(cand), settled_until=cand.index)
