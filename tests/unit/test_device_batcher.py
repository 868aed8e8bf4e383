"""SharedBatcher: many producers, one queue, full model batches, results routed back."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tests.fakes import FakeDetector, numbered_frames
from vidtools.device.batcher import SharedBatcher


class SlowFake(FakeDetector):
    """The fake detector with a model call that takes ``delay`` seconds; its one box per frame
    carries the frame number (x1) so every result can be traced back to its frame."""

    def __init__(self, delay: float = 0.005, fail_on: int | None = None) -> None:
        super().__init__(lambda n, img: [(0, 0.9, n, 0, n + 1, 1)])
        self.delay, self.fail_on = delay, fail_on
        self._lock = threading.Lock()

    def detect(self, images):
        time.sleep(self.delay)
        with self._lock:
            out = super().detect(images)
        if self.fail_on is not None and any(int(d.xyxy[0, 0]) == self.fail_on for d in out):
            raise RuntimeError("model failed")
        return out


FRAMES = numbered_frames(1000)


def _produce(batcher, first, n, chunk, delay, out, parallelism=2):
    with batcher.producer(parallelism) as client:
        for i in range(first, first + n, chunk):
            res = client.detect(FRAMES[i : min(i + chunk, first + n)])
            out.extend(int(d.xyxy[0, 0]) for d in res)
            time.sleep(delay)


def test_results_go_back_to_their_producer_in_order_and_batches_are_full():
    fake = SlowFake()
    outs: list[list[int]] = [[] for _ in range(4)]
    with SharedBatcher(fake, batch_size=8, max_wait_s=1.0) as b:
        threads = [threading.Thread(target=_produce, args=(b, 100 * k, 30, 3, 0.0, outs[k])) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = b.stats()
    for k in range(4):
        assert outs[k] == list(range(100 * k, 100 * k + 30))
    assert sum(fake.calls) == 120 and stats.frames == 120
    assert max(fake.calls) == 8
    # requests of 3 from 4 producers are merged (and split) into batches of 8; only the tail is short
    assert stats.full_batches >= 12 and stats.mean_fill > 0.8, (fake.calls, stats)


def test_a_slow_producer_does_not_hold_back_the_others():
    """A producer that sleeps between requests (a clip that decodes slowly) never makes the fast
    ones wait for the timeout: their requests (one batch each, as the pipeline sends) run at once."""
    fake = SlowFake(delay=0.01)
    fast: list[list[int]] = [[], []]
    slow: list[int] = []
    with SharedBatcher(fake, batch_size=8, max_wait_s=5.0) as b:
        ts = [threading.Thread(target=_produce, args=(b, 500, 12, 4, 0.3, slow, 1))]
        ts += [threading.Thread(target=_produce, args=(b, 100 * k, 64, 8, 0.0, fast[k], 1)) for k in range(2)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts[1:]:
            t.join()
        fast_s = time.monotonic() - t0
        ts[0].join()
    assert fast[0] == list(range(64)) and fast[1] == list(range(100, 164)) and slow == list(range(500, 512))
    assert fast_s < 4.0  # never waited the 5 s timeout
    assert sorted(fake.calls)[len(fake.calls) // 2] == 8  # most batches full


def test_waits_no_longer_than_needed():
    fake = SlowFake(delay=0.0)
    # the only producer waits for its result: nothing more can come, so the batch runs at once
    with SharedBatcher(fake, batch_size=64, max_wait_s=30.0) as b, b.producer(parallelism=1) as c:
        t0 = time.monotonic()
        assert [int(d.xyxy[0, 0]) for d in c.detect(FRAMES[:3])] == [0, 1, 2]
        assert time.monotonic() - t0 < 5.0
    # another producer is open (decoding): the batch waits for it up to max_wait_s, no longer
    with SharedBatcher(fake, batch_size=64, max_wait_s=0.2) as b, b.producer() as idle, b.producer(1) as c:
        t0 = time.monotonic()
        c.detect(FRAMES[:3])
        waited = time.monotonic() - t0
        assert 0.15 < waited < 5.0
        assert idle.outstanding == 0


def test_model_error_reaches_every_producer_of_the_batch_and_the_batcher_goes_on():
    fake = SlowFake(delay=0.0, fail_on=5)
    with SharedBatcher(fake, batch_size=16, max_wait_s=0.05) as b, b.producer(parallelism=1) as c:
        with pytest.raises(RuntimeError, match="model failed"):
            c.detect(FRAMES[3:8])
        assert [int(d.xyxy[0, 0]) for d in c.detect(FRAMES[10:12])] == [10, 11]
    with pytest.raises(RuntimeError, match="closed"):
        b.producer()
    with pytest.raises(RuntimeError, match="closed"):
        c.detect(FRAMES[:1])


def test_queue_is_bounded_and_everything_queued_runs_at_close():
    fake = SlowFake(delay=0.05)
    peak = []
    out: list[int] = []
    b = SharedBatcher(fake, batch_size=4, max_wait_s=0.01, max_queued=8)
    orig = b._take

    def watch():
        peak.append(b._reserved)
        return orig()

    b._take = watch  # type: ignore[method-assign]
    threads = [threading.Thread(target=_produce, args=(b, 100 * k, 12, 4, 0.0, out)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    b.close()
    assert sorted(out) == sorted(x for k in range(6) for x in range(100 * k, 100 * k + 12))
    assert max(peak) <= 8


def test_empty_call_and_detector_surface():
    fake = SlowFake()
    with SharedBatcher(fake, batch_size=4) as b, b.producer() as c:
        assert c.detect([]) == []
        assert c.names == fake.names and c.device == "cpu" and c.info()["format"] == "fake"
    assert fake.calls == []
    with pytest.raises(ValueError):
        SharedBatcher(fake, batch_size=0)


def test_mixed_frame_sizes_pass_through():
    fake = SlowFake(delay=0.0)
    small = numbered_frames(3, w=32, h=24)
    with SharedBatcher(fake, batch_size=8, max_wait_s=0.01) as b, b.producer(1) as c:
        res = c.detect([FRAMES[7], small[2], np.ascontiguousarray(FRAMES[9][:20, :30])])
    assert [int(d.xyxy[0, 0]) for d in res] == [7, 2, 9]
    assert fake.shapes == [(48, 64, 3), (24, 32, 3), (20, 30, 3)]
