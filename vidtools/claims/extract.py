"""Extraction: text -> claims, in stages that each return new values.

1. :func:`vidtools.claims.text.segments` - headline, captions, list lines, sentences.
2. Per segment (:func:`_read_segment`): numbers, their subjects (the noun phrase after a number,
   or the label before it in "tanks — 19"), own outcomes, list sharing, background cues,
   claimants and hedges -> :class:`_Draft` values.
3. Across segments (:func:`_resolve_references`): numbers with no noun ("two were destroyed",
   "47 others"), references back ("the tank was hit", "the third was damaged", "both systems").
4. :func:`_merge_repeats` - a claim repeated in headline, caption and body becomes one claim with
   several spans; :func:`_finish` - "Source:" lines and stand-alone disclaimers.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vidtools.claims import claimants as cl
from vidtools.claims.cues import ScopeCue, clauses, scope_cues, unit_cue
from vidtools.claims.lexicon import Lexicon, default_lexicon
from vidtools.claims.model import CASUALTY_OUTCOMES, QUALIFIERS, Claim, Cue
from vidtools.claims.numbers import Number, find_numbers, mask_dates
from vidtools.claims.phrases import (
    OUTCOME_RE,
    Outcome,
    Subject,
    find_outcomes,
    is_noun_form,
    label_before,
    outcome_at,
    subject_after,
)
from vidtools.claims.text import Segment, segments
from vidtools.errors import ClaimsError

_AUX = r"were|was|are|is|be|been|being|got|get|gets|have|has|had|will|would|may|might|could"
_ADV = (
    r"also|reportedly|allegedly|successfully|completely|fully|totally|partially|partly|all|both|later|"
    r"subsequently|eventually|then|confirmed|likely|probably|possibly|badly|seriously|critically|lightly|"
    r"severely|instantly|immediately|already|just|previously|presumably|apparently|reliably|effectively|"
    r"directly|additionally|mortally|heavily|not|either|each|too|quickly|almost|nearly|finally"
)
_POST_AUX_RE = re.compile(
    rf"(?P<rel>,?\s+(?:that|which|who)\b[^,.;:]{{0,60}}?)?(?P<chain>(?:\s+(?:{_AUX}|{_ADV}))+)\s+(?P<o>\S)", re.IGNORECASE
)
_BARE_GAP_RE = re.compile(rf"(?:\s+(?:{_ADV}))*(?:\s+(?!and\b|or\b|but\b|by\b|that\b|which\b|who\b|while\b)[\w'’\-]+){{0,3}}?\s+(?=\S)",
                          re.IGNORECASE)  # fmt: skip
_PASSIVE_AUX = {"were", "was", "are", "is", "be", "been", "being", "got", "get", "gets"}
_LIST_SEP_RE = re.compile(
    r"^\s*(?:[,;]\s*(?:and\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+)?|and\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+)"
    r"(?:also\s+)?$",
    re.IGNORECASE,
)
_PRE_STOP = {"and", "or", "but", "while", "whereas", "said", "says", "that", "which", "who", "by", "were", "was",
             "with", "is", "are", "after", "before", "when", "as", "because", "claimed"}  # fmt: skip
_LOSS_FILL_RE = re.compile(r"^\s*(?:amounted\s+to|amount\s+to|totall?ed|stood\s+at|were|was|included|include|of|"
                           r"reached|comprised|numbered|came\s+to|:)", re.IGNORECASE)  # fmt: skip
_HEDGES = [
    ("claimed", re.compile(r"\bclaim(?:s|ed|ing)?\b", re.IGNORECASE)),
    ("alleged", re.compile(r"\ballege(?:d|dly|s)?\b", re.IGNORECASE)),
    ("reported", re.compile(r"\breportedly\b|\b(?:was|were|is|are|been)\s+reported\b", re.IGNORECASE)),
    ("estimated", re.compile(r"\bestimat(?:ed|es|e)\b", re.IGNORECASE)),
    ("preliminary", re.compile(r"\bpreliminary\b|\binitial\s+(?:data|figures|reports|estimates?)\b", re.IGNORECASE)),
]
_UNVERIFIED_RE = re.compile(
    r"\b(?:could\s+not|cannot|can't|couldn't|unable\s+to)\s+(?:be\s+)?(?:independently\s+)?(?:verif|confirm)\w*|"
    r"\bunverified\b|\bunconfirmed\b|\bnot\s+(?:been\s+)?(?:independently\s+)?(?:verified|confirmed)\b|"
    r"\bhas\s+not\s+observed\s+confirmation\b",
    re.IGNORECASE,
)
_REFERENCE_RE = re.compile(
    r"\b(?:the|its|this|that)\s+(?:(?P<ord>first|second|third|fourth|fifth|last|other|lead|leading|rear|rest|remaining)\b\s*)?",
    re.IGNORECASE,
)
_ORDINAL_COUNT = {"rest": None, "remaining": None}
_STRENGTH = {None: 0, "hit": 1, "lost": 2, "damaged": 3, "captured": 4, "shot_down": 4, "destroyed": 5,
             "injured": 3, "killed_or_injured": 3, "killed": 5}  # fmt: skip
_IMPLIES = {"destroyed": {"hit", "damaged", "lost", None}, "damaged": {"hit", None}, "shot_down": {"hit", "lost", None},
            "captured": {"lost", None}, "lost": {None}, "hit": {None}, "killed": {"killed_or_injured", "hit", None},
            "injured": {"killed_or_injured", "hit", None}, "killed_or_injured": {"hit", None}}  # fmt: skip
_EQUIPMENT = ("armored_vehicle", "vehicle", "artillery", "air_defense", "aircraft", "other")


@dataclass(frozen=True)
class _Draft:
    """A claim read from one segment, before references across segments are resolved.

    Attributes:
        claim: The claim so far (category None when the number names no kind).
        ref: How the number refers back, if it does: ``others`` ("47 others"), ``partitive``
            ("one of the tanks", "of them"), ``generic`` ("both systems"), ``bare`` (no noun:
            "two were destroyed"), ``definite`` ("the tank was hit"), ``ordinal`` ("the third
            was damaged"), ``rest`` ("the rest were burned").
        segment: Index of the segment it came from.
    """

    claim: Claim
    ref: str | None
    segment: int


@dataclass(frozen=True)
class _Context:
    """What one segment passes to the next: the last named claimant (for "it said")."""

    last_claimant: str | None = None


def extract_claims(text: str, *, lexicon: Lexicon | None = None) -> list[Claim]:
    """Find the claims and background figures of a text.

    Args:
        text: The text (an article, a statement, a unit's post, a losses list). Plain text.
        lexicon: Equipment names -> categories; default: the built-in lexicon (see
            :func:`vidtools.claims.load_lexicon` to extend it).

    Returns:
        One :class:`~vidtools.claims.Claim` per number in text order; background figures are
        included with ``claim.background`` True and the deciding ``claim.cue``. A claim repeated
        in headline, caption and body is one claim whose ``repeats`` hold the other spans.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_claims() needs a str, got {type(text).__name__}")
    lex = lexicon or default_lexicon()
    masked, dates = mask_dates(text)
    segs = segments(text)
    drafts: list[_Draft] = []
    ctx = _Context()
    header_info: dict[int, tuple[Outcome | None, str | None, tuple[ScopeCue, ...]]] = {}
    for i, seg in enumerate(segs):
        if seg.kind == "header":
            header_info[i] = _header_info(text, seg, ctx)
        header = header_info.get(seg.header) if seg.header is not None else None
        new, ctx = _read_segment(text, masked, seg, i, lex, header, ctx)
        drafts += new
    drafts += [
        _Draft(Claim(category=None, outcome=None, count=None, cue=Cue("date", text[d.start : d.end], (d.start, d.end)),
                     text=text[d.start : d.end], span=(d.start, d.end), number_text=text[d.start : d.end],
                     number_span=(d.start, d.end)), None, -1)
        for d in dates
    ]  # fmt: skip
    drafts.sort(key=lambda d: d.claim.span[0])
    claims = _resolve_references(text, segs, drafts, lex)
    claims = _merge_repeats(claims, segs)
    return _finish(text, claims)


def extract_claims_from_file(path: str | os.PathLike[str], *, lexicon: Lexicon | None = None) -> list[Claim]:
    """Read a UTF-8 text file and :func:`extract_claims` from it.

    Raises:
        ClaimsError: the file is missing or not UTF-8 text.
    """
    return extract_claims(read_text(path), lexicon=lexicon)


def read_text(path: str | os.PathLike[str]) -> str:
    """A text file's content (UTF-8, a byte-order mark removed).

    Raises:
        ClaimsError: missing, a folder, or not UTF-8.
    """
    p = Path(path)
    if not p.is_file():
        raise ClaimsError(f"{p}: text file not found; pass the path of a plain-text (UTF-8) file")
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ClaimsError(f"{p}: not UTF-8 text (byte {e.start}); save it as UTF-8 plain text") from None


# --------------------------------------------------------------------------------------------
# one segment
# --------------------------------------------------------------------------------------------


def _header_info(text: str, seg: Segment, ctx: _Context) -> tuple[Outcome | None, str | None, tuple[ScopeCue, ...]]:
    outs = find_outcomes(text, seg.start, seg.end)
    atts = cl.find_attributions(text, seg.start, seg.end)
    who = next((a.name or ctx.last_claimant for a in atts), None)
    return (outs[0] if outs else None), who, scope_cues(text, seg.start, seg.end, None)


def _post_outcome(text: str, pos: int, end: int) -> Outcome | None:
    """"were also hit", "that was following the column was also hit" right after ``pos``."""
    m = _POST_AUX_RE.match(text, pos, end)
    if not m:
        return None
    chain = m.group("chain").lower().split()
    if not any(w in _PASSIVE_AUX for w in chain) and chain[-1] not in ("have", "has", "had"):
        return None
    o = OUTCOME_RE.match(text, m.start("o"), end)
    if o is None:
        return None
    out = outcome_at(o)
    return None if is_noun_form(out) else out


def _bare_outcome(text: str, pos: int, end: int) -> Outcome | None:
    """A participle or verb shortly after the noun phrase ("30 killed", "a Ural truck with ammunition hit")."""
    m = _BARE_GAP_RE.match(text, pos, end)
    candidates = [pos]
    if m:
        # try the nearest word first, then after each gap word
        candidates = [pos] + [pos + g.end() for g in re.finditer(r"\s+[\w'’\-]+", text[pos : m.end()])]
    for c in candidates:
        s = re.compile(r"\s+").match(text, c, end)
        if not s:
            continue
        o = OUTCOME_RE.match(text, s.end(), end)
        if o is not None:
            out = outcome_at(o)
            if is_noun_form(out) or out.text.lower().endswith("ing"):
                return None
            gap = text[pos : s.end()]
            if re.search(r"\d|[,;(]|\b(?:and|or|but|by|that|which|who|while)\b", gap, re.IGNORECASE):
                return None
            return out
    return None


def _pre_outcome(text: str, lo: int, num_start: int) -> Outcome | None:
    """The nearest outcome verb before a number ("destroyed more than 150", "losses amounted to up to 210")."""
    outs = find_outcomes(text, lo, num_start)
    for o in reversed(outs):
        fill = text[o.end : num_start]
        words = re.findall(r"[\w'’\-]+", fill)
        if re.search(r"\d|[;.!?]", fill) or len(words) > 4 or any(w.lower() in _PRE_STOP for w in words):
            return None
        if is_noun_form(o):
            if o.text.lower() in ("losses", "loss") and _LOSS_FILL_RE.match(fill):
                return o
            return None
        return o
    return None


def _read_segment(
    text: str,
    masked: str,
    seg: Segment,
    index: int,
    lex: Lexicon,
    header: tuple[Outcome | None, str | None, tuple[ScopeCue, ...]] | None,
    ctx: _Context,
) -> tuple[list[_Draft], _Context]:
    nums = [n for n in find_numbers(masked, seg.start, seg.end)]
    items: list[tuple[Number, Subject | None, tuple[str, int] | None, bool]] = []
    for n in nums:
        unit = unit_cue(text, n.value_start if n.kind != "daily" else n.start, n.end) if n.kind not in ("negation",) else None
        label = None
        if n.kind == "daily":
            label = label_before(text, _main_figure_start(nums, n), seg.start, lex)
        elif unit is None:
            label = label_before(text, n.start, seg.start, lex)
        subj = None if unit else (label or subject_after(text, n.end, seg.end, lex))
        if unit is None and n.kind == "digits" and n.bound == "exact" and re.fullmatch(r"(?:19|20)\d\d", text[n.start : n.end]):
            if subj is None or subj.category is None:
                unit = ("date", n.end)
        items.append((n, subj, unit, label is not None))
    outs_seg = find_outcomes(text, seg.start, seg.end)
    header_outcome = header[0] if header else None
    # own outcome of each item
    own: list[Outcome | None] = []
    prev_end = seg.start
    for n, subj, unit, is_label in items:
        o = None
        if unit is None and n.kind != "daily":
            np_end = subj.end if subj is not None else n.end
            o = _post_outcome(text, np_end, seg.end) or (subj.adjectival if subj else None)
            if o is None and not is_label and not re.search(r"\b(?:with|by)\s+(?:\S+\s+){0,2}$", text[max(seg.start, n.start - 25) : n.start]):
                o = _pre_outcome(text, max(prev_end, seg.start), n.start)
            if o is None and not is_label:
                o = _bare_outcome(text, np_end, seg.end)
        own.append(o)
        prev_end = max(prev_end, subj.end if subj else n.end)
    # list sharing: items joined by ",", "and", ";" share the verb before the first / after the last
    groups: list[list[int]] = []
    for k, (n, subj, unit, is_label) in enumerate(items):
        if unit is not None:
            groups.append([k])
            continue
        if groups and items[groups[-1][-1]][2] is None:
            p = groups[-1][-1]
            pn, psubj = items[p][0], items[p][1]
            gap = text[(psubj.end if psubj else pn.end) : n.start]
            if own[p] is not None and own[p].start > pn.end:
                gap = text[own[p].end : n.start] if own[p].end <= n.start else gap
                if own[p].start > (psubj.end if psubj else pn.end) and _post_outcome(text, psubj.end if psubj else pn.end, seg.end):
                    gap = "X"  # the previous item had its own passive verb: a new list
            if _LIST_SEP_RE.match(gap) or (is_label and items[p][3]):
                groups[-1].append(k)
                continue
        groups.append([k])
    shared: list[Outcome | None] = list(own)
    for g in groups:
        if len(g) < 2:
            continue
        first_pre = own[g[0]] if own[g[0]] is not None and own[g[0]].end <= items[g[0]][0].start else None
        last_post = own[g[-1]] if own[g[-1]] is not None and own[g[-1]].start >= items[g[-1]][0].end else None
        fill = first_pre or last_post
        for k in g:
            if shared[k] is None:
                shared[k] = fill
    for k, (n, subj, unit, is_label) in enumerate(items):
        if shared[k] is None and unit is None and (is_label or seg.kind == "list_item"):
            before = [o for o in outs_seg if o.end <= n.start]
            shared[k] = before[-1] if before else header_outcome
    # background cues, claimants, hedges
    first_num = next((n.start for n, _, unit, _ in items if unit is None), None)
    cues = scope_cues(text, seg.start, seg.end, first_num) + (header[2] if header else ())
    atts = cl.find_attributions(text, seg.start, seg.end)
    named = []
    last = ctx.last_claimant
    for a in atts:
        name = a.name or last
        named.append((a.pos, name, a.verb))
        if a.name:
            last = a.name
    new_ctx = _Context(last)
    parts = clauses(text, seg.start, seg.end)
    drafts: list[_Draft] = []
    for k, (n, subj, unit, is_label) in enumerate(items):
        draft = _make_draft(text, seg, index, n, subj, unit, shared[k], own[k], cues, named, header, parts, items, k)
        if draft is not None:
            drafts.append(draft)
    return drafts, new_ctx


def _main_figure_start(nums: Sequence[Number], daily: Number) -> int:
    """Start of the figure a "(+19)" follows (the label stands before that figure)."""
    before = [n for n in nums if n.end <= daily.start]
    return before[-1].start if before else daily.start


def _make_draft(
    text: str,
    seg: Segment,
    index: int,
    n: Number,
    subj: Subject | None,
    unit: tuple[str, int] | None,
    outcome: Outcome | None,
    own: Outcome | None,
    cues: tuple[ScopeCue, ...],
    named: list[tuple[int, str | None, str]],
    header: tuple[Outcome | None, str | None, tuple[ScopeCue, ...]] | None,
    parts: tuple[tuple[int, int], ...],
    items: list[tuple[Number, Subject | None, tuple[str, int] | None, bool]],
    k: int,
) -> _Draft | None:
    category = subj.category if subj else None
    ref: str | None = subj.reference if subj else None
    if category is None and subj is None and unit is None:
        ref = "bare"
        before = text[max(seg.start, n.start - 12) : n.start]
        if re.search(r"\bof\s*$", before) and k > 0 and items[k - 1][1] is not None:
            category = items[k - 1][1].category  # "26 of 29 drones", "out of 17 launched"
            subj = items[k - 1][1]
            ref = None
    # the figure of a losses-list line followed by "(+k)" is a cumulative total
    nxt = items[k + 1][0] if k + 1 < len(items) else None
    cumulative = nxt is not None and nxt.kind == "daily" and not re.search(r"[;\n]", text[n.end : nxt.start])
    words_out = outcome.for_category(category if category else ("personnel" if outcome and ref == "bare" else None)) if outcome else None
    if category is None and outcome is not None and ref in ("bare", "others", "partitive") and words_out in CASUALTY_OUTCOMES and outcome.personnel in CASUALTY_OUTCOMES:
        category, words_out = "personnel", outcome.personnel
    # the deciding cue
    cue: Cue
    if unit is not None:
        cue = Cue("measure" if unit[0] == "date" else unit[0], text[n.start : unit[1]], (n.start, unit[1]))
        if unit[0] == "date":
            cue = Cue("date", text[n.start : n.end], (n.start, n.end))
    elif n.kind == "daily":
        cue = Cue("daily_change", text[n.start : n.end], (n.start, n.end))
    elif cumulative:
        cue = Cue("cumulative_total", text[nxt.start : nxt.end] if nxt else "", (nxt.start, nxt.end) if nxt else None)
    else:
        scope = [c for c in cues if c.clause[0] <= n.start < c.clause[1] + 1 and not (c.kind == "deployment" and outcome is not None)]
        scope = [c for c in scope if c.kind != "deployment" or outcome is None]
        if scope:
            c = min(scope, key=lambda c: abs(c.start - n.start))
            cue = Cue(c.kind, text[c.start : c.end], (c.start, c.end))
        elif category is None and ref not in ("bare", "others", "partitive", "generic"):
            if n.kind in ("article", "negation") or (n.kind == "words" and n.count == 1):
                return None  # "a month", "no longer", "one of the reasons"
            cue = Cue("unrelated", "", None)
        elif category is None and ref == "bare" and outcome is None:
            if n.kind in ("article", "negation", "both") or (n.kind == "words" and n.count == 1):
                return None
            cue = Cue("unrelated", "", None)
        elif outcome is not None:
            cue = Cue("outcome", outcome.text, (outcome.start, outcome.end))
        else:
            if n.kind in ("article", "negation") and category is None:
                return None
            cue = Cue("presence", "", None)
    if n.kind == "article" and ref != "generic" and (
        category is None or (outcome is None and not cue.background and not _article_in_list(text, items, k))
    ):
        return None  # "a" counts only with an outcome or as a list item ("two BMPs and a Ural truck")
    if n.negated and category is None and ref not in ("bare", "others", "partitive", "generic"):
        if not re.match(r"no\s+one|nobody", text[n.start : n.end], re.IGNORECASE):
            return None
        category = "personnel"
    # claimant: an attribution in the clause (before the number first), else in the segment, else the header's
    clause = next((p for p in parts if p[0] <= n.start <= p[1]), (seg.start, seg.end))
    in_clause = [a for a in named if clause[0] <= a[0] <= clause[1]]
    pick = [a for a in in_clause if a[0] < n.start] or in_clause or named
    claimant = pick[-1][1] if pick and pick is not named and pick is not in_clause else (pick[0][1] if pick else None)
    if pick and pick is in_clause and [a for a in in_clause if a[0] < n.start]:
        claimant = [a for a in in_clause if a[0] < n.start][-1][1]
    if claimant is None and header is not None:
        claimant = header[1]
    verb = next((a[2] for a in named if a[1] == claimant), "")
    qualifiers = [q for q, rx in _HEDGES if rx.search(text, clause[0], clause[1])]
    if verb.lower().startswith("claim"):
        qualifiers.append("claimed")
    if _UNVERIFIED_RE.search(text, clause[0], clause[1]):
        qualifiers.append("unverified")
    # the claim phrase: number + subject (+ its own outcome words)
    start, end = n.start, max(n.end, subj.end if subj else n.end, unit[1] if unit else n.end)
    if own is not None and not cue.background:
        start, end = min(start, own.start), max(end, own.end)
    has_bounds = n.count is not None or n.bound in ("range", "vague")
    claim = Claim(
        category=category,
        outcome=None if cue.background and unit is not None else words_out,
        count=None if unit and unit[0] == "date" else n.count,
        count_low=n.low if has_bounds else None,
        count_high=n.high if has_bounds else None,
        bound=n.bound,
        negated=n.negated,
        cue=cue,
        subtype=subj.subtype if subj else None,
        equipment=subj.equipment if subj else None,
        subject=text[subj.start : subj.end] if subj and subj.end > subj.start else None,
        claimant=claimant,
        qualifiers=tuple(q for q in QUALIFIERS if q in qualifiers),
        text=text[start:end],
        span=(start, end),
        number_text=text[n.start : n.end],
        number_span=(n.start, n.end),
        outcome_text=outcome.text if outcome and not cue.background else None,
        sentence_span=(seg.start, seg.end),
    )
    return _Draft(claim, ref if category is None or ref in ("others", "generic") else ref, index)


def _article_in_list(text: str, items: list[tuple[Number, Subject | None, tuple[str, int] | None, bool]], k: int) -> bool:
    """An "a"/"an" item of a list of counted items ("two BMPs and a Ural truck")."""
    for j in (k - 1, k + 1):
        if 0 <= j < len(items) and items[j][1] is not None and items[j][1].category is not None and items[j][2] is None:
            a, b = (items[j], items[k]) if j < k else (items[k], items[j])
            gap = text[(a[1].end if a[1] else a[0].end) : b[0].start]
            if _LIST_SEP_RE.match(gap):
                return True
    return False


# --------------------------------------------------------------------------------------------
# across segments
# --------------------------------------------------------------------------------------------


def _compatible(category: str | None, ref_category: str | None) -> bool:
    if ref_category is None:
        return category in _EQUIPMENT
    return category == ref_category


def _resolve_references(text: str, segs: Sequence[Segment], drafts: list[_Draft], lex: Lexicon) -> list[Claim]:
    """Give numbers with no noun the category they refer to, and fold references back into claims."""
    out: list[Claim] = []
    covered = [(d.claim.span[0], d.claim.span[1]) for d in drafts]

    def recent(seg_index: int, category: str | None = None, *, plural: bool = False) -> int | None:
        para = segs[seg_index].paragraph if seg_index >= 0 else 0
        for j in range(len(out) - 1, -1, -1):
            c = out[j]
            if c.background or c.category is None or c.category == "personnel" and category is None:
                continue
            cseg = next((i for i, s in enumerate(segs) if s.start <= c.span[0] < s.end + 1), None)
            if cseg is None or para - segs[cseg].paragraph > 2:
                return None
            if category is not None and c.category != category:
                continue
            if plural and (c.count or c.count_high or c.count_low or 0) < 2:
                continue
            return j
        return None

    refs = _definite_references(text, segs, covered, lex)
    pending = sorted([(d.claim.span[0], "draft", d) for d in drafts] + [(r[0], "ref", r) for r in refs], key=lambda x: x[0])
    for _, kind, item in pending:
        if kind == "draft":
            d: _Draft = item  # type: ignore[assignment]
            c = d.claim
            if c.category is None and d.ref in ("bare", "others", "partitive", "generic") and not c.background:
                j = recent(d.segment, None if c.outcome not in CASUALTY_OUTCOMES else "personnel")
                if j is None:
                    if c.outcome is None:
                        continue
                    if c.outcome in CASUALTY_OUTCOMES:
                        out.append(dataclasses.replace(c, category="personnel"))
                    continue
                ref = out[j]
                if d.ref in ("partitive", "generic") and (ref.outcome == c.outcome or c.outcome in _IMPLIES.get(ref.outcome or "", set())):
                    out[j] = dataclasses.replace(ref, repeats=(*ref.repeats, c.span))
                    continue
                if d.ref == "generic" and ref.count == c.count and _STRENGTH.get(c.outcome, 0) > _STRENGTH.get(ref.outcome, 0):
                    out[j] = dataclasses.replace(ref, outcome=c.outcome, outcome_text=c.outcome_text, repeats=(*ref.repeats, c.span))
                    continue
                c = dataclasses.replace(c, category=ref.category, subtype=ref.subtype, equipment=ref.equipment,
                                        claimant=c.claimant or ref.claimant)  # fmt: skip
            elif c.category is not None and d.ref == "partitive" and not c.background:
                j = recent(d.segment, c.category)
                if j is not None and (out[j].outcome == c.outcome or c.outcome in _IMPLIES.get(out[j].outcome or "", set())):
                    out[j] = dataclasses.replace(out[j], repeats=(*out[j].repeats, c.span))
                    continue
            out.append(c)
            continue
        start, end, ordinal, ref_cat, outcome, seg_index = item  # type: ignore[misc]
        j = recent(seg_index, ref_cat, plural=ordinal is not None and ordinal not in ("rest", "remaining"))
        if j is None:
            continue
        ref = out[j]
        o = outcome.for_category(ref.category)
        if ordinal in ("rest", "remaining"):
            if ref.count is None:
                continue
            taken = sum(x.count or 0 for x in out[j + 1 :] if x.count is not None and x.span[0] > ref.span[1])
            taken += sum(d.claim.count or 0 for d in drafts if d.claim.cue.kind == "unrelated" and ref.span[1] < d.claim.span[0] < start)
            n = ref.count - taken
            if n <= 0:
                continue
            out.append(_ref_claim(text, ref, start, end, outcome, o, n, seg_index, segs))
        elif ordinal is not None:
            out.append(_ref_claim(text, ref, start, end, outcome, o, 1, seg_index, segs))
        elif ref.outcome == o or o in _IMPLIES.get(ref.outcome or "", set()):
            out[j] = dataclasses.replace(ref, repeats=(*ref.repeats, (start, end)))
        elif _STRENGTH.get(o, 0) > _STRENGTH.get(ref.outcome, 0) and ref.outcome in (None, "hit", "lost"):
            out[j] = dataclasses.replace(ref, outcome=o, outcome_text=outcome.text, repeats=(*ref.repeats, (start, end)),
                                         cue=Cue("outcome", outcome.text, (outcome.start, outcome.end)))  # fmt: skip
        elif ref.count == 1:
            out.append(_ref_claim(text, ref, start, end, outcome, o, 1, seg_index, segs))
    return out


def _ref_claim(text: str, ref: Claim, start: int, end: int, outcome: Outcome, o: str, n: int, seg_index: int,
               segs: Sequence[Segment]) -> Claim:  # fmt: skip
    seg = segs[seg_index]
    return Claim(
        category=ref.category, outcome=o, count=n, cue=Cue("outcome", outcome.text, (outcome.start, outcome.end)),
        subtype=ref.subtype, equipment=ref.equipment, subject=ref.subject, claimant=ref.claimant,
        qualifiers=ref.qualifiers, text=text[start : max(end, outcome.end)], span=(start, max(end, outcome.end)),
        number_text=text[start:end], number_span=(start, end), outcome_text=outcome.text,
        sentence_span=(seg.start, seg.end),
    )  # fmt: skip


def _definite_references(
    text: str, segs: Sequence[Segment], covered: list[tuple[int, int]], lex: Lexicon
) -> list[tuple[int, int, str | None, str | None, Outcome, int]]:
    """References back with an outcome and no number: "the tank was hit", "the third was damaged",
    "the rest were burned", "the Grad detonates". ``(start, end, ordinal, category, outcome, segment)``."""
    out = []
    for si, seg in enumerate(segs):
        for m in _REFERENCE_RE.finditer(text, seg.start, seg.end):
            if any(a <= m.start() < b for a, b in covered):
                continue
            ordinal = (m.group("ord") or "").lower() or None
            pos = m.end()
            subj = subject_after(text, pos - 1 if text[pos - 1 : pos].isspace() else pos, seg.end, lex)
            if subj is not None and subj.start != _skip_ws(text, pos):
                subj = None
            if subj is None and ordinal is None:
                continue
            if subj is not None and subj.category is None and subj.reference != "generic":
                continue
            if subj is not None and subj.category == "personnel":
                continue
            np_end = subj.end if subj is not None else pos
            if subj is None and ordinal is not None:
                np_end = m.start("ord") + len(m.group("ord"))
            o = _post_outcome(text, np_end, seg.end) or _bare_outcome(text, np_end, seg.end)
            if o is None:
                nxt = OUTCOME_RE.match(text, _skip_ws(text, np_end), seg.end)
                o = outcome_at(nxt) if nxt is not None and not is_noun_form(outcome_at(nxt)) else None
            if o is None:
                continue
            out.append((m.start(), np_end, ordinal, subj.category if subj is not None else None, o, si))
    return out


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _merge_repeats(claims: list[Claim], segs: Sequence[Segment]) -> list[Claim]:
    """One claim for the same figure stated in headline / caption and body (the body's wording kept)."""

    def kind_of(c: Claim) -> str:
        return next((s.kind for s in segs if s.start <= c.span[0] < s.end + 1), "sentence")

    out: list[Claim] = []
    for c in claims:
        if c.background or c.category is None:
            out.append(c)
            continue
        k = kind_of(c)
        match = None
        for j, o in enumerate(out):
            if o.background or o.category != c.category:
                continue
            if "headline" not in (k, kind_of(o)) and "caption" not in (k, kind_of(o)):
                continue
            if (o.count, o.count_low, o.count_high) != (c.count, c.count_low, c.count_high) and o.count != c.count:
                continue
            if not (o.outcome == c.outcome or o.outcome in (None, "hit") or c.outcome in (None, "hit")):
                continue
            match = j
            break
        if match is None:
            out.append(c)
            continue
        o = out[match]
        base, other = (c, o) if kind_of(o) in ("headline", "caption") and k not in ("headline", "caption") else (o, c)
        outcome = base.outcome if _STRENGTH.get(base.outcome, 0) >= _STRENGTH.get(other.outcome, 0) else other.outcome
        out[match] = dataclasses.replace(
            base,
            outcome=outcome,
            claimant=base.claimant or other.claimant,
            repeats=tuple(sorted({*base.repeats, other.span, *other.repeats} - {base.span})),
        )
    return out


def _finish(text: str, claims: list[Claim]) -> list[Claim]:
    """A "Source:" line names the claimant of claims that have none; a stand-alone disclaimer
    ("The figures could not be independently verified.") marks the claims before it unverified."""
    source = cl.source_line(text)
    disclaimers = [m.start() for m in _UNVERIFIED_RE.finditer(text)]
    out = []
    for c in claims:
        if source and c.claimant is None and not c.background:
            c = dataclasses.replace(c, claimant=source)
        if not c.background and "unverified" not in c.qualifiers and any(p > c.span[1] for p in disclaimers):
            c = dataclasses.replace(c, qualifiers=tuple(q for q in QUALIFIERS if q in (*c.qualifiers, "unverified")))
        out.append(c)
    return out
