"""Fault injection for the Ray tests: the real detector, in a worker that dies on cue.

Ray workers receive these factories pickled by value (the tests register this module with
cloudpickle), so they need no access to the ``tests`` package.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from typing import Any

import numpy as np


class DyingDetector:
    """The real model; its process kills itself (SIGKILL, as the out-of-memory killer does) when
    asked to detect frames of ``deadly_width`` pixels, or on its first batch if it is the first
    process to create ``marker``."""

    def __init__(self, inner: Any, marker: str | None, deadly_width: int | None) -> None:
        self._inner, self._marker, self._deadly = inner, marker, deadly_width
        self.names, self.device = inner.names, inner.device
        self.parallelism = getattr(inner, "parallelism", 1)

    def detect(self, images: Sequence[np.ndarray]) -> list[Any]:
        if self._deadly is not None and images and images[0].shape[1] == self._deadly:
            os.kill(os.getpid(), signal.SIGKILL)
        if self._marker is not None:
            try:
                os.close(os.open(self._marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                self._marker = None
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return self._inner.detect(images)

    def info(self) -> dict[str, Any]:
        return self._inner.info()


class DyingDetectorFactory:
    """Loads the real model (CPU) and wraps it in a :class:`DyingDetector`."""

    def __init__(self, model: str, *, marker: str | None = None, deadly_width: int | None = None) -> None:
        self.model, self.marker, self.deadly_width = model, marker, deadly_width

    def __call__(self) -> DyingDetector:
        from vidtools.config import AnalysisConfig
        from vidtools.pipeline import load_detector

        return DyingDetector(load_detector(AnalysisConfig(model=self.model, device="cpu")), self.marker, self.deadly_width)
