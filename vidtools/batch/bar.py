"""One progress bar for a whole batch: clips and frames across all workers, ETA, failures so far."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

REFRESH_S = 0.2


class BatchBar:
    """A tqdm bar on stderr over the clips of a batch (nothing when ``quiet``).

    The bar counts clips, with the clips in flight counted by the share of their frames decoded
    so far, so its ETA moves while long clips run; its text adds the frames decoded across all
    workers, frames per second and the failures so far.

    Args:
        n_clips: Clips to analyse.
        quiet: Draw nothing.
    """

    def __init__(self, n_clips: int, quiet: bool) -> None:
        self._bar: Any = None
        self._inflight: dict[int, tuple[int, int | None]] = {}
        self._finished: set[int] = set()
        self._frames_done = 0
        self._failed = 0
        self._t0 = time.monotonic()
        self._next = 0.0
        if not quiet and n_clips:
            from tqdm import tqdm

            self._bar = tqdm(total=n_clips, unit="clip", file=sys.stderr, dynamic_ncols=True, leave=False,
                             bar_format="{l_bar}{bar}| {n:.1f}/{total_fmt} clips [{elapsed}<{remaining}{postfix}]")
            self._draw(force=True)

    def frames(self, job_index: int, done: int, total: int | None) -> None:
        """A worker decoded ``done`` frames of job ``job_index`` (of ``total`` expected)."""
        if job_index in self._finished:
            return
        self._inflight[job_index] = (done, total)
        self._draw()

    def clip_done(self, job_index: int, frames: int, failed: bool) -> None:
        """Job ``job_index`` finished after decoding ``frames`` frames."""
        self._inflight.pop(job_index, None)
        self._finished.add(job_index)
        self._frames_done += frames
        self._failed += int(failed)
        self._draw(force=True)

    @property
    def frames_decoded(self) -> int:
        """Frames decoded so far, over finished and running clips."""
        return self._frames_done + sum(d for d, _ in self._inflight.values())

    def _draw(self, force: bool = False) -> None:
        if self._bar is None:
            return
        now = time.monotonic()
        if not force and now < self._next:
            return
        self._next = now + REFRESH_S
        partial = sum(min(1.0, d / t) for d, t in self._inflight.values() if t)
        frames = self.frames_decoded
        rate = frames / max(now - self._t0, 1e-6)
        self._bar.n = len(self._finished) + partial
        self._bar.set_postfix_str(f"{frames} frames, {rate:.0f} frame/s, {self._failed} failed", refresh=False)
        self._bar.refresh()

    @contextlib.contextmanager
    def message(self) -> Iterator[None]:
        """Print lines to stderr inside this block: the bar is cleared first and drawn again
        after, so each line starts on a line of its own."""
        if self._bar is None:
            yield
            return
        from tqdm import tqdm

        with tqdm.external_write_mode(file=sys.stderr):
            yield

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> BatchBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
