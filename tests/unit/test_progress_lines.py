"""Error lines start on a line of their own while progress bars are drawn (log files included)."""

from __future__ import annotations

import logging

from vidtools import cli
from vidtools.progress import LineSafeHandler, Progress


def test_error_line_never_continues_a_bar_line(capsys):
    with Progress(100, "clips", "clip", quiet=False) as outer, Progress(50, "clip.mp4", "frame", quiet=False) as inner:
        outer.update(3)
        inner.update(7)
        cli._err("/x/clip.mp4: not a readable video")
        inner.update(1)
        logging.getLogger("vidtools.test").addHandler(handler := LineSafeHandler())
        try:
            logging.getLogger("vidtools.test").warning("a log record")
        finally:
            logging.getLogger("vidtools.test").removeHandler(handler)
    err = capsys.readouterr().err
    assert "clip.mp4:" in err and "3/100" in err, "the bars were drawn"
    for needle in ("vidtools: error: /x/clip.mp4: not a readable video\n", "a log record\n"):
        at = err.index(needle)
        assert at == 0 or err[at - 1] == "\n", repr(err[max(0, at - 40): at + 10])


def test_error_line_escapes_what_a_terminal_would_misread(capsys):
    cli._err("/x/caf\udce9\nbad\u202e.mp4: file not found")
    err = capsys.readouterr().err
    assert err == "vidtools: error: /x/caf\\xe9\\nbad\\u202e.mp4: file not found\n"


def test_quiet_progress_draws_nothing_but_errors_still_print(capsys):
    with Progress(10, "clip.mp4", "frame", quiet=True) as bar:
        bar.update(5)
        cli._err("boom")
    assert capsys.readouterr().err == "vidtools: error: boom\n"
