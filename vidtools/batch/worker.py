"""One clip, wherever it runs (this process or a Ray worker): analyse it and turn any error into
a :class:`ClipFailure`, so that one bad clip never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable

from vidtools.batch.publish import ExtraWriter, render_extra_files
from vidtools.batch.results import ClipFailure, ClipJob, ClipOutcome
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.errors import VidtoolsError
from vidtools.pipeline import analyze_clip
from vidtools.taxonomy import Taxonomy

log = logging.getLogger(__name__)

FrameProgress = Callable[[int, int | None], None]
"""``progress(frames decoded so far, frames expected or None)`` during one clip."""


def internal_failure(job: ClipJob, e: BaseException, what: str = "internal error") -> ClipFailure:
    """A failure for an exception vidtools did not raise on purpose: one line, class and message."""
    msg = str(e).splitlines()[0][:200] if str(e) else ""
    return ClipFailure(job.path, f"{job.path}: {what} ({e.__class__.__name__}: {msg}); please report it",
                       e.__class__.__name__, job.folder)


def failure_of(job: ClipJob, e: Exception) -> ClipFailure:
    """The failure a clip's exception becomes: a :class:`VidtoolsError` keeps its one-line message
    (bad input), anything else is an internal error to report."""
    if isinstance(e, VidtoolsError):
        return ClipFailure(job.path, str(e), e.__class__.__name__, job.folder)
    return internal_failure(job, e)


def analyze_job(
    job: ClipJob,
    config: AnalysisConfig,
    detector: Detector,
    taxonomy: Taxonomy,
    *,
    progress: FrameProgress | None = None,
    extra: ExtraWriter | None = None,
) -> ClipOutcome:
    """Analyse one clip.

    Args:
        job: The clip.
        config: Parameters.
        detector: A loaded detector.
        taxonomy: Class -> category mapping.
        progress: Called as frames are decoded.
        extra: When given, the extra outputs are made here (see
            :func:`vidtools.batch.publish.render_extra_files`) and travel with the outcome;
            otherwise the driver makes them as it publishes the folder.

    Returns:
        A :class:`ClipOutcome` with a report, or with a failure (never raises for a clip's
        problem; ``KeyboardInterrupt`` and ``SystemExit`` pass through).
    """
    try:
        report = analyze_clip(job.path, config, detector=detector, taxonomy=taxonomy, progress=progress)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:  # noqa: BLE001 - one bad clip never stops the batch
        if not isinstance(e, VidtoolsError):
            log.debug("unexpected error on %s", job.path, exc_info=True)
        return ClipOutcome(job, failure=failure_of(job, e))
    if extra is None:
        return ClipOutcome(job, report=report)
    try:
        return ClipOutcome(job, report=report, extra_files=render_extra_files(report, extra))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:  # noqa: BLE001 - e.g. the annotated video could not be encoded
        log.debug("extra outputs failed on %s", job.path, exc_info=True)
        return ClipOutcome(job, failure=internal_failure(job, e, "could not write the HTML / annotated outputs"))
