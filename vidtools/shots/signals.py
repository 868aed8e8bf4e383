"""Per-frame signals: pure functions on small grey / BGR thumbnails.

:func:`measure` turns one thumbnail (and the previous frame's signals) into a
:class:`FrameSignals`; everything else here is a small statistic it (or a detector) uses. Nothing
here keeps state or decides anything: the detectors in :mod:`~vidtools.shots.cuts`,
:mod:`~vidtools.shots.feedloss`, :mod:`~vidtools.shots.letterbox` and
:mod:`~vidtools.shots.overlays` read these values.

Snow and stillness are judged per grid cell (``ShotParams.cell_px`` squares), so OSD text, a
crosshair or a watermark drawn over a lost or frozen picture (a few cells) does not hide the loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from vidtools.shots.params import ShotParams


@dataclass(frozen=True, eq=False)
class FrameSignals:
    """Cheap statistics of one decoded frame.

    Attributes:
        index: Source frame index.
        t: Time (s, from pts).
        g: (h, w) uint8 grey thumbnail.
        mean: Mean grey level.
        colour: Mean (B, G, R) levels.
        std: Grey-level standard deviation.
        md: Mean absolute difference to the previous frame (grey levels; 0 for the first).
        corr: Pearson correlation with the previous frame (0 when either is flat).
        dark_share: Share of pixels at most ``black_luma``.
        dark_std: Standard deviation of those dark pixels.
        moving_cells: Share of the 16 cells of a 4 x 4 grid whose change exceeds ``moving_md``
            grey levels beyond the change of the frame's mean level (the camera or the scene
            moves there).
        still_cells: Share of cells whose mean difference is at most ``still_md``.
        snow_cells: Share of textured cells that look like analog snow (uncorrelated with the
            previous frame, noise-like).
        chroma: Mean chroma ``|Cr-128| + |Cb-128|`` (0 for grey pictures); measured only when
            the frame looks like snow (``snow_cells >= static_cells``), else None.
        broken: The change from the previous frame is a digital break-up of the last picture
            (see :func:`measure`).
        block_share: :func:`axis_share` of that change, global level and contrast change
            removed (0 when not measured: a small change, or one that keeps little of the last
            picture).
    """

    index: int
    t: float
    g: np.ndarray
    mean: float
    colour: tuple[float, float, float]
    std: float
    md: float
    corr: float
    dark_share: float
    dark_std: float
    moving_cells: float
    still_cells: float
    snow_cells: float
    chroma: float | None
    broken: bool
    block_share: float


def noise_ratio(gray: np.ndarray, std: float) -> float:
    """Mean absolute horizontal step divided by the luma std (about 1.1 for white noise,
    0.05-0.3 for natural pictures).

    Args:
        gray: (h, w) uint8 grey image.
        std: Its standard deviation.
    """
    if std < 1e-6 or gray.shape[1] < 2:
        return 0.0
    return float(cv2.norm(gray[:, 1:], gray[:, :-1], cv2.NORM_L1)) / (gray.shape[0] * (gray.shape[1] - 1)) / std


def chroma_level(bgr: np.ndarray) -> float:
    """Mean chroma ``|Cr - 128| + |Cb - 128|`` of a BGR uint8 image (0 for grey pictures)."""
    ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)
    c = cv2.mean(cv2.absdiff(ycc, (0, 128, 128, 0)))
    return float(c[1] + c[2])


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two same-size grey images (0 when either is flat)."""
    za = a.astype(np.float32).ravel()
    zb = b.astype(np.float32).ravel()
    za -= za.mean()
    zb -= zb.mean()
    den = math.sqrt(float(za @ za) * float(zb @ zb))
    return float(za @ zb) / den if den > 1e-6 else 0.0


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two same-size grey uint8 images (grey levels)."""
    return float(cv2.norm(a, b, cv2.NORM_L1)) / a.size


def axis_share(diff: np.ndarray, grad: int) -> tuple[float, int]:
    """Share of an image's strong gradients that are purely horizontal or vertical.

    Args:
        diff: (h, w) uint8 image (typically the absolute difference of two frames).
        grad: Gradient (grey levels) counted as strong.

    Returns:
        ``(share, n_strong)``: the share in 0..1 of strong-gradient pixels whose smaller
        component is at most 20 % of the larger one (blocks give ~0.7-0.9, natural motion
        ~0.4-0.55), and the number of strong-gradient pixels.
    """
    d = diff.astype(np.int16)
    dx = np.abs(d[:-1, 1:] - d[:-1, :-1])
    dy = np.abs(d[1:, :-1] - d[:-1, :-1])
    mx = np.maximum(dx, dy)
    strong = mx >= grad
    n = int(np.count_nonzero(strong))
    if n == 0:
        return 0.0, 0
    mn = np.minimum(dx, dy)
    return float(np.count_nonzero(mn[strong] * 5 <= mx[strong])) / n, n


def similarity(a: np.ndarray, b: np.ndarray, crop: float = 0.6, size: float = 0.5) -> float:
    """Shift-tolerant similarity of two grey pictures: the best correlation of the central
    ``crop`` of ``a`` anywhere inside ``b`` (both scaled by ``size``). Same view moved by the
    camera ~0.8-1; unrelated pictures ~0-0.5. Invariant to brightness and contrast changes (a
    flash, a fade) as long as the picture is not clipped flat.

    Args:
        a: (h, w) uint8.
        b: (h, w) uint8, same size.
        crop: Size of the central part of ``a`` as a share of each side.
        size: Scale of the copies compared (smaller is faster and coarser).
    """
    h, w = a.shape
    hs, ws = max(8, int(h * size)), max(8, int(w * size))
    a2 = cv2.resize(a, (ws, hs), interpolation=cv2.INTER_AREA)
    b2 = cv2.resize(b, (ws, hs), interpolation=cv2.INTER_AREA)
    ch, cw = max(4, int(hs * crop)), max(4, int(ws * crop))
    y0, x0 = (hs - ch) // 2, (ws - cw) // 2
    tpl = a2[y0 : y0 + ch, x0 : x0 + cw]
    if float(cv2.meanStdDev(tpl)[1][0, 0]) < 1.0 or float(cv2.meanStdDev(b2)[1][0, 0]) < 1.0:
        return 0.0
    r = cv2.matchTemplate(b2, tpl, cv2.TM_CCOEFF_NORMED)
    v = float(np.nanmax(r)) if r.size else 0.0
    return v if math.isfinite(v) else 0.0


def cell_means(img: np.ndarray, cell: int) -> np.ndarray:
    """Mean of each ``cell`` x ``cell`` square of an image (the remainder at the right / bottom
    edge is dropped).

    Args:
        img: (h, w) array (any dtype cv2 resizes).
        cell: Side of a square (px).

    Returns:
        (h // cell, w // cell) float32. (An exact integer-factor area resize: OpenCV's fast path.)
    """
    h, w = img.shape[:2]
    gy, gx = max(1, h // cell), max(1, w // cell)
    crop = img[: gy * cell, : gx * cell] if h >= cell and w >= cell else img
    return cv2.resize(crop.astype(np.float32, copy=False), (gx, gy), interpolation=cv2.INTER_AREA)


def snow_share(g: np.ndarray, prev: np.ndarray, params: ShotParams) -> float:
    """Share of the textured ``cell_px`` cells of a grey frame that look like analog snow:
    uncorrelated with the same cell of the previous frame (below ``static_corr``; a flat cell
    before it correlates with nothing) and noise-like (mean absolute horizontal step over the
    cell's standard deviation above ``static_hf``). 0 when under a quarter of the cells are
    textured (``flat_std``).

    Args:
        g: (h, w) uint8 frame.
        prev: (h, w) uint8 previous frame.
        params: Thresholds.
    """
    p = params
    gf, pf = g.astype(np.float32), prev.astype(np.float32)
    mu, pmu = cell_means(gf, p.cell_px), cell_means(pf, p.cell_px)
    var = np.maximum(cell_means(gf * gf, p.cell_px) - mu * mu, 0.0)
    pvar = np.maximum(cell_means(pf * pf, p.cell_px) - pmu * pmu, 0.0)
    flat = p.flat_std * p.flat_std
    textured = var >= flat
    if np.count_nonzero(textured) < max(1, var.size // 4):
        return 0.0
    cov = (cell_means(gf * pf, p.cell_px) - mu * pmu)[textured]
    den = np.sqrt(var[textured] * pvar[textured])
    ccorr = np.where(pvar[textured] >= flat, cov / np.maximum(den, 1e-6), 0.0)
    dx = np.zeros(g.shape, np.uint8)
    dx[:, :-1] = cv2.absdiff(g[:, 1:], g[:, :-1])
    hf = cell_means(dx, p.cell_px)[textured] / np.sqrt(var[textured])
    noisy = (ccorr < p.static_corr) & (hf > p.static_hf)
    return float(np.count_nonzero(noisy)) / noisy.size


def measure(index: int, t: float, thumb: np.ndarray, prev: FrameSignals | None, params: ShotParams) -> FrameSignals:
    """All per-frame statistics of one thumbnail.

    A frame is searched for snow only when it correlates less than ``static_max_corr`` with the
    previous one. It is *broken up* (digital break-up) when it changed from the previous one by at
    least ``broken_md`` while keeping much of it (correlation at least ``broken_min_corr``, below
    ``broken_max_corr``), what is left
    of the change once a global change of level and contrast is taken out is blocky
    (:func:`axis_share` at least ``broken_axis``), and the change is not the camera moving
    (shift-tolerant :func:`similarity` below ``broken_similarity``: a camera moving over a
    man-made scene also changes it along horizontal and vertical edges, but coherently).

    Args:
        index: Source frame index.
        t: Time (s).
        thumb: (h, w, 3) uint8 BGR thumbnail.
        prev: Signals of the previous frame of the same size (None for the first frame).
        params: Thresholds (``black_*``, ``cell_px``, ``still_md``, ``static_*``, ``broken_*``,
            ``flat_std``).

    Returns:
        :class:`FrameSignals`.
    """
    p = params
    g = cv2.cvtColor(thumb, cv2.COLOR_BGR2GRAY)
    bgr = cv2.mean(thumb)
    mean, std = cv2.meanStdDev(g)
    m, s = float(mean[0, 0]), float(std[0, 0])
    dark = (g <= p.black_luma).view(np.uint8)
    n_dark = int(cv2.countNonZero(dark))
    dark_share = n_dark / g.size
    dark_std = float(cv2.meanStdDev(g, mask=dark)[1][0, 0]) if n_dark else 0.0
    md = corr = moving = still = snow = 0.0
    chroma: float | None = None
    broken = False
    share = 0.0
    if prev is not None and prev.g.shape == g.shape:
        diff = cv2.absdiff(g, prev.g)
        md = float(cv2.sumElems(diff)[0]) / g.size
        cell_md = cell_means(diff, p.cell_px)
        still = float(np.count_nonzero(cell_md <= p.still_md)) / cell_md.size
        h4, w4 = g.shape[0] - g.shape[0] % 4, g.shape[1] - g.shape[1] % 4
        coarse = cv2.resize(diff[:h4, :w4].astype(np.float32), (4, 4), interpolation=cv2.INTER_AREA)
        moving = float(np.count_nonzero(coarse - abs(m - prev.mean) > p.moving_md)) / coarse.size
        if s >= p.flat_std and prev.std >= p.flat_std:
            prod = float(cv2.sumElems(cv2.multiply(g, prev.g, dtype=cv2.CV_32F))[0])
            corr = (prod / g.size - m * prev.mean) / (s * prev.std)
        if s >= p.flat_std and corr < p.static_max_corr:
            snow = snow_share(g, prev.g, p)
            if snow >= p.static_cells:
                chroma = chroma_level(thumb)
        if p.broken_min_corr <= corr < p.broken_max_corr and md >= p.broken_md:
            # what the change leaves once a global change of level and contrast (a flash, a
            # fade, an exposure step) is taken out: blocks of a broken-up picture stay
            pf = prev.g.astype(np.float32) - prev.mean
            residual = cv2.convertScaleAbs(g.astype(np.float32) - (pf * (corr * s / prev.std) + m))
            share, n = axis_share(residual, p.broken_grad)
            if n >= p.broken_min_strong * g.size and share >= p.broken_axis:
                broken = similarity(prev.g, g) < p.broken_similarity
    return FrameSignals(
        index=index,
        t=float(t),
        g=g,
        mean=m,
        colour=(bgr[0], bgr[1], bgr[2]),
        std=s,
        md=md,
        corr=corr,
        dark_share=dark_share,
        dark_std=dark_std,
        moving_cells=moving,
        still_cells=still,
        snow_cells=snow,
        chroma=chroma,
        broken=broken,
        block_share=share,
    )
