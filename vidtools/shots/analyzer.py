"""The streaming composer: one analyser per clip, fed every decoded frame in order.

It owns the look-ahead: every frame is measured (:mod:`~vidtools.shots.signals`), labelled
(:mod:`~vidtools.shots.feedloss`) and shown to the cut detectors
(:mod:`~vidtools.shots.cuts`) when it arrives, then waits in a short ring until enough frames
after it are known (``flash_max_s`` / ``fade_window_s`` plus the detectors' lag) to decide what
it was. Decisions are made by the detector modules; this class only applies them: it opens and
closes shots, records strikes (the one place a :class:`~vidtools.types.Strike` is made), and feeds
the per-shot letterbox and overlay statistics. No frame is stored beyond the ring and a window of
the last second, so memory does not grow with the clip's length.

A change of frame size mid-stream (resolution or rotation) ends the shot with end reason
``format_change`` and restarts every continuity-based signal for the new size.
"""

from __future__ import annotations

import math
from collections import deque
from fractions import Fraction

import numpy as np

from vidtools.errors import UsageError
from vidtools.shots.cuts import CandidateDetector, judge_candidate
from vidtools.shots.feedloss import (
    After,
    EpisodeBuilder,
    FrameRef,
    Label,
    LabelledFrame,
    StrikeCall,
    approach_of,
    classify,
    committed_label,
    judge_episode,
    ref,
)
from vidtools.shots.letterbox import Extent, LetterboxEstimator, union
from vidtools.shots.overlays import OverlayAccumulator, shot_overlays
from vidtools.shots.params import DEFAULT_PARAMS, ShotParams
from vidtools.shots.result import SegmentResult
from vidtools.shots.signals import FrameSignals, measure
from vidtools.types import Shot, ShotEvent, ShotLetterbox, ShotOverlays, Strike


class _Format:
    """Per frame size: the thumbnail shape, source size (``estimated`` until a full-size frame or
    the caller says it), cut detectors and letterbox estimate."""

    def __init__(self, params: ShotParams, rate: float, thumb_shape: tuple[int, int], size: tuple[int, int],
                 estimated: bool) -> None:
        self.thumb_shape = thumb_shape
        self.size = size
        self.estimated = estimated
        self.detector = CandidateDetector(params, rate)
        self.letterbox = LetterboxEstimator(params, thumb_shape)
        self.prev: FrameSignals | None = None


class SignalAnalyzer:
    """Streaming shot / strike / letterbox / overlay analysis of one clip (one per clip).

    Call :meth:`update` for every decoded frame in order with its thumbnail, :meth:`active_box`
    for the sampled frames (after their :meth:`update`), then :meth:`finish` once.

    Args:
        fps: Nominal frame rate of the clip (frames per second); durations are measured with the
            frames' own times, this only sizes the windows.
        width: Source frame width (px, as displayed).
        height: Source frame height (px).
        params: Thresholds.
        crop_bars: Find letterbox / pillarbox bars (else :meth:`active_box` is the full frame).
        mask_overlays: Find static overlays.
    """

    def __init__(
        self,
        fps: float | Fraction,
        width: int,
        height: int,
        *,
        params: ShotParams = DEFAULT_PARAMS,
        crop_bars: bool = True,
        mask_overlays: bool = True,
    ) -> None:
        if not fps or not math.isfinite(float(fps)) or float(fps) <= 0:
            raise UsageError(f"SignalAnalyzer needs the clip's frame rate > 0, got {fps!r}")
        if width <= 0 or height <= 0:
            raise UsageError(f"SignalAnalyzer needs a frame size > 0, got {width}x{height}")
        p = self.params = params
        self.fps = float(fps)
        self.width, self.height = int(width), int(height)
        self.crop_bars, self.mask_overlays = crop_bars, mask_overlays
        self._frame_s = 1.0 / self.fps

        def frames(seconds: float) -> int:
            return max(1, math.ceil(seconds * self.fps))

        self._lag = frames(max(p.flash_max_s, p.fade_window_s)) + p.window_width + 2
        self._hist_len = frames(max(p.motion_window_s, p.fade_window_s, p.flash_max_s)) + 2
        self._ov_stride = max(1, round(self.fps / p.overlay_rate))
        self._ov_ref_every = max(2, round(p.overlay_ref_s * p.overlay_rate))
        self._ov_min_n = max(3, round(p.overlay_min_s * p.overlay_rate))

        self._fmt: _Format | None = None
        self._last_index: int | None = None
        self._ring: deque[tuple[LabelledFrame, Extent | None]] = deque()
        self._cands: set[int] = set()
        # committed side
        self._hist: deque[LabelledFrame] = deque(maxlen=self._hist_len)
        self._last: LabelledFrame | None = None
        self._last_clear: FrameSignals | None = None
        self._episode: EpisodeBuilder | None = None
        self._settled_until = -1
        self._pending: FrameRef | None = None
        self._shot_start: FrameRef | None = None
        self._shot_extent: Extent | None = None
        self._shot_overlays: OverlayAccumulator | None = None
        self._end_reason = "end"
        self._shots: list[Shot] = []
        self._strikes: list[Strike] = []
        self._overlays: list[ShotOverlays] = []
        self._letterbox: list[ShotLetterbox] = []
        self._events: list[ShotEvent] = []
        self._finished = False

    # -- public API ------------------------------------------------------------------------

    def update(self, index: int, t: float, thumb: np.ndarray, *, size: tuple[int, int] | None = None) -> None:
        """Feed one decoded frame (every frame, in decoding order).

        Args:
            index: Source frame index.
            t: Time of the frame (s, from pts).
            thumb: (h, w, 3) uint8 BGR thumbnail, :data:`THUMB_WIDTH` wide (any width works).
            size: ``(width, height)`` of the source frame (px) when known. A change of size, or
                of the thumbnail's shape, is a format change: the shot ends with reason
                ``format_change``. When not given, the size is the constructor's while the
                thumbnail keeps its shape; after a change of shape it is estimated from the
                thumbnail (same pixel scale) until :meth:`active_box` sees a full-size frame.

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
        self._last_index = index
        fmt = self._format_for(thumb.shape[:2], size)

        sig = measure(index, t, thumb, fmt.prev, self.params)
        fmt.prev = sig
        label = classify(sig, self.params)
        self._cands.update(fmt.detector.push(index, thumb))
        extent = fmt.letterbox.update(sig, label) if self.crop_bars else None
        self._ring.append((LabelledFrame(sig, label), extent))
        while len(self._ring) > self._lag:
            self._commit(*self._ring.popleft())

    def active_box(self, image: np.ndarray) -> tuple[int, int, int, int]:
        """The active picture of a sampled frame, letterbox / pillarbox bars removed.

        Call after :meth:`update` of the same frame. The box is decided from the thumbnails of the
        shot so far (only growing within a shot) and placed on this full-size image to the pixel;
        it is stable within a shot.

        Args:
            image: (H, W, 3) uint8 BGR full-size frame.

        Returns:
            ``(x1, y1, x2, y2)`` in source pixels, exclusive end; the full frame when there are no
            bars (or ``crop_bars`` is off).
        """
        h, w = image.shape[:2]
        if self._fmt is not None and self._fmt.estimated:
            self._fmt.size, self._fmt.estimated = (w, h), False  # the size of this format, for sure
        if not self.crop_bars or self._fmt is None:
            return (0, 0, w, h)
        return self._fmt.letterbox.active_box(image)

    def finish(self) -> SegmentResult:
        """Flush the look-ahead and return the result of the segment.

        Raises:
            UsageError: no frame was given, or finish() was called twice.
        """
        if self._finished:
            raise UsageError("SignalAnalyzer.finish() called twice")
        if self._last_index is None:
            raise UsageError("SignalAnalyzer.finish(): no frames were analysed")
        self._flush("end")
        self._finished = True
        return SegmentResult(
            shots=list(self._shots),
            strikes=list(self._strikes),
            overlays=list(self._overlays),
            letterbox=list(self._letterbox),
            events=sorted(self._events, key=lambda e: e.start_frame),
            params=self.params,
            fps=self.fps,
            width=self.width,
            height=self.height,
        )

    # -- formats -------------------------------------------------------------------------------

    def _format_for(self, thumb_shape: tuple[int, int], size: tuple[int, int] | None) -> _Format:
        fmt = self._fmt
        if fmt is not None and thumb_shape == fmt.thumb_shape and (size is None or tuple(size) == fmt.size):
            return fmt
        if fmt is not None and thumb_shape == fmt.thumb_shape and fmt.estimated:
            fmt.size, fmt.estimated = (int(size[0]), int(size[1])), False  # type: ignore[index]
            return fmt
        estimated = False
        if size is None:
            estimated = fmt is not None
            size = (self.width, self.height) if fmt is None else _scaled_size(fmt, thumb_shape)
        if fmt is not None:
            self._flush("format_change")
        self._fmt = _Format(self.params, self.fps, thumb_shape, (int(size[0]), int(size[1])), estimated)
        return self._fmt

    def _flush(self, reason: str) -> None:
        """Decide every pending frame and close the last shot (the end of the segment, or of a
        frame size)."""
        while self._ring:
            self._commit(*self._ring.popleft())
        self._end_reason = reason
        if self._episode is not None:
            self._close_episode(None)
        if self._last is not None and self._shot_start is not None:
            self._close_shot(ref(self._last), self._end_reason)
        self._shot_start = None
        self._hist.clear()
        self._last = None
        self._last_clear = None
        self._pending = None
        self._cands.clear()

    # -- committed processing (frames leave the look-ahead in order) --------------------------

    def _commit(self, frame: LabelledFrame, extent: Extent | None) -> None:
        if self._pending is not None and frame.index >= self._pending.index:
            if self._last is not None:
                self._boundary(self._pending, ref(self._last), "cut")
            self._pending = None
        if self._shot_start is None:
            self._open_shot(ref(frame))
        p = self.params
        label = committed_label(frame, (f for f, _ in self._ring), frame.index in self._cands,
                                self._episode.label if self._episode is not None else None, p, self._frame_s)
        if label != frame.label:
            frame = LabelledFrame(frame.sig, label)
        if frame.label != Label.CLEAR:
            hist = list(self._hist)
            if self._episode is None:
                if not (self._shot_start is not None):
                    raise RuntimeError("SignalAnalyzer: internal state out of order (self._shot_start is not None)")
                approach = approach_of(hist, self._last_clear, self._shot_start.index, p)
                self._episode = EpisodeBuilder(frame, approach, hist, p, self._hist_len)
            else:
                self._episode.add(frame, hist)
        else:
            settled = self._close_episode(frame) if self._episode is not None else False
            if not settled and frame.index in self._cands and frame.index > self._settled_until:
                self._judge_cut(frame)
            self._last_clear = frame.sig
        self._cands.discard(frame.index)
        if frame.label in (Label.CLEAR, Label.STILL) and frame.sig.std >= p.flat_std:
            if extent is not None:
                self._shot_extent = union(self._shot_extent, extent)
            if self._shot_overlays is not None:
                self._shot_overlays.add(frame.sig)
        self._hist.append(frame)
        self._last = frame

    def _judge_cut(self, frame: LabelledFrame) -> None:
        if not (self._shot_start is not None):
            raise RuntimeError("SignalAnalyzer: internal state out of order (self._shot_start is not None)")
        ahead = [f for f, _ in self._ring]
        v = judge_candidate(frame, list(self._hist), ahead, self._shot_start.t, self.params)
        self._settled_until = max(self._settled_until, v.settled_until)
        if v.event is not None:
            self._events.append(v.event)
        if v.boundary is not None and self._last is not None:
            if v.boundary.index <= frame.index:
                self._boundary(v.boundary, ref(self._last), "cut")
            else:
                self._pending = v.boundary

    def _close_episode(self, nxt: LabelledFrame | None) -> bool:
        """Judge the finished episode; True when ``nxt`` needs no cut judgement of its own."""
        if not (self._episode is not None):
            raise RuntimeError("SignalAnalyzer: internal state out of order (self._episode is not None)")
        ep, self._episode = self._episode.build(), None
        ahead = tuple(f for f, _ in self._ring)
        after = After(nxt, ahead, nxt is not None and nxt.index in self._cands)
        v = judge_episode(ep, after, self.params, self._frame_s)
        if v.strike is not None:
            self._strike(v.strike, None if nxt is None else ref(nxt))
        for b in v.boundaries:
            self._boundary(b.start, b.end, b.reason)
        if v.event is not None:
            self._events.append(v.event)
        if nxt is not None and v.settles_next:
            self._settled_until = max(self._settled_until, nxt.index)
        return v.settles_next

    def _strike(self, call: StrikeCall, nxt: FrameRef | None) -> None:
        """Record a feed loss that ends the current shot (the one place strikes are made)."""
        duration = (nxt.t if nxt is not None else call.last.t + self._frame_s) - call.first.t
        self._strikes.append(
            Strike(
                index=len(self._strikes),
                shot=len(self._shots),
                kind=call.kind,
                start_frame=call.first.index,
                t=round(call.first.t, 6),
                duration_s=round(max(duration, 0.0), 6),
                end_frame=call.last.index,
            )
        )
        if nxt is None:
            self._end_reason = call.kind

    def _boundary(self, start: FrameRef, end: FrameRef, reason: str) -> None:
        """Close the current shot at ``end`` and open the next at ``start``."""
        if self._shot_start is None or start.index <= self._shot_start.index or end.index < self._shot_start.index:
            return
        self._close_shot(end, reason)
        self._open_shot(start)

    def _open_shot(self, start: FrameRef) -> None:
        self._shot_start = start
        self._shot_extent = None
        self._shot_overlays = None
        if self.mask_overlays and self._fmt is not None:
            self._shot_overlays = OverlayAccumulator(self.params, self._fmt.thumb_shape, self._ov_stride, self._ov_ref_every)

    def _close_shot(self, end: FrameRef, reason: str) -> None:
        if not (self._shot_start is not None and self._fmt is not None):
            raise RuntimeError("SignalAnalyzer: internal state out of order (self._shot_start is not None and self._fmt is not None)")
        k = len(self._shots)
        start = self._shot_start
        self._shots.append(Shot(k, start.index, end.index, round(start.t, 6), round(end.t, 6), reason))
        box = self._fmt.letterbox.shot_box(self._shot_extent if self.crop_bars else None, self._fmt.size)
        w, h = self._fmt.size
        self._letterbox.append(ShotLetterbox(k, box, box != (0, 0, w, h)))
        acc = self._shot_overlays if self.mask_overlays else None
        self._overlays.append(shot_overlays(k, acc, self._shot_extent, self._fmt.size, self._ov_min_n, self.params))


def _scaled_size(fmt: _Format, thumb_shape: tuple[int, int]) -> tuple[int, int]:
    """Source size of a new thumbnail shape at the previous format's pixel scale (by area)."""
    (th, tw), (w, h) = fmt.thumb_shape, fmt.size
    s = math.sqrt((w * h) / (tw * th))
    return max(1, round(thumb_shape[1] * s)), max(1, round(thumb_shape[0] * s))
