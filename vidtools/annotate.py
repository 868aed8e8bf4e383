"""Draw what the detector saw: boxes on frames, an annotated video and a contact sheet.

The drawing functions here are shared by the HTML report (keyframes, strike frames, thumbnails)
and by :func:`write_annotated`, so a picture in the report and the same frame of
``annotated.mp4`` look alike.

``annotated.mp4`` is H.264 (``libx264``, ``yuv420p``) written by the ffmpeg executable
(:func:`vidtools.ffmpeg.ffmpeg_exe`) from raw BGR frames piped to it (the command line is built
with ffmpeg-python): every decoded frame of the
analysed segment is written, at the source's exact frame rate (``num/den``), so the file has the
source's frame count and duration (the whole source when the analysis had no ``start``/``end``).
Frames that were not sampled reuse the boxes of the latest sampled frame of the same shot. Frames
stream through (decode -> draw -> pipe); the clip is never held in memory.
"""

from __future__ import annotations

import bisect
import logging
import math
import os
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, cast

import numpy as np

from vidtools.errors import VideoOpenError, VidtoolsError
from vidtools.frames import encode_image
from vidtools.io import atomic_write_bytes, default_mode
from vidtools.types import ClipReport, Detections

log = logging.getLogger(__name__)

ANNOTATED_NAME = "annotated.mp4"
CONTACT_SHEET_NAME = "contact_sheet.jpg"

CATEGORY_COLORS: dict[str, tuple[int, int, int]] = {
    "personnel": (0, 165, 255),  # orange (BGR)
    "vehicle": (255, 191, 0),  # sky blue
    "armored_vehicle": (200, 0, 200),  # purple
    "other": (170, 170, 170),  # grey
}
"""Box colour per report category (BGR); other categories get a colour from :data:`_PALETTE`."""
TARGET_COLOR = (0, 0, 255)
"""Colour of a strike's target box (red)."""
STRIKE_COLOR = (0, 0, 220)
_PALETTE = [(80, 200, 80), (0, 220, 220), (220, 120, 60), (120, 80, 220), (60, 160, 255)]
PERSON_CATEGORY = "personnel"


def category_color(category: str) -> tuple[int, int, int]:
    """BGR colour of a category's boxes (stable for unknown categories)."""
    if category in CATEGORY_COLORS:
        return CATEGORY_COLORS[category]
    return _PALETTE[sum(map(ord, str(category))) % len(_PALETTE)]


def people(boxes: Detections) -> np.ndarray:
    """Boolean mask of the boxes to blur for sharing (category personnel, or class person)."""
    mask = boxes.class_name == "person"
    if boxes.category is not None:
        mask = mask | (boxes.category == PERSON_CATEGORY)
    return np.asarray(mask, bool)


def _clip_box(b: Sequence[float], w: int, h: int, margin: float = 0.0) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = (float(v) for v in b)
    mx, my = (x2 - x1) * margin, (y2 - y1) * margin
    return (
        max(0, int(math.floor(x1 - mx))),
        max(0, int(math.floor(y1 - my))),
        min(w, int(math.ceil(x2 + mx))),
        min(h, int(math.ceil(y2 + my))),
    )


def blur_regions(image: np.ndarray, boxes: Iterable[Sequence[float]], *, margin: float = 0.12) -> np.ndarray:
    """Make box regions unrecognisable: coarse pixelation followed by a Gaussian blur.

    Args:
        image: HxWx3 uint8 BGR (not modified).
        boxes: x1 y1 x2 y2 in the image's pixels.
        margin: Grow each box by this fraction of its size on every side (covers a person that
            moved a little since the frame the box comes from).

    Returns:
        A new image.
    """
    import cv2

    out = image.copy()
    h, w = out.shape[:2]
    for b in boxes:
        x1, y1, x2, y2 = _clip_box(b, w, h, margin)
        if x2 - x1 < 1 or y2 - y1 < 1:
            continue
        roi = out[y1:y2, x1:x2]
        rh, rw = roi.shape[:2]
        block = max(4, int(max(rw, rh) / 6))
        small = cv2.resize(roi, (max(1, rw // block), max(1, rh // block)), interpolation=cv2.INTER_AREA)
        pix = cv2.resize(small, (rw, rh), interpolation=cv2.INTER_NEAREST)
        k = max(3, (block // 2) * 2 + 1)
        out[y1:y2, x1:x2] = cv2.GaussianBlur(pix, (k, k), 0)
    return out


def _label(img: np.ndarray, text: str, x: int, y: int, color: tuple[int, int, int], scale: float) -> None:
    import cv2

    font = cv2.FONT_HERSHEY_SIMPLEX
    th = max(1, int(round(scale * 2)))
    (tw, tht), base = cv2.getTextSize(text, font, scale, th)
    h, w = img.shape[:2]
    x = int(min(max(0, x), max(0, w - tw - 2)))
    y0 = y - tht - base - 2
    if y0 < 0:
        y0 = y
    cv2.rectangle(img, (x, y0), (x + tw + 2, y0 + tht + base + 2), color, -1)
    lum = 0.114 * color[0] + 0.587 * color[1] + 0.299 * color[2]
    cv2.putText(img, text, (x + 1, y0 + tht + 1), font, scale, (0, 0, 0) if lum > 128 else (255, 255, 255), th, cv2.LINE_AA)


def text_block(img: np.ndarray, lines: Sequence[str], *, corner: str = "tl", scale: float | None = None,
               color: tuple[int, int, int] = (255, 255, 255), bg: tuple[int, int, int] = (0, 0, 0)) -> None:
    """Draw lines of text on a dark box in a corner of ``img`` (in place).

    Args:
        img: HxWx3 uint8 BGR, modified in place.
        lines: Text lines (ASCII; OpenCV fonts have no other glyphs).
        corner: ``tl``, ``tr``, ``bl`` or ``br``.
        scale: Font scale (default from the image width).
        color: Text colour (BGR).
        bg: Box colour (BGR).
    """
    import cv2

    if not lines:
        return
    h, w = img.shape[:2]
    scale = scale or max(0.4, min(1.2, w / 1100))
    th = max(1, int(round(scale * 2)))
    font = cv2.FONT_HERSHEY_SIMPLEX
    sizes = [cv2.getTextSize(s, font, scale, th)[0] for s in lines]
    lh = max(s[1] for s in sizes) + int(8 * scale) + 2
    bw = max(s[0] for s in sizes) + 12
    bh = lh * len(lines) + 8
    x0 = 4 if corner[1] == "l" else max(0, w - bw - 4)
    y0 = 4 if corner[0] == "t" else max(0, h - bh - 4)
    sub = img[y0 : y0 + bh, x0 : x0 + bw]
    sub[:] = (sub.astype(np.float32) * 0.35 + np.array(bg, np.float32) * 0.65).astype(np.uint8)
    for i, s in enumerate(lines):
        cv2.putText(img, s, (x0 + 6, y0 + 4 + lh * (i + 1) - int(6 * scale)), font, scale, color, th, cv2.LINE_AA)


def _ascii(s: object) -> str:
    return str(s).encode("ascii", "replace").decode("ascii")


def draw_boxes(
    image: np.ndarray,
    boxes: Detections,
    *,
    scale: float = 1.0,
    blur_people: bool = False,
    highlight: Sequence[float] | None = None,
    highlight_track: int | None = None,
    highlight_label: str = "TARGET",
    labels: bool = True,
) -> np.ndarray:
    """Blur (optionally) and draw boxes with class, track id and confidence.

    Args:
        image: HxWx3 uint8 BGR, already scaled by ``scale`` from source pixels (not modified).
        boxes: The frame's boxes in source pixels (``category`` and ``track_id`` used when set).
        scale: Factor from source pixels to ``image`` pixels.
        blur_people: Blur every person box (and a margin around it) before drawing.
        highlight: A box (source pixels) to draw as the strike target.
        highlight_track: A track id whose box is drawn as the target.
        highlight_label: Text on the highlighted box.
        labels: Write class / track id / confidence above boxes.

    Returns:
        A new image.
    """
    import cv2

    h, w = image.shape[:2]
    xyxy = boxes.xyxy.astype(np.float64) * scale
    track_id = boxes.track_id if boxes.track_id is not None else np.full(len(boxes), -1, np.int64)
    category = boxes.category if boxes.category is not None else np.full(len(boxes), "other", object)
    out = image
    if blur_people and len(boxes):
        mask = people(boxes)
        if mask.any():
            out = blur_regions(out, xyxy[mask])
    out = out.copy() if out is image else out
    fs = max(0.35, min(0.9, w / 1600))
    lw = max(1, int(round(w / 500)))
    hi_idx = -1
    if highlight_track is not None and highlight_track >= 0 and len(boxes):
        m = np.flatnonzero(track_id == highlight_track)
        hi_idx = int(m[0]) if len(m) else -1
    for i in range(len(boxes)):
        x1, y1, x2, y2 = _clip_box(xyxy[i], w, h)
        color = category_color(category[i])
        cv2.rectangle(out, (x1, y1), (max(x1, x2 - 1), max(y1, y2 - 1)), color, lw)
        if labels:
            tid = int(track_id[i])
            text = _ascii(boxes.class_name[i]) + (f" #{tid}" if tid >= 0 else "") + f" {boxes.conf[i]:.2f}"
            _label(out, text, x1, y1, color, fs)
    target = None
    if highlight is not None:
        target = np.asarray(highlight, np.float64) * scale
    elif hi_idx >= 0:
        target = xyxy[hi_idx]
    if target is not None:
        x1, y1, x2, y2 = _clip_box(target, w, h, 0.04)
        cv2.rectangle(out, (x1, y1), (max(x1, x2 - 1), max(y1, y2 - 1)), TARGET_COLOR, lw * 3)
        _label(out, highlight_label, x1, y2 + int(fs * 30), TARGET_COLOR, fs)
    return out


def render_frame(
    image: np.ndarray,
    boxes: Detections | None = None,
    *,
    width: int | None = None,
    blur_people: bool = False,
    highlight: Sequence[float] | None = None,
    highlight_track: int | None = None,
    caption: Sequence[str] = (),
    labels: bool = True,
) -> np.ndarray:
    """A report picture: resize to ``width`` (never up), blur, boxes, optional caption.

    Args:
        image: HxWx3 uint8 BGR source frame.
        boxes: Its boxes (source pixels), or None.
        width: Output width in pixels (None = keep).
        blur_people: Blur person boxes.
        highlight: Strike target box (source pixels).
        highlight_track: Track id of the strike target.
        caption: Text lines drawn bottom-left.
        labels: Write class / track id / confidence above the boxes.

    Returns:
        HxWx3 uint8 BGR.
    """
    import cv2

    h, w = image.shape[:2]
    scale = 1.0
    img = image
    if width is not None and width < w:
        scale = width / w
        img = cv2.resize(image, (width, max(1, int(round(h * scale)))), interpolation=cv2.INTER_AREA)
    out = draw_boxes(img, boxes if boxes is not None else Detections.empty(), scale=scale, blur_people=blur_people,
                     highlight=highlight, highlight_track=highlight_track, labels=labels)
    if caption:
        out = out.copy() if out is img else out
        text_block(out, [_ascii(c) for c in caption], corner="bl")
    return out


def encode_jpeg(image: np.ndarray, quality: int = 80) -> bytes:
    """JPEG bytes of a BGR image."""
    return encode_image(image, "jpg", quality=quality)


def share_mode(path: Path) -> Path:
    """Give a published file the permissions a normally created file gets (temporary files are
    created 0600); see :func:`vidtools.io.default_mode`."""
    try:
        os.chmod(path, default_mode())
    except OSError:
        pass
    return path


def resolve_video(report: ClipReport, video_path: str | os.PathLike[str] | None) -> str:
    """The clip to draw on: ``video_path`` or the input path recorded in the report."""
    if video_path is not None:
        return str(video_path)
    path = report.provenance.input.path or report.video.path
    if not path:
        raise VideoOpenError("(unknown)", "the report names no input video; pass video_path")
    return str(path)


def spread(items: Sequence[Any], n: int) -> list[Any]:
    """Up to ``n`` items evenly spread over ``items`` (first and last included)."""
    if len(items) <= n:
        return list(items)
    if n <= 1:
        return [items[len(items) // 2]]
    idx = sorted({int(round(i * (len(items) - 1) / (n - 1))) for i in range(n)})
    return [items[i] for i in idx]


def contact_sheet_picks(report: ClipReport, n: int = 16) -> list[tuple[int, float]]:
    """``(frame_index, t_s)`` of up to ``n`` sampled frames spread evenly over the clip."""
    f = report.frame_counts.frames
    rows = sorted(zip(f.frame_index.tolist(), f.t.tolist()))
    return spread(rows, n)


def assemble_grid(tiles: Sequence[np.ndarray], cols: int = 4, gap: int = 4) -> np.ndarray:
    """Tile same-width images into a grid on a dark background."""
    if not tiles:
        return np.full((90, 320, 3), 32, np.uint8)
    tw = max(t.shape[1] for t in tiles)
    th = max(t.shape[0] for t in tiles)
    cols = max(1, min(cols, len(tiles)))
    rows = math.ceil(len(tiles) / cols)
    sheet = np.full((rows * th + (rows + 1) * gap, cols * tw + (cols + 1) * gap, 3), 24, np.uint8)
    for k, t in enumerate(tiles):
        r, c = divmod(k, cols)
        y, x = gap + r * (th + gap), gap + c * (tw + gap)
        sheet[y : y + t.shape[0], x : x + t.shape[1]] = t
    return sheet


@dataclass(frozen=True)
class StrikeMark:
    """When a strike is marked in pictures.

    Attributes:
        index: Strike number.
        kind: Strike kind.
        t: Loss time (s).
        until: End of the banner (s): the loss, at least ``min_show_s`` long.
        terminal_start: Start of its terminal window (s).
        target_track: Track id of its target (None when untracked or no target).
    """

    index: int
    kind: str
    t: float
    until: float
    terminal_start: float
    target_track: int | None


def strike_marks(report: ClipReport, min_show_s: float = 1.0) -> list[StrikeMark]:
    """Strikes with the time span their marker is shown and their target's track."""
    return [
        StrikeMark(
            index=s.index,
            kind=s.kind,
            t=float(s.t),
            until=float(s.t) + max(float(s.duration_s or 0.0), min_show_s),
            terminal_start=float(s.terminal.start_t) if s.terminal is not None else float(s.t),
            target_track=s.target.track_id if s.target is not None else None,
        )
        for s in report.strikes
    ]


class _Annotator:
    """Per-frame state for the annotated video: latest sampled boxes, counts, strike markers."""

    def __init__(self, report: ClipReport, blur_people: bool) -> None:
        self.blur = blur_people
        self.boxes = report.boxes.by_frame()
        fc = report.frame_counts
        self.categories = list(report.summary.categories) or [c for c in ("personnel", "vehicle") if c in fc.categories]
        f = fc.frames
        counts = {c: fc.of_category(c) for c in self.categories}
        self.sampled: dict[int, tuple[int, dict[str, int]]] = {
            int(f.frame_index[i]): (int(f.shot[i]), {c: int(v[i]) for c, v in counts.items()}) for i in range(len(f))
        }
        shots = sorted(report.shots, key=lambda s: s.start_frame)
        self.shot_starts = [s.start_frame for s in shots]
        self.shot_ids = [s.index for s in shots]
        self.marks = strike_marks(report)
        self.current: int | None = None

    def shot_of(self, index: int) -> int:
        k = bisect.bisect_right(self.shot_starts, index) - 1
        return self.shot_ids[k] if k >= 0 else 0

    def draw(self, index: int, t: float, image: np.ndarray) -> np.ndarray:
        if index in self.sampled:
            self.current = index
        shot = self.shot_of(index)
        cur = self.current
        if cur is not None and self.sampled[cur][0] != shot:
            cur = None  # a cut since the last sampled frame: its boxes belong to another shot
        boxes = self.boxes.get(cur, Detections.empty()) if cur is not None else Detections.empty()
        counts = self.sampled[cur][1] if cur is not None else {}
        active = [m for m in self.marks if m.t - 1e-9 <= t < m.until]
        terminal = [m for m in self.marks if m.terminal_start - 1e-9 <= t < m.t]
        hi_track = next((m.target_track for m in terminal if m.target_track is not None), None)
        out = draw_boxes(image, boxes, blur_people=self.blur, highlight_track=hi_track)
        lines = [f"t {t:.3f} s  frame {index}  shot {shot}"]
        lines.append("visible: " + "  ".join(f"{c} {counts.get(c, 0)}" for c in self.categories) if cur is not None else "visible: (no sampled frame in this shot yet)")
        if cur is not None and cur != index:
            lines.append(f"boxes from sampled frame {cur}")
        text_block(out, [_ascii(s) for s in lines], corner="tl")
        if terminal:
            text_block(out, [f"terminal window of strike {m.index}" for m in terminal], corner="tr", color=(0, 220, 255))
        if active:
            import cv2

            h, w = out.shape[:2]
            cv2.rectangle(out, (0, 0), (w - 1, h - 1), STRIKE_COLOR, max(4, w // 120))
            text_block(out, [f"STRIKE {m.index}: {_ascii(m.kind)}" for m in active], corner="bl",
                       scale=max(0.6, min(2.0, w / 640)), bg=STRIKE_COLOR)
        return out


def _tile(image: np.ndarray, t: float, index: int, width: int = 320) -> np.ndarray:
    import cv2

    h, w = image.shape[:2]
    tile = cv2.resize(image, (width, max(1, int(round(h * width / w)))), interpolation=cv2.INTER_AREA)
    text_block(tile, [f"{t:.2f} s  #{index}"], corner="bl", scale=0.45)
    return tile


def _encoder_args(exe: str, w: int, h: int, fps: Fraction, out: Path) -> list[str]:
    """The ffmpeg command line (via ffmpeg-python) that encodes raw BGR frames from stdin into
    H.264 ``out`` at the exact rate ``fps`` (odd sizes padded by one pixel: yuv420p needs even)."""
    import ffmpeg

    rate = f"{fps.numerator}/{fps.denominator}"
    options: dict[str, Any] = dict(vcodec="libx264", preset="veryfast", crf=23, pix_fmt="yuv420p", r=rate,
                                   movflags="+faststart", f="mp4")
    if w % 2 or h % 2:
        options["vf"] = "pad=ceil(iw/2)*2:ceil(ih/2)*2"
    stream = ffmpeg.input("pipe:", format="rawvideo", pix_fmt="bgr24", s=f"{w}x{h}", framerate=rate)
    return stream.output(str(out), **options).global_args("-hide_banner", "-nostdin", "-loglevel", "error") \
        .overwrite_output().compile(cmd=exe)


def write_annotated(
    report: ClipReport,
    clip_dir: str | os.PathLike[str],
    *,
    video_path: str | os.PathLike[str] | None = None,
    blur_people: bool = False,
    sheet_frames: int = 16,
) -> tuple[Path, Path]:
    """Write ``annotated.mp4`` and ``contact_sheet.jpg`` into ``clip_dir`` (both atomically).

    The video shows every decoded frame of the analysed segment with the boxes (class, track
    id, confidence) of the latest sampled frame of the same shot, the per-category counts
    visible in it, the time / frame / shot, a "terminal window" note and the target box before
    each strike, and a red "STRIKE k: kind" banner from the loss on (at least one second).

    Args:
        report: The analysed clip.
        clip_dir: Folder to write into (e.g. the temporary folder of ``write_extra``).
        video_path: The clip (default: the input path recorded in the report).
        blur_people: Blur every person box in every frame and in the contact sheet.
        sheet_frames: Sampled frames in the contact sheet (spread evenly over the clip).

    Returns:
        (path of annotated.mp4, path of contact_sheet.jpg).

    Raises:
        VideoOpenError: the clip is missing, unreadable or no longer the analysed file (its
            frame count over the segment differs).
        VidtoolsError: ffmpeg is missing or failed.
    """
    from vidtools.ffmpeg import ffmpeg_exe
    from vidtools.frames import decode

    path = resolve_video(report, video_path)
    out_dir = Path(clip_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target, sheet_path = out_dir / ANNOTATED_NAME, out_dir / CONTACT_SHEET_NAME
    params = report.provenance.parameters
    fps = report.video.fps
    if fps <= 0:
        raise VideoOpenError(path, "the report records no frame rate; cannot write an annotated video")
    ann = _Annotator(report, blur_people)
    picks = dict(contact_sheet_picks(report, sheet_frames))
    tiles: dict[int, np.ndarray] = {}
    exe = ffmpeg_exe()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{ANNOTATED_NAME}.", suffix=".partial.mp4", dir=out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    err = tempfile.TemporaryFile()
    proc: subprocess.Popen[bytes] | None = None
    stdin: IO[bytes] | None = None
    size: tuple[int, int] | None = None
    n = 0
    try:
        for d in decode(path, start=params.get("start"), end=params.get("end")):
            img = d.image
            if img is None:  # the decoder was asked for images: never None here
                continue
            if proc is None:
                size = (img.shape[1], img.shape[0])
                proc = subprocess.Popen(_encoder_args(exe, size[0], size[1], fps, tmp), stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=err)
                stdin = cast(IO[bytes], proc.stdin)
            if (img.shape[1], img.shape[0]) != size:
                import cv2

                img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            frame = ann.draw(d.index, d.t, img)
            if d.index in picks:
                tiles[d.index] = _tile(frame, d.t, d.index)
            try:
                cast(IO[bytes], stdin).write(np.ascontiguousarray(frame).tobytes())
            except BrokenPipeError:
                break
            n += 1
        if proc is None:
            raise VideoOpenError(path, "no frames in the analysed segment; cannot write an annotated video")
        try:
            cast(IO[bytes], stdin).close()
        except BrokenPipeError:
            pass
        rc = proc.wait()
        if rc != 0:
            err.seek(0)
            msg = err.read().decode("utf-8", "replace").strip().splitlines()
            raise VidtoolsError(f"{target}: ffmpeg failed (exit {rc}): {msg[-1] if msg else 'no message'}")
        expected = report.sampling.n_frames_decoded
        if n != expected:
            log.warning("%s: %d frames written, the analysis decoded %s", target, n, expected)
        os.replace(tmp, target)
        share_mode(target)
    except BaseException:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        err.close()
    sheet = assemble_grid([tiles[k] for k in sorted(tiles)])
    share_mode(atomic_write_bytes(sheet_path, encode_jpeg(sheet, 85)))
    return target, sheet_path


def write_contact_sheet(
    report: ClipReport,
    clip_dir: str | os.PathLike[str],
    *,
    video_path: str | os.PathLike[str] | None = None,
    blur_people: bool = False,
    n: int = 16,
) -> Path:
    """Write only ``contact_sheet.jpg`` (frames grabbed by seeking; no video is encoded).

    Returns:
        Its path.

    Raises:
        VideoOpenError: the clip is missing or unreadable.
    """
    from vidtools.media import grab_frames

    path = resolve_video(report, video_path)
    picks = contact_sheet_picks(report, n)
    images = grab_frames(path, picks)
    ann = _Annotator(report, blur_people)
    tiles = []
    for index, t in picks:
        if index in images:
            ann.current = None
            tiles.append(_tile(ann.draw(index, t, images[index]), t, index))
    out = Path(clip_dir) / CONTACT_SHEET_NAME
    return share_mode(atomic_write_bytes(out, encode_jpeg(assemble_grid(tiles), 85)))
