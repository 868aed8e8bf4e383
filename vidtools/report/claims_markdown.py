"""Claim checks as a Markdown table, and the comparison files (``<stem>.md`` + ``<stem>.json``).

The cells use :mod:`vidtools.claims.format`, the same wording as the HTML report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from vidtools.claims.format import claim_source, claimed_text
from vidtools.claims.model import ClaimCheck
from vidtools.claims.schema import checks_to_json
from vidtools.io import atomic_write_text


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def checks_to_markdown(checks: Sequence[ClaimCheck], *, include_background: bool = False) -> str:
    """A Markdown table: #, claim, claimed, observed, verdict, reason.

    Args:
        checks: From :func:`vidtools.claims.compare`.
        include_background: List background figures as rows too (by default a line under the
            table counts them).
    """
    lines = ["| # | Claim | Claimed | Observed | Verdict | Reason |", "|---|---|---|---|---|---|"]
    n_background = 0
    for i, ch in enumerate(checks, 1):
        c = ch.claim
        if ch.verdict == "background" and not include_background:
            n_background += 1
            continue
        who = claim_source(c)
        text = (f"“{c.text}”" if c.text else claimed_text(c)) + (f" — {who}" if who else "")
        observed = ch.observed.summary if ch.observed is not None else "—"
        lines.append(f"| {c.id or i} | {_cell(text)} | {_cell(claimed_text(c))} | {_cell(observed)} | "
                     f"{_cell(ch.verdict)} | {_cell(ch.reason)} |")  # fmt: skip
    out = "\n".join(lines) + "\n"
    if n_background:
        s = "s" if n_background != 1 else ""
        out += (f"\n{n_background} background figure{s} (totals since a date, deployments, dates, measures, ...) "
                f"{'was' if n_background == 1 else 'were'} not compared.\n")  # fmt: skip
    return out


def write_checks(
    checks: Sequence[ClaimCheck], out_dir: str | os.PathLike[str], *, stem: str = "claims_check"
) -> dict[str, Path]:
    """Write ``<stem>.md`` and ``<stem>.json`` into ``out_dir`` (created if needed), each atomically.

    Returns:
        ``{"markdown": path, "json": path}``.
    """
    d = Path(out_dir)
    md, js = d / f"{stem}.md", d / f"{stem}.json"
    atomic_write_text(md, checks_to_markdown(checks))
    atomic_write_text(js, json.dumps(checks_to_json(checks), indent=2, ensure_ascii=False) + "\n")
    return {"markdown": md, "json": js}
