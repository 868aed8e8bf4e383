"""Run a static-shape OpenVINO detection model on parallel CPU streams, compiled once.

ultralytics compiles an OpenVINO model for LATENCY (one stream using every core) and runs the
images of a batch one after the other. For a small model on a few cores, several
single-threaded streams do more frames per second. Here the IR is read and compiled once with the
THROUGHPUT hint, and each stream is one infer request of that compiled model: no second
ultralytics instance, no second compilation, no warm-up run.

Pre- and post-processing are ultralytics' own building blocks, called exactly as its
``DetectionPredictor`` calls them (``LetterBox`` without ``auto`` for a fixed-size model, BGR->RGB,
``/255`` in float32, ``non_max_suppression``, ``scale_boxes``), so boxes, scores and classes are
bit-identical to ``YOLO(path).predict(images)`` (tests/integration/test_models_real.py checks it).
:meth:`OpenVinoStreams.run` is thread-safe: each call takes a free infer request.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vidtools.errors import ModelLoadError
from vidtools.formats import ExportMetadata, InputSpec, spec_from_openvino

MAX_DET = 300  # ultralytics' predict default


@dataclass(frozen=True)
class RawBoxes:
    """One image's detections as the model gave them, in that image's pixels.

    Attributes:
        xyxy: (n, 4) float32 corners.
        conf: (n,) float32 scores.
        class_id: (n,) class ids (float32, as ultralytics returns them).
    """

    xyxy: np.ndarray
    conf: np.ndarray
    class_id: np.ndarray


def eligible(spec: InputSpec, meta: ExportMetadata) -> bool:
    """True when this fast path reproduces ultralytics exactly: fixed input size and batch, raw
    (pre-NMS) detection output with a known class count, a detection task."""
    return (
        spec.imgsz is not None
        and spec.batch is not None
        and spec.n_classes is not None
        and not meta.end2end
        and meta.task in (None, "detect")
    )


class OpenVinoStreams:
    """A compiled OpenVINO detection model with one infer request per CPU stream.

    Args:
        model: ``openvino.Model`` read from the IR (:func:`vidtools.formats.read_openvino_model`).
        conf: Confidence threshold.
        iou: NMS IoU threshold.
        stride: Model stride (from the export metadata; 32 by default).
    """

    def __init__(self, model: Any, *, conf: float, iou: float, stride: int | None = None) -> None:
        import openvino as ov

        self.spec = spec_from_openvino(model)
        if self.spec.imgsz is None or self.spec.batch is None:
            raise ModelLoadError(f"{model.get_friendly_name()}: dynamic input shape; it runs through ultralytics instead")
        self._compiled = ov.Core().compile_model(model, "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
        n = max(1, int(self._compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
        self._free: queue.Queue[Any] = queue.Queue()
        for _ in range(n):
            self._free.put(self._compiled.create_infer_request())
        self.parallelism = n
        self.conf, self.iou = conf, iou
        self.imgsz: tuple[int, int] = self.spec.imgsz
        self.batch: int = self.spec.batch
        self.stride = stride or 32

    def run(self, images: Sequence[np.ndarray]) -> list[RawBoxes]:
        """Detect in HxWx3 uint8 BGR images (sizes may differ); one result per image, in order."""
        import torch
        from ultralytics.data.augment import LetterBox
        from ultralytics.utils import nms, ops

        letterbox = LetterBox(self.imgsz, auto=False, stride=self.stride)
        out: list[RawBoxes] = []
        request = self._free.get()
        try:
            with torch.inference_mode():
                for start in range(0, len(images), self.batch):
                    chunk = images[start : start + self.batch]
                    boxed = np.stack([letterbox(image=im) for im in chunk])
                    x = torch.from_numpy(boxed).permute(0, 3, 1, 2).contiguous().flip(1).float().div_(255)
                    pad = self.batch - len(chunk)
                    if pad:  # a fixed-batch model takes only full batches: zero images, dropped below
                        x = torch.cat((x, x.new_zeros(pad, *x.shape[1:])))
                    request.infer({0: x.numpy()}, share_inputs=True)  # x outlives the call
                    raw = torch.from_numpy(np.array(request.get_output_tensor(0).data[: len(chunk)]))
                    preds = nms.non_max_suppression(
                        raw, self.conf, self.iou, None, False, max_det=MAX_DET, nc=0, end2end=False, rotated=False
                    )
                    for pred, im in zip(preds, chunk):
                        pred[:, :4] = ops.scale_boxes(x.shape[2:], pred[:, :4], im.shape)
                        p = pred.numpy()
                        out.append(RawBoxes(p[:, :4].copy(), p[:, 4].copy(), p[:, 5].copy()))
        finally:
            self._free.put(request)
        return out
