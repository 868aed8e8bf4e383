"""Typed values of the claims package: what a claim is, why a number is (or is not) one, and a check.

Vocabulary (fixed; the claims.json schema and :mod:`vidtools.claims.compare` use the same words):

* :data:`OUTCOMES` - what the text says happened, never stronger than its words (the rules are in
  ``vidtools/claims/__init__.py``).
* :data:`BOUNDS` - how a figure is bounded ("about 40", "at least 6", "10-15").
* :data:`CLAIM_CUES` / :data:`BACKGROUND_CUES` - the cue that decided whether a number is a claim
  about the event or a background figure (a total since some date, a deployment, a date, a measure).
* :data:`QUALIFIERS` - hedges in the text ("claimed", "reportedly", "could not be verified").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = (
    "killed",
    "injured",
    "killed_or_injured",
    "destroyed",
    "damaged",
    "hit",
    "captured",
    "shot_down",
    "lost",
)
"""What a claim says happened to its subject (``None`` = the text states only that they were there)."""

CASUALTY_OUTCOMES = ("killed", "injured", "killed_or_injured", "captured")
"""Outcomes video cannot verify: it can show people under attack, not deaths, injuries or capture."""

STRIKE_OUTCOMES = ("hit", "destroyed", "damaged", "shot_down", "lost")
"""Outcomes compared with the strikes on a target (``lost`` only for equipment)."""

BOUNDS = ("exact", "about", "at_least", "more_than", "at_most", "fewer_than", "range", "vague")
"""How a figure is bounded: ``about`` = +-10 % (at least +-1), ``more_than`` = N+1 and up, ``fewer_than``
= up to N-1, ``range`` = low..high, ``vague`` = at least low ("dozens" = 24+)."""

CLAIM_CUES = ("outcome", "daily_change", "presence")
"""Why a number is a claim about the event: an outcome word ("hit"), a daily change in a losses list
("(+19)"), or a figure of things present in the event with no background cue ("a column of 10-15
armoured vehicles")."""

BACKGROUND_CUES = ("cumulative_total", "time_scope", "other_event", "deployment", "date", "measure", "unrelated")
"""Why a number is a background figure, never compared with footage: a cumulative total ("in total
since 24.02.2022", the large figure of a daily list), a time scope longer than the event ("since
August", "so far", "last year", "in recent weeks", "on average in November"), another (earlier)
event, a deployment / strength / supply figure ("has deployed over 10,000 troops", "1,500-strong"),
a date or time, a measure (distance, weight, percentage, money, duration, age), or a number about
nothing vidtools counts ("12 assaults", "two reasons")."""

QUALIFIERS = ("claimed", "alleged", "reported", "estimated", "preliminary", "unverified")
"""Hedges recognised in the text, in the order they are listed on a claim."""

CATEGORY_OTHER = "other"


@dataclass(frozen=True)
class Cue:
    """The words that decided whether a number is a claim or a background figure.

    Attributes:
        kind: One of :data:`CLAIM_CUES` or :data:`BACKGROUND_CUES`.
        text: The deciding words as written ("since August", "(+19)", "destroyed"); "" when the
            decision follows from the absence of any background cue.
        span: Their character span in the text (end exclusive), None when there are none.
    """

    kind: str
    text: str = ""
    span: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.kind not in CLAIM_CUES + BACKGROUND_CUES:
            raise ValueError(f"Cue.kind must be one of {CLAIM_CUES + BACKGROUND_CUES}, got {self.kind!r}")

    @property
    def background(self) -> bool:
        """True when the cue makes the number a background figure."""
        return self.kind in BACKGROUND_CUES


def bounded_range(count: int, bound: str) -> tuple[int | None, int | None]:
    """``(low, high)`` that a bound word gives a figure (None = open); ``(None, None)`` for ``exact``.

    Args:
        count: The figure as written (>= 0).
        bound: One of :data:`BOUNDS` other than ``range`` and ``vague``.
    """
    if bound == "about":
        d = max(1.0, 0.1 * count)
        return max(0, math.floor(count - d)), math.ceil(count + d)
    if bound == "at_least":
        return count, None
    if bound == "more_than":
        return count + 1, None
    if bound == "at_most":
        return None, count
    if bound == "fewer_than":
        return None, max(0, count - 1)
    return None, None


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One number of a text: a claim about the event, or a background figure (``cue.background``).

    Attributes:
        category: ``personnel``, ``armored_vehicle``, ``vehicle``, ``artillery``, ``air_defense``,
            ``aircraft``, ``other`` (things vidtools does not count: ships, depots, positions,
            missiles), or None when the number has no subject at all (background figures).
        outcome: One of :data:`OUTCOMES`, or None (the text says only that they were there).
        count: The figure as written; None for ranges and vague amounts.
        count_low: Inclusive lower bound (None = none); set for every bound but ``exact``.
        count_high: Inclusive upper bound (None = open).
        bound: One of :data:`BOUNDS`.
        negated: "no vehicles were lost" (count 0).
        cue: Why this is a claim or a background figure.
        subtype: Finer kind within the category (``tank``, ``ifv``, ``truck``, ``howitzer``,
            ``uav``, ``civilian`` ...), None when the text does not say.
        equipment: The equipment or jargon term as written ("T-90M", "Pantsir-S1"), when one was
            matched.
        subject: The subject noun phrase as written.
        claimant: Who makes the claim, when the text says so (None rather than a guess).
        qualifiers: Hedges, a subset of :data:`QUALIFIERS` (others allowed by hand).
        text: The claim phrase as written ("destroyed two Russian tanks").
        span: Character span of ``text`` in the source text (end exclusive; code points).
        number_text: The number expression as written ("about 1,280", "a", "the third").
        number_span: Its span, None for hand-written claims.
        outcome_text: The outcome word(s) as written ("shot down", "losses").
        repeats: Spans of the same claim repeated elsewhere (headline, caption, a reference back
            such as "the tank was hit"), in text order.
        sentence_span: Span of the sentence or list line the claim came from.
        id: 1-based number shown in comparisons (None = its position).
        note: Free text for a reviewer.
    """

    category: str | None
    outcome: str | None
    count: int | None
    count_low: int | None = None
    count_high: int | None = None
    bound: str = "exact"
    negated: bool = False
    cue: Cue = field(default_factory=lambda: Cue("presence"))
    subtype: str | None = None
    equipment: str | None = None
    subject: str | None = None
    claimant: str | None = None
    qualifiers: tuple[str, ...] = ()
    text: str = ""
    span: tuple[int, int] = (0, 0)
    number_text: str | None = None
    number_span: tuple[int, int] | None = None
    outcome_text: str | None = None
    repeats: tuple[tuple[int, int], ...] = ()
    sentence_span: tuple[int, int] | None = None
    id: int | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"Claim.outcome must be None or one of {OUTCOMES}, got {self.outcome!r}")
        if self.bound not in BOUNDS:
            raise ValueError(f"Claim.bound must be one of {BOUNDS}, got {self.bound!r}")

    @property
    def background(self) -> bool:
        """True for a background figure (never compared with footage)."""
        return self.cue.background

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Every place the claim is stated: ``span`` first, then ``repeats``."""
        return (self.span, *self.repeats)

    def range(self) -> tuple[int, int | None] | None:
        """Inclusive range of counts the claim allows: ``(low, high)``, high None = no upper bound.

        Uses ``count_low``/``count_high`` when either is set, else ``count``; None when the claim
        gives no figure.
        """
        if self.count_low is not None or self.count_high is not None:
            return (self.count_low or 0), self.count_high
        if self.count is not None:
            return self.count, self.count
        return None


@dataclass(frozen=True)
class Observed:
    """What the analysed footage shows for one claim, summed over the clips.

    Attributes:
        summary: One short line for tables ("2 strikes on target").
        clips: Clips compared; clips_able: those whose model can detect the claim's category.
        level: ``category`` or ``class`` (a subtype compared with the model classes listed for it).
        classes: Model classes counted.
        strikes: Strikes in all; strikes_on_target: on the claim's category/class;
            strikes_on_category: on its category; strikes_without_target: with no identified target.
        persons_in_terminal_windows: Sum over strikes of the most persons in one frame of the
            terminal window; strikes_with_persons: strikes where any person was seen.
        distinct_low, distinct_high, distinct_estimate: Distinct tracks of the category/class
            (high/estimate None when tracking was off); tracked: tracking was on in every clip.
        max_in_one_frame: The most seen in one sampled frame.
        per_clip: One row per clip (path, able, strikes, strikes_on_target, ...).
    """

    summary: str
    clips: int = 0
    clips_able: int = 0
    level: str = "category"
    classes: tuple[str, ...] = ()
    strikes: int = 0
    strikes_on_target: int = 0
    strikes_on_category: int = 0
    strikes_without_target: int = 0
    persons_in_terminal_windows: int = 0
    strikes_with_persons: int = 0
    distinct_low: int = 0
    distinct_high: int | None = None
    distinct_estimate: int | None = None
    tracked: bool = True
    max_in_one_frame: int = 0
    per_clip: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``distinct`` grouped as ``{low, high, estimate, tracked}``)."""
        return {
            "summary": self.summary,
            "clips": self.clips,
            "clips_able": self.clips_able,
            "level": self.level,
            "classes": list(self.classes),
            "strikes": self.strikes,
            "strikes_on_target": self.strikes_on_target,
            "strikes_on_category": self.strikes_on_category,
            "strikes_without_target": self.strikes_without_target,
            "persons_in_terminal_windows": self.persons_in_terminal_windows,
            "strikes_with_persons": self.strikes_with_persons,
            "distinct": {
                "low": self.distinct_low,
                "high": self.distinct_high,
                "estimate": self.distinct_estimate,
                "tracked": self.tracked,
            },
            "max_in_one_frame": self.max_in_one_frame,
            "per_clip": [dict(p) for p in self.per_clip],
        }


@dataclass(frozen=True)
class ClaimCheck:
    """A claim set beside what the footage shows.

    Attributes:
        claim: The claim.
        observed: What the footage shows (None for background figures, which are not compared).
        verdict: One of :data:`vidtools.claims.compare.VERDICTS`.
        reason: Plain-language explanation.
    """

    claim: Claim
    observed: Observed | None
    verdict: str
    reason: str
