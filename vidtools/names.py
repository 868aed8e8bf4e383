"""File names as text: any path the OS accepts can be shown, printed and stored in JSON.

POSIX file names are bytes. Python turns bytes that are not UTF-8 into lone surrogates
(``os.fsdecode``), which cannot be encoded again: printing such a name or writing it to a UTF-8
JSON file raises ``UnicodeEncodeError``. Names may also hold control characters (a newline
breaks a one-line error message) and bidirectional-text controls (which can make a name display
as something else). Everywhere a path is *shown* or *stored as text*, vidtools uses
:func:`display`; where it is stored, :func:`path_record` adds the exact bytes whenever the text
is not the name itself, and :func:`path_from_record` gets the real path back.

Decision: a non-UTF-8 byte is shown as ``\\xNN`` (``caf\\xe9.mp4`` for Latin-1 ``café.mp4``),
a control character as ``\\n``, ``\\t``, ``\\xNN`` or ``\\uNNNN``; the exact name is kept as
``path_bytes_hex`` (hex of the bytes) beside ``path``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

# C0 / DEL / C1 controls, line and paragraph separators, bidirectional embedding / override /
# isolate controls, and the surrogates that stand for undecodable bytes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    c = m.group(0)
    code = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display(text: str | os.PathLike[Any]) -> str:
    """A path (or a message holding one) as printable, UTF-8-encodable, single-line text.

    Undecodable bytes become ``\\xNN``; control and bidi characters become escapes; everything
    else (spaces, accents, any script) is kept as it is.
    """
    s = os.fspath(text)
    if isinstance(s, bytes):
        s = os.fsdecode(s)
    return _UNSAFE.sub(_escape, s)


def path_record(path: str | os.PathLike[Any], key: str = "path") -> dict[str, str]:
    """``{key: display text}``, plus ``{key}_bytes_hex`` (the exact name) when the text differs
    from the name, so a JSON report never loses or garbles a file name."""
    raw = os.fspath(path)
    text = display(raw)
    out = {key: text}
    if text != (os.fsdecode(raw) if isinstance(raw, bytes) else raw):
        out[f"{key}_bytes_hex"] = os.fsencode(raw).hex()
    return out


def os_path(text: str, bytes_hex: str | None) -> str:
    """The real path behind a shown ``text`` and its kept ``bytes_hex`` (see :func:`path_record`)."""
    return os.fsdecode(bytes.fromhex(bytes_hex)) if bytes_hex else text


def path_from_record(record: Mapping[str, Any], key: str = "path") -> str:
    """The real path stored by :func:`path_record` (the exact bytes when they were kept)."""
    return os_path(str(record[key]), record.get(f"{key}_bytes_hex"))
