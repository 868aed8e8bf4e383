"""The local executor (default): clips in this process with one detector; one after another, or
several at once through one shared batch queue when the detector runs on its device."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

from vidtools.batch.executor import JobProgress
from vidtools.batch.results import ClipJob, ClipOutcome
from vidtools.batch.worker import analyze_job, failure_of
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.device.concurrent import analyze_concurrently
from vidtools.taxonomy import Taxonomy


def shares_batches(detector: Detector) -> bool:
    """True for a detector of the device path (``--device-pipeline``, :mod:`vidtools.device`): it
    stages frames on its device (``stage`` / ``detect_staged``), so several clips' decoders can
    feed it through one :class:`~vidtools.device.batcher.SharedBatcher`."""
    return callable(getattr(detector, "detect_staged", None))


class LocalExecutor:
    """Analyse clips in this process with one detector, loaded when the executor is entered.

    Clips run one after another, except with a device-path detector (:func:`shares_batches`):
    then :func:`vidtools.device.concurrent.analyze_concurrently` decodes up to ``clips_at_once``
    clips at the same time and merges their frames into shared model batches (the same reports;
    the progress bar then counts a clip's frames when it finishes).

    Args:
        config: Parameters.
        taxonomy: Class -> category mapping.
        detector_factory: Makes the detector (called once, on ``__enter__``).
        detector: An already loaded detector (then the factory is not called).
        clips_at_once: Clips analysed at the same time by a device-path detector.
    """

    def __init__(self, config: AnalysisConfig, taxonomy: Taxonomy, detector_factory: Callable[[], Detector],
                 detector: Detector | None = None, clips_at_once: int = 8) -> None:
        self._config = config
        self._taxonomy = taxonomy
        self._factory = detector_factory
        self._detector = detector
        self._clips_at_once = clips_at_once

    def __enter__(self) -> LocalExecutor:
        if self._detector is None:
            self._detector = self._factory()
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def model_sha256(self) -> str | None:
        """sha256 of the loaded model (None for a detector that does not say)."""
        return self._detector.info().get("sha256") if self._detector is not None else None

    def run(self, jobs: Sequence[ClipJob], progress: JobProgress) -> Iterator[ClipOutcome]:
        """Analyse the jobs (in order, or concurrently on the device path); the driver makes the
        extra outputs as it publishes."""
        if self._detector is None:
            raise RuntimeError("LocalExecutor.run() outside 'with'")
        if len(jobs) > 1 and shares_batches(self._detector):
            yield from self._run_shared(jobs, self._detector)
            return
        for job in jobs:
            yield analyze_job(job, self._config, self._detector, self._taxonomy,
                              progress=functools.partial(progress, job.index))

    def _run_shared(self, jobs: Sequence[ClipJob], detector: Detector) -> Iterator[ClipOutcome]:
        """Several clips at once through one shared batch queue, in the order they finish."""
        by_path = {job.path: job for job in jobs}
        for o in analyze_concurrently(list(by_path), self._config.replace(quiet=True), detector=detector,
                                      taxonomy=self._taxonomy, clips_at_once=self._clips_at_once):
            job = by_path[o.path]
            if o.report is not None:
                yield ClipOutcome(job, report=o.report)
            else:
                yield ClipOutcome(job, failure=failure_of(job, o.error or RuntimeError("no report")))
