"""Detector batches in flight: the model works on one batch while the decoder collects the next.

:class:`InFlight` runs :meth:`Detector.detect` in background threads: ``parallelism`` batches run
at once (one per OpenVINO stream; the detector's optional ``parallelism`` attribute, 1 when
absent) and one more waits. Finished batches come back from :meth:`InFlight.submit` and
:meth:`InFlight.drain` in submission order, so frames stay in source order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from vidtools.detect import Detector
from vidtools.types import Detections


@dataclass(frozen=True, eq=False)
class Sample:
    """A sampled frame on its way to the detector.

    Attributes:
        index: Source frame index.
        t: Time (s).
        image: HxWx3 uint8 BGR image given to the detector (the active picture when cropped).
        offset: ``(x, y)`` of the image's top-left corner in the source frame (px).
    """

    index: int
    t: float
    image: np.ndarray
    offset: tuple[int, int] = (0, 0)


Batch = tuple[tuple[Sample, ...], tuple[Detections, ...]]
"""One finished batch: the samples and the detector's result for each (in the image's pixels)."""


class InFlight:
    """Keeps detector batches running in background threads (a context manager).

    Args:
        detector: The detector; it must be thread-safe when its ``parallelism`` is above 1.
    """

    def __init__(self, detector: Detector) -> None:
        workers = max(1, int(getattr(detector, "parallelism", 1)))
        self._detector, self._depth = detector, workers + 1
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vidtools-detect")
        self._queue: deque[tuple[tuple[Sample, ...], Future[list[Detections]]]] = deque()

    def submit(self, samples: Sequence[Sample]) -> list[Batch]:
        """Start a batch; return the batches that had to finish to make room (oldest first)."""
        batch = tuple(samples)
        self._queue.append((batch, self._pool.submit(self._detector.detect, [s.image for s in batch])))
        done = []
        while len(self._queue) >= self._depth:
            done.append(self._oldest())
        return done

    def drain(self) -> list[Batch]:
        """Wait for every batch still running; return them in submission order."""
        return [self._oldest() for _ in range(len(self._queue))]

    def _oldest(self) -> Batch:
        batch, future = self._queue.popleft()
        return batch, tuple(future.result())

    def close(self) -> None:
        """Cancel what has not started and wait for the threads."""
        for _, f in self._queue:
            f.cancel()
        self._queue.clear()
        self._pool.shutdown(wait=True)

    def __enter__(self) -> InFlight:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
