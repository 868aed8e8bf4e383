"""Core data types: frozen dataclasses, no I/O.

Units: pixel coordinates are source-image pixels (x right, y down), times are seconds from the
start of the clip computed from presentation timestamps, frame indices are 0-based indices of
decoded frames in the source clip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SCHEMA_VERSION = "1.0"

SHOT_END_REASONS = ("cut", "signal_loss", "black", "freeze", "format_change", "end")
"""Why a shot ended; ``format_change`` = the frame size (resolution / rotation) changed mid-stream."""
STRIKE_KINDS = ("signal_loss", "black", "freeze")
"""signal_loss = analog static / broken-up picture; black = feed goes black; freeze = frozen picture."""


@dataclass(frozen=True)
class VideoInfo:
    """Container and stream metadata of one clip.

    Attributes:
        path: Path of the file as given.
        sha256: Hex sha256 of the file's bytes (provenance).
        container: Container format name (e.g. ``mov,mp4,m4a,3gp,3g2,mj2``, ``avi``).
        codec: Video codec name (e.g. ``h264``, ``hevc``).
        width: Displayed width in pixels (after rotation).
        height: Displayed height in pixels (after rotation).
        fps: Exact average frame rate as a rational (e.g. ``Fraction(30000, 1001)``).
        n_frames: Number of frames (from the container; counted by decoding when absent).
        duration_s: Duration in seconds.
        rotation: Display rotation in degrees (0, 90, 180, 270).
    """

    path: str
    sha256: str
    container: str
    codec: str
    width: int
    height: int
    fps: Fraction
    n_frames: int
    duration_s: float
    rotation: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``fps`` as the string ``"num/den"`` plus a float ``fps_float``."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "container": self.container,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "fps": f"{self.fps.numerator}/{self.fps.denominator}",
            "fps_float": float(self.fps),
            "n_frames": self.n_frames,
            "duration_s": self.duration_s,
            "rotation": self.rotation,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VideoInfo:
        """Inverse of :meth:`to_dict`."""
        return cls(
            path=d["path"],
            sha256=d["sha256"],
            container=d["container"],
            codec=d["codec"],
            width=int(d["width"]),
            height=int(d["height"]),
            fps=Fraction(d["fps"]),
            n_frames=int(d["n_frames"]),
            duration_s=float(d["duration_s"]),
            rotation=int(d.get("rotation", 0)),
        )


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame.

    Attributes:
        index: Source frame index (0-based, counted over every decoded frame of the clip).
        t: Time in seconds from the clip start, from pts x time_base.
        image: HxWx3 uint8 array, BGR channel order (OpenCV convention).
    """

    index: int
    t: float
    image: np.ndarray


def _as(arr: Any, dtype: Any, shape_tail: tuple[int, ...], name: str) -> np.ndarray:
    a = np.asarray(arr, dtype=dtype)
    if a.ndim != 1 + len(shape_tail) or a.shape[1:] != shape_tail:
        raise ValueError(f"Detections.{name} must have shape (n{''.join(f', {s}' for s in shape_tail)}), got {a.shape}")
    a = a.copy()
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Detections:
    """Detections of one frame as a struct of arrays (validated, read-only).

    This is the one box container from the detector to the writers.

    Attributes:
        xyxy: (n, 4) float32 boxes, source pixels, x1 y1 x2 y2.
        conf: (n,) float32 confidences in 0..1.
        class_id: (n,) int64 model class ids.
        class_name: (n,) object array of model class names.
        category: (n,) object array of report categories (``personnel``, ``vehicle``, ``other``,
            ...), or None before a taxonomy has mapped them (what a detector returns; see
            :meth:`vidtools.taxonomy.Taxonomy.categorize`).
        track_id: (n,) int64 track ids, or None when not tracked (-1 = not assigned).
    """

    xyxy: np.ndarray
    conf: np.ndarray
    class_id: np.ndarray
    class_name: np.ndarray
    category: np.ndarray | None = None
    track_id: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "xyxy", _as(self.xyxy, np.float32, (4,), "xyxy"))
        n = len(self.xyxy)
        for name, dtype, optional in (
            ("conf", np.float32, False),
            ("class_id", np.int64, False),
            ("class_name", object, False),
            ("category", object, True),
            ("track_id", np.int64, True),
        ):
            value = getattr(self, name)
            if value is None and optional:
                continue
            a = _as(value, dtype, (), name)
            if len(a) != n:
                raise ValueError(f"Detections.{name} has {len(a)} entries, xyxy has {n}")
            object.__setattr__(self, name, a)

    @classmethod
    def empty(cls) -> Detections:
        """No detections."""
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), np.zeros(0, object))

    @classmethod
    def from_model(cls, xyxy: Any, conf: Any, class_id: Any, names: dict[int, str]) -> Detections:
        """What a model returned for one image, with class names looked up in ``names``
        (an id missing from ``names`` is named by its number)."""
        ids = np.asarray(class_id, np.int64).reshape(-1)
        return cls(
            np.asarray(xyxy, np.float32).reshape(-1, 4),
            np.asarray(conf, np.float32).reshape(-1),
            ids,
            np.array([names.get(int(i), str(int(i))) for i in ids], dtype=object),
        )

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, key: Any) -> Detections:
        """Boolean mask, index array or slice -> a new Detections (never a view that can be mutated)."""
        if isinstance(key, (int, np.integer)):
            key = [int(key)]
        return Detections(
            self.xyxy[key],
            self.conf[key],
            self.class_id[key],
            self.class_name[key],
            None if self.category is None else self.category[key],
            None if self.track_id is None else self.track_id[key],
        )

    def count(self, category: str) -> int:
        """Number of detections in a category (0 before categories are mapped)."""
        if self.category is None:
            return 0
        return int(np.count_nonzero(self.category == category))


@dataclass(frozen=True)
class Shot:
    """A continuous shot of a clip, ``start_frame`` to ``end_frame`` inclusive.

    Attributes:
        index: 0-based shot number.
        start_frame: Source index of the first frame.
        end_frame: Source index of the last frame (inclusive).
        start_t: Time of the first frame (s).
        end_t: Time of the last frame (s).
        end_reason: One of :data:`SHOT_END_REASONS`.
    """

    index: int
    start_frame: int
    end_frame: int
    start_t: float
    end_t: float
    end_reason: str = "end"

    def __post_init__(self) -> None:
        if self.end_reason not in SHOT_END_REASONS:
            raise ValueError(f"Shot.end_reason must be one of {SHOT_END_REASONS}, got {self.end_reason!r}")
        if self.end_frame < self.start_frame:
            raise ValueError(f"Shot {self.index}: end_frame {self.end_frame} < start_frame {self.start_frame}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "start_t_s": self.start_t,
            "end_t_s": self.end_t,
            "end_reason": self.end_reason,
        }


@dataclass(frozen=True)
class Target:
    """What the camera was closing on before a strike: the detection nearest the image centre.

    Attributes:
        class_name: Model class name.
        category: Report category.
        conf: Confidence of the detection in the last frame it was seen.
        frame_index: Source frame index of that frame.
        t: Its time (s).
        xyxy: Box in source pixels.
        growth: Box area in the last frame / area in the first frame of the terminal window.
    """

    class_name: str
    category: str
    conf: float
    frame_index: int
    t: float
    xyxy: tuple[float, float, float, float]
    growth: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.class_name,
            "category": self.category,
            "conf": round(float(self.conf), 4),
            "frame_index": self.frame_index,
            "t_s": self.t,
            "xyxy": [round(float(v), 1) for v in self.xyxy],
            "growth": round(float(self.growth), 3),
        }


@dataclass(frozen=True)
class Strike:
    """A feed loss at the end of a shot: the moment a strike hit.

    Attributes:
        index: 0-based strike number.
        shot: Index of the shot that ends in this loss.
        kind: ``signal_loss`` (static / broken-up), ``black`` or ``freeze``.
        start_frame: Source index of the first lost frame.
        t: Time of the first lost frame (s).
        duration_s: How long the loss lasts (s).
    """

    index: int
    shot: int
    kind: str
    start_frame: int
    t: float
    duration_s: float

    def __post_init__(self) -> None:
        if self.kind not in STRIKE_KINDS:
            raise ValueError(f"Strike.kind must be one of {STRIKE_KINDS}, got {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "shot": self.shot,
            "kind": self.kind,
            "start_frame": self.start_frame,
            "t_s": self.t,
            "duration_s": self.duration_s,
        }


OVERLAY_STATUSES = ("masked", "none", "fixed_camera", "too_short", "too_large", "disabled")
"""Per shot: ``masked`` (a mask was found), ``none`` (looked, found nothing), ``fixed_camera``
(the picture does not move, so static overlays cannot be told from the scene: not looked for),
``too_short``, ``too_large`` (a candidate mask was rejected) or ``disabled``."""


@dataclass(frozen=True)
class ShotOverlays:
    """Static overlays (OSD text, crosshair, watermark) found in one shot.

    Attributes:
        shot: Shot index.
        status: One of :data:`OVERLAY_STATUSES`.
        boxes: Disjoint mask boxes, source px ``(x1, y1, x2, y2)``, exclusive end.
        area_frac: Mask area as a share of the active picture (0..1).
        scene_change: Median share of edge pixels that changed against the reference frame
            (None when not measured).
        scene_motion: Median share of moving 4x4 cells (None when not measured).
    """

    shot: int
    status: str
    boxes: tuple[tuple[int, int, int, int], ...] = ()
    area_frac: float = 0.0
    scene_change: float | None = None
    scene_motion: float | None = None

    def __post_init__(self) -> None:
        if self.status not in OVERLAY_STATUSES:
            raise ValueError(f"ShotOverlays.status must be one of {OVERLAY_STATUSES}, got {self.status!r}")


@dataclass(frozen=True)
class ShotLetterbox:
    """The active picture of one shot (letterbox / pillarbox bars removed).

    Attributes:
        shot: Shot index.
        active_box: ``(x1, y1, x2, y2)`` source px, exclusive end.
        bars: True when the active picture is smaller than the frame.
    """

    shot: int
    active_box: tuple[int, int, int, int]
    bars: bool


SHOT_EVENT_TYPES = ("flash", "glitch", "fade", "dip_to_black")
"""Things that were looked at and judged *not* to be a cut or a strike (reported for transparency)."""


@dataclass(frozen=True)
class ShotEvent:
    """A flash, glitch or edit that was not taken for a cut or a strike.

    Attributes:
        type: One of :data:`SHOT_EVENT_TYPES`.
        start_frame: Source index of its first frame.
        end_frame: Source index of its last frame.
        t: Time of its first frame (s).
    """

    type: str
    start_frame: int
    end_frame: int
    t: float


CLIP_STATES = ("complete", "partial")
"""``partial`` = the clip was analysed only as far as it decodes (cut short, corrupt part-way, or
its header claims more frames or a longer duration than exist)."""


@dataclass(frozen=True)
class DecodeGap:
    """A stretch of a clip that could not be decoded, between two good frames.

    Attributes:
        after_frame: Source index of the last good frame before the gap.
        start_t: Time of that frame (s).
        end_t: Time of the first good frame after the gap (s); None when decoding never resumed.
        reason: One line: what the decoder reported.
    """

    after_frame: int
    start_t: float
    end_t: float | None
    reason: str


@dataclass(frozen=True)
class ClipStatus:
    """How completely a clip decoded.

    Attributes:
        state: ``complete`` or ``partial`` (:data:`CLIP_STATES`).
        reason: Why it is partial (one line), None when complete.
        frames_decoded: Frames that decoded.
        frames_declared: Frames the container header declares (None when it declares none).
        duration_declared_s: Duration the header declares (s), None when unknown.
        last_good_frame: Source index of the last frame that decoded.
        last_good_t: Its time (s).
        gaps: Corrupt stretches that were skipped, in order.
    """

    state: str
    reason: str | None
    frames_decoded: int
    frames_declared: int | None
    duration_declared_s: float | None
    last_good_frame: int | None
    last_good_t: float | None
    gaps: tuple[DecodeGap, ...] = ()

    def __post_init__(self) -> None:
        if self.state not in CLIP_STATES:
            raise ValueError(f"ClipStatus.state must be one of {CLIP_STATES}, got {self.state!r}")


@dataclass(frozen=True, eq=False)
class ClipReport:
    """Everything known about one analysed clip.

    Attributes:
        meta: The JSON report (``report.json`` content) as a dict: ``schema_version``, ``video``,
            ``provenance``, ``taxonomy``, ``summary``, ``shots``, ``strikes``, ``unique_counts``, ...
        frames: One row per sampled frame: ``frame_index``, ``t_s``, ``shot``, then one count
            column per category (``personnel``, ``vehicle``, ...) and per class (``class:person``).
        detections: One row per box: ``frame_index``, ``t_s``, ``shot``, ``class``, ``category``,
            ``conf``, ``x1``, ``y1``, ``x2``, ``y2`` (source pixels), ``track_id`` (-1 untracked).
        tracks: One row per track: ``track_id``, ``shot``, ``class``, ``category``,
            ``first_frame``, ``last_frame``, ``first_t_s``, ``last_t_s``, ``duration_s``,
            ``n_detections``, ``mean_conf``, ``max_box_area``, ``max_box_w``, ``max_box_h``
            (px), ``confirmed`` (lived at least ``min_track_s``).
    """

    meta: dict[str, Any]
    frames: pd.DataFrame
    detections: pd.DataFrame
    tracks: pd.DataFrame

    @property
    def video(self) -> VideoInfo:
        return VideoInfo.from_dict(self.meta["video"])

    @property
    def shots(self) -> list[dict[str, Any]]:
        return list(self.meta.get("shots", []))

    @property
    def strikes(self) -> list[dict[str, Any]]:
        return list(self.meta.get("strikes", []))

    @property
    def summary(self) -> pd.DataFrame:
        """Per category and per class: max in one frame (with frame index and time), mean per
        sampled frame, share of sampled frames with at least one, and the unique-count range."""
        import pandas as pd

        rows = []
        for level in ("categories", "classes"):
            for name, s in self.meta["summary"][level].items():
                rows.append({"level": "class" if level == "classes" else "category", "name": name, **s})
        cols = ["level", "name", "max", "max_frame_index", "max_t_s", "mean", "share_frames"]
        df = pd.DataFrame(rows)
        return df if not df.empty else pd.DataFrame(columns=cols)

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (the content of ``report.json``)."""
        return json.dumps(self.meta, indent=indent, ensure_ascii=False, allow_nan=False)
