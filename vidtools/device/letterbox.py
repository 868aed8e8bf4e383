"""Letterbox on the device: the geometry of ultralytics' ``LetterBox`` (pure) and a batched
resize / pad / normalise of uint8 frames that runs wherever the frames are (CUDA or CPU).

The geometry is the same arithmetic as ``ultralytics.data.augment.LetterBox`` for ``predict``
(scale-up allowed, centred, pad value 114): ``auto=True`` pads each side only up to the next
multiple of the model stride (PyTorch models and dynamic exports), ``auto=False`` pads to the full
``imgsz`` (fixed-size exports such as a static TensorRT engine).

The resize reproduces OpenCV's ``cv2.resize(..., INTER_LINEAR)`` on uint8 images in integer
arithmetic: half-pixel centres, no antialiasing, 11-bit fixed-point weights computed from float32
source positions, OpenCV's border rules (columns: the outside tap gets no weight; rows: the row
index is clamped), a horizontal pass, then the vertical pass and rounding of OpenCV's vectorised
code. The result is bit-identical to OpenCV 5.0 (opencv-python) on every size tested, down- and
up-scaling, so the model sees exactly what ``predict`` feeds it
(``tests/unit/test_device_letterbox.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

PAD_VALUE = 114
"""Grey level of the padding, as in ultralytics."""


@dataclass(frozen=True)
class Letterbox:
    """Where one source image lands on the model's input canvas (all values in pixels).

    Attributes:
        src_h: Source image height.
        src_w: Source image width.
        new_h: Height of the resized picture on the canvas.
        new_w: Width of the resized picture on the canvas.
        top: Rows of padding above the picture.
        left: Columns of padding left of the picture.
        canvas_h: Canvas (model input) height.
        canvas_w: Canvas (model input) width.
    """

    src_h: int
    src_w: int
    new_h: int
    new_w: int
    top: int
    left: int
    canvas_h: int
    canvas_w: int

    @property
    def canvas(self) -> tuple[int, int]:
        """``(canvas_h, canvas_w)``: images with the same canvas can share a model batch."""
        return self.canvas_h, self.canvas_w

    @property
    def gain(self) -> tuple[float, float]:
        """``(gain_x, gain_y)``: canvas pixels per source pixel along x and y."""
        return self.new_w / self.src_w, self.new_h / self.src_h


def letterbox_geometry(src_h: int, src_w: int, imgsz: tuple[int, int], stride: int, auto: bool) -> Letterbox:
    """Letterbox geometry of one image, the same arithmetic as ultralytics' ``LetterBox``.

    Args:
        src_h: Source height in pixels.
        src_w: Source width in pixels.
        imgsz: Model input size ``(h, w)`` in pixels.
        stride: Model stride (32 for YOLO); with ``auto`` the canvas is a multiple of it.
        auto: Pad only to the next stride multiple (minimum rectangle) instead of to ``imgsz``.

    Returns:
        :class:`Letterbox`.
    """
    th, tw = imgsz
    r = min(th / src_h, tw / src_w)
    new_w, new_h = max(round(src_w * r), 1), max(round(src_h * r), 1)
    dw, dh = tw - new_w, th - new_h
    if auto:
        dw, dh = dw % stride, dh % stride
    top, bottom = round(dh / 2 - 0.1), round(dh / 2 + 0.1)
    left, right = round(dw / 2 - 0.1), round(dw / 2 + 0.1)
    return Letterbox(src_h, src_w, new_h, new_w, top, left, new_h + top + bottom, new_w + left + right)


def to_device(image: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Move one host uint8 image to ``device``: through pinned memory with a non-blocking copy
    when the device is CUDA, unchanged (no copy) on the CPU.

    Args:
        image: HxWx3 uint8 tensor in host memory (e.g. ``torch.from_numpy(frame)``).
        device: Target device.

    Returns:
        The image on ``device`` (the copy may still be in flight on CUDA; work queued after it on
        the same stream sees the data).
    """
    pin = device.type == "cuda"
    if pin:  # one copy into page-locked memory (also gathers a strided view such as a crop)
        image = torch.empty(image.shape, dtype=image.dtype, pin_memory=True).copy_(image)
    return image.to(device, non_blocking=pin)


def letterbox_batch(images: Sequence[torch.Tensor], boxes: Sequence[Letterbox], half: bool) -> torch.Tensor:
    """Resize, pad and normalise device images into one model input batch.

    Args:
        images: HxWx3 uint8 BGR tensors on one device (sizes may differ).
        boxes: Their :class:`Letterbox` geometries, all with the same canvas.
        half: Return float16 (else float32).

    Returns:
        (n, 3, canvas_h, canvas_w) RGB tensor in 0..1 on the images' device.

    Raises:
        ValueError: the geometries do not share one canvas.
    """
    canvases = {b.canvas for b in boxes}
    if len(canvases) != 1:
        raise ValueError(f"one model batch needs one canvas size, got {sorted(canvases)}")
    ch, cw = canvases.pop()
    device = images[0].device
    out = torch.full((len(images), 3, ch, cw), float(PAD_VALUE), dtype=torch.float32, device=device)
    groups: dict[tuple[int, int, int, int, int, int], list[int]] = {}
    for i, b in enumerate(boxes):
        groups.setdefault((b.src_h, b.src_w, b.new_h, b.new_w, b.top, b.left), []).append(i)
    for (sh, sw, nh, nw, top, left), idx in groups.items():
        x = torch.stack([images[i] for i in idx])  # (k, h, w, 3) uint8 BGR
        x = resize_linear(x, nh, nw) if (nh, nw) != (sh, sw) else x
        x = x.permute(0, 3, 1, 2).flip(1)  # BGR HWC -> RGB CHW
        if len(idx) == len(images):
            out[:, :, top : top + nh, left : left + nw] = x
        else:
            out[torch.tensor(idx, device=device), :, top : top + nh, left : left + nw] = x.float()
    out = out.div_(255)
    return out.half() if half else out


RESIZE_COEF_BITS = 11
"""OpenCV's fixed-point precision of the bilinear weights (``INTER_RESIZE_COEF_BITS``)."""


def linear_taps(src: int, dst: int, *, columns: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Source taps and fixed-point weights of OpenCV's ``INTER_LINEAR`` along one axis.

    Args:
        src: Source length in pixels.
        dst: Destination length in pixels.
        columns: The horizontal axis, where OpenCV moves a tap that falls outside the image onto
            the border pixel with all the weight; along rows it keeps the weights and only clamps
            the row index (the two differ after OpenCV's rounding).

    Returns:
        ``(i0, i1, w0, w1)``: (dst,) int64 first and second source index and (dst,) int64 weights
        that sum to 2048, computed in float32 as OpenCV does.
    """
    scale = src / dst
    f = ((np.arange(dst, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    i0 = np.floor(f)
    f = (f - i0).astype(np.float32)
    i0 = i0.astype(np.int64)
    if columns:
        f[(i0 < 0) | (i0 >= src - 1)] = 0
    one = np.float32(1 << RESIZE_COEF_BITS)
    w0 = np.rint((np.float32(1) - f) * one).astype(np.int64)
    w1 = np.rint(f * one).astype(np.int64)
    return np.clip(i0, 0, src - 1), np.clip(i0 + 1, 0, src - 1), w0, w1


def resize_linear(x: torch.Tensor, new_h: int, new_w: int) -> torch.Tensor:
    """Resize a uint8 batch exactly as OpenCV's ``INTER_LINEAR`` (see the module docstring).

    Only the two source rows each output row needs are read (gathered as uint8), then summed
    horizontally and vertically in int32 with OpenCV's fixed-point weights and rounding.

    Args:
        x: (n, h, w, c) uint8 tensor (channels last, as decoded) on any device.
        new_h: Output height in pixels.
        new_w: Output width in pixels.

    Returns:
        (n, new_h, new_w, c) uint8 tensor on the same device.
    """
    dev = x.device
    _, h, w, _ = x.shape
    xi0, xi1, xw0, xw1 = (torch.from_numpy(a).to(dev) for a in linear_taps(w, new_w, columns=True))
    yi0, yi1, yw0, yw1 = (torch.from_numpy(a).to(dev) for a in linear_taps(h, new_h, columns=False))
    xw0, xw1 = xw0.to(torch.int32)[:, None], xw1.to(torch.int32)[:, None]
    yw0, yw1 = yw0.to(torch.int32)[:, None, None], yw1.to(torch.int32)[:, None, None]

    def horizontal(rows: torch.Tensor) -> torch.Tensor:
        # 2048-scaled sums of the two taps, exact in int32 (at most 255 * 2048), then >> 4 as
        # OpenCV's vector code does before the vertical pass
        d = rows.index_select(2, xi0).to(torch.int32).mul_(xw0)
        d += rows.index_select(2, xi1).to(torch.int32).mul_(xw1)
        return d.bitwise_right_shift_(4)

    # OpenCV's vertical vector pass: (((top * b0) >> 16) + ((bottom * b1) >> 16) + 2) >> 2
    out = horizontal(x.index_select(1, yi0)).mul_(yw0).bitwise_right_shift_(16)
    out += horizontal(x.index_select(1, yi1)).mul_(yw1).bitwise_right_shift_(16)
    return out.add_(2).bitwise_right_shift_(2).clamp_(0, 255).to(torch.uint8)
