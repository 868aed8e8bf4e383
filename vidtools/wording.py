"""Small wording helpers shared by the report texts."""

from __future__ import annotations


def plural(n: int, noun: str) -> str:
    """``"1 track"``, ``"2 tracks"``: a count with its noun (regular English plural)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
