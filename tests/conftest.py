"""Shared fixtures: where the real weights and clips are, the sample clip, a fake detector.

Real-data tests read ``../shared/weights`` (or ``$VIDTOOLS_WEIGHTS``) and ``../shared/videos``.
When those are missing the tests skip locally, but FAIL under CI (``CI`` set), so a CI run can
never pass by silently skipping them.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

# Tests never download: a known official model that is not on disk is an error, as with --offline.
os.environ["VIDTOOLS_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MODEL_DIRNAME = "yolo11n_int8_openvino_model"


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
