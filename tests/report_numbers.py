"""The numbers of written reports, for the before/after test of the data model (issue 9, item 9).

Three small inputs run through ``vidtools.analyze`` with the real COCO YOLO11n INT8 OpenVINO model:

- ``vtest``: the first 12 s of ``opencv_vtest.avi`` (real footage), every 5th frame;
- ``compilation``: the synthetic compilation of ``tests/synth.py`` (real footage cut into shots
  with strikes, terminal windows, letterbox and OSD overlays), every 2nd frame;
- ``photos``: the sample clip of ``samples/make_samples.py`` (two photos, pillarbox / letterbox).

:func:`numbers` reads what a report folder publishes (``report.json``, ``frames.csv``,
``tracks.csv``) and keeps the numbers: summary, shots with their counts, strikes with terminal
windows and targets, unique counts, overlays, sampling, per-frame counts and the tracks. Times,
paths, versions and the model's provenance are left out (they change from run to run).

Run ``python -m tests.report_numbers`` from the repository root to write the fixture
``tests/data/report_numbers.json`` (it was written once with the code before issue 9 and is not
to be regenerated to make the test pass).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import COMPILATION_OPTIONS

FIXTURE = Path(__file__).parent / "data" / "report_numbers.json"

BEFORE_TAXONOMY = Path(__file__).parent / "data" / "coco_taxonomy_before_issue15.yaml"
"""The category mapping of the code the fixture was written with (issue 15 later mapped more COCO
classes, e.g. airplane -> aircraft); the comparison runs with it so that it tests the data model,
not the re-mapping."""

CASES: dict[str, dict[str, Any]] = {
    "vtest": {"options": {"every": 5, "end": 12.0, "taxonomy": str(BEFORE_TAXONOMY)}},
    "compilation": {"options": {**COMPILATION_OPTIONS, "taxonomy": str(BEFORE_TAXONOMY)}},
    "photos": {"options": {"every": 1, "taxonomy": str(BEFORE_TAXONOMY)}},
}
"""Per case: the options given to ``vidtools.analyze`` (besides the detector and ``quiet``)."""

_DROP = {"explanation", "method"}  # wording, not numbers (compared separately where it matters)


def _numbers_only(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _numbers_only(x) for k, x in v.items() if k not in _DROP}
    if isinstance(v, list):
        return [_numbers_only(x) for x in v]
    return v


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def numbers(folder: Path) -> dict[str, Any]:
    """The numbers a report folder publishes (see the module docstring)."""
    meta = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    frames = _csv_rows(folder / "frames.csv")
    count_cols = [c for c in (frames[0] if frames else {}) if c not in ("frame_index", "t_s", "shot")]
    per_frame = {c: [int(r[c]) for r in frames] for c in count_cols if any(int(r[c]) for r in frames)}
    tracks = _csv_rows(folder / "tracks.csv")
    return {
        "sampling": {k: v for k, v in meta["sampling"].items()},
        "summary": meta["summary"],
        "shots": meta["shots"],
        "strikes": meta["strikes"],
        "unique_counts": _numbers_only(meta["unique_counts"]),
        "overlays": meta["overlays"],
        "frames": {
            "frame_index": [int(r["frame_index"]) for r in frames],
            "t_s": [float(r["t_s"]) for r in frames],
            "shot": [int(r["shot"]) for r in frames],
            "counts": per_frame,
        },
        "tracks": [
            [int(t["track_id"]), int(t["shot"]), t["class"], int(t["first_frame"]), int(t["last_frame"]),
             int(t["n_detections"]), t["confirmed"] == "True"]
            for t in tracks
        ],
    }


def case_inputs(tmp: Path) -> dict[str, Callable[[], Path]]:
    """Makers of each case's input clip (made in ``tmp`` when needed)."""
    from tests.conftest import SHARED, _load_samples_module
    from tests.synth import build_compilation

    def photos() -> Path:
        path = tmp / "photos.mkv"
        _load_samples_module().make_photo_clip(path)
        return path

    return {
        "vtest": lambda: SHARED / "videos" / "opencv_vtest.avi",
        "compilation": lambda: build_compilation(tmp / "compilation.mp4").path,
        "photos": photos,
    }


def run_case(name: str, clip: Path, out: Path, detector: Any) -> dict[str, Any]:
    """Analyse one case with the current code and return the numbers of the written report."""
    import vidtools

    vidtools.analyze(clip, out, detector=detector, quiet=True, html=False, **CASES[name]["options"])
    return numbers(out / clip.stem)


def main() -> None:  # pragma: no cover - writes the fixture once
    import tempfile

    from tests.conftest import MODEL_DIRNAME, weights_root
    from vidtools.detect import YoloDetector

    detector = YoloDetector(str(weights_root() / MODEL_DIRNAME), device="cpu")
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, make in case_inputs(tmp).items():
            out[name] = run_case(name, make(), tmp / "out" / name, detector)
            print(name, "done", file=sys.stderr)
    FIXTURE.write_text(json.dumps(out, indent=None, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(FIXTURE, FIXTURE.stat().st_size, "bytes")


if __name__ == "__main__":  # pragma: no cover
    main()
