"""The one adapter to a tracker library: ultralytics' ByteTrack and BoT-SORT, public API only.

:class:`UltralyticsTracker` implements :class:`vidtools.track.Tracker` with
``ultralytics.trackers.BYTETracker`` / ``BOTSORT``, driven with their public ``update(results)``
on :class:`ultralytics.engine.results.Boxes` built from a frame's boxes, and ``reset()``. The
settings are vidtools' own (:class:`TrackerSettings`, the values of ultralytics' tracker YAML files
at the time of writing), so an upstream change of defaults does not silently change counts.

Time constants are seconds: the lost-track buffer is ``ceil(track_buffer_s * sample_fps)``
sampled frames (at least 1), so ``--every N`` does not change its meaning. These trackers count
frames, not time; vidtools samples at a constant rate, so frames are time. BoT-SORT runs without
global motion compensation and without ReID: the post-pass has boxes, not images.

What the public API does not give: ByteTrack and BoT-SORT hand out a new track's id on its second
hit (the first detection comes back without one, except in the first frame after a reset);
:mod:`vidtools.track` gives that first box to the track (see ``claim_first_hits``).

Importing ultralytics is lazy (the first tracker made) and never installs or downloads anything:
ultralytics' matching module asks pip for ``lap`` when it is missing, so ``lap`` is imported
first and its absence is a clear error instead.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from vidtools.errors import UsageError, VidtoolsError
from vidtools.types import Detections

KINDS = ("bytetrack", "botsort")


@dataclass(frozen=True)
class TrackerSettings:
    """Association settings (names and meaning as in ultralytics' ``cfg/trackers/*.yaml``).

    Attributes:
        track_high_thresh: Boxes at least this confident take part in the first association.
        track_low_thresh: Boxes above this (and below ``track_high_thresh``) in the second.
        new_track_thresh: An unmatched box at least this confident starts a track.
        match_thresh: Largest association cost (1 - IoU, fused with the score) of a match.
        fuse_score: Fuse the box confidence into the association cost.
        proximity_thresh: BoT-SORT: smallest IoU for appearance matching (unused without ReID).
        appearance_thresh: BoT-SORT: smallest appearance similarity (unused without ReID).
    """

    track_high_thresh: float = 0.25
    track_low_thresh: float = 0.1
    new_track_thresh: float = 0.25
    match_thresh: float = 0.8
    fuse_score: bool = True
    proximity_thresh: float = 0.5
    appearance_thresh: float = 0.8


def buffer_frames(track_buffer_s: float, sample_fps: float) -> int:
    """Sampled frames a lost track is kept: ``ceil(track_buffer_s * sample_fps)``, at least 1."""
    return max(1, int(math.ceil(track_buffer_s * sample_fps - 1e-9)))


def _tracker_classes() -> tuple[type, type]:
    """ultralytics' ``BYTETracker`` and ``BOTSORT`` classes, imported without network access.

    Raises:
        VidtoolsError: ``lap`` is not installed.
    """
    try:
        import lap

        if not getattr(lap, "__version__", None):
            raise ImportError("lap has no __version__ (a stray directory named lap?)")
    except ImportError as e:
        raise VidtoolsError(
            f"tracking needs the 'lap' package ({e}); install it with 'pip install \"lap>=0.5.12\"' "
            "or run with --tracker none"
        ) from None
    from ultralytics.trackers import BOTSORT, BYTETracker

    return BYTETracker, BOTSORT


class UltralyticsTracker:
    """ByteTrack or BoT-SORT behind the :class:`vidtools.track.Tracker` protocol.

    Args:
        kind: ``bytetrack`` or ``botsort``.
        sample_fps: Sampled frames per second.
        track_buffer_s: Seconds a lost track is kept.
        settings: Association settings.

    Raises:
        UsageError: unknown kind or bad time constants.
        VidtoolsError: the ``lap`` package is missing.
    """

    def __init__(self, kind: str = "bytetrack", *, sample_fps: float, track_buffer_s: float = 1.0,
                 settings: TrackerSettings = TrackerSettings()) -> None:
        if kind not in KINDS:
            raise UsageError(f"tracker must be one of {', '.join(KINDS)}, got {kind!r}")
        if not (sample_fps > 0 and math.isfinite(sample_fps)) or track_buffer_s < 0:
            raise UsageError(f"sample_fps must be > 0 and track_buffer_s >= 0, got {sample_fps!r}, {track_buffer_s!r}")
        self.name = kind
        self.track_buffer = buffer_frames(track_buffer_s, sample_fps)
        self.idle_frames = 2 * self.track_buffer + 2
        """Updates without boxes after which no track is left (see :class:`vidtools.track.Tracker`):
        ultralytics 8.4 drops a lost track on the ``track_buffer + 2``-th update without it
        (``tests/unit/test_track.py`` fails at ``+ 1``); twice the buffer leaves room for other
        releases."""
        self.args = SimpleNamespace(
            tracker_type=kind, track_buffer=self.track_buffer, **dataclasses.asdict(settings),
            gmc_method="none", with_reid=False, model="auto",
        )
        byte_cls, bot_cls = _tracker_classes()
        cls = byte_cls if kind == "bytetrack" else bot_cls
        # ultralytics < 8.4 keeps a lost track int(frame_rate / 30 * track_buffer) frames: 30 keeps
        # exactly track_buffer; newer releases take no frame rate and use track_buffer as is
        if "frame_rate" in inspect.signature(cls.__init__).parameters:
            self._tracker = cls(self.args, frame_rate=30)
        else:
            self._tracker = cls(self.args)

    def reset(self) -> None:
        """Forget every track (the next update is the first of a new sequence)."""
        self._tracker.reset()

    def update(self, detections: Detections, t: float) -> Detections:
        """Associate one frame's boxes with the tracks.

        Args:
            detections: The frame's boxes (association boxes, source px).
            t: The frame's time (s); these trackers count frames, so it is not used.

        Returns:
            ``detections`` with ``track_id`` set (-1: in no confirmed track).

        Raises:
            VidtoolsError: this ultralytics version returns results vidtools cannot map back.
        """
        from ultralytics.engine.results import Boxes

        n = len(detections)
        data = np.concatenate(
            [detections.xyxy, detections.conf[:, None], detections.class_id[:, None].astype(np.float32)], 1
        ).astype(np.float32).reshape(n, 6)
        out = np.asarray(self._tracker.update(Boxes(data, (1, 1))), np.float32)
        ids = np.full(n, -1, np.int64)
        for row in out.reshape(-1, 8) if out.size else ():
            k, score = int(row[7]), float(row[5])
            if not 0 <= k < n or float(detections.conf[k]) != score:
                raise VidtoolsError(
                    "ultralytics tracker returned a detection index that does not match its score; "
                    "this ultralytics version is not supported by vidtools.track_ultralytics"
                )
            ids[k] = int(row[4])
        return dataclasses.replace(detections, track_id=ids)
