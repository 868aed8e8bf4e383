"""Number expressions: digits, number words, bounds, ranges, vague amounts, negations, dates.

Number words are valued with ``text2num``; the span of every expression is found here by regular
expressions, so spans stay exact. Identifiers (``T-72``, ``47th``, ``Su-24``, ``24.02.22``) are not
numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num

from vidtools.claims.model import bounded_range

NUMBER_KINDS = ("digits", "words", "vague", "article", "negation", "couple", "daily", "both")


@dataclass(frozen=True)
class Number:
    """One number expression.

    Attributes:
        start, end: Character span of the whole expression, bound words included ("up to 210").
        count: The figure as written; None for ranges and vague amounts.
        low, high: Inclusive bounds (None = open / not set).
        bound: One of :data:`vidtools.claims.model.BOUNDS`.
        kind: One of :data:`NUMBER_KINDS` (``article``: "a"/"an"/"another" = 1; ``daily``: the
            "(+19)" of a losses list; ``both`` = 2).
        negated: "no", "not a single", "none of the" (count 0).
        value_start: Where the figure itself starts (after bound words).
    """

    start: int
    end: int
    count: int | None
    low: int | None
    high: int | None
    bound: str
    kind: str
    negated: bool = False
    value_start: int = 0


@dataclass(frozen=True)
class DateSpan:
    """A date or time ("12 March 2024", "09:00", "24.02.2022")."""

    start: int
    end: int


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUM_WORD = "|".join([*_UNITS, *_TENS, "hundred", "thousand", "million", "billion", "dozen"])
_WORDS_RE = (
    rf"(?:half\s+a\s+dozen|(?:a\s+(?=(?:dozen|hundred|thousand|million)\b))?(?:{_NUM_WORD})"
    rf"(?:(?:\s+and\s+|\s*-\s*|\s+)(?:{_NUM_WORD}))*)"
)
_DIGITS_RE = (
    r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])|\d+(?:\.\d+)?)"
    r"(?:\s+(?:thousand|million|billion)\b)?"
)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
MONTH_RE = re.compile(rf"\b{_MONTH}(?![A-Za-z])")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_RE = re.compile(
    "|".join(
        [
            rf"\b{_DAY}(?:\s*(?:-|–|to|and)\s*{_DAY})?\s+(?:of\s+)?{_MONTH}(?![A-Za-z])(?:,?\s+\d{{4}}\b)?",
            rf"\b{_MONTH}\s+{_DAY}(?:\s*(?:-|–|to|and)\s*{_DAY})?\b(?:,?\s+\d{{4}}\b)?",
            rf"\b{_MONTH}\s+\d{{4}}\b",
            r"\b\d{4}-\d{2}-\d{2}\b",
            r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b",
            r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:a\.m\.|p\.m\.|am\b|pm\b|hrs\b|GMT\b|UTC\b|local\s+time\b))?",
            r"\b\d{1,2}(?:\.\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)",
        ]
    )
)
_NUMBER_RE = re.compile(
    r"(?P<daily>\(\s*\+\s*(?P<dv>\d[\d,\u00a0 ]*?)\s*(?:(?:in|over|during|for)\s+the\s+(?:past|last)\s+(?:day|24\s+hours))?\))"
    r"|(?P<neg>\b(?:no\s+one|nobody|none\s+of\s+(?:them\b|(?:the|their|its|our|these|those)\b)|not\s+a\s+single|"
    r"not\s+one|not\s+a|no|zero)\b)"
    r"|(?P<vague>\b(?:tens\s+of\s+thousands|hundreds\s+of\s+thousands|several\s+hundred|several\s+dozen|"
    r"several\s+thousand|dozens|scores|hundreds|thousands|several|a\s+few|a\s+handful|numerous|multiple(?!\s+(?:rocket|launch)))\b)"
    r"|(?P<couple>\ba\s+(?:couple|pair)\s+of\b)"
    r"|(?P<both>\bboth\b)"
    rf"|(?P<words>\b{_WORDS_RE}\b)"
    rf"|(?P<digits>(?<![\w.,/:\-+#]){_DIGITS_RE}(?![\w#]|[.,]\d))"
    r"|(?P<article>\b(?:an?|another)\b(?=\s))",
    re.IGNORECASE,
)
_VAGUE_LOW = {
    "tens of thousands": 20_000, "hundreds of thousands": 200_000, "several hundred": 300, "several dozen": 36,
    "several thousand": 3_000, "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2_000, "several": 3,
    "a few": 2, "a handful": 2, "numerous": 3, "multiple": 2,
}  # fmt: skip
_BOUND_WORDS = [
    ("just over", "more_than"), ("well over", "more_than"), ("more than", "more_than"), ("over", "more_than"),
    ("upwards of", "more_than"), ("in excess of", "more_than"), ("at least", "at_least"),
    ("no fewer than", "at_least"), ("no less than", "at_least"), ("not less than", "at_least"),
    ("a minimum of", "at_least"), ("approximately", "about"), ("approx.", "about"), ("about", "about"),
    ("around", "about"), ("roughly", "about"), ("some", "about"), ("nearly", "about"), ("almost", "about"),
    ("close to", "about"), ("an estimated", "about"), ("estimated", "about"), ("up to", "at_most"),
    ("as many as", "at_most"), ("no more than", "at_most"), ("not more than", "at_most"),
    ("at most", "at_most"), ("a maximum of", "at_most"), ("fewer than", "fewer_than"),
    ("less than", "fewer_than"), ("just under", "fewer_than"), ("under", "fewer_than"),
    ("below", "fewer_than"), ("between", "between"), ("from", "from"),
]  # fmt: skip
_BOUND_RE = re.compile(
    r"\b(?P<b>" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w, _ in _BOUND_WORDS) + r")\s+[\"'“]?$",
    re.IGNORECASE,
)
_BOUND_KIND = dict(_BOUND_WORDS)
_RANGE_SEP_RE = re.compile(r"\s*(?:-|–|—|‒)\s*|\s+(?:to|or)\s+", re.IGNORECASE)
_VALUE_RE = re.compile(rf"{_DIGITS_RE}(?![\w])|\b{_WORDS_RE}\b", re.IGNORECASE)


_IDIOM_RE = re.compile(r"one\s+(?:by|after)\s+(?:one|another)\b|one\s+at\s+a\s+time\b|one\s+another\b", re.IGNORECASE)


def mask_dates(text: str) -> tuple[str, tuple[DateSpan, ...]]:
    """``text`` with dates and times replaced by ``#`` (same length), and their spans."""
    spans = tuple(DateSpan(m.start(), m.end()) for m in _DATE_RE.finditer(text))
    chars = list(text)
    for d in spans:
        chars[d.start : d.end] = "#" * (d.end - d.start)
    return "".join(chars), spans


def words_value(phrase: str) -> tuple[int, int] | None:
    """``(value, length)`` of the number words at the start of ``phrase`` ("a hundred and twenty" -> 120)."""
    p = phrase.lower()
    if re.match(r"half\s+a\s+dozen", p):
        return 6, len(re.match(r"half\s+a\s+dozen", p).group())  # type: ignore[union-attr]
    toks = list(re.finditer(r"[a-z]+", p))
    words = [t.group() for t in toks]
    if not words or (words[0] != "a" and words[0] not in _UNITS and words[0] not in _TENS):
        return None  # a bare "hundred" or "dozen" is no number
    # longest prefix of tokens that text2num accepts ("two thousand three hundred"), dozen by hand
    for n in range(len(words), 0, -1):
        ws = words[:n]
        if ws[-1] == "and":
            continue
        mult = 1
        if ws[-1] == "dozen":
            mult, ws = 12, ws[:-1]
        if ws and ws[0] == "a":
            ws = ["one", *ws[1:]]
        try:
            v = text2num(" ".join(ws), "en") if ws else 1
        except ValueError:
            continue
        return v * mult, toks[n - 1].end()
    return None


def _digits_value(s: str) -> int:
    m = re.match(r"([\d,.\u00a0\u202f ]+?)\s*(thousand|million|billion)?$", s.strip(), re.IGNORECASE)
    num, scale = (m.group(1), m.group(2)) if m else (s, None)
    v = float(re.sub(r"[,\u00a0\u202f ]", "", num))
    if scale:
        v *= {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}[scale.lower()]
    return round(v)


def _value(s: str) -> int | None:
    s = s.strip()
    if s[:1].isdigit():
        return _digits_value(s)
    r = words_value(s)
    return r[0] if r else None


def _extend(text: str, lo: int, n: Number) -> Number:
    """Add a bound on the left ("up to") or a range ("10-15", "between 20 and 30")."""
    if n.count is None:
        return n
    b = _BOUND_RE.search(text, max(lo, n.start - 30), n.start)
    kind = _BOUND_KIND.get(re.sub(r"\s+", " ", b.group("b").lower())) if b else None
    right = text[n.end : n.end + 60]
    if b is not None and kind in ("between", "from"):
        sep = re.match(r"\s+and\s+" if kind == "between" else r"\s*(?:to|-|–)\s*", right, re.IGNORECASE)
        v = _VALUE_RE.match(right, sep.end()) if sep else None
        hi = _value(v.group()) if v else None
        if v is not None and hi is not None:
            return Number(b.start("b"), n.end + v.end(), None, n.count, hi, "range", n.kind, value_start=n.start)
        return n
    sep = _RANGE_SEP_RE.match(right)
    v = _VALUE_RE.match(right, sep.end()) if sep else None
    other = _value(v.group()) if v else None
    if v is not None and other is not None and other > n.count:
        start = b.start("b") if b is not None else n.start
        return Number(start, n.end + v.end(), None, n.count, other, "range", n.kind, value_start=n.start)
    if b is not None and kind is not None:
        lo_, hi_ = bounded_range(n.count, kind)
        return Number(b.start("b"), n.end, n.count, lo_, hi_, kind, n.kind, value_start=n.start)
    return n


def find_numbers(masked: str, start: int, end: int) -> tuple[Number, ...]:
    """Number expressions in ``masked[start:end]`` (dates already masked by :func:`mask_dates`)."""
    found: list[Number] = []
    for m in _NUMBER_RE.finditer(masked, start, end):
        kind = m.lastgroup or ""
        a, b = m.start(), m.end()
        if _IDIOM_RE.match(masked, a):
            continue  # "one by one", "one after another"
        if kind == "dv":
            kind = "daily"
        if kind == "daily":
            v = _digits_value(m.group("dv"))
            found.append(Number(a, b, v, None, None, "exact", "daily", negated=v == 0, value_start=a))
        elif kind == "neg":
            found.append(Number(a, b, 0, None, None, "exact", "negation", negated=True, value_start=a))
        elif kind == "vague":
            key = re.sub(r"\s+", " ", m.group().lower())
            found.append(Number(a, b, None, _VAGUE_LOW[key], None, "vague", "vague", value_start=a))
        elif kind == "couple":
            lo, hi = bounded_range(2, "about")
            found.append(Number(a, b, 2, lo, hi, "about", "couple", value_start=a))
        elif kind == "both":
            found.append(Number(a, b, 2, None, None, "exact", "both", value_start=a))
        elif kind == "article":
            found.append(Number(a, b, 1, None, None, "exact", "article", value_start=a))
        elif kind == "words":
            r = words_value(m.group())
            if r is None:
                continue
            found.append(_extend(masked, start, Number(a, a + r[1], r[0], None, None, "exact", "words", value_start=a)))
        else:
            found.append(
                _extend(masked, start, Number(a, b, _digits_value(m.group()), None, None, "exact", "digits", value_start=a))
            )
    # a bound or range may have swallowed a neighbour ("an estimated 300", "between 20 and 30")
    out: list[Number] = []
    for n in found:
        while out and out[-1].end > n.start and n.start <= out[-1].start:
            out.pop()
        if out and n.start < out[-1].end:
            continue
        out.append(n)
    return tuple(out)
