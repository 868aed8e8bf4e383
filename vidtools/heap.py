"""The process heap: keep the resident size from creeping up with clip length (glibc heap
trimming), and keep the cyclic garbage collector off the frameworks' objects.

Decoded frames are 1-25 MB buffers that glibc keeps in its heap after they are freed, so the
resident size grows with clip length although no frame is held (measured: 1327 -> 1412 MB from
40 s to 130 s of a clip). Trimming after every batch costs ~12 % speed, so :class:`HeapGuard`
trims (glibc ``malloc_trim``) only when the resident size is ``slack_mb`` above its level after
the first batches. It does nothing where glibc or ``/proc`` are absent.
"""

from __future__ import annotations

import gc
import os


class HeapGuard:
    """Call :meth:`check` once per detector batch.

    Args:
        slack_mb: Growth over the warm level (MB) that triggers a trim.
        warmup: Batches to skip before the warm level is taken.
    """

    def __init__(self, slack_mb: int = 256, warmup: int = 4) -> None:
        self._trim = None
        try:
            import ctypes

            self._trim = ctypes.CDLL("libc.so.6").malloc_trim
            self._page = os.sysconf("SC_PAGE_SIZE")
        except (OSError, AttributeError, ValueError):
            self._trim = None
        self._slack = slack_mb << 20
        self._warmup = warmup
        self._base: int | None = None
        self.trims = 0
        """How many times the heap was trimmed."""

    def _rss(self) -> int:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * self._page

    def check(self) -> None:
        """Trim the heap when the resident size has grown ``slack_mb`` past its warm level."""
        if self._trim is None:
            return
        if self._warmup > 0:
            self._warmup -= 1
            return
        try:
            rss = self._rss()
        except OSError:
            self._trim = None
            return
        if self._base is None:
            self._base = rss
        elif rss > self._base + self._slack:
            self._trim(0)
            self.trims += 1


def freeze_startup_objects() -> None:
    """Exempt every object alive now from the cyclic garbage collector (:func:`gc.freeze`).

    For a process that owns its heap and has just finished starting up (the ``vidtools`` command
    once its model is loaded; it freezes again before it exits). Importing torch, torchvision and
    ultralytics leaves ~400 000 long-lived objects; every full (generation-2) collection walks all
    of them (0.2-0.4 s each here, about 7 in a 10 s clip) and the interpreter's collections at exit
    took ~2 s more. Frozen objects are still freed by reference counting; only cycles among them
    are never collected, so a library call or a notebook must not do this.
    """
    gc.freeze()
