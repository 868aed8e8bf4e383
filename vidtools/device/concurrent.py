"""Analyse several clips at once through one :class:`~vidtools.device.batcher.SharedBatcher`.

One thread per clip (up to ``clips_at_once``) runs the ordinary per-clip pipeline, each with its
own decoder thread; their detector calls meet in one batch queue in front of the model. This is
the seam for the batch executors (``vidtools.batch``): they decide where reports are written and
how failures are recorded; this module only yields each clip's outcome as soon as it is known.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.device.batcher import BatcherStats, SharedBatcher
from vidtools.pipeline import analyze_clip, load_detector
from vidtools.progress import Progress
from vidtools.taxonomy import Taxonomy, load_taxonomy
from vidtools.types import ClipReport


@dataclass(frozen=True)
class ClipOutcome:
    """How one clip of a concurrent run ended.

    Attributes:
        path: The clip as given.
        report: Its report, or None when it failed.
        error: Why it failed (a :class:`~vidtools.errors.VidtoolsError` for bad input; any
            other exception is a bug to report), or None.
        batches: The shared batcher's statistics when this clip finished.
    """

    path: str
    report: ClipReport | None
    error: Exception | None
    batches: BatcherStats


def analyze_concurrently(
    paths: Sequence[str | os.PathLike[str]],
    config: AnalysisConfig | None = None,
    *,
    detector: Detector | None = None,
    taxonomy: Taxonomy | None = None,
    clips_at_once: int = 8,
    max_wait_s: float = 0.02,
) -> Iterator[ClipOutcome]:
    """Analyse clips concurrently, their frames merged into shared model batches.

    Each clip gets the same analysis as :func:`vidtools.pipeline.analyze_clip` alone (its own
    shots, tracking and report); only the model calls are shared. Per-clip progress bars are
    replaced by one bar over the clips (the reports record ``quiet=True``).

    Args:
        paths: Clips.
        config: Parameters (defaults when None); ``config.batch`` is the model batch size.
        detector: A loaded detector (loaded from ``config`` when None).
        taxonomy: Class -> category mapping (from ``config.taxonomy`` when None).
        clips_at_once: Clips decoded and analysed at the same time.
        max_wait_s: Longest a frame waits for a batch to fill (see :class:`SharedBatcher`).

    Yields:
        One :class:`ClipOutcome` per clip, in the order they finish.

    Raises:
        WeightsNotFoundError, ModelLoadError, TaxonomyError: problems that concern every clip.
    """
    config = config or AnalysisConfig()
    taxonomy = taxonomy or load_taxonomy(config.taxonomy)
    detector = detector or load_detector(config)
    per_clip = config.replace(quiet=True)

    with SharedBatcher(detector, batch_size=config.batch, max_wait_s=max_wait_s) as batcher:

        def one(path: str | os.PathLike[str]) -> ClipReport:
            with batcher.producer() as client:
                return analyze_clip(path, per_clip, detector=client, taxonomy=taxonomy)

        pool = ThreadPoolExecutor(max_workers=max(1, clips_at_once), thread_name_prefix="vidtools-clip")
        try:
            running: dict[Future[ClipReport], str] = {pool.submit(one, p): str(p) for p in paths}
            with Progress(len(running), "clips", "clip", config.quiet) as bar:
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        path = running.pop(future)
                        error = future.exception()
                        if error is not None and not isinstance(error, Exception):
                            raise error  # KeyboardInterrupt, SystemExit
                        report = None if error is not None else future.result()
                        bar.update()
                        yield ClipOutcome(path, report, error, batcher.stats())  # type: ignore[arg-type]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
