"""Putting a clip's report folder in place: the report itself plus the extra outputs a config asks
for (HTML page, annotated media, claim comparison), assembled in a temporary folder and renamed
into place by :func:`vidtools.report.writer.write_clip_report`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from vidtools.batch.reportview import video_path
from vidtools.batch.results import ExtraFiles
from vidtools.claims.model import ClaimCheck
from vidtools.config import AnalysisConfig
from vidtools.report.writer import write_clip_report
from vidtools.types import ClipReport

ExtraWriter = Callable[[Path, ClipReport], None]


def output_writer(config: AnalysisConfig) -> ExtraWriter | None:
    """The extra outputs a config asks for, as a ``write_extra`` callback that writes them into a
    clip's folder before it is published (None when there are none).

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
        video = video_path(report)
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
                  extra: ExtraWriter | None = None) -> Path:
    """Publish a clip's report folder with everything ``config`` asks for (atomically)."""
    return write_clip_report(report, clip_dir, extra=extra if extra is not None else output_writer(config))


def render_extra_files(report: ClipReport, extra: ExtraWriter | None) -> ExtraFiles:
    """Run ``extra`` into a scratch folder and return what it wrote, for another process (the
    driver) to publish. Used by Ray workers, whose disk the driver may not see."""
    if extra is None:
        return ()
    with tempfile.TemporaryDirectory(prefix="vidtools-extra-") as tmp:
        root = Path(tmp)
        extra(root, report)
        return tuple((p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file())


def files_writer(files: ExtraFiles) -> ExtraWriter:
    """A ``write_extra`` callback that writes files made elsewhere (see :func:`render_extra_files`)."""

    def extra(folder: Path, report: ClipReport) -> None:
        for rel, data in files:
            if Path(rel).is_absolute() or ".." in Path(rel).parts:
                raise ValueError(f"refusing to write {rel!r} outside the report folder")
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    return extra
