"""The weights manifest (``weights/manifest.yaml``): known models, their files and digests.

A model found on disk is identified by its bytes (sha256, or the git blob id for entries that
only have that), not by its name: a renamed official file is still recognised, and a file that
has an official name but other bytes is reported as a mismatch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidtools.errors import ModelLoadError
from vidtools.probe import sha256_file

PROJECT_WEIGHTS = Path(__file__).resolve().parents[1] / "weights"
MANIFEST_PATH = PROJECT_WEIGHTS / "manifest.yaml"

VERIFIED, MISMATCH, UNKNOWN = "verified", "mismatch", "unknown"


@dataclass(frozen=True)
class Download:
    """Where ultralytics' downloader fetches an official file: a GitHub release asset."""

    repo: str
    release: str


@dataclass(frozen=True)
class KnownFile:
    """One file (or model folder) of a known model.

    Attributes:
        model: Name of the manifest entry (``yolo11n``, ``visdrone``, ...).
        file: Path as listed, relative to a weights folder (may contain a folder part).
        format: ultralytics format key (``pt``, ``onnx``, ``openvino``, ``litert``) or ``metadata``.
        sha256: Digest of a single file.
        folder_sha256: ``{file in folder: digest}`` of a model folder.
        git_blob: ``git hash-object`` of a single file (checked when ``sha256`` is absent).
        size: File size in bytes.
        download: Release asset it is downloaded from (official files only).
        source, licence, description, note: Provenance text.
        loadable: False for files ultralytics cannot run (kept so they are recognised).
    """

    model: str
    file: str
    format: str
    sha256: str | None = None
    folder_sha256: Mapping[str, str] = field(default_factory=dict)
    git_blob: str | None = None
    size: int | None = None
    download: Download | None = None
    source: str = ""
    licence: str = ""
    description: str = ""
    note: str = ""
    loadable: bool = True

    @property
    def basename(self) -> str:
        return Path(self.file).name


@dataclass(frozen=True)
class KnownModel:
    """A manifest entry: one model, possibly in several formats.

    Attributes:
        name: The name ``--model`` accepts.
        description: One line.
        classes: Class names in id order.
        imgsz: Training / export input size in pixels.
        licence: Licence of the weights.
        files: Its files.
    """

    name: str
    description: str
    classes: tuple[str, ...]
    imgsz: int | None
    licence: str
    files: tuple[KnownFile, ...]

    def downloadable(self) -> KnownFile | None:
        """The file ultralytics can download for this model, if any."""
        return next((f for f in self.files if f.download is not None), None)


@dataclass(frozen=True)
class Manifest:
    """All known models, by name."""

    models: Mapping[str, KnownModel]
    path: str

    def get(self, name: str) -> KnownModel | None:
        return self.models.get(name)

    def files(self) -> list[KnownFile]:
        return [f for m in self.models.values() for f in m.files]

    def classes_of(self, known: KnownFile) -> tuple[str, ...]:
        """Class names of the model a listed file belongs to."""
        entry = self.models.get(known.model)
        return entry.classes if entry is not None else ()


@dataclass(frozen=True)
class ManifestCheck:
    """How a model file on disk compares with the manifest.

    Attributes:
        status: ``verified`` (its bytes are a listed file), ``mismatch`` (it has a listed name but
            other bytes), ``unknown`` (not listed).
        known: The listed file it is (verified) or claims to be (mismatch).
        mismatched: Files whose digest differs (folder members, or the file itself).
    """

    status: str
    known: KnownFile | None = None
    mismatched: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED

    def to_dict(self) -> dict[str, Any]:
        """The report's ``provenance.model.manifest``."""
        return {
            "entry": self.known.model if self.known else None,
            "file": self.known.file if self.known else None,
            "verified": {VERIFIED: True, MISMATCH: False}.get(self.status),
            "mismatched": list(self.mismatched),
        }


def _parse(data: Any, where: str) -> dict[str, KnownModel]:
    models: dict[str, KnownModel] = {}
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ModelLoadError(f"{where}: expected 'models: {{name: {{...}}}}'; restore the file from the repository")
    for name, e in entries.items():
        files = []
        for f in e.get("files") or []:
            sha = f.get("sha256")
            dl = f.get("download")
            files.append(
                KnownFile(
                    model=str(name),
                    file=str(f["file"]),
                    format=str(f.get("format", "")),
                    sha256=sha if isinstance(sha, str) else None,
                    folder_sha256=dict(sha) if isinstance(sha, dict) else {},
                    git_blob=f.get("git_blob"),
                    size=f.get("size"),
                    download=Download(str(dl["repo"]), str(dl["release"])) if isinstance(dl, dict) else None,
                    source=str(f.get("source", "")),
                    licence=str(f.get("licence", e.get("licence", ""))),
                    description=str(f.get("description", e.get("description", ""))),
                    note=str(f.get("note", "")),
                    loadable=bool(f.get("loadable", True)),
                )
            )
        models[str(name)] = KnownModel(
            name=str(name),
            description=str(e.get("description", "")),
            classes=tuple(str(c) for c in e.get("classes") or ()),
            imgsz=e.get("imgsz"),
            licence=str(e.get("licence", "")),
            files=tuple(files),
        )
    return models


def load_manifest(path: str | os.PathLike[str] | None = None) -> Manifest:
    """Read the manifest (``weights/manifest.yaml`` by default); an empty one when it is absent.

    Raises:
        ModelLoadError: the file exists but is not a readable manifest.
    """
    import yaml

    p = Path(path) if path else MANIFEST_PATH
    if not p.is_file():
        return Manifest({}, str(p))
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ModelLoadError(f"{p}: the weights manifest is not readable ({e.__class__.__name__})") from None
    return Manifest(_parse(data, str(p)), str(p))


def git_blob_id(path: str | os.PathLike[str]) -> str:
    """``git hash-object FILE``: SHA-1 of ``b"blob <size>\\0" + content``."""
    p = Path(path)
    h = hashlib.sha1(f"blob {p.stat().st_size}\0".encode())
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_model(path: str | os.PathLike[str]) -> str:
    """sha256 of a weights file, or of a model folder (over its files' names and digests, sorted)."""
    p = Path(path)
    if p.is_dir():
        h = hashlib.sha256()
        for f in sorted(x for x in p.rglob("*") if x.is_file()):
            h.update(f.relative_to(p).as_posix().encode())
            h.update(b"\0")
            h.update(sha256_file(f).encode())
        return h.hexdigest()
    return sha256_file(p)


def _file_matches(known: KnownFile, path: Path, sha: str) -> bool:
    if known.sha256:
        return sha == known.sha256
    if known.git_blob:
        return git_blob_id(path) == known.git_blob
    return False


def identify(path: str | os.PathLike[str], manifest: Manifest | None = None, *, sha256: str | None = None) -> ManifestCheck:
    """Compare a model file or folder on disk with the manifest.

    Args:
        path: The model file or folder.
        manifest: Defaults to :func:`load_manifest`.
        sha256: The file's digest when already computed.
    """
    manifest = manifest if manifest is not None else load_manifest()
    p = Path(path)
    if p.is_dir():
        members = {f.relative_to(p).as_posix(): f for f in p.rglob("*") if f.is_file()}
        digests: dict[str, str] = {}
        named: KnownFile | None = None
        for known in manifest.files():
            if not known.folder_sha256:
                continue
            if set(known.folder_sha256) <= set(members):
                for rel in known.folder_sha256:
                    digests.setdefault(rel, sha256_file(members[rel]))
                bad = tuple(r for r, d in known.folder_sha256.items() if digests[r] != d)
                if not bad:
                    return ManifestCheck(VERIFIED, known)
            if known.basename == p.name:
                named = known
        if named is not None:
            bad = tuple(
                r for r, d in named.folder_sha256.items() if r not in members or sha256_file(members[r]) != d
            )
            return ManifestCheck(MISMATCH, named, bad)
        return ManifestCheck(UNKNOWN)
    sha = sha256 or sha256_file(p)
    for known in manifest.files():
        if not known.folder_sha256 and (known.sha256 or known.git_blob) and _file_matches(known, p, sha):
            return ManifestCheck(VERIFIED, known)
    for known in manifest.files():
        if known.basename == p.name and not known.folder_sha256:
            return ManifestCheck(MISMATCH, known, (p.name,))
    return ManifestCheck(UNKNOWN)


def known_for_file(basename: str, manifest: Manifest | None = None) -> KnownFile | None:
    """The listed file of that base name (``yolo11n.pt``), if any."""
    manifest = manifest if manifest is not None else load_manifest()
    return next((f for f in manifest.files() if f.basename == basename), None)
