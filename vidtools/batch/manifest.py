"""``OUT/manifest.jsonl``: what each clip of an output folder became, for ``--resume``.

One JSON object per line, appended (and fsynced) by the driver after a clip's report folder has
been published, so the file survives ``kill -9`` at any moment: a line cut short by a kill is
ignored when read, and the last line for a clip wins. A clip is done for a re-run when its input
bytes (sha256), the parameters that shape its results (:func:`config_hash`) and the model file
(sha256) are the same. The driver is the only writer; a lock on ``OUT`` keeps a second batch out.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from vidtools.batch.naming import display_path, safe_text
from vidtools.io import atomic_write_text
from vidtools.probe import sha256_file

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"
STATUSES = ("done", "partial", "failed")
"""``done`` and ``partial`` (analysed as far as the file decodes) have a report; ``failed`` has none."""

NOT_RESULT_FIELDS = frozenset({"quiet", "offline", "trusted_models_only", "model", "clip_timeout"})
"""Config fields that do not change a report's content (the model is identified by its sha256)."""
FILE_FIELDS = ("taxonomy", "claims", "names")
"""Config fields naming a file whose *content* shapes the results."""


def config_hash(parameters: Mapping[str, Any]) -> str:
    """Hash of the parameters that shape a clip's results (``AnalysisConfig.to_dict()`` or the
    ``parameters`` of a report): progress, download and trust settings and the model's name are
    left out, and the taxonomy, claims and names files count by their content, not their path."""
    d = {k: v for k, v in parameters.items() if k not in NOT_RESULT_FIELDS}
    for k in FILE_FIELDS:
        if d.get(k):
            try:
                d[k] = "sha256:" + sha256_file(d[k])
            except OSError:
                d[k] = f"missing:{d[k]}"
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class InputStamp:
    """What identifies an input file's bytes.

    Attributes:
        sha256: Hex sha256 of the bytes (None when the file could not be read).
        size: Size in bytes.
        mtime_ns: Modification time (ns); with ``size``, lets a re-run trust ``sha256``
            without reading the file again.
    """

    sha256: str | None
    size: int | None
    mtime_ns: int | None


def stat_stamp(path: str | bytes | os.PathLike, sha256: str | None) -> InputStamp:
    """``sha256`` with the file's current size and modification time (None when not a file)."""
    try:
        st = os.stat(path)
        return InputStamp(sha256, st.st_size, st.st_mtime_ns)
    except OSError:
        return InputStamp(sha256, None, None)


@dataclass(frozen=True)
class ManifestEntry:
    """One clip's record.

    Attributes:
        key: The clip's absolute path as bytes (see :func:`vidtools.batch.naming.clip_key`).
        folder: Its report folder name under ``OUT``.
        status: One of :data:`STATUSES`.
        input: Its bytes' identity when it was analysed.
        config_hash: :func:`config_hash` of the parameters.
        model_sha256: sha256 of the model file (None when unknown).
        attempts: How many times it was started (2 after a worker died under it).
        reason: Why it failed or is partial (one line), None otherwise.
        finished_at: UTC time the record was written.
    """

    key: bytes
    folder: str
    status: str
    input: InputStamp
    config_hash: str
    model_sha256: str | None
    attempts: int = 1
    reason: str | None = None
    finished_at: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"ManifestEntry.status must be one of {STATUSES}, got {self.status!r}")

    def to_json(self) -> str:
        """One line of ``manifest.jsonl`` (the path as text and, exactly, as base64 bytes)."""
        d = asdict(self)
        d.pop("key")
        d["reason"] = safe_text(self.reason) if self.reason is not None else None
        d = {"path": display_path(self.key), "path_b64": base64.b64encode(self.key).decode("ascii"), **d}
        return json.dumps(d, ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_json(cls, line: str) -> ManifestEntry:
        """Inverse of :meth:`to_json`.

        Raises:
            ValueError, KeyError, TypeError: not a manifest line.
        """
        d = json.loads(line)
        return cls(
            key=base64.b64decode(d["path_b64"], validate=True),
            folder=str(d["folder"]),
            status=str(d["status"]),
            input=InputStamp(**d["input"]),
            config_hash=str(d["config_hash"]),
            model_sha256=d.get("model_sha256"),
            attempts=int(d.get("attempts", 1)),
            reason=d.get("reason"),
            finished_at=str(d.get("finished_at", "")),
        )


def read_manifest(out: str | os.PathLike[str]) -> dict[bytes, ManifestEntry]:
    """The latest record of every clip in ``OUT/manifest.jsonl`` (empty when there is none).

    Lines that do not parse (a line cut short by ``kill -9``) are skipped.
    """
    path = Path(out) / MANIFEST_NAME
    latest: dict[bytes, ManifestEntry] = {}
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return latest
    bad = 0
    for raw in data.splitlines():
        if not raw.strip():
            continue
        try:
            entry = ManifestEntry.from_json(raw.decode("utf-8"))
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        latest[entry.key] = entry
    if bad:
        log.info("%s: skipped %d unreadable line(s) (an interrupted write)", path, bad)
    return latest


class ManifestWriter:
    """Appends records to ``OUT/manifest.jsonl``, one fsynced line each (the driver only).

    Opening it first ends a line cut short by a kill, and rewrites the file with only the latest
    record per clip when it has grown to more than twice that many lines.

    Args:
        out: The output folder.
        latest: What :func:`read_manifest` returned.
    """

    def __init__(self, out: str | os.PathLike[str], latest: Mapping[bytes, ManifestEntry]) -> None:
        self.path = Path(out) / MANIFEST_NAME
        self._compact(latest)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)

    def _compact(self, latest: Mapping[bytes, ManifestEntry]) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        n_lines = data.count(b"\n")
        if n_lines > 2 * len(latest) + 16:
            atomic_write_text(self.path, "".join(e.to_json() + "\n" for e in latest.values()))
        elif data and not data.endswith(b"\n"):
            with open(self.path, "ab") as f:  # a kill cut the last line short: end it
                f.write(b"\n")

    def append(self, entry: ManifestEntry) -> None:
        """Write one record durably (one ``write`` of one line, then fsync)."""
        if not entry.finished_at:
            entry = replace(entry, finished_at=_now())
        os.write(self._fd, (entry.to_json() + "\n").encode("utf-8"))
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> ManifestWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
