"""SharedBatcher: one batch queue that many producers (one per clip) fill, so the model sees full
batches even when one clip decodes slowly.

Each producer gets a :class:`BatchClient`, an ordinary :class:`vidtools.detect.Detector`: its
``detect(images)`` copies the frames to the model's device in the calling thread (when the
detector can stage them, see :meth:`vidtools.device.detector.TorchDetector.stage`), queues them,
and blocks until their detections are back. Worker threads (as many as the detector's
``parallelism``) take frames from the queue in arrival order, a request split across batches
where needed, and run one model call per ``batch_size`` frames; results are routed back to the
request they came from, in order.

A batch is run when it is full; when every open producer is waiting for its results (nothing
more can come); or when its oldest frame has waited ``max_wait_s``. Producers block while
``max_queued`` frames are waiting (bounded memory on the device).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vidtools.detect import Detector
from vidtools.types import Detections


@dataclass(frozen=True)
class BatcherStats:
    """What a :class:`SharedBatcher` has run so far.

    Attributes:
        batches: Model calls.
        frames: Frames through the model.
        full_batches: Model calls with ``batch_size`` frames.
        batch_size: The batcher's batch size.
    """

    batches: int
    frames: int
    full_batches: int
    batch_size: int

    @property
    def mean_fill(self) -> float:
        """Mean batch fill, 0..1 (1 = every batch full)."""
        return self.frames / (self.batches * self.batch_size) if self.batches else 0.0


@dataclass(eq=False)
class _Request:
    """One ``detect`` call waiting in the queue (internal to the batcher, guarded by its lock)."""

    client: BatchClient
    items: list[Any]
    queued_at: float
    taken: int = 0
    done: int = 0
    results: list[Detections | None] = field(default_factory=list)
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)


class BatchClient:
    """A producer's view of a :class:`SharedBatcher`: a Detector (``names``, ``device``,
    ``parallelism``, ``detect``, ``info``) whose calls are merged with other producers' calls.

    Use it as a context manager (or call :meth:`close`) so the batcher knows when a producer has
    finished: a producer that is gone is never waited for.

    Attributes:
        parallelism: How many ``detect`` calls this producer may have in flight at once (the
            pipeline keeps that many batches running); while all are waiting the producer is
            counted as blocked.
    """

    def __init__(self, batcher: SharedBatcher, parallelism: int) -> None:
        self._batcher = batcher
        self.parallelism = parallelism
        self.names: dict[int, str] = batcher.detector.names
        self.device: str = batcher.detector.device
        self.outstanding = 0  # requests queued or running (guarded by the batcher's lock)

    def detect(self, images: Sequence[np.ndarray]) -> list[Detections]:
        """Detect objects in HxWx3 uint8 BGR images through the shared queue (blocks until done).

        Raises:
            RuntimeError: the batcher is closed.
            Exception: whatever the detector raised for a batch holding these frames.
        """
        if not images:
            return []
        return self._batcher._run_request(self, list(images))

    def info(self) -> dict[str, Any]:
        """The shared detector's provenance."""
        return self._batcher.detector.info()

    def close(self) -> None:
        """This producer will send nothing more."""
        self._batcher._leave(self)

    def __enter__(self) -> BatchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SharedBatcher:
    """Merges ``detect`` calls from many producer threads into full model batches.

    Args:
        detector: The model (a :class:`~vidtools.device.detector.TorchDetector`, or any
            Detector; ``stage`` / ``detect_staged`` are used when it has them).
        batch_size: Frames per model call.
        max_wait_s: Longest a queued frame waits for a batch to fill while some producer is
            still decoding.
        max_queued: Most frames waiting in the queue before producers block (default
            ``4 * batch_size``).

    Use as a context manager; :meth:`close` runs what is queued and stops the workers.
    """

    def __init__(
        self, detector: Detector, *, batch_size: int, max_wait_s: float = 0.02, max_queued: int | None = None
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.detector = detector
        self.batch_size = batch_size
        self.max_wait_s = max_wait_s
        self.max_queued = max_queued or 4 * batch_size
        self._stage: Callable[[Sequence[np.ndarray]], list[Any]] = getattr(detector, "stage", list)
        self._model: Callable[[Sequence[Any]], list[Detections]] = getattr(detector, "detect_staged", detector.detect)
        self._cond = threading.Condition()
        self._queue: deque[_Request] = deque()
        self._reserved = 0  # frames in the queue or being staged for it (bounded by max_queued)
        self._waiting = 0  # frames in the queue, not yet taken into a batch
        self._clients: set[BatchClient] = set()
        self._closed = False
        self._batches = self._frames = self._full = 0
        workers = max(1, int(getattr(detector, "parallelism", 1)))
        self._workers = [
            threading.Thread(target=self._work, name=f"vidtools-batcher-{k}", daemon=True) for k in range(workers)
        ]
        for t in self._workers:
            t.start()

    def producer(self, parallelism: int = 2) -> BatchClient:
        """A new producer (one per clip / decoder thread).

        Args:
            parallelism: ``detect`` calls the producer keeps in flight (see :class:`BatchClient`).
        """
        client = BatchClient(self, max(1, parallelism))
        with self._cond:
            if self._closed:
                raise RuntimeError("SharedBatcher is closed")
            self._clients.add(client)
        return client

    def stats(self) -> BatcherStats:
        """A snapshot of the batches run so far."""
        with self._cond:
            return BatcherStats(self._batches, self._frames, self._full, self.batch_size)

    def close(self) -> None:
        """Run every queued frame, then stop the worker threads."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for t in self._workers:
            t.join()

    def __enter__(self) -> SharedBatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- producer side ----------------------------------------------------------------------

    def _run_request(self, client: BatchClient, images: list[np.ndarray]) -> list[Detections]:
        n = len(images)
        with self._cond:
            # reserve queue space first, so frames are staged on the device only when they fit
            while not self._closed and self._reserved and self._reserved + n > self.max_queued:
                self._cond.wait()
            if self._closed:
                raise RuntimeError("SharedBatcher is closed")
            self._reserved += n
        try:
            items = self._stage(images)
        except BaseException:
            with self._cond:
                self._reserved -= n
                self._cond.notify_all()
            raise
        request = _Request(client, items, time.monotonic(), results=[None] * n)
        with self._cond:
            self._queue.append(request)
            self._waiting += n
            client.outstanding += 1
            self._cond.notify_all()
        request.finished.wait()
        if request.error is not None:
            raise request.error
        return request.results  # type: ignore[return-value]

    def _leave(self, client: BatchClient) -> None:
        with self._cond:
            self._clients.discard(client)
            self._cond.notify_all()

    # -- worker side ------------------------------------------------------------------------

    def _ready(self) -> float | None:
        """0 when a batch should run now, else seconds to wait (None = until notified)."""
        if not self._queue:
            return None
        if self._waiting >= self.batch_size or self._closed:
            return 0.0
        if all(c.outstanding >= c.parallelism for c in self._clients):
            return 0.0  # every producer waits for results: nothing more can come
        return max(0.0, self._queue[0].queued_at + self.max_wait_s - time.monotonic())

    def _take(self) -> list[tuple[_Request, int, int]]:
        """Up to ``batch_size`` queued frames, oldest first: ``(request, start, end)`` pieces."""
        pieces, n = [], 0
        while self._queue and n < self.batch_size:
            r = self._queue[0]
            k = min(len(r.items) - r.taken, self.batch_size - n)
            pieces.append((r, r.taken, r.taken + k))
            r.taken += k
            n += k
            if r.taken == len(r.items):
                self._queue.popleft()
        self._waiting -= n
        self._reserved -= n
        return pieces

    def _work(self) -> None:
        while True:
            with self._cond:
                while True:
                    wait = self._ready()
                    if wait == 0.0:
                        break
                    if wait is None and self._closed:
                        return
                    self._cond.wait(wait)
                pieces = self._take()
                self._cond.notify_all()  # queue space for blocked producers
            items = [it for r, s, e in pieces for it in r.items[s:e]]
            results: list[Detections] = []
            error: BaseException | None = None
            try:
                results = self._model(items)
            except BaseException as e:  # noqa: BLE001 - handed to every producer in the batch
                error = e
            self._deliver(pieces, results, error, len(items))

    def _deliver(
        self, pieces: list[tuple[_Request, int, int]], results: list[Detections], error: BaseException | None, n: int
    ) -> None:
        with self._cond:
            self._batches += 1
            self._frames += n
            self._full += n == self.batch_size
            pos = 0
            for r, s, e in pieces:
                if error is not None:
                    r.error = error
                else:
                    r.results[s:e] = results[pos : pos + e - s]
                pos += e - s
                r.done += e - s
                if r.done == len(r.items):
                    r.client.outstanding -= 1
                    r.finished.set()
            self._cond.notify_all()
