"""Shots, feed losses (strikes), letterbox bars and static overlays from cheap per-frame signals.

Everything runs in the pipeline's single decode pass on the small BGR thumbnail the decoder makes
for every frame (:data:`THUMB_WIDTH` px wide); the full-size image is touched only by
:meth:`SignalAnalyzer.active_box`, for the sampled frames, to place letterbox edges to the pixel.

One module, one job (in the manner of PySceneDetect's one detector per file):

- :mod:`~vidtools.shots.params`: :class:`ShotParams`, every threshold, documented.
- :mod:`~vidtools.shots.signals`: per-frame signals, pure functions.
- :mod:`~vidtools.shots.cuts`: PySceneDetect's detectors propose cuts; flash / transition logic
  decides.
- :mod:`~vidtools.shots.feedloss`: per-frame labels, loss episodes as typed values, feed loss
  versus edit versus glitch.
- :mod:`~vidtools.shots.letterbox`: letterbox / pillarbox bars.
- :mod:`~vidtools.shots.overlays`: static overlay masks, and dropping detections inside them.
- :mod:`~vidtools.shots.analyzer`: :class:`SignalAnalyzer`, the thin streaming composer that owns
  the look-ahead.
- :mod:`~vidtools.shots.result`: :class:`SegmentResult`.
- :mod:`~vidtools.shots.api`: :func:`detect_shots` and :func:`export_shot_frames`.
"""

from vidtools.shots.analyzer import SignalAnalyzer
from vidtools.shots.api import detect_shots, export_shot_frames
from vidtools.shots.overlays import box_coverage, drop_overlay_detections
from vidtools.shots.params import ShotParams
from vidtools.shots.result import THUMB_WIDTH, SegmentResult

__all__ = [
    "THUMB_WIDTH",
    "SegmentResult",
    "ShotParams",
    "SignalAnalyzer",
    "box_coverage",
    "detect_shots",
    "drop_overlay_detections",
    "export_shot_frames",
]
