"""probe(path) -> VideoInfo: container / stream metadata and the file's sha256."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

from vidtools.errors import VideoOpenError
from vidtools.names import display
from vidtools.types import VideoInfo

_READ_RETRIES = 3
"""Read errors in a row (no packet between them) after which a damaged file is read no further."""
_READ_RESTARTS = 10_000
"""Read errors in one file after which it is read no further (bounds the work on garbage)."""


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


_SPECIAL = (
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a video file; save the stream to a file and analyse that"),
    (stat.S_ISCHR, "is a character device, not a video file; vidtools reads regular files only"),
    (stat.S_ISBLK, "is a block device, not a video file; vidtools reads regular files only"),
    (stat.S_ISSOCK, "is a socket, not a video file; vidtools reads regular files only"),
)


def check_readable(path: str | os.PathLike[str]) -> Path:
    """Raise :class:`VideoOpenError` for a missing, unreadable, empty or special file.

    Directories, named pipes (FIFOs), devices and sockets are refused from their ``stat`` alone,
    before anything opens them (opening a FIFO would block until a writer appears).

    Returns:
        The path as a :class:`~pathlib.Path`.
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise VideoOpenError(p, "file not found; check the path") from None
    except OSError as e:
        raise VideoOpenError(p, f"cannot be read ({e.strerror}); check the path and its permissions") from None
    if stat.S_ISDIR(st.st_mode):
        raise VideoOpenError(p, "is a directory, not a video file")
    for test, reason in _SPECIAL:
        if test(st.st_mode):
            raise VideoOpenError(p, reason)
    if not stat.S_ISREG(st.st_mode):
        raise VideoOpenError(p, "is not a regular file; vidtools reads regular files only")
    try:
        with open(p, "rb"):
            pass
    except OSError as e:
        raise VideoOpenError(p, f"cannot be read ({e.strerror}); check its permissions") from None
    if st.st_size == 0:
        raise VideoOpenError(p, "file is empty (0 bytes); download it again")
    return p


def open_container(path: str | os.PathLike[str]) -> Any:
    """Open a file with PyAV and return ``(container, video_stream)``.

    The file is opened through FFmpeg's ``file:`` protocol with its absolute path, so a name
    that looks like a URL or protocol (``http:x.mp4``, ``concat:a|b``, ``-``) is read as the
    local file it is, never fetched or interpreted.

    Raises:
        VideoOpenError: missing, empty, special, not a media file, corrupt, or without a video stream.
    """
    import av

    p = check_readable(path)
    try:
        container = av.open("file:" + os.path.abspath(p), mode="r")
    except (av.error.FFmpegError, UnicodeError, ValueError) as e:
        if mp4_index_missing(p):
            raise VideoOpenError(p, "truncated MP4 without its index (no 'moov' box): the download or recording was "
                                    "cut short before the index at the end was written; nothing can be decoded without it "
                                    "(download it again, or rebuild the index with a repair tool such as untrunc)") from None
        raise VideoOpenError(p, f"not a readable video (corrupt, truncated or not a video file: {_short(e)})") from None
    if not container.streams.video:
        has_other = bool(container.streams)
        container.close()
        if has_other:
            raise VideoOpenError(p, "contains no video stream (audio-only or not a video)")
        raise VideoOpenError(p, "contains no streams at all (truncated download, zero-frame file, or not a video)")
    return container, container.streams.video[0]


def mp4_index_missing(path: str | os.PathLike[str]) -> bool:
    """True for an ISO-BMFF (MP4 / MOV) file whose top-level boxes hold media data but no
    ``moov`` index: what a recording or download cut short before its end leaves."""
    boxes: set[bytes] = set()
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            pos = 0
            while pos + 8 <= size and len(boxes) < 64:
                f.seek(pos)
                head = f.read(16)
                n, kind = int.from_bytes(head[:4], "big"), head[4:8]
                if n == 1 and len(head) == 16:
                    n = int.from_bytes(head[8:16], "big")
                elif n == 0:
                    n = size - pos
                if n < 8 or not kind.isalnum() and kind not in (b"free", b"skip", b"uuid"):
                    break
                boxes.add(kind)
                pos += n
    except OSError:
        return False
    return b"ftyp" in boxes and b"mdat" in boxes and b"moov" not in boxes and b"moof" not in boxes


def demux_packets(container: Any, stream: Any, on_error: Callable[[str], None] | None = None) -> Iterator[Any]:
    """The packets of one stream, read on past what a damaged file throws at the demuxer.

    PyAV's demuxer stops at the first read error, and with an ``IndexError`` when a new stream
    appears mid-file (flipped bytes in a transport stream). Both restart reading where it
    stopped; reading ends at the end of the file, or after :data:`_READ_RETRIES` failures
    in a row with no packet between them.

    Args:
        container: An open PyAV input container.
        stream: The stream whose packets are wanted.
        on_error: Called with a one-line reason for every read error that was skipped.

    Yields:
        PyAV packets of ``stream`` (ending with its flush packet when the end was reached).
    """
    import av

    failures = 0
    total = 0
    while True:
        try:
            for packet in container.demux(stream):
                failures = 0
                yield packet
            return
        except av.error.EOFError:
            return
        except IndexError:
            reason = "a new stream appeared in the middle of the file (damaged container)"
        except av.error.FFmpegError as e:
            reason = f"the container could not be read ({_short(e)})"
        failures += 1
        total += 1
        if on_error is not None:
            on_error(reason)
        if failures >= _READ_RETRIES or total >= _READ_RESTARTS:
            return


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
        for packet in demux_packets(container, stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue
            if frames:
                return frame_rotation(frames[0]) or _tag_rotation(stream)
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


def declared_duration(container: Any, stream: Any) -> float | None:
    """Duration (s) the file's header declares for its video: the stream's own duration, else
    its ``DURATION`` tag (Matroska), else the container's; None when none is stated."""
    tb = stream.time_base
    if stream.duration is not None and tb is not None:
        return float(stream.duration * tb)
    tag = (stream.metadata or {}).get("DURATION")
    if tag:
        try:
            h, m, sec = str(tag).split(":")
            return int(h) * 3600 + int(m) * 60 + float(sec)
        except ValueError:
            pass
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def duration_is_video(stream: Any) -> bool:
    """Whether :func:`declared_duration` is the video stream's own duration (exact), not the
    container's (which may include a longer audio track)."""
    return (stream.duration is not None and stream.time_base is not None) or bool((stream.metadata or {}).get("DURATION"))


def probe(path: str | os.PathLike[str], *, count_frames: bool = False) -> VideoInfo:
    """Read a clip's metadata without decoding it.

    Args:
        path: Video file.
        count_frames: Count frames by demuxing packets even when the container states a count
            (the container's count is used otherwise; packets are counted when it is absent).

    Returns:
        :class:`VideoInfo` with exact fps, frame count, duration (s), rotation and sha256. Its
        ``path`` is the path as text (:func:`vidtools.names.display`: bytes that are not UTF-8
        appear as ``\\xNN``).

    Raises:
        VideoOpenError: the file is missing, empty, special, corrupt or has no video stream.
    """
    container, stream = open_container(path)
    try:
        fps = stream_fps(stream)
        n = int(stream.frames or 0)
        duration = declared_duration(container, stream)
        if n == 0 or count_frames:
            n = sum(1 for pkt in demux_packets(container, stream) if pkt.size)
        if n == 0:
            raise VideoOpenError(path, "contains no video frames (zero-frame video)")
        if duration is None:
            duration = float(n / fps) if fps else 0.0
        width, height, rotation = displayed_size(path, stream)
        return VideoInfo(
            path=display(path),
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
