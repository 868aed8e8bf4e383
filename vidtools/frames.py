"""Decode clips sequentially (threaded PyAV), sample frames, export frames to image files.

Every frame carries its exact source frame index (its position among all decoded frames) and
its time in seconds from the presentation timestamp (pts x time_base, relative to the stream
start). Decoding never seeks per frame; frames stream through a small bounded queue, so memory
does not grow with the clip's length.
"""

from __future__ import annotations

import csv
import io
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vidtools.errors import UsageError, VideoOpenError
from vidtools.io import atomic_write_bytes, atomic_write_text
from vidtools.probe import _short, open_container, stream_fps
from vidtools.probe import frame_rotation as _frame_rotation
from vidtools.thermal import to_bgr
from vidtools.types import Frame

_QUEUE_FRAMES = 256  # decoded frames ahead of the consumer (thumbnails only: small)
_QUEUE_IMAGES = 8  # full-size images ahead of the consumer (bounds memory whatever the stride)


class Sampler:
    """Decides which decoded frames are analysed.

    ``every=N`` keeps the first frame of the segment and every N-th after it (with no
    ``start`` that is source indices 0, N, 2N, ... like ultralytics' ``vid_stride``).
    ``fps=F`` keeps the first frame at or after each multiple of 1/F seconds.
    """

    def __init__(self, every: int = 1, fps: float | None = None) -> None:
        if every < 1:
            raise UsageError(f"every must be >= 1, got {every}")
        if fps is not None and fps <= 0:
            raise UsageError(f"fps must be > 0, got {fps}")
        self.every = every
        self.period = None if fps is None else Fraction(fps).limit_denominator(1_000_000) ** -1
        self._first: int | None = None
        self._next_t: float | None = None

    def __call__(self, index: int, t: float) -> bool:
        if self._first is None:
            self._first = index
        if self.period is None:
            return (index - self._first) % self.every == 0
        if self._next_t is None:
            self._next_t = t
        if t + 1e-9 >= self._next_t:
            step = float(self.period)
            while self._next_t <= t + 1e-9:
                self._next_t += step
            return True
        return False

    def rate(self, source_fps: float) -> float:
        """Sampled frames per second for a clip of ``source_fps``."""
        if self.period is not None:
            return min(float(1 / self.period), source_fps)
        return source_fps / self.every


@dataclass(frozen=True, eq=False)
class DecodedFrame:
    """A frame as it leaves the decoder.

    Attributes:
        index: Source frame index.
        t: Seconds from pts.
        sampled: Whether the sampler selected it.
        image: Full-size HxWx3 uint8 BGR for sampled frames, else None.
        thumb: Downscaled hxwx3 uint8 BGR (every frame) when a thumbnail size was asked, else None.
    """

    index: int
    t: float
    sampled: bool
    image: np.ndarray | None
    thumb: np.ndarray | None


def pts_seconds(frame: Any, time_base: Any, start_pts: int | None) -> float | None:
    """A decoded frame's time in seconds from the stream start (pts x time_base), or None when
    the frame has no pts. The one place vidtools turns timestamps into seconds."""
    if frame.pts is None or time_base is None:
        return None
    return float((frame.pts - (start_pts or 0)) * time_base)


def _rotate(img: np.ndarray, rotation: int) -> np.ndarray:
    import cv2

    if rotation == 90:
        return cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE)
    if rotation == 180:
        return cv2.rotate(img, cv2.ROTATE_180)
    if rotation == 270:
        return cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return img


def decode(
    path: str | os.PathLike[str],
    *,
    sampler: Callable[[int, float], bool] | None = None,
    start: float | None = None,
    end: float | None = None,
    thumb_width: int | None = None,
    images: bool = True,
) -> Iterator[DecodedFrame]:
    """Decode a clip in a background thread and yield every frame of ``[start, end)``.

    Args:
        path: Video file.
        sampler: ``sampler(index, t) -> bool`` picks the frames that get a full image
            (default: every frame).
        start: Seconds; frames before it are decoded (to keep exact indices) but not yielded.
        end: Seconds; decoding stops at the first frame at or after it.
        thumb_width: If set, every yielded frame also gets a thumbnail this many pixels wide
            (aspect kept, converted in the decoder, cheap).
        images: If False, no full-size image is converted at all (thumbnails only).

    Yields:
        :class:`DecodedFrame` in presentation order.

    Raises:
        VideoOpenError: unreadable, corrupt, truncated, or no frames at all.
    """
    sampler = sampler or (lambda i, t: True)
    container, stream = open_container(path)
    stream.thread_type = "AUTO"
    tb = stream.time_base
    t0 = stream.start_time
    fps = stream_fps(stream)
    declared = int(stream.frames or 0)
    q: queue.Queue[Any] = queue.Queue(maxsize=_QUEUE_FRAMES)
    image_slots = threading.BoundedSemaphore(_QUEUE_IMAGES)
    stop = threading.Event()
    done = object()

    def put(item: Any) -> bool:
        if isinstance(item, DecodedFrame) and item.image is not None:
            while not image_slots.acquire(timeout=0.1):
                if stop.is_set():
                    return False
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        import av
        from av.video.reformatter import VideoReformatter

        # one reformatter for the whole clip: it keeps its swscale context between frames
        # (frame.reformat() builds a new one per call, 3-10x slower for thumbnails)
        reformatter = VideoReformatter()
        index = -1
        last_t = None
        try:
            for frame in container.decode(stream):
                index += 1
                t = pts_seconds(frame, tb, t0)
                if t is None:
                    t = last_t + float(1 / fps) if last_t is not None and fps else 0.0
                last_t = t
                if start is not None and t < start - 1e-9:
                    continue
                if end is not None and t >= end - 1e-9:
                    break
                sampled = bool(sampler(index, t))
                rot = _frame_rotation(frame)
                image = thumb = None
                if sampled and images:
                    image = _rotate(to_bgr(frame), rot)
                if thumb_width:
                    w, h = frame.width, frame.height
                    if rot in (90, 270):
                        w, h = h, w
                    tw = max(8, min(thumb_width, w))
                    th = max(2, int(round(h * tw / w)))
                    if rot in (90, 270):
                        tw, th = th, tw
                    small = reformatter.reformat(
                        frame, width=tw - tw % 2, height=th - th % 2, format="bgr24", interpolation="AREA"
                    )
                    thumb = _rotate(small.to_ndarray(), rot)
                if not put(DecodedFrame(index, t, sampled, image, thumb)):
                    return
            if index < 0:
                put(VideoOpenError(path, "contains no decodable video frames (zero-frame or corrupt video)"))
            elif end is None and start is None and declared > 10 and index + 1 < 0.9 * declared:
                put(VideoOpenError(path, f"truncated: only {index + 1} of {declared} frames could be decoded"))
        except av.error.FFmpegError as e:
            put(VideoOpenError(path, f"corrupt or truncated: decoding failed after frame {index}: {_short(e)}"))
        except Exception as e:  # noqa: BLE001 - handed to the consumer thread, re-raised there
            put(e)
        finally:
            put(done)

    thread = threading.Thread(target=work, name="vidtools-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                break
            if isinstance(item, BaseException):
                raise item
            if item.image is not None:
                image_slots.release()
            yield item
    finally:
        stop.set()
        thread.join(timeout=10)
        container.close()


def iter_frames(
    path: str | os.PathLike[str],
    *,
    every: int = 1,
    fps: float | None = None,
    start: float | None = None,
    end: float | None = None,
) -> Iterator[Frame]:
    """Stream the sampled frames of a clip.

    Args:
        path: Video file.
        every: Keep every N-th frame (source indices 0, N, 2N, ... from the segment start).
        fps: Or keep frames at this rate (frames per second).
        start: Segment start (s).
        end: Segment end (s, exclusive).

    Yields:
        :class:`Frame` (source index, pts time in seconds, HxWx3 uint8 BGR image).

    Raises:
        VideoOpenError: unreadable, corrupt, truncated, or no frames at all.
        UsageError: invalid sampling options.
    """
    if fps is not None and every != 1:
        raise UsageError("give either every or fps, not both")
    sampler = Sampler(every, fps)
    for d in decode(path, sampler=sampler, start=start, end=end):
        if d.sampled:
            yield Frame(d.index, d.t, d.image)  # type: ignore[arg-type]


def frame_filename(index: int, t: float, fmt: str) -> str:
    """File name that carries the source frame index and the time, e.g. ``f000150_t5.000s.jpg``."""
    return f"f{index:06d}_t{t:.3f}s.{fmt}"


def encode_image(image: np.ndarray, fmt: str, path_for_errors: str = "", *, quality: int = 95) -> bytes:
    """Encode a BGR image as JPEG (``quality`` 0-100) or PNG bytes."""
    import cv2

    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if fmt == "jpg" else []
    ok, buf = cv2.imencode("." + fmt, image, params)
    if not ok:
        raise VideoOpenError(path_for_errors, f"could not encode a frame as {fmt}")
    return buf.tobytes()


def export_frames(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    every: int = 1,
    fps: float | None = None,
    start: float | None = None,
    end: float | None = None,
    fmt: str = "jpg",
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write sampled frames as images plus ``index.csv`` (frame_index, t_s, file).

    Each image is written atomically; ``index.csv`` last, so a folder with an ``index.csv``
    is complete.

    Returns:
        Path of ``index.csv``.
    """
    if fmt not in ("jpg", "png"):
        raise UsageError(f"format must be jpg or png, got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n, frame in enumerate(iter_frames(path, every=every, fps=fps, start=start, end=end), 1):
        name = frame_filename(frame.index, frame.t, fmt)
        atomic_write_bytes(out / name, encode_image(frame.image, fmt, str(path)))
        rows.append((frame.index, round(frame.t, 6), name))
        if progress:
            progress(n)
    return write_index_csv(out, ["frame_index", "t_s", "file"], rows)


def write_index_csv(out_dir: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write ``out_dir/index.csv`` atomically, last, so a folder with an index is complete."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return atomic_write_text(out_dir / "index.csv", buf.getvalue())
