"""TorchDetector: the device-side detector (ultralytics adapter; this module and ``detect.py`` are
the only detector modules that import ultralytics).

The model is loaded through ultralytics' ``AutoBackend`` (PyTorch ``.pt``, TensorRT ``.engine``,
or an architecture ``.yaml`` built with seeded random weights for speed tests). Frames travel to
the model's device as uint8 (pinned host memory and non-blocking copies on CUDA); letterbox,
BGR->RGB, normalisation, half precision and NMS run there (:mod:`vidtools.device.letterbox`,
:mod:`vidtools.device.nms`); one small (k, 7) array of kept boxes comes back per model batch.

Equality with ``YOLO.predict``: the model input is bit-identical to ultralytics' (same letterbox
geometry, OpenCV's INTER_LINEAR reproduced in integers), the model and its weights are the same
``AutoBackend``, and the NMS keeps the same boxes; see ``tests/integration/test_device_detector.py``
and ``bench/gpu_check.sh``. One deliberate difference: ultralytics pads a list of images of
*different* sizes to the full square ``imgsz``, whereas here every image gets its own
stride-aligned canvas (images with the same canvas share a model call), so a frame's boxes never
depend on which other frames shared its batch.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vidtools import classnames, formats
from vidtools.config import DEVICE_PIPELINES
from vidtools.detect import check_trust, forbid_autoinstall, model_format, pick_device
from vidtools.device.letterbox import (
    Letterbox,
    letterbox_batch,
    letterbox_geometry,
    to_device,
)
from vidtools.device.nms import batched_nms, to_source
from vidtools.errors import ModelLoadError, UsageError
from vidtools.manifest import identify, load_manifest, sha256_model
from vidtools.types import Detections
from vidtools.weights import ResolvedModel, resolve_model

log = logging.getLogger(__name__)

DEVICE_FORMATS = ("pytorch", "tensorrt", "yaml")
"""Formats that ``device_pipeline="auto"`` sends down the device path on CUDA."""
ARCH_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, eq=False)
class StagedImage:
    """One frame on the model's device, waiting for a model batch.

    Attributes:
        image: HxWx3 uint8 BGR tensor on the detector's device.
        box: Where it lands on the model's input canvas.
    """

    image: torch.Tensor
    box: Letterbox


def is_architecture(model: str) -> bool:
    """True when ``model`` names an architecture file (``yolo11n.yaml``) rather than weights."""
    return str(model).lower().endswith(ARCH_SUFFIXES)


def random_model(cfg: str = "yolo11n.yaml", seed: int = 0) -> torch.nn.Module:
    """The architecture ``cfg`` with seeded random weights (speed and equality tests only).

    Freshly initialised YOLO weights give near-constant scores (every anchor at the class prior),
    which makes NMS a contest of ties. So after the seeded initialisation the batch-norm
    statistics are measured once on ultralytics' two bundled photos (``bus.jpg``, ``zidane.jpg``),
    which spreads the scores and box sizes (about 7-130 boxes per real frame at conf 0.01). The
    result is the same on every machine with the same torch and ultralytics versions.

    Args:
        cfg: Architecture name or path understood by ultralytics (``yolo11n.yaml``).
        seed: Seed of the initialisation.

    Returns:
        The ultralytics ``DetectionModel`` in eval mode, on the CPU.

    Raises:
        ModelLoadError: ultralytics does not know the architecture.
    """
    import cv2
    from ultralytics.nn.tasks import DetectionModel
    from ultralytics.utils import ASSETS

    try:
        with torch.random.fork_rng(devices=[]), contextlib.redirect_stdout(io.StringIO()):
            torch.manual_seed(seed)
            model = DetectionModel(cfg, verbose=False)
    except Exception as e:  # noqa: BLE001 - any builder failure becomes one clear line
        raise ModelLoadError(
            f"{cfg}: ultralytics could not build this architecture ({e.__class__.__name__}: {str(e)[:200]}); "
            "give a detection model yaml such as yolo11n.yaml"
        ) from None
    photos = [cv2.imread(str(ASSETS / name)) for name in ("bus.jpg", "zidane.jpg")]
    boxes = [letterbox_geometry(*p.shape[:2], (640, 640), 32, auto=False) for p in photos]
    batch = letterbox_batch([torch.from_numpy(p) for p in photos], boxes, half=False)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batch
    model.train()
    with torch.no_grad():
        model(batch)
    return model.eval()


def use_device_pipeline(choice: str, model: str | ResolvedModel, device: str, *, offline: bool = False) -> bool:
    """Whether a model runs on the device path (:class:`TorchDetector`) or through ``predict``.

    Args:
        choice: ``auto``, ``on`` or ``off`` (:data:`vidtools.config.DEVICE_PIPELINES`).
        model: Model name, weights path or architecture ``.yaml`` (or an already resolved model).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:N``.
        offline: As for :func:`vidtools.weights.resolve_model`.

    Returns:
        ``on``: True; ``off``: False; ``auto``: True for an architecture ``.yaml`` (only this
        path builds one), and for ``.pt`` / ``.engine`` weights when ``device`` resolves to CUDA.

    Raises:
        UsageError: unknown choice, or CUDA asked for where there is none.
        WeightsNotFoundError: ``auto`` and the model is not found.
    """
    if choice not in DEVICE_PIPELINES:
        raise UsageError(f"device_pipeline must be one of {', '.join(DEVICE_PIPELINES)}, got {choice!r}")
    if choice != "auto":
        return choice == "on"
    if isinstance(model, str) and is_architecture(model):
        return True
    fmt = model_format((model if isinstance(model, ResolvedModel) else resolve_model(model, offline=offline)).path)
    return fmt in DEVICE_FORMATS and pick_device(device)[0] != "cpu"


class TorchDetector:
    """Detector whose pre- and post-processing run on the model's device.

    Implements the :class:`vidtools.detect.Detector` protocol, plus :meth:`stage` and
    :meth:`detect_staged`, which split a call into its host part (copying frames to the device,
    run by the producing thread) and its device part (run by whoever assembles model batches,
    see :class:`vidtools.device.batcher.SharedBatcher`).

    Args:
        model: Weights name or path (``.pt``, ``.engine``; other formats ``AutoBackend`` loads
            also work, on their own devices), or an architecture ``.yaml`` built with seeded
            random weights (:func:`random_model`; speed tests only).
        conf: Confidence threshold.
        iou: NMS IoU threshold.
        imgsz: Inference size in pixels (fixed-size exports use their own).
        device: ``auto`` (CUDA with half precision when present), ``cpu``, ``cuda``, ``cuda:N``.
        max_det: Most boxes per image.
        names: A names file (YAML with ``names:``) for a model whose file carries no class names.
        offline: Forbid downloading a known official model that is not on disk.
        trusted_models_only: Refuse a ``.pt`` pickle whose sha256 is not in the manifest.
        seed: Seed of the random weights of an architecture ``.yaml``.

    Raises:
        WeightsNotFoundError, ModelLoadError: the model cannot be found, built or loaded.
        UsageError: CUDA asked for where there is none.
    """

    def __init__(
        self,
        model: str | ResolvedModel = "yolo11n",
        *,
        conf: float = 0.25,
        iou: float = 0.7,
        imgsz: int = 640,
        device: str = "auto",
        max_det: int = 300,
        names: str | None = None,
        offline: bool = False,
        trusted_models_only: bool = False,
        seed: int = 0,
    ) -> None:
        from ultralytics.nn.autobackend import AutoBackend
        from ultralytics.utils.checks import check_imgsz

        device, half = pick_device(device)
        self._sha256: str | None = None
        self._manifest = None
        self._trust = None
        if isinstance(model, str) and is_architecture(model):
            self.resolved = ResolvedModel(model, model, ())
            self.format = "yaml"
            weights: Any = random_model(model, seed)
            log.warning("%s: random weights (seed %d): for speed and equality tests only, never for counts", model, seed)
        else:
            self.resolved = model if isinstance(model, ResolvedModel) else resolve_model(model, offline=offline)
            self.format = model_format(self.resolved.path)
            weights = self.resolved.path
            # the same checks as YoloDetector, before anything opens the file
            fmt = formats.format_of(weights)
            formats.require_runtime(fmt, weights)
            self._sha256 = sha256_model(weights)
            self._manifest = identify(weights, sha256=self._sha256)
            self._trust = check_trust(fmt, weights, self._manifest, self._sha256, trusted_only=trusted_models_only)
            forbid_autoinstall()
        self.conf, self.iou, self.imgsz, self.max_det, self.seed = conf, iou, imgsz, max_det, seed
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self._backend = AutoBackend(weights, device=torch.device(device), fp16=half, fuse=True, verbose=False)
        except Exception as e:  # noqa: BLE001 - any loader failure becomes one clear line
            raise ModelLoadError(
                f"{self.resolved.path}: ultralytics could not load this model ({e.__class__.__name__}: "
                f"{str(e).splitlines()[0][:200] if str(e) else ''}); check that it is a detection model "
                "in a format ultralytics supports"
            ) from None
        b = self._backend
        self._torch_device = torch.device(b.device)
        self.device = str(self._torch_device)
        self.half = bool(b.fp16)
        own = {int(k): str(v) for k, v in dict(b.names).items()}
        if self.format == "yaml":
            self.class_names = classnames.ClassNames(own, classnames.MODEL_METADATA)
        else:  # the same sources and order as YoloDetector
            meta = formats.read_metadata(weights)
            known = self._manifest.known if self._manifest is not None and self._manifest.verified else None
            self.class_names = classnames.resolve_names(
                model_names=own, n_classes=None,
                sidecar_names=meta.names if meta.beside else None, sidecar_path=meta.source if meta.beside else None,
                names_file=names, model_path=weights,
                manifest_names=dict(enumerate(load_manifest().classes_of(known))) if known is not None else None,
            )
        self.names: dict[int, str] = self.class_names.as_dict()
        self.stride = int(b.stride)
        dynamic = bool(getattr(b, "dynamic", False))
        fixed = getattr(b, "imgsz", None) if not dynamic and b.format != "pt" else None
        self.input_size: tuple[int, int] = tuple(check_imgsz(fixed or imgsz, stride=self.stride, min_dim=2))  # type: ignore[assignment]
        self.auto = b.format == "pt" or dynamic  # stride-aligned minimum rectangle, as predict does
        self.end2end = bool(getattr(b, "end2end", False))
        # PyTorch modules run safely from two threads (one launches while the other's batch runs);
        # TensorRT and the other backends reuse their input/output buffers: one call at a time
        self.parallelism = 2 if b.format == "pt" else 1
        self._slots = threading.BoundedSemaphore(self.parallelism)
        # ...but the forward pass itself is one at a time: ultralytics' Detect head caches its
        # anchors for the last input shape, so two canvases at once would mix them (a clip
        # failed with a size-mismatch RuntimeError when 4:3 and 16:9 clips shared the batcher)
        self._forward = threading.Lock()
        self._info: dict[str, Any] | None = None
        with torch.inference_mode():
            b.warmup(imgsz=(1, 3, *self.input_size))

    def with_thresholds(self, *, conf: float | None = None, iou: float | None = None, max_det: int | None = None) -> TorchDetector:
        """A detector on the same loaded model with other thresholds (no second load).

        Args:
            conf: Confidence threshold (unchanged when None).
            iou: NMS IoU threshold (unchanged when None).
            max_det: Most boxes per image (unchanged when None).
        """
        other = copy.copy(self)  # shares the backend and its call slots; thresholds are read per call
        other.conf = self.conf if conf is None else conf
        other.iou = self.iou if iou is None else iou
        other.max_det = self.max_det if max_det is None else max_det
        other._info = None
        return other

    def geometry(self, height: int, width: int) -> Letterbox:
        """Letterbox geometry of a ``height`` x ``width`` frame for this model."""
        return letterbox_geometry(height, width, self.input_size, self.stride, self.auto)

    def stage(self, images: Sequence[np.ndarray]) -> list[StagedImage]:
        """Copy frames to the model's device (the host part of :meth:`detect`).

        Args:
            images: HxWx3 uint8 BGR arrays (sizes may differ; views such as crops are fine).

        Returns:
            One :class:`StagedImage` per image (on CUDA the copies may still be in flight).
        """
        out = []
        for img in images:
            h, w = img.shape[:2]
            out.append(StagedImage(to_device(torch.from_numpy(img), self._torch_device), self.geometry(h, w)))
        return out

    def detect_staged(self, staged: Sequence[StagedImage]) -> list[Detections]:
        """Letterbox, model, NMS and box scaling on the device; one copy of the kept boxes back.

        Args:
            staged: Frames from :meth:`stage` (canvases may differ: one model call per canvas).

        Returns:
            One :class:`~vidtools.types.Detections` per frame, boxes in its pixels, ``category`` None.
        """
        if not staged:
            return []
        groups: dict[tuple[int, int], list[int]] = {}
        for i, s in enumerate(staged):
            groups.setdefault(s.box.canvas, []).append(i)
        with self._slots, torch.inference_mode():
            parts = []
            for idx in groups.values():
                boxes = [staged[i].box for i in idx]
                x = letterbox_batch([staged[i].image for i in idx], boxes, self.half)
                with self._forward:
                    raw = self._backend(x)
                rows, image = batched_nms(
                    raw, conf=self.conf, iou=self.iou, max_det=self.max_det, end2end=self.end2end
                )
                xyxy = to_source(rows, image, boxes)
                where = torch.tensor(idx, device=image.device)[image].float()
                parts.append(torch.cat((xyxy, rows[:, 4:6], where[:, None]), 1))
            found = torch.cat(parts).cpu().numpy()  # the only device -> host copy: (k, 7)
        return _split(found, len(staged), self.names)

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        """Run the model on a batch of BGR frames (see :class:`vidtools.detect.Detector`).

        Args:
            images: HxWx3 uint8 BGR arrays (sizes may differ).

        Returns:
            One :class:`~vidtools.types.Detections` per image, boxes in its pixels, ``category`` None.
        """
        return self.detect_staged(self.stage(images))

    def info(self) -> dict[str, Any]:
        """Provenance of the loaded model (hashed once per detector)."""
        if self._info is None:
            path = self.resolved.path
            exists = self.format != "yaml" and Path(path).exists()
            self._info = {
                "requested": self.resolved.requested,
                "path": str(Path(path).resolve()) if exists else path,
                "sha256": self._sha256,
                "format": self.format,
                "downloaded": self.resolved.downloaded,
                "manifest": self._manifest.to_dict() if self._manifest is not None else None,
                "trust": self._trust.to_dict() if self._trust is not None else None,
                "names_source": self.class_names.to_dict(),
                "random_weights_seed": self.seed if self.format == "yaml" else None,
                "names": {str(k): v for k, v in self.names.items()},
                "device": self.device,
                "half": self.half,
                "conf": self.conf,
                "iou": self.iou,
                "imgsz": self.imgsz,
                "input_size": list(self.input_size),
                "max_det": self.max_det,
                "pipeline": "device",
            }
        return dict(self._info)


def _split(found: np.ndarray, n: int, names: dict[int, str]) -> list[Detections]:
    """(k, 7) rows ``x1 y1 x2 y2 score class image`` -> one Detections per image, score order kept."""
    image = found[:, 6].astype(np.int64)
    order = np.argsort(image, kind="stable")
    found, counts = found[order], np.bincount(image, minlength=n)
    out, start = [], 0
    for c in counts:
        part = found[start : start + c]
        out.append(Detections.from_model(part[:, :4], part[:, 4], part[:, 5].astype(np.int64), names))
        start += c
    return out
