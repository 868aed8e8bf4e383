"""Core data types: frozen dataclasses, no I/O, no other vidtools module imported.

Values flow one way: decoder -> :class:`Frame` -> detector -> :class:`Detections` -> tracker ->
:class:`FrameCounts` / :class:`Track` -> :class:`ClipReport` -> writers. The JSON form of a report
is made in one place, :mod:`vidtools.report.schema`; the tables (pandas) only at the edges: the
CSV files and the table properties of :class:`ClipReport`.

Units: pixel coordinates are source-image pixels (x right, y down), times are seconds from the
start of the clip computed from presentation timestamps, frame indices are 0-based indices of
decoded frames in the source clip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

CLASS_COLUMN_PREFIX = "class:"
"""Per-class count columns of the frames table are named ``class:<name>`` (``class:person``), so
that a class cannot be mistaken for a category of the same name."""

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


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and bool(np.all(a == b))


DETECTION_COLUMNS = ("frame_index", "t_s", "shot", "track_id", "class_id", "class", "category", "conf",
                     "x1", "y1", "x2", "y2")
"""Columns of the detections table (``detections.csv``), in order; the per-box optional arrays
(``frame_index``, ``t_s``, ``shot``, ``track_id``, ``category``) only when set."""


@dataclass(frozen=True, eq=False)
class Detections:
    """Boxes as a struct of arrays (validated, read-only): one frame's, or a whole clip's.

    This is the one box container from the detector to the writers. A detector returns one per
    image (frame fields None); the pipeline places them in their frame (``frame_index``, ``t``)
    and shot, :meth:`concat` joins a clip's, the tracker adds ``track_id``. Indexing with a mask,
    index array or slice returns a new object.

    Attributes:
        xyxy: (n, 4) float32 boxes, source pixels, x1 y1 x2 y2.
        conf: (n,) float32 confidences in 0..1.
        class_id: (n,) int64 model class ids.
        class_name: (n,) object array of model class names.
        category: (n,) object array of report categories (``personnel``, ``vehicle``, ``other``,
            ...), or None before a taxonomy has mapped them (what a detector returns; see
            :meth:`vidtools.taxonomy.Taxonomy.categorize`).
        track_id: (n,) int64 track ids, or None when not tracked (-1 = in no track).
        frame_index: (n,) int64 source frame index of each box, or None (one image's boxes).
        t: (n,) float64 time of each box's frame in seconds, or None.
        shot: (n,) int64 shot index of each box's frame, or None.
    """

    xyxy: np.ndarray
    conf: np.ndarray
    class_id: np.ndarray
    class_name: np.ndarray
    category: np.ndarray | None = None
    track_id: np.ndarray | None = None
    frame_index: np.ndarray | None = None
    t: np.ndarray | None = None
    shot: np.ndarray | None = None

    _PER_BOX = (
        ("conf", np.float32, False),
        ("class_id", np.int64, False),
        ("class_name", object, False),
        ("category", object, True),
        ("track_id", np.int64, True),
        ("frame_index", np.int64, True),
        ("t", np.float64, True),
        ("shot", np.int64, True),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "xyxy", _as(self.xyxy, np.float32, (4,), "xyxy"))
        n = len(self.xyxy)
        for name, dtype, optional in self._PER_BOX:
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
    def from_model(cls, xyxy: Any, conf: Any, class_id: Any, names: Mapping[int, str]) -> Detections:
        """What a model returned for one image, with class names looked up in ``names``
        (an id missing from ``names`` is named by its number)."""
        ids = np.asarray(class_id, np.int64).reshape(-1)
        return cls(
            np.asarray(xyxy, np.float32).reshape(-1, 4),
            np.asarray(conf, np.float32).reshape(-1),
            ids,
            np.array([names.get(int(i), str(int(i))) for i in ids], dtype=object),
        )

    @classmethod
    def concat(cls, parts: Sequence[Detections]) -> Detections:
        """All boxes of ``parts``, in order.

        An optional array (``category``, ``track_id``, ``frame_index``, ``t``, ``shot``) is kept
        when every part has it, and dropped when none has it.

        Raises:
            ValueError: some parts have an optional array and others do not.
        """
        parts = list(parts)
        if not parts:
            return cls.empty()
        arrays: dict[str, Any] = {"xyxy": np.concatenate([p.xyxy for p in parts])}
        for name, _, _ in cls._PER_BOX:
            values = [getattr(p, name) for p in parts]
            have = [v is not None for v in values]
            if all(have):
                arrays[name] = np.concatenate(values)
            elif any(have):
                raise ValueError(f"Detections.concat: some parts have {name} and others not")
            else:
                arrays[name] = None
        return cls(**arrays)

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, key: Any) -> Detections:
        """Boolean mask, index array or slice -> a new Detections (never a view that can be mutated)."""
        if isinstance(key, (int, np.integer)):
            key = [int(key)]
        return Detections(
            self.xyxy[key],
            *(None if getattr(self, name) is None else getattr(self, name)[key] for name, _, _ in self._PER_BOX),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Detections):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))

    __hash__ = None  # type: ignore[assignment]

    def count(self, category: str) -> int:
        """Number of detections in a category (0 before categories are mapped)."""
        if self.category is None:
            return 0
        return int(np.count_nonzero(self.category == category))

    def by_frame(self) -> dict[int, Detections]:
        """The boxes of each frame: ``{frame_index: Detections}`` (frames without boxes absent).

        Raises:
            ValueError: the boxes are not placed in frames (``frame_index`` is None).
        """
        if self.frame_index is None:
            raise ValueError("Detections.by_frame: frame_index is not set")
        order = np.argsort(self.frame_index, kind="stable")
        frames, starts = np.unique(self.frame_index[order], return_index=True)
        ends = [*starts[1:], len(order)]
        return {int(f): self[order[a:b]] for f, a, b in zip(frames, starts, ends)}

    def to_frame(self) -> pd.DataFrame:
        """One row per box, columns :data:`DETECTION_COLUMNS` (those that are set)."""
        import pandas as pd

        cols: dict[str, Any] = {
            "frame_index": self.frame_index, "t_s": self.t, "shot": self.shot, "track_id": self.track_id,
            "class_id": self.class_id, "class": self.class_name, "category": self.category, "conf": self.conf,
        }
        data = {k: v for k, v in cols.items() if v is not None}
        for i, c in enumerate(("x1", "y1", "x2", "y2")):
            data[c] = self.xyxy[:, i]
        return pd.DataFrame(data)

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Detections:
        """Inverse of :meth:`to_frame` (e.g. ``detections.csv`` read back).

        Raises:
            ValueError: a needed column is missing.
        """
        need = ("class_id", "class", "conf", "x1", "y1", "x2", "y2")
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise ValueError(f"detections table lacks column(s) {', '.join(missing)}")

        def col(name: str) -> np.ndarray | None:
            return df[name].to_numpy() if name in df.columns else None

        return cls(
            df[["x1", "y1", "x2", "y2"]].to_numpy(np.float32).reshape(-1, 4),
            df["conf"].to_numpy(np.float32),
            df["class_id"].to_numpy(np.int64),
            df["class"].astype(str).to_numpy(object),
            category=None if "category" not in df.columns else df["category"].astype(str).to_numpy(object),
            track_id=col("track_id"),
            frame_index=col("frame_index"),
            t=col("t_s"),
            shot=col("shot"),
        )


@dataclass(frozen=True, eq=False)
class SampledFrames:
    """The frames that went to the detector, in source order.

    Attributes:
        frame_index: (n,) int64 source frame indices, increasing.
        t: (n,) float64 times (s, from pts).
        shot: (n,) int64 shot index of each frame.
    """

    frame_index: np.ndarray
    t: np.ndarray
    shot: np.ndarray

    def __post_init__(self) -> None:
        for name, dtype in (("frame_index", np.int64), ("t", np.float64), ("shot", np.int64)):
            object.__setattr__(self, name, _as(getattr(self, name), dtype, (), name))
        if not len(self.frame_index) == len(self.t) == len(self.shot):
            raise ValueError("SampledFrames: frame_index, t and shot differ in length")

    def __len__(self) -> int:
        return len(self.frame_index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SampledFrames):
            return NotImplemented
        return all(_same(getattr(self, n), getattr(other, n)) for n in ("frame_index", "t", "shot"))

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class FrameCounts:
    """Objects visible in each sampled frame, per category and per class.

    Attributes:
        frames: The sampled frames (rows).
        categories: Category names (columns of ``by_category``).
        classes: Class names (columns of ``by_class``).
        by_category: (n, len(categories)) int64 counts.
        by_class: (n, len(classes)) int64 counts.
    """

    frames: SampledFrames
    categories: tuple[str, ...]
    classes: tuple[str, ...]
    by_category: np.ndarray
    by_class: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.frames)
        for name, names in (("by_category", self.categories), ("by_class", self.classes)):
            a = np.asarray(getattr(self, name), np.int64).reshape(n, len(names)).copy()
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "classes", tuple(self.classes))

    def __len__(self) -> int:
        return len(self.frames)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrameCounts):
            return NotImplemented
        return (self.frames == other.frames and self.categories == other.categories and self.classes == other.classes
                and _same(self.by_category, other.by_category) and _same(self.by_class, other.by_class))

    __hash__ = None  # type: ignore[assignment]

    def of_category(self, name: str) -> np.ndarray:
        """(n,) counts of one category (zeros for a category not counted)."""
        if name not in self.categories:
            return np.zeros(len(self), np.int64)
        return self.by_category[:, self.categories.index(name)]

    def of_class(self, name: str) -> np.ndarray:
        """(n,) counts of one class (zeros for a class not counted)."""
        if name not in self.classes:
            return np.zeros(len(self), np.int64)
        return self.by_class[:, self.classes.index(name)]

    def rows(self, mask: np.ndarray) -> FrameCounts:
        """The counts of some frames (boolean mask or index array)."""
        f = self.frames
        return FrameCounts(SampledFrames(f.frame_index[mask], f.t[mask], f.shot[mask]), self.categories, self.classes,
                           self.by_category[mask], self.by_class[mask])

    def to_frame(self) -> pd.DataFrame:
        """One row per sampled frame: ``frame_index, t_s, shot``, a column per category, then
        ``class:<name>`` per class (the ``frames.csv`` layout)."""
        import pandas as pd

        data: dict[str, Any] = {"frame_index": self.frames.frame_index, "t_s": self.frames.t, "shot": self.frames.shot}
        for i, c in enumerate(self.categories):
            data[c] = self.by_category[:, i]
        for i, c in enumerate(self.classes):
            data[CLASS_COLUMN_PREFIX + c] = self.by_class[:, i]
        return pd.DataFrame(data)

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> FrameCounts:
        """Inverse of :meth:`to_frame` (e.g. ``frames.csv`` read back)."""
        keys = ("frame_index", "t_s", "shot")
        missing = [c for c in keys if c not in df.columns]
        if missing:
            raise ValueError(f"frames table lacks column(s) {', '.join(missing)}")
        cats = [str(c) for c in df.columns if c not in keys and not str(c).startswith(CLASS_COLUMN_PREFIX)]
        classes = [str(c) for c in df.columns if str(c).startswith(CLASS_COLUMN_PREFIX)]
        frames = SampledFrames(df["frame_index"].to_numpy(), df["t_s"].to_numpy(), df["shot"].to_numpy())
        return cls(frames, tuple(cats), tuple(c.removeprefix(CLASS_COLUMN_PREFIX) for c in classes),
                   df[cats].to_numpy(np.int64), df[classes].to_numpy(np.int64))


TRACK_COLUMNS: tuple[str, ...] = (
    "track_id", "shot", "class", "category", "first_frame", "last_frame", "first_t_s", "last_t_s", "duration_s",
    "n_detections", "mean_conf", "max_box_area", "max_box_w", "max_box_h", "confirmed",
)
"""Columns of the tracks table (``tracks.csv``), in order."""


@dataclass(frozen=True)
class Track:
    """One tracked object (a track never spans a cut).

    Attributes:
        track_id: Unique over the clip, 1..n in order of first appearance.
        shot: Shot index.
        class_name: Majority class of its detections.
        category: Category of that class.
        first_frame: Source index of its first frame.
        last_frame: Source index of its last frame.
        first_t: Time of its first frame (s).
        last_t: Time of its last frame (s).
        duration_s: ``last_t - first_t + 1 / sample_fps`` (each sampled frame stands for one
            sampling interval).
        n_detections: Boxes in the track.
        mean_conf: Mean confidence of its boxes.
        max_box_area: Largest box area (px²).
        max_box_w: Largest box width (px).
        max_box_h: Largest box height (px).
        confirmed: Lived at least ``min_track_s`` (counts as a distinct object).
    """

    track_id: int
    shot: int
    class_name: str
    category: str
    first_frame: int
    last_frame: int
    first_t: float
    last_t: float
    duration_s: float
    n_detections: int
    mean_conf: float
    max_box_area: float
    max_box_w: float
    max_box_h: float
    confirmed: bool


_TRACK_FIELDS = ("track_id", "shot", "class_name", "category", "first_frame", "last_frame", "first_t", "last_t",
                 "duration_s", "n_detections", "mean_conf", "max_box_area", "max_box_w", "max_box_h", "confirmed")
_TRACK_DTYPES = ("int64", "int64", "object", "object", "int64", "int64", "float64", "float64", "float64", "int64",
                 "float64", "float64", "float64", "float64", "bool")


def tracks_to_frame(tracks: Sequence[Track]) -> pd.DataFrame:
    """One row per track, columns :data:`TRACK_COLUMNS` (the ``tracks.csv`` layout)."""
    import pandas as pd

    return pd.DataFrame({col: pd.Series([getattr(t, f) for t in tracks], dtype=dt)
                         for col, f, dt in zip(TRACK_COLUMNS, _TRACK_FIELDS, _TRACK_DTYPES)})


def tracks_from_frame(df: pd.DataFrame) -> tuple[Track, ...]:
    """Inverse of :func:`tracks_to_frame` (e.g. ``tracks.csv`` read back)."""
    missing = [c for c in TRACK_COLUMNS if c not in df.columns]
    if missing and len(df.columns):
        raise ValueError(f"tracks table lacks column(s) {', '.join(missing)}")
    if not len(df):
        return ()
    cast = {"int64": int, "float64": float, "object": str,
            "bool": lambda v: v if isinstance(v, (bool, np.bool_)) else str(v) == "True"}
    cols = [df[c].tolist() for c in TRACK_COLUMNS]
    return tuple(
        Track(**{f: cast[dt](v) for f, dt, v in zip(_TRACK_FIELDS, _TRACK_DTYPES, row)})  # type: ignore[operator]
        for row in zip(*cols)
    )


@dataclass(frozen=True)
class CountStats:
    """How many of a category (or class) were visible per sampled frame.

    Attributes:
        max: Most in one frame.
        max_frame_index: Source index of the first frame with that many (None when max is 0).
        max_t: Its time (s), None when max is 0.
        mean: Mean per sampled frame.
        share_frames: Share of sampled frames with at least one (0..1).
    """

    max: int
    max_frame_index: int | None
    max_t: float | None
    mean: float
    share_frames: float


@dataclass(frozen=True)
class CountSummary:
    """Per-frame count statistics of a clip or a shot.

    Attributes:
        n_frames: Sampled frames summarised.
        categories: Category -> statistics.
        classes: Class -> statistics (empty in per-shot summaries).
    """

    n_frames: int
    categories: Mapping[str, CountStats]
    classes: Mapping[str, CountStats] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per category and class: ``level, name, max, max_frame_index, max_t_s, mean,
        share_frames``."""
        import pandas as pd

        cols = ["level", "name", "max", "max_frame_index", "max_t_s", "mean", "share_frames"]
        rows = [(level, name, s.max, s.max_frame_index, s.max_t, s.mean, s.share_frames)
                for level, stats in (("category", self.categories), ("class", self.classes))
                for name, s in stats.items()]
        return pd.DataFrame(rows, columns=cols)


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
        counts: Count statistics of its sampled frames (categories only); None until counted.
    """

    index: int
    start_frame: int
    end_frame: int
    start_t: float
    end_t: float
    end_reason: str = "end"
    counts: CountSummary | None = None

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
        track_id: Its track (None when it was not tracked).
    """

    class_name: str
    category: str
    conf: float
    frame_index: int
    t: float
    xyxy: tuple[float, float, float, float]
    growth: float
    track_id: int | None = None


@dataclass(frozen=True)
class WindowCount:
    """Objects of a category (or class) visible per sampled frame of a terminal window.

    Attributes:
        max: Most in one frame.
        mean: Mean per sampled frame.
    """

    max: int
    mean: float


@dataclass(frozen=True)
class TerminalWindow:
    """The last seconds of clear picture before a strike, within its shot.

    Attributes:
        start_t: Window start (s).
        end_t: Window end = the strike's time (s, exclusive).
        n_frames: Sampled frames in the window.
        counts: Category -> visible objects.
        classes: Class -> visible objects.
    """

    start_t: float
    end_t: float
    n_frames: int
    counts: Mapping[str, WindowCount]
    classes: Mapping[str, WindowCount]


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
        end_frame: Source index of the last lost frame (None when unknown).
        terminal: Its terminal window (None until summarised, see :mod:`vidtools.strikes`).
        target: What the camera was closing on (None when nothing qualifies).
        target_note: One line: how the target was chosen, or why there is none.
    """

    index: int
    shot: int
    kind: str
    start_frame: int
    t: float
    duration_s: float
    end_frame: int | None = None
    terminal: TerminalWindow | None = None
    target: Target | None = None
    target_note: str | None = None

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
            **({"end_frame": self.end_frame} if self.end_frame is not None else {}),
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


@dataclass(frozen=True)
class CountRange:
    """How many distinct objects a clip (or shot) shows: a range, never one number dressed as fact.

    Attributes:
        low: The most seen in one sampled frame (a hard lower bound, given the detector).
        high: Confirmed distinct tracks (raised to ``low`` when fewer); None when not tracked.
        estimate: Confirmed tracks after linking fragments of one object, within
            ``low..high``; None when not tracked.
        explanation: One line saying how the numbers came about.
    """

    low: int
    high: int | None
    estimate: int | None
    explanation: str


@dataclass(frozen=True)
class ShotUniqueCounts:
    """Count ranges within one shot.

    Attributes:
        shot: Shot index.
        categories: Category -> range.
        classes: Class -> range.
    """

    shot: int
    categories: Mapping[str, CountRange]
    classes: Mapping[str, CountRange]


@dataclass(frozen=True)
class UniqueCounts:
    """Distinct objects per category and class, for the clip and per shot.

    Attributes:
        available: False when tracking was off (then only ``low`` is known).
        method: One line describing how distinct objects were counted.
        min_track_s: Shortest track counted (s); None when tracking was off.
        link_gap_s: Longest gap between linked fragments (s); None when tracking was off.
        clip: Category -> range over the clip (``high`` and ``estimate`` summed over shots).
        classes: Class -> range over the clip.
        per_shot: The ranges within each shot.
    """

    available: bool
    method: str
    min_track_s: float | None
    link_gap_s: float | None
    clip: Mapping[str, CountRange]
    classes: Mapping[str, CountRange]
    per_shot: tuple[ShotUniqueCounts, ...]


@dataclass(frozen=True)
class Sampling:
    """Which frames of the clip were analysed.

    Attributes:
        every: Every N-th decoded frame (when ``fps`` is None).
        fps: Sampled frames per second asked for, or None.
        sample_rate_fps: Sampled frames per second that resulted.
        segment_start_s: Time of the first decoded frame (s).
        segment_end_s: Time of the last decoded frame (s).
        first_frame: Source index of the first decoded frame.
        last_frame: Source index of the last decoded frame.
        n_frames_decoded: Frames decoded.
        n_frames_sampled: Frames given to the detector.
        n_frames_cropped: Sampled frames cropped to their active picture (bars removed).
    """

    every: int
    fps: float | None
    sample_rate_fps: float
    segment_start_s: float
    segment_end_s: float
    first_frame: int
    last_frame: int
    n_frames_decoded: int
    n_frames_sampled: int
    n_frames_cropped: int


@dataclass(frozen=True)
class InputFile:
    """The analysed file.

    Attributes:
        path: Absolute path at analysis time.
        sha256: Hex sha256 of its bytes.
    """

    path: str
    sha256: str


@dataclass(frozen=True)
class ModelInfo:
    """The detector that produced the boxes.

    Attributes:
        path: Weights path (or the detector's name).
        sha256: Hex sha256 of the weights (None when unknown).
        format: Weights format (``openvino``, ``pytorch``, ``onnx``, ...).
        names: Class id -> class name.
        device: Where it ran (``cpu``, ``cuda:0``).
        details: Everything else the detector reports (precision, thresholds, manifest check,
            ...), JSON values.
    """

    path: str
    sha256: str | None
    format: str
    names: Mapping[int, str]
    device: str | None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Provenance:
    """Where a report came from: input, model, parameters, software, machine and time.

    Attributes:
        input: The analysed file.
        model: The detector.
        parameters: Every analysis parameter (``AnalysisConfig`` fields -> JSON values).
        versions: Package -> version (None when not installed).
        device: Where the detector ran.
        started_at: ISO 8601 UTC time the analysis started.
        finished_at: ISO 8601 UTC time it finished.
        elapsed_s: Wall time (s).
    """

    input: InputFile
    model: ModelInfo
    parameters: Mapping[str, Any]
    versions: Mapping[str, str | None]
    device: str | None
    started_at: str
    finished_at: str
    elapsed_s: float


@dataclass(frozen=True)
class DatasetMatch:
    """How well a model's class names match one built-in data set.

    Attributes:
        key: Data set key.
        title: Data set title.
        n_matched: Model classes the data set names.
        n_classes: Model classes in all.
    """

    key: str
    title: str
    n_matched: int
    n_classes: int

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.key, "title": self.title, "matched": self.n_matched, "of": self.n_classes}


@dataclass(frozen=True)
class TaxonomyInfo:
    """The class -> category mapping used, and what the model can detect with it.

    Attributes:
        source: ``default (COCO)`` or the taxonomy file's path.
        categories: Category -> class names.
        detectable: Category -> the model's classes in it (empty: the model cannot see it).
        cannot_detect: Categories no class of this model maps to (a claim about them cannot be
            checked against this footage with this model).
        other_classes: The model's classes counted as ``other`` (never personnel or vehicles).
        matched_datasets: The built-in data sets whose class names the model's names match, best
            first.
    """

    source: str
    categories: Mapping[str, tuple[str, ...]]
    detectable: Mapping[str, tuple[str, ...]]
    cannot_detect: tuple[str, ...] = ()
    other_classes: tuple[str, ...] = ()
    matched_datasets: tuple[DatasetMatch, ...] = ()


@dataclass(frozen=True)
class OverlayReport:
    """Static overlays and letterbox bars per shot, and what masking them did.

    Attributes:
        n_detections_dropped: Boxes dropped because they lay inside an overlay.
        masks: Per shot: the overlay mask.
        letterbox: Per shot: the active picture.
    """

    n_detections_dropped: int
    masks: tuple[ShotOverlays, ...]
    letterbox: tuple[ShotLetterbox, ...]


@dataclass(frozen=True)
class ShotDetection:
    """How shots and strikes were found.

    Attributes:
        enabled: False when shot detection was off (the clip is one shot).
        params: The thresholds used (name -> value), None when off.
        events: Flashes, glitches and edits that were judged not to be cuts or strikes.
    """

    enabled: bool
    params: Mapping[str, Any] | None
    events: tuple[ShotEvent, ...] = ()


@dataclass(frozen=True)
class ClipReport:
    """Everything known about one analysed clip (what ``report.json`` and the CSV files hold).

    Attributes:
        video: Probe data of the clip.
        provenance: Input, model, parameters, versions, device, times.
        taxonomy: Categories and what the model can detect.
        sampling: Which frames were analysed.
        status: How completely the clip decoded.
        summary: Per-frame count statistics of the clip.
        shots: Shots with their counts.
        strikes: Strikes with their terminal windows and targets.
        unique_counts: Distinct-object ranges.
        overlays: Overlay masks and letterbox boxes per shot.
        shot_detection: How shots were found, and the transient events.
        notes: Sentences every reader must see (e.g. that detection is not casualty confirmation).
        frame_counts: Counts per sampled frame (``frames.csv``).
        boxes: Every box of the clip, placed in its frame and shot, with track ids
            (``detections.csv``).
        track_list: Every track (``tracks.csv``).
    """

    video: VideoInfo
    provenance: Provenance
    taxonomy: TaxonomyInfo
    sampling: Sampling
    status: ClipStatus
    summary: CountSummary
    shots: tuple[Shot, ...]
    strikes: tuple[Strike, ...]
    unique_counts: UniqueCounts
    overlays: OverlayReport
    shot_detection: ShotDetection
    notes: tuple[str, ...]
    frame_counts: FrameCounts
    boxes: Detections
    track_list: tuple[Track, ...]

    @property
    def frames(self) -> pd.DataFrame:
        """One row per sampled frame: ``frame_index``, ``t_s``, ``shot``, then one count column per
        category (``personnel``, ...) and per class (``class:person``, ...)."""
        return self.frame_counts.to_frame()

    @property
    def detections(self) -> pd.DataFrame:
        """One row per box: ``frame_index``, ``t_s``, ``shot``, ``track_id`` (-1 = in no track),
        ``class_id``, ``class``, ``category``, ``conf``, ``x1``, ``y1``, ``x2``, ``y2`` (source px)."""
        return self.boxes.to_frame()

    @property
    def tracks(self) -> pd.DataFrame:
        """One row per track, columns :data:`TRACK_COLUMNS`."""
        return tracks_to_frame(self.track_list)

    @property
    def summary_table(self) -> pd.DataFrame:
        """Per category and per class: max in one frame (with frame index and time), mean per
        sampled frame and share of sampled frames with at least one (see :attr:`summary`)."""
        return self.summary.to_frame()
