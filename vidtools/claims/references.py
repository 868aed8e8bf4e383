"""References back and repeats: the stages after each segment has been read.

* A figure that restates a background total told just before is background, with the rest of its
  list ("destroyed ... in week" then "Two air defense systems, 44 tanks and 258 strongholds were
  destroyed"); so are the parts of such a total ("624 of which").
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
  helicopters" is the same two. In the body, the same figure of the same kind told again by the same
  claimant within two paragraphs (by none: in the same or the next paragraph) is one claim too: a paraphrase and its quote ("lost
  more than 250 servicemen" ... "over 250 Ukrainian soldiers ... have been eliminated"), a summary
  and its detail. The merged claim keeps the most specific outcome (for aerial targets "shot down"
  is more specific than "destroyed"). Items of one list, one sentence, or a sentence that marks
  another event ("in a separate strike", "another") are never merged.
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
    is_aerial,
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
            "two were destroyed"), ``sibling`` (the kind of the claim read just before it: "26 of
            them were destroyed over Belgorod, 25 over Bryansk").
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
    tallies: dict[int, Cue] = {}
    covered = [(d.claim.number_span[0] if d.claim.number_span else d.claim.span[0], d.claim.span[1]) for d in drafts]
    refs = _definite_references(text, segs, covered, lex)
    events: list[tuple[int, Draft | Reference]] = sorted(
        [(d.claim.span[0], d) for d in drafts] + [(r.start, r) for r in refs], key=lambda e: e[0]
    )
    for _, ev in events:
        if isinstance(ev, Draft):
            c, d = ev.claim, ev
            if not c.background and c.category is not None and d.ref is None:
                if d.segment in tallies:  # the rest of a list one of whose figures restates a background total
                    c = dataclasses.replace(c, cue=tallies[d.segment])
                else:
                    c = _as_restated_background(c, d.segment, found, segs)
                    if c.background:  # "... in week" then "Two air defense systems, 44 tanks ... were destroyed"
                        tallies[d.segment] = c.cue
                        found = [(dataclasses.replace(x, cue=c.cue) if si == d.segment and not x.background and x.category else x, si)
                                 for x, si in found]  # fmt: skip
            if not c.background and d.ref in ("bare", "partitive") and found:
                last, si = found[-1]
                if last.background and last.cue.kind in _SCOPES and last.category is not None and 0 <= d.segment - si <= 1:
                    c = dataclasses.replace(c, category=last.category, subtype=last.subtype, cue=last.cue)  # "624 of which"
            if d.ref is None or c.background:
                found.append((c, d.segment))
                continue
            if d.ref == "sibling" and found:  # "26 of them ..., 25 over Bryansk": like the item before it
                prev = found[-1][0]
                o = d.words.for_category(prev.category, prev.subtype) if d.words is not None else prev.outcome
                found.append((dataclasses.replace(c, category=prev.category, subtype=prev.subtype, equipment=prev.equipment,
                                                  outcome=o, claimant=c.claimant or prev.claimant, cue=prev.cue), d.segment))  # fmt: skip
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
            o = words.for_category(ref.category, ref.subtype) if words is not None else None
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
                found.append((_ref_claim(text, kind, r, r.outcome.for_category(r.category, r.subtype), 1, segs), r.segment))
            continue
        ref = found[j][0]
        o = r.outcome.for_category(ref.category, ref.subtype)
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


_SCOPES = ("cumulative_total", "time_scope")


def _as_restated_background(c: Claim, seg_index: int, found: list[tuple[Claim, int]], segs: Sequence[Segment]) -> Claim:
    """``c`` as a background figure when it restates one told just before ("Russia has lost more than 1,000
    tanks since the war began. ... is now visually confirmed to have lost more than 1,000 tanks")."""
    para = segs[seg_index].paragraph
    for o, si in reversed(found):
        if si < 0 or para - segs[si].paragraph > 2:
            break
        if (o.background and o.cue.kind in _SCOPES and o.category == c.category
                and (o.count, o.count_low, o.count_high, o.bound) == (c.count, c.count_low, c.count_high, c.bound)):  # fmt: skip
            return dataclasses.replace(c, cue=o.cue)
    return c


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
            if o is None or re.search(r"\b(?:whether|if)\s*$", text[max(seg.start, m.start() - 10) : m.start()]):
                continue  # "did not specify whether the refinery had been damaged": nothing asserted
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


def _strength(c: Claim, outcome: str | None) -> int:
    """How specific an outcome is for claim ``c`` ("shot down" names how an aerial target was destroyed)."""
    if outcome == "shot_down" and is_aerial(c.category, c.subtype):
        return 6
    return _STRENGTH.get(outcome, 0)


def _compatible(a: str | None, b: str | None, aerial: bool) -> bool:
    """Two outcomes one figure may carry when told twice: the same, one saying less ("hit", "lost",
    none), "shot down"/"destroyed" for an aerial target, or people "killed or injured" and "killed" /
    "injured". "Destroyed" and "damaged" are two facts (two groups), not one told twice."""
    if a == b or a in (None, "hit", "lost") or b in (None, "hit", "lost"):
        return True
    if aerial and {a, b} == {"shot_down", "destroyed"}:
        return True
    return "killed_or_injured" in (a, b) and {a, b} <= {"killed_or_injured", "killed", "injured"}


_DEMONYMS = {"ukrainian": "ukraine", "russian": "russia", "british": "britain", "american": "us"}
_PERSON_TITLES = {"commander", "chief", "governor", "spokesman", "spokeswoman", "official", "mayor", "minister", "head"}


def _same_claimant(a: str | None, b: str | None) -> bool:
    """None fits any; a bare person's title ("the commander") fits a longer name; else one name's words hold the other's."""
    if a is None or b is None:
        return True
    wa, wb = ({_DEMONYMS.get(w, w) for w in re.findall(r"[a-z0-9]+", x.lower())} - {"the", "of", "s"} for x in (a, b))
    if (len(wa) == 1 and wa <= _PERSON_TITLES and len(wb) > 1) or (len(wb) == 1 and wb <= _PERSON_TITLES and len(wa) > 1):
        return True  # "the commander said" after "Ukraine's Air Force chief said"
    return bool(wa and wb and (wa <= wb or wb <= wa))


def _head(c: Claim) -> str:
    """The head noun of a claim's subject, singular and lower case ("" when there is none)."""
    words = re.findall(r"[a-z]+", (c.subject or "").lower())
    if not words:
        return ""
    w = words[-1]
    return w[:-3] + "y" if w.endswith("ies") else (w[:-1] if w.endswith("s") and not w.endswith("ss") else w)


_PLACE_NAME_RE = re.compile(r"\b(?:in|near|at|over|outside)\s+(?:the\s+)?(?:[a-z]+\s+){0,3}?(?P<p>[A-Z][\w'’\-]+)")
_NOT_PLACES = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
               "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Telegram", "X", "Facebook"}


def _places(text: str, seg: Segment) -> set[str]:
    """Place names a sentence gives ("in Beryslav", "in the northeastern Sumy region")."""
    return {m.group("p") for m in _PLACE_NAME_RE.finditer(text, seg.start, seg.end)} - _NOT_PLACES


_DISTINCT_RE = re.compile(r"\b(?:separate|another|second|elsewhere|earlier|previously|also\s+in)\b", re.IGNORECASE)
_OTHERS_RE = re.compile(r"(?:another|other|more|additional|further)\b", re.IGNORECASE)


def merge_repeats(claims: list[Claim], segs: Sequence[Segment], text: str = "") -> list[Claim]:
    """One claim for the same figure stated in headline / caption and body (the body's wording kept),
    or told again in the body (see the module notes)."""

    def seg_of(c: Claim) -> Segment | None:
        return next((s for s in segs if s.start <= c.span[0] < s.end + 1), None)

    def kind_of(c: Claim) -> str:
        s = seg_of(c)
        return s.kind if s is not None else "sentence"

    figures: dict[Segment, set[tuple[str | None, int | None, int | None, int | None]]] = {}
    for x in claims:
        sx = seg_of(x)
        if sx is not None and not x.background and x.category is not None:
            figures.setdefault(sx, set()).add((x.category, x.count, x.count_low, x.count_high))

    def restated(o: Claim, c: Claim) -> bool:
        so, sc = seg_of(o), seg_of(c)
        both = re.fullmatch(r"both", c.number_text or "", re.IGNORECASE) is not None  # "2 missiles ... both missiles"
        if so is None or sc is None or (so == sc and not both) or sc.paragraph - so.paragraph > 3:
            return False
        if so.kind == sc.kind == "list_item" and so.paragraph == sc.paragraph:
            return False
        if (o.count, o.count_low, o.count_high, o.bound) != (c.count, c.count_low, c.count_high, c.bound):
            return False
        if _OTHERS_RE.match(c.subject or "") or re.match(r"another\b", c.number_text or "", re.IGNORECASE):
            return False  # "two more tanks", "another drone": not the ones told before
        if text and _DISTINCT_RE.search(text, sc.start, sc.end):
            return False
        fo, fc = figures.get(so, set()), figures.get(sc, set()) if so and sc else set()
        if len(fo) >= 3 and len(fc) >= 3 and 2 * len(fo & fc) <= min(len(fo), len(fc)):
            return False  # two lists with few figures in common: another group's losses, not a repeat
        po, pc = (_places(text, s) for s in (so, sc)) if text else (set(), set())
        if po and pc and not po & pc:
            return False  # "one civilian wounded in Sumy" and "one civilian wounded in Beryslav"
        if not (o.subtype == c.subtype or None in (o.subtype, c.subtype)):
            return False
        if c.category == "other" and _head(o) != _head(c):
            return False  # "three areas" and "three control points", a warehouse and a playground: different things
        if None in (o.claimant, c.claimant) and sc.paragraph - so.paragraph > 1:
            return False  # a figure told by no one is another's only nearby
        if sc.paragraph - so.paragraph > 2 and not (o.claimant and c.claimant):
            return False
        return _compatible(o.outcome, c.outcome, is_aerial(c.category, c.subtype)) and _same_claimant(o.claimant, c.claimant)

    out: list[Claim] = []
    for c in claims:
        if c.background or c.category is None:
            out.append(c)
            continue
        if c.cue.kind == "presence" and c.count:
            # "Video shows two helicopters burning" after "destroyed two Mi-8 helicopters": the same objects
            same = [j for j, o in enumerate(out) if not o.background and o.category == c.category and o.count == c.count
                    and o.outcome is not None and (o.subtype == c.subtype or None in (o.subtype, c.subtype))
                    and (c.category != "other" or _head(o) == _head(c))]  # fmt: skip
            if same:
                o = out[same[-1]]
                out[same[-1]] = dataclasses.replace(o, repeats=tuple(sorted({*o.repeats, c.span})))
                continue
        k = kind_of(c)
        match = None
        body = False
        for j, o in enumerate(out):
            if o.background or o.category != c.category:
                continue
            if "headline" not in (k, kind_of(o)) and "caption" not in (k, kind_of(o)):
                if restated(o, c):
                    match, body = j, True
                continue
            if (o.count, o.count_low, o.count_high) != (c.count, c.count_low, c.count_high) and o.count != c.count:
                continue
            if not (o.outcome == c.outcome or o.outcome in (None, "hit", "lost") or c.outcome in (None, "hit", "lost")
                    or _compatible(o.outcome, c.outcome, is_aerial(c.category, c.subtype))):  # fmt: skip
                continue
            match, body = j, False
            break
        if match is None:
            out.append(c)
            continue
        o = out[match]
        if body:
            base, other = o, c
        else:
            base, other = (c, o) if kind_of(o) in ("headline", "caption") and k not in ("headline", "caption") else (o, c)
        outcome = base.outcome if _strength(base, base.outcome) >= _strength(base, other.outcome) else other.outcome
        out[match] = dataclasses.replace(
            base,
            outcome=outcome,
            claimant=base.claimant or other.claimant,
            repeats=tuple(sorted({*base.repeats, other.span, *other.repeats} - {base.span})),
        )
    return out
