"""References back and repeats: the stages after each segment has been read.

* A number with no noun ("two were destroyed", "47 others", "none of them", "both systems") takes
  the kind of the claim it points back to (the latest one of a matching kind within two
  paragraphs); people when its outcome words are only said of people ("at least 30 dead").
* A reference with no number ("the tank was hit", "the BTR was finished off", "the third was
  damaged", "the other tank was captured", "the rest were burned") either adds its span to the
  earlier claim (the outcome is already implied), raises the earlier claim's outcome (from none,
  "hit" or "lost"), or adds one claim of the earlier kind (an ordinal: count 1; "the rest": the
  earlier figure less those accounted for since).
* :func:`merge_repeats`: a figure repeated in headline / caption and body is one claim with several
  spans (the body's wording kept); "video shows two helicopters burning" after "destroyed two
  helicopters" is the same two.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vidtools.claims.lexicon import Lexicon
from vidtools.claims.model import CASUALTY_OUTCOMES, Claim, Cue
from vidtools.claims.phrases import (
    PERSONNEL_WORDS,
    Outcome,
    bare_outcome,
    find_outcomes,
    is_noun_form,
    post_outcome,
    subject_after,
)
from vidtools.claims.text import Segment

_REFERENCE_RE = re.compile(
    r"\b(?:the|its|this|that)\s+(?:(?P<ord>first|second|third|fourth|fifth|last|other|lead|leading|rear|rest|remaining)\b\s*)?",
    re.IGNORECASE,
)
_IT_RE = re.compile(r"\bit\b")
_IT_AFTER_RE = re.compile(r"\s+(it)\b(?!\s+(?:was|is|had|has|said|says)\b)")
_STRENGTH = {None: 0, "hit": 1, "lost": 2, "damaged": 3, "captured": 4, "shot_down": 4, "destroyed": 5,
             "injured": 3, "killed_or_injured": 3, "killed": 5}  # fmt: skip
_IMPLIES = {"destroyed": {"hit", "damaged", "lost", None}, "damaged": {"hit", None}, "shot_down": {"hit", "lost", None},
            "captured": {"lost", None}, "lost": {None}, "hit": {None}, "killed": {"killed_or_injured", "hit", None},
            "injured": {"killed_or_injured", "hit", None}, "killed_or_injured": {"hit", None}}  # fmt: skip
"""Outcomes a stated outcome already implies ("destroyed" implies "hit" and "damaged")."""


@dataclass(frozen=True)
class Draft:
    """A claim read from one segment, before references across segments are resolved.

    Attributes:
        claim: The claim so far (category None when the number names no kind).
        ref: How the number refers back, if it does: ``others`` ("47 others"), ``partitive``
            ("one of the tanks", "of them"), ``generic`` ("both systems"), ``bare`` (no noun:
            "two were destroyed").
        words: The outcome words, read against the referent's category once it is known.
        segment: Index of the segment it came from.
    """

    claim: Claim
    ref: str | None
    words: Outcome | None
    segment: int


@dataclass(frozen=True)
class Reference:
    """A reference back with no number: "the tank was hit", "the third was damaged"."""

    start: int
    end: int
    ordinal: str | None
    category: str | None
    subtype: str | None
    outcome: Outcome
    segment: int


# --------------------------------------------------------------------------------------------
# across segments
# --------------------------------------------------------------------------------------------

_GENERIC_REFS = {"system", "systems", "vehicle", "vehicles", "launcher", "launchers", "complex", "target", "targets",
                 "unit", "units"}  # fmt: skip


def _referent(found: list[tuple[Claim, int]], segs: Sequence[Segment], seg_index: int, *, category: str | None = None,
              subtype: str | None = None, count: int | None = None, plural: bool = False,
              equipment_only: bool = False) -> int | None:  # fmt: skip
    """Index of the claim a reference points back to: the latest one of a matching kind within two paragraphs."""
    para = segs[seg_index].paragraph
    candidates = []
    for j in range(len(found) - 1, -1, -1):
        c, si = found[j]
        if si >= 0 and para - segs[si].paragraph > 2:
            break
        if c.background or c.category is None:
            continue
        if category is not None and c.category != category:
            continue
        if equipment_only and c.category == "personnel":
            continue
        size = c.count if c.count is not None else (c.count_high or c.count_low or 0)
        if plural and size < 2:
            continue
        candidates.append(j)
    for want in ((subtype, count), (subtype, None), (None, count), (None, None)):
        for j in candidates:
            c = found[j][0]
            if (want[0] is None or c.subtype == want[0]) and (want[1] is None or c.count == want[1]):
                return j
    return None


def _implied(stated: str | None, new: str | None) -> bool:
    return stated == new or new in _IMPLIES.get(stated or "", set())


def resolve_references(text: str, segs: Sequence[Segment], drafts: list[Draft], lex: Lexicon) -> list[Claim]:
    """Give numbers with no noun the kind they refer to, and fold references back into claims."""
    found: list[tuple[Claim, int]] = []
    covered = [d.claim.span for d in drafts]
    refs = _definite_references(text, segs, covered, lex)
    events: list[tuple[int, Draft | Reference]] = sorted(
        [(d.claim.span[0], d) for d in drafts] + [(r.start, r) for r in refs], key=lambda e: e[0]
    )
    for _, ev in events:
        if isinstance(ev, Draft):
            c, d = ev.claim, ev
            if d.ref is None or c.background:
                found.append((c, d.segment))
                continue
            if c.category is not None:  # "one of the tanks was hit": already said?
                j = _referent(found, segs, d.segment, category=c.category)
                if j is not None and not c.negated and _implied(found[j][0].outcome, c.outcome):
                    found[j] = (dataclasses.replace(found[j][0], repeats=(*found[j][0].repeats, c.span)), found[j][1])
                    continue
                found.append((c, d.segment))
                continue
            j = _referent(found, segs, d.segment, count=c.count if d.ref == "generic" else None,
                          equipment_only=d.ref == "generic")  # fmt: skip
            ref = found[j][0] if j is not None else None
            words = d.words
            personnel = words is not None and words.personnel in CASUALTY_OUTCOMES and (
                ref is None or ref.category == "personnel" or PERSONNEL_WORDS.fullmatch(words.text) is not None
            )
            if personnel and (ref is None or ref.category != "personnel"):
                j, ref = None, None
                c = dataclasses.replace(c, category="personnel", outcome=words.personnel if words else None,
                                        cue=Cue("outcome", words.text, (words.start, words.end)) if words else c.cue)  # fmt: skip
                found.append((c, d.segment))
                continue
            if ref is None or j is None:
                continue
            o = words.for_category(ref.category) if words is not None else None
            if d.ref == "partitive" and words is None and c.count is not None and ref.count is not None and c.count < ref.count:
                # "196 occupiers were neutralised, 112 of them irreversibly": a part, with the whole's outcome
                c = dataclasses.replace(c, category=ref.category, subtype=ref.subtype, outcome=ref.outcome,
                                        claimant=c.claimant or ref.claimant, cue=ref.cue)  # fmt: skip
                found.append((c, d.segment))
                continue
            if d.ref in ("partitive", "generic") and _implied(ref.outcome, o):
                found[j] = (dataclasses.replace(ref, repeats=(*ref.repeats, c.span)), found[j][1])
                continue
            if d.ref == "generic" and ref.count == c.count and _STRENGTH.get(o, 0) > _STRENGTH.get(ref.outcome, 0):
                found[j] = (_upgrade(ref, o, words, c.span), found[j][1])
                continue
            c = dataclasses.replace(c, category=ref.category, subtype=ref.subtype, equipment=ref.equipment, outcome=o,
                                    claimant=c.claimant or ref.claimant,
                                    cue=Cue("outcome", words.text, (words.start, words.end)) if words else Cue("presence"))  # fmt: skip
            found.append((c, d.segment))
            continue
        r = ev
        generic = r.category is None and r.ordinal is None
        j = _referent(found, segs, r.segment, category=r.category, subtype=r.subtype,
                      plural=r.ordinal is not None and r.ordinal not in ("rest", "remaining"),
                      equipment_only=r.category is None)  # fmt: skip
        if j is None:
            if r.category is not None and r.ordinal is None and not text[r.start : r.end].lower().endswith("s"):
                # "struck the Russian patrol ship ... the ship sank" with nothing before: one of it
                kind = Claim(category=r.category, outcome=None, count=1, subtype=r.subtype, subject=text[r.start : r.end])
                found.append((_ref_claim(text, kind, r, r.outcome.for_category(r.category), 1, segs), r.segment))
            continue
        ref = found[j][0]
        o = r.outcome.for_category(ref.category)
        if r.ordinal in ("rest", "remaining"):
            if ref.count is None:
                continue
            taken = sum(d.claim.count or 0 for d in drafts if ref.span[1] < d.claim.span[0] < r.start and d.claim.count)
            if ref.count - taken > 0:
                found.append((_ref_claim(text, ref, r, o, ref.count - taken, segs), r.segment))
        elif r.ordinal is not None:
            found.append((_ref_claim(text, ref, r, o, 1, segs), r.segment))
        elif _implied(ref.outcome, o):
            found[j] = (dataclasses.replace(ref, repeats=(*ref.repeats, (r.start, r.end))), found[j][1])
        elif ref.outcome in (None, "hit", "lost") and _STRENGTH.get(o, 0) > _STRENGTH.get(ref.outcome, 0):
            found[j] = (_upgrade(ref, o, r.outcome, (r.start, r.end)), found[j][1])
        elif ref.count == 1 and not generic:
            found.append((_ref_claim(text, ref, r, o, 1, segs), r.segment))
    return [c for c, _ in found]


def _upgrade(ref: Claim, outcome: str | None, words: Outcome | None, span: tuple[int, int]) -> Claim:
    """The referred claim with the stronger outcome a later reference states ("the tank burned out")."""
    return dataclasses.replace(
        ref,
        outcome=outcome,
        outcome_text=words.text if words else ref.outcome_text,
        cue=Cue("outcome", words.text, (words.start, words.end)) if words else ref.cue,
        repeats=(*ref.repeats, span),
    )


def _ref_claim(text: str, ref: Claim, r: Reference, outcome: str, n: int, segs: Sequence[Segment]) -> Claim:
    seg = segs[r.segment]
    end = max(r.end, r.outcome.end)
    return Claim(
        category=ref.category, outcome=outcome, count=n, cue=Cue("outcome", r.outcome.text, (r.outcome.start, r.outcome.end)),
        subtype=ref.subtype, equipment=ref.equipment, subject=ref.subject, claimant=ref.claimant,
        qualifiers=ref.qualifiers, text=text[r.start : end], span=(r.start, end),
        number_text=text[r.start : r.end], number_span=(r.start, r.end), outcome_text=r.outcome.text,
        sentence_span=(seg.start, seg.end),
    )  # fmt: skip


def _definite_references(text: str, segs: Sequence[Segment], covered: list[tuple[int, int]], lex: Lexicon) -> list[Reference]:
    """References back with an outcome and no number: "the tank was hit", "the third was damaged",
    "the rest were burned", "the Grad detonates", "the vehicle burned out"."""
    out = []
    for si, seg in enumerate(segs):
        for m in _REFERENCE_RE.finditer(text, seg.start, seg.end):
            if any(a <= m.start() < b for a, b in covered):
                continue
            ordinal = (m.group("ord") or "").lower() or None
            pos = _skip_ws(text, m.end())
            subj = subject_after(text, pos, seg.end, lex) if pos < seg.end else None
            if subj is not None and subj.start != pos:
                subj = None
            if subj is not None and subj.category is None and text[subj.start : subj.end].lower() not in _GENERIC_REFS:
                subj = None
            if subj is not None and subj.category == "personnel":
                continue
            if subj is None and ordinal is None:
                continue
            np_end = subj.end if subj is not None else m.end("ord")
            o = post_outcome(text, np_end, seg.end) or bare_outcome(text, np_end, seg.end)
            if o is None:  # "the ship, worth about $65 million, sank"
                aside = re.compile(r",[^,.;]{1,50},").match(text, np_end, seg.end)
                o = bare_outcome(text, aside.end(), seg.end) if aside else None
            if o is None and subj is not None and ordinal is None:  # "drones struck the Russian patrol ship"
                before = [x for x in find_outcomes(text, max(seg.start, m.start() - 30), m.start())
                          if not text[x.end : m.start()].strip() and not is_noun_form(x)]  # fmt: skip
                o = before[-1] if before else None
            if o is None:
                continue
            generic = subj is not None and text[subj.start : subj.end].lower() in _GENERIC_REFS
            category = None if (subj is None or generic) else subj.category
            subtype = None if (subj is None or generic) else subj.subtype
            out.append(Reference(m.start(), np_end, ordinal, category, subtype, o, si))
        for o in find_outcomes(text, seg.start, seg.end):  # "... and knocks it out", "destroyed it"
            if is_noun_form(o) or any(a <= o.start < b for a, b in covered):
                continue
            inside = _IT_RE.search(o.text)
            after = _IT_AFTER_RE.match(text, o.end, seg.end)
            if inside is not None:
                out.append(Reference(o.start + inside.start(), o.start + inside.end(), None, None, None, o, si))
            elif after is not None:
                out.append(Reference(after.start(1), after.end(1), None, None, None, o, si))
    return sorted(out, key=lambda r: r.start)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def merge_repeats(claims: list[Claim], segs: Sequence[Segment]) -> list[Claim]:
    """One claim for the same figure stated in headline / caption and body (the body's wording kept)."""

    def kind_of(c: Claim) -> str:
        return next((s.kind for s in segs if s.start <= c.span[0] < s.end + 1), "sentence")

    out: list[Claim] = []
    for c in claims:
        if c.background or c.category is None:
            out.append(c)
            continue
        if c.cue.kind == "presence" and c.count:
            # "Video shows two helicopters burning" after "destroyed two Mi-8 helicopters": the same objects
            same = [j for j, o in enumerate(out) if not o.background and o.category == c.category and o.count == c.count
                    and o.outcome is not None and (o.subtype == c.subtype or None in (o.subtype, c.subtype))]  # fmt: skip
            if same:
                o = out[same[-1]]
                out[same[-1]] = dataclasses.replace(o, repeats=tuple(sorted({*o.repeats, c.span})))
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
            if not (o.outcome == c.outcome or o.outcome in (None, "hit", "lost") or c.outcome in (None, "hit", "lost")):
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


