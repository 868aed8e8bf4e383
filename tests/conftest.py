"""Shared fixtures: where the real weights and clips are, the sample clip, a fake detector.

Real-data tests read ``../shared/weights`` (or ``$VIDTOOLS_WEIGHTS``) and ``../shared/videos``.
When those are missing the tests skip locally, but FAIL under CI (``CI`` set), so a CI run can
never pass by silently skipping them.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

# Tests never download: a known official model that is not on disk is an error, as with --offline.
os.environ["VIDTOOLS_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MODEL_DIRNAME = "yolo11n_int8_openvino_model"


@pytest.fixture(autouse=True, scope="session")
def every_written_report_follows_the_schema():
    """Every ``report.json`` the tests write is checked against the JSON Schema shipped in the
    package (``vidtools/report/report.schema.json``): a report that does not follow it fails the
    write, and so the test that wrote it."""
    from vidtools.report import schema, writer

    def checked(report, indent=2):
        text = schema.to_json(report, indent)
        schema.validate(json.loads(text))
        return text

    mp = pytest.MonkeyPatch()
    mp.setattr(writer, "to_json", checked)
    yield
    mp.undo()


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; CI must run the real-data tests, not skip them")
    pytest.skip(f"{what} is missing")


def weights_root() -> Path:
    env = os.environ.get("VIDTOOLS_WEIGHTS")
    return Path(env.split(os.pathsep)[0]) if env else SHARED / "weights"


@pytest.fixture(scope="session")
def weights_dir() -> Path:
    d = weights_root()
    if not (d / MODEL_DIRNAME).is_dir():
        _missing(f"real weights ({d / MODEL_DIRNAME})")
    return d


@pytest.fixture(scope="session")
def model_path(weights_dir: Path) -> str:
    return str(weights_dir / MODEL_DIRNAME)


@pytest.fixture(scope="session")
def videos_dir() -> Path:
    d = SHARED / "videos"
    if not (d / "opencv_vtest.avi").is_file():
        _missing(f"real clips ({d})")
    return d


@pytest.fixture(scope="session")
def detector(model_path: str):
    from vidtools.detect import YoloDetector

    return YoloDetector(model_path, device="cpu")


def _load_samples_module():
    spec = importlib.util.spec_from_file_location("make_samples", REPO / "samples" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def photo_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The sample clip made from ultralytics' bus.jpg and zidane.jpg, and its ground truth."""
    path = tmp_path_factory.mktemp("samples") / "photos.mkv"
    truth = _load_samples_module().make_photo_clip(path)
    return path, truth


COMPILATION_OPTIONS = {"every": 2}
"""How the shared compilation is analysed (also the ``compilation`` case of tests/report_numbers.py)."""


@pytest.fixture(scope="session")
def compilation(videos_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The synthetic compilation of tests/synth.py (built once per session) and its truth."""
    from tests.synth import build_compilation

    return build_compilation(tmp_path_factory.mktemp("comp") / "compilation.mp4")


@pytest.fixture(scope="session")
def compilation_analysed(compilation, detector, tmp_path_factory: pytest.TempPathFactory):
    """``vidtools.analyze`` of the compilation with the real model: ``(report, report folder)``."""
    import vidtools

    out = tmp_path_factory.mktemp("comp_out")
    report = vidtools.analyze(compilation.path, out, detector=detector, quiet=True, **COMPILATION_OPTIONS)
    return report, out / "compilation"
