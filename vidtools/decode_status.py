"""How completely a clip decoded: damaged stretches and a short end, turned into a ClipStatus.

The decoder reports every frame it produced (with FFmpeg's "decoded with errors" flag), every
packet or read that failed, and how decoding ended; :class:`DecodeTracker` turns that into a
:class:`vidtools.types.ClipStatus`:

- a *gap* is a stretch between two clean frames where packets failed to decode, or frames came
  out damaged (FFmpeg concealed errors in them). Damaged frames are still analysed; the gap says
  where to distrust them. A timestamp jump longer than :data:`JUMP_MIN_S` and
  :data:`JUMP_MIN_FRAMES` frame durations is a gap of its own only in a stream without an index
  (MPEG transport / program streams, where it means lost packets); elsewhere (MP4, Matroska,
  ...) such a jump is what a variable-frame-rate recording does when the picture holds still,
  so it only adds to the description of a gap that damage already opened.
- the clip is *cut short* when decoding reached the end of the file before the duration its
  header declares (by more than half a frame when the video stream states its own
  duration, by more than a quarter second or so when only the container's is known), and
  *frames are missing* when fewer frames decoded than the header declares (an exact sample
  count in MP4 / MOV / AVI), beyond those whose packets failed (already in the gaps) and those
  the container marks as not to be shown.

A clip with a gap or cut short is ``partial``; otherwise ``complete``. Pure logic, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from vidtools.types import ClipStatus, DecodeGap

JUMP_MIN_S = 1.0
"""A timestamp jump is a gap only when it is longer than this (s) ..."""
JUMP_MIN_FRAMES = 10
"""... and longer than this many nominal frame durations (variable-frame-rate holds are shorter)."""
SHORT_FRAMES_EXACT = 0.5
"""Cut short, by a duration the video stream itself declares: its last frame (with its own
duration) ends more than this many frame durations early (intact files end exactly on it)."""
SHORT_SECONDS_CONTAINER = (0.25, 2, 0.01)
"""Cut short, by the container's duration (which may include a longer audio track): the last
frame ends more than max(0.25 s, 2 frame durations, 1 %) early."""


@dataclass
class _Pending:
    """What went wrong since the last clean frame."""

    failed_packets: int = 0
    damaged_frames: int = 0
    jump_s: float = 0.0
    first_error: str | None = None

    def __bool__(self) -> bool:
        return bool(self.failed_packets or self.damaged_frames or self.jump_s)

    def reason(self) -> str:
        parts = []
        if self.failed_packets:
            what = f": {self.first_error}" if self.first_error else ""
            parts.append(f"{self.failed_packets} packet(s) could not be decoded{what}")
        if self.damaged_frames:
            parts.append(f"{self.damaged_frames} frame(s) decoded with errors (damaged picture)")
        if self.jump_s:
            parts.append(f"no frame for {self.jump_s:.3f} s (timestamps jump: frames lost)")
        return "; ".join(parts)


class DecodeTracker:
    """Collects what one decode pass saw; :meth:`finish` returns the :class:`ClipStatus`.

    Args:
        declared_frames: Frame count in the header (0 or None: not declared).
        declared_duration_s: Duration in the header (s), None when unknown.
        frame_duration_s: Nominal frame duration (s, 1 / fps), None when unknown.
        duration_is_video: Whether ``declared_duration_s`` is the video stream's own (exact) rather
            than the container's (which may include a longer audio track).
        start: Segment start (s); gaps that end before it are not reported.
        end: Segment end (s); the clip is not cut short when decoding got there.
        jumps_are_gaps: Whether a timestamp jump alone is a gap (streams without an index).
    """

    def __init__(
        self,
        declared_frames: int | None,
        declared_duration_s: float | None,
        frame_duration_s: float | None,
        *,
        duration_is_video: bool = True,
        start: float | None = None,
        end: float | None = None,
        jumps_are_gaps: bool = False,
    ) -> None:
        self._declared = int(declared_frames) if declared_frames else None
        self._duration = declared_duration_s if declared_duration_s and declared_duration_s > 0 else None
        self._dt = frame_duration_s if frame_duration_s and frame_duration_s > 0 else None
        self._start, self._end = start, end
        self._jumps = jumps_are_gaps
        self._n = 0
        self._last_t: float | None = None
        self._good: tuple[int, float] | None = None
        self._pending = _Pending()
        self._gaps: list[DecodeGap] = []
        self._failed = 0
        self._discarded = 0
        self._last_dur = self._dt
        self._exact = duration_is_video

    @property
    def frames(self) -> int:
        """Frames decoded so far (damaged ones included)."""
        return self._n

    @property
    def first_error(self) -> str | None:
        """The first failure not yet closed into a gap (for a clip where nothing decoded)."""
        return self._pending.first_error

    def error(self, reason: str) -> None:
        """A packet could not be decoded, or the container could not be read."""
        self._pending.failed_packets += 1
        self._failed += 1
        if self._pending.first_error is None:
            self._pending.first_error = reason

    def discarded(self) -> None:
        """A packet the container marks as not to be shown (edit list): it yields no frame and
        is not missing."""
        self._discarded += 1

    def frame(self, index: int, t: float, damaged: bool = False, duration_s: float | None = None) -> None:
        """A decoded frame: source index, time (s), FFmpeg's "decoded with errors" flag, and
        how long it is shown (s; the nominal frame duration when None)."""
        self._n = max(self._n, index + 1)
        self._last_dur = duration_s if duration_s and duration_s > 0 else self._dt
        if self._last_t is not None and self._dt is not None:
            jump = t - self._last_t
            if jump > JUMP_MIN_S and jump > JUMP_MIN_FRAMES * self._dt and (self._jumps or damaged or self._pending):
                self._pending.jump_s += jump - self._dt
        self._last_t = t
        if damaged:
            self._pending.damaged_frames += 1
            return
        if self._pending:
            after, start_t = self._good if self._good is not None else (-1, 0.0)
            self._gaps.append(DecodeGap(after, start_t, t, self._pending.reason()))
            self._pending = _Pending()
        self._good = (index, t)

    def finish(self, *, reached_end_of_file: bool = True) -> ClipStatus:
        """The status once decoding has stopped.

        Args:
            reached_end_of_file: False when decoding stopped at the segment end (nothing after
                it was looked at), True when the file ran out.
        """
        gaps = list(self._gaps)
        if self._pending:
            after, start_t = self._good if self._good is not None else (-1, 0.0)
            gaps.append(DecodeGap(after, start_t, None, self._pending.reason() + "; decoding did not recover"))
        if self._start is not None:
            gaps = [g for g in gaps if g.end_t is None or g.end_t >= self._start]
        reasons = []
        if gaps:
            reasons.append(f"{len(gaps)} damaged stretch(es) ({_times(gaps)})")
        short = self._short() if reached_end_of_file else None
        if short:
            reasons.append(short)
        return ClipStatus(
            state="partial" if reasons else "complete",
            reason="; ".join(reasons) if reasons else None,
            frames_decoded=self._n,
            frames_declared=self._declared,
            duration_declared_s=round(self._duration, 6) if self._duration is not None else None,
            last_good_frame=self._good[0] if self._good else None,
            last_good_t=round(self._good[1], 6) if self._good else None,
            gaps=tuple(gaps),
        )

    def _short(self) -> str | None:
        """One line when the decoded clip ends well before what its header declares, or has
        fewer frames than it declares beyond those whose packets failed (already gaps)."""
        end_t = (self._last_t + (self._last_dur or 0.0)) if self._last_t is not None else 0.0
        if self._end is not None and end_t >= self._end - (self._dt or 0.0):
            return None  # decoding reached the requested segment end
        reasons = []
        if self._duration is not None:
            if self._exact and self._dt:
                tol = SHORT_FRAMES_EXACT * self._dt
            else:
                floor_s, n_frames, share = SHORT_SECONDS_CONTAINER
                tol = max(floor_s, n_frames * (self._dt or 0.0), share * self._duration)
            target = self._duration if self._end is None else min(self._end, self._duration)
            if end_t < target - tol:
                reasons.append(f"cut short: decoding ended at {self._last_t or 0.0:.3f} s of the "
                               f"{self._duration:.3f} s the header declares")
        if self._declared and self._end is None:
            missing = self._declared - self._n - self._failed - self._discarded
            if missing > 0:
                reasons.append(f"frames missing: {self._n} of the {self._declared} frames the header declares decoded")
        return "; ".join(reasons) or None


def _times(gaps: list[DecodeGap]) -> str:
    shown = [f"{g.start_t:.3f}-{g.end_t:.3f} s" if g.end_t is not None else f"from {g.start_t:.3f} s" for g in gaps[:3]]
    more = f", +{len(gaps) - 3} more" if len(gaps) > 3 else ""
    return ", ".join(shown) + more
