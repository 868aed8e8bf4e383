"""Set claims beside what analysed footage shows.

:func:`compare` sums over all given reports (clips are assumed to show different events):

* ``strikes_on_target`` - strikes whose target is of the claim's category (and, for a subtype, of
  the model classes listed for it in :data:`SUBTYPE_CLASSES`); ``strikes_without_target``;
* ``persons_in_terminal_windows`` - per strike, the most persons in one frame of its terminal window;
* ``distinct`` - distinct tracks of the category/class (the clips' ``low``/``high``/``estimate``);
  with tracking off, ``low`` is the most seen in one frame and ``high`` is unknown.

Verdicts (:data:`VERDICTS`), in this order:

1. ``background`` - a background figure (``claim.background``: a total since some date, a
   deployment, a date, a measure ...) is listed but never compared with footage.
2. ``not verifiable from video`` - killed / injured / killed_or_injured / captured, and ``lost``
   for personnel: video can show people under attack, not deaths, injuries or capture.
3. ``not observable with this model`` - the claim's category is ``other`` or missing (ships, depots,
   missiles are not counted), no clip's model can detect the category (e.g. armored vehicles with a
   COCO model), or the subtype has no model class.
4. ``hit`` / ``destroyed`` / ``damaged`` / ``shot_down`` / ``lost`` (equipment): the claim's range
   against the strikes on that target -> ``consistent``, ``footage shows fewer`` (the footage may not
   include every strike) or ``footage shows more``.
5. no outcome (present): the claim's range against the distinct-track range.

A negated claim ("no trucks were hit") is ``footage shows more`` as soon as the footage shows one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vidtools.claims.format import claimed_words, noun
from vidtools.claims.model import (
    CASUALTY_OUTCOMES,
    STRIKE_OUTCOMES,
    Claim,
    ClaimCheck,
    Observed,
)
from vidtools.errors import ReportError, UsageError
from vidtools.taxonomy import KNOWN_CATEGORIES, default_taxonomy
from vidtools.types import ClipReport

VERDICTS = (
    "consistent",
    "footage shows fewer",
    "footage shows more",
    "not observable with this model",
    "not verifiable from video",
    "background",
)
"""Verdicts of :func:`compare`."""

SUBTYPE_CLASSES: dict[str, tuple[str, ...]] = {
    "car": ("car",),
    "truck": ("truck", "pickup"),
    "pickup": ("pickup", "truck"),
    "bus": ("bus",),
    "motorcycle": ("motorcycle", "motorbike"),
    "atv": ("atv", "quad", "quad_bike", "buggy"),
    "van": ("van",),
    "tank": ("tank", "mbt"),
    "apc": ("apc", "btr", "mt-lb", "mtlb"),
    "ifv": ("ifv", "bmp", "bmd", "bradley"),
    "mrap": ("mrap", "imv"),
    "spg": ("spg", "self-propelled artillery", "self_propelled_gun", "self-propelled howitzer"),
    "howitzer": ("howitzer", "artillery", "gun"),
    "mlrs": ("mlrs", "rocket launcher"),
    "mortar": ("mortar",),
    "helicopter": ("helicopter",),
    "plane": ("airplane", "aircraft", "plane", "jet"),
    "uav": ("drone", "uav"),
}
"""Model class names (lower case) that stand for a claim subtype. A subtype not listed here (e.g.
``civilian``) is compared at category level."""


def _meta_of(r: Any) -> Mapping[str, Any]:
    """The report dict of a ClipReport (or the dict itself); the one place compare reads reports through."""
    if isinstance(r, ClipReport):
        from vidtools.report.schema import to_json_dict

        return to_json_dict(r)
    if isinstance(r, Mapping):
        return r
    meta = getattr(r, "meta", None)
    if isinstance(meta, Mapping):
        return meta
    raise TypeError(f"compare() needs ClipReport objects (or their meta dicts), got {type(r).__name__}")


def _clip_name(meta: Mapping[str, Any], i: int) -> str:
    video = meta.get("video") or {}
    return str(video.get("path") or f"clip {i + 1}")


def _detectable(meta: Mapping[str, Any], name: str) -> dict[str, list[str]]:
    tax = meta.get("taxonomy") or {}
    det = tax.get("detectable") if isinstance(tax, Mapping) else None
    if isinstance(det, Mapping):
        return {str(k): [str(c).lower() for c in v] for k, v in det.items()}
    classes = meta.get("model_classes")
    if isinstance(classes, list):
        return default_taxonomy().detectable(str(c) for c in classes)
    raise ReportError(f"{name}: report has neither 'taxonomy.detectable' nor 'model_classes'; re-run the analysis")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _fmt_range(lo: int | None, hi: int | None) -> str:
    if hi is None:
        return f"at least {lo or 0:,}"
    return f"{lo:,}" if lo == hi else f"{lo or 0:,}–{hi:,}"


def _key(claim: Claim) -> str | None:
    return claim.subtype if claim.subtype and noun(claim.subtype, 2) != claim.subtype else claim.category


def _observe(claim: Claim, metas: list[Mapping[str, Any]]) -> tuple[Observed, list[str]]:
    """What the clips show for the claim's category/subtype; also the clips whose model cannot tell."""
    cat = claim.category
    aliases = SUBTYPE_CLASSES.get(claim.subtype or "")
    strikes = on_target = on_cat = no_target = persons = with_persons = 0
    clips_able = max_frame = d_low = 0
    d_high: int | None = 0
    d_est: int | None = 0
    tracked = True
    classes: set[str] = set()
    per_clip: list[dict[str, Any]] = []
    unable: list[str] = []
    for i, meta in enumerate(metas):
        name = _clip_name(meta, i)
        det = _detectable(meta, name)
        model_classes = [str(c).lower() for c in (meta.get("model_classes") or [])]
        cat_classes = det.get(cat or "", [])
        use = [c for c in (model_classes or cat_classes) if c in aliases] if aliases else list(cat_classes)
        able = bool(cat) and bool(cat_classes) and bool(use)
        clip_strikes = list(meta.get("strikes") or [])
        c_on = c_cat = c_none = c_persons = c_with = 0
        for st in clip_strikes:
            tgt = st.get("target")
            if not tgt:
                c_none += 1
            elif tgt.get("category") == cat:
                c_cat += 1
                c_on += not aliases or str(tgt.get("class", "")).lower() in use
            pmax = int((((st.get("terminal") or {}).get("counts") or {}).get("personnel") or {}).get("max", 0) or 0)
            c_persons += pmax
            c_with += pmax > 0
        strikes += len(clip_strikes)
        no_target += c_none
        on_cat += c_cat
        persons += c_persons
        with_persons += c_with
        summary = meta.get("summary") or {}
        if aliases:  # different classes are different objects: their maxima add up
            mx = sum(int((summary.get("classes") or {}).get(c, {}).get("max", 0) or 0) for c in use)
        else:
            mx = int((summary.get("categories") or {}).get(cat or "", {}).get("max", 0) or 0)
        uc = meta.get("unique_counts") or {}
        entries = [(uc.get("classes") or {}).get(c) for c in use] if aliases else [(uc.get("clip") or {}).get(cat or "")]
        got = [e for e in entries if isinstance(e, Mapping)]
        hi: int | None
        est: int | None
        if uc.get("available"):
            lo = sum(int(e.get("low") or 0) for e in got)
            hi = sum(int(e.get("high") or 0) for e in got)
            est = sum(int(e.get("estimate") or 0) for e in got)
        else:
            lo = sum(int(e.get("low") or 0) for e in got) if got else mx
            hi, est, tracked = None, None, False
        per_clip.append({"path": name, "able": able, "strikes": len(clip_strikes), "strikes_on_target": c_on,
                         "persons_in_terminal_windows": c_persons, "distinct_low": lo, "distinct_high": hi,
                         "max_in_one_frame": mx})  # fmt: skip
        if not able:
            unable.append(name)
            continue
        clips_able += 1
        classes.update(use)
        on_target += c_on
        max_frame = max(max_frame, mx)
        d_low += lo
        d_high = None if (d_high is None or hi is None) else d_high + hi
        d_est = None if (d_est is None or est is None) else d_est + est
    if clips_able == 0:
        d_high = d_est = None
    ob = Observed(
        summary="",
        clips=len(metas),
        clips_able=clips_able,
        level="class" if aliases else "category",
        classes=tuple(sorted(classes)),
        strikes=strikes,
        strikes_on_target=on_target,
        strikes_on_category=on_cat,
        strikes_without_target=no_target,
        persons_in_terminal_windows=persons,
        strikes_with_persons=with_persons,
        distinct_low=d_low,
        distinct_high=d_high,
        distinct_estimate=d_est,
        tracked=tracked,
        max_in_one_frame=max_frame,
        per_clip=tuple(per_clip),
    )
    return ob, unable


def compare(reports: Sequence[ClipReport | Mapping[str, Any]], claims: Sequence[Claim]) -> list[ClaimCheck]:
    """Set each claim beside what the footage shows.

    Args:
        reports: Analysed clips (:class:`~vidtools.types.ClipReport`, or their ``meta`` dicts).
            Figures are summed over the clips.
        claims: From :func:`vidtools.claims.extract_claims` or :func:`vidtools.claims.load_claims`.

    Returns:
        One :class:`~vidtools.claims.ClaimCheck` per claim, in order, background figures included
        (verdict ``background``, ``observed`` None).

    Raises:
        UsageError: no reports were given.
        ReportError: a report lacks the taxonomy information needed.
    """
    metas = [_meta_of(r) for r in reports]
    if not metas:
        raise UsageError("compare: no reports given; pass at least one analysed clip (an output folder)")
    return [_check(c, metas) for c in claims]


def _check(claim: Claim, metas: list[Mapping[str, Any]]) -> ClaimCheck:
    if claim.background:
        what = claim.cue.kind.replace("_", " ")
        cue = f" ({claim.cue.text!r})" if claim.cue.text else ""
        return ClaimCheck(claim, None, "background", f"Background figure: {what}{cue}; not a claim about the footage, not compared.")
    ob, unable = _observe(claim, metas)
    cat, outcome = claim.category, claim.outcome
    if outcome in CASUALTY_OUTCOMES or (outcome == "lost" and cat in ("personnel", None)):
        return _check_casualty(claim, ob)
    if cat is None or cat not in KNOWN_CATEGORIES:
        subj = claim.subject or claim.text or "the subject"
        reason = (f"'{subj}' is not something vidtools counts ({', '.join(KNOWN_CATEGORIES)}); "
                  "change 'category' in claims.json to compare it.")  # fmt: skip
        return ClaimCheck(claim, _with_summary(ob, "n/a"), "not observable with this model", reason)
    if ob.clips_able == 0:
        return _check_not_observable(claim, ob, metas)
    partial = ""
    if unable:
        partial = f" ({len(unable)} of {ob.clips} clips were analysed with a model that cannot detect {noun(_key(claim), 2)}.)"
    if outcome in STRIKE_OUTCOMES:
        verdict, reason, summary = _check_strikes(claim, ob)
    else:
        verdict, reason, summary = _check_presence(claim, ob)
    return ClaimCheck(claim, _with_summary(ob, summary), verdict, reason + partial)


def _with_summary(ob: Observed, summary: str) -> Observed:
    import dataclasses

    return dataclasses.replace(ob, summary=summary)


_NO_STRIKES = "no strike (feed loss) was found in the footage (was shot detection off?)"


def _check_casualty(claim: Claim, ob: Observed) -> ClaimCheck:
    what = (claim.outcome or "").replace("_or_", " or ").replace("_", " ")
    says = claimed_words(claim)
    if claim.category in ("personnel", None):
        if ob.strikes:
            seen = (f"{_plural(ob.persons_in_terminal_windows, 'person')} visible in the terminal seconds of "
                    f"{ob.strikes_with_persons} of {_plural(ob.strikes, 'strike')}")  # fmt: skip
        else:
            seen = f"{_NO_STRIKES}; distinct persons in the footage: {_fmt_range(ob.distinct_low, ob.distinct_high)}"
        reason = f"Video can show people under attack, not deaths, injuries or capture: {seen}; the claim says {says} {what}."
        summary = f"{_plural(ob.persons_in_terminal_windows, 'person')} in {_plural(ob.strikes_with_persons, 'strike window')}"
    else:
        n = noun(_key(claim), 2)
        reason = (f"Video cannot show that {n} were {what}; {_plural(ob.strikes_on_target, 'strike')} on {n} visible; "
                  f"the claim says {says}.")  # fmt: skip
        summary = f"{_plural(ob.strikes_on_target, 'strike')} on target"
    return ClaimCheck(claim, _with_summary(ob, summary), "not verifiable from video", reason)


def _check_not_observable(claim: Claim, ob: Observed, metas: list[Mapping[str, Any]]) -> ClaimCheck:
    cat = claim.category or ""
    cat_classes = sorted({c for i, m in enumerate(metas) for c in _detectable(m, _clip_name(m, i)).get(cat, [])})
    if claim.subtype and SUBTYPE_CLASSES.get(claim.subtype) and cat_classes:
        reason = (f"The model has no class for {noun(claim.subtype, 2)} (its {noun(cat, 1)} classes: {', '.join(cat_classes)}); "
                  f"one may be labelled as one of those. {_plural(ob.strikes_on_category, 'strike')} on {noun(cat, 2)} "
                  "visible in all.")  # fmt: skip
    else:
        coco = ", e.g. a COCO model" if cat in ("armored_vehicle", "artillery", "air_defense") else ""
        reason = (f"The model cannot detect {noun(_key(claim), 2)} (no class maps to '{cat}'{coco}); "
                  f"{_plural(ob.strikes, 'strike')} in all, {ob.strikes_without_target} without an identified target.")  # fmt: skip
    return ClaimCheck(claim, _with_summary(ob, "not detectable"), "not observable with this model", reason)


def _check_strikes(claim: Claim, ob: Observed) -> tuple[str, str, str]:
    s = ob.strikes_on_target
    n = noun(_key(claim), 1 if s == 1 else 2)
    seen = f"{_plural(s, 'strike')} on {'a ' + n if s == 1 else n} {'is' if s == 1 else 'are'} visible"
    extra = ""
    if ob.strikes_without_target:
        k = ob.strikes_without_target
        extra = f"; {_plural(k, 'more strike')} {'has' if k == 1 else 'have'} no identified target"
    caveat = ""
    if claim.outcome in ("destroyed", "damaged", "shot_down", "lost"):
        caveat = f" Video shows strikes, not whether a target was {(claim.outcome or '').replace('_', ' ')}."
    summary = f"{_plural(s, 'strike')} on target"
    rng = claim.range()
    says = claimed_words(claim)
    if rng is None:
        return ("consistent" if s > 0 else "footage shows fewer"), f"{seen}{extra}; the claim gives no figure.", summary
    lo, hi = rng
    if claim.negated and s > 0:
        return "footage shows more", f"{seen}; the text says none.{caveat}", summary
    if s < lo:
        why = _NO_STRIKES if ob.strikes == 0 else "the footage may not include every strike"
        return "footage shows fewer", f"{seen}{extra}; the claim says {says}; {why}.{caveat}", summary
    if hi is not None and s > hi:
        reason = (f"{seen}; the claim says {says}; the same target may be struck more than once, "
                  f"or the footage shows strikes the text does not count.{caveat}")  # fmt: skip
        return "footage shows more", reason, summary
    return "consistent", f"{seen}{extra}; the claim says {says}.{caveat}", summary


def _check_presence(claim: Claim, ob: Observed) -> tuple[str, str, str]:
    lo_o, hi_o = ob.distinct_low, ob.distinct_high
    n = noun(_key(claim), 2)
    if ob.tracked:
        seen = f"{_fmt_range(lo_o, hi_o)} distinct {n} (tracks; at least the most seen in one frame)"
        summary = f"{_fmt_range(lo_o, hi_o)} distinct"
    else:
        seen = f"at least {lo_o} {n} (most seen in one frame; tracking was off, so no upper bound)"
        summary = f"≥{lo_o} (one frame)"
    note = " The text gives no outcome; compared as present." if claim.outcome is None else ""
    rng = claim.range()
    if rng is None:
        return ("consistent" if lo_o > 0 else "footage shows fewer"), f"Footage shows {seen}; the claim gives no figure.{note}", summary
    lo_c, hi_c = rng
    says = claimed_words(claim)
    if hi_o is not None and lo_c > hi_o:
        reason = f"Footage shows {seen}; the claim says {says}; the footage may show only part of the scene or of the events.{note}"
        return "footage shows fewer", reason, summary
    if hi_c is not None and lo_o > hi_c:
        return "footage shows more", f"Footage shows {seen}; the claim says {says}.{note}", summary
    return "consistent", f"Footage shows {seen}; the claim says {says}.{note}", summary
