"""Grab individual frames of a clip by timestamp, for report images.

The analysis decodes a clip once, front to back, and keeps no images. Reports need a handful of
frames afterwards (a keyframe per shot, the last frames before each strike, a thumbnail).
:func:`grab_frames` fetches exactly those: requests are sorted by time and grouped; for each
group the demuxer seeks (by pts) to the nearest keyframe at or before the first request and
decodes forward, handing back a frame when its pts-based time matches the requested one. Requests
close behind each other are served by the same forward decode, so a clip is never decoded twice
over the same stretch and never held in memory.

Times are computed exactly as :func:`vidtools.frames.decode` computes them:
``(pts - stream.start_time) * time_base``, so a ``(frame_index, t_s)`` pair from a report's
``frames`` / ``detections`` table finds the same picture the detector saw.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from vidtools.errors import VideoOpenError
from vidtools.frames import _frame_rotation, _rotate, pts_seconds
from vidtools.probe import _short, open_container, stream_fps

log = logging.getLogger(__name__)

GROUP_GAP_S = 2.0
"""Requests less than this many seconds after the previous one are reached by decoding forward
instead of seeking again (decoding two seconds is cheaper than a seek plus a GOP)."""

_BACKOFF_S = (0.0, 3.0, 10.0, None)
"""How far before a request to seek when the demuxer lands after it (None = the clip start)."""


class _NoTimestamps(Exception):
    """The stream's frames carry no pts: time-based seeking cannot work."""


class _Grabber:
    """One open container; seeks and decodes forward on request."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self.container, self.stream = open_container(path)
        self.stream.thread_type = "AUTO"
        self.tb = self.stream.time_base
        self.t0 = self.stream.start_time
        fps = stream_fps(self.stream)
        self.half = 0.5 / float(fps) if fps else 0.02
        self._it: Iterator[Any] | None = None
        self._pending: tuple[float, Any] | None = None
        self.position: float | None = None
        """Time of the last decoded frame (None before the first decode after a seek)."""

    def close(self) -> None:
        self.container.close()

    def seek(self, t: float) -> None:
        """Position the demuxer on the keyframe at or before time ``t`` (s)."""
        pts = 0 if t <= 0 else int(t / float(self.tb)) + (self.t0 or 0)
        self.container.seek(pts, stream=self.stream, backward=True, any_frame=False)
        self._it = self.container.decode(self.stream)
        self._pending = None
        self.position = None

    def _next(self) -> tuple[float, Any] | None:
        if self._pending is not None:
            item, self._pending = self._pending, None
            return item
        if self._it is None:
            return None
        for frame in self._it:
            t = pts_seconds(frame, self.tb, self.t0)
            if t is None:
                raise _NoTimestamps()
            self.position = t
            return t, frame
        self._it = None
        return None

    def read_until(self, target: float) -> tuple[Any | None, float | None]:
        """Decode forward to the frame whose time is within half a frame of ``target``.

        Returns:
            (the frame or None, time of the first frame decoded by this call or None). The
            second value tells the caller whether the demuxer landed after the target.
        """
        first_t: float | None = None
        best: tuple[float, Any] | None = None
        while True:
            item = self._next()
            if item is None:
                break
            t, frame = item
            if first_t is None:
                first_t = t
            if t > target + self.half + 1e-6:
                self._pending = item  # the next request may want this very frame
                break
            d = abs(t - target)
            if best is None or d < best[0]:
                best = (d, frame)
        if best is not None and best[0] <= self.half + 1e-6:
            return best[1], first_t
        return None, first_t


def _to_bgr(frame: Any) -> np.ndarray:
    return _rotate(frame.to_ndarray(format="bgr24"), _frame_rotation(frame))


def _grab_sequential(path: str | os.PathLike[str], wanted: dict[int, float]) -> dict[int, np.ndarray]:
    """Fallback for streams without timestamps: decode from the start, match by frame index."""
    out: dict[int, np.ndarray] = {}
    container, stream = open_container(path)
    try:
        stream.thread_type = "AUTO"
        last = max(wanted)
        for index, frame in enumerate(container.decode(stream)):
            if index in wanted:
                out[index] = _to_bgr(frame)
            if index >= last:
                break
    finally:
        container.close()
    return out


def grab_frames(
    video_path: str | os.PathLike[str],
    frame_times: Sequence[tuple[int, float]],
) -> dict[int, np.ndarray]:
    """Decode the frames at the given times, seeking only between groups of nearby requests.

    Requests are sorted by time. For the first request of a group the demuxer seeks (by pts) to
    the nearest keyframe at or before it and decodes forward until a frame's time matches; a
    following request less than :data:`GROUP_GAP_S` later is reached by decoding on. Only the
    requested frames are kept.

    Args:
        video_path: The clip.
        frame_times: ``(source frame index, t_s)`` pairs, e.g. rows of ``report.frames``. The
            time selects the frame (pts-based, exactly as in the report); the index is the key
            of the result.

    Returns:
        ``{frame_index: HxWx3 uint8 BGR image}`` for every request found (display rotation
        applied, as in the analysis). A request whose time matches no frame of the clip (within
        half a frame interval) is left out and logged.

    Raises:
        VideoOpenError: the clip is missing or not a readable video, or decoding fails.
    """
    import av

    wanted: dict[int, float] = {int(i): float(t) for i, t in frame_times}
    if not wanted:
        return {}
    order = sorted(wanted.items(), key=lambda kv: (kv[1], kv[0]))
    out: dict[int, np.ndarray] = {}
    g = _Grabber(video_path)
    try:
        if g.tb is None:
            raise _NoTimestamps()
        for index, t in order:
            pos = g.position
            if pos is not None and t >= pos - g.half and t - pos <= GROUP_GAP_S:
                frame, _ = g.read_until(t)
            else:
                frame = None
                for back in _BACKOFF_S:
                    g.seek(0.0 if back is None else t - back)
                    frame, first_t = g.read_until(t)
                    if frame is not None or first_t is None or first_t <= t + g.half or back is None:
                        break  # found, or the seek landed early enough: no frame has this time
            if frame is not None:
                out[index] = _to_bgr(frame)
            else:
                log.info("%s: no frame at t=%.6f s (frame %d)", video_path, t, index)
    except _NoTimestamps:
        log.info("%s: frames carry no timestamps; grabbing by a sequential decode", video_path)
        g.close()
        return _grab_sequential(video_path, wanted)
    except av.error.FFmpegError as e:
        raise VideoOpenError(video_path, f"decoding failed while grabbing frames: {_short(e)}") from None
    finally:
        g.close()
    return out
