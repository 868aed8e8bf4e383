"""Write a clip's report folder atomically and read it back.

``OUT/<clip>/`` holds ``report.json`` (schema-versioned, see :mod:`vidtools.report.schema`),
``frames.csv`` (one row per sampled frame), ``detections.csv`` (one row per box) and
``tracks.csv`` (one row per track). The folder is assembled under a temporary name and renamed
into place, so a reader never sees half a report.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from vidtools.errors import ReportError
from vidtools.io import atomic_write_text, default_mode, is_temporary
from vidtools.report.schema import from_json_dict, to_json
from vidtools.types import ClipReport, Detections, FrameCounts, tracks_from_frame

FILES = ("report.json", "frames.csv", "detections.csv", "tracks.csv")


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> Path:
    """Write JSON (UTF-8, indented) atomically."""
    return atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def write_clip_report(
    report: ClipReport,
    clip_dir: str | os.PathLike[str],
    *,
    extra: Callable[[Path, ClipReport], None] | None = None,
) -> Path:
    """Write a report folder atomically, replacing an older one of the same name.

    Args:
        report: The analysed clip.
        clip_dir: Target folder (``OUT/<clip-stem>``).
        extra: Optional callback writing more files into the temporary folder before it is
            moved into place (HTML, annotated media).

    Returns:
        The folder's path.
    """
    target = Path(clip_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        (tmp / "report.json").write_text(to_json(report) + "\n", encoding="utf-8")
        (tmp / "frames.csv").write_text(_csv(report.frames), encoding="utf-8")
        (tmp / "detections.csv").write_text(_csv(report.detections), encoding="utf-8")
        (tmp / "tracks.csv").write_text(_csv(report.tracks), encoding="utf-8")
        if extra is not None:
            extra(tmp, report)
        os.chmod(tmp, default_mode(is_dir=True))
        for f in tmp.iterdir():
            if f.is_file():
                os.chmod(f, default_mode())
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, old / "report")
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def load_report(clip_dir: str | os.PathLike[str]) -> ClipReport:
    """Read a report folder written by :func:`write_clip_report` back into a :class:`ClipReport`
    (equal to the one written).

    Args:
        clip_dir: The folder, or its ``report.json``.

    Raises:
        ReportError: the folder or one of its files is missing or malformed, or the schema
            version is unknown.
    """
    d = Path(clip_dir)
    if d.is_file() and d.name == "report.json":
        d = d.parent
    if is_temporary(d.resolve().name):
        raise ReportError(f"{d}: a temporary folder left by an interrupted run, not a report; "
                          "the next 'vidtools analyze' into this folder removes it")
    missing = [f for f in FILES if not (d / f).is_file()]
    if missing:
        raise ReportError(f"{d}: not a complete vidtools report folder (missing {', '.join(missing)}); run 'vidtools analyze' again")
    try:
        doc = json.loads((d / "report.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ReportError(f"{d / 'report.json'}: not valid JSON ({e.__class__.__name__})") from None

    def read(name: str) -> pd.DataFrame:
        try:
            return pd.read_csv(d / name, keep_default_na=False, na_values=[""])
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except (pd.errors.ParserError, UnicodeDecodeError) as e:
            raise ReportError(f"{d / name}: not a readable CSV table ({e.__class__.__name__}); run 'vidtools analyze' again") from None

    try:
        tables = {
            "frame_counts": FrameCounts.from_frame(read("frames.csv")),
            "boxes": Detections.from_frame(read("detections.csv")),
            "tracks": tracks_from_frame(read("tracks.csv")),
        }
    except (ValueError, KeyError, TypeError) as e:
        raise ReportError(f"{d}: a table does not have the columns of a vidtools report ({e}); run 'vidtools analyze' again") from None
    try:
        return from_json_dict(doc, **tables)
    except ReportError as e:
        raise ReportError(f"{d / 'report.json'}: {e}") from None
