"""Split a text into the segments claims are read from: headline, caption, list lines, sentences.

Spans are character offsets into the text (end exclusive). Nothing here knows about claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SEGMENT_KINDS = ("headline", "caption", "header", "list_item", "sentence")

_ABBREVIATIONS = {
    "lt", "col", "gen", "maj", "capt", "cpt", "sgt", "cpl", "pvt", "mr", "mrs", "ms", "dr", "st", "no", "approx",
    "e.g", "i.e", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "a.m", "p.m", "gov", "adm", "brig", "pres", "prof", "rep", "sen", "etc",
}  # fmt: skip
_SENT_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_LAST_WORD_RE = re.compile(r"([\w.\-]+)$")
_CAPTION_RE = re.compile(r"^\W{0,3}(?:video\s+caption|video|caption|photo|watch|footage)\s*[:—–-]", re.IGNORECASE)
_BULLET_RE = re.compile(r"^\s*(?:[-*•–—▪►✅🔥🎯💥⚡️➖]|\d+[.)]\s)")
_WRAP_MIN = 60
"""A line at least this long that does not end a sentence is taken as wrapped prose."""


@dataclass(frozen=True)
class Segment:
    """A sentence, a list line, a headline or a caption.

    Attributes:
        start, end: Character span in the text (whitespace trimmed).
        kind: One of :data:`SEGMENT_KINDS`: ``header`` is a line ending in ":" that introduces
            a list (its outcome, claimant and cues apply to the list's lines).
        paragraph: Index of the paragraph (blocks separated by blank lines).
        header: Index (into the segment tuple) of the header that governs this list line, or None.
    """

    start: int
    end: int
    kind: str
    paragraph: int
    header: int | None = None


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None


def _paragraphs(text: str) -> list[list[tuple[int, int]]]:
    """Lines (spans, trimmed) grouped by blank lines."""
    paras: list[list[tuple[int, int]]] = [[]]
    pos = 0
    for line in text.splitlines(keepends=True):
        span = _trim(text, pos, pos + len(line))
        pos += len(line)
        if span is None:
            if paras[-1]:
                paras.append([])
            continue
        paras[-1].append(span)
    return [p for p in paras if p]


def _sentences(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = a
    for m in _SENT_END_RE.finditer(text, a, b):
        if m.group().startswith("."):
            word = _LAST_WORD_RE.search(text, max(start, m.start() - 40), m.start())
            w = word.group(1).lower() if word else ""
            if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                continue
        nxt = re.compile(r"\s*(\S)").match(text, m.end(), b)
        if nxt and nxt.group(1).islower():
            continue
        span = _trim(text, start, m.end())
        if span:
            out.append(span)
        start = m.end()
    span = _trim(text, start, b)
    if span:
        out.append(span)
    return out


def _is_list_line(text: str, span: tuple[int, int]) -> bool:
    line = text[span[0] : span[1]]
    return (len(line) < 100 and bool(re.search(r"\d", line)) and not line.rstrip().endswith((".", "!", "?"))) or bool(
        _BULLET_RE.match(line)
    )


def segments(text: str) -> tuple[Segment, ...]:
    """The segments of ``text`` in order.

    The first paragraph is a headline when it is one line that does not end a sentence with a
    full stop; so is the first line of a first paragraph of several lines when it ends with no
    punctuation and the next line starts a sentence (a headline pasted above its article). Lines that start with "Video:", "Caption:" ... are captions. A paragraph whose lines
    are short list lines ("tanks — 3 (+1)", "🎯 2 tanks", "Personnel: 412") gives one segment per
    line, governed by the line ending in ":" just before the list (a header). Other paragraphs are
    split into sentences (wrapped lines are joined; a short line ends a sentence).
    """
    out: list[Segment] = []
    last_header: int | None = None
    for pi, lines in enumerate(_paragraphs(text)):
        first = text[lines[0][0] : lines[0][1]]
        if pi == 0 and len(lines) == 1 and not first.endswith((".", ":")) and len(first) < 200:
            out.append(Segment(lines[0][0], lines[0][1], "headline", pi))
            continue
        if (pi == 0 and len(lines) > 1 and not first.endswith((".", ":", "!", "?", ",", ";")) and len(first) < 200
                and not _BULLET_RE.match(first) and not re.search(r"[—‒–:=]\s*\(?\+?\d", first) and len(first) >= 30
                and text[lines[1][0]].isupper()):  # fmt: skip
            out.append(Segment(lines[0][0], lines[0][1], "headline", pi))  # a headline pasted above its article
            lines = lines[1:]
        list_lines = [s for s in lines if _is_list_line(text, s)]
        if len(lines) >= 2 and len(list_lines) >= max(2, len(lines) - 1):
            header = last_header
            for s in lines:
                line = text[s[0] : s[1]]
                if line.endswith(":") and not _is_list_line(text, s):
                    out.append(Segment(s[0], s[1], "header", pi))
                    header = len(out) - 1
                    continue
                out.append(Segment(s[0], s[1], "list_item", pi, header))
            last_header = None
            continue
        last_header = None
        # join wrapped lines; a short line (or one ending a sentence) closes a block
        blocks: list[tuple[int, int]] = []
        bstart = lines[0][0]
        for i, s in enumerate(lines):
            line = text[s[0] : s[1]]
            last = i == len(lines) - 1
            if last or len(line) < _WRAP_MIN or line.endswith((".", "!", "?", ":")) or _CAPTION_RE.match(line):
                blocks.append((bstart, s[1]))
                if not last:
                    bstart = lines[i + 1][0]
        for a, b in blocks:
            caption = bool(_CAPTION_RE.match(text[a:b]))
            for sa, sb in _sentences(text, a, b):
                kind = "caption" if caption else "sentence"
                if text[sa:sb].endswith(":") and sb == b:
                    kind = "header"
                out.append(Segment(sa, sb, kind, pi))
                if kind == "header":
                    last_header = len(out) - 1
    return tuple(out)
