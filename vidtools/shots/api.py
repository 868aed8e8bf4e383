"""Standalone shot detection of a clip and export of one keyframe per shot."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from vidtools.errors import UsageError, VideoOpenError
from vidtools.shots.analyzer import SignalAnalyzer
from vidtools.shots.params import DEFAULT_PARAMS, ShotParams
from vidtools.shots.result import THUMB_WIDTH, SegmentResult


def detect_shots(
    path: str | os.PathLike[str],
    *,
    start: float | None = None,
    end: float | None = None,
    params: ShotParams = DEFAULT_PARAMS,
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
    analyzer = SignalAnalyzer(fps if fps else 25.0, width, height, params=params)
    n = 0
    for d in decode(path, start=start, end=end, thumb_width=THUMB_WIDTH, images=False):
        analyzer.update(d.index, d.t, d.thumb)
        n += 1
        if progress:
            progress(n)
    if n == 0:
        raise VideoOpenError(path, f"no frames in the selected segment ({start or 0:g}-{end if end is not None else 'end'} s); check --start/--end")
    return analyzer.finish()


def export_shot_frames(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    result: SegmentResult,
    *,
    fmt: str = "jpg",
) -> Path:
    """Write one keyframe per shot and the last clear frame before each strike.

    The keyframe is the middle frame of the shot's clear part (its lost frames excluded; moved off
    an explosion flash or a glitch). Files are named ``shot003_keyframe_f000150_t5.000s.jpg`` /
    ``strike001_last_clear_f000412_t13.733s.jpg``; ``index.csv`` (``frame_index, t_s, file, role,
    shot, strike``) is written last, so a folder with an ``index.csv`` is complete. One extra
    decode pass.

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
    lost_from = {s.shot: s.start_frame for s in result.strikes}
    transients = [(e.start_frame, e.end_frame) for e in result.events]
    for s in result.shots:
        last_clear = max(s.start_frame, lost_from.get(s.index, s.end_frame + 1) - 1)
        key = (s.start_frame + last_clear) // 2
        for a, b in transients:  # not on an explosion flash, a glitch or a dip
            if a <= key <= b:
                key = a - 1 if a - 1 >= s.start_frame else min(b + 1, last_clear)
        wanted.append((key, "keyframe", s.index, None))
    for st in result.strikes:
        lo = result.shots[st.shot].start_frame if 0 <= st.shot < len(result.shots) else 0
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
