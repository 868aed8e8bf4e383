"""Any path the OS accepts can be shown, printed and stored: names.display / path_record."""

from __future__ import annotations

import json
import os

import pytest

from vidtools.names import display, path_from_record, path_record

LATIN1 = os.fsdecode(b"/clips/caf\xe9 \xff.mp4")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("/clips/plain name.mp4", "/clips/plain name.mp4"),
        ("/clips/ünïcödé Кадр 🎥.mp4", "/clips/ünïcödé Кадр 🎥.mp4"),
        (LATIN1, "/clips/caf\\xe9 \\xff.mp4"),
        ("/clips/new\nline\t.mp4", "/clips/new\\nline\\t.mp4"),
        ("/clips/bell\x07\x1b[31m.mp4", "/clips/bell\\x07\\x1b[31m.mp4"),
        ("/clips/clip\u202egpj.mp4", "/clips/clip\\u202egpj.mp4"),
        (b"/clips/caf\xe9.mp4", "/clips/caf\\xe9.mp4"),
    ],
)
def test_display_is_printable_single_line_utf8(raw, shown):
    text = display(raw)
    assert text == shown
    text.encode("utf-8")  # never raises
    assert "\n" not in text


@pytest.mark.parametrize("raw", ["/a/plain.mp4", LATIN1, "/a/new\nline.mp4", "/a/\u202e.mp4", "/a/-dash.mp4"])
def test_path_record_round_trips_through_json(raw):
    record = path_record(raw)
    assert record["path"] == display(raw)
    assert ("path_bytes_hex" in record) == (display(raw) != raw)
    back = json.loads(json.dumps(record, ensure_ascii=False).encode("utf-8"))
    assert path_from_record(back) == raw
    assert os.fsencode(path_from_record(back)) == os.fsencode(raw)
