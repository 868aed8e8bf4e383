"""Put one clip's stage results together into a :class:`~vidtools.types.ClipReport`.

The report holds the values as they are published: times to the microsecond, confidences to
4 decimals, boxes and box sizes to 0.1 px (the CSV files' precision), so a report read back from
its folder (:func:`vidtools.report.writer.load_report`) equals the one written.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidtools.config import AnalysisConfig
from vidtools.count import count_shots, summarize
from vidtools.provenance import model_info, utc_now, versions
from vidtools.taxonomy import OTHER, Taxonomy
from vidtools.types import (
    ClipReport,
    ClipStatus,
    Detections,
    FrameCounts,
    InputFile,
    OverlayReport,
    Provenance,
    SampledFrames,
    Sampling,
    Shot,
    ShotDetection,
    ShotEvent,
    ShotLetterbox,
    ShotOverlays,
    Strike,
    TaxonomyInfo,
    Track,
    UniqueCounts,
    VideoInfo,
)

CASUALTY_NOTE = (
    "Detection does not confirm casualties or damage: counts are objects visible to the model, "
    "not persons killed or vehicles destroyed."
)


@dataclass(frozen=True)
class SegmentFacts:
    """What shot detection found, as typed values (empty when it was off).

    Attributes:
        enabled: Shot detection ran.
        shots: The shots it found.
        strikes: The strikes (end frames set when known).
        masks: Static-overlay mask per shot.
        letterbox: Active picture per shot.
        events: Flashes, glitches and edits that were not taken for cuts or strikes.
        params: Its thresholds (None when off).
    """

    enabled: bool
    shots: tuple[Shot, ...]
    strikes: tuple[Strike, ...]
    masks: tuple[ShotOverlays, ...]
    letterbox: tuple[ShotLetterbox, ...]
    events: tuple[ShotEvent, ...]
    params: Mapping[str, Any] | None


def published_boxes(boxes: Detections) -> Detections:
    """Boxes rounded as ``detections.csv`` writes them (t 6, conf 4, box 1 decimal)."""
    return dataclasses.replace(
        boxes,
        xyxy=np.round(boxes.xyxy.astype(np.float64), 1).astype(np.float32),
        conf=np.round(boxes.conf.astype(np.float64), 4).astype(np.float32),
        t=None if boxes.t is None else np.round(boxes.t, 6),
    )


def published_tracks(tracks: Sequence[Track]) -> tuple[Track, ...]:
    """Tracks rounded as ``tracks.csv`` writes them."""
    return tuple(
        dataclasses.replace(
            tr, first_t=round(tr.first_t, 6), last_t=round(tr.last_t, 6), duration_s=round(tr.duration_s, 6),
            mean_conf=round(tr.mean_conf, 4), max_box_area=round(tr.max_box_area, 1),
            max_box_w=round(tr.max_box_w, 1), max_box_h=round(tr.max_box_h, 1),
        )
        for tr in tracks
    )


def published_counts(counts: FrameCounts) -> FrameCounts:
    """Per-frame counts with times rounded as ``frames.csv`` writes them."""
    f = counts.frames
    return dataclasses.replace(counts, frames=SampledFrames(f.frame_index, np.round(f.t, 6), f.shot))


def assemble_report(
    *,
    path: str | os.PathLike[str],
    video: VideoInfo,
    config: AnalysisConfig,
    model: Mapping[str, Any],
    names: Mapping[int, str],
    taxonomy: Taxonomy,
    sampling: Sampling,
    status: ClipStatus,
    counts: FrameCounts,
    shots: Sequence[Shot],
    strikes: Sequence[Strike],
    unique: UniqueCounts,
    segment: SegmentFacts,
    n_dropped: int,
    boxes: Detections,
    tracks: Sequence[Track],
    started_at: str,
    elapsed_s: float,
) -> ClipReport:
    """The typed report of one analysed clip.

    Args:
        path: The clip as given.
        video: Its probe data.
        config: The analysis parameters.
        model: The detector's ``info()``.
        names: The detector's class names.
        taxonomy: The class -> category mapping used.
        sampling: Which frames were analysed.
        status: How completely the clip decoded.
        counts: Per-frame counts.
        shots: The shots (without counts; they are counted here).
        strikes: The strikes with terminal windows and targets.
        unique: Distinct-object ranges.
        segment: What shot detection found.
        n_dropped: Boxes dropped inside static overlays.
        boxes: Every box, tracked.
        tracks: Every track.
        started_at: ISO time the analysis started.
        elapsed_s: Wall time so far (s).
    """
    info = model_info(model)
    provenance = Provenance(
        input=InputFile(str(Path(path).resolve()), video.sha256),
        model=info,
        parameters=config.to_dict(),
        versions=versions(),
        device=info.device,
        started_at=started_at,
        finished_at=utc_now(),
        elapsed_s=round(elapsed_s, 3),
    )
    detectable = taxonomy.detectable(names.values())
    return ClipReport(
        video=video,
        provenance=provenance,
        taxonomy=TaxonomyInfo(
            taxonomy.source,
            {k: tuple(v) for k, v in taxonomy.categories.items() if k != OTHER},
            {k: tuple(v) for k, v in detectable.items()},
            cannot_detect=tuple(c for c, v in detectable.items() if not v),
            other_classes=tuple(taxonomy.categories.get(OTHER, ())),
            matched_datasets=tuple(taxonomy.matched),
        ),
        sampling=sampling,
        status=status,
        summary=summarize(counts),
        shots=tuple(count_shots(counts, shots)),
        strikes=tuple(strikes),
        unique_counts=unique,
        overlays=OverlayReport(n_dropped, segment.masks, segment.letterbox),
        shot_detection=ShotDetection(segment.enabled, segment.params, segment.events),
        notes=(CASUALTY_NOTE,),
        frame_counts=published_counts(counts),
        boxes=published_boxes(boxes),
        track_list=published_tracks(tracks),
    )
