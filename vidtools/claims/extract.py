"""Extraction: text -> claims, in stages that each return new values.

1. :func:`vidtools.claims.text.segments` - headline, captions, list lines, sentences.
2. Per segment (:func:`_read_segment`): numbers, their subjects (the noun phrase after a number,
   or the label before it in "tanks — 19"), own outcomes, list sharing, background cues,
   claimants and hedges -> :class:`~vidtools.claims.references.Draft` values.
3. Across segments (:mod:`vidtools.claims.references`): numbers with no noun, references back,
   repeats in headline, caption and body.
4. :func:`_finish` - "Source:" lines and stand-alone disclaimers.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vidtools.claims import claimants as cl
from vidtools.claims.cues import DAY_SCOPE_RE, ScopeCue, clauses, scope_cues, unit_cue
from vidtools.claims.lexicon import Lexicon, default_lexicon, load_lexicon
from vidtools.claims.model import QUALIFIERS, Claim, Cue
from vidtools.claims.numbers import Number, find_numbers, mask_dates
from vidtools.claims.phrases import (
    NOUN_OF_FORMS,
    OUTCOME_ALT,
    OUTCOME_RE,
    PERSONNEL_WORDS,
    Outcome,
    Subject,
    bare_outcome,
    find_outcomes,
    is_noun_form,
    label_before,
    outcome_at,
    post_outcome,
    subject_after,
)
from vidtools.claims.references import Draft, merge_repeats, resolve_references
from vidtools.claims.text import Segment, segments
from vidtools.errors import ClaimsError

_PRESENCE_RE = re.compile(r"(?:\s+(?:were|was|are|is|been|being|also))+\s+(?:seen|spotted|observed|visible|present|filmed|"
                          r"shown|launched|deployed|advancing|moving|recorded|identified)\b", re.IGNORECASE)  # fmt: skip
_LIST_SEP_RE = re.compile(
    r"^(?:\s+(?:that|which|who|with|from|near|in|on|of|made|built|supplied|produced|manufactured)\b[^,;.\d]{0,60})?"
    r"(?:,\s*[a-z][\w\-]*(?:\s+[a-z][\w\-]*){0,3}(?=,))*"
    r"\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+|including\s+)?|and\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+)"
    r"(?:also\s+)?(?:(?:windows|roofs?|facades?|parts?|sections?)\s+of\s+)?$",
    re.IGNORECASE,
)
_NO_REPORTS_RE = re.compile(r"\s+(?:immediate\s+|official\s+|further\s+|other\s+)?(?:reports?|information|word|details|data|"
                            r"confirmation|indication)\b", re.IGNORECASE)  # fmt: skip
_NONE_REPORTED_RE = re.compile(r"\s+(?:\w+\s+){0,3}?(?:casualties|injuries|deaths|fatalities|damage)\s+(?:(?:were|was|have\s+been|has\s+been)\s+)?"
                               r"reported\b", re.IGNORECASE)  # fmt: skip
_PURPOSE_RE = re.compile(r"[^.;:]*?\bto\s+(?:strike|attack|hit|storm|assault|cross|target|seize|capture|encircle|break\s+through)\b",
                         re.IGNORECASE)  # fmt: skip
_AGENT_RE = re.compile(r"\s+(?:had|has|have)?\s*(?:\w+ly\s+)?(?:destroyed|hit|struck|damaged|downed|shot\s+down|killed|taken\s+out|"
                       r"took\s+out|attacked|targeted)\s+(?:a|an|the|one|two|three|four|five|\d|several|its|their)\b", re.IGNORECASE)  # fmt: skip
_INSTRUMENT_RE = re.compile(r"(?:\busing\s+(?:just|only)\s+|\b(?:hit|strike|blow|attack)s?\s+(?:of|from)\s+)$", re.IGNORECASE)
_INCLUDING_RE = re.compile(r"[,(]\s*(?:including|among\s+them|among\s+whom|of\s+whom|of\s+which|of\s+them)\s+$", re.IGNORECASE)
_OUTCOME_NOUN_RE = re.compile(r"\s+(?:more\s+|other\s+|additional\s+|further\s+|civilian\s+)*(?P<w>casualties|deaths|fatalities|injuries)\b",
                              re.IGNORECASE)  # fmt: skip
_NO_CASUALTIES_RE = re.compile(r"\s+(?:civilian\s+)?(?P<w>casualties|deaths|fatalities|injuries|dead|wounded|killed|injured)\b",
                               re.IGNORECASE)  # fmt: skip
_CREW_OF_RE = re.compile(r"\b(?P<w>crew|crews|group|squad|team|platoon|detachment)\s+of\s+$", re.IGNORECASE)
_PRE_STOP = {"and", "or", "but", "while", "whereas", "said", "says", "that", "which", "who", "by", "were", "was",
             "with", "is", "are", "after", "before", "when", "as", "because", "claimed", "where", "whose", "whom"}  # fmt: skip
_LOSS_OF_RE = re.compile(r"(?:\s+(?:of|among|in)\s+[^\d,.;:]{0,60}?)?\s+(?:amounted\s+to|amount\s+to|amounting\s+to|totall?ed|stood\s+at|reached|"
                         r"were|was|came\s+to|numbered)\s*$", re.IGNORECASE)  # fmt: skip
_DEFINITE_LIST_RE = re.compile(r"^\s*(?:(?:the|its|their|this|that)\s+[\w\-]+(?:\s+[\w\-]+)?\s*(?:,\s*and\s+|,\s*|\s+and\s+))+$",
                               re.IGNORECASE)  # fmt: skip
_AMONG_RE = re.compile(r"\s+(?:(?:was|were|is|are)\s+)?among\s+(?:those|the)\s+(?P<o>injured|wounded|killed|dead|casualties)\b",
                       re.IGNORECASE)  # fmt: skip
_AMONG_THEM_RE = re.compile(r"\s+(?:(?:was|were|is|are)\s+)?among\s+(?:them|the\s+victims)\b", re.IGNORECASE)
_OF_WHICH_IT_RE = re.compile(rf"\s+of\s+(?:which|them|whom)\s+(?:it|they|we|he|she)\s+(?:(?:was|were|had\s+been|has\s+been)\s+)?"
                             rf"(?:(?:able|managed)\s+to\s+)?(?P<o>{OUTCOME_ALT})", re.IGNORECASE)  # fmt: skip
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
@dataclass(frozen=True)
class _Item:
    """A number of a segment with what was read around it.

    Attributes:
        number: The number expression.
        subject: The noun phrase it counts, None when there is none.
        unit: ``(cue kind, end)`` when a unit makes it a background figure ("7 km", "1,500-strong").
        label: The subject is a list label before the number ("tanks — 19").
        own: The item's own outcome words (a passive after it, an adjective inside its noun
            phrase, a verb before it, a participle after it).
    """

    number: Number
    subject: Subject | None
    unit: tuple[str, int] | None
    label: bool
    own: Outcome | None


@dataclass(frozen=True)
class _Context:
    """What one segment passes to the next.

    Attributes:
        last_claimant: The last named claimant (for "it said").
        carried: The background kind that covered every figure of the last segment with figures
            ("During this period Russia also lost ..." carries it), and that segment's paragraph.
        day_paragraph: The paragraph of the last "over the past day" / "overnight" (a report of one day).
    """

    last_claimant: str | None = None
    carried: tuple[str, int] | None = None
    day_paragraph: int | None = None


def extract_claims(text: str, *, lexicon: Lexicon | str | os.PathLike[str] | None = None) -> list[Claim]:
    """Find the claims and background figures of a text.

    Args:
        text: The text (an article, a statement, a unit's post, a losses list). Plain text.
        lexicon: Equipment names -> categories: a :class:`~vidtools.claims.Lexicon`, or the path of
            a YAML file that extends the built-in one (see :func:`vidtools.claims.load_lexicon`);
            default: the built-in lexicon.

    Returns:
        One :class:`~vidtools.claims.Claim` per number in text order; background figures are
        included with ``claim.background`` True and the deciding ``claim.cue``. A claim repeated
        in headline, caption and body is one claim whose ``repeats`` hold the other spans.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_claims() needs a str, got {type(text).__name__}")
    lex = lexicon if isinstance(lexicon, Lexicon) else (default_lexicon() if lexicon is None else load_lexicon(lexicon))
    masked, dates = mask_dates(text)
    segs = segments(text)
    drafts: list[Draft] = []
    ctx = _Context()
    header_info: dict[int, tuple[Outcome | None, str | None, tuple[ScopeCue, ...]]] = {}
    for i, seg in enumerate(segs):
        if seg.kind == "header":
            header_info[i] = _header_info(text, seg, ctx)
        header = header_info.get(seg.header) if seg.header is not None else None
        new, ctx = _read_segment(text, masked, seg, i, lex, header, ctx)
        drafts += new
    drafts += [
        Draft(Claim(category=None, outcome=None, count=None, cue=Cue("date", text[d.start : d.end], (d.start, d.end)),
                     text=text[d.start : d.end], span=(d.start, d.end), number_text=text[d.start : d.end],
                     number_span=(d.start, d.end)), None, None, -1)
        for d in dates
    ]  # fmt: skip
    drafts.sort(key=lambda d: d.claim.span[0])
    claims = resolve_references(text, segs, drafts, lex)
    source = cl.source_line(text)  # "Source: X" names the claimant of the figures no sentence attributes
    claims = [dataclasses.replace(c, claimant=source) if source and c.claimant is None and not c.background else c for c in claims]
    claims = merge_repeats(claims, segs, text)
    return _finish(text, claims)


def extract_claims_from_file(
    path: str | os.PathLike[str], *, lexicon: Lexicon | str | os.PathLike[str] | None = None
) -> list[Claim]:
    """Read a UTF-8 text file and :func:`extract_claims` from it.

    Raises:
        ClaimsError: the file is missing or not UTF-8 text, or the lexicon file is bad.
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


def _pre_outcome(text: str, lo: int, num_start: int) -> Outcome | None:
    """The nearest outcome verb before a number ("destroyed more than 150", "losses amounted to up to 210")."""
    outs = find_outcomes(text, lo, num_start)
    for o in reversed(outs):
        low = o.text.lower()
        if low in NOUN_OF_FORMS and re.fullmatch(r"\s+of\s+", text[o.end : num_start]):
            return o  # "the destruction of a tank", "the elimination of 11 soldiers"
        if low in ("losses", "loss") and re.fullmatch(r"[^.;:\d]{0,40}?,\s*including\s+", text[o.end : num_start]):
            return o  # "suffered heavy losses, including more than 200 servicemen"
        if low in ("losses", "loss", "casualties") and _LOSS_OF_RE.match(text, o.end, num_start):
            return o  # "the losses of the Ukrainian armed forces amounted to up to 140"
        fill = re.sub(r",\s*(?:including|among\s+them|notably|in\s+particular)\s+[\"“']?$", " ", text[o.end : num_start])
        fill = _DEFINITE_LIST_RE.sub(" ", fill)  # "destroyed the missile and 18 of the drones"
        words = re.findall(r"[\w'’\-]+", fill)
        if re.search(r"\d|[;.!?,]", fill) or len(words) > 4 or any(w.lower() in _PRE_STOP for w in words):
            return None
        if o.text.lower().endswith("ing") and words and words[0].lower() not in ("a", "an", "the", "some", "at", "up", "more"):
            return None  # "an attacking column of ...": an adjective, not a verb taking the number
        if is_noun_form(o):
            if o.text.lower() in ("losses", "loss") and _LOSS_FILL_RE.match(fill):
                return o
            return None
        return o
    return None


def _read_item(text: str, seg: Segment, nums: Sequence[Number], n: Number, lex: Lexicon, prev_end: int) -> _Item:
    unit = unit_cue(text, n.value_start, n.end) if n.kind not in ("negation", "daily", "article", "both") else None
    label = None
    if n.kind == "daily":
        main = _main_figure_start(nums, n)
        label = label_before(text, main, seg.start, lex)
        if label is None:  # inline: "8,860 enemy tanks (+14 in the past day)", "17,438 (+42) armored fighting vehicles"
            main_num = next((x for x in nums if x.start == main and x is not n), None)
            label = (subject_after(text, main_num.end, n.start, lex) if main_num else None) or subject_after(text, n.end, seg.end, lex)
            if label is not None and label.category is None:
                label = None
    elif unit is None and n.kind in ("digits", "words", "vague"):
        label = label_before(text, n.start, seg.start, lex)
    after = None if unit else subject_after(text, n.end, seg.end, lex)
    hyphen = lex.match(" " + text[n.end + 1 : seg.end], 1) if unit is None and text[n.end : n.end + 1] == "-" else None
    if hyphen is not None and hyphen.category is not None and (after is None or after.category is None):  # "a 70-drone attack"
        a, b = n.end + hyphen.start, n.end + hyphen.end
        after = Subject(a, b, hyphen.category, hyphen.subtype, hyphen.text if hyphen.name else None)
    if label is not None and after is not None and after.category is not None:
        label = None  # "184 air attack assets: 78 missiles and 106 drones": the number has its own noun
    subj = None if unit else (label or after)
    noun = _OUTCOME_NOUN_RE.match(text, n.end, seg.end) if unit is None and n.kind not in ("negation", "article", "daily") else None
    if noun is not None and (subj is None or subj.category is None or subj.reference == "others"):
        o = outcome_at(OUTCOME_RE.match(text, noun.start("w"), seg.end))  # type: ignore[arg-type]
        subj = Subject(noun.start("w"), noun.end("w"), "personnel", None, None, None, o)  # "four deaths", "26 injuries"
    crew = _CREW_OF_RE.search(text, max(seg.start, n.start - 30), n.start)
    if subj is None and unit is None and crew is not None:  # "the crew of five", "a group of 10"
        subj = Subject(crew.start(), crew.end("w"), "personnel", None, None)
    elif subj is not None and subj.category == "personnel" and re.fullmatch(r"prisoners?(?:\s+of\s+war)?|POWs?", text[subj.start : subj.end], re.IGNORECASE):
        took = re.compile(r"\b(?:took|take|takes|taking|taken)(?=\s+$)", re.IGNORECASE).search(text, max(seg.start, n.start - 12), n.start)
        if took is not None:  # "took seven prisoners"
            subj = dataclasses.replace(subj, adjectival=Outcome(took.start(), took.end(), took.group(), "captured", "captured"))
    is_year = n.kind == "digits" and n.bound == "exact" and re.fullmatch(r"(?:19|20)\d\d", text[n.start : n.end])
    if unit is None and is_year and (subj is None or subj.category is None):
        unit = ("date", n.end)
    own = None
    if unit is None and n.kind != "daily":
        np_end = n.end if label is not None or subj is None else subj.end  # a label stands before the number
        own = post_outcome(text, np_end, seg.end) or (subj.adjectival if subj else None)
        if own is None and (subj is None or label is not None):
            own = bare_outcome(text, np_end, seg.end)
        instrument = re.search(r"\b(?:with|by)\s+(?:\S+\s+){0,2}$", text[max(seg.start, n.start - 25) : n.start])
        if own is None and label is None and not instrument:
            own = _pre_outcome(text, max(prev_end, seg.start), n.start)
        if own is None and label is None:
            own = bare_outcome(text, np_end, seg.end)
        if own is None and label is None:
            own = _outcome_beyond(text, seg, np_end)
        elif own is not None and own.equipment == "lost" and own.end <= n.start and label is None:
            specific = bare_outcome(text, np_end, seg.end)  # "lost 1,530 soldiers killed or wounded"
            own = specific if specific is not None and specific.start - np_end <= 1 else own
    return _Item(n, subj, unit, label is not None, own)


def _outcome_beyond(text: str, seg: Segment, np_end: int) -> Outcome | None:
    """An outcome that stands apart from the noun phrase: "four employees among those injured", "a child
    was among them" (the outcome told of them just before), "Two others, including a 4-year-old
    child, suffered wounds", "58 of which it was able to shoot down"."""
    among = _AMONG_RE.match(text, np_end, seg.end)
    if among is not None:
        return outcome_at(OUTCOME_RE.match(text, among.start("o"), seg.end))  # type: ignore[arg-type]
    if _AMONG_THEM_RE.match(text, np_end, seg.end):
        para = text.rfind("\n\n", 0, seg.start) + 1
        told = [o for o in find_outcomes(text, para, np_end) if o.personnel in ("killed", "injured", "killed_or_injured")]
        return told[-1] if told else None
    aside = re.compile(r",\s*including\s+[^,.;]{1,60},").match(text, np_end, seg.end)
    if aside is not None:
        return post_outcome(text, aside.end(), seg.end) or bare_outcome(text, aside.end(), seg.end)
    which = _OF_WHICH_IT_RE.match(text, np_end, seg.end)
    return outcome_at(OUTCOME_RE.match(text, which.start("o"), seg.end)) if which else None  # type: ignore[arg-type]


def _share_outcomes(text: str, seg: Segment, items: Sequence[_Item], header_outcome: Outcome | None) -> list[Outcome | None]:
    """Items of one list ("two X, two Y and one Z were hit", "destroyed three tanks, a BMP and 12 trucks")
    share the verb before the first item or after the last; list lines share the header's."""
    groups: list[list[int]] = []
    for k, it in enumerate(items):
        if it.unit is not None:
            continue
        if groups:
            p = items[groups[-1][-1]]
            p_end = p.subject.end if p.subject else p.number.end
            own_after = p.own is not None and p.own.start >= p_end
            gap = text[p_end : it.number.start]
            whole_again = re.search(r"\bof\s+the\s+$", text[max(seg.start, p.number.start - 8) : p.number.start], re.IGNORECASE)
            partitive = whole_again is not None or (it.subject is not None and it.subject.reference == "partitive" and it.subject.category is None) or (
                re.match(r"\s+of\s+(?:which|whom|them)\b", text[it.number.end : it.number.end + 12]) is not None)  # "..., 58 of which"
            joined = (it.label and p.label and re.fullmatch(r"[^\d]*", gap) is not None) or (
                not own_after and not partitive and _LIST_SEP_RE.match(gap) is not None
            )
            if joined:
                groups[-1].append(k)
                continue
        groups.append([k])
    shared = [it.own for it in items]
    for g in groups:
        for pos, k in enumerate(g):
            if shared[k] is not None:
                continue
            after = next((items[x].own for x in g[pos + 1 :] if items[x].own is not None), None)
            after = after if after is not None and after.start >= items[k].number.end else None
            before = next((items[x].own for x in reversed(g[:pos]) if items[x].own is not None), None)
            before = before if before is not None and before.end <= items[g[0]].number.start else None
            shared[k] = after or before
    for k in range(1, len(items)):
        p = items[k - 1]
        gap = text[(p.subject.end if p.subject else p.number.end) : items[k].number.start]
        if shared[k] is None and items[k].unit is None and _INCLUDING_RE.search(gap):
            shared[k] = shared[k - 1]  # "30 people were killed, including four civilians"
    outs = find_outcomes(text, seg.start, seg.end)
    for k, it in enumerate(items):
        if shared[k] is None and it.unit is None and (it.label or seg.kind == "list_item" or it.number.kind == "daily"):
            earlier = [o for o in outs if o.end <= it.number.start]
            shared[k] = earlier[-1] if earlier else header_outcome
    return shared


def _read_segment(
    text: str,
    masked: str,
    seg: Segment,
    index: int,
    lex: Lexicon,
    header: tuple[Outcome | None, str | None, tuple[ScopeCue, ...]] | None,
    ctx: _Context,
) -> tuple[list[Draft], _Context]:
    outcome_spans = [(o.start, o.end) for o in find_outcomes(text, seg.start, seg.end)]
    names = [(m.start, m.end) for m in lex.find_all(text, seg.start, seg.end) if m.name]
    nums = [n for n in find_numbers(masked, seg.start, seg.end)
            if not any(a <= n.start < b for a, b in outcome_spans)
            and not (n.kind == "digits" and any(a < n.start < b for a, b in names))]  # "eight Leopard 2 tanks"  # fmt: skip
    items: list[_Item] = []
    prev_end = seg.start
    for n in nums:
        if n.kind == "article" and re.search(r"\b(?:with|by|at|in|on|near|over|to|from|into|across|towards?|behind|inside|"
                                             r"outside|around|using)\s+$", text[max(seg.start, n.start - 8) : n.start]) and not (
                re.search(r"\b(?:damage|blows?|hits?)\s+to\s+$", text[max(seg.start, n.start - 12) : n.start], re.IGNORECASE)):
            continue  # "hit by an FPV drone", "at an airfield": an instrument or a place, not a counted item
        if n.kind == "both" and re.match(r"\s+(?:[\w\-]+\s+){1,2}?and\b", text[n.end : n.end + 40]) and not re.match(
                r"\s+(?:[\w\-]+\s+)?(?:were|was|are|have|had)\b", text[n.end : n.end + 30]):
            continue  # "by both military and civilian authorities": a conjunction, not a count
        if n.kind == "negation" and (_NO_REPORTS_RE.match(text, n.end, seg.end) or _NONE_REPORTED_RE.match(text, n.end, seg.end)):
            continue  # "no immediate reports of damage or casualties": nothing is said to be zero
        if _INSTRUMENT_RE.search(text, max(seg.start, n.start - 30), n.start):
            continue  # "using just one drone", "a direct hit of a Lancet": the one weapon used, not a counted item
        it = _read_item(text, seg, nums, n, lex, prev_end)
        if re.search(r"\bof\s+the\s+$", text[max(seg.start, n.start - 8) : n.start], re.IGNORECASE) and it.subject is not None:
            it = dataclasses.replace(it, own=None, label=False)  # "Of the 132 drones, ...": the whole told again
        items.append(it)
        if (it.subject is not None and it.subject.category is not None) or n.kind not in ("article", "both"):
            prev_end = max(prev_end, it.subject.end if it.subject else n.end)
    for k in range(len(items) - 1):  # "three missile and 159 air strikes": one head noun for both
        a, b = items[k], items[k + 1]
        if (a.subject is not None and b.subject is not None and b.subject.category is None and b.subject.reference is None
                and not b.subject.unknown and re.fullmatch(r"\s+(?:and|or)\s+", text[a.subject.end : b.number.start])
                and not re.search(r"e?s$", text[a.subject.start : a.subject.end])):  # fmt: skip
            items[k] = dataclasses.replace(a, subject=b.subject)
    for k in range(len(items) - 1):  # "26 of 29 drones": the first number counts the second's noun
        a, b = items[k], items[k + 1]
        if a.subject is None and a.unit is None and re.fullmatch(r"\s+(?:out\s+)?of\s+", text[a.number.end : b.number.start]):
            items[k] = dataclasses.replace(a, subject=b.subject)
    shared = _share_outcomes(text, seg, items, header[0] if header else None)
    items, shared = _elided(text, seg, items, shared, lex)
    first_num = next((it.number.start for it in items if it.unit is None and not (
        it.number.kind in ("article", "both", "negation") and (it.subject is None or it.subject.category is None))), None)  # "In a Monday report, ..."
    day_para = seg.paragraph if DAY_SCOPE_RE.search(text, seg.start, seg.end) else ctx.day_paragraph
    day_scope = day_para is not None and seg.paragraph - day_para <= 1
    carried = ctx.carried[0] if ctx.carried is not None and seg.paragraph - ctx.carried[1] <= 2 else None
    cues = scope_cues(text, seg.start, seg.end, first_num, day_scope=day_scope, carried=carried)
    if header:  # a list's header covers its lines ("The total combat losses ... from 24.02.22:")
        cues += tuple(dataclasses.replace(c, clause=(seg.start, seg.end)) for c in header[2])
    named: list[tuple[int, str | None, str]] = []
    last = ctx.last_claimant
    for a in cl.find_attributions(text, seg.start, seg.end):
        named.append((a.pos, a.name or last, a.verb))
        last = a.name or last
    parts = clauses(text, seg.start, seg.end)
    dailies = sum(1 for it in items if it.number.kind == "daily")
    drafts = []
    for k, it in enumerate(items):
        nxt = items[k + 1].number if k + 1 < len(items) else None
        cumulative = nxt is not None and nxt.kind == "daily" and not re.search(r"[;\n]", text[it.number.end : nxt.start])
        # an inline list with daily changes: its figures without one are totals too ("961 air defense systems")
        cumulative = cumulative or (dailies >= 2 and it.number.kind != "daily" and it.unit is None and it.subject is not None)
        prev_subject = items[k - 1].subject if k > 0 else None
        d = _make_draft(text, seg, index, it, shared[k], cumulative, prev_subject, cues, named, header, parts)
        if d is not None:
            drafts.append(d)
    counted = [d.claim.cue.kind for d in drafts if d.claim.category is not None or d.claim.cue.kind in ("cumulative_total", "time_scope")]
    scoped = counted and all(k in ("cumulative_total", "time_scope") for k in counted)
    own_day = DAY_SCOPE_RE.search(text, seg.start, seg.end) is not None
    carry = (max(set(counted), key=counted.count), seg.paragraph) if scoped else (
        None if counted and not own_day else ctx.carried)  # "This number includes 1,180 ... over the past day" keeps it
    return drafts, _Context(last, carry, day_para)


_PLACE = r"(?:the\s+)?(?:occupied\s+)?(?:[A-Z]|(?:[a-z]+\s+){0,2}(?:city|town|village|region|oblast|province|district)\s+of\s+[A-Z])"
_PLACE_AFTER_RE = re.compile(rf"\s+(?:each\s+)?(?:over|in|near|above|across|around|off|on|at)\s+{_PLACE}")
_PLACE_RE = re.compile(rf"\b(?:over|in|near|above|across|around|off|on|at)\s+{_PLACE}")
_RESTATED_RE = re.compile(r"\s*(?:in\s+total|in\s+all|altogether)?\s*(?:,[^,.;]{0,60}\b(?:said|says|reported|added|claimed)\b[^.;]*)?"
                          r"[.;!]?\s*$", re.IGNORECASE)  # fmt: skip


def _elided(text: str, seg: Segment, items: list[_Item], shared: list[Outcome | None],
            lex: Lexicon) -> tuple[list[_Item], list[Outcome | None]]:  # fmt: skip
    """Numbers whose noun and verb are left out.

    * A breakdown by place: "11 drones were shot down over the Belgorod Region, 28 over the
      Voronezh Region and one each over ..." (28 and 1 take the item before them).
    * A figure restating its clause after a dash: "most of the drones were shot down over the
      Black Sea – 60 in total" (60 takes the clause's last noun and outcome).
    """
    items, shared = list(items), list(shared)
    for k, it in enumerate(items):
        n = it.number
        if it.unit is not None or it.label or n.kind not in ("digits", "words"):
            continue
        np_end = it.subject.end if it.subject is not None else n.end
        if k > 0 and shared[k] is None and _PLACE_AFTER_RE.match(text, np_end, seg.end):
            p = items[k - 1]
            before = text[p.number.end : n.start]
            chained = p.subject is None and p.unit is None and _PLACE_AFTER_RE.match(text, p.number.end, seg.end) is not None
            if (p.unit is None and (p.subject is not None or chained) and _PLACE_RE.search(before)
                    and re.search(r"(?:,|\band)\s*$", before) and not re.search(r"\d", before)):  # fmt: skip
                if p.subject is None:  # "including 66 over the Krasnodar region and 45 over Saratov": like the one before
                    items[k] = dataclasses.replace(it, subject=Subject(n.end, n.end, None, None, None, "sibling"))
                    shared[k] = shared[k] or shared[k - 1]
                    continue
                if it.subject is not None:  # "..., six drones over the Tver Region": the verb is left out
                    if it.subject.category == p.subject.category:
                        shared[k] = shared[k - 1]
                    continue
                subj = p.subject
                ref = "sibling" if subj.category is None else None  # "26 of them ..., 25 over Bryansk": the same whole
                items[k] = dataclasses.replace(it, subject=Subject(n.end, n.end, subj.category, subj.subtype, subj.equipment, ref))
                shared[k] = shared[k] or shared[k - 1]
                continue
        if it.subject is not None:
            continue
        if re.search(r"\s[–—-]\s*$|:\s*$", text[max(seg.start, n.start - 3) : n.start]) and _RESTATED_RE.match(text, n.end, seg.end):
            nouns = [m for m in lex.find_all(text, seg.start, n.start) if m.category is not None]
            outs = [o for o in find_outcomes(text, seg.start, n.start) if not is_noun_form(o)]
            if nouns and outs:
                head = nouns[-1]
                items[k] = dataclasses.replace(it, subject=Subject(n.end, n.end, head.category, head.subtype, None))
                shared[k] = shared[k] or outs[-1]
    return items, shared


def _main_figure_start(nums: Sequence[Number], daily: Number) -> int:
    """Start of the figure a "(+19)" follows (the label stands before that figure)."""
    before = [n for n in nums if n.end <= daily.start]
    return before[-1].start if before else daily.start


def _decide_cue(text: str, it: _Item, outcome: Outcome | None, cumulative: bool, category: str | None,
                ref: str | None, cues: tuple[ScopeCue, ...], nxt_span: tuple[int, int] | None) -> Cue:  # fmt: skip
    n = it.number
    if it.unit is not None:
        kind, end = it.unit
        return Cue("date", text[n.start : n.end], (n.start, n.end)) if kind == "date" else Cue(kind, text[n.start : end], (n.start, end))
    if n.kind == "daily":
        return Cue("daily_change", text[n.start : n.end], (n.start, n.end))
    if cumulative and nxt_span is not None:
        return Cue("cumulative_total", text[nxt_span[0] : nxt_span[1]], nxt_span)
    np_end = it.subject.end if it.subject is not None else n.end
    purpose = _PURPOSE_RE.match(text, np_end, min(len(text), np_end + 120)) is not None
    cues = tuple(c for c in cues if not (purpose and c.kind == "deployment" and c.end <= n.start))  # "sent 550 troops ... to cross"
    scope = [c for c in cues if c.clause[0] <= n.start <= c.clause[1] and (c.kind != "deployment" or outcome is None)
             and not (c.kind == "deployment" and c.start > np_end and text[np_end : c.start].strip() == ""
                      and text[c.start : c.end].lower().endswith("ing"))]  # "two soldiers deploying the drone"  # fmt: skip
    if scope:
        c = min(scope, key=lambda c: abs(c.start - n.start))
        return Cue(c.kind, text[c.start : c.end], (c.start, c.end))
    if category is None and ref is None:
        return Cue("unrelated")
    if outcome is not None:
        return Cue("outcome", outcome.text, (outcome.start, outcome.end))
    return Cue("unrelated") if category is None and ref == "bare" else Cue("presence")


def _make_draft(
    text: str,
    seg: Segment,
    index: int,
    it: _Item,
    outcome: Outcome | None,
    cumulative: bool,
    prev_subject: Subject | None,
    cues: tuple[ScopeCue, ...],
    named: list[tuple[int, str | None, str]],
    header: tuple[Outcome | None, str | None, tuple[ScopeCue, ...]] | None,
    parts: tuple[tuple[int, int], ...],
) -> Draft | None:
    n, subj = it.number, it.subject
    after_np = text[(subj.end if subj else n.end) : seg.end]
    if subj is None and it.unit is None:
        if n.kind == "article" or (n.kind == "words" and n.count == 1 and outcome is None):
            return None  # "a month", "one of the reasons"
        if n.kind == "both" and not re.match(r"\s+(?:were|was|have|had)\b", after_np):
            return None
        casualty_noun = _NO_CASUALTIES_RE.match(text, n.end, seg.end)
        if n.kind == "negation" and casualty_noun is not None:
            # "there were no casualties", "no deaths": people, count 0, the noun is the outcome
            o = outcome_at(OUTCOME_RE.match(text, casualty_noun.start("w"), seg.end))  # type: ignore[arg-type]
            subj = Subject(casualty_noun.start("w"), casualty_noun.end("w"), "personnel", None, None)
            outcome, it = o, dataclasses.replace(it, subject=subj, own=o)
        elif n.kind == "negation" and not re.match(r"no\s+one|nobody|none\s+of\s+(?:them|those)", text[n.start : n.end], re.IGNORECASE):
            return None  # "no longer", "no comment"
    if n.kind in ("article", "both") and subj is not None and (subj.category is None and subj.reference != "generic"):
        return None  # "a statement", "both sides"
    if outcome is None and _AGENT_RE.match(after_np):
        return None  # "one of its naval drones had destroyed a Russian helicopter": the weapon, not a counted target
    if n.kind == "article" and re.match(r"\s*,\s*(?:was|were|is|are|had|has|whose|who|which|whom)\b", after_np):
        return None  # an appositive or a relative: "One of the tanks, a T-80BVM, was hit", "a soldier, whose identity ..."
    category = subj.category if subj else None
    ref: str | None = None
    if subj is None and it.unit is None:
        ref = "bare"
        if n.kind == "negation" and re.search(r"(?:them|those)$", text[n.start : n.end], re.IGNORECASE):
            ref = "partitive"  # "none of them was lost"
        elif n.kind == "negation":
            category, ref = "personnel", None  # "no one was hurt"
        elif re.search(r"\bof\s*$", text[max(seg.start, n.start - 12) : n.start]) and prev_subject is not None:
            category, subj, ref = prev_subject.category, prev_subject, None  # "12 drones out of 17 launched"
    elif subj is not None and subj.reference is not None and (category is None or subj.reference == "partitive"):
        ref = subj.reference
    elif subj is not None and subj.unknown and outcome is not None and outcome.equipment is not None and it.unit is None:
        # an outcome on a noun the lexicon does not know: "141 areas were struck", "35 attackers were killed"
        category = "personnel" if PERSONNEL_WORDS.fullmatch(outcome.text) else "other"
    if n.kind == "article" and ref is None and category is not None and outcome is None and not it.label:
        prev_ok = (prev_subject is not None and prev_subject.category is not None
                   and _LIST_SEP_RE.match(text[prev_subject.end : n.start]) is not None)  # fmt: skip
        if not prev_ok and not re.match(r"\s*(?:,|and\b)", after_np):
            return None  # "a" counts only with an outcome or as an item of a list
    nxt_span = None
    cue = _decide_cue(text, it, outcome, cumulative, category, ref, cues, nxt_span)
    if cumulative:
        cue = Cue("cumulative_total", "", None)
    if n.kind == "article" and cue.kind == "unrelated":
        return None
    # claimant: the attribution of the number's clause (before it first), else of the segment, else the header's
    clause = next((p for p in parts if p[0] <= n.start <= p[1]), (seg.start, seg.end))
    in_clause = [a for a in named if clause[0] <= a[0] <= clause[1]]
    before = [a for a in in_clause if a[0] < n.start]
    earlier = [a for a in named if a[0] < n.start]  # "X said ... and that no vehicles were hit": X
    pick = before[-1] if before else (in_clause[0] if in_clause else (earlier[-1] if earlier else (named[0] if named else None)))
    claimant = pick[1] if pick else (header[1] if header else None)
    qualifiers = {q for q, rx in _HEDGES if rx.search(text, clause[0], clause[1])}
    if pick and pick[2].lower().startswith("claim"):
        qualifiers.add("claimed")
    if _UNVERIFIED_RE.search(text, clause[0], clause[1]):
        qualifiers.add("unverified")
    start, end = n.start, max(n.end, subj.end if subj else n.end, it.unit[1] if it.unit else n.end)
    if it.own is not None and not cue.background and seg.start <= it.own.start < seg.end:
        start, end = min(start, it.own.start), max(end, it.own.end)
    elif cue.kind == "presence":
        seen = _PRESENCE_RE.match(text, end, seg.end)  # "3 soldiers were present", "20-30 infantry were seen"
        end = seen.end() if seen else end
    has_bounds = n.count is not None or n.bound in ("range", "vague")
    words = outcome if not cue.background or it.unit is None else None
    claim = Claim(
        category=category,
        outcome=words.for_category(category, subj.subtype if subj else None) if words is not None and category is not None else None,
        count=None if it.unit and it.unit[0] == "date" else n.count,
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
        outcome_text=words.text if words is not None else None,
        sentence_span=(seg.start, seg.end),
    )
    return Draft(claim, ref, words, index)


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
