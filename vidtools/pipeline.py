"""analyze_clip(path, config) -> ClipReport: wires the stages, nothing else.

One decode pass per clip: every frame feeds the cheap signal statistics (shots, strikes,
overlays); sampled frames are cropped to the active picture and go to the detector in batches.
Tracking, unique counts and strike terminal windows are post-passes over the stored detections
(small arrays), so no frame is held after it has been used.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import platform
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vidtools import __version__, track
from vidtools.config import AnalysisConfig
from vidtools.count import empty_detections, frame_counts, shot_of, shot_summaries, summarize
from vidtools.detect import Detector, YoloDetector
from vidtools.errors import VideoOpenError
from vidtools.frames import Sampler, decode
from vidtools.probe import probe
from vidtools.progress import Progress
from vidtools.shots import THUMB_WIDTH, SignalAnalyzer, drop_overlay_detections
from vidtools.strikes import terminal_windows
from vidtools.taxonomy import OTHER, Taxonomy, load_taxonomy
from vidtools.types import SCHEMA_VERSION, ClipReport, Shot

log = logging.getLogger(__name__)

CASUALTY_NOTE = (
    "Detection does not confirm casualties or damage: counts are objects visible to the model, "
    "not persons killed or vehicles destroyed."
)


def load_detector(config: AnalysisConfig) -> YoloDetector:
    """The YOLO detector described by a config (model, conf, iou, imgsz, device)."""
    return YoloDetector(
        config.model,
        conf=config.conf,
        iou=config.iou,
        imgsz=config.imgsz,
        device=config.device,
        allow_download=config.allow_download,
    )


def versions() -> dict[str, str | None]:
    """Versions of vidtools and the libraries whose behaviour shapes the results."""
    out: dict[str, str | None] = {"vidtools": __version__, "python": platform.python_version()}
    for pkg in ("ultralytics", "torch", "openvino", "av", "numpy", "opencv-python", "scenedetect", "pandas"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


class _HeapGuard:
    """Keeps the resident size from creeping up with clip length.

    Decoded frames are 1-25 MB buffers that glibc keeps in its heap after they are freed, so the
    resident size grows with clip length although no frame is held (measured: 1327 -> 1412 MB from
    40 s to 130 s of a clip). Trimming after every batch costs ~12 % speed, so the heap is trimmed
    (glibc ``malloc_trim``) only when the resident size is ``slack_mb`` above its level after the
    first batches. Does nothing where glibc or ``/proc`` are absent.
    """

    def __init__(self, slack_mb: int = 256, warmup: int = 4) -> None:
        self._trim = None
        try:
            import ctypes

            self._trim = ctypes.CDLL("libc.so.6").malloc_trim
            self._page = os.sysconf("SC_PAGE_SIZE")
        except (OSError, AttributeError, ValueError):
            self._trim = None
        self._slack = slack_mb << 20
        self._warmup = warmup
        self._base: int | None = None
        self.trims = 0

    def _rss(self) -> int:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * self._page

    def check(self) -> None:
        """Call once per batch."""
        if self._trim is None:
            return
        if self._warmup > 0:
            self._warmup -= 1
            return
        try:
            rss = self._rss()
        except OSError:
            self._trim = None
            return
        if self._base is None:
            self._base = rss
        elif rss > self._base + self._slack:
            self._trim(0)
            self.trims += 1


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class _Collected:
    """What the decode pass leaves behind: small arrays only."""

    frame_index: list[int] = field(default_factory=list)
    frame_t: list[float] = field(default_factory=list)
    det_frame: list[np.ndarray] = field(default_factory=list)
    det_t: list[np.ndarray] = field(default_factory=list)
    det_xyxy: list[np.ndarray] = field(default_factory=list)
    det_conf: list[np.ndarray] = field(default_factory=list)
    det_cls: list[np.ndarray] = field(default_factory=list)
    n_decoded: int = 0
    first: tuple[int, float] | None = None
    last: tuple[int, float] | None = None
    crops: int = 0


Pending = list[tuple[int, float, np.ndarray, tuple[int, int]]]


def _record(pending: Pending, results: list[Any], acc: _Collected) -> None:
    """Store one batch's detections (boxes shifted from the crop back to source pixels)."""
    for (index, t, _img, (ox, oy)), r in zip(pending, results):
        acc.frame_index.append(index)
        acc.frame_t.append(t)
        n = len(r.conf)
        if n:
            xyxy = r.xyxy.astype(np.float64)
            if ox or oy:
                xyxy = xyxy + np.array([ox, oy, ox, oy], dtype=np.float64)
            acc.det_frame.append(np.full(n, index, np.int64))
            acc.det_t.append(np.full(n, t, np.float64))
            acc.det_xyxy.append(xyxy)
            acc.det_conf.append(r.conf.astype(np.float64))
            acc.det_cls.append(r.class_id.astype(np.int64))


class _BatchRunner:
    """Runs detector batches in background threads so the model keeps working while the next
    batch is collected: ``parallelism`` batches run at once (one per OpenVINO stream) and one more
    waits; results are recorded in submission order."""

    def __init__(self, detector: Detector, acc: _Collected) -> None:
        workers = max(1, int(getattr(detector, "parallelism", 1)))
        self._detector, self._acc, self._depth = detector, acc, workers + 1
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vidtools-detect")
        self._inflight: deque[tuple[Pending, Future[list[Any]]]] = deque()
        self._heap = _HeapGuard()

    def submit(self, pending: Pending) -> None:
        batch = list(pending)
        self._inflight.append((batch, self._pool.submit(self._detector.detect, [p[2] for p in batch])))
        while len(self._inflight) >= self._depth:
            self._collect_oldest()

    def _collect_oldest(self) -> None:
        batch, future = self._inflight.popleft()
        _record(batch, future.result(), self._acc)
        self._heap.check()

    def finish(self) -> None:
        while self._inflight:
            self._collect_oldest()

    def close(self) -> None:
        for _, f in self._inflight:
            f.cancel()
        self._pool.shutdown(wait=True)


def _detections_table(acc: _Collected, names: dict[int, str], taxonomy: Taxonomy) -> pd.DataFrame:
    if not acc.det_frame:
        return empty_detections()
    cls = np.concatenate(acc.det_cls)
    xyxy = np.concatenate(acc.det_xyxy)
    class_names = [names.get(int(c), str(int(c))) for c in cls]
    return pd.DataFrame(
        {
            "frame_index": np.concatenate(acc.det_frame),
            "t_s": np.concatenate(acc.det_t),
            "shot": np.zeros(len(cls), np.int64),
            "class_id": cls,
            "class": class_names,
            "category": [taxonomy.category_of(c) for c in class_names],
            "conf": np.concatenate(acc.det_conf),
            "x1": xyxy[:, 0],
            "y1": xyxy[:, 1],
            "x2": xyxy[:, 2],
            "y2": xyxy[:, 3],
        }
    )


def _decode_pass(
    path: str | Path,
    config: AnalysisConfig,
    sampler: Sampler,
    analyzer: SignalAnalyzer | None,
    runner: _BatchRunner,
    acc: _Collected,
    bar: Progress,
    tick: Callable[[], None] | None = None,
) -> None:
    """The single decode pass: every frame feeds the signal statistics; sampled frames are
    cropped to the active picture and handed to the detector in batches."""
    pending: Pending = []
    for d in decode(
        path,
        sampler=sampler,
        start=config.start,
        end=config.end,
        thumb_width=THUMB_WIDTH if analyzer is not None else None,
    ):
        acc.n_decoded += 1
        acc.first = acc.first or (d.index, d.t)
        acc.last = (d.index, d.t)
        if analyzer is not None:
            analyzer.update(d.index, d.t, d.thumb)
        if d.sampled:
            image, offset = d.image, (0, 0)
            if analyzer is not None and config.crop_bars:
                x1, y1, x2, y2 = analyzer.active_box(d.image)
                h, w = d.image.shape[:2]
                if (x1, y1, x2, y2) != (0, 0, w, h):
                    image, offset = d.image[y1:y2, x1:x2], (x1, y1)
                    acc.crops += 1
            pending.append((d.index, d.t, image, offset))
            if len(pending) >= config.batch:
                runner.submit(pending)
                pending = []
        bar.update()
        if tick is not None:
            tick()
    if pending:
        runner.submit(pending)
    runner.finish()


def report_classes(names: dict[int, str], taxonomy: Taxonomy, detections: pd.DataFrame) -> list[str]:
    """Classes that get their own count column: the model's classes that the taxonomy maps to a
    category, plus any other class that was detected, in model class-id order."""
    seen = set(detections["class"]) if len(detections) else set()
    return [n for _, n in sorted(names.items()) if taxonomy.category_of(n) != OTHER or n in seen]


def analyze_clip(
    path: str | Path,
    config: AnalysisConfig | None = None,
    *,
    detector: Detector | None = None,
    taxonomy: Taxonomy | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ClipReport:
    """Analyse one clip end to end (nothing is written; see :mod:`vidtools.report`).

    Args:
        path: Video file.
        config: Analysis parameters (defaults when None).
        detector: A loaded detector to reuse (loaded from ``config`` when None).
        taxonomy: Class -> category mapping (loaded from ``config.taxonomy`` when None).
        progress: Called after each decoded frame with (frames decoded so far, frames expected
            or None) instead of drawing this clip's own progress bar (a batch draws one bar).

    Returns:
        :class:`ClipReport` with the JSON report, per-frame counts, detections and tracks.

    Raises:
        VideoOpenError: the clip is missing, empty, corrupt, truncated or has no frames in range.
        WeightsNotFoundError, ModelLoadError: the model cannot be found or loaded.
    """
    config = config or AnalysisConfig()
    started, t_start = _now(), time.perf_counter()
    info = probe(path)
    taxonomy = taxonomy or load_taxonomy(config.taxonomy)
    detector = detector or load_detector(config)

    analyzer = None
    if config.shots:
        analyzer = SignalAnalyzer(
            float(info.fps), info.width, info.height, crop_bars=config.crop_bars, mask_overlays=config.mask_overlays
        )
    sampler = Sampler(config.every, config.fps)
    acc = _Collected()
    seg_start = config.start or 0.0
    seg_end = min(config.end, info.duration_s) if config.end is not None else info.duration_s
    total = max(1, int(round((seg_end - seg_start) * float(info.fps)))) if info.fps else None
    with Progress(total, Path(path).name, "frame", config.quiet or progress is not None) as bar:
        runner = _BatchRunner(detector, acc)
        tick = (lambda: progress(acc.n_decoded, total)) if progress is not None else None
        try:
            _decode_pass(path, config, sampler, analyzer, runner, acc, bar, tick)
        finally:
            runner.close()
    if not acc.frame_index or acc.first is None or acc.last is None:
        raise VideoOpenError(path, f"no frames in the selected segment ({seg_start:g}-{seg_end:g} s); check --start/--end")

    seg = analyzer.finish() if analyzer is not None else None
    shots = list(seg.shots) if seg is not None and seg.shots else [Shot(0, acc.first[0], acc.last[0], acc.first[1], acc.last[1], "end")]

    frames = pd.DataFrame({"frame_index": np.array(acc.frame_index, np.int64), "t_s": np.array(acc.frame_t)})
    frames["shot"] = shot_of(frames["frame_index"].to_numpy(), shots)
    detections = _detections_table(acc, detector.names, taxonomy)
    detections["shot"] = shot_of(detections["frame_index"].to_numpy(), shots)
    n_dropped = 0
    if seg is not None and config.mask_overlays:
        kept = drop_overlay_detections(detections, seg).reset_index(drop=True)
        n_dropped, detections = len(detections) - len(kept), kept

    categories = [*taxonomy.category_names(), OTHER]
    classes = report_classes(detector.names, taxonomy, detections)
    counts = frame_counts(frames, detections, categories, classes)
    sample_fps = sampler.rate(float(info.fps)) if info.fps else 1.0

    detections, tracks = track.track_detections(
        detections,
        frames,
        shots,
        tracker=config.tracker,
        sample_fps=sample_fps,
        track_buffer_s=config.track_buffer_s,
        min_track_s=config.min_track_s,
    )
    if config.tracker != "none":
        unique = track.unique_counts(
            tracks, counts, shots, min_track_s=config.min_track_s, categories=categories, classes=classes
        )
    else:
        unique = track.unique_counts_unavailable(counts, categories, classes, shots)

    strikes: list[dict[str, Any]] = []
    if seg is not None:
        strikes = terminal_windows(
            seg, detections, counts, terminal_s=config.terminal_s, width=info.width, height=info.height
        )
    seg_dict = seg.to_dict() if seg is not None else {}
    model_info = detector.info()
    meta: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "vidtools.clip_report",
        "video": info.to_dict(),
        "provenance": {
            "input": {"path": str(Path(path).resolve()), "sha256": info.sha256},
            "model": model_info,
            "parameters": config.to_dict(),
            "versions": versions(),
            "device": model_info.get("device"),
            "started_at": started,
            "finished_at": _now(),
            "elapsed_s": round(time.perf_counter() - t_start, 3),
        },
        "taxonomy": {**taxonomy.to_dict(), "detectable": taxonomy.detectable(detector.names.values())},
        "model_classes": [detector.names[k] for k in sorted(detector.names)],
        "sampling": {
            "every": config.every,
            "fps": config.fps,
            "sample_rate_fps": round(sample_fps, 6),
            "segment_start_s": acc.first[1],
            "segment_end_s": acc.last[1],
            "first_frame": acc.first[0],
            "last_frame": acc.last[0],
            "n_frames_decoded": acc.n_decoded,
            "n_frames_sampled": len(frames),
            "n_frames_cropped": acc.crops,
        },
        "summary": summarize(counts, categories, classes),
        "shots": shot_summaries(counts, shots, categories),
        "strikes": strikes,
        "unique_counts": unique,
        "overlays": {
            "n_detections_dropped": n_dropped,
            "masks": seg_dict.get("overlays", []),
            "letterbox": seg_dict.get("letterbox", []),
        },
        "shot_detection": {"enabled": seg is not None, "params": seg_dict.get("params")},
        "notes": [CASUALTY_NOTE],
    }
    cat_order = ["frame_index", "t_s", "shot", "track_id"]
    detections = detections[[c for c in cat_order if c in detections] + [c for c in detections if c not in cat_order]]
    return ClipReport(meta=meta, frames=counts, detections=detections.reset_index(drop=True), tracks=tracks)

