"""Background cues: the words that make a number a background figure rather than a claim about the event.

A cue covers the clause it stands in; a cue that opens a sentence ("Since August, ...", "In total
since 24.02.2022, ...", "Last year ...") covers the whole sentence. Measures, durations and
money are read from the words right beside the number.

* A date range longer than a day or night ("between 24th February 2022 and 6th April 2023",
  "between January 8 and 15") is a scope (a cumulative total when it starts on 24 February 2022).
  "Earlier, ..." and "As Ukrinform reported, ..." open an earlier, separate event.
* "In total", "a total of", "altogether", "the total number" alone say only that figures are added
  up: in a report of one day or night ("over the past day", "overnight") they are the day's total
  and no cue ("The total number of Russian casualties reached 561").
* A sentence that points back to the previous one's period ("During this period Russia also lost",
  "In addition, the occupiers lost", "Further, ... have also lost", a running total "more than 288
  tanks have been captured") carries that sentence's scope when every figure of that sentence was a
  background figure (the caller passes it as ``carried``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
           r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")  # fmt: skip
_N = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|few|several|many)"

_SCOPE_CUES: list[tuple[str, str]] = [
    ("cumulative_total", (
     r"\btotal\s+(?:combat\s+)?loss(?:es)?\b|\boverall\s+loss(?:es)?\b|\bcumulative\b|"
     r"\b(?:bringing|taking|raising)\s+(?:the|its|their|his|her)\s+(?:total|tally|count)\b|"
     r"\bsince\s+the\s+(?:very\s+)?(?:beginning|start|outset)\s+of\s+(?:the\s+)?(?:full[-\s]scale\s+)?"
     r"(?:special\s+military\s+operation|invasion|war|SMO)\b|\bfrom\s+24\.02\.(?:20)?22\b|\bsince\s+24\.02\.(?:20)?22\b|"
     r"\bsince\s+(?:24\s+February|February\s+24)(?:,?\s+2022)?\b|\bsince\s+the\s+(?:full[-\s]scale\s+)?invasion\b|"
     r"\b(?:is|are|was|were|been)\s+credited\s+with\b|"
     rf"\bas\s+of\s+(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|{_MONTHS}\.?\s+\d|\d{{1,2}}\s+{_MONTHS}\b)")),
    ("other_event", (
     r"\b(?:a|two|three|several|\d+)\s+(?:days?|weeks?|months?|years?)\s+ago\b|\bpreviously\b|\bearlier\s+this\s+(?:year|month|week)\b|"
     r"\bthe\s+(?:previous|preceding)\s+(?:day|week|month|year)\b|\bin\s+(?:a|an)\s+(?:previous|earlier|similar)\s+\w+|"
     r"\bthe\s+day\s+before\b|\b(?:days|weeks|months)\s+earlier\b|"
     r"\b(?:comes?|came|coming)\s+(?:just\s+|only\s+)?(?:(?:a|one|two|three|four|five|several|a\s+few)\s+)?(?:days?|weeks?|hours?|months?)\s+after\b")),
    ("time_scope", (
     r"\bsince\b|\bso\s+far\b|\bto\s+date\b|\bthus\s+far\b|\bup\s+to\s+now\b|"
     r"\b(?:this|last|past|previous)\s+(?:year|month|week|summer|winter|spring|autumn|fall)\b|"
     r"\bin\s+recent\s+(?:days|weeks|months|years)\b|\brecent\s+(?:weeks|months)\b|"
     r"\b(?:during|in|over|after|within)\s+(?:a|one|two|three|four|five|six|several|\d+)\s+(?:months?|weeks?|years?)\s+of\b|"
     r"\bin\s+(?:a\s+|one\s+|the\s+past\s+|the\s+last\s+)?week\b|"
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
     r"to\s+have|believed\s+to\s+have|in\s+reserve|on\s+standby|in\s+uniform|under\s+arms|in\s+service|in\s+(?:its|their)\s+arsenal|"
     r"in\s+stock|mobili[sz]\w*|"
     r"recruit(?:ed|ing)|enlist\w*|buy|buys|bought|purchas\w+|order(?:ed|s)|plans?\s+to|planned|will|next\s+(?:year|month|week)|"
     r"asked|asks|request(?:ed|s|ing)?|seek(?:s|ing)?|sought|needs?|wants?|pledged|promised|employ(?:s|ed|ing)?|"
     r"workforce|(?<!General\s)staff\s+of)\b")),
]  # fmt: skip
_SCOPE_RES = [(kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _SCOPE_CUES]
_WEAK_TOTAL_RE = re.compile(r"\bin\s+total\b|\baltogether\b|\bthe\s+total\s+(?:number|count|tally)\b|\ba\s+total\s+of\b|"
                            r"\bin\s+all\b", re.IGNORECASE)  # fmt: skip
DAY_SCOPE_RE = re.compile(
    r"\b(?:over|in|during|for|within)\s+the\s+(?:past|last|previous)\s+(?:24\s+hours|day|night)\b|\bpast\s+24\s+hours\b|"
    r"\blast\s+24\s+hours\b|\bduring\s+the\s+(?:day|night)\b|\bovernight\b|\blast\s+night\b|\bthis\s+past\s+night\b|"
    r"\bin\s+(?:just\s+)?(?:one|a\s+single)\s+(?:day|night)\b|\bover\s+the\s+past\s+day\b|\bthe\s+past\s+day\b|\btoday\b",
    re.IGNORECASE,
)
"""Words that say a report covers one day or night (its totals are the day's, not cumulative)."""
_MONTH_NUM = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE_ALT = (rf"(?:(?P<d{{k}}a>\d{{{{1,2}}}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m{{k}}a>{_MONTHS})\.?(?:,?\s+(?P<y{{k}}a>\d{{{{4}}}}))?|"
             rf"(?P<m{{k}}b>{_MONTHS})\.?\s+(?P<d{{k}}b>\d{{{{1,2}}}})(?:st|nd|rd|th)?(?:,?\s+(?P<y{{k}}b>\d{{{{4}}}}))?|"
             r"(?P<d{k}c>\d{{1,2}})\.(?P<m{k}c>\d{{1,2}})\.(?P<y{k}c>\d{{2,4}}))")
_RANGE_RE = re.compile(rf"\b(?:between|from)\s+(?:the\s+)?{_DATE_ALT.format(k=1)}\s*(?:and|to|until|till|through|-|–)\s*(?:the\s+)?"
                       rf"(?:{_DATE_ALT.format(k=2)}|(?P<d2d>\d{{1,2}})(?:st|nd|rd|th)?\b)", re.IGNORECASE)  # fmt: skip
_CARRY_RE = re.compile(
    r"\b(?:during|over|in|for|throughout)\s+(?:this|that|the\s+same)\s+(?:period|time|timeframe|time\s+frame)\b|\bsince\s+then\b|"
    r"\balso\b|\b(?:has|have)\s+been\s+(?:\w+ed|\w+en)\b",
    re.IGNORECASE,
)
_CARRY_START_RE = re.compile(r"\W*(?P<w>in\s+addition|further(?:more)?|besides|moreover|additionally|in\s+this\s+line)\b",
                             re.IGNORECASE)  # fmt: skip
_EARLIER_RE = re.compile(r"\W*(?P<w>Earlier|Previously|As\s+(?:[\w'’\-]+\s+){0,3}(?:had\s+|has\s+)?(?:previously\s+)?reported)\s*,",
                         re.IGNORECASE)  # fmt: skip
_COMPOSITION_RE = re.compile(r"\b(?:column|convoy|group|assault|attack|formation|unit|force)s?\b[^.;]{0,40}$", re.IGNORECASE)
_RECORD_RE = re.compile(r"\b(?:highest|lowest|largest|biggest|heaviest|most|worst|best|first|record)\b(?:\W+\w+){0,4}\W*$",
                        re.IGNORECASE)  # fmt: skip
_CLAUSE_SPLIT_RE = re.compile(
    r";|:\s|\s[—–]\s|,\s*(?=(?:while|whereas|but|bringing|taking|raising|which|as|although|though|adding)\b)|"
     r",\s*(?=and\b(?!\s+(?:\d|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|dozens|hundreds)\b)))|\(|"
    r"\s+and\s+(?=that\b)",
    re.IGNORECASE,
)

_UNIT_RIGHT: list[tuple[str, re.Pattern[str]]] = [
    ("measure", re.compile(r"^(?:-|\s+)years?(?:-|\s+)old\b", re.IGNORECASE)),
    ("measure", re.compile(r"^(?:-|\s+)(?:storey|story|stories|storeys|floor|floors)\b", re.IGNORECASE)),
    ("measure", re.compile(r"^(?:-|\s+)(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)\b",
                           re.IGNORECASE)),
    ("measure", re.compile(r"^\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)),
    ("measure", re.compile(r"^\s*(?:(?:million|billion|thousand)\s+)?(?:dollars|euros?|pounds|hryvnias?|roubles?|rubles?|"
                           r"USD|EUR|UAH|RUB)\b", re.IGNORECASE)),
    ("measure", re.compile(r"^(?:-|\s*)(?:km/h|kph|mph|km|kilomet(?:er|re)s?|mi|miles?|m|met(?:er|re)s?|mm|millimet(?:er|re)s?|"
                           r"cm|kg|kilograms?|tons?|tonnes?|knots|feet|ft|calibre|caliber|degrees|°C?)(?!\w)", re.IGNORECASE)),
    ("deployment", re.compile(r"^-(?:strong|member|person)\b", re.IGNORECASE)),
]  # fmt: skip
_UNIT_LEFT = re.compile(r"(?:[$€£₴₽]|USD|EUR|UAH)\s*$|\baged\s+(?:\d+\s*(?:,|and|to|-|–)\s*)*$", re.IGNORECASE)
_AFFECTED_RE = re.compile(r"\s+(?:people|residents|households|homes|subscribers|consumers)?\s*(?:were\s+)?(?:left\s+)?without\s+"
                          r"(?:power|electricity|water|heat|heating|gas|light)\b", re.IGNORECASE)  # fmt: skip


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


def _date(m: re.Match[str], k: int) -> tuple[int, int, int | None] | None:
    """``(day, month, year)`` of date ``k`` of a :data:`_RANGE_RE` match."""
    if k == 2 and m.group("d2d") is not None:  # "between January 8 and 15": the first date's month
        first = _date(m, 1)
        return (int(m.group("d2d")), first[1], first[2]) if first else None
    for v in "abc":
        d, mo, y = m.group(f"d{k}{v}"), m.group(f"m{k}{v}"), m.group(f"y{k}{v}")
        if d is None:
            continue
        month = int(mo) if mo.isdigit() else _MONTH_NUM.get(mo[:3].lower(), 0)
        year = (2000 + int(y) if len(y) == 2 else int(y)) if y else None
        return int(d), month, year
    return None


def _range_cues(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Date ranges longer than a day or night: ``(kind, start, end)``."""
    out = []
    for m in _RANGE_RE.finditer(text, start, end):
        a, b = _date(m, 1), _date(m, 2)
        if a is None or b is None or not (1 <= a[1] <= 12 and 1 <= b[1] <= 12):
            continue
        ya = a[2] if a[2] is not None else (b[2] or 2000)
        yb = b[2] if b[2] is not None else ya
        days = (yb - ya) * 365 + (b[1] - a[1]) * 30 + (b[0] - a[0])
        if days > 1:  # a night is one date or two; "between January 8 and 15" is a week's results
            kind = "cumulative_total" if (a[0], a[1]) == (24, 2) and ya in (2022, 2000) else "time_scope"
            out.append((kind, m.start(), m.end()))
    return out


def scope_cues(text: str, start: int, end: int, first_number: int | None, *, day_scope: bool = False,
               carried: str | None = None) -> tuple[ScopeCue, ...]:  # fmt: skip
    """Background cues of the segment ``text[start:end]``.

    Args:
        first_number: Start of the segment's first number; a scope cue before it (not a
            deployment verb) covers the rest of the segment.
        day_scope: The report around the segment covers one day or night ("over the past day",
            "overnight"): "in total" and the like are then the day's total, not a cue.
        carried: The background kind that covered every figure of the previous sentence; a
            sentence pointing back to it ("During this period", "In addition", "also") carries it.
    """
    parts = clauses(text, start, end)
    out: list[ScopeCue] = []
    hits: list[tuple[str, int, int]] = _range_cues(text, start, end)
    for kind, rx in _SCOPE_RES:
        hits += [(kind, m.start(), m.end()) for m in rx.finditer(text, start, end)]
    strong = any(k in ("cumulative_total", "time_scope") for k, _, _ in hits)
    own_day = DAY_SCOPE_RE.search(text, start, end) is not None
    if strong or not (day_scope or own_day):
        hits += [("cumulative_total", m.start(), m.end()) for m in _WEAK_TOTAL_RE.finditer(text, start, end)]
    if carried is not None and not strong and not own_day:
        c = _CARRY_START_RE.match(text, start, end)
        span = (c.start("w"), c.end("w")) if c is not None else None
        if span is None:
            c = _CARRY_RE.search(text, start, end)
            span = (c.start(), c.end()) if c is not None else None
        if span is not None:
            hits.append((carried, *span))
    earlier = _EARLIER_RE.match(text, start, end)
    if earlier is not None:  # "Earlier, the SBU destroyed ten tanks": another (earlier) event
        hits.append(("other_event", earlier.start("w"), earlier.end("w")))
    for kind, a, b in sorted(hits, key=lambda h: h[1]):
        if any(c.start <= a < c.end for c in out):
            continue
        if kind in ("time_scope", "cumulative_total") and _RECORD_RE.search(text, max(start, a - 50), a):
            continue  # "the highest daily figure since the invasion began": a comparison, not a scope
        if kind == "deployment" and text[a:b].lower().startswith("includ") and _COMPOSITION_RE.search(text, max(start, a - 60), a):
            continue  # "the column included three tanks": what the event's force was made of
        clause = next((c for c in parts if c[0] <= a < c[1] + 1), (start, end))
        fronted = kind != "deployment" and first_number is not None and b <= first_number
        out.append(ScopeCue(kind, a, b, (a, end) if fronted else clause))
    return tuple(sorted(out, key=lambda c: c.start))


def unit_cue(text: str, num_start: int, num_end: int) -> tuple[str, int] | None:
    """``(kind, end)`` when the number is a measure, duration, percentage or money ("7 km", "$3,000",
    "36 hours") or a strength ("1,500-strong"); ``end`` is where the unit ends."""
    right = text[num_end : num_end + 40]
    for kind, rx in _UNIT_RIGHT:
        m = rx.match(right)
        if m:
            return kind, num_end + m.end()
    if _UNIT_LEFT.search(text[max(0, num_start - 20) : num_start]):
        return "measure", num_end  # "$3,000", "two men aged 29 and 41"
    m = _AFFECTED_RE.match(text, num_end)
    if m:
        return "unrelated", m.end()  # "leaving about 600 people without power": the people affected, not a count of the event
    return None
