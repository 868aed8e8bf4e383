"""Synthetic FPV-style compilations built from real footage, with exact ground truth.

The shared clips (``../shared/videos``) are fixed cameras. A moving camera is simulated by a crop
window that pans and zooms over a source segment (an "approach": the window shrinks toward a
point, so objects near the centre grow, as they do when a drone closes on a target). Segments are
joined the ways published compilations join them:

- hard cuts between different clips or different parts of one clip;
- a fade to black, a short black gap and a fade in from black (an edit, not a strike);
- feed-loss tails that end a shot: analog static (colourless snow with tearing), an abrupt black
  screen, a frozen picture (the last live frame repeated) and a broken-up, blocky picture;
- an explosion flash (a few near-white frames inside a shot: not a cut);
- a three-frame burst of static inside a shot after which the same flight resumes (a glitch:
  neither a strike nor a cut);
- OSD text, a centre crosshair and a semi-transparent channel watermark drawn on every frame of
  two moving-camera segments;
- letterboxed (2.39:1 picture in a 16:9 frame) and pillarboxed (4:3 picture) segments.

The result is encoded lossy (H.264 ``crf`` 28 when libx264 is available, else MPEG-4 part 2) so
the detectors see real compression artifacts. :func:`build_compilation` returns a
:class:`SynthTruth` with every cut, strike, flash, glitch, letterbox box and overlay box.

Frame index conventions match ``vidtools``: 0-based index of the decoded frame; a cut is the
index of the first frame of the new shot; a strike starts at its first lost frame; the lost
frames belong to the shot they end.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "videos"
"""The shared real clips (read-only; never copied into the repository)."""

Box = tuple[int, int, int, int]


@dataclass
class SynthTruth:
    """Ground truth of a synthetic compilation.

    Attributes:
        path: The encoded clip.
        fps: Frame rate (frames per second).
        width: Frame width (px).
        height: Frame height (px).
        n_frames: Number of frames.
        shots: ``(first_frame, last_frame, end_reason)`` per shot (reasons as in
            ``vidtools.types.SHOT_END_REASONS``).
        cuts: First frame of every shot after the first.
        strikes: ``(first_lost_frame, kind)`` per feed loss that ends a shot.
        flashes: ``(first, last)`` frames of explosion flashes (must not be cuts).
        glitches: ``(first, last)`` frames of transient static inside a shot (must be ignored).
        fades: ``(first_dark_frame, first_frame_of_next_shot)`` of fade-through-black edits.
        letterbox: ``(first_frame, last_frame, box)`` per shot with bars; box = active picture
            ``x1, y1, x2, y2`` (px, exclusive end).
        overlays: ``(first_frame, last_frame, {name: box})`` per shot with static overlays drawn
            on (names ``osd_top``, ``osd_bottom``, ``crosshair``, ``watermark``).
        segments: Name of each shot's segment (for messages).
        times: Time (s, from pts) of every frame, when recorded.
    """

    path: Path
    fps: float
    width: int
    height: int
    n_frames: int = 0
    shots: list[tuple[int, int, str]] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    strikes: list[tuple[int, str]] = field(default_factory=list)
    flashes: list[tuple[int, int]] = field(default_factory=list)
    glitches: list[tuple[int, int]] = field(default_factory=list)
    fades: list[tuple[int, int]] = field(default_factory=list)
    letterbox: list[tuple[int, int, Box]] = field(default_factory=list)
    overlays: list[tuple[int, int, dict[str, Box]]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def shot_of(self, frame: int) -> int:
        """Index of the shot that holds a frame."""
        for k, (a, b, _) in enumerate(self.shots):
            if a <= frame <= b:
                return k
        raise IndexError(frame)


# ---------------------------------------------------------------------------------------------
# Reading real footage


def source_frames(name: str, start_s: float, n: int, *, step: int = 1) -> Iterator[np.ndarray]:
    """Yield ``n`` BGR frames of a shared clip from ``start_s`` on (every ``step``-th).

    Seeks to the keyframe before ``start_s`` and decodes forward, so frames are picked by their
    own timestamps.
    """
    import av

    path = VIDEOS / name
    got = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tb = stream.time_base
        t0 = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        if start_s > 0.5:
            container.seek(int((start_s + t0 - 0.1) / tb), stream=stream, backward=True)
        k = 0
        for frame in container.decode(stream):
            if frame.pts is None or float(frame.pts * tb) - t0 < start_s - 1e-6:
                continue
            if k % step == 0:
                yield frame.to_ndarray(format="bgr24")
                got += 1
                if got >= n:
                    return
            k += 1
    if got < n:
        raise ValueError(f"{path}: only {got} of {n} frames from {start_s} s")


def _lerp(a: float, b: float, u: float) -> float:
    return a + (b - a) * u


def camera(
    frames: Iterator[np.ndarray],
    n: int,
    size: tuple[int, int],
    *,
    centre: tuple[tuple[float, float], tuple[float, float]],
    zoom: tuple[float, float],
    shake: float = 0.0,
    seed: int = 0,
) -> Iterator[np.ndarray]:
    """Simulate a moving camera over a fixed-camera source.

    Args:
        frames: Source frames.
        n: Number of frames.
        size: Output ``(width, height)``.
        centre: Window centre at the first and the last frame, as fractions of the source size.
        zoom: Window height as a fraction of the source height at the first and the last frame
            (smaller = closer); the window keeps the output's aspect ratio.
        shake: Standard deviation (output px) of a random per-frame jitter of the window: the
            vibration of a camera on a flying drone.
        seed: Random seed of the jitter.
    """
    w, h = size
    rng = np.random.default_rng(seed)
    for k, img in enumerate(frames):
        u = k / max(1, n - 1)
        if img.shape[1] > 2 * w:  # keep the warp's scale near 1 (no aliasing)
            f = 2 * w / img.shape[1]
            img = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        sh, sw = img.shape[:2]
        ch = _lerp(zoom[0], zoom[1], u) * sh
        cw = ch * w / h
        if cw > sw:
            cw, ch = sw, sw * h / w
        cx = _lerp(centre[0][0], centre[1][0], u) * sw
        cy = _lerp(centre[0][1], centre[1][1], u) * sh
        x1 = min(max(0.0, cx - cw / 2), sw - cw)
        y1 = min(max(0.0, cy - ch / 2), sh - ch)
        # sub-pixel window through an affine warp: smooth motion, no 1-px jitter
        sx, sy = w / cw, h / ch
        if shake:
            x1 = min(max(0.0, x1 + rng.normal(0, shake) / sx), sw - cw)
            y1 = min(max(0.0, y1 + rng.normal(0, shake) / sy), sh - ch)
        m = np.array([[sx, 0, -x1 * sx], [0, sy, -y1 * sy]], np.float32)
        yield cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR)


# ---------------------------------------------------------------------------------------------
# Effects


def boxed(picture: np.ndarray, size: tuple[int, int], box: Box) -> np.ndarray:
    """Place a picture into a black frame of ``size`` at ``box`` (letterbox / pillarbox)."""
    w, h = size
    out = np.zeros((h, w, 3), np.uint8)
    x1, y1, x2, y2 = box
    out[y1:y2, x1:x2] = cv2.resize(picture, (x2 - x1, y2 - y1), interpolation=cv2.INTER_AREA)
    return out


def analog_static(prev: np.ndarray, rng: np.random.Generator, k: int, ramp: int = 2) -> np.ndarray:
    """One frame of a dying analog feed: colourless snow, line noise and horizontal tearing.

    The first ``ramp`` frames still show the last picture under the snow.
    """
    h, w = prev.shape[:2]
    snow = rng.normal(118, 62, (h, (w + 1) // 2)).astype(np.float32)
    snow = np.repeat(snow, 2, axis=1)[:, :w]  # analog grain is wider than tall
    snow += rng.normal(0, 25, (h, 1)).astype(np.float32)  # line-to-line brightness noise
    if k < ramp:
        a = 0.5 + 0.25 * k
        torn = np.roll(prev, int(rng.integers(-40, 40)), axis=1).astype(np.float32)
        base = cv2.cvtColor(torn.astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32)
        snow = a * snow + (1 - a) * base
    # tearing: a band of rows shifted sideways
    y = int(rng.integers(0, h - 20))
    snow[y : y + 20] = np.roll(snow[y : y + 20], int(rng.integers(-60, 60)), axis=1)
    g = np.clip(snow, 0, 255).astype(np.uint8)
    return cv2.merge([g, g, g])


def broken_up(last: np.ndarray, rng: np.random.Generator, k: int, n: int, block: int = 16) -> np.ndarray:
    """One frame of a digital feed breaking up: blocks displaced, smeared, flattened, grey/green."""
    h, w = last.shape[:2]
    out = last.copy()
    frac = 0.35 + 0.6 * k / max(1, n - 1)
    for by in range(0, h, block):
        for bx in range(0, w, block):
            if rng.random() > frac:
                continue
            r = rng.random()
            dst = out[by : by + block, bx : bx + block]
            if r < 0.35:  # displaced block from elsewhere
                sy = int(np.clip(by + rng.integers(-3, 4) * block, 0, h - block))
                sx = int(np.clip(bx + rng.integers(-3, 4) * block, 0, w - block))
                dst[:] = last[sy : sy + dst.shape[0], sx : sx + dst.shape[1]]
            elif r < 0.7:  # flat block (lost detail)
                dst[:] = dst.reshape(-1, 3).mean(0).astype(np.uint8)
            elif r < 0.85:  # smear: repeat the block's top row
                dst[:] = dst[:1]
            else:  # decoder garbage: grey / green block
                dst[:] = (128, 128, 128) if rng.random() < 0.5 else (40, 160, 40)
    return out


def flash(img: np.ndarray, strength: float) -> np.ndarray:
    """An explosion flash: the picture washed toward white."""
    return cv2.addWeighted(img, 1 - strength, np.full_like(img, 255), strength, 0)


def overlay_boxes(size: tuple[int, int]) -> dict[str, Box]:
    """Where :func:`draw_overlays` draws its elements (x1, y1, x2, y2, exclusive)."""
    w, h = size
    font = cv2.FONT_HERSHEY_SIMPLEX
    out = {}
    for name, text, scale, org in _overlay_texts(size):
        (tw, th), base = cv2.getTextSize(text, font, scale, 2)
        x, y = org
        out[name] = (x - 2, y - th - 2, x + tw + 2, y + base + 2)
    cx, cy = w // 2, h // 2
    out["crosshair"] = (cx - 41, cy - 41, cx + 42, cy + 42)
    return out


def _overlay_texts(size: tuple[int, int]) -> list[tuple[str, str, float, tuple[int, int]]]:
    w, h = size
    return [
        ("osd_top", "BAT 15.8V  ALT 087M  12:41", 0.6, (12, 26)),
        ("osd_bottom", "SPD 042 KMH  CH 5  REC", 0.6, (12, h - 14)),
        ("watermark", "@FPV_FRONTLINE", 0.7, (w - 220, h - 16)),
    ]


def draw_overlays(img: np.ndarray) -> np.ndarray:
    """Draw OSD text (white, black outline), a centre crosshair and a semi-transparent watermark."""
    h, w = img.shape[:2]
    out = img.copy()
    font = cv2.FONT_HERSHEY_SIMPLEX
    for name, text, scale, org in _overlay_texts((w, h)):
        if name == "watermark":
            layer = out.copy()
            cv2.putText(layer, text, org, font, scale, (255, 255, 255), 2, cv2.LINE_AA)
            out = cv2.addWeighted(layer, 0.6, out, 0.4, 0)
        else:
            cv2.putText(out, text, org, font, scale, (0, 0, 0), 4, cv2.LINE_AA)
            cv2.putText(out, text, org, font, scale, (255, 255, 255), 2, cv2.LINE_AA)
    cx, cy = w // 2, h // 2
    for (x1, y1, x2, y2) in ((cx - 40, cy, cx - 12, cy), (cx + 12, cy, cx + 40, cy),
                             (cx, cy - 40, cx, cy - 12), (cx, cy + 12, cx, cy + 40)):
        cv2.line(out, (x1, y1), (x2, y2), (0, 0, 0), 4)
        cv2.line(out, (x1, y1), (x2, y2), (255, 255, 255), 2)
    cv2.circle(out, (cx, cy), 3, (255, 255, 255), -1)
    return out


# ---------------------------------------------------------------------------------------------
# The compilation


@dataclass
class Segment:
    """One shot of a compilation.

    Attributes:
        name: Label for messages.
        source: Shared clip file name.
        start_s: Where in the source the segment starts (s).
        n: Number of live frames (before any tail).
        centre: Camera window centre at start / end (fractions of the source size).
        zoom: Window height fraction at start / end.
        step: Use every ``step``-th source frame (faster apparent motion).
        tail: ``None``, ``static``, ``black``, ``freeze``, ``broken`` or ``fade`` (fade out + black
            gap; the next segment fades in).
        tail_n: Frames of the tail.
        box: Active picture box when the segment is letterboxed / pillarboxed (given for a 640x360
            frame, scaled to the compilation's size).
        overlays: Draw OSD / crosshair / watermark.
        flash_at: Live-frame offset of an explosion flash (3 frames).
        glitch_at: Live-frame offset of a 3-frame static glitch.
        fade_in: The segment starts with a fade in from black over this many frames.
    """

    name: str
    source: str
    start_s: float
    n: int
    centre: tuple[tuple[float, float], tuple[float, float]] = ((0.5, 0.5), (0.5, 0.5))
    zoom: tuple[float, float] = (0.9, 0.5)
    step: int = 1
    tail: str | None = None
    tail_n: int = 0
    box: Box | None = None
    overlays: bool = False
    flash_at: int | None = None
    glitch_at: int | None = None
    fade_in: int = 0


TAIL_KIND = {"static": "signal_loss", "broken": "signal_loss", "black": "black", "freeze": "freeze"}

LETTERBOX: Box = (0, 46, 640, 314)
PILLARBOX: Box = (80, 0, 560, 360)


def default_segments() -> list[Segment]:
    """The standard test compilation (640x360, 20 fps, ~28 s)."""
    return [
        Segment("street approach + flash", "yassim_people.mp4", 0.0, 50, ((0.45, 0.55), (0.52, 0.62)), (0.95, 0.45),
                flash_at=24),
        Segment("lane approach, static ending", "intel_car-detection.mp4", 4.5, 50, ((0.5, 0.4), (0.5, 0.55)),
                (0.95, 0.5), tail="static", tail_n=16),
        Segment("campus pan with OSD, frozen ending", "opencv_vtest.avi", 2.0, 60, ((0.3, 0.55), (0.7, 0.5)),
                (0.7, 0.6), tail="freeze", tail_n=20, overlays=True),
        Segment("letterboxed street, fade out", "yassim_people.mp4", 3.0, 50, ((0.7, 0.4), (0.6, 0.5)), (0.9, 0.55),
                tail="fade", tail_n=12, box=LETTERBOX),
        Segment("pillarboxed campus, black ending", "opencv_vtest.avi", 20.0, 50, ((0.5, 0.45), (0.55, 0.6)),
                (1.0, 0.55), tail="black", tail_n=14, box=PILLARBOX, fade_in=6),
        Segment("room pan, broken-up ending", "intel_one-by-one-person-detection.mp4", 20.0, 50,
                ((0.35, 0.5), (0.65, 0.5)), (0.8, 0.7), tail="broken", tail_n=12),
        Segment("street pan with OSD and a glitch", "yassim_people.mp4", 1.5, 60, ((0.3, 0.35), (0.7, 0.4)),
                (0.6, 0.5), overlays=True, glitch_at=30),
        Segment("campus approach", "opencv_vtest.avi", 40.0, 40, ((0.5, 0.55), (0.52, 0.6)), (0.72, 0.45)),
        Segment("street approach, static to the end", "yassim_people.mp4", 6.0, 50, ((0.25, 0.6), (0.3, 0.7)),
                (0.8, 0.4), tail="static", tail_n=20),
    ]


def _scale_box(box: Box, size: tuple[int, int]) -> Box:
    """A box given for a 640x360 frame, scaled to ``size`` (even coordinates)."""
    sx, sy = size[0] / 640, size[1] / 360

    def even(v: float) -> int:
        return round(v / 2) * 2

    return (even(box[0] * sx), even(box[1] * sy), even(box[2] * sx), even(box[3] * sy))


def _encoder(path: Path, size: tuple[int, int], fps: int) -> tuple[Any, Any]:
    import av

    out = av.open(str(path), "w")
    if "libx264" in av.codecs_available:
        s = out.add_stream("libx264", rate=Fraction(fps))
        s.options = {"crf": "28", "preset": "veryfast"}
    else:  # pragma: no cover - depends on the bundled ffmpeg
        s = out.add_stream("mpeg4", rate=Fraction(fps))
        s.options = {"qscale": "6"}
    s.width, s.height = size
    s.pix_fmt = "yuv420p"
    return out, s


def build_compilation(
    path: str | Path,
    segments: list[Segment] | None = None,
    *,
    size: tuple[int, int] = (640, 360),
    fps: int = 20,
    seed: int = 7,
) -> SynthTruth:
    """Build and encode a compilation; return its ground truth.

    Args:
        path: Output file (``.mp4`` / ``.mkv``).
        segments: Shots in order (default :func:`default_segments`).
        size: Frame ``(width, height)``.
        fps: Frame rate.
        seed: Random seed of the noise effects.

    Returns:
        :class:`SynthTruth`.
    """
    import av

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    segments = default_segments() if segments is None else segments
    rng = np.random.default_rng(seed)
    w, h = size
    truth = SynthTruth(path=path, fps=float(fps), width=w, height=h)
    out, stream = _encoder(path, size, fps)
    index = 0

    def emit(img: np.ndarray) -> None:
        nonlocal index
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
        frame.pts = index
        for pkt in stream.encode(frame):
            out.mux(pkt)
        index += 1

    try:
        for seg in segments:
            first = index
            if index > 0:
                truth.cuts.append(index)
            box = _scale_box(seg.box, size) if seg.box else None
            inner = (box[2] - box[0], box[3] - box[1]) if box else size
            live = camera(source_frames(seg.source, seg.start_s, seg.n, step=seg.step), seg.n, inner,
                          centre=seg.centre, zoom=seg.zoom)
            last = None
            for k, pic in enumerate(live):
                img = boxed(pic, size, box) if box else pic
                if seg.overlays:
                    img = draw_overlays(img)
                if seg.fade_in and k < seg.fade_in:
                    img = (img.astype(np.float32) * ((k + 1) / (seg.fade_in + 1))).astype(np.uint8)
                if seg.flash_at is not None and seg.flash_at <= k < seg.flash_at + 3:
                    img = flash(img, (0.75, 0.92, 0.8)[k - seg.flash_at])
                    if k == seg.flash_at:
                        truth.flashes.append((index, index + 2))
                if seg.glitch_at is not None and seg.glitch_at <= k < seg.glitch_at + 3:
                    img = analog_static(img, rng, 9)
                    if k == seg.glitch_at:
                        truth.glitches.append((index, index + 2))
                emit(img)
                last = img
            assert last is not None
            tail_start = index
            if seg.tail == "static":
                for k in range(seg.tail_n):
                    emit(analog_static(last, rng, k))
            elif seg.tail == "black":
                for _ in range(seg.tail_n):
                    emit(np.zeros_like(last))
            elif seg.tail == "freeze":
                for _ in range(seg.tail_n):
                    emit(last)
            elif seg.tail == "broken":
                for k in range(seg.tail_n):
                    emit(broken_up(last, rng, k, seg.tail_n))
            elif seg.tail == "fade":
                n_out = seg.tail_n // 2
                for k in range(n_out):
                    emit((last.astype(np.float32) * (1 - (k + 1) / (n_out + 1))).astype(np.uint8))
                for _ in range(seg.tail_n - n_out):
                    emit(np.zeros_like(last))
                truth.fades.append((tail_start, index))
            if seg.tail in TAIL_KIND:
                truth.strikes.append((tail_start, TAIL_KIND[seg.tail]))
            reason = TAIL_KIND.get(seg.tail or "", "cut")
            truth.shots.append((first, index - 1, reason))
            truth.segments.append(seg.name)
            if box:
                truth.letterbox.append((first, index - 1, box))
            if seg.overlays:
                truth.overlays.append((first, index - 1, overlay_boxes(size)))
        for pkt in stream.encode():
            out.mux(pkt)
    finally:
        out.close()
    a, b, reason = truth.shots[-1]
    if reason == "cut":
        truth.shots[-1] = (a, b, "end")
    truth.n_frames = index
    return truth


def tiny_frames(kind: str, n: int, *, size: tuple[int, int] = (160, 90), seed: int = 0) -> list[np.ndarray]:
    """Small BGR frames for unit tests: ``scene`` (a textured panorama with sharp-edged blocks,
    the camera panning 2 px a frame),
    ``static``, ``black``, ``grey``, ``white``.
    """
    rng = np.random.default_rng(seed)
    w, h = size
    if kind == "scene":
        pw = w * 3 + 2 * n
        base = cv2.GaussianBlur(rng.random((h, pw)).astype(np.float32), (0, 0), 10)
        base = cv2.normalize(base, None, 40, 200, cv2.NORM_MINMAX)
        fine = cv2.GaussianBlur(rng.random((h, pw)).astype(np.float32), (0, 0), 1.2)
        fine = cv2.normalize(fine, None, -30, 30, cv2.NORM_MINMAX)
        pano = np.clip(base + fine, 0, 255).astype(np.uint8)
        tint = rng.uniform(0.6, 1.3, 3)  # each "clip" has its own colours
        pano = cv2.merge([np.clip(pano * t, 0, 255).astype(np.uint8) for t in tint])
        for _ in range(pw // 25):  # buildings / vehicles: sharp-edged blocks
            x, y = int(rng.integers(0, pw - 12)), int(rng.integers(0, h - 10))
            col = tuple(int(c) for c in rng.integers(0, 255, 3))
            cv2.rectangle(pano, (x, y), (x + int(rng.integers(4, 12)), y + int(rng.integers(4, 10))), col, -1)
        return [np.ascontiguousarray(pano[:, 2 * k : 2 * k + w]) for k in range(n)]
    if kind == "static":
        return [analog_static(np.zeros((h, w, 3), np.uint8), rng, 9) for _ in range(n)]
    if kind == "black":
        return [np.zeros((h, w, 3), np.uint8) for _ in range(n)]
    if kind == "grey":
        return [np.full((h, w, 3), 128, np.uint8) for _ in range(n)]
    if kind == "white":
        return [np.full((h, w, 3), 250, np.uint8) for _ in range(n)]
    raise ValueError(kind)


FrameFn = Callable[[int], np.ndarray]


# ---------------------------------------------------------------------------------------------
# The evaluation suite: edited compilations at 12, 25 and 30 fps and with a variable frame rate


SUITE_FPS = (12, 25, 30)
SUITE_SIZE = (640, 360)
_SOURCES = (
    ("yassim_people.mp4", 0.0, 9.5),
    ("sportslabkit_left_camera.mp4", 0.5, 9.5),
    ("opencv_vtest.avi", 1.0, 75.0),
    ("intel_one-by-one-person-detection.mp4", 10.0, 130.0),
)


def draw_osd(img: np.ndarray, k: int) -> np.ndarray:
    """Digital-goggle overlays at frame ``k``: OSD text whose numbers keep changing (altitude,
    speed, a clock), a centre crosshair and a semi-transparent channel watermark. Drawn over live
    and lost pictures alike, as goggles record them."""
    h, w = img.shape[:2]
    out = img.copy()
    font = cv2.FONT_HERSHEY_SIMPLEX
    texts = [
        (f"BAT 15.{8 - (k // 40) % 8}V  ALT {87 + (k // 3) % 40:03d}M  12:41:{(k // 25) % 60:02d}", (12, 26)),
        (f"SPD {42 + (k // 2) % 30:03d} KMH  CH 5  REC", (12, h - 14)),
    ]
    for text, org in texts:
        cv2.putText(out, text, org, font, 0.6, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(out, text, org, font, 0.6, (255, 255, 255), 2, cv2.LINE_AA)
    layer = out.copy()
    cv2.putText(layer, "@FPV_FRONTLINE", (w - 220, h - 16), font, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
    out = cv2.addWeighted(layer, 0.6, out, 0.4, 0)
    cx, cy = w // 2, h // 2
    for x1, y1, x2, y2 in ((cx - 40, cy, cx - 12, cy), (cx + 12, cy, cx + 40, cy), (cx, cy - 40, cx, cy - 12), (cx, cy + 12, cx, cy + 40)):
        cv2.line(out, (x1, y1), (x2, y2), (0, 0, 0), 4)
        cv2.line(out, (x1, y1), (x2, y2), (255, 255, 255), 2)
    return out


def draw_watermark(img: np.ndarray) -> np.ndarray:
    """A burned-in copyright line (as slideshows and TV reels carry on every frame, black ones too)."""
    out = img.copy()
    h = img.shape[0]
    cv2.putText(out, "(c) 2024 Example Media", (14, h - 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (170, 170, 170), 1, cv2.LINE_AA)
    return out


def explosion(img: np.ndarray, strength: float, centre: tuple[float, float], radius: float) -> np.ndarray:
    """An explosion flash: a warm, near-white glow that washes out a large disc of the picture."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d2 = ((xx - centre[0] * w) ** 2 + (yy - centre[1] * h) ** 2) / (radius * w) ** 2
    a = (strength * np.exp(-d2))[..., None]
    glow = np.array([200, 235, 255], np.float32)
    return np.clip(img.astype(np.float32) * (1 - a) + glow * a, 0, 255).astype(np.uint8)


def white(img: np.ndarray, strength: float) -> np.ndarray:
    """The picture washed toward white (an editor's white flash; 1.0 = pure white)."""
    return cv2.addWeighted(img, 1 - strength, np.full_like(img, 255), strength, 0)


class Timeline:
    """Writes an edited clip frame by frame and records its truth as it goes.

    A cut or strike is *marked* before the frames that start it; it is placed on the next frame
    that is actually written, so a variable-frame-rate clip (``drop``: every ``drop``-th frame of
    the nominal timeline is left out, timestamps kept) gets its truth in decoded-frame indices.

    Args:
        path: Output clip.
        fps: Nominal frame rate.
        size: ``(width, height)``.
        drop: Leave out every ``drop``-th frame (variable frame rate), or 0.
        seed: Random seed of the noise effects.
    """

    def __init__(self, path: Path, fps: int, size: tuple[int, int] = SUITE_SIZE, *, drop: int = 0, seed: int = 0) -> None:
        self.path = Path(path)
        self.fps = fps
        self.size = size
        self.drop = drop
        self.rng = np.random.default_rng(seed)
        self.truth = SynthTruth(path=self.path, fps=float(fps), width=size[0], height=size[1])
        self.times: list[float] = []
        self._out, self._stream = _encoder(self.path, size, fps)
        self._n = 0  # frames of the nominal timeline
        self._marks: list[tuple[str, str]] = []
        self._osd_k = 0
        self._shot_first = 0
        self.raw: np.ndarray | None = None  # the last live picture, without overlays

    # -- writing ---------------------------------------------------------------------------

    def emit(self, img: np.ndarray, *, osd: bool = False, watermark: bool = False) -> None:
        import av

        if osd:
            img = draw_osd(img, self._osd_k)
            self._osd_k += 1
        if watermark:
            img = draw_watermark(img)
        n = self._n
        self._n += 1
        if self.drop and n % self.drop == self.drop - 1:
            return
        index = len(self.times)
        for what, kind in self._marks:
            if what == "cut":
                self._close_shot(index, kind)
            elif what == "strike":
                self.truth.strikes.append((index, kind))
            elif what == "flash":
                self.truth.flashes.append((index, index))
            elif what == "flash_end":
                a, _ = self.truth.flashes[-1]
                self.truth.flashes[-1] = (a, index - 1)
        self._marks = []
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
        frame.pts = n
        for pkt in self._stream.encode(frame):
            self._out.mux(pkt)
        self.times.append(n / self.fps)

    def mark(self, what: str, kind: str = "cut") -> None:
        """``cut`` (the next written frame starts a shot; ``kind`` = why the previous one ended),
        ``strike`` (it is the first lost frame; ``kind`` = strike kind), ``flash`` /
        ``flash_end`` (an explosion flash starts / has ended)."""
        self._marks.append((what, kind))

    def _close_shot(self, index: int, reason: str) -> None:
        if index > self._shot_first:
            self.truth.shots.append((self._shot_first, index - 1, reason))
            self.truth.cuts.append(index)
            self._shot_first = index

    def close(self) -> SynthTruth:
        """Flush the encoder; the truth of the written clip."""
        for pkt in self._stream.encode():
            self._out.mux(pkt)
        self._out.close()
        n = len(self.times)
        reason = "end"
        if self.truth.strikes and self.truth.strikes[-1][0] >= self._shot_first:
            reason = self.truth.strikes[-1][1]
        self.truth.shots.append((self._shot_first, n - 1, reason))
        self.truth.n_frames = n
        self.truth.times = list(self.times)
        return self.truth

    # -- content -----------------------------------------------------------------------------

    def live(self, source: int, seconds: float, *, seed: int, osd: bool = False, watermark: bool = False,
             explosion_at: tuple[float, int] | None = None, glitch_at: float | None = None,
             fade_in: float = 0.0, fade_out: float = 0.0, flash_out: int = 0, flash_in: int = 0) -> None:
        """A shot of a moving camera over a real clip.

        Args:
            source: Which of the shared clips (index into the suite's sources).
            seconds: Length (s).
            seed: Chooses the camera path and where in the source it starts.
            osd: Draw goggle overlays.
            watermark: Draw a burned-in watermark.
            explosion_at: ``(time in the shot (s), frames)`` of an explosion flash inside it.
            glitch_at: Time (s) of a 3-frame burst of snow after which the view resumes.
            fade_in: Fade in from black over this long (s).
            fade_out: Fade out to black over this long (s), at its end.
            flash_in: The shot emerges from a white flash over its first ``flash_in`` frames.
            flash_out: It goes into a white flash over its last ``flash_out`` frames.
        """
        rng = np.random.default_rng(seed)
        name, lo, hi = _SOURCES[source % len(_SOURCES)]
        n = max(2, round(seconds * self.fps))
        src_fps = {"yassim_people.mp4": 30.0, "sportslabkit_left_camera.mp4": 25.0}.get(name, 10.0)
        step = max(1, round(src_fps / self.fps))
        span = n * step / src_fps
        for _ in range(12):  # a camera path over texture (a drone flies over terrain, not a blank wall)
            start = float(rng.uniform(lo, max(lo, hi - span - 0.5)))
            cx0, cy0 = rng.uniform(0.35, 0.65, 2)
            cx1, cy1 = np.clip([cx0 + rng.uniform(-0.2, 0.2), cy0 + rng.uniform(-0.12, 0.12)], 0.25, 0.75)
            z0 = float(rng.uniform(0.7, 0.95))
            z1 = float(z0 * rng.uniform(0.5, 0.8))
            frames = _src_frames(name, start, n, step)
            ends = camera(iter([frames[0], frames[-1]]), 2, self.size, centre=((cx0, cy0), (cx1, cy1)), zoom=(z0, z1))
            if min(float(cv2.cvtColor(e, cv2.COLOR_BGR2GRAY).std()) for e in ends) >= 25:
                break
        cam = camera(iter(frames), n, self.size, centre=((cx0, cy0), (cx1, cy1)), zoom=(z0, z1), shake=0.8, seed=seed)
        ex_k = round(explosion_at[0] * self.fps) if explosion_at else -1
        ex_centre = (float(rng.uniform(0.35, 0.65)), float(rng.uniform(0.4, 0.65)))
        gl_k = round(glitch_at * self.fps) if glitch_at is not None else -1
        n_in, n_out = round(fade_in * self.fps), round(fade_out * self.fps)
        h_in = flash_in - flash_in // 2 if flash_in else 0  # the flash's A side is ceil(n/2)
        for k, pic in enumerate(cam):
            self.raw = pic
            img = pic
            if n_in and k < n_in:
                img = (img.astype(np.float32) * ((k + 1) / (n_in + 1))).astype(np.uint8)
            if n_out and k >= n - n_out:
                img = (img.astype(np.float32) * (1 - (k - (n - n_out) + 1) / (n_out + 1))).astype(np.uint8)
            if flash_in and k < flash_in - h_in:  # B side: from white down to the picture
                img = white(img, 1.0 - 0.65 * (k + 1) / (flash_in - h_in + 1))
            if flash_out and k >= n - flash_out:  # A side: up to pure white
                j = k - (n - flash_out) + 1
                img = white(img, 0.35 + 0.65 * j / flash_out)
            if explosion_at and ex_k <= k < ex_k + explosion_at[1]:
                j = k - ex_k
                if j == 0:
                    self.mark("flash")
                peak = 0.92
                img = explosion(img, peak * math.exp(-j / max(1.0, explosion_at[1] / 2.5)), ex_centre, 0.45)
            if explosion_at and k == ex_k + explosion_at[1]:
                self.mark("flash_end")
            if glitch_at is not None and gl_k <= k < gl_k + 3:
                img = analog_static(img, self.rng, 9)
                if k == gl_k:
                    self.truth.glitches.append((len(self.times), len(self.times) + 2))
            self.emit(img, osd=osd, watermark=watermark)

    def still(self, source: int, seconds: float, *, seed: int, watermark: bool = False) -> None:
        """A still photo (a slideshow picture): one source frame held."""
        rng = np.random.default_rng(seed)
        name, lo, hi = _SOURCES[source % len(_SOURCES)]
        (frame,) = _src_frames(name, float(rng.uniform(lo, hi - 1)), 1, 1)
        pic = next(camera(iter([frame]), 1, self.size, centre=((0.5, 0.5), (0.5, 0.5)), zoom=(0.9, 0.9)))
        self.raw = pic
        for _ in range(max(1, round(seconds * self.fps))):
            self.emit(pic, watermark=watermark)

    def black(self, seconds: float, *, osd: bool = False, watermark: bool = False) -> None:
        for _ in range(max(1, round(seconds * self.fps))):
            self.emit(np.zeros((self.size[1], self.size[0], 3), np.uint8), osd=osd, watermark=watermark)

    def loss(self, kind: str, seconds: float, *, osd: bool = True) -> None:
        """A feed loss after the last live picture: ``black``, ``static`` (snow), ``freeze``
        or ``broken``; the goggle overlays stay drawn over it."""
        assert self.raw is not None
        self.mark("strike", TAIL_KIND[kind])
        n = max(1, round(seconds * self.fps))
        for k in range(n):
            if kind == "black":
                img = np.zeros_like(self.raw)
            elif kind == "static":
                img = analog_static(self.raw, self.rng, k)
            elif kind == "freeze":
                img = self.raw
            else:
                img = broken_up(self.raw, self.rng, k, n)
            self.emit(img, osd=osd)


def _src_frames(name: str, start_s: float, n: int, step: int) -> list[np.ndarray]:
    """``n`` frames of a shared clip from ``start_s`` on (every ``step``-th), halved when large."""
    out = []
    for img in source_frames(name, start_s, n, step=step):
        if img.shape[1] > 1280:
            img = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
        out.append(img)
    return out


def _flash_clip(tl: Timeline, fps: int) -> None:
    """Shots joined by white flashes of 2-8 frames and hard cuts; explosion flashes of 2-8 frames
    inside shots."""
    plan = [  # (flash frames into the next shot, 0 = hard cut), explosion inside (frames) or 0
        (2, 0), (0, 4), (3, 0), (5, 2), (0, 0), (8, 6), (4, 0), (6, 8), (0, 3), (7, 0), (0, 5),
    ]
    flash_in = 0
    for k, (flash, boom) in enumerate(plan):
        seconds = 2.0 if boom else 1.6
        tl.live(k, seconds, seed=100 * fps + k, explosion_at=(seconds * 0.45, boom) if boom else None,
                flash_in=flash_in, flash_out=flash - flash // 2 if flash else 0)
        flash_in = flash
        tl.mark("cut")
    tl.live(len(plan), 1.6, seed=100 * fps + 99, flash_in=flash_in)


def _loss_clip(tl: Timeline, fps: int) -> None:
    """Shots with goggle overlays that end in black / snow / freeze / break-up drawn under the
    OSD, each followed 0.2-1 s later by the next shot; a glitch that resumes."""
    plan = [("black", 0.2), ("static", 0.3), ("freeze", 0.5), ("broken", 0.4), ("black", 1.0),
            ("static", 0.8), ("freeze", 1.0), ("broken", 0.7), ("black", 0.5), ("static", 0.2)]
    for k, (kind, seconds) in enumerate(plan):
        tl.live(k + 1, 1.8, seed=200 * fps + k, osd=k % 3 != 2, glitch_at=0.9 if k == 4 else None)
        tl.loss(kind, seconds, osd=k % 3 != 2)
        tl.mark("cut", TAIL_KIND[kind])
    tl.live(0, 1.6, seed=200 * fps + 99, osd=True)


def _edits_clip(tl: Timeline, fps: int) -> None:
    """Edits that are not strikes, with a watermark burned into every frame: opens on black and
    fades in, dips to black, a fade to black then a hard cut, a hard cut to black then a fade in,
    a slideshow's black gaps, a short dip, and a fade out to black at the end."""
    wm = {"watermark": True}
    tl.black(0.5, **wm)
    tl.live(0, 2.0, seed=300 * fps, fade_in=0.5, fade_out=0.5, **wm)
    tl.black(0.4, **wm)
    tl.mark("cut")
    tl.live(1, 2.0, seed=300 * fps + 1, fade_in=0.5, fade_out=0.5, **wm)
    tl.black(0.3, **wm)
    tl.mark("cut")
    tl.live(2, 2.0, seed=300 * fps + 2, **wm)
    tl.mark("cut")
    tl.black(0.8, **wm)
    tl.live(3, 2.0, seed=300 * fps + 3, fade_in=0.6, **wm)
    tl.mark("cut")
    tl.still(0, 2.0, seed=300 * fps + 4, **wm)
    tl.mark("cut")
    tl.black(0.5, **wm)
    tl.mark("cut")
    tl.still(1, 2.0, seed=300 * fps + 5, **wm)
    tl.mark("cut")
    tl.black(1.0, **wm)
    tl.mark("cut")
    tl.still(2, 2.0, seed=300 * fps + 6, **wm)
    tl.mark("cut")
    tl.live(3, 2.0, seed=300 * fps + 7, fade_out=3 / fps, **wm)
    tl.black(2 / fps, **wm)
    tl.mark("cut")
    tl.live(0, 2.0, seed=300 * fps + 8, fade_in=3 / fps, fade_out=0.6, **wm)
    tl.black(1.0, **wm)


def _ending_clip(tl: Timeline, fps: int, kind: str) -> None:
    """One shot with goggle overlays whose feed is lost to the end of the clip."""
    tl.live(fps, 2.5, seed=400 * fps + len(kind), osd=True)
    tl.loss(kind, 1.0, osd=True)


def _vfr_clip(tl: Timeline) -> None:
    """Every third frame of a 30 fps timeline dropped: flash transitions, an explosion, feed
    losses under overlays followed by a next shot, a dip to black, and a break-up to the end."""
    tl.live(0, 2.0, seed=501, flash_out=2)
    tl.mark("cut")
    tl.live(1, 2.0, seed=502, flash_in=4, explosion_at=(0.9, 6), flash_out=3)
    tl.mark("cut")
    tl.live(2, 2.0, seed=503, flash_in=6, osd=True)
    tl.loss("black", 0.5)
    tl.mark("cut", "black")
    tl.live(3, 2.0, seed=504, osd=True)
    tl.loss("static", 0.4)
    tl.mark("cut", "signal_loss")
    tl.live(0, 2.0, seed=505, fade_out=0.4)
    tl.black(0.3)
    tl.mark("cut")
    tl.live(1, 2.0, seed=506, fade_in=0.4, osd=True)
    tl.loss("freeze", 0.6)
    tl.mark("cut", "freeze")
    tl.live(2, 2.5, seed=507, osd=True)
    tl.loss("broken", 1.0)


def suite_clips() -> dict[str, tuple[int, int, Callable[[Timeline], None]]]:
    """Every clip of the suite: name -> (nominal fps, drop, content)."""
    out: dict[str, tuple[int, int, Callable[[Timeline], None]]] = {}
    for fps in SUITE_FPS:
        out[f"suite_flash_{fps}fps.mp4"] = (fps, 0, lambda tl, f=fps: _flash_clip(tl, f))
        out[f"suite_loss_{fps}fps.mp4"] = (fps, 0, lambda tl, f=fps: _loss_clip(tl, f))
        out[f"suite_edits_{fps}fps.mp4"] = (fps, 0, lambda tl, f=fps: _edits_clip(tl, f))
        for kind in ("black", "static", "freeze", "broken"):
            out[f"suite_end_{kind}_{fps}fps.mp4"] = (fps, 0, lambda tl, f=fps, k=kind: _ending_clip(tl, f, k))
    out["suite_vfr_drop3.mp4"] = (30, 3, _vfr_clip)
    return out


def build_suite(folder: str | Path, names: Sequence[str] | None = None) -> dict[str, SynthTruth]:
    """Build the suite's clips (all, or ``names``) into ``folder``; their truth by name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (fps, drop, content) in suite_clips().items():
        if names is not None and name not in names:
            continue
        tl = Timeline(folder / name, fps, drop=drop, seed=len(name))
        try:
            content(tl)
        finally:
            truth = tl.close()
        truth.fps = fps if not drop else fps * (drop - 1) / drop
        out[name] = truth
    return out


def suite_truth_json(truths: dict[str, SynthTruth]) -> dict[str, Any]:
    """The suite's truth in the format of ``bench/shots_eval.py``."""
    out: dict[str, Any] = {
        "_about": "Truth of the synthetic suite made by tests/synth.py build_suite from the real clips in "
                  "../shared/videos (regenerate with `python -m tests.synth DIR`). 'cuts' = decoded-frame index of the "
                  "first frame of each new shot (a flash transition: the first frame of the shot that emerges from the "
                  "flash; a dip to black: where the next picture starts to fade in, or the first black frame when the "
                  "picture was cut to black); 'strikes' = first lost frame and kind; 'flashes' = explosion flashes inside "
                  "a shot (not cuts).",
        "_build": "tests.synth:build_suite",
    }
    for name, tr in truths.items():
        times = tr.times
        out[name] = {
            "source_of_truth": "generated (tests/synth.py)",
            "fps": round(tr.fps, 4),
            "n_frames": tr.n_frames,
            "cuts": [{"frame": c, "t": round(times[c], 4)} for c in tr.cuts],
            "strikes": [{"frame": f, "kind": k, "t": round(times[f], 4)} for f, k in tr.strikes],
            "flashes": [{"first": a, "last": b} for a, b in tr.flashes],
            "glitches": [{"first": a, "last": b} for a, b in tr.glitches],
        }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tests.synth DIR [NAME ...]``: build the suite and write ``DIR/synth_suite.json``."""
    import json
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m tests.synth DIR [NAME ...]", file=sys.stderr)
        return 2
    truths = build_suite(args[0], args[1:] or None)
    path = Path(args[0]) / "synth_suite.json"
    path.write_text(json.dumps(suite_truth_json(truths), indent=1) + "\n", encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
