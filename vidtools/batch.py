"""Many clips: one model load, failure isolation, ``errors.json``, an optional skip of clips
whose report is already complete for the same file and parameters."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vidtools.claims.model import ClaimCheck
from vidtools.config import AnalysisConfig
from vidtools.detect import Detector
from vidtools.errors import VidtoolsError
from vidtools.pipeline import analyze_clip, load_detector
from vidtools.probe import sha256_file
from vidtools.progress import Progress
from vidtools.report.writer import write_clip_report, write_json_atomic
from vidtools.taxonomy import Taxonomy, load_taxonomy
from vidtools.types import ClipReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipFailure:
    """A clip that could not be analysed.

    Attributes:
        path: The clip as given.
        reason: One line naming what is wrong and what to do.
        error: Exception class name.
    """

    path: str
    reason: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "error": self.error}


@dataclass
class BatchResult:
    """Outcome of :func:`analyze_batch`.

    Attributes:
        out: Output folder.
        reports: (clip path, report folder) per clip that completed (or was skipped as complete).
        failures: Clips that failed, in input order.
        skipped: Clips whose existing report was reused.
    """

    out: Path
    reports: list[tuple[str, Path]] = field(default_factory=list)
    failures: list[ClipFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def clip_dir_names(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Report folder name per clip: the file's stem, made unique within one run (``-2``, ``-3``)."""
    names: list[str] = []
    used: dict[str, int] = {}
    for p in paths:
        stem = Path(p).stem or "clip"
        n = used.get(stem, 0) + 1
        used[stem] = n
        names.append(stem if n == 1 else f"{stem}-{n}")
    return names


def output_writer(config: AnalysisConfig) -> Callable[[Path, ClipReport], None] | None:
    """The extra outputs a config asks for (HTML page, annotated media, claim comparison), as a
    ``write_extra`` callback that writes them into a clip's folder before it is published.

    Raises:
        ClaimsError: ``config.claims`` is missing or malformed (checked once, before any clip).
    """
    if not (config.html or config.annotate):
        return None
    claims = None
    if config.claims and config.html:
        from vidtools.claims import load_claims

        claims = load_claims(config.claims)

    def extra(folder: Path, report: ClipReport) -> None:
        video = report.provenance.input.path
        if config.annotate:
            from vidtools.annotate import write_annotated

            write_annotated(report, folder, video_path=video, blur_people=config.blur_people)
        if config.html:
            from vidtools.claims import compare
            from vidtools.report.html import write_clip_html

            checks: list[ClaimCheck] | None = compare([report], claims) if claims is not None else None
            write_clip_html(report, folder, video_path=video, blur_people=config.blur_people, checks=checks,
                            verify_video=False)

    return extra


def write_outputs(report: ClipReport, clip_dir: str | os.PathLike[str], config: AnalysisConfig,
                  extra: Callable[[Path, ClipReport], None] | None = None) -> Path:
    """Publish a clip's report folder with everything ``config`` asks for (atomically)."""
    return write_clip_report(report, clip_dir, extra=extra if extra is not None else output_writer(config))


def _is_complete(clip_dir: Path, path: str | os.PathLike[str], config: AnalysisConfig) -> bool:
    """True when ``clip_dir`` holds a complete report of the same file bytes and parameters."""
    try:
        meta = json.loads((clip_dir / "report.json").read_text(encoding="utf-8"))
        prov = meta["provenance"]
        same_params = {k: v for k, v in prov["parameters"].items() if k != "quiet"} == {
            k: v for k, v in config.to_dict().items() if k != "quiet"
        }
        return same_params and prov["input"]["sha256"] == sha256_file(path) and all(
            (clip_dir / f).is_file() for f in ("frames.csv", "detections.csv", "tracks.csv")
        )
    except (OSError, KeyError, ValueError, TypeError):
        return False


def analyze_batch(
    paths: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    config: AnalysisConfig | None = None,
    *,
    detector: Detector | None = None,
    taxonomy: Taxonomy | None = None,
    skip_existing: bool = False,
    on_failure: Callable[[ClipFailure], None] | None = None,
) -> BatchResult:
    """Analyse clips independently and write ``OUT/<clip>/`` for each, plus ``OUT/errors.json``.

    A clip that fails (missing, empty, corrupt, truncated, not a video, no frames) is recorded in
    ``errors.json`` and the others go on. The model is loaded once, before the first clip.
    With ``config.html`` each folder gets ``report.html`` and, for several clips, ``OUT/index.html``
    lists them all.

    Args:
        paths: Clips.
        out: Output folder.
        config: Parameters (defaults when None).
        detector: A loaded detector to reuse.
        taxonomy: Class -> category mapping (from ``config.taxonomy`` when None).
        skip_existing: Keep an existing complete report of the same file and parameters.
        on_failure: Called with each failure as it happens (the CLI prints one line).

    Returns:
        :class:`BatchResult`.

    Raises:
        WeightsNotFoundError, ModelLoadError, TaxonomyError, ClaimsError: problems that concern
            every clip.
    """
    config = config or AnalysisConfig()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    taxonomy = taxonomy or load_taxonomy(config.taxonomy)
    extra = output_writer(config)
    result = BatchResult(out=out_dir)
    names = clip_dir_names(paths)
    todo = []
    for p, name in zip(paths, names):
        if skip_existing and Path(p).is_file() and _is_complete(out_dir / name, p, config):
            result.skipped.append(str(p))
            result.reports.append((str(p), out_dir / name))
        else:
            todo.append((p, name))
    if todo and detector is None:
        detector = load_detector(config)
    with Progress(len(todo), "clips", "clip", config.quiet or len(todo) < 2) as bar:
        for p, name in todo:
            try:
                report = analyze_clip(p, config, detector=detector, taxonomy=taxonomy)
                result.reports.append((str(p), write_outputs(report, out_dir / name, config, extra)))
            except VidtoolsError as e:
                _fail(result, on_failure, ClipFailure(str(p), str(e), e.__class__.__name__))
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as e:  # noqa: BLE001 - one bad clip never stops the batch
                log.debug("unexpected error on %s", p, exc_info=True)
                msg = str(e).splitlines()[0][:200] if str(e) else ""
                _fail(result, on_failure, ClipFailure(str(p), f"{p}: internal error ({e.__class__.__name__}: {msg}); please report it", e.__class__.__name__))
            bar.update()
    write_json_atomic(out_dir / "errors.json", [f.to_dict() for f in result.failures])
    if config.html and len(paths) > 1:
        from vidtools.report.html import write_index_html

        failed = {f.path: f.reason for f in result.failures}
        write_index_html(out_dir, [{"name": name, "report": None, "error": failed.get(str(p)), "clip": str(p)}
                                   for p, name in zip(paths, names)], blur_people=config.blur_people)
    return result


def _fail(result: BatchResult, cb: Callable[[ClipFailure], None] | None, failure: ClipFailure) -> None:
    result.failures.append(failure)
    if cb is not None:
        cb(failure)
