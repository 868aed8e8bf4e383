"""Object detection: the :class:`Detector` protocol and the ultralytics YOLO detector.

This is the only module that imports ultralytics' model code.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vidtools.errors import ModelLoadError, UsageError
from vidtools.weights import ResolvedModel, resolve_model, sha256_model, verify_against_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class RawDetections:
    """One image's detections straight from a model.

    Attributes:
        xyxy: (n, 4) float32 boxes in the pixels of the image given to the model.
        conf: (n,) float32 confidences.
        class_id: (n,) int64 class ids (keys of the detector's ``names``).
    """

    xyxy: np.ndarray
    conf: np.ndarray
    class_id: np.ndarray


@runtime_checkable
class Detector(Protocol):
    """What the pipeline needs from a detector (a fake one in unit tests, YOLO for real)."""

    names: dict[int, str]
    device: str

    def detect(self, images: Sequence[np.ndarray]) -> list[RawDetections]:
        """Detect objects in HxWx3 uint8 BGR images; one result per image, in order."""
        ...

    def info(self) -> dict[str, Any]:
        """Provenance: model path, sha256, format, class names, device, precision."""
        ...


def pick_device(device: str) -> tuple[str, bool]:
    """Resolve ``auto`` to ``cuda:0`` (half precision) when CUDA is available, else ``cpu``.

    Returns:
        ``(device, half)``.
    """
    if device == "cpu":
        return "cpu", False
    try:
        import torch

        cuda = torch.cuda.is_available()
    except ImportError:  # pragma: no cover - torch comes with ultralytics
        cuda = False
    if device == "auto":
        return ("cuda:0", True) if cuda else ("cpu", False)
    if not cuda:
        raise UsageError(f"--device {device}: CUDA is not available on this machine; use --device cpu or auto")
    return ("cuda:0" if device == "cuda" else device), True


def model_format(path: str) -> str:
    """Format name of a weights path (``pytorch``, ``openvino``, ``onnx``, ``engine``, ...)."""
    p = Path(path)
    if p.name.endswith("_openvino_model") or p.suffix == ".xml":
        return "openvino"
    return {".pt": "pytorch", ".onnx": "onnx", ".engine": "tensorrt", ".torchscript": "torchscript"}.get(
        p.suffix.lower(), p.suffix.lstrip(".") or "unknown"
    )


class YoloDetector:
    """Ultralytics YOLO detector (any format ultralytics loads).

    Args:
        model: Model name or path (see :func:`vidtools.weights.resolve_model`).
        conf: Confidence threshold.
        iou: NMS IoU threshold.
        imgsz: Inference size (ignored by fixed-size exports, which use their own).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N``.
        allow_download: Let ultralytics download an official model by name when not found.
    """

    def __init__(
        self,
        model: str = "yolo11n",
        *,
        conf: float = 0.25,
        iou: float = 0.7,
        imgsz: int = 640,
        device: str = "auto",
        allow_download: bool = False,
    ) -> None:
        self.resolved: ResolvedModel = resolve_model(model, allow_download=allow_download)
        self.device, self.half = pick_device(device)
        self.conf, self.iou, self.imgsz = conf, iou, imgsz
        self.format = model_format(self.resolved.path)
        if self.format != "pytorch" or self.device == "cpu":
            # exported formats fix their precision at export time; fp16 on CPU is not supported
            self.half = self.half and self.format in ("tensorrt",)
        try:
            from ultralytics import YOLO

            with contextlib.redirect_stdout(io.StringIO()):
                self._model = YOLO(self.resolved.path, task="detect")
        except Exception as e:  # noqa: BLE001 - any loader failure becomes one clear line
            raise ModelLoadError(
                f"{self.resolved.path}: ultralytics could not load this model ({e.__class__.__name__}: "
                f"{str(e).splitlines()[0][:200] if str(e) else ''}); check that it is a detection model "
                "in a format ultralytics supports (OpenVINO needs the 'openvino' package)"
            ) from None
        self.names: dict[int, str] = {int(k): str(v) for k, v in dict(self._model.names).items()}
        self._predict_kwargs = dict(
            conf=conf, iou=iou, imgsz=imgsz, device=self.device, half=self.half, verbose=False
        )

    def detect(self, images: Sequence[np.ndarray]) -> list[RawDetections]:
        """Run the model on a batch of BGR images.

        Args:
            images: HxWx3 uint8 BGR arrays (sizes may differ).

        Returns:
            One :class:`RawDetections` per image, boxes in that image's pixels.
        """
        if not images:
            return []
        results = self._model.predict(list(images), **self._predict_kwargs)
        out = []
        for r in results:
            b = r.boxes
            out.append(
                RawDetections(
                    b.xyxy.cpu().numpy().astype(np.float32),
                    b.conf.cpu().numpy().astype(np.float32),
                    b.cls.cpu().numpy().astype(np.int64),
                )
            )
        return out

    def info(self) -> dict[str, Any]:
        """Provenance of the loaded model."""
        path = self.resolved.path
        downloaded = self.resolved.download
        return {
            "requested": self.resolved.requested,
            "path": str(Path(path).resolve()) if Path(path).exists() else path,
            "sha256": sha256_model(path) if Path(path).exists() else None,
            "format": self.format,
            "downloaded_by_name": downloaded,
            "manifest": verify_against_manifest(path) if Path(path).exists() else None,
            "names": {str(k): v for k, v in self.names.items()},
            "device": self.device,
            "half": self.half,
            "conf": self.conf,
            "iou": self.iou,
            "imgsz": self.imgsz,
        }
