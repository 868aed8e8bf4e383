"""Resolve a model name or path to a weights file/folder; manifest and sha256 checks.

A *path* (anything that exists, or that has a directory part or a model suffix) is used as given.
A *name* such as ``yolo11n`` is looked up, in order, in ``$VIDTOOLS_WEIGHTS`` (one or more
folders separated by ``os.pathsep``), the project's ``weights/`` folder, and ultralytics' weights
directory, matching ``NAME.pt``, ``NAME.engine``, ``NAME.onnx``, ``NAME_openvino_model/`` and
``NAME_int8_openvino_model/``. Nothing is downloaded unless the caller allows it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidtools.errors import WeightsNotFoundError
from vidtools.probe import sha256_file

log = logging.getLogger(__name__)

PROJECT_WEIGHTS = Path(__file__).resolve().parents[1] / "weights"
MODEL_SUFFIXES = (".pt", ".engine", ".onnx", ".torchscript", ".tflite", ".mlpackage", ".xml")
PATTERNS = ("{n}.pt", "{n}.engine", "{n}.onnx", "{n}_openvino_model", "{n}_int8_openvino_model")
OFFICIAL_NAMES = tuple(
    f"{fam}{size}"
    for fam in ("yolo11", "yolov8", "yolo26", "yolov10", "yolov9", "yolov5")
    for size in ("n", "s", "m", "l", "x")
)


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model came from.

    Attributes:
        requested: What the user asked for (name or path).
        path: The file or folder to load, or the bare name when a download was allowed.
        searched: Every place that was looked at.
        download: True when the model is to be fetched by ultralytics by name.
    """

    requested: str
    path: str
    searched: tuple[str, ...]
    download: bool = False


def search_dirs() -> list[Path]:
    """Folders searched for a model name, in order."""
    dirs: list[Path] = []
    env = os.environ.get("VIDTOOLS_WEIGHTS")
    if env:
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    dirs.append(PROJECT_WEIGHTS)
    try:
        from ultralytics.utils import SETTINGS

        dirs.append(Path(SETTINGS["weights_dir"]))
    except (ImportError, KeyError):  # pragma: no cover - ultralytics is a dependency
        pass
    return dirs


def looks_like_path(model: str) -> bool:
    """True when ``model`` is meant as a path rather than a name."""
    return (
        os.sep in model
        or "/" in model
        or Path(model).suffix.lower() in MODEL_SUFFIXES
        or model.endswith("_openvino_model")
        or Path(model).exists()
    )


def resolve_model(model: str, *, allow_download: bool = False) -> ResolvedModel:
    """Find the weights for ``model``.

    Args:
        model: A name (``yolo11n``) or a path (``weights/best.pt``, ``…/yolo11n_int8_openvino_model``).
        allow_download: When a name is not found locally and it is an official ultralytics model
            name, hand the bare name to ultralytics, which downloads it (needs internet).

    Returns:
        :class:`ResolvedModel`.

    Raises:
        WeightsNotFoundError: nothing found; the message lists every place searched.
    """
    if looks_like_path(model):
        p = Path(model).expanduser()
        if p.exists():
            return ResolvedModel(model, str(p), (str(p),))
        raise WeightsNotFoundError(model, [str(p.resolve())])
    name = model[:-3] if model.endswith(".pt") else model
    searched: list[str] = []
    for d in search_dirs():
        for pat in PATTERNS:
            cand = d / pat.format(n=name)
            searched.append(str(cand))
            if cand.exists():
                return ResolvedModel(model, str(cand), tuple(searched))
    if allow_download and name in OFFICIAL_NAMES:
        return ResolvedModel(model, f"{name}.pt", tuple(searched), download=True)
    raise WeightsNotFoundError(model, searched)


def sha256_model(path: str | os.PathLike[str]) -> str:
    """sha256 of a weights file, or of a model folder (over its files' names and bytes, sorted)."""
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(x for x in p.rglob("*") if x.is_file()):
            h.update(f.relative_to(p).as_posix().encode())
            h.update(b"\0")
            h.update(sha256_file(f).encode())
        return h.hexdigest()
    return sha256_file(p)


def load_manifest(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read ``weights/manifest.yaml`` (the known models, their files' sha256, source, licence)."""
    import yaml

    p = Path(path) if path else PROJECT_WEIGHTS / "manifest.yaml"
    if not p.is_file():
        return {}
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    return dict(data.get("models", {}))


def verify_against_manifest(path: str | os.PathLike[str], manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compare a model's files with the manifest entry of the same name.

    Returns:
        ``{"entry": name or None, "verified": True/False/None, "mismatched": [file, ...]}``;
        ``verified`` is None when the model is not in the manifest.
    """
    manifest = load_manifest() if manifest is None else manifest
    p = Path(path)
    entry = manifest.get(p.name)
    if not entry:
        return {"entry": None, "verified": None, "mismatched": []}
    files = entry.get("files") or {}
    if not files:
        return {"entry": p.name, "verified": None, "mismatched": []}
    mismatched = []
    for rel, digest in files.items():
        f = p / rel if p.is_dir() else p
        if not f.is_file() or sha256_file(f) != digest:
            mismatched.append(rel)
    if mismatched:
        log.warning("%s: sha256 differs from weights/manifest.yaml for %s", p, ", ".join(mismatched))
    return {"entry": p.name, "verified": not mismatched, "mismatched": mismatched}
