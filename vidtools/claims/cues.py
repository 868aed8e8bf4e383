"""Background cues: the words that make a number a background figure rather than a claim about the event.

A cue covers the clause it stands in; a cue that opens a sentence ("Since August, ...", "In total
since 24.02.2022, ...", "Last year ...") covers the whole sentence. Measures, durations and
money are read from the words right beside the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
           r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")  # fmt: skip
_N = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|few|several|many)"

_SCOPE_CUES: list[tuple[str, str]] = [
    ("cumulative_total", (
     r"\bin\s+total\b|\btotal\s+(?:combat\s+)?loss(?:es)?\b|\boverall\s+loss(?:es)?\b|\baltogether\b|\bcumulative\b|"
     r"\b(?:bringing|taking|raising)\s+(?:the|its|their|his|her)\s+(?:total|tally|count)\b|\bthe\s+total\s+(?:number|count|tally)\b|"
     r"\bsince\s+the\s+(?:very\s+)?(?:beginning|start|outset)\s+of\s+(?:the\s+)?(?:full[-\s]scale\s+)?"
     r"(?:special\s+military\s+operation|invasion|war|SMO)\b|\bfrom\s+24\.02\.(?:20)?22\b|\bsince\s+24\.02\.(?:20)?22\b|"
     r"\bsince\s+(?:24\s+February|February\s+24)(?:,?\s+2022)?\b|\bsince\s+the\s+(?:full[-\s]scale\s+)?invasion\b")),
    ("other_event", (
     r"\b(?:a|two|three|several|\d+)\s+(?:days?|weeks?|months?|years?)\s+ago\b|\bpreviously\b|\bearlier\s+this\s+(?:year|month|week)\b|"
     r"\bthe\s+(?:previous|preceding)\s+(?:day|week|month|year)\b|\bin\s+(?:a|an)\s+(?:previous|earlier|similar)\s+\w+|"
     r"\bthe\s+day\s+before\b|\b(?:days|weeks|months)\s+earlier\b")),
    ("time_scope", (
     r"\bsince\b|\bso\s+far\b|\bto\s+date\b|\bthus\s+far\b|\bup\s+to\s+now\b|"
     r"\b(?:this|last|past|previous)\s+(?:year|month|week|summer|winter|spring|autumn|fall)\b|"
     r"\bin\s+recent\s+(?:days|weeks|months|years)\b|\brecent\s+(?:weeks|months)\b|"
     rf"\bover\s+the\s+(?:past|last|previous)\s+(?:{_N}\s+)?(?:weeks?|months?|years?)\b|"
     r"\bover\s+the\s+(?:past|last)\s+(?:four|five|six|seven|eight|nine|ten|several|few|\d{2,}|[4-9])\s+days\b|"
     r"\b(?:on\s+)?average\b|\bper\s+(?:day|week|month)\b|(?<!in\s)(?<!within\s)(?<!during\s)\b(?:a|each|every)\s+(?:day|week|month)\b|"
     r"\bdaily\b(?!\s+(?:report|update|summary|figures|bulletin|briefing|losses))|"
     rf"\b(?:in|during|throughout|for)\s+(?:early\s+|late\s+|mid-)?{_MONTHS}\b(?!\s+\d{{1,2}}\b)|"
     r"\b(?:in|during|throughout)\s+(?:19|20)\d{2}\b|\bthroughout\s+the\s+(?:war|year|month|campaign)\b|"
     r"\b(?:during|in)\s+the\s+(?:whole|entire)\s+(?:war|year|month)\b|\bthis\s+year\b")),
    ("deployment", (
     r"\b(?:deploy(?:s|ed|ing)?|re-?deploy\w*|amass(?:ed|es|ing)?|mass(?:ed|es|ing)|concentrat(?:ed|es|ing)|"
     r"station(?:ed|s|ing)|keeps?|kept|field(?:s|ed|ing)|receiv(?:ed|es|e|ing)|deliver(?:ed|s|y|ies|ing)?|"
     r"suppl(?:y|ied|ies|ying)|provid(?:e|es|ed|ing)|includes|included|consist(?:s|ed|ing)?\s+of|"
     r"train(?:ed|s|ing)|produc(?:ed|es|e|ing)|manufactur(?:ed|es|e|ing)|make|makes|reinforc(?:ed|es|e|ing)|"
     r"numbering|numbered|grouping|contingent|garrison|strength|sen(?:d|ds|t)|thrown|threw|throws?|transferr?(?:ed|ing|s)?|"
     r"has\s+(?=(?:about|some|around|over|more\s+than|at\s+least|up\s+to|nearly|\d))|have\s+(?=(?:about|some|around|over|\d))|"
     r"to\s+have|believed\s+to\s+have|in\s+reserve|on\s+standby|in\s+uniform|under\s+arms|mobili[sz]\w*|"
     r"recruit(?:ed|ing)|enlist\w*|buy|buys|bought|purchas\w+|order(?:ed|s)|plans?\s+to|planned|will|next\s+(?:year|month|week)|"
     r"asked|asks|request(?:ed|s|ing)?|seek(?:s|ing)?|sought|needs?|wants?|pledged|promised|employ(?:s|ed|ing)?|"
     r"workforce|staff\s+of)\b")),
]  # fmt: skip
_SCOPE_RES = [(kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _SCOPE_CUES]
_RECORD_RE = re.compile(r"\b(?:highest|lowest|largest|biggest|heaviest|most|worst|best|first|record)\b(?:\W+\w+){0,4}\W*$",
                        re.IGNORECASE)  # fmt: skip
_CLAUSE_SPLIT_RE = re.compile(
    r";|:\s|\s[—–]\s|,\s*(?=(?:while|whereas|but|bringing|taking|raising|and|which|as|although|though|adding)\b)|\(",
    re.IGNORECASE,
)

_UNIT_RIGHT: list[tuple[str, re.Pattern[str]]] = [
    ("measure", re.compile(r"^(?:-|\s+)years?(?:-|\s+)old\b", re.IGNORECASE)),
    ("measure", re.compile(r"^(?:-|\s+)(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)\b",
                           re.IGNORECASE)),
    ("measure", re.compile(r"^\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)),
    ("measure", re.compile(r"^\s*(?:(?:million|billion|thousand)\s+)?(?:dollars|euros?|pounds|hryvnias?|roubles?|rubles?|"
                           r"USD|EUR|UAH|RUB)\b", re.IGNORECASE)),
    ("measure", re.compile(r"^(?:-|\s*)(?:km/h|kph|mph|km|kilomet(?:er|re)s?|mi|miles?|m|met(?:er|re)s?|mm|millimet(?:er|re)s?|"
                           r"cm|kg|kilograms?|tons?|tonnes?|knots|feet|ft|calibre|caliber|degrees|°C?)(?!\w)", re.IGNORECASE)),
    ("deployment", re.compile(r"^-(?:strong|member|person)\b", re.IGNORECASE)),
]  # fmt: skip
_UNIT_LEFT = re.compile(r"(?:[$€£₴₽]|USD|EUR|UAH)\s*$")


@dataclass(frozen=True)
class ScopeCue:
    """A background cue found in a segment.

    Attributes:
        kind: ``cumulative_total``, ``time_scope``, ``other_event`` or ``deployment``.
        start, end: Its span.
        clause: Span of the clause it covers (the whole segment when it opens the sentence).
    """

    kind: str
    start: int
    end: int
    clause: tuple[int, int]


def clauses(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """Clause spans of a segment, split at ";", a spaced dash, "(" and ", while / but / and ..."."""
    out = []
    a = start
    for m in _CLAUSE_SPLIT_RE.finditer(text, start, end):
        out.append((a, m.start()))
        a = m.end()
    out.append((a, end))
    return tuple(out)


def scope_cues(text: str, start: int, end: int, first_number: int | None) -> tuple[ScopeCue, ...]:
    """Background cues of the segment ``text[start:end]``.

    Args:
        first_number: Start of the segment's first number; a scope cue before it (not a
            deployment verb) covers the rest of the segment.
    """
    parts = clauses(text, start, end)
    out: list[ScopeCue] = []
    for kind, rx in _SCOPE_RES:
        for m in rx.finditer(text, start, end):
            if any(c.start <= m.start() < c.end for c in out):
                continue
            if kind in ("time_scope", "cumulative_total") and _RECORD_RE.search(text, max(start, m.start() - 50), m.start()):
                continue  # "the highest daily figure since the invasion began": a comparison, not a scope
            clause = next((c for c in parts if c[0] <= m.start() < c[1] + 1), (start, end))
            fronted = kind != "deployment" and first_number is not None and m.end() <= first_number
            out.append(ScopeCue(kind, m.start(), m.end(), (m.start(), end) if fronted else clause))
    return tuple(sorted(out, key=lambda c: c.start))


def unit_cue(text: str, num_start: int, num_end: int) -> tuple[str, int] | None:
    """``(kind, end)`` when the number is a measure, duration, percentage or money ("7 km", "$3,000",
    "36 hours") or a strength ("1,500-strong"); ``end`` is where the unit ends."""
    right = text[num_end : num_end + 40]
    for kind, rx in _UNIT_RIGHT:
        m = rx.match(right)
        if m:
            return kind, num_end + m.end()
    if _UNIT_LEFT.search(text[max(0, num_start - 5) : num_start]):
        return "measure", num_end
    return None
