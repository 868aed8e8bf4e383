"""The local executor (default): clips one after another in this process, one detector."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence

from vidtools.batch.executor import JobProgress
from vidtools.batch.results import ClipJob, ClipOutcome
from vidtools.batch.worker import analyze_job
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.taxonomy import Taxonomy


class LocalExecutor:
    """Analyse clips sequentially in this process with one detector, loaded when the executor is
    entered.

    The detector is made by ``detector_factory`` (or given), so a detector that serves several
    producers at once (e.g. a shared batcher feeding one GPU from several clips' decoders) can
    replace the sequential loop of :meth:`run` without changing the driver.

    Args:
        config: Parameters.
        taxonomy: Class -> category mapping.
        detector_factory: Makes the detector (called once, on ``__enter__``).
        detector: An already loaded detector (then the factory is not called).
    """

    def __init__(self, config: AnalysisConfig, taxonomy: Taxonomy, detector_factory: Callable[[], Detector],
                 detector: Detector | None = None) -> None:
        self._config = config
        self._taxonomy = taxonomy
        self._factory = detector_factory
        self._detector = detector

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
        """Analyse the jobs in order; the driver makes the extra outputs as it publishes."""
        if self._detector is None:
            raise RuntimeError("LocalExecutor.run() outside 'with'")
        for job in jobs:
            yield analyze_job(job, self._config, self._detector, self._taxonomy,
                              progress=functools.partial(progress, job.index))
