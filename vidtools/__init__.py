"""vidtools: count what drone / FPV footage actually shows.

Public API (the CLI is a thin layer over these)::

    import vidtools
    info = vidtools.probe("clip.mp4")
    report = vidtools.analyze("clip.mp4", model="yolo11n", every=2)
    report.summary, report.shots, report.strikes, report.unique_counts   # typed values
    report.frames, report.detections, report.tracks                      # pandas DataFrames
    vidtools.report_json(report)                                         # the report.json text
    vidtools.load_report("out/clip")
    vidtools.analyze_many(["a.mp4", "b.mp4"], "out", resume=True)   # executor="ray" for a cluster
    detector = vidtools.load_detector(model="visdrone")   # reuse: analyze(..., detector=detector)
    vidtools.open_catalog("out")        # every clip's tables: DuckDB views or DataFrames
"""

from __future__ import annotations

import os

# No hidden network access: ultralytics otherwise probes the internet at import and may try to
# pip-install missing requirements. Set YOLO_OFFLINE=0 yourself to restore its online checks.
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "False")

from vidtools._version import __version__  # noqa: E402
from vidtools.api import analyze, analyze_many, load_detector  # noqa: E402
from vidtools.batch import open_catalog  # noqa: E402
from vidtools.claims import compare, extract_claims, load_claims, save_claims  # noqa: E402
from vidtools.config import AnalysisConfig  # noqa: E402
from vidtools.errors import (  # noqa: E402
    ClaimsError,
    ModelLoadError,
    ReportError,
    TaxonomyError,
    UsageError,
    VideoOpenError,
    VidtoolsError,
    WeightsNotFoundError,
)
from vidtools.frames import export_frames, iter_frames  # noqa: E402
from vidtools.media import grab_frames  # noqa: E402
from vidtools.probe import probe  # noqa: E402
from vidtools.report.html import IndexEntry, write_clip_html, write_index_html  # noqa: E402
from vidtools.report.schema import to_json as report_json  # noqa: E402
from vidtools.report.writer import load_report  # noqa: E402
from vidtools.shots import detect_shots, export_shot_frames  # noqa: E402
from vidtools.taxonomy import Taxonomy, load_taxonomy  # noqa: E402
from vidtools.types import (  # noqa: E402
    ClipReport,
    ClipStatus,
    Detections,
    Frame,
    Shot,
    Strike,
    VideoInfo,
)

__all__ = [
    "AnalysisConfig",
    "ClaimsError",
    "ClipReport",
    "ClipStatus",
    "IndexEntry",
    "Detections",
    "Frame",
    "ModelLoadError",
    "ReportError",
    "Shot",
    "Strike",
    "Taxonomy",
    "TaxonomyError",
    "UsageError",
    "VideoInfo",
    "VideoOpenError",
    "VidtoolsError",
    "WeightsNotFoundError",
    "__version__",
    "analyze",
    "analyze_many",
    "compare",
    "detect_shots",
    "export_frames",
    "export_shot_frames",
    "extract_claims",
    "grab_frames",
    "iter_frames",
    "load_claims",
    "load_detector",
    "load_report",
    "load_taxonomy",
    "open_catalog",
    "probe",
    "report_json",
    "save_claims",
    "write_clip_html",
    "write_index_html",
]
