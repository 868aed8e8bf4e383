"""analyze_clip(path, config) -> ClipReport: wires the stages, nothing else.

One decode pass per clip: every frame feeds the cheap signal statistics (shots, strikes,
overlays); sampled frames are cropped to the active picture and go to the detector in batches
(:mod:`vidtools.inflight`). Tracking, counts, unique counts and strike terminal windows are
post-passes over the stored boxes (small arrays), so no frame is held after it has been used.
The report is put together by :mod:`vidtools.report.assemble`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidtools.config import AnalysisConfig
from vidtools.count import LINK_GAP_FACTOR, frame_counts, shot_of, track_ends, unique_counts, unique_counts_unavailable
from vidtools.detect import Detector, YoloDetector
from vidtools.detect_sliced import with_slicing
from vidtools.errors import VideoOpenError
from vidtools.frames import Deadline, Sampler, decode
from vidtools.heap import HeapGuard
from vidtools.inflight import Batch, InFlight, Sample
from vidtools.names import display
from vidtools.probe import probe
from vidtools.progress import Progress
from vidtools.provenance import utc_now
from vidtools.report.assemble import SegmentFacts, assemble_report
from vidtools.shots import THUMB_WIDTH, SegmentResult, SignalAnalyzer, drop_overlay_detections
from vidtools.strikes import terminal_windows
from vidtools.taxonomy import OTHER, Taxonomy, load_taxonomy
from vidtools.track import Tracker, track_detections
from vidtools.types import (
    ClipReport,
    ClipStatus,
    Detections,
    SampledFrames,
    Sampling,
    Shot,
    Strike,
)

log = logging.getLogger(__name__)


def load_detector(config: AnalysisConfig) -> Detector:
    """The YOLO detector described by a config (model, conf, iou, imgsz, device, names, offline,
    trust): the device path (:class:`~vidtools.device.detector.TorchDetector`) when
    ``config.device_pipeline`` selects it, else :class:`~vidtools.detect.YoloDetector`."""
    from vidtools.device.detector import TorchDetector, is_architecture, use_device_pipeline
    from vidtools.weights import resolve_model

    # resolved (and, for a known official name, downloaded) once, for both paths
    model = config.model if is_architecture(config.model) else resolve_model(
        config.model, offline=config.offline, progress=not config.quiet)
    if use_device_pipeline(config.device_pipeline, model, config.device, offline=config.offline):
        return TorchDetector(model, conf=config.conf, iou=config.iou, imgsz=config.imgsz,
                             device=config.device, names=config.names, offline=config.offline,
                             trusted_models_only=config.trusted_models_only)
    return YoloDetector(
        model,
        conf=config.conf,
        iou=config.iou,
        imgsz=config.imgsz,
        device=config.device,
        names=config.names,
        offline=config.offline,
        trusted_models_only=config.trusted_models_only,
        quiet=config.quiet,
    )


def make_tracker(config: AnalysisConfig, sample_fps: float) -> Tracker | None:
    """The tracker a config asks for (None for ``tracker="none"``)."""
    if config.tracker == "none":
        return None
    from vidtools.track_ultralytics import UltralyticsTracker

    return UltralyticsTracker(config.tracker, sample_fps=sample_fps, track_buffer_s=config.track_buffer_s)


@dataclass(frozen=True, eq=False)
class Decoded:
    """What the decode pass leaves behind: small arrays only.

    Attributes:
        frame_index: (n,) source indices of the sampled frames.
        t: (n,) their times (s).
        boxes: Their boxes in source pixels, placed in their frames (categories not yet mapped).
        n_decoded: Frames decoded.
        first: ``(index, t)`` of the first decoded frame (None when none decoded).
        last: ``(index, t)`` of the last decoded frame.
        n_cropped: Sampled frames cropped to the active picture.
        status: How completely the clip decoded (the decoder's account: gaps, a short end).
    """

    frame_index: np.ndarray
    t: np.ndarray
    boxes: Detections
    n_decoded: int
    first: tuple[int, float] | None
    last: tuple[int, float] | None
    n_cropped: int
    status: ClipStatus


def _placed(batch: Batch) -> list[Detections]:
    """Each sample's boxes shifted from its crop back to source pixels and placed in its frame."""
    out = []
    for s, d in zip(*batch):
        n = len(d)
        ox, oy = s.offset
        xyxy = d.xyxy + np.array([ox, oy, ox, oy], np.float32) if ox or oy else d.xyxy
        out.append(dataclasses.replace(d, xyxy=xyxy, frame_index=np.full(n, s.index, np.int64),
                                       t=np.full(n, s.t, np.float64)))
    return out


def _decode_pass(path: str | Path, config: AnalysisConfig, sampler: Sampler, analyzer: SignalAnalyzer | None,
                 detector: Detector, bar: Progress, deadline: Deadline | None = None,
                 tick: Callable[[int], None] | None = None) -> Decoded:
    """The single decode pass: every frame feeds the signal statistics; sampled frames are
    cropped to the active picture and handed to the detector in batches. A damaged clip is read
    as far as it decodes; ``deadline`` bounds the wall time (``ClipTimeoutError``); ``tick`` gets
    the number of frames decoded so far after each frame."""
    statuses: list[ClipStatus] = []
    placed: list[Detections] = []
    sampled: list[tuple[int, float]] = []
    n_decoded, n_cropped = 0, 0
    first = last = None
    heap = HeapGuard()

    def record(batches: list[Batch]) -> None:
        for b in batches:
            placed.extend(_placed(b))
            heap.check()

    pending: list[Sample] = []
    with InFlight(detector) as inflight:
        for d in decode(path, sampler=sampler, start=config.start, end=config.end,
                        thumb_width=THUMB_WIDTH if analyzer is not None else None,
                        on_status=statuses.append, deadline=deadline):
            n_decoded += 1
            first = first or (d.index, d.t)
            last = (d.index, d.t)
            if analyzer is not None:
                analyzer.update(d.index, d.t, d.thumb, size=d.size)
            if d.sampled:
                image, offset = d.image, (0, 0)
                if analyzer is not None and config.crop_bars:
                    x1, y1, x2, y2 = analyzer.active_box(d.image)
                    h, w = d.image.shape[:2]
                    if (x1, y1, x2, y2) != (0, 0, w, h):
                        image, offset = d.image[y1:y2, x1:x2], (x1, y1)
                        n_cropped += 1
                sampled.append((d.index, d.t))
                pending.append(Sample(d.index, d.t, image, offset))
                if len(pending) >= config.batch:
                    record(inflight.submit(pending))
                    pending = []
            bar.update()
            if tick is not None:
                tick(n_decoded)
        if pending:
            record(inflight.submit(pending))
        record(inflight.drain())
    if not statuses:
        raise RuntimeError(f"the decoder of {display(path)} ended without saying how completely it decoded")
    return Decoded(
        frame_index=np.array([i for i, _ in sampled], np.int64),
        t=np.array([t for _, t in sampled], np.float64),
        boxes=Detections.concat(placed) if placed else dataclasses.replace(
            Detections.empty(), frame_index=np.zeros(0, np.int64), t=np.zeros(0)),
        n_decoded=n_decoded, first=first, last=last, n_cropped=n_cropped, status=statuses[-1],
    )


def _segment_facts(seg: SegmentResult | None) -> SegmentFacts:
    """What shot detection found, as the report's typed values (nothing when it was off)."""
    if seg is None:
        return SegmentFacts(enabled=False, shots=(), strikes=(), masks=(), letterbox=(), events=(), params=None)
    return SegmentFacts(enabled=True, shots=tuple(seg.shots), strikes=tuple(seg.strikes), masks=tuple(seg.overlays),
                        letterbox=tuple(seg.letterbox), events=tuple(seg.events),
                        params={"thumb_width": THUMB_WIDTH, **seg.params.to_dict()})


def report_classes(names: dict[int, str], taxonomy: Taxonomy, boxes: Detections) -> list[str]:
    """Classes that get their own count column: the model's classes that the taxonomy maps to a
    category, plus any other class that was detected, in model class-id order."""
    seen = set(boxes.class_name.tolist())
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
        :class:`ClipReport`.

    Raises:
        VideoOpenError: the clip is missing, empty, corrupt, truncated or has no frames in range.
        WeightsNotFoundError, ModelLoadError: the model cannot be found or loaded.
    """
    config = config or AnalysisConfig()
    started, t_start = utc_now(), time.perf_counter()
    deadline = Deadline.after(config.clip_timeout)
    info = probe(path)
    taxonomy = taxonomy or load_taxonomy(config.taxonomy)
    detector = with_slicing(detector or load_detector(config), config, taxonomy)
    taxonomy = taxonomy.for_model(detector.names[k] for k in sorted(detector.names))

    analyzer = None
    if config.shots:
        analyzer = SignalAnalyzer(
            float(info.fps), info.width, info.height, crop_bars=config.crop_bars, mask_overlays=config.mask_overlays
        )
    sampler = Sampler(config.every, config.fps)
    seg_start = config.start or 0.0
    seg_end = min(config.end, info.duration_s) if config.end is not None else info.duration_s
    total = max(1, int(round((seg_end - seg_start) * float(info.fps)))) if info.fps else None
    tick = (lambda n: progress(n, total)) if progress is not None else None
    with Progress(total, Path(path).name, "frame", config.quiet or progress is not None) as bar:
        decoded = _decode_pass(path, config, sampler, analyzer, detector, bar, deadline, tick)
    if not len(decoded.frame_index) or decoded.first is None or decoded.last is None:
        raise VideoOpenError(path, f"no frames in the selected segment ({seg_start:g}-{seg_end:g} s); check --start/--end")

    seg = analyzer.finish() if analyzer is not None else None
    facts = _segment_facts(seg)
    (i0, t0), (i1, t1) = decoded.first, decoded.last
    shots: list[Shot] = list(facts.shots) or [Shot(0, i0, i1, t0, t1, "end")]

    frames = SampledFrames(decoded.frame_index, decoded.t, shot_of(decoded.frame_index, shots))
    boxes = taxonomy.categorize(decoded.boxes)
    boxes = dataclasses.replace(boxes, shot=shot_of(boxes.frame_index, shots))  # type: ignore[arg-type]
    n_dropped = 0
    if seg is not None and config.mask_overlays:
        keep = drop_overlay_detections(boxes.xyxy, boxes.shot, seg)
        n_dropped, boxes = int((~keep).sum()), boxes[keep]

    categories = [*taxonomy.category_names(), OTHER]
    counts = frame_counts(frames, boxes, categories, report_classes(detector.names, taxonomy, boxes))
    sample_fps = sampler.rate(float(info.fps)) if info.fps else 1.0
    tracker = make_tracker(config, sample_fps)
    tracking = track_detections(boxes, frames, tracker, sample_fps=sample_fps, min_track_s=config.min_track_s)
    if tracker is not None:
        unique = unique_counts(tracking.tracks, track_ends(tracking.boxes), counts, shots, tracker=tracker.name,
                               min_track_s=config.min_track_s, link_gap_s=LINK_GAP_FACTOR * config.track_buffer_s)
    else:
        unique = unique_counts_unavailable(counts, shots)
    strikes: list[Strike] = terminal_windows(
        facts.strikes, shots, facts.letterbox, tracking.boxes, counts,
        terminal_s=config.terminal_s, width=info.width, height=info.height,
    )
    sampling = Sampling(
        every=config.every, fps=config.fps, sample_rate_fps=round(sample_fps, 6),
        segment_start_s=t0, segment_end_s=t1, first_frame=i0, last_frame=i1,
        n_frames_decoded=decoded.n_decoded, n_frames_sampled=len(frames), n_frames_cropped=decoded.n_cropped,
    )
    return assemble_report(
        path=path, video=info, config=config, model=detector.info(), names=detector.names, taxonomy=taxonomy,
        sampling=sampling, status=decoded.status, counts=counts, shots=shots, strikes=strikes,
        unique=unique, segment=facts, n_dropped=n_dropped, boxes=tracking.boxes, tracks=tracking.tracks,
        started_at=started, elapsed_s=time.perf_counter() - t_start,
    )
