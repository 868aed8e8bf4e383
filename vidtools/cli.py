"""Command line: parse -> config -> call the public API -> exit code.

Exit codes: 0 success, 1 at least one clip (or input) failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vidtools.config import DEVICE_PIPELINES, AnalysisConfig
from vidtools.errors import ClaimsError, ModelLoadError, ReportError, TaxonomyError, UsageError, VidtoolsError, WeightsNotFoundError
from vidtools.names import display, path_record
from vidtools.progress import LineSafeHandler, Progress

if TYPE_CHECKING:
    from vidtools import ClipStatus
from vidtools.io import is_temporary

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_D = AnalysisConfig()


def _positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def _positive_float(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {v}")
    return v


def _nonneg_float(s: str) -> float:
    v = _positive_float(s) if s.strip() not in ("0", "0.0") else 0.0
    return v


def _add_sampling(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--every", type=_positive_int, default=_D.every, metavar="N",
                   help="analyse every N-th frame: source frames 0, N, 2N, ... (default: %(default)s)")
    g.add_argument("--fps", type=_positive_float, default=None, metavar="F",
                   help="analyse F frames per second instead of --every")
    _add_segment(p)


def _add_segment(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start", type=_nonneg_float, default=None, metavar="S", help="start of the segment, seconds (default: clip start)")
    p.add_argument("--end", type=_positive_float, default=None, metavar="S", help="end of the segment, seconds (default: clip end)")


def _add_strict(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help="a clip that decodes only in part (cut short, damaged) counts as failed: exit code 1 "
                        "(its output is still written)")


def looks_like_ray_address(value: str) -> bool:
    """True for ``local``, ``auto``, ``ray://HOST:PORT`` and ``HOST:PORT``."""
    return value in ("local", "auto") or value.startswith("ray://") or bool(re.fullmatch(r"[\w.\-]+:\d+|\[[0-9a-fA-F:]+\]:\d+", value))


class _RayAction(argparse.Action):
    """``--ray [ADDRESS]``: a value that is not a Ray address is a clip (``--ray clip.mp4``)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        if isinstance(values, str) and not looks_like_ray_address(values):
            namespace.ray_clips = [*getattr(namespace, "ray_clips", []), values]
            values = self.const
        setattr(namespace, self.dest, values)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output on stderr")
    p.add_argument("-v", "--verbose", action="store_true", help="log details on stderr")


def build_parser() -> argparse.ArgumentParser:
    """The ``vidtools`` argument parser (every option has help text)."""
    from vidtools._version import __version__

    parser = argparse.ArgumentParser(
        prog="vidtools",
        description="Count what drone / FPV footage shows: frames, YOLO detections, shots, strikes, unique objects, claims.",
    )
    parser.add_argument("--version", action="version", version=f"vidtools {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("probe", help="print a clip's metadata and sha256 as JSON")
    p.add_argument("clips", nargs="+", metavar="CLIP", help="video file(s) to describe")
    p.add_argument("--count-frames", action="store_true", help="count frames by reading every packet instead of trusting the container")
    _add_common(p)

    p = sub.add_parser("frames", help="split a clip into image files named by source frame index and time, plus index.csv")
    p.add_argument("clip", metavar="CLIP", help="the video file to split into frames")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder for the images and index.csv")
    _add_sampling(p)
    p.add_argument("--format", choices=("jpg", "png"), default="jpg", help="image format (default: %(default)s)")
    p.add_argument("--shots", action="store_true",
                   help="instead of sampling, export one keyframe per shot and the last clear frame before each strike")
    _add_strict(p)
    _add_common(p)

    p = sub.add_parser("analyze", help="detect, count, find shots and strikes, track; write reports per clip")
    p.add_argument("clips", nargs="*", metavar="CLIP", help="video file(s); each is analysed independently")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="output folder; reports go to OUT/<clip-stem>/")
    p.add_argument("--model", default=_D.model, metavar="M",
                   help="model name (yolo11n, yolov8n, visdrone, military or any NAME; looked up in $VIDTOOLS_WEIGHTS, "
                        "./weights, ultralytics' weights dir) or a path to any format ultralytics loads (default: %(default)s)")
    p.add_argument("--names", default=None, metavar="FILE",
                   help="YAML with 'names:' (list or {id: name}) for a model whose file carries no class names "
                        "(default: the model's metadata, or the metadata.yaml beside it)")
    p.add_argument("--offline", action="store_true",
                   help="never use the network: a known official model (yolo11n, yolov8n) that is not on disk is an error "
                        "instead of a one-time verified download (same as VIDTOOLS_OFFLINE=1)")
    p.add_argument("--trusted-models-only", action="store_true",
                   help="refuse a .pt checkpoint (a Python pickle) whose sha256 is not in weights/manifest.yaml")
    _add_sampling(p)
    p.add_argument("--conf", type=float, default=_D.conf, help="detection confidence threshold 0..1 (default: %(default)s)")
    p.add_argument("--iou", type=float, default=_D.iou, help="NMS IoU threshold 0..1 (default: %(default)s)")
    p.add_argument("--imgsz", type=_positive_int, default=_D.imgsz, help="inference size in pixels; fixed-size exports use their own (default: %(default)s)")
    p.add_argument("--device", default=_D.device, help="auto (CUDA + half precision when present, else CPU), cpu, cuda, cuda:N (default: %(default)s)")
    p.add_argument("--batch", type=_positive_int, default=_D.batch, help="frames per model call (default: %(default)s)")
    p.add_argument("--slice", action="store_true",
                   help="also run the model on overlapping tiles of its input size and merge the boxes (small objects from altitude; slower)")
    p.add_argument("--slice-overlap", type=float, default=_D.slice_overlap, metavar="F",
                   help="fraction of a tile shared with its neighbour, 0..0.75 (default: %(default)s)")
    p.add_argument("--taxonomy", default=None, metavar="FILE",
                   help="YAML mapping model classes to categories, over the built-in mapping (default: built-in, "
                        "chosen from the model's class names: COCO, VisDrone, military sets, xView, DOTA)")
    p.add_argument("--device-pipeline", choices=DEVICE_PIPELINES, default=_D.device_pipeline,
                   help="auto: letterbox, normalisation and NMS on the GPU for .pt/.engine models on CUDA; "
                        "on: that path on any device (CPU too); off: ultralytics' predict (default: %(default)s)")
    p.add_argument("--tracker", choices=("bytetrack", "botsort", "none"), default=_D.tracker, help="tracker for unique counts, reset at every shot (default: %(default)s)")
    p.add_argument("--min-track-s", type=_nonneg_float, default=_D.min_track_s, metavar="S", help="tracks shorter than S seconds are not counted (default: %(default)s)")
    p.add_argument("--track-buffer-s", type=_nonneg_float, default=_D.track_buffer_s, metavar="S", help="seconds a lost track is kept for re-identification (default: %(default)s)")
    p.add_argument("--terminal-s", type=_positive_float, default=_D.terminal_s, metavar="S", help="seconds before each strike summarised as its terminal window (default: %(default)s)")
    p.add_argument("--no-shots", action="store_true", help="skip shot / strike / overlay detection (the whole clip is one shot)")
    p.add_argument("--no-crop-bars", action="store_true", help="run the detector on the full frame even when letterbox / pillarbox bars are found")
    p.add_argument("--no-mask-overlays", action="store_true", help="keep detections inside static overlays (OSD text, crosshair, watermark)")
    p.add_argument("--no-html", action="store_true", help="do not write report.html / index.html")
    p.add_argument("--annotate", action="store_true", help="also write annotated.mp4 (H.264, boxes, track ids, counts, strike markers) and contact_sheet.jpg")
    p.add_argument("--blur-people", action="store_true", help="blur persons in every image of the HTML report and the annotated media, for sharing")
    p.add_argument("--claims", default=None, metavar="FILE", help="claims.json to compare with each clip in its HTML report (see 'vidtools claims')")
    p.add_argument("--clip-timeout", type=_nonneg_float, default=_D.clip_timeout, metavar="S",
                   help="wall-time budget per clip in seconds; a clip still running after it is recorded as failed "
                        "(stuck read or decoder) and the others go on; 0 = no limit (default: %(default)s)")
    _add_strict(p)
    p.add_argument("--resume", action="store_true",
                   help="keep every clip whose report in OUT is complete for the same file bytes, parameters and model "
                        "(OUT/manifest.jsonl); analyse the failed, changed and new ones")
    p.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS", action=_RayAction,
                   help="spread the clips over Ray workers: alone, start Ray on this machine; with ADDRESS "
                        "(auto, HOST:PORT, ray://HOST:PORT), join that cluster (needs vidtools[ray])")
    p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                   help="number of Ray workers, each loading the model once (default: one per node, or one per "
                        "--gpus-per-worker share of the cluster's GPUs)")
    p.add_argument("--gpus-per-worker", type=_nonneg_float, default=0.0, metavar="G",
                   help="GPUs each Ray worker reserves; fractions share a GPU (default: 0, CPU)")
    _add_common(p)

    p = sub.add_parser("shots", help="find shots and strikes only (fast, no detector); writes OUT/<clip>/shots.json")
    p.add_argument("clips", nargs="+", metavar="CLIP", help="video file(s) to segment into shots and strikes")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="output folder; writes OUT/<clip-stem>/shots.json")
    _add_segment(p)
    _add_strict(p)
    _add_common(p)

    p = sub.add_parser("models", help="list the models found locally: format, input size, batch, classes, categories, runtime, manifest check")
    p.add_argument("paths", nargs="*", metavar="PATH", help="model files or folders to describe (default: every model in the search places)")
    p.add_argument("--taxonomy", default=None, metavar="FILE", help="map classes to categories with this YAML instead of the built-in taxonomy")
    p.add_argument("--json", action="store_true", help="print JSON instead of the text listing")
    _add_common(p)

    p = sub.add_parser("claims", help="extract numeric claims from a text file into claims.json")
    p.add_argument("textfile", metavar="TEXTFILE", help="UTF-8 text (article, press release, post)")
    p.add_argument("-o", "--out", default=None, metavar="FILE", help="write claims JSON here (default: print to stdout)")
    p.add_argument("--lexicon", default=None, metavar="FILE",
                   help="YAML file of extra equipment names / jargon -> categories (format of vidtools/claims/lexicon.yaml)")
    _add_common(p)

    p = sub.add_parser("compare", help="set claims beside what analysed clips show (Markdown table + JSON)")
    p.add_argument("reports", nargs="+", metavar="OUT", help="report folder(s): an analyze OUT folder or OUT/<clip> folders")
    p.add_argument("--claims", required=True, metavar="FILE", help="claims.json (from 'vidtools claims', possibly edited by hand)")
    p.add_argument("-o", "--out", default=None, metavar="DIR", help="write comparison.md and comparison.json here (default: print Markdown)")
    _add_common(p)
    return parser


def config_from_args(a: argparse.Namespace) -> AnalysisConfig:
    """The :class:`AnalysisConfig` for parsed ``analyze`` arguments (same names as the API)."""
    return AnalysisConfig(
        model=a.model, every=a.every, fps=a.fps, start=a.start, end=a.end, conf=a.conf, iou=a.iou,
        imgsz=a.imgsz, device=a.device, batch=a.batch, slice=a.slice, slice_overlap=a.slice_overlap,
        taxonomy=a.taxonomy, tracker=a.tracker, device_pipeline=a.device_pipeline,
        min_track_s=a.min_track_s, track_buffer_s=a.track_buffer_s, terminal_s=a.terminal_s,
        shots=not a.no_shots, crop_bars=not a.no_crop_bars, mask_overlays=not a.no_mask_overlays,
        names=a.names, offline=a.offline, trusted_models_only=a.trusted_models_only, html=not a.no_html, annotate=a.annotate, blur_people=a.blur_people,
        claims=a.claims, quiet=a.quiet, clip_timeout=a.clip_timeout or None,
    )


def _err(msg: str) -> None:
    """One error line on stderr, on a line of its own even while progress bars are drawn."""
    Progress.write(f"vidtools: error: {display(msg)}")


def _warn(msg: str) -> None:
    Progress.write(f"vidtools: warning: {display(msg)}")


def _warn_partial(clip: str | Path, status: ClipStatus | None, strict: bool = False) -> bool:
    """The line for a clip analysed only as far as it decodes: a warning, or with ``strict`` an
    error. Returns whether the clip counts as failed (partial and ``strict``)."""
    if status is None or status.state != "partial":
        return False
    line = (f"{clip}: partial: {status.reason}; analysed the {status.frames_decoded} frames that decoded "
            f"(last good frame at {status.last_good_t} s)")
    if strict:
        _err(line + " (--strict: counted as failed)")
    else:
        _warn(line)
    return strict


def _out(path: str | Path) -> None:
    """A result path on stdout (escaped like every shown path, so no name makes it raise)."""
    print(display(path))


def _cmd_probe(a: argparse.Namespace) -> int:
    import vidtools

    out, rc = [], EXIT_OK
    for clip in a.clips:
        try:
            out.append({**vidtools.probe(clip, count_frames=a.count_frames).to_dict(), **path_record(clip)})
        except VidtoolsError as e:
            _err(str(e))
            rc = EXIT_FAILED
    if out:
        print(json.dumps(out[0] if len(a.clips) == 1 else out, indent=2))
    return rc


def _cmd_frames(a: argparse.Namespace) -> int:
    import vidtools

    statuses: list[ClipStatus] = []
    if a.shots:
        with Progress(None, Path(a.clip).name, "frame", a.quiet) as bar:
            result = vidtools.detect_shots(a.clip, start=a.start, end=a.end, progress=lambda n: bar.update())
        index = vidtools.export_shot_frames(a.clip, a.out, result, fmt=a.format)
        statuses += [result.status] if result.status is not None else []
    else:
        with Progress(None, Path(a.clip).name, "frame", a.quiet) as bar:
            index = vidtools.export_frames(a.clip, a.out, every=a.every, fps=a.fps, start=a.start, end=a.end,
                                           fmt=a.format, progress=lambda n: bar.update(), on_status=statuses.append)
    _out(index)
    return EXIT_FAILED if _warn_partial(a.clip, statuses[0] if statuses else None, a.strict) else EXIT_OK


def _cmd_analyze(a: argparse.Namespace) -> int:
    import vidtools

    clips = [*a.clips, *getattr(a, "ray_clips", [])]
    if not clips:
        raise UsageError("analyze: give at least one CLIP")
    config = config_from_args(a)
    # in a process of its own, the frameworks' objects leave the garbage collector's view once the
    # model is loaded (each full collection otherwise walks ~400 000 of them)
    factory = functools.partial(vidtools.load_detector, config, freeze_heap=True) if a.own_process else None
    result = vidtools.analyze_many(clips, a.out, config=config, detector_factory=factory,
                                   resume=a.resume, strict=a.strict,
                                   executor="ray" if a.ray else "local",
                                   ray_address=None if a.ray in (None, "local") else a.ray,
                                   workers=a.workers, gpus_per_worker=a.gpus_per_worker,
                                   on_failure=lambda f: _err(f.reason))
    for clip, folder in result.reports:
        _out(folder)
        status = _report_status(folder)
        partial = status is not None and status.state == "partial"
        if not a.quiet:
            Progress.write(summary_line(clip, folder, partial=partial))
        if not a.strict:  # under --strict the batch records a partial clip as a failure (its error line)
            _warn_partial(clip, status)
    if result.failures:
        _err(f"{len(result.failures)} of {len(clips)} clip(s) failed; see {Path(a.out) / 'errors.json'}")
        return EXIT_FAILED
    return EXIT_OK


def summary_line(clip: str, folder: Path, *, partial: bool = False) -> str:
    """One human line per analysed clip: frames, per-category max and distinct range, shots, strikes
    (``(partial)`` after the name of a clip that decoded only in part)."""
    meta = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    uniq = meta["unique_counts"]
    parts = []
    for cat, s in meta["summary"]["categories"].items():
        if cat == "other":
            continue
        u = uniq["clip"].get(cat, {})
        rng = f", distinct {u['low']}-{u['high']} (est. {u['estimate']})" if uniq.get("available") else ""
        parts.append(f"{cat} max {s['max']}/frame{rng}")
    n_strikes = len(meta["strikes"])
    return (f"{Path(clip).name}{' (partial)' if partial else ''}: {meta['sampling']['n_frames_sampled']} frames; " + "; ".join(parts)
            + f"; {len(meta['shots'])} shot(s), {n_strikes} strike(s) -> {folder}")


def _report_status(folder: Path) -> ClipStatus | None:
    """The decode status of the report in a folder (None when it cannot be read)."""
    import vidtools

    try:
        return vidtools.load_report(folder).status
    except ReportError:
        return None


def _cmd_shots(a: argparse.Namespace) -> int:
    import vidtools
    from vidtools.batch import clip_dir_names
    from vidtools.report.writer import write_json_atomic

    rc = EXIT_OK
    for clip, name in zip(a.clips, clip_dir_names(a.clips)):
        try:
            info = vidtools.probe(clip)
            with Progress(info.n_frames, Path(clip).name, "frame", a.quiet) as bar:
                result = vidtools.detect_shots(clip, start=a.start, end=a.end, progress=lambda n: bar.update())
        except VidtoolsError as e:
            _err(str(e))
            rc = EXIT_FAILED
            continue
        path = write_json_atomic(Path(a.out) / name / "shots.json", {"video": {**info.to_dict(), **path_record(clip)},
                                                                     **result.to_dict()})
        _out(path)
        if _warn_partial(clip, result.status, a.strict):
            rc = EXIT_FAILED
    return rc


def _cmd_models(a: argparse.Namespace) -> int:
    from vidtools.models import list_models, missing_known, render
    from vidtools.taxonomy import load_taxonomy

    entries = list_models(a.paths, load_taxonomy(a.taxonomy))
    if a.json:
        print(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False))
    else:
        print(render(entries, [] if a.paths else missing_known()), end="")
    return EXIT_OK


def _cmd_claims(a: argparse.Namespace) -> int:
    from vidtools.claims import (
        claims_to_json,
        extract_claims,
        load_lexicon,
        read_text,
        save_claims,
    )

    lexicon = load_lexicon(a.lexicon)
    text = read_text(a.textfile)
    claims = extract_claims(text, lexicon=lexicon)
    meta = {"source_path": a.textfile, "source_text": text, "lexicon_sources": lexicon.sources}
    if a.out:
        print(save_claims(claims, a.out, **meta))
    else:
        print(json.dumps(claims_to_json(claims, **meta), indent=2, ensure_ascii=False))
    return EXIT_OK


def _report_dirs(paths: Sequence[str]) -> list[Path]:
    dirs: list[Path] = []
    for p in map(Path, paths):
        if (p / "report.json").is_file():
            dirs.append(p)
        elif p.is_dir():
            found = sorted(d for d in p.iterdir() if (d / "report.json").is_file() and not is_temporary(d.name))
            if not found:
                raise UsageError(f"{p}: no report.json here or in its sub-folders; run 'vidtools analyze' first")
            dirs += found
        else:
            raise UsageError(f"{p}: report folder not found")
    return dirs


def _cmd_compare(a: argparse.Namespace) -> int:
    import vidtools
    from vidtools.report.claims_markdown import checks_to_markdown, write_checks

    reports = [vidtools.load_report(d) for d in _report_dirs(a.reports)]
    checks = vidtools.compare(reports, vidtools.load_claims(a.claims))
    if a.out:
        for path in write_checks(checks, a.out, stem="comparison").values():
            print(path)
    else:
        print(checks_to_markdown(checks))
    return EXIT_OK


COMMANDS = {
    "probe": _cmd_probe,
    "frames": _cmd_frames,
    "analyze": _cmd_analyze,
    "shots": _cmd_shots,
    "models": _cmd_models,
    "claims": _cmd_claims,
    "compare": _cmd_compare,
}


def _hint_dash_files(argv: Sequence[str]) -> None:
    """After a usage error: name each argument that is an existing file starting with '-'
    (argparse took it for an option) and say how to pass it."""
    for arg in argv:
        if arg.startswith("-") and arg != "--" and os.path.lexists(arg):
            _err(f"{arg} is a file whose name starts with '-': put '--' before the file names "
                 f"(vidtools analyze -o OUT -- {arg}) or write ./{arg}")


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Run one command; returns the exit code.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).
        own_process: The process exits after this call (see :func:`run`); leave False when
            calling from Python.
    """
    parser = build_parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as e:  # argparse: 2 on usage errors, 0 on --help
        if e.code:
            _hint_dash_files(sys.argv[1:] if argv is None else argv)
        return int(e.code or 0)
    a.own_process = own_process
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING, format="vidtools: %(levelname)s: %(message)s",
                        handlers=[LineSafeHandler()])
    try:
        return COMMANDS[a.command](a)
    except (UsageError, WeightsNotFoundError, ModelLoadError, TaxonomyError, ClaimsError, ReportError) as e:
        _err(str(e))
        return EXIT_USAGE
    except VidtoolsError as e:
        _err(str(e))
        return EXIT_FAILED
    except KeyboardInterrupt as e:
        _err(str(e) or "interrupted")
        return 130


def run() -> None:
    """The ``vidtools`` console script (and ``python -m vidtools.cli``): :func:`main` in a process
    of its own, then exit with its code.

    By then every report is written and closed, so the interpreter's teardown is skipped: tearing
    down torch, torchvision and ultralytics module by module and running their C++ destructors took
    2.5 s of every run (0.5-1 s once the objects are frozen out of the garbage collector). Logging
    is shut down and the standard streams flushed first. With Ray loaded, the normal way out runs
    Ray's own exit handlers.
    """
    code = main(own_process=True)
    gc.freeze()
    if "ray" in sys.modules:
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
