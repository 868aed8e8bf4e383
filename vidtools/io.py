"""Atomic file writes: write to a temp file in the same folder, then rename over the target."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def default_mode(is_dir: bool = False) -> int:
    """Permissions a normally created file (0666) or folder (0777) would get under the umask;
    ``tempfile`` creates 0600 files and 0700 folders, which would make shared reports private."""
    return (0o777 if is_dir else 0o666) & ~_umask()


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (readers see the old file or the whole new one)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, default_mode())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically.

    A character UTF-8 cannot encode (the lone surrogate Python uses for a file-name byte that
    is not UTF-8) is written as its ``\\udcNN`` escape instead of raising, so one odd file
    name can never stop a report, ``errors.json`` or an index from being written; in JSON
    that escape reads back as the same string. Paths meant to be shown go through
    :func:`vidtools.names.display` first.
    """
    return atomic_write_bytes(path, text.encode("utf-8", "backslashreplace"))


TEMP_MARKS = (".partial-", ".old-")
"""What the hidden names of work in progress contain: a report folder being assembled
(``.<name>.partial-XXXX``), a replaced one about to be deleted (``.<name>.old-XXXX``); files being
written atomically are ``.<name>.XXXX.tmp``."""


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file or folder that vidtools leaves only when it is killed
    mid-write; no reader may take one for a report."""
    return name.startswith(".") and (any(m in name for m in TEMP_MARKS) or name.endswith(".tmp"))
