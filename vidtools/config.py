"""One frozen configuration object holding every default of an analysis.

The CLI and the Python API build the same :class:`AnalysisConfig`; option names match
(``--min-track-s`` on the CLI is ``min_track_s=`` in :func:`vidtools.analyze`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from vidtools.errors import UsageError

DEVICES_HELP = "auto|cpu|cuda|cuda:N"
TRACKERS = ("bytetrack", "botsort", "none")
DEVICE_PIPELINES = ("auto", "on", "off")


@dataclass(frozen=True)
class AnalysisConfig:
    """Every parameter of an analysis, with its default.

    Attributes:
        model: Model name (looked up in the weights directories) or a path ultralytics can load.
        every: Analyse every N-th decoded frame (source frame indices 0, N, 2N, ...).
        fps: Alternatively, sample at this many frames per second (exclusive with ``every``).
        start: Start of the analysed segment in seconds (None = beginning).
        end: End of the analysed segment in seconds (None = end of clip).
        conf: Detection confidence threshold (0..1).
        iou: Non-maximum-suppression IoU threshold (0..1).
        imgsz: Inference image size in pixels (fixed-size exports ignore it).
        device: ``auto`` (CUDA with half precision when present, else CPU), ``cpu``, ``cuda:N``.
        device_pipeline: ``auto`` (letterbox, normalisation and NMS on the model's device for
            ``.pt`` / ``.engine`` models on CUDA), ``on`` (that path on any device, CPU included),
            ``off`` (ultralytics' ``predict``).
        batch: Frames per model call.
        slice: Also run the model on overlapping tiles of its input size (sliced inference, for
            small objects seen from altitude); boxes from tiles and full frame are merged.
        slice_overlap: Fraction of a tile shared with its neighbour (0..0.75).
        taxonomy: Path of a YAML taxonomy file over the built-in one (None = built-in only,
            chosen from the model's class names).
        tracker: ``bytetrack``, ``botsort`` or ``none``.
        min_track_s: Tracks shorter than this many seconds are not counted as distinct objects.
        track_buffer_s: Seconds a lost track is kept before it is dropped.
        terminal_s: Length in seconds of the window before each strike that is summarised.
        shots: Detect shots and strikes.
        crop_bars: Run the detector on the active picture only (letterbox / pillarbox removed).
        mask_overlays: Drop detections inside static overlays (OSD text, crosshair, watermark).
        names: Path of a YAML names file (``names:`` list or ``{id: name}``) for a model whose
            file carries no class names (None = the model's metadata or the metadata.yaml beside it).
        offline: Never use the network: a known official model that is not on disk is an error
            instead of a one-time download (``VIDTOOLS_OFFLINE=1`` does the same).
        trusted_models_only: Refuse a ``.pt`` checkpoint (a Python pickle) whose sha256 is not in
            ``weights/manifest.yaml``.
        html: Write ``report.html`` (and ``index.html`` for several clips) with the report.
        annotate: Also write ``annotated.mp4`` and ``contact_sheet.jpg``.
        blur_people: Blur persons in every image of the HTML report and annotated media.
        claims: Path of a ``claims.json`` whose comparison is shown in each clip's HTML report.
        quiet: No progress output on stderr.
    """

    model: str = "yolo11n"
    every: int = 1
    fps: float | None = None
    start: float | None = None
    end: float | None = None
    conf: float = 0.25
    iou: float = 0.7
    imgsz: int = 640
    device: str = "auto"
    device_pipeline: str = "auto"
    batch: int = 8
    slice: bool = False
    slice_overlap: float = 0.2
    taxonomy: str | None = None
    tracker: str = "bytetrack"
    min_track_s: float = 0.5
    track_buffer_s: float = 1.0
    terminal_s: float = 2.0
    shots: bool = True
    crop_bars: bool = True
    mask_overlays: bool = True
    names: str | None = None
    offline: bool = False
    trusted_models_only: bool = False
    html: bool = True
    annotate: bool = False
    blur_people: bool = False
    claims: str | None = None
    quiet: bool = False

    def __post_init__(self) -> None:
        if self.every < 1:
            raise UsageError(f"every must be >= 1, got {self.every}")
        if self.fps is not None and self.fps <= 0:
            raise UsageError(f"fps must be > 0, got {self.fps}")
        if self.fps is not None and self.every != 1:
            raise UsageError("give either every or fps, not both")
        if not 0.0 <= self.conf <= 1.0:
            raise UsageError(f"conf must be within 0..1, got {self.conf}")
        if not 0.0 <= self.iou <= 1.0:
            raise UsageError(f"iou must be within 0..1, got {self.iou}")
        if self.imgsz < 32:
            raise UsageError(f"imgsz must be >= 32, got {self.imgsz}")
        if self.batch < 1:
            raise UsageError(f"batch must be >= 1, got {self.batch}")
        if not 0.0 <= self.slice_overlap <= 0.75:
            raise UsageError(f"slice_overlap must be within 0..0.75, got {self.slice_overlap}")
        if self.start is not None and self.start < 0:
            raise UsageError(f"start must be >= 0, got {self.start}")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise UsageError(f"end ({self.end}) must be after start ({self.start})")
        if self.tracker not in TRACKERS:
            raise UsageError(f"tracker must be one of {', '.join(TRACKERS)}, got {self.tracker!r}")
        if self.min_track_s < 0 or self.track_buffer_s < 0 or self.terminal_s <= 0:
            raise UsageError("min_track_s and track_buffer_s must be >= 0 and terminal_s > 0")
        if self.device_pipeline not in DEVICE_PIPELINES:
            raise UsageError(f"device_pipeline must be one of {', '.join(DEVICE_PIPELINES)}, got {self.device_pipeline!r}")
        dev = self.device
        if not (dev in ("auto", "cpu", "cuda") or (dev.startswith("cuda:") and dev[5:].isdigit())):
            raise UsageError(f"device must be {DEVICES_HELP}, got {dev!r}")

    @classmethod
    def from_options(cls, **options: Any) -> AnalysisConfig:
        """Build a config from keyword options, rejecting unknown names with a clear message."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise UsageError(f"unknown option(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        return cls(**options)

    def replace(self, **changes: Any) -> AnalysisConfig:
        """Return a copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """All parameters as a JSON-ready dict (for the report's provenance)."""
        return dataclasses.asdict(self)
