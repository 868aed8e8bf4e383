"""Resolve a model name or path to a weights file or folder; fetch official checkpoints.

A *path* (anything that exists, or that has a folder part or a model file ending) is used as given.
A *name* such as ``yolo11n`` or ``visdrone`` is looked up, in order, in ``$VIDTOOLS_WEIGHTS`` (one or
more folders separated by ``os.pathsep``), the project's ``weights/`` folder and ultralytics'
weights folder. Each place is searched for the files the manifest lists for that name (e.g.
``visdrone/yolo11n_visdrone_dynint8.tflite``, also by base name), then for ``NAME.pt``,
``NAME.engine``, ``NAME.onnx``, ``NAME.tflite``, ``NAME_openvino_model/`` and
``NAME_int8_openvino_model/``.

Only a known official name whose manifest entry says where to download it (``yolo11n``,
``yolov8n``) is ever downloaded: once, through ultralytics' own downloader, into ultralytics'
weights folder, and checked against the manifest's sha256. ``offline`` (``--offline`` or
``VIDTOOLS_OFFLINE=1``) forbids that; unknown names and paths are never downloaded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from vidtools.errors import ModelLoadError, WeightsNotFoundError
from vidtools.formats import MODEL_ENDINGS
from vidtools.manifest import (
    PROJECT_WEIGHTS,
    KnownFile,
    Manifest,
    identify,
    known_for_file,
    load_manifest,
)

log = logging.getLogger(__name__)

PATTERNS = ("{n}.pt", "{n}.engine", "{n}.onnx", "{n}.tflite", "{n}_openvino_model", "{n}_int8_openvino_model")
OFFLINE_ENV = "VIDTOOLS_OFFLINE"


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model came from.

    Attributes:
        requested: What the user asked for (name or path).
        path: The file or folder to load.
        searched: Every place that was looked at.
        downloaded: True when the file was downloaded by this call.
    """

    requested: str
    path: str
    searched: tuple[str, ...]
    downloaded: bool = False


def offline_requested(flag: bool = False) -> bool:
    """True when network access is forbidden: ``flag`` (``--offline``) or ``VIDTOOLS_OFFLINE`` set to 1/true/yes."""
    return flag or os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def search_dirs() -> list[Path]:
    """Folders searched for a model name, in order."""
    dirs: list[Path] = []
    env = os.environ.get("VIDTOOLS_WEIGHTS")
    if env:
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    dirs.append(PROJECT_WEIGHTS)
    dirs.append(ultralytics_weights_dir())
    return dirs


def ultralytics_weights_dir() -> Path:
    """ultralytics' weights folder (``yolo settings`` shows ``weights_dir``): where downloads go."""
    from ultralytics.utils import SETTINGS

    return Path(SETTINGS["weights_dir"])


def looks_like_path(model: str) -> bool:
    """True when ``model`` is meant as a path rather than a name."""
    return (
        os.sep in model
        or "/" in model
        or model.lower().endswith(MODEL_ENDINGS)
        or Path(model).exists()
    )


def candidates(name: str, manifest: Manifest | None = None) -> list[str]:
    """Relative paths a name may be found under in a weights folder, best first."""
    out: list[str] = []
    known = (manifest if manifest is not None else load_manifest()).get(name)
    if known is not None:
        for f in known.files:
            if f.format == "metadata":
                continue
            out += [f.file, f.basename]
    out += [p.format(n=name) for p in PATTERNS]
    return list(dict.fromkeys(out))


def resolve_model(model: str, *, offline: bool = False, progress: bool = True) -> ResolvedModel:
    """Find the weights for ``model``, downloading a known official checkpoint when allowed.

    Args:
        model: A name (``yolo11n``, ``visdrone``) or a path (``best.pt``, ``…_openvino_model``).
        offline: Forbid any download (also forced by ``VIDTOOLS_OFFLINE=1``).
        progress: Show the download's progress bar on stderr.

    Returns:
        :class:`ResolvedModel`.

    Raises:
        WeightsNotFoundError: nothing found (and nothing may be downloaded); lists every place searched.
        ModelLoadError: the download failed or its bytes are not the manifest's.
    """
    manifest = load_manifest()
    name = model
    if looks_like_path(model):
        p = Path(model).expanduser()
        if p.exists():
            return ResolvedModel(model, str(p), (str(p),))
        bare = known_for_file(model, manifest) if "/" not in model and os.sep not in model else None
        if bare is None:
            raise WeightsNotFoundError(model, [str(p.resolve())])
        name = bare.model  # "yolo11n.pt" as ultralytics users type it: the known name
    searched: list[str] = []
    for d in search_dirs():
        for rel in candidates(name, manifest):
            cand = d / rel
            searched.append(str(cand))
            if cand.exists():
                return ResolvedModel(model, str(cand), tuple(searched))
    known = manifest.get(name)
    official = known.downloadable() if known is not None else None
    if official is None:
        raise WeightsNotFoundError(model, searched)
    if offline_requested(offline):
        raise WeightsNotFoundError(
            model, searched,
            hint=f"{name} is a known official model: run once without --offline (and without "
                 f"{OFFLINE_ENV}=1) on a machine with internet to download {official.basename}.",
        )
    path = fetch_official(official, ultralytics_weights_dir(), progress=progress)
    return ResolvedModel(model, str(path), tuple(searched), downloaded=True)


def _download_asset(dest: Path, repo: str, release: str, progress: bool) -> None:
    """ultralytics' own release-asset downloader (retries, resume, progress bar), bar on stderr."""
    from ultralytics.utils.downloads import attempt_download_asset

    with contextlib.redirect_stdout(sys.stderr):
        attempt_download_asset(str(dest), repo=repo, release=release, progress=progress)


def fetch_official(known: KnownFile, dest_dir: Path, *, progress: bool = True) -> Path:
    """Download an official file once and verify it against the manifest.

    Args:
        known: The manifest file (has ``download``).
        dest_dir: Folder to put it in (ultralytics' weights folder).
        progress: Show a progress bar on stderr.

    Returns:
        The verified file's path.

    Raises:
        ModelLoadError: the download failed, or the bytes differ from the manifest (the file is removed).
    """
    if known.download is None:
        raise ModelLoadError(f"{known.file}: the manifest gives no download source for it; pass --model PATH")
    dest = dest_dir / known.basename
    url = f"https://github.com/{known.download.repo}/releases/download/{known.download.release}/{known.basename}"
    print(f"vidtools: {known.model} is not on this machine; downloading the official {known.basename} "
          f"from {url} to {dest}", file=sys.stderr)
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        _download_asset(dest, known.download.repo, known.download.release, progress)
    except Exception as e:  # noqa: BLE001 - network errors of any kind become one line
        raise ModelLoadError(
            f"{known.basename}: download from {url} failed ({e.__class__.__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}); "
            "check the internet connection, or download it yourself and pass --model PATH"
        ) from None
    if not dest.is_file():
        raise ModelLoadError(f"{known.basename}: the download from {url} left no file at {dest}; "
                             "download it yourself and pass --model PATH")
    check = identify(dest)
    if not check.verified or check.known is None or check.known.file != known.file:
        dest.unlink(missing_ok=True)
        raise ModelLoadError(
            f"{dest}: the downloaded file does not match weights/manifest.yaml (sha256 {known.sha256}); "
            "it was removed. Try again later, or download it yourself and pass --model PATH"
        )
    print(f"vidtools: downloaded and verified {known.basename} -> {dest}", file=sys.stderr)
    return dest
