"""Where a report came from: software versions, the model's description, timestamps."""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Mapping
from importlib import metadata
from typing import Any

from vidtools._version import __version__
from vidtools.types import ModelInfo

PACKAGES = ("ultralytics", "torch", "openvino", "av", "numpy", "opencv-python", "scenedetect", "pandas")
"""Libraries whose behaviour shapes the results (their versions go into every report)."""

_MODEL_KEYS = ("path", "sha256", "format", "names", "device")


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second (``2026-11-26T16:14:00+00:00``)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    """Versions of vidtools, Python and :data:`PACKAGES` (None when not installed)."""
    out: dict[str, str | None] = {"vidtools": __version__, "python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def model_info(info: Mapping[str, Any]) -> ModelInfo:
    """A detector's ``info()`` as a :class:`ModelInfo` (keys other than path, sha256, format,
    names and device go to ``details``)."""
    names = info.get("names") or {}
    return ModelInfo(
        path=str(info.get("path", "")),
        sha256=info.get("sha256"),
        format=str(info.get("format", "unknown")),
        names={int(k): str(v) for k, v in names.items()},
        device=info.get("device"),
        details={k: v for k, v in info.items() if k not in _MODEL_KEYS},
    )
