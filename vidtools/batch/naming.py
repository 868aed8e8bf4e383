"""Report folder names that are safe on every file system and unique within an output folder,
and paths shown as text whatever bytes they hold.

A clip's folder is ``OUT/<name>/``, where ``name`` comes from the file's stem: letters and digits
of any script, ``_``, ``-``, ``.`` and ``+`` are kept, anything else (spaces, quotes, slashes,
control characters, bytes that are not UTF-8) becomes ``_``; leading dots and dashes are dropped
(no hidden folders, nothing a shell takes for an option) and the name is cut to
:data:`MAX_NAME_BYTES` so that the writer's temporary ``.<name>.partial-XXXXXXXX`` fits the
255-byte limit of a file name. The exact original path is kept in the manifest and the report.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence

MAX_NAME_BYTES = 120
"""Longest folder name in UTF-8 bytes (255 minus room for the temporary names around it)."""

_UNSAFE = re.compile(r"[^\w.+\-]+")
_RUNS = re.compile(r"_{2,}")
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))]
)

PathLike = str | bytes | os.PathLike


def path_bytes(path: PathLike) -> bytes:
    """The exact bytes of ``path`` as the OS knows it (undoes Python's surrogate escapes)."""
    return os.fsencode(path)


def clip_key(path: PathLike) -> bytes:
    """Identity of a clip within a batch and across runs: its absolute path, as bytes."""
    return os.path.abspath(path_bytes(path))


def safe_text(text: str) -> str:
    """``text`` with any undecodable bytes (surrogate escapes) written as ``\\xNN``, so it can be
    printed, put in JSON and encoded as UTF-8 without error."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def display_path(path: PathLike) -> str:
    """``path`` as printable text: UTF-8 decoded, any other byte written as ``\\xNN``."""
    return path_bytes(path).decode("utf-8", "backslashreplace")


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_stem(path: PathLike) -> str:
    """The folder name a clip would get on its own: its stem made safe (see the module doc)."""
    base = os.path.basename(path_bytes(path).rstrip(b"/"))
    stem, _ = os.path.splitext(base)
    text = unicodedata.normalize("NFC", (stem or base).decode("utf-8", "replace"))
    text = _RUNS.sub("_", _UNSAFE.sub("_", text)).lstrip("._-+").rstrip("._")
    text = _cut(text, MAX_NAME_BYTES).rstrip("._")
    if not text:
        return "clip"
    return f"{text}_" if text.casefold() in _WINDOWS_RESERVED else text


def _numbered(name: str, n: int) -> str:
    suffix = f"-{n}"
    return _cut(name, MAX_NAME_BYTES - len(suffix)) + suffix


def clip_dir_names(paths: Sequence[PathLike], assigned: Mapping[bytes, str] | None = None) -> list[str]:
    """One report folder name per clip, unique within the output folder.

    A clip keeps the folder it was given before (``assigned``, from the manifest), and no clip
    takes a folder that belongs to another one. Otherwise a clip gets its safe stem, and when that
    is taken, the first free ``stem-2``, ``stem-3``, ... that is not some other clip's own stem
    (``dupe.mkv``, ``dupe.avi``, ``dupe-2.avi`` -> ``dupe``, ``dupe-3``, ``dupe-2``). Names are
    compared case-insensitively, as macOS and Windows file systems do.

    Args:
        paths: Clips, in order (the same clip given twice gets two folders; the batch drops
            duplicates before naming).
        assigned: Absolute path bytes (:func:`clip_key`) -> folder, from earlier runs.

    Returns:
        Folder names, one per path.
    """
    assigned = assigned or {}
    keys = [clip_key(p) for p in paths]
    names: list[str | None] = [None] * len(paths)
    taken: set[str] = set()
    for i, key in enumerate(keys):  # folders from earlier runs first
        folder = assigned.get(key)
        if folder and folder.casefold() not in taken:
            names[i] = folder
            taken.add(folder.casefold())
    taken |= {folder.casefold() for folder in assigned.values()}
    stems = [safe_stem(p) for p in paths]
    wanted = {stems[i].casefold() for i in range(len(paths)) if names[i] is None}
    for i, stem in enumerate(stems):
        if names[i] is not None:
            continue
        name, n = stem, 1
        while name.casefold() in taken or (n > 1 and name.casefold() in wanted):
            n += 1
            name = _numbered(stem, n)
        names[i] = name
        taken.add(name.casefold())
    return [n for n in names if n is not None]
