"""Progress on stderr (frames within a clip, clips within a batch); silent when quiet.

Messages printed while bars are drawn go through :meth:`Progress.write` (or the logging
:class:`LineSafeHandler`), which clears the bars, prints the message on a line of its own and
draws the bars again, so an error line is never glued to the end of a bar.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from vidtools.names import display


class Progress:
    """A tqdm bar on stderr, or nothing when ``quiet``.

    Args:
        total: Expected number of steps (None = unknown).
        desc: Label (e.g. the clip name; shown escaped, see :func:`vidtools.names.display`).
        unit: ``frame`` or ``clip``.
        quiet: Disable output.
    """

    def __init__(self, total: int | None, desc: str, unit: str, quiet: bool) -> None:
        self._bar: Any = None
        if not quiet:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=display(desc), unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)

    @staticmethod
    def write(text: str) -> None:
        """Print text on stderr starting on a line of its own, even while any bar is drawn
        (each of its lines shown with :func:`vidtools.names.display`).

        In a terminal the bars are cleared, the text printed and the bars drawn again. When
        stderr is a file or a pipe (a log), clearing is only a carriage return there, so a
        newline is written first while bars are up: the text never continues a bar's line.
        """
        from tqdm import tqdm

        shown = "\n".join(display(line) for line in text.split("\n"))
        bars_up = any(not getattr(b, "disable", True) for b in list(getattr(tqdm, "_instances", ())))
        if bars_up and not _isatty(sys.stderr):
            shown = "\n" + shown
        tqdm.write(shown, file=sys.stderr)

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class LineSafeHandler(logging.Handler):
    """A logging handler that prints each record through :meth:`Progress.write`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            Progress.write(self.format(record))
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)
