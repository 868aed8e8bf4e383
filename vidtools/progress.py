"""Progress on stderr (frames within a clip, clips within a batch); silent when quiet."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A tqdm bar on stderr, or nothing when ``quiet``.

    Args:
        total: Expected number of steps (None = unknown).
        desc: Label (e.g. the clip name).
        unit: ``frame`` or ``clip``.
        quiet: Disable output.
    """

    def __init__(self, total: int | None, desc: str, unit: str, quiet: bool) -> None:
        self._bar: Any = None
        if not quiet:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)

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
