"""Object detection: the :class:`Detector` protocol and the ultralytics YOLO detector.

This is the only module that loads models. :class:`YoloDetector` runs any format ultralytics
loads, with default options:

- the runtime of the format must be installed (else one line naming the ``vidtools[...]`` extra),
  and ultralytics is never allowed to pip-install anything;
- fixed-batch exports get chunks of their own batch size, read from the model graph or metadata;
- fixed-size exports get their own input size, whatever ``imgsz`` says;
- class names come from :func:`vidtools.classnames.resolve_names` (never ``classN`` when names
  are available anywhere), and the provenance says where from;
- a ``.pt`` checkpoint (a pickle) whose sha256 is not in the manifest is announced before it is
  loaded, or refused with ``trusted_models_only``;
- static OpenVINO models on the CPU run on parallel streams of one compiled model
  (:mod:`vidtools.openvino_streams`), bit-identical to ultralytics' predict.
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

from vidtools import classnames, formats
from vidtools.errors import ModelLoadError, UntrustedModelError, UsageError
from vidtools.manifest import (
    ManifestCheck,
    identify,
    load_manifest,
    sha256_model,
)
from vidtools.openvino_streams import OpenVinoStreams, RawBoxes, eligible
from vidtools.types import Detections
from vidtools.weights import ResolvedModel, resolve_model

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
    """Format name of a weights path as the reports name it (``pytorch``, ``openvino``, ``onnx``,
    ``tensorrt``, ``tflite``, ...); see :func:`vidtools.formats.format_of`."""
    return formats.format_of(path).name


def forbid_autoinstall() -> None:
    """Stop ultralytics from pip-installing packages it finds missing (its AutoUpdate).

    ultralytics reads ``YOLO_AUTOINSTALL`` once at import into ``ultralytics.utils.checks``;
    ``check_requirements`` consults that module value on every call, so it is switched off there.
    """
    from ultralytics.utils import checks

    checks.AUTOINSTALL = False


@dataclass(frozen=True)
class Trust:
    """Whether a model file may run code when loaded, and whether the manifest vouches for it.

    Attributes:
        pickle: Loading the file unpickles Python objects (a ``.pt`` checkpoint).
        trusted: Not a pickle, or a pickle whose bytes are listed in the manifest.
        warning: The warning given before loading an untrusted pickle ("" otherwise).
    """

    pickle: bool
    trusted: bool
    warning: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"pickle": self.pickle, "trusted": self.trusted, "warning": self.warning or None}


def check_trust(fmt: formats.ModelFormat, path: str, check: ManifestCheck, sha256: str, *, trusted_only: bool) -> Trust:
    """Announce (or refuse) an untrusted pickle before anything loads it.

    Raises:
        UntrustedModelError: ``trusted_only`` and the file is a pickle not listed in the manifest.
    """
    if not fmt.pickle or check.verified:
        return Trust(pickle=fmt.pickle, trusted=True)
    why = f" (its bytes differ from the listed {check.known.file})" if check.known is not None else ""
    text = (
        f"{path}: this .pt checkpoint is a Python pickle, so loading it runs code stored in the file, and its "
        f"sha256 ({sha256[:16]}…) is not in weights/manifest.yaml{why}. Load only files you trust "
        "(exported ONNX, OpenVINO, TFLite and TensorRT models are not pickles)"
    )
    if trusted_only:
        raise UntrustedModelError(f"{text}. Refused because of --trusted-models-only")
    log.warning("%s", text)
    return Trust(pickle=True, trusted=False, warning=text)


class _UltralyticsEngine:
    """Any format through ``YOLO(path).predict``; chunks of the model's fixed batch size."""

    parallelism = 1
    pixel_unit_boxes = False

    def __init__(self, path: str, *, batch: int | None, kwargs: dict[str, Any]) -> None:
        from ultralytics import YOLO

        self._kwargs = kwargs
        self.batch = batch
        with contextlib.redirect_stdout(io.StringIO()):
            self._model = YOLO(path, task="detect")
            # one tiny run creates the predictor and the runtime session (errors surface here)
            self._model.predict(np.zeros((32, 32, 3), np.uint8), **kwargs)
        backend = self._model.predictor.model.backend
        self.pixel_unit_boxes = _rescale_pixel_unit_tflite(backend)
        self.model_names = {int(k): str(v) for k, v in dict(self._model.predictor.model.names).items()}

    def run(self, images: Sequence[np.ndarray]) -> list[RawBoxes]:
        step = self.batch or len(images)
        out: list[RawBoxes] = []
        for start in range(0, len(images), step):
            for r in self._model.predict(list(images[start : start + step]), **self._kwargs):
                b = r.boxes
                out.append(RawBoxes(b.xyxy.cpu().numpy(), b.conf.cpu().numpy(), b.cls.cpu().numpy()))
        return out


class YoloDetector:
    """Ultralytics YOLO detector for any format ultralytics loads.

    Args:
        model: Model name or path (see :func:`vidtools.weights.resolve_model`), or a resolved model.
        conf: Confidence threshold.
        iou: NMS IoU threshold.
        imgsz: Inference size (fixed-size exports use their own).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N``.
        names: A names file (YAML with ``names:``) for a model without class names.
        offline: Forbid downloading a known official model that is not on disk.
        trusted_models_only: Refuse a ``.pt`` pickle whose sha256 is not in the manifest.
        quiet: No download progress bar.

    Raises:
        WeightsNotFoundError: the model is not found (and may not be downloaded).
        ModelLoadError: runtime missing, untrusted pickle refused, not a detection model, or the
            runtime cannot load it.
        NamesFileError: ``names`` is malformed or lists another number of classes.
    """

    def __init__(
        self,
        model: str | ResolvedModel = "yolo11n",
        *,
        conf: float = 0.25,
        iou: float = 0.7,
        imgsz: int = 640,
        device: str = "auto",
        names: str | None = None,
        offline: bool = False,
        trusted_models_only: bool = False,
        quiet: bool = False,
    ) -> None:
        self.resolved: ResolvedModel = (
            model if isinstance(model, ResolvedModel) else resolve_model(model, offline=offline, progress=not quiet)
        )
        path = self.resolved.path
        fmt = formats.format_of(path)
        self.format = fmt.name
        formats.require_runtime(fmt, path)
        self.sha256 = sha256_model(path)
        known_models = load_manifest()
        self.manifest: ManifestCheck = identify(path, known_models, sha256=self.sha256)
        self.trust = check_trust(fmt, path, self.manifest, self.sha256, trusted_only=trusted_models_only)
        if self.manifest.known is not None and not self.manifest.known.loadable and self.manifest.verified:
            raise ModelLoadError(f"{path}: {self.manifest.known.note}; use another model")
        forbid_autoinstall()
        meta = formats.read_metadata(path)
        if meta.task not in (None, "detect"):
            raise ModelLoadError(f"{path}: this is a {meta.task} model; vidtools needs a detection (detect) model")
        if fmt is formats.OPENVINO and device not in ("auto", "cpu"):
            raise UsageError(
                f"{path}: OpenVINO models run on the CPU here; use --device cpu (or auto), "
                "or a .pt / .engine model for CUDA"
            )
        self.device, self.half = pick_device("cpu" if fmt is formats.OPENVINO else device)
        # exported formats fix their precision at export time; fp16 on CPU is not supported
        self.half = self.half and self.device != "cpu" and fmt in (formats.PYTORCH, formats.TENSORRT)
        self.conf, self.iou = conf, iou
        self._engine, self.spec, model_names = _load_engine(
            path, fmt, meta, conf=conf, iou=iou, imgsz=imgsz, device=self.device, half=self.half
        )
        self.imgsz = self.spec.imgsz[0] if self.spec.imgsz and self.spec.imgsz[0] == self.spec.imgsz[1] else imgsz
        self.parallelism = self._engine.parallelism
        known = self.manifest.known if self.manifest.verified else None
        self.class_names = classnames.resolve_names(
            model_names=model_names,
            n_classes=self.spec.n_classes,
            sidecar_names=meta.names if meta.beside else None,
            sidecar_path=meta.source if meta.beside else None,
            names_file=names,
            manifest_names=dict(enumerate(known_models.classes_of(known))) if known is not None else None,
            model_path=path,
        )
        self.names: dict[int, str] = self.class_names.as_dict()
        self._info: dict[str, Any] | None = None

    @property
    def fixed_batch(self) -> int | None:
        """The model's fixed batch size (images per model call), None when any size is accepted."""
        return self.spec.batch

    @property
    def max_batch(self) -> int | None:
        """Most images one model call takes (the sliced detector's chunk size); None: any number."""
        return self.spec.batch

    @property
    def input_size(self) -> tuple[int, int] | None:
        """The model's fixed input ``(height, width)`` in px, None when it takes any size."""
        return self.spec.imgsz

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
        return [Detections.from_model(r.xyxy, r.conf, r.class_id, self.names) for r in self._engine.run(images)]

    def info(self) -> dict[str, Any]:
        """Provenance of the loaded model (computed once per detector, not once per clip)."""
        if self._info is None:
            path = self.resolved.path
            self._info = {
                "requested": self.resolved.requested,
                "path": str(Path(path).resolve()),
                "sha256": self.sha256,
                "format": self.format,
                "downloaded": self.resolved.downloaded,
                "manifest": self.manifest.to_dict(),
                "trust": self.trust.to_dict(),
                "names": {str(k): v for k, v in self.names.items()},
                "names_source": self.class_names.to_dict(),
                "input": {"batch": self.spec.batch, "imgsz": list(self.spec.imgsz) if self.spec.imgsz else None,
                          "source": self.spec.source},
                "device": self.device,
                "half": self.half,
                "conf": self.conf,
                "iou": self.iou,
                "imgsz": self.imgsz,
                "openvino_streams": self.parallelism if isinstance(self._engine, OpenVinoStreams) else None,
                "pixel_unit_boxes_rescaled": bool(getattr(self._engine, "pixel_unit_boxes", False)),
            }
        return dict(self._info)


def _rescale_pixel_unit_tflite(backend: Any) -> bool:
    """Make a TFLite export whose raw boxes are in pixels come out right.

    ultralytics' LiteRT backend multiplies the raw ``xywh`` by the input size, because current
    exports write boxes normalised to 0..1. Some exports write pixels (the shared VisDrone model):
    each box then comes out 640 times too large and is clipped to ``(W, H, W, H)``. Which kind a
    model is does not change from image to image, so it is decided once, here: one run on a blank
    input, whose anchor centres span the whole input, shows centres far beyond the input width only
    for a pixel-unit export. Such a backend's forward then divides the box rows back.

    Returns:
        True when the model writes pixel units and its boxes are now rescaled.
    """
    import torch

    details = getattr(backend, "input_details", None)
    if not details or not hasattr(backend, "interpreter"):
        return False
    shape = [int(v) for v in details[0]["shape"]]
    b, h, w = (shape[0], shape[1], shape[2]) if backend.nhwc else (shape[0], shape[2], shape[3])
    y = backend.forward(torch.zeros(b, 3, h, w))
    out = y[0] if isinstance(y, (list, tuple)) else y
    if not (isinstance(out, np.ndarray) and out.ndim == 3 and out.shape[1] > 4 and out[:, 0].max() > 2 * w):
        return False
    forward = backend.forward

    def pixel_units(im: Any) -> Any:
        y = forward(im)
        for x in y if isinstance(y, (list, tuple)) else [y]:
            if isinstance(x, np.ndarray) and x.ndim == 3 and x.shape[1] > 4:
                x[:, [0, 2]] /= w
                x[:, [1, 3]] /= h
        return y

    backend.forward = pixel_units
    return True


def _undo_double_box_scaling(model: Any) -> None:
    """The same rescaling for a plain ``ultralytics.YOLO`` object (e.g. one handed to sahi): every
    predictor it builds gets its backend checked once, when prediction starts."""

    def patch(predictor: Any) -> None:
        backend = getattr(getattr(predictor, "model", None), "backend", None)
        if backend is not None and not getattr(backend, "_vidtools_checked", False):
            backend._vidtools_checked = True
            _rescale_pixel_unit_tflite(backend)

    model.add_callback("on_predict_start", patch)


def _load_engine(
    path: str, fmt: formats.ModelFormat, meta: formats.ExportMetadata, *,
    conf: float, iou: float, imgsz: int, device: str, half: bool,
) -> tuple[OpenVinoStreams | _UltralyticsEngine, formats.InputSpec, dict[int, str] | None]:
    """Load a model: static OpenVINO on parallel streams, anything else through ultralytics.

    Returns:
        ``(engine, input spec, the names the model itself carries)``.

    Raises:
        ModelLoadError: the runtime cannot read or load the model (one line naming the file).
    """
    try:
        if fmt is formats.OPENVINO:
            ov_model = formats.read_openvino_model(path)  # read once; compiled once below
            spec = formats.spec_from_openvino(ov_model)
            if device == "cpu" and eligible(spec, meta):
                return OpenVinoStreams(ov_model, conf=conf, iou=iou, stride=meta.stride), spec, meta.names
        else:
            spec = formats.read_input_spec(path, fmt, meta)
        kwargs: dict[str, Any] = {"conf": conf, "iou": iou, "imgsz": list(spec.imgsz or (imgsz, imgsz)),
                                  "device": device, "verbose": False}
        if half:
            kwargs.update(_half_precision_option())
        engine = _UltralyticsEngine(path, batch=spec.batch, kwargs=kwargs)
        return engine, spec, engine.model_names
    except ModelLoadError:
        raise
    except Exception as e:  # noqa: BLE001 - any loader failure becomes one clear line
        msg = str(e).splitlines()[0][:200] if str(e) else ""
        raise ModelLoadError(
            f"{path}: the {fmt.label} runtime could not load this model ({e.__class__.__name__}: {msg}); "
            "check that it is an Ultralytics YOLO detection model and that the file is complete"
        ) from None


def _half_precision_option() -> dict[str, Any]:
    """fp16 inference, in the spelling of the installed ultralytics (``quantize=16`` replaced ``half=True``)."""
    from ultralytics.cfg import DEFAULT_CFG_DICT

    return {"quantize": 16} if "quantize" in DEFAULT_CFG_DICT else {"half": True}
