"""Object detection: the :class:`Detector` protocol and the ultralytics YOLO detector.

This is the only module that imports ultralytics' model code.
"""

from __future__ import annotations

import contextlib
import io
import logging
import queue
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vidtools.errors import ModelLoadError, UsageError
from vidtools.types import Detections
from vidtools.weights import ResolvedModel, resolve_model, sha256_model, verify_against_manifest

log = logging.getLogger(__name__)


@runtime_checkable
class Detector(Protocol):
    """What the pipeline needs from a detector (a fake one in unit tests, YOLO for real)."""

    names: dict[int, str]
    device: str
    # optional: ``parallelism`` (int) — how many detect() calls may run at once from different
    # threads (the pipeline keeps that many batches in flight); 1 when absent

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        """Detect objects in HxWx3 uint8 BGR images; one result per image, in order, boxes in
        that image's pixels, class names set and ``category`` None (the pipeline maps it)."""
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
        self.format = model_format(self.resolved.path)
        if self.format == "openvino":
            if device not in ("auto", "cpu"):
                raise UsageError(
                    f"{self.resolved.path}: OpenVINO models run on the CPU here; use --device cpu (or auto), "
                    "or a .pt / .engine model for CUDA"
                )
            device = "cpu"
        self.device, self.half = pick_device(device)
        self.conf, self.iou, self.imgsz = conf, iou, imgsz
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
        self._info: dict[str, Any] | None = None
        self._workers: list[Any] = []
        if self.format == "openvino" and self.device == "cpu":
            self._setup_parallel_openvino()
        if self.format == "tflite":
            _undo_double_box_scaling(self._model)
        self._free: queue.Queue[Any] = queue.Queue()
        for m in self._workers or [self._model]:
            self._free.put(m)
        self.parallelism = max(1, len(self._workers))

    def _setup_parallel_openvino(self) -> None:
        """Run batches on parallel OpenVINO streams (CPU, THROUGHPUT hint).

        ultralytics compiles OpenVINO models for LATENCY and runs the frames of a batch one after
        the other. For small models on a few cores, several single-threaded streams do more frames
        per second. The same IR gives bit-identical outputs either way; pre- and post-processing stay
        ultralytics' own, because each stream is driven through its own ``YOLO.predict``.
        :meth:`detect` is then thread-safe: each call takes a free stream, and ``parallelism`` calls
        can run at once (the pipeline keeps that many batches in flight, with no barrier between
        streams). Falls back to the plain path when this ultralytics version does not expose the
        backend.
        """
        try:
            import openvino as ov
            from ultralytics import YOLO

            xml = _openvino_xml(self.resolved.path)
            core = ov.Core()
            compiled = core.compile_model(core.read_model(xml), "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
            n = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
            if n < 2:
                return
            dummy = np.zeros((64, 64, 3), np.uint8)
            workers = []
            for k in range(n):
                with contextlib.redirect_stdout(io.StringIO()):
                    m = self._model if k == 0 else YOLO(self.resolved.path, task="detect")
                    m.predict(dummy, **self._predict_kwargs)  # creates the predictor and its backend
                backend = m.predictor.model.backend
                if not hasattr(backend, "ov_compiled_model") or getattr(backend, "read_model", None) is not None:
                    return  # dynamic-shape exports reshape per call: keep ultralytics' own path
                backend.ov_compiled_model = _InferRequestCall(compiled.create_infer_request(), compiled)
                workers.append(m)
        except Exception as e:  # noqa: BLE001 - an optimisation only; the plain path always works
            log.debug("parallel OpenVINO streams unavailable (%s); using ultralytics' sequential path", e)
            return
        self._workers = workers

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        """Run the model on a batch of BGR images.

        Args:
            images: HxWx3 uint8 BGR arrays (sizes may differ).

        Returns:
            One :class:`~vidtools.types.Detections` per image, boxes in that image's pixels,
            ``category`` None.
        """
        if not images:
            return []
        model = self._free.get()  # a free OpenVINO stream (or the single model)
        try:
            results = model.predict(list(images), **self._predict_kwargs)
        finally:
            self._free.put(model)
        out = []
        for r in results:
            b = r.boxes
            out.append(Detections.from_model(b.xyxy.cpu().numpy(), b.conf.cpu().numpy(), b.cls.cpu().numpy(), self.names))
        return out

    def info(self) -> dict[str, Any]:
        """Provenance of the loaded model (hashed once per detector, not once per clip)."""
        if self._info is None:
            self._info = self._provenance()
        return dict(self._info)

    def _provenance(self) -> dict[str, Any]:
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
            "openvino_streams": len(self._workers) or None,
        }


def _undo_double_box_scaling(model: Any) -> None:
    """Make TFLite exports whose raw boxes are in pixels come out right.

    ultralytics' LiteRT backend multiplies the raw ``xywh`` by the input size, as current exports
    write boxes normalised to 0..1. Some exports (the shared VisDrone model among them) write
    pixels; each box then comes out 640x too large and clipped into the image's bottom-right
    corner (the counts look plausible, the boxes are all ``(W, H, W, H)``). A predict-start
    callback wraps the backend's forward (once per backend, so also after ultralytics rebuilds its
    predictor): it divides back whenever a box centre lies beyond twice the input width, which
    normalised outputs never reach. Nothing changes for other exports.
    """

    def patch(predictor: Any) -> None:
        backend = getattr(getattr(predictor, "model", None), "backend", None)
        details = getattr(backend, "input_details", None)
        if backend is None or not details or getattr(backend, "_vidtools_pixel_safe", False):
            return
        shape = details[0]["shape"]
        h, w = (int(shape[1]), int(shape[2])) if getattr(backend, "nhwc", True) else (int(shape[2]), int(shape[3]))
        forward = backend.forward

        def pixel_safe_forward(im: Any) -> Any:
            y = forward(im)
            for x in y if isinstance(y, (list, tuple)) else [y]:
                if isinstance(x, np.ndarray) and x.ndim == 3 and x.shape[1] >= 4 and x[:, 0].max() > 2 * w:
                    x[:, [0, 2]] /= w
                    x[:, [1, 3]] /= h
            return y

        backend.forward = pixel_safe_forward
        backend._vidtools_pixel_safe = True

    model.add_callback("on_predict_start", patch)


def _openvino_xml(path: str) -> str:
    p = Path(path)
    if p.is_dir():
        xmls = sorted(p.glob("*.xml"))
        if not xmls:
            raise FileNotFoundError(f"{p}: no .xml in the OpenVINO model folder")
        return str(xmls[0])
    return str(p)


class _InferRequestCall:
    """Stands in for ``CompiledModel.__call__`` with one dedicated infer request (one per worker)."""

    def __init__(self, request: Any, compiled: Any) -> None:
        self._request = request
        self._compiled = compiled
        self._lock = threading.Lock()

    def __call__(self, inputs: Any) -> Any:
        with self._lock:
            return self._request.infer(inputs, share_inputs=False)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._compiled, name)
