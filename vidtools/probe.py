"""probe(path) -> VideoInfo: container / stream metadata and the file's sha256."""

from __future__ import annotations

import hashlib
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidtools.errors import VideoOpenError
from vidtools.types import VideoInfo


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_readable(path: str | os.PathLike[str]) -> Path:
    """Raise :class:`VideoOpenError` for a missing, unreadable or empty file.

    Returns:
        The path as a :class:`~pathlib.Path`.
    """
    p = Path(path)
    if not p.exists():
        raise VideoOpenError(p, "file not found; check the path")
    if p.is_dir():
        raise VideoOpenError(p, "is a directory, not a video file")
    try:
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except OSError as e:
        raise VideoOpenError(p, f"cannot be read ({e.strerror}); check its permissions") from None
    if size == 0:
        raise VideoOpenError(p, "file is empty (0 bytes); download it again")
    return p


def open_container(path: str | os.PathLike[str]) -> Any:
    """Open a file with PyAV and return ``(container, video_stream)``.

    Raises:
        VideoOpenError: missing, empty, not a media file, corrupt, or without a video stream.
    """
    import av

    p = check_readable(path)
    try:
        container = av.open(str(p), mode="r")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as e:
        raise VideoOpenError(p, f"not a readable video (corrupt, truncated or not a video file: {_short(e)})") from None
    if not container.streams.video:
        has_other = bool(container.streams)
        container.close()
        if has_other:
            raise VideoOpenError(p, "contains no video stream (audio-only or not a video)")
        raise VideoOpenError(p, "contains no streams at all (truncated download, zero-frame file, or not a video)")
    return container, container.streams.video[0]


def _short(e: BaseException) -> str:
    msg = getattr(e, "strerror", None) or str(e)
    return msg.splitlines()[0][:160] if msg else e.__class__.__name__


def frame_rotation(frame: Any) -> int:
    """Clockwise display rotation (0/90/180/270) of a decoded PyAV frame, from its display matrix
    (PyAV reports it counter-clockwise). Decoded images are turned by this much, as OpenCV does."""
    try:
        return int(round(-float(frame.rotation))) % 360
    except (AttributeError, TypeError, ValueError):
        return 0


def _tag_rotation(stream: Any) -> int:
    try:
        tag = (stream.metadata or {}).get("rotate")
        return int(float(tag)) % 360 if tag is not None else 0
    except (ValueError, TypeError):
        return 0


def display_rotation(path: str | os.PathLike[str]) -> int:
    """Clockwise display rotation of a clip's video: the first frame's display matrix (phone
    footage), else the legacy ``rotate`` tag, else 0."""
    import av

    container, stream = open_container(path)
    try:
        for frame in container.decode(stream):
            return frame_rotation(frame) or _tag_rotation(stream)
    except av.error.FFmpegError:
        pass
    finally:
        container.close()
    return 0


def displayed_size(path: str | os.PathLike[str], stream: Any) -> tuple[int, int, int]:
    """``(width, height, rotation)`` of the picture as displayed (width and height swapped for a
    90/270 degree display rotation, as the decoder turns the frames).

    Raises:
        VideoOpenError: the stream has no picture size.
    """
    rotation = display_rotation(path)
    width, height = stream.codec_context.width, stream.codec_context.height
    if rotation in (90, 270):
        width, height = height, width
    if not width or not height:
        raise VideoOpenError(path, "video stream has no picture size (corrupt header)")
    return int(width), int(height), rotation


def stream_fps(stream: Any) -> Fraction:
    """Exact average frame rate of a stream as a Fraction (falls back to the guessed rate)."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return Fraction(rate.numerator, rate.denominator)
    return Fraction(0)


def probe(path: str | os.PathLike[str], *, count_frames: bool = False) -> VideoInfo:
    """Read a clip's metadata without decoding it.

    Args:
        path: Video file.
        count_frames: Count frames by demuxing packets even when the container states a count
            (the container's count is used otherwise; packets are counted when it is absent).

    Returns:
        :class:`VideoInfo` with exact fps, frame count, duration (s), rotation and sha256.

    Raises:
        VideoOpenError: the file is missing, empty, corrupt or has no video stream.
    """
    import av

    container, stream = open_container(path)
    try:
        fps = stream_fps(stream)
        tb = stream.time_base
        n = int(stream.frames or 0)
        duration = None
        if stream.duration is not None and tb is not None:
            duration = float(stream.duration * tb)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        if n == 0 or count_frames:
            try:
                n = sum(1 for pkt in container.demux(stream) if pkt.size)
            except av.error.FFmpegError as e:
                raise VideoOpenError(path, f"corrupt or truncated while reading packets: {_short(e)}") from None
        if n == 0:
            raise VideoOpenError(path, "contains no video frames (zero-frame video)")
        if duration is None:
            duration = float(n / fps) if fps else 0.0
        width, height, rotation = displayed_size(path, stream)
        return VideoInfo(
            path=str(path),
            sha256=sha256_file(path),
            container=container.format.name,
            codec=stream.codec_context.name,
            width=width,
            height=height,
            fps=fps,
            n_frames=n,
            duration_s=round(duration, 6),
            rotation=rotation,
        )
    finally:
        container.close()
