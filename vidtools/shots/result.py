"""The result of shot analysis of one segment: typed values only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidtools.count import shot_of
from vidtools.shots.params import ShotParams
from vidtools.types import Shot, ShotEvent, ShotLetterbox, ShotOverlays, Strike

THUMB_WIDTH = 160
"""Width in pixels of the thumbnail that :meth:`~vidtools.shots.SignalAnalyzer.update` expects
for every frame (decode with ``thumb_width=THUMB_WIDTH``)."""


@dataclass(frozen=True)
class SegmentResult:
    """Shots, strikes, letterbox and overlay masks of one analysed segment.

    Attributes:
        shots: Contiguous shots covering every decoded frame of the segment (no gaps). Lost frames
            belong to the shot they end; ``Shot.end_reason`` says why it ended.
        strikes: Feed losses that end a shot, in order (``Strike.end_frame`` = last lost frame).
        overlays: Per shot, its static-overlay mask.
        letterbox: Per shot, its active picture.
        events: Flashes, glitches and edits that were *not* taken for cuts or strikes.
        params: The thresholds used.
        fps: Nominal frame rate of the clip.
        width: Source width (px) of the first frame.
        height: Source height (px) of the first frame.
    """

    shots: list[Shot]
    strikes: list[Strike]
    overlays: list[ShotOverlays]
    letterbox: list[ShotLetterbox]
    events: list[ShotEvent] = field(default_factory=list)
    params: ShotParams = field(default_factory=ShotParams)
    fps: float = 0.0
    width: int = 0
    height: int = 0

    def shot_index(self, frame_index: int) -> int:
        """Index of the shot holding a source frame index (-1 when outside the segment)."""
        return int(self.shot_indices([frame_index])[0])

    def shot_indices(self, frame_index: np.ndarray | Sequence[int]) -> np.ndarray:
        """Vectorised :meth:`shot_index` for an array of frame indices."""
        return shot_of(frame_index, self.shots)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``shots``, ``strikes``, ``overlays``, ``letterbox``, ``events`` and ``params``."""
        return {
            "shots": [s.to_dict() for s in self.shots],
            "strikes": [s.to_dict() for s in self.strikes],
            "overlays": [
                {
                    "shot": o.shot,
                    "status": o.status,
                    "boxes": [list(b) for b in o.boxes],
                    "area_frac": o.area_frac,
                    **({"scene_change": o.scene_change} if o.scene_change is not None else {}),
                    **({"scene_motion": o.scene_motion} if o.scene_motion is not None else {}),
                }
                for o in self.overlays
            ],
            "letterbox": [{"shot": b.shot, "active_box": list(b.active_box), "bars": b.bars} for b in self.letterbox],
            "events": [{"type": e.type, "start_frame": e.start_frame, "end_frame": e.end_frame, "t_s": e.t} for e in self.events],
            "params": {"thumb_width": THUMB_WIDTH, **self.params.to_dict()},
        }
