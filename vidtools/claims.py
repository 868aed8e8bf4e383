"""Numeric claims: extract them from a text and set them beside what the footage shows.

A user has a text (a unit's post, a ministry statement, a news report) and the reports of the
analysed clips. :func:`extract_claims` turns the text into structured :class:`~vidtools.types.Claim`
objects; :func:`save_claims` writes them to ``claims.json`` so that a person can review and fix them
by hand; :func:`load_claims` reads (and validates) that file; :func:`compare` says, claim by claim,
what the footage does and does not show.

The extractor is rule-based (regular expressions and small word lists, no network, no model). It is
meant to do most of the typing, not to be trusted blindly: always review ``claims.json``.

Extraction rules
----------------

* **Numbers**: digits with separators (``10,000``, ``1 200``, ``1.5 million``), number words
  (``two``, ``twenty-five``, ``a hundred``, ``a dozen`` = 12, ``half a dozen`` = 6), ranges
  (``between 20 and 30``, ``20-30``, ``20 to 30``, ``two or three``), bounds (``over``/``more than``
  N, ``at least`` N, ``up to`` N, ``fewer than`` N, ``about``/``some``/``nearly``/``an estimated``
  N), vague quantities (``several`` >= 3, ``a few``/``a handful`` >= 2, ``dozens`` >= 24,
  ``scores`` >= 40, ``hundreds`` >= 200, ``thousands`` >= 2,000, ``tens of thousands`` >= 20,000),
  ``a couple of``/``a pair of`` (about 2) and, inside a list or with an outcome, the article
  ``a``/``an``/``another`` before a known subject (``an ATV was hit`` = 1). Negations (``no``,
  ``none of the``, ``not a single``, ``zero``, ``no one``) give a claim with count 0 and
  ``negated: true``. Numbers glued to letters (``T-72``, ``BMP-2``, ``155mm``, ``47th``) are
  identifiers, not counts, and are skipped.
* **Subject** (the noun phrase after the number) maps onto the taxonomy: soldiers, troops,
  servicemen, personnel, infantry, fighters, people, civilians ... -> ``personnel`` (civilians get
  subtype ``civilian``); tanks, APCs, IFVs, BMP/BTR/MT-LB, armored vehicles, self-propelled guns ->
  ``armored_vehicle`` (subtypes ``tank``, ``apc``, ``ifv``, ``spg``); cars, trucks/pickups, buses,
  motorcycles, bicycles, ATVs/all-terrain vehicles/quad bikes, vans, vehicles -> ``vehicle``
  (subtypes are the COCO class names ``car``, ``truck``, ``bus``, ``motorcycle``, ``bicycle``, else
  ``atv``/``van``; plain "vehicles" has no subtype). ``47 others``, ``dozens more``, ``5 of them``
  take the category of the previous claim in the sentence; a number with no noun whose outcome is a
  casualty (``30 killed or injured``) is ``personnel``; ``destroyed 2 tanks and damaged 3`` gives
  the 3 the previous claim's subject; ``..., including four civilians`` shares the previous claim's
  outcome.
* **Outcome**: ``killed``, ``injured``, ``killed_or_injured`` (combined figures: "killed or
  injured", "killed and wounded", "casualties", "neutralized"), ``captured``, ``lost``, ``hit``
  (hit, struck, targeted, attacked), ``destroyed``, ``damaged``, ``destroyed_or_damaged``,
  ``present`` (seen, spotted, visible, shown, deployed, massed, advancing ...), or ``null`` when the
  text gives none. The verb is looked for as a passive after the subject ("were also hit"), then as
  a verb before the number ("killed 50"), then as a bare participle after it ("30 killed"). Items of
  a list ("two X, two Y and one Z were hit", "destroyed three tanks, a BMP and 12 trucks") without a
  verb of their own share the list's verb. For vehicles, "killed"/"eliminated" reads as
  ``destroyed`` and "injured" as ``damaged``.
* **Qualifiers** (fixed vocabulary :data:`QUALIFIERS`): ``claimed`` (claim/claimed/claims, or the
  claimant's verb is "claimed"), ``alleged``, ``reported`` (reportedly, "were reported", "according
  to reports"), ``estimated``, ``preliminary``, ``unverified`` ("could not verify", "could not be
  independently verified", "unconfirmed" ...). Hedges apply to the clause they are in (clauses are
  split at ``;`` and at while/whereas/but/although); a disclaimer with no claim of its own applies to
  the earlier claims of its sentence, or, standing alone, to every earlier claim of the text (only
  those of one claimant when it names that claimant, e.g. "The ministry's figures could not be
  verified").
* **Claimant**: "X said/claimed/reported/stated/announced/added ...", "according to X", "..., said
  X". A clause without one takes its sentence's claimant; "it/they/he/she/the statement said" refers
  to the last named claimant; a sentence with no attribution has no claimant (``null``). Leading
  articles are dropped ("the brigade" -> ``brigade``).
* **Context** numbers are kept with ``context: true`` and a ``context_kind``: ``date`` (``3 March
  2024``, ``March 3``, ``2024``, ``2024-03-03``), ``time`` (``05:30``, ``5 a.m.``), ``duration``
  (``3 days``, ``48 hours``, ``a three-day``), ``age``, ``percentage``, ``money``, ``measure``
  (km, mm, tons ...), ``deployment_size`` (``a 1,500-strong battalion``, ``a brigade of 2,000
  troops``, ``numbering 300``) and ``other`` (a number whose subject is not a taxonomy category and
  that has no outcome, e.g. "400 videos"). Dates and times have ``count: null``.

claims.json schema (version ``1.0``)
------------------------------------

::

    {
      "schema_version": "1.0",            # required; major version 1
      "kind": "vidtools-claims",
      "source": {"path": "post.txt", "sha256": "...", "n_chars": 1234} | null,
      "claims": [ CLAIM, ... ]            # required
    }

Each ``CLAIM`` (only ``category``, ``outcome`` and ``count`` are required when writing one by hand;
every other key has the default shown; unknown keys are an error, so typos do not pass silently)::

    id            int            1-based number shown in comparisons (default: position)
    text          str            the claim phrase as written ("two armored vehicles")     ""
    category      str|null       personnel | armored_vehicle | vehicle | any taxonomy category
    subtype       str|null       car truck bus motorcycle bicycle atv van | tank apc ifv spg | civilian
    outcome       str|null       one of OUTCOMES
    count         int|null       the figure as stated (null for ranges, vague amounts and dates)
    count_low     int|null       inclusive lower bound, null = none               (null)
    count_high    int|null       inclusive upper bound, null = none               (null)
    bound         str            one of BOUNDS                                    ("exact")
    negated       bool           "no vehicles were hit" (count 0)                 (false)
    qualifiers    [str]          subset of QUALIFIERS (others allowed by hand)    ([])
    claimant      str|null       who makes the claim, when the text says so       (null)
    context       bool           background number, not compared                  (false)
    context_kind  str|null       one of CONTEXT_KINDS                             (null)
    subject       str|null       the subject noun phrase as written ("others")    (null)
    number_text   str|null       the number expression as written ("over 10,000") (null)
    outcome_text  str|null       the outcome word(s) as written ("hit")           (null)
    span          [int,int]|null character span of ``text`` in the source text    (null -> [0, 0])
    number_span   [int,int]|null character span of ``number_text``                (null)
    sentence      str|null       the sentence the claim came from                 (null)
    sentence_span [int,int]|null its character span                               (null)
    note          str|null       free text for the reviewer                       (null)

Spans are Python string indices (code points, end exclusive) into the text as read (UTF-8, a
leading byte-order mark removed). Bounds: ``exact`` (count_low/count_high null), ``about`` (N +-10 %,
at least +-1: "about 50" -> 45..55), ``at_least`` (low = N), ``more_than`` (low = N + 1: "over
10,000" -> count 10000, count_low 10001), ``at_most`` (high = N), ``fewer_than`` (high = N - 1),
``range`` (low and high), ``vague`` (count null, low only: "dozens" -> 24..). When you fix a count
by hand, either change ``count`` of an ``exact`` claim, or set ``count_low``/``count_high``: the
comparison uses ``count_low``/``count_high`` when either is set, else ``count``.

Comparison and verdicts
-----------------------

:func:`compare` sums over all given reports (clips are assumed to show different events):

* ``strikes_on_target`` - strikes whose target is of the claim's category (and, for a subtype, of the
  model class(es) for that subtype), ``strikes_without_target`` - strikes with no identified target;
* ``persons_in_terminal_windows`` - sum over strikes of the most persons visible in one frame of the
  terminal window, ``strikes_with_persons``;
* ``distinct`` - distinct tracks of the category/class: the sum of the clips' ``low``/``high``/
  ``estimate``; when tracking was off, ``low`` is the sum of the per-frame maxima and ``high`` null.

A claim with a subtype is compared at class level, using the model classes listed for it in
:data:`SUBTYPE_CLASSES` (``truck`` -> truck/pickup, ``tank`` -> tank/mbt, ...); without a subtype, or
with one not listed there (``civilian``), at category level.

Verdicts (:data:`VERDICTS`), checked in this order:

1. ``context`` - context numbers are listed but not compared.
2. ``not verifiable from video`` - killed / injured / killed_or_injured / captured, and lost for
   personnel: video can show persons under attack, not deaths or injuries; the persons visible in
   terminal windows are still reported in ``observed``.
3. ``not observable with this model`` - the claim has no category, or no clip's model can detect the
   category (empty ``taxonomy.detectable`` list, e.g. armored vehicles with a COCO model), or the
   subtype has no model class (e.g. ``atv`` with COCO, which may label an ATV car/motorcycle/truck).
4. hit / destroyed / damaged / destroyed_or_damaged / lost (vehicles): the claim's range against the
   number of strikes on that target -> ``consistent``, ``footage shows fewer`` (the footage may not
   include every strike) or ``footage shows more``.
5. present / no outcome: the claim's range against the distinct-track range -> ``consistent`` when
   they overlap, ``footage shows fewer`` when the claim exceeds the most that can be distinct,
   ``footage shows more`` when more are visible than the claim allows.

A negated claim ("no trucks were hit") is ``footage shows more`` as soon as the footage shows one.
Each check carries a plain-language ``reason``; :func:`checks_to_markdown` renders the checks as a
table (claim, claimed, observed, verdict, reason), :func:`checks_to_json` as JSON, and
:func:`write_checks` writes both (``claims_check.md``, ``claims_check.json``).

Command line (wired in ``vidtools.cli``)::

    vidtools claims post.txt -o claims.json       # extract_claims_from_file + save_claims
    vidtools compare OUT1 OUT2 --claims claims.json -o DIR   # load_claims + compare + write_checks
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidtools.errors import ClaimsError, ReportError, UsageError
from vidtools.io import atomic_write_text
from vidtools.taxonomy import KNOWN_CATEGORIES, default_taxonomy
from vidtools.types import Claim, ClaimCheck, ClipReport

__all__ = [
    "BOUNDS",
    "CASUALTY_OUTCOMES",
    "CHECKS_SCHEMA_VERSION",
    "CLAIMS_SCHEMA_VERSION",
    "CONTEXT_KINDS",
    "OUTCOMES",
    "QUALIFIERS",
    "STRIKE_OUTCOMES",
    "SUBTYPE_CLASSES",
    "VERDICTS",
    "checks_to_json",
    "checks_to_markdown",
    "claim_range",
    "claim_to_json",
    "claims_from_json",
    "claims_to_json",
    "compare",
    "extract_claims",
    "extract_claims_from_file",
    "load_claims",
    "save_claims",
    "write_checks",
]

CLAIMS_SCHEMA_VERSION = "1.0"
"""Version of the ``claims.json`` schema written by :func:`save_claims`."""
CHECKS_SCHEMA_VERSION = "1.0"
"""Version of the comparison JSON written by :func:`checks_to_json`."""

OUTCOMES = (
    "killed",
    "injured",
    "killed_or_injured",
    "captured",
    "lost",
    "hit",
    "destroyed",
    "damaged",
    "destroyed_or_damaged",
    "present",
)
"""Outcomes a claim can have (``null`` = the text gives none)."""

BOUNDS = ("exact", "about", "at_least", "more_than", "at_most", "fewer_than", "range", "vague")
"""How the figure is bounded (see the module docstring)."""

CONTEXT_KINDS = ("date", "time", "duration", "age", "percentage", "money", "measure", "deployment_size", "other")
"""Kinds of background numbers."""

QUALIFIERS = ("claimed", "alleged", "reported", "estimated", "preliminary", "unverified")
"""Hedges the extractor recognises, in the order they are listed in a claim."""

VERDICTS = (
    "consistent",
    "footage shows fewer",
    "footage shows more",
    "not observable with this model",
    "not verifiable from video",
    "context",
)
"""Verdicts of :func:`compare`."""

CASUALTY_OUTCOMES = ("killed", "injured", "killed_or_injured", "captured")
"""Outcomes video cannot verify (verdict ``not verifiable from video``)."""
STRIKE_OUTCOMES = ("hit", "destroyed", "damaged", "destroyed_or_damaged", "lost")
"""Outcomes compared with the strikes on a target (``lost`` only for vehicles)."""

_VEHICLE_CATEGORIES = ("vehicle", "armored_vehicle")

SUBTYPE_CLASSES: dict[str, tuple[str, ...]] = {
    "car": ("car",),
    "truck": ("truck", "pickup"),
    "bus": ("bus",),
    "motorcycle": ("motorcycle", "motorbike"),
    "bicycle": ("bicycle",),
    "atv": ("atv", "quad", "quad_bike", "buggy"),
    "van": ("van",),
    "tank": ("tank", "mbt"),
    "apc": ("apc", "btr", "mt-lb", "mtlb"),
    "ifv": ("ifv", "bmp", "bmd", "bradley"),
    "spg": ("spg", "self-propelled artillery", "self_propelled_gun", "howitzer"),
}
"""Model class names that stand for a claim subtype (lower case). A subtype that is not listed here
(e.g. ``civilian``) is compared at category level."""

_NOUNS: dict[str, tuple[str, str]] = {
    "personnel": ("person", "persons"),
    "vehicle": ("vehicle", "vehicles"),
    "armored_vehicle": ("armored vehicle", "armored vehicles"),
    "car": ("car", "cars"),
    "truck": ("truck", "trucks"),
    "bus": ("bus", "buses"),
    "motorcycle": ("motorcycle", "motorcycles"),
    "bicycle": ("bicycle", "bicycles"),
    "atv": ("ATV", "ATVs"),
    "van": ("van", "vans"),
    "tank": ("tank", "tanks"),
    "apc": ("APC", "APCs"),
    "ifv": ("IFV", "IFVs"),
    "spg": ("self-propelled gun", "self-propelled guns"),
    "civilian": ("civilian", "civilians"),
}

_CLAIM_KEYS = (
    "id",
    "text",
    "category",
    "subtype",
    "outcome",
    "count",
    "count_low",
    "count_high",
    "bound",
    "negated",
    "qualifiers",
    "claimant",
    "context",
    "context_kind",
    "subject",
    "number_text",
    "outcome_text",
    "span",
    "number_span",
    "sentence",
    "sentence_span",
    "note",
)

# --------------------------------------------------------------------------------------------
# Word lists and patterns
# --------------------------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUM_TOKEN = "|".join([*_UNITS, *_TENS, "hundred", *_SCALES, "dozen"])

_VAGUE = {
    "tens of thousands": 20_000,
    "hundreds of thousands": 200_000,
    "dozens": 24,
    "scores": 40,
    "hundreds": 200,
    "thousands": 2_000,
    "several": 3,
    "a few": 2,
    "a handful": 2,
}

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_RE = re.compile(
    "|".join(
        [
            rf"\b{_DAY}(?:\s*(?:-|–|to|and)\s*{_DAY})?\s+(?:of\s+)?{_MONTH}(?![A-Za-z])(?:,?\s+\d{{4}}\b)?",
            rf"\b{_MONTH}\s+\d{{4}}\b",
            rf"\b{_MONTH}\s+{_DAY}(?:\s*(?:-|–|to|and)\s*{_DAY})?\b(?:,?\s+\d{{4}}\b)?",
            r"\b\d{4}-\d{2}-\d{2}\b",
            r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b",
        ]
    )
)
_TIME_RE = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2})?\b"
    r"(?:\s*(?:a\.m\.|p\.m\.|am\b|pm\b|hrs\b|GMT\b|UTC\b|local time\b|Kyiv time\b|Moscow time\b))?"
)

_WORDS_RE = (
    rf"\b(?:half\s+a\s+dozen|(?:a\s+(?=(?:dozen|hundred|thousand|million)\b))?(?:{_NUM_TOKEN})"
    rf"(?:(?:\s+and\s+|\s*-\s*|\s+)(?:{_NUM_TOKEN}))*)\b"
)
_DIGITS_RE = (
    r"(?<![\w.,/:\-])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])|\d+(?:\.\d+)?)"
    r"(?![\w]|[.,]\d)(?:\s+(?:thousand|million|billion)\b)?"
)
_MENTION_RE = re.compile(
    r"(?P<neg>\b(?:no\s+one|nobody|none\s+of\s+(?:them\b|(?:the|their|its|our|these|those)\b)|not\s+a\s+single|not\s+one|no|zero)\b)"
    r"|(?P<vague>\b(?:tens\s+of\s+thousands|hundreds\s+of\s+thousands|dozens|scores|hundreds|thousands|several|a\s+few|a\s+handful)\b)"
    r"|(?P<couple>\ba\s+(?:couple|pair)\s+of\b)"
    rf"|(?P<words>{_WORDS_RE})"
    rf"|(?P<digits>{_DIGITS_RE})"
    r"|(?P<article>\b(?:an?|another)\b(?=\s))",
    re.IGNORECASE,
)
_DIGITS_CONT_RE = _DIGITS_RE.replace(r"(?<![\w.,/:\-])", "", 1)
_NUM_ONLY_RE = re.compile(rf"(?:{_DIGITS_CONT_RE})|(?:{_WORDS_RE})", re.IGNORECASE)
"""A number right after a range separator ("20-30", "20 to 30")."""

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
    r"\b(?P<b>" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w, _ in _BOUND_WORDS) + r")\s+$",
    re.IGNORECASE,
)
_BOUND_KIND = {w: k for w, k in _BOUND_WORDS}

# Subject lexicon: (pattern, category, subtype); earlier entries win at the same position.
_LEXICON: list[tuple[str, str, str | None]] = [
    (r"armou?red\s+personnel\s+carriers?|personnel\s+carriers?|troop\s+carriers?", "armored_vehicle", "apc"),
    (r"infantry\s+fighting\s+vehicles?|Bradley\s+fighting\s+vehicles?", "armored_vehicle", "ifv"),
    (r"main\s+battle\s+tanks?", "armored_vehicle", "tank"),
    (r"armou?red\s+fighting\s+vehicles?|AFVs?", "armored_vehicle", None),
    (
        r"self-propelled\s+(?:guns?|howitzers?|artillery(?:\s+(?:systems?|units?|pieces?|guns?))?)",
        "armored_vehicle",
        "spg",
    ),
    (r"armou?red\s+(?:vehicles?|cars?|trucks?|transports?)", "armored_vehicle", None),
    (r"APCs?|BTRs?(?:-\w+)?|MT-LBs?|M113s?", "armored_vehicle", "apc"),
    (r"IFVs?|BMPs?(?:-\w+)?|BMDs?(?:-\w+)?|Bradleys?", "armored_vehicle", "ifv"),
    (r"tanks?", "armored_vehicle", "tank"),
    (r"all-terrain\s+vehicles?|ATVs?|quad\s*bikes?|quads|buggies|buggy", "vehicle", "atv"),
    (r"pick-?up\s+trucks?|pick-?ups?|trucks?|lorr(?:y|ies)", "vehicle", "truck"),
    (r"passenger\s+cars?|cars?|SUVs?|jeeps?", "vehicle", "car"),
    (r"minibus(?:es)?|buses|bus", "vehicle", "bus"),
    (r"motorcycles?|motorbikes?|dirt\s+bikes?", "vehicle", "motorcycle"),
    (r"bicycles?", "vehicle", "bicycle"),
    (r"minivans?|vans?", "vehicle", "van"),
    (r"(?:military\s+)?vehicles?", "vehicle", None),
    (r"civilians?", "personnel", "civilian"),
    (
        r"service\s*members?|servicem[ae]n|servicewom[ae]n|soldiers?|troops?|personnel|infantrym[ae]n|infantry|"
        r"fighters?|militants?|mercenar(?:y|ies)|paratroopers?|marines?|occupiers?|invaders?|stormtroopers?|"
        r"assault\s+troopers?|conscripts?|combatants?|commanders?|officers?|snipers?|gunners?|"
        r"crew\s*members?|crewm[ae]n|POWs?|prisoners?(?:\s+of\s+war)?|people|persons?|individuals|m[ae]n|"
        r"Russians|Ukrainians|enemy",
        "personnel",
        None,
    ),
]
_LEX_RE = re.compile(
    "|".join(f"(?P<l{i}>(?:{p}))(?![\\w-])" for i, (p, _, _) in enumerate(_LEXICON)),
    re.IGNORECASE,
)

# Outcome words: (pattern, outcome); alternatives are tried in this order.
_OUTCOME_PATTERNS: list[tuple[str, str]] = [
    (r"(?:killed|dead)\s+(?:and/or|or|and)\s+(?:wounded|injured)", "killed_or_injured"),
    (r"(?:wounded|injured)\s+(?:and/or|or|and)\s+(?:killed|dead)", "killed_or_injured"),
    (r"destroyed\s+(?:and/or|or|and)\s+damaged|damaged\s+(?:and/or|or|and)\s+destroyed", "destroyed_or_damaged"),
    (r"casualt(?:y|ies)|neutrali[sz](?:ed|ing|es|e)", "killed_or_injured"),
    (r"taken\s+prisoner|took\s+prisoner|captur(?:ed|ing|es|e)|seized|surrendered", "captured"),
    (r"wiped\s+out|knocked\s+out|blown\s+up|blew\s+up|burned\s+out|burnt\s+out", "destroyed"),
    (r"kill(?:ed|ing|s)?|slain|dead|died|dying|deaths?|fatalit(?:y|ies)|KIA", "killed"),
    (r"eliminat(?:ed|ing|es|e)|liquidat(?:ed|ing|es|e)", "killed"),
    (r"injur(?:ed|ing|es|ies|y|e)|wound(?:ed|ing|s)?|hurt|WIA", "injured"),
    (r"destroy(?:ed|ing|s)?|burned|burnt|obliterat(?:ed|ing|es|e)", "destroyed"),
    (r"damag(?:ed|ing|es|e)|disabled|immobili[sz]ed", "damaged"),
    (r"hit(?:ting|s)?|struck|strik(?:e|es|ing)|target(?:ed|ing)|attack(?:ed|ing)|engag(?:ed|ing)", "hit"),
    (r"lost|los(?:e|es|ing)|losses", "lost"),
    (
        r"seen|spotted|observed|visible|filmed|shown|show(?:s|ed|ing)?|present|deploy(?:ed|s|ing)?|stationed|"
        r"massed|amassed|concentrated|gathered|advancing|moving|recorded|identified|detected",
        "present",
    ),
]
_OUTCOME_ALT = "|".join(f"(?P<o{i}>{p})" for i, (p, _) in enumerate(_OUTCOME_PATTERNS))
_OUTCOME_RE = re.compile(rf"\b(?:{_OUTCOME_ALT})\b", re.IGNORECASE)
_OUTCOME_PLAIN = "|".join(f"(?:{p})" for p, _ in _OUTCOME_PATTERNS)
_NOUN_OUTCOMES = {"strike", "strikes", "hits", "attacks", "losses", "shows", "show"}
"""Outcome words that are not taken as a bare participle after a number ("12 strikes")."""

_AUX = {"were", "was", "are", "is", "be", "been", "being", "got", "get", "gets", "have", "has", "had", "will",
        "would", "may", "might", "could", "can", "reportedly"}  # fmt: skip
_PASSIVE_AUX = {"were", "was", "are", "is", "be", "been", "being", "got", "get", "gets"}
_ADV = {
    "also", "reportedly", "allegedly", "successfully", "completely", "fully", "totally", "partially", "partly",
    "all", "both", "later", "subsequently", "eventually", "then", "confirmed", "reported", "likely", "probably",
    "possibly", "either", "each", "badly", "seriously", "critically", "lightly", "severely", "instantly",
    "immediately", "recently", "already", "just", "previously", "earlier", "presumably", "apparently",
    "reliably", "effectively", "directly", "simultaneously", "additionally", "further", "mortally",
}  # fmt: skip
_STOP = {
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "from", "by", "with", "without",
    "near", "around", "during", "after", "before", "since", "for", "as", "into", "onto", "over", "under",
    "across", "along", "toward", "towards", "while", "whereas", "that", "which", "who", "whom", "whose",
    "where", "when", "was", "were", "is", "are", "be", "been", "being", "had", "has", "have", "did", "do",
    "does", "will", "would", "could", "should", "may", "might", "must", "can", "this", "these", "those",
    "its", "their", "his", "her", "our", "it", "they", "he", "she", "we", "not", "no", "per", "than", "if",
    "so", "yet", "only", "there", "here", "what", "said", "says", "claimed", "claims", "according", "inside",
    "outside", "within", "between", "among", "amid", "against", "through", "via", "out", "up", "down", "off",
    "each", "every", "including", "such", "like", "about", "because", "although", "though", "however",
    "killed", "also", "reportedly", "allegedly",
}  # fmt: skip
_ADJ_ED = {"armored", "armoured", "tracked", "wheeled", "unarmored", "camouflaged", "abandoned", "mechanized",
           "motorized", "armed", "unarmed", "disguised", "parked", "loaded"}  # fmt: skip
_COMPOUND_HEADS = {
    "crew", "crews", "column", "columns", "convoy", "convoys", "unit", "units", "company", "companies",
    "battalion", "battalions", "brigade", "brigades", "regiment", "regiments", "position", "positions", "depot",
    "depots", "driver", "drivers", "park", "parks", "repair", "factory", "plant", "engine", "engines", "hangar",
    "hangars", "trench", "trenches", "destroyer", "destroyers", "transport",
    "transports", "group", "groups", "platoon", "platoons", "squad", "squads", "detachment", "detachments",
    "formation", "formations", "hunter", "hunters", "rounds", "shells", "ammunition", "fuel", "tires", "tyres",
    "parts", "traps", "ditch", "ditches", "barriers", "mines", "bomb", "bombs",
}  # fmt: skip
"""Nouns that make the word before them a modifier ("tank crews", "truck convoy")."""
_GENERIC_HEADS = {"carrier", "carriers", "transporter", "transporters", "variant", "variants", "models"}
_ANAPHORA = {"others", "more", "other", "additional", "further"}

_ATTR_VERBS = (
    r"said|says|claimed|claims|claiming|reported|reports|stated|states|announced|announces|wrote|writes|"
    r"posted|posts|added|adds|told|tells|noted|notes|alleged|alleges|asserted|asserts|insisted|insists|"
    r"confirmed|confirms|boasted|estimated|estimates|published|shared|explained|explains"
)
_ATTR_RE = re.compile(rf"\b(?P<v>{_ATTR_VERBS})\b", re.IGNORECASE)
_AMBIGUOUS_S_VERBS = {"claims", "reports", "states", "announces", "writes", "posts", "adds", "tells", "notes",
                      "alleges", "asserts", "insists", "confirms", "estimates", "explains"}  # fmt: skip
_ATTR_SKIP = {"has", "have", "had", "also", "later", "previously", "earlier", "separately", "further", "again"}
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9][\w'’.\-]*|[^\sA-Za-z0-9]")
_ACCORDING_RE = re.compile(r"\baccording\s+to\s+", re.IGNORECASE)
_CLAIMANT_WORDS = {
    "ministry", "defence", "defense", "brigade", "battalion", "regiment", "army", "military", "command",
    "commander", "commanders", "staff", "general", "forces", "force", "press", "service", "spokesman",
    "spokeswoman", "spokesperson", "spokespeople", "officials", "official", "authorities", "governor", "head",
    "analysts", "analyst", "monitors", "observers", "bloggers", "blogger", "channel", "channels", "unit",
    "units", "group", "intelligence", "police", "administration", "mayor", "of", "the", "for", "and", "local",
    "regional", "national", "state", "operators", "drone", "air", "assault", "mechanized", "separate",
    "territorial", "guard", "border", "navy", "war", "correspondents", "correspondent", "journalists",
    "journalist", "reporters", "reporter", "sources", "source", "agency", "news", "media", "outlet",
    "officer", "officers", "soldier", "soldiers", "ministry's", "brigade's", "army's", "military's", "a", "an",
    "its", "their", "corps", "division", "center", "centre", "office", "department", "minister", "chief",
    "representative", "representatives", "team", "volunteers", "volunteer", "investigators",
}  # fmt: skip
_STRIP_LEADING = {"meanwhile", "however", "separately", "earlier", "later", "also", "additionally", "moreover",
                  "furthermore", "and", "but", "while", "whereas", "then", "today", "yesterday", "overnight",
                  "of", "the", "a", "an", "for", "its", "their", "so", "thus", "in", "on", "at"}  # fmt: skip
_PRONOUNS = {"it", "they", "he", "she", "we"}
_DOC_NOUNS = {"statement", "post", "report", "release", "message", "update", "summary", "bulletin", "video",
              "caption", "communique", "briefing"}  # fmt: skip
_NOT_CLAIMANTS = {"data", "information", "reports", "estimates", "figures", "footage", "video", "videos",
                  "statistics", "calculations", "count", "counts"}  # fmt: skip

_HEDGES: list[tuple[str, re.Pattern[str]]] = [
    ("claimed", re.compile(r"\bclaim(?:s|ed|ing)?\b", re.IGNORECASE)),
    ("alleged", re.compile(r"\ballege(?:d|dly|s)?\b", re.IGNORECASE)),
    (
        "reported",
        re.compile(
            r"\breportedly\b|\b(?:was|were|is|are|been|being)\s+reported\b|"
            r"\baccording\s+to\s+(?:\w+\s+){0,2}reports\b|\breports\s+(?:say|said|suggest|suggested|indicate)\b",
            re.IGNORECASE,
        ),
    ),
    ("estimated", re.compile(rf"\bestimat(?:ed|es|e)\b(?!\s+(?:\d|(?:{_NUM_TOKEN}|a\s+dozen)\b))", re.IGNORECASE)),
    (
        "preliminary",
        re.compile(r"\bpreliminary\b|\binitial\s+(?:data|figures|reports|information|estimates?)\b", re.IGNORECASE),
    ),
]
_UNVERIFIED_RE = re.compile(
    r"\b(?:could\s+not|cannot|can't|couldn't|unable\s+to|impossible\s+to)\s+(?:be\s+)?(?:independently\s+)?"
    r"(?:verif|confirm)\w*|\bunverified\b|\bunconfirmed\b|\bnot\s+(?:been\s+|be\s+)?(?:independently\s+)?"
    r"(?:verified|confirmed)\b|\bno\s+independent\s+(?:verification|confirmation)\b|"
    r"\b(?:neither|none\s+of)\b[^;]*?\b(?:could|can|has|have|was|were)\s+(?:be\s+|been\s+)?(?:independently\s+)?"
    r"(?:verified|confirmed)\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT_RE = re.compile(r";|,?\s+(?=(?:while|whereas|but|although|though)\b)", re.IGNORECASE)

_ABBREVIATIONS = {
    "lt", "col", "gen", "maj", "capt", "cpt", "sgt", "cpl", "pvt", "mr", "mrs", "ms", "dr", "st", "no", "approx",
    "e.g", "i.e", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "a.m", "p.m", "gov", "adm", "brig", "lt.-col", "lt-col", "pres", "prof", "rep", "sen",
}  # fmt: skip
_SENT_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•–][ \t]|\d+[.)][ \t]|[A-Z]))")

_HSPACE_RE = re.compile(r"[ \t\u00a0]*(?:\n[ \t\u00a0]*)?")
"""Whitespace between two words of a phrase (one line break allowed: wrapped text)."""
_LAST_WORD_RE = re.compile(r"([\w.\-]+)$")
_NEXT_CHAR_RE = re.compile(r"\s*(\S)")
_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z0-9]+)*")
_OF_RE = re.compile(r"\s*of\s+(?:(?P<them>them|those)\b|(?:the|their|its|our|these|his|her)\s+)?", re.IGNORECASE)
_UNITS_OF_RE = re.compile(r"\s*(?:units|pieces|items)\s+of\s+", re.IGNORECASE)
_INCLUDING_RE = re.compile(
    r"(?:,|\()\s*(?:including|among\s+them|among\s+whom|of\s+whom|of\s+which|of\s+them)\s+$", re.IGNORECASE
)
_LIST_SEP_RE = re.compile(
    r"^\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+|plus\s+)?|and\s+|as\s+well\s+as\s+|plus\s+|along\s+with\s+)(?:also\s+)?$",
    re.IGNORECASE,
)

# Context patterns: left = text before the number expression, right = text after it.
_CTX_RIGHT: list[tuple[str, re.Pattern[str]]] = [
    ("age", re.compile(r"^(?:-|\s+)years?(?:-|\s+)old\b", re.IGNORECASE)),
    (
        "duration",
        re.compile(
            r"^(?:-|\s+)(?:seconds?|secs?|minutes?|mins?|hours?|days?|nights?|weeks?|months?|years?)\b", re.IGNORECASE
        ),
    ),
    ("percentage", re.compile(r"^\s*(?:%|percent\b|per\s+cent\b)", re.IGNORECASE)),
    (
        "money",
        re.compile(r"^\s*(?:dollars|euros?|pounds|hryvnias?|roubles?|rubles?|USD|EUR|UAH|RUB)\b", re.IGNORECASE),
    ),
    (
        "measure",
        re.compile(
            r"^\s*(?:km/h|kph|mph|km|kilomet(?:er|re)s?|mi|miles?|m|met(?:er|re)s?|mm|millimet(?:er|re)s?|cm|kg|"
            r"kilograms?|tons?|tonnes?|knots|feet|ft)\b",
            re.IGNORECASE,
        ),
    ),
    ("time", re.compile(r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock\b|hrs\b)", re.IGNORECASE)),
    ("deployment_size", re.compile(r"^-(?:strong|man|member|person)\b", re.IGNORECASE)),
]
_CTX_LEFT: list[tuple[str, re.Pattern[str]]] = [
    ("age", re.compile(r"\baged\s+$", re.IGNORECASE)),
    ("money", re.compile(r"[$€£₴₽]\s*$")),
    (
        "deployment_size",
        re.compile(
            r"\b(?:force|forces|contingent|grouping|group|battalion|brigade|regiment|company|unit|division|corps|"
            r"detachment|garrison|army|strength|troop\s+strength|headcount)\s+of\s+$|\bnumbering\s+$",
            re.IGNORECASE,
        ),
    ),
]


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


@dataclass
class _Subject:
    start: int
    end: int
    text: str
    category: str | None
    subtype: str | None
    anaphora: bool = False


@dataclass
class _Outcome:
    outcome: str
    text: str
    start: int
    end: int


@dataclass
class _Mention:
    start: int
    end: int
    kind: str  # neg | vague | couple | words | digits | article | date | time
    count: int | None
    low: int | None
    high: int | None
    bound: str
    negated: bool = False
    context_kind: str | None = None
    context_end: int | None = None
    subject: _Subject | None = None
    clause: int = 0
    own_post_aux: _Outcome | None = None
    own_pre: _Outcome | None = None
    own_post_bare: _Outcome | None = None
    outcome: _Outcome | None = None
    own_used: _Outcome | None = None
    group: int = -1
    word_one: bool = False
    anaphora_of_them: bool = False
    qualifiers: list[str] = field(default_factory=list)
    claimant: str | None = None

    @property
    def np_end(self) -> int:
        return self.subject.end if self.subject is not None else self.end


@dataclass
class _Attribution:
    pos: int
    claimant: str | None
    verb: str


def extract_claims(text: str) -> list[Claim]:
    """Find the numeric claims of a text.

    Args:
        text: The text (an article, a statement, a unit's post). Plain text; line breaks that start
            a bullet or a capitalised line, and blank lines, end a sentence.

    Returns:
        One :class:`~vidtools.types.Claim` per number, in text order, context numbers included
        (``claim.data["context"]`` is True for them). ``text_span`` is the span of the claim phrase
        (the number, its subject and the outcome words attached to them); ``data`` holds every
        other field of the claims.json schema (see the module docstring).
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_claims() needs a str, got {type(text).__name__}")
    claims: list[Claim] = []
    state: dict[str, Any] = {"last_claimant": None, "claimants": [], "all": []}
    for a, b in _sentences(text):
        claims.extend(_extract_sentence(text, a, b, state))
    return claims


def extract_claims_from_file(path: str | os.PathLike[str]) -> list[Claim]:
    """Read a UTF-8 text file and :func:`extract_claims` from it.

    Raises:
        ClaimsError: the file is missing or not UTF-8 text.
    """
    text = _read_text(path)
    return extract_claims(text)


def _read_text(path: str | os.PathLike[str]) -> str:
    p = Path(path)
    if not p.is_file():
        raise ClaimsError(f"{p}: text file not found; pass the path of a plain-text (UTF-8) file")
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ClaimsError(f"{p}: not UTF-8 text (byte {e.start}); save it as UTF-8 plain text") from None


def _sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace trimmed, empty ones dropped)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END_RE.finditer(text):
        if m.group()[:1] in ".!?":
            if m.group().startswith("."):
                word = _LAST_WORD_RE.search(text, max(start, m.start() - 40), m.start())
                w = word.group(1).lower() if word else ""
                if w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha()):
                    continue
            nxt = _NEXT_CHAR_RE.match(text, m.end())
            if nxt and nxt.group(1).islower():
                continue
            end = m.end()
        else:
            end = m.start()
        _add_span(text, start, end, spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    seg = text[a:b]
    lead = len(seg) - len(seg.lstrip())
    trail = len(seg) - len(seg.rstrip())
    a2, b2 = a + lead, b - trail
    if b2 > a2:
        spans.append((a2, b2))


def _clauses(s: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in _CLAUSE_SPLIT_RE.finditer(s):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(s)))
    return out


def _words_value(phrase: str) -> tuple[int, int] | None:
    """Value of a number-word phrase and the character length of the part that forms a number."""
    toks = list(re.finditer(r"[a-z]+", phrase.lower()))
    if not toks:
        return None
    words = [t.group() for t in toks]
    if words[:3] == ["half", "a", "dozen"]:
        return 6, toks[2].end()
    first = words[1] if words[0] == "a" and len(words) > 1 else words[0]
    if words[0] != "a" and first not in _UNITS and first not in _TENS:
        return None  # a bare "million" or "hundred" is not a number
    total = cur = 0
    last = None
    seen_number = False
    end = 0
    for t, w in zip(toks, words, strict=True):
        if w == "a" and not seen_number:
            cur = 1
            continue
        if w == "and":
            if last in ("hundred", "scale"):
                continue
            break
        if w in _UNITS:
            v = _UNITS[w]
            if last in ("unit", "teen") or (last == "tens" and v >= 10):
                break
            cur = (0 if last is None and not seen_number else cur) + v
            last = "teen" if v >= 10 else "unit"
        elif w in _TENS:
            if last in ("unit", "teen", "tens"):
                break
            cur += _TENS[w]
            last = "tens"
        elif w == "hundred":
            if last == "hundred":
                break
            cur = (cur or 1) * 100
            last = "hundred"
        elif w in _SCALES:
            if last == "scale" and cur == 0:
                break
            total += (cur or 1) * _SCALES[w]
            cur = 0
            last = "scale"
        elif w == "dozen":
            if last == "dozen":
                break
            cur = (cur or 1) * 12
            last = "dozen"
        else:
            break
        seen_number = True
        end = t.end()
    if not seen_number:
        return None
    return total + cur, end


def _digits_value(s: str) -> int:
    m = re.match(r"([\d,.\u00a0\u202f ]+?)\s*(thousand|million|billion)?$", s.strip(), re.IGNORECASE)
    num, scale = (m.group(1), m.group(2)) if m else (s, None)
    num = re.sub(r"[,\u00a0\u202f ]", "", num)
    v = float(num)
    if scale:
        v *= _SCALES[scale.lower()]
    return round(v)


def _num_value(s: str) -> int | None:
    s = s.strip()
    if s and s[0].isdigit():
        return _digits_value(s)
    r = _words_value(s)
    return r[0] if r else None


def _about_range(n: int) -> tuple[int, int]:
    d = max(1.0, 0.1 * n)
    return max(0, math.floor(n - d)), math.ceil(n + d)


def _bounded(n: int, bound: str) -> tuple[int | None, int | None]:
    if bound == "about":
        return _about_range(n)
    if bound == "at_least":
        return n, None
    if bound == "more_than":
        return n + 1, None
    if bound == "at_most":
        return None, n
    if bound == "fewer_than":
        return None, max(0, n - 1)
    return None, None


def _range_end(right: str, sep: str) -> tuple[int, int] | None:
    """``(characters consumed, value)`` of ``<sep> <number>`` at the start of ``right``."""
    r = re.match(sep, right)
    n = _NUM_ONLY_RE.match(right, r.end()) if r else None
    value = _num_value(n.group()) if n else None
    return None if (n is None or value is None) else (n.end(), value)


def _extend_number(ms: str, mt: _Mention) -> None:
    """Extend a number mention with a bound on its left ("over", "at least") or a range."""
    if mt.count is None:
        return
    b = _BOUND_RE.search(ms, _tail(ms, mt.start), mt.start)
    bound_kind = _BOUND_KIND.get(re.sub(r"\s+", " ", b.group("b").lower())) if b else None
    right = ms[mt.end : mt.end + 80]
    rng: tuple[int, int] | None
    if b is not None and bound_kind in ("between", "from"):
        rng = _range_end(right, r"\s+and\s+" if bound_kind == "between" else r"\s*(?:to|-|–)\s*")
        if rng is not None:
            mt.low, mt.high = mt.count, rng[1]
            mt.start, mt.end, mt.count, mt.bound = b.start("b"), mt.end + rng[0], None, "range"
        return
    rng = _range_end(right, r"\s*(?:-|–|—)\s*|\s+(?:to|or)\s+")
    if rng is not None:
        mt.low, mt.high = min(mt.count, rng[1]), max(mt.count, rng[1])
        mt.end, mt.count, mt.bound, mt.word_one = mt.end + rng[0], None, "range", False
    elif b is not None and bound_kind is not None:
        mt.start, mt.bound, mt.word_one = b.start("b"), bound_kind, False
        mt.low, mt.high = _bounded(mt.count, bound_kind)


def _find_mentions(ms: str) -> list[_Mention]:
    """Number expressions of a (masked) sentence."""
    out: list[_Mention] = []
    for m in _MENTION_RE.finditer(ms):
        kind = m.lastgroup or ""
        start, end = m.start(), m.end()
        text = m.group()
        if kind == "neg":
            mt = _Mention(start, end, "neg", 0, None, None, "exact", negated=True)
            mt.anaphora_of_them = text.lower().rstrip().endswith(("them", "those"))
            out.append(mt)
            continue
        if kind == "vague":
            key = re.sub(r"\s+", " ", text.lower())
            out.append(_Mention(start, end, "vague", None, _VAGUE[key], None, "vague"))
            continue
        if kind == "couple":
            lo, hi = _about_range(2)
            out.append(_Mention(start, end, "couple", 2, lo, hi, "about"))
            continue
        if kind == "article":
            out.append(_Mention(start, end, "article", 1, None, None, "exact"))
            continue
        if kind == "words":
            r = _words_value(text)
            if r is None:
                continue
            value, length = r
            end = start + length
            mt = _Mention(start, end, "words", value, None, None, "exact")
            mt.word_one = text[:length].lower() == "one"
        else:
            mt = _Mention(start, end, "digits", _digits_value(text), None, None, "exact")
        _extend_number(ms, mt)
        out.append(mt)
    # a bound phrase may have swallowed an earlier article mention ("an estimated 300")
    # and a range may have swallowed a later one ("between 20 and 30")
    cleaned: list[_Mention] = []
    for mt in out:
        if cleaned and mt.start < cleaned[-1].end:
            if mt.start > cleaned[-1].start:
                continue
            while cleaned and cleaned[-1].end > mt.start:
                cleaned.pop()
        cleaned.append(mt)
    return cleaned


def _match_lexicon(s: str, pos: int) -> tuple[re.Match[str], str, str | None] | None:
    m = _LEX_RE.match(s, pos)
    if not m or m.lastgroup is None:
        return None
    _, cat, sub = _LEXICON[int(m.lastgroup[1:])]
    return m, cat, sub


def _is_outcome_word(word: str) -> bool:
    return bool(_OUTCOME_RE.fullmatch(word))


def _skip_space(s: str, pos: int) -> int:
    m = _HSPACE_RE.match(s, pos)
    return m.end() if m else pos


def _parse_subject(s: str, pos: int) -> _Subject | None:
    """The noun phrase that starts at ``pos`` (after a number), mapped onto the taxonomy."""
    j = pos
    m_of = _OF_RE.match(s, j)
    if m_of:
        if m_of.group("them"):
            st = m_of.start() + (len(m_of.group()) - len(m_of.group().lstrip()))
            return _Subject(st, m_of.end("them"), s[st : m_of.end("them")], None, None, anaphora=True)
        j = m_of.end()
    m_units = _UNITS_OF_RE.match(s, j)
    if m_units:
        j = m_units.end()
    np_start: int | None = None
    end = j
    last_lex: tuple[str, str | None] | None = None
    last_was_lex = False
    anaphora = False
    n = 0
    while n < 6:
        ws = _skip_space(s, j)
        lex = _match_lexicon(s, ws)
        if lex:
            m, cat, sub = lex
            if np_start is None:
                np_start = ws
            j = end = m.end()
            last_lex, last_was_lex = (cat, sub), True
            n += 1
            nxt_ws = _skip_space(s, j)
            nxt = _TOKEN_RE.match(s, nxt_ws)
            if nxt is not None and nxt.group().lower() in _GENERIC_HEADS:
                j = end = nxt.end()  # "BTR-82 carriers": the model name carries the category
                break
            if (nxt is None or nxt.group().lower() not in _COMPOUND_HEADS) and not _match_lexicon(s, nxt_ws):
                break
            continue
        tok = _TOKEN_RE.match(s, ws)
        if not tok:
            break
        w = tok.group().lower().replace("’", "'")
        first = np_start is None
        modifier_ing = first and w.endswith("ing") and _match_lexicon(s, tok.end() + 1) is not None
        if not modifier_ing and (
            w in _STOP
            or w in _AUX
            or w in _ADV
            or _is_outcome_word(w)
            or w.endswith("ing")  # "cars carrying soldiers": the noun phrase ends at the participle
            or (w.endswith("ed") and w not in _ADJ_ED)
        ):
            break
        if np_start is None:
            np_start = ws
        if w in _ANAPHORA:
            anaphora = True
        j = end = tok.end()
        last_was_lex = False
        n += 1
    if np_start is None:
        return None
    text = s[np_start:end]
    if last_was_lex and last_lex is not None:
        return _Subject(np_start, end, text, last_lex[0], last_lex[1])
    return _Subject(np_start, end, text, None, None, anaphora=anaphora)


def _outcome_of(m: re.Match[str]) -> str:
    """Outcome of a match of :data:`_OUTCOME_RE` (its named group says which pattern matched)."""
    return _OUTCOME_PATTERNS[int((m.lastgroup or "o0")[1:])][1]


_POST_AUX_RE = re.compile(
    r"\s+(?:(?:that|which|who)\s+)?(?P<chain>(?:(?:"
    + "|".join(sorted(_AUX | _ADV, key=len, reverse=True))
    + r")\s+)+)(?P<o>"
    + _OUTCOME_PLAIN
    + r")\b",
    re.IGNORECASE,
)
_POST_BARE_RE = re.compile(
    r"\s+(?:(?:" + "|".join(sorted(_ADV, key=len, reverse=True)) + r")\s+)*(?P<o>" + _OUTCOME_PLAIN + r")\b",
    re.IGNORECASE,
)
_FILL_WORD = (
    r"(?:\s+(?!(?:and|or|but|while|whereas|by|said|says|claimed|claims|that|which|who|were|was)\b)"
    r"(?!(?:" + _OUTCOME_PLAIN + r")\b)[a-z][\w'’\-]*)"
)
_PRE_RE = re.compile(r"\b(?P<o>" + _OUTCOME_PLAIN + r")\b(?P<fill>" + _FILL_WORD + r"{0,3})\s*$", re.IGNORECASE)


def _post_outcome(rx: re.Pattern[str], s: str, pos: int, endpos: int, need_aux: bool) -> _Outcome | None:
    """An outcome right after ``pos`` (``"were also hit"``, ``"killed"``), not beyond ``endpos``."""
    m = rx.match(s, pos, max(pos, endpos))
    if not m:
        return None
    if need_aux:
        chain = m.group("chain").lower().split()
        if not any(w in _PASSIVE_AUX for w in chain):
            return None
    o = m.group("o")
    if not need_aux and o.lower() in _NOUN_OUTCOMES:
        return None
    om = _OUTCOME_RE.fullmatch(o)
    if om is None:
        return None
    return _Outcome(_outcome_of(om), o, m.start("o"), m.end("o"))


def _pre_outcome(s: str, lo: int, hi: int) -> _Outcome | None:
    """An outcome verb shortly before ``hi`` ("killed at least"), not before ``lo``."""
    lo = max(lo, _tail(s, hi, 160))
    region = s[lo:hi]
    m = _PRE_RE.search(region)
    if not m:
        return None
    fill = m.group("fill").split()
    if fill and fill[-1].lower() == "by":
        return None
    o = m.group("o")
    if o.lower() in ("strike", "strikes", "hits", "attacks", "losses"):
        return None
    om = _OUTCOME_RE.fullmatch(o)
    if om is None:
        return None
    return _Outcome(_outcome_of(om), o, lo + m.start("o"), lo + m.end("o"))


def _tail(s: str, pos: int, n: int = 60) -> int:
    """Start of a window of about ``n`` characters before ``pos`` that does not cut a word."""
    st = max(0, pos - n)
    if st > 0 and not s[st - 1].isspace():
        sp = s.find(" ", st, pos)
        st = pos if sp < 0 else sp
    return st


def _context_kind(ms: str, mt: _Mention) -> tuple[str | None, int | None]:
    left, right = ms[_tail(ms, mt.start) : mt.start], ms[mt.end : mt.end + 80]
    for kind, rx in _CTX_RIGHT:
        m = rx.match(right)
        if m:
            return kind, mt.end + m.end()
    for kind, rx in _CTX_LEFT:
        if rx.search(left):
            return kind, None
    return None, None


def _find_attributions(s: str, lo: int, hi: int) -> list[_Attribution]:
    """Attributions ("X said", "according to X", "..., said X") inside ``s[lo:hi]``."""
    out: list[_Attribution] = []
    seg = s[lo:hi]
    for m in _ACCORDING_RE.finditer(seg):
        name = _walk_forward(seg, m.end())
        if name and name.split()[-1].lower() not in _NOT_CLAIMANTS:
            out.append(_Attribution(lo + m.start(), name, "according to"))
    for m in _ATTR_RE.finditer(seg):
        verb = m.group("v")
        before = seg[_tail(seg, m.start(), 200) : m.start()]
        if verb.lower() in _AMBIGUOUS_S_VERBS and not re.match(r"\s*(?:that\b|,|:|\d|on\b|in\b)", seg[m.end() :]):
            continue  # "the ministry's claims could not be verified": a noun, not a verb
        toks = list(_NAME_TOKEN_RE.finditer(before))
        # skip "has/have/had" and adverbs between subject and verb
        k = len(toks) - 1
        while k >= 0 and toks[k].group().lower() in _ATTR_SKIP:
            k -= 1
        if k >= 0 and toks[k].group().lower() in _PASSIVE_AUX:
            continue  # "were reported killed": passive, not an attribution
        name = _walk_back(toks[: k + 1])
        if name is None:
            # pronoun or "the statement said"
            prev = toks[k].group().lower() if k >= 0 else ""
            if prev in _PRONOUNS or prev in _DOC_NOUNS:
                out.append(_Attribution(lo + m.start(), "", verb))
                continue
            after = _walk_forward(seg, m.end(), require_start=True)
            if after and re.search(r"[,;]\s*$", before):
                out.append(_Attribution(lo + m.start(), after, verb))
            continue
        if re.search(r"['’]s$", name):
            continue  # a possessive before a noun ("the brigade's reports")
        if name.split()[-1].lower() in _DOC_NOUNS:
            out.append(_Attribution(lo + m.start(), "", verb))
            continue
        out.append(_Attribution(lo + m.start(), name, verb))
    out.sort(key=lambda a: a.pos)
    return out


def _clean_name(words: list[str]) -> str | None:
    while words and words[0].lower() in _STRIP_LEADING:
        words = words[1:]
    while words and words[-1].lower() in {"of", "the", "and", "for", "a", "an"}:
        words = words[:-1]
    if not words:
        return None
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return None
    return " ".join(words)


def _is_name_word(w: str) -> bool:
    base = re.sub(r"['’]s$", "", w)
    return (
        w[:1].isupper()
        or base.lower() in _CLAIMANT_WORDS
        or w.lower() in _CLAIMANT_WORDS
        or bool(re.fullmatch(r"\d+(?:st|nd|rd|th)", w))
    )


def _walk_back(toks: list[re.Match[str]]) -> str | None:
    words: list[str] = []
    for t in reversed(toks):
        w = t.group()
        if not re.match(r"[A-Za-z0-9]", w) or not _is_name_word(w):
            break
        words.insert(0, w)
        if len(words) >= 10:
            break
    return _clean_name(words)


def _walk_forward(seg: str, pos: int, require_start: bool = False) -> str | None:
    words: list[str] = []
    for t in _NAME_TOKEN_RE.finditer(seg[pos:]):
        w = t.group()
        if not re.match(r"[A-Za-z0-9]", w) or not _is_name_word(w.rstrip(".")):
            break
        words.append(w)
        if w.endswith(".") and w[:-1].lower() not in _ABBREVIATIONS:
            words[-1] = w[:-1]
            break
        if len(words) >= 10:
            break
    if require_start and words and not (words[0][:1].isupper() or words[0].lower() == "the"):
        return None
    return _clean_name(words)


def _hedges(clause_text: str) -> list[str]:
    return [name for name, rx in _HEDGES if rx.search(clause_text)]


def _order_qualifiers(qs: Iterable[str]) -> list[str]:
    qs = list(dict.fromkeys(qs))
    known = [q for q in QUALIFIERS if q in qs]
    return known + [q for q in qs if q not in QUALIFIERS]


def _mask_dates(s: str) -> tuple[str, list[tuple[int, int, str]]]:
    spans: list[tuple[int, int, str]] = []
    chars = list(s)
    for kind, rx in (("date", _DATE_RE), ("time", _TIME_RE)):
        for m in rx.finditer("".join(chars)):
            spans.append((m.start(), m.end(), kind))
            for i in range(m.start(), m.end()):
                chars[i] = "#"
    spans.sort()
    return "".join(chars), spans


def _extract_sentence(text: str, a: int, b: int, state: dict[str, Any]) -> list[Claim]:
    """Claims of the sentence ``text[a:b]``; ``state`` carries claimants and claims across sentences."""
    s = text[a:b]
    ms, date_spans = _mask_dates(s)  # dates and times are masked so their digits are not counts
    clauses = _clauses(ms)
    mentions = _find_mentions(ms)
    mentions += [_Mention(ds, de, kind, None, None, None, "exact", context_kind=kind) for ds, de, kind in date_spans]
    mentions.sort(key=lambda m: m.start)
    _parse_subjects(ms, clauses, mentions)
    groups = _resolve_outcomes(ms, clauses, mentions)
    keep = _infer_subjects(ms, mentions, groups)
    _attribute(ms, clauses, keep, state)
    claims = [_make_claim(a, s, mt) for mt in keep]
    state["all"].extend(claims)
    return claims


def _parse_subjects(ms: str, clauses: list[tuple[int, int]], mentions: list[_Mention]) -> None:
    """Clause, context kind and subject noun phrase of every mention."""
    for mt in mentions:
        mt.clause = next((i for i, (cs, ce) in enumerate(clauses) if cs <= mt.start < ce), len(clauses) - 1)
        if mt.kind in ("date", "time"):
            continue
        kind, cend = _context_kind(ms, mt)
        mt.context_kind, mt.context_end = kind, cend
        if kind in (None, "deployment_size"):
            mt.subject = _parse_subject(ms, mt.end)
        if mt.anaphora_of_them and mt.subject is None:
            mt.subject = _Subject(mt.end, mt.end, "", None, None, anaphora=True)
        is_year = (
            mt.kind == "digits"
            and mt.bound == "exact"
            and re.fullmatch(r"\d{4}", ms[mt.start : mt.end]) is not None
            and 1900 <= (mt.count or 0) <= 2099
        )
        if kind is None and is_year and (mt.subject is None or mt.subject.category is None):
            mt.context_kind, mt.subject = "date", None


def _resolve_outcomes(ms: str, clauses: list[tuple[int, int]], mentions: list[_Mention]) -> dict[int, list[_Mention]]:
    """Each mention's own outcome (passive after, verb before, participle after), then list sharing.

    Returns:
        List groups: group id -> its mentions (a mention alone is a group of one).
    """
    prev_end: dict[int, int] = {}  # clause -> end of its latest mention so far
    for mt in mentions:
        cs, ce = clauses[mt.clause]
        if not mt.context_kind:
            # a verb before the number must come after the previous mention of the clause
            mt.own_post_aux = _post_outcome(_POST_AUX_RE, ms, mt.np_end, ce, need_aux=True)
            mt.own_pre = _pre_outcome(ms, prev_end.get(mt.clause, cs), mt.start)
            mt.own_post_bare = _post_outcome(_POST_BARE_RE, ms, mt.np_end, ce, need_aux=False)
        if not (mt.kind == "article" and (mt.subject is None or mt.subject.category is None)):
            prev_end[mt.clause] = max(prev_end.get(mt.clause, cs), mt.context_end or mt.np_end)

    live = [m for m in mentions if not m.context_kind]
    gid = 0
    for i, mt in enumerate(live):
        prev = live[i - 1] if i > 0 else None
        if (
            prev is not None
            and prev.clause == mt.clause
            and prev.own_post_aux is None
            and _LIST_SEP_RE.match(ms[prev.np_end : mt.start])
        ):
            mt.group = prev.group
        else:
            gid += 1
            mt.group = gid
    groups: dict[int, list[_Mention]] = {}
    for mt in live:
        groups.setdefault(mt.group, []).append(mt)
    for items in groups.values():
        shared = (items[-1].own_post_aux or items[-1].own_post_bare) or items[0].own_pre
        for mt in items:
            own = mt.own_post_aux or mt.own_pre or mt.own_post_bare
            if own is not None:
                mt.outcome = mt.own_used = own
            elif len(items) > 1:
                mt.outcome = shared

    # "..., including four civilians" / "of whom 12 ..." share the previous claim's outcome
    for p, mt in itertools.pairwise(live):
        follows = mt.outcome is None and p.outcome is not None and p.clause == mt.clause
        if follows and _INCLUDING_RE.search(ms, _tail(ms, mt.start), mt.start):
            mt.outcome = p.outcome
    return groups


def _infer_subjects(ms: str, mentions: list[_Mention], groups: dict[int, list[_Mention]]) -> list[_Mention]:
    """Drop weak mentions that are not claims, fill in implied subjects, mark leftovers as context."""
    keep: list[_Mention] = []
    prev_claim: _Mention | None = None
    for mt in mentions:
        if mt.context_kind:
            if mt.kind != "article":  # "a month", "a 24-hour period": the article is no number
                keep.append(mt)
            continue
        sub = mt.subject
        outcome = mt.outcome.outcome if mt.outcome else None
        if mt.kind == "article":
            group = groups.get(mt.group, [])
            in_list = len(group) > 1 and any(x.kind != "article" for x in group)
            if sub is None or sub.category is None or not (mt.outcome or in_list):
                continue
        open_subject = sub is None or sub.anaphora  # no noun, or "others" / "more" / "of them"
        if sub is None or sub.category is None:
            start, end, text = (sub.start, sub.end, sub.text) if sub else (mt.end, mt.end, "")
            prev = prev_claim.subject if prev_claim is not None else None
            if outcome in CASUALTY_OUTCOMES and (open_subject or mt.kind == "neg"):
                same = sub is not None and sub.anaphora and prev is not None and prev.category == "personnel"
                subtype = prev.subtype if (same and prev is not None) else None
                mt.subject = _Subject(start, end, text, "personnel", subtype, anaphora=bool(sub and sub.anaphora))
            elif open_subject and prev is not None and (sub is not None or mt.outcome is not None):
                mt.subject = _Subject(start, end, text, prev.category, prev.subtype, anaphora=True)
        if mt.kind == "neg" and (mt.subject is None or mt.subject.category is None):
            if not re.match(r"no\s+one|nobody", ms[mt.start : mt.end], re.IGNORECASE):
                continue  # "no comment", "no longer"
            mt.subject = _Subject(mt.end, mt.end, "", "personnel", None)
        if (mt.subject is None or mt.subject.category is None) and mt.outcome is None:
            if mt.word_one:
                continue  # "one of the reasons"
            mt.context_kind = "other"
        keep.append(mt)
        if not mt.context_kind and mt.subject is not None and mt.subject.category is not None:
            prev_claim = mt
    return keep


def _attribute(ms: str, clauses: list[tuple[int, int]], keep: list[_Mention], state: dict[str, Any]) -> None:
    """Claimant and qualifiers of every kept mention; stand-alone disclaimers mark earlier claims."""
    clause_attr = [_find_attributions(ms, cs, ce) for cs, ce in clauses]
    clause_hedges = [_hedges(ms[cs:ce]) for cs, ce in clauses]

    def resolve(att: _Attribution) -> str | None:
        return state["last_claimant"] if att.claimant == "" else att.claimant

    # a clause without an attribution takes the nearest one in the sentence (previous first)
    inherited: list[_Attribution | None] = []
    for ci in range(len(clauses)):
        src = next((j for j in range(ci, -1, -1) if clause_attr[j]), None)
        if src is None:
            src = next((j for j in range(ci + 1, len(clauses)) if clause_attr[j]), None)
        inherited.append(None if src is None else clause_attr[src][0])

    for mt in keep:
        atts = clause_attr[mt.clause]
        if atts:
            before = [x for x in atts if x.pos < mt.start]
            att: _Attribution | None = before[-1] if before else atts[0]
        else:
            att = inherited[mt.clause]
        mt.claimant = resolve(att) if att else None
        qs = list(clause_hedges[mt.clause])
        if re.search(r"\bestimated\b", ms[mt.start : mt.end], re.IGNORECASE):
            qs.append("estimated")  # "an estimated 300"
        verb = att.verb.lower() if att else ""
        if verb.startswith("claim"):
            qs.append("claimed")
        if verb.startswith("alleg"):
            qs.append("alleged")
        mt.qualifiers = qs

    # disclaimers ("could not be independently verified")
    claims = [m for m in keep if not m.context_kind]
    for ci, (cs, ce) in enumerate(clauses):
        if not _UNVERIFIED_RE.search(ms[cs:ce]):
            continue
        targets = [m for m in claims if m.clause == ci] or [m for m in claims if m.clause < ci]
        if not targets and not claims:
            _retro_unverified(ms[cs:ce], state)
        for m in targets:
            m.qualifiers.append("unverified")

    # remember claimants in text order ("It added ..." refers to the last one)
    for atts in clause_attr:
        for att in atts:
            name = resolve(att)
            if name:
                state["last_claimant"] = name
                if name not in state["claimants"]:
                    state["claimants"].append(name)


def _retro_unverified(clause_text: str, state: dict[str, Any]) -> None:
    """A stand-alone disclaimer: mark earlier claims (of the named claimant, when one is named)."""
    low = clause_text.lower()
    named = [
        c for c in state["claimants"] if re.sub(r"['’]s$", "", c.split()[-1]).lower() in re.findall(r"[a-z]+", low)
    ]
    all_claimants = set(state["claimants"])
    restrict = set(named) if named and set(named) != all_claimants else None
    for c in state["all"]:
        if c.data.get("context"):
            continue
        if restrict is not None and c.data.get("claimant") not in restrict:
            continue
        if "unverified" not in c.data["qualifiers"]:
            c.data["qualifiers"] = _order_qualifiers([*c.data["qualifiers"], "unverified"])


_VEHICLE_OUTCOME_MAP = {"killed": "destroyed", "injured": "damaged", "killed_or_injured": "destroyed_or_damaged"}


def _make_claim(a: int, s: str, mt: _Mention) -> Claim:
    """Turn a resolved mention of the sentence ``s`` (which starts at ``a`` in the text) into a Claim."""
    sub = mt.subject
    is_date = mt.kind in ("date", "time") or mt.context_kind in ("date", "time")
    category = None if (sub is None or mt.kind in ("date", "time")) else sub.category
    subtype = sub.subtype if sub else None
    outcome = None if (mt.outcome is None or mt.context_kind) else mt.outcome.outcome
    if category in _VEHICLE_CATEGORIES and outcome in _VEHICLE_OUTCOME_MAP:
        outcome = _VEHICLE_OUTCOME_MAP[outcome]
    # the claim phrase: number + subject (+ the verb attached to this item, + a context unit)
    start, end = mt.start, mt.end
    if sub is not None and sub.text and mt.context_kind in (None, "deployment_size", "other"):
        end = max(end, sub.end)
    if mt.context_end:
        end = max(end, mt.context_end)
    if mt.own_used is not None and not mt.context_kind:
        start, end = min(start, mt.own_used.start), max(end, mt.own_used.end)
    count = None if is_date else mt.count
    has_bounds = count is not None or mt.bound in ("range", "vague")
    data: dict[str, Any] = {
        "text": s[start:end],
        "subtype": subtype,
        "count_low": mt.low if has_bounds else None,
        "count_high": mt.high if has_bounds else None,
        "bound": mt.bound,
        "negated": mt.negated,
        "qualifiers": _order_qualifiers(mt.qualifiers),
        "claimant": mt.claimant,
        "context": mt.context_kind is not None,
        "context_kind": mt.context_kind,
        "subject": (sub.text or None) if sub else None,
        "number_text": s[mt.start : mt.end],
        "outcome_text": None if (mt.outcome is None or mt.context_kind) else mt.outcome.text,
        "number_span": (a + mt.start, a + mt.end),
        "sentence": s,
        "sentence_span": (a, a + len(s)),
    }
    return Claim(category, outcome, count, (a + start, a + end), data)


# --------------------------------------------------------------------------------------------
# claims.json
# --------------------------------------------------------------------------------------------


def claim_to_json(claim: Claim, id: int | None = None) -> dict[str, Any]:  # noqa: A002
    """One claim as a claims.json object (see the module docstring for the fields)."""
    d = claim.data

    def span(v: Any) -> list[int] | None:
        return None if v is None else [int(v[0]), int(v[1])]

    out: dict[str, Any] = {
        "id": id if id is not None else d.get("id"),
        "text": d.get("text", ""),
        "category": claim.category,
        "subtype": d.get("subtype"),
        "outcome": claim.outcome,
        "count": claim.count,
        "count_low": d.get("count_low"),
        "count_high": d.get("count_high"),
        "bound": d.get("bound", "exact"),
        "negated": bool(d.get("negated", False)),
        "qualifiers": list(d.get("qualifiers", [])),
        "claimant": d.get("claimant"),
        "context": bool(d.get("context", False)),
        "context_kind": d.get("context_kind"),
        "subject": d.get("subject"),
        "number_text": d.get("number_text"),
        "outcome_text": d.get("outcome_text"),
        "span": span(claim.text_span),
        "number_span": span(d.get("number_span")),
        "sentence": d.get("sentence"),
        "sentence_span": span(d.get("sentence_span")),
    }
    if d.get("note") is not None:
        out["note"] = d["note"]
    return out


def claims_to_json(
    claims: Sequence[Claim], *, source_path: str | os.PathLike[str] | None = None, source_text: str | None = None
) -> dict[str, Any]:
    """The content of a claims.json file.

    Args:
        claims: Claims, e.g. from :func:`extract_claims`.
        source_path: Path of the text they came from (recorded under ``source``). When
            ``source_text`` is not given and the file exists, it is read to record its sha256.
        source_text: The text itself (its sha256 and length are recorded, not the text).

    Raises:
        ClaimsError: ``source_path`` exists but is not UTF-8 text.
    """
    if source_text is None and source_path is not None and Path(source_path).is_file():
        source_text = _read_text(source_path)
    source: dict[str, Any] | None = None
    if source_path is not None or source_text is not None:
        source = {
            "path": None if source_path is None else str(source_path),
            "sha256": None if source_text is None else hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
            "n_chars": None if source_text is None else len(source_text),
        }
    return {
        "schema_version": CLAIMS_SCHEMA_VERSION,
        "kind": "vidtools-claims",
        "source": source,
        "claims": [claim_to_json(c, i) for i, c in enumerate(claims, 1)],
    }


def save_claims(
    claims: Sequence[Claim],
    path: str | os.PathLike[str],
    *,
    source_path: str | os.PathLike[str] | None = None,
    source_text: str | None = None,
) -> Path:
    """Write claims.json atomically (temporary file in the same folder, then ``os.replace``).

    Returns:
        The path written.
    """
    p = Path(path)
    doc = claims_to_json(claims, source_path=source_path, source_text=source_text)
    atomic_write_text(p, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return p


def load_claims(path: str | os.PathLike[str]) -> list[Claim]:
    """Read and validate a (possibly hand-edited) claims.json.

    Raises:
        ClaimsError: missing file, invalid JSON, or a field that breaks the schema; the message
            names the file, the claim and the field (``claims.json: claim 3: 'count' must be a
            non-negative integer or null``).
    """
    p = Path(path)
    if not p.is_file():
        raise ClaimsError(f"{p}: claims file not found; make one with 'vidtools claims TEXTFILE -o {p}'")
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ClaimsError(f"{p}: not UTF-8 text; save the file as UTF-8") from None
    except json.JSONDecodeError as e:
        raise ClaimsError(f"{p}: not valid JSON (line {e.lineno} column {e.colno}: {e.msg}); fix the file") from None
    return claims_from_json(doc, name=str(p))


def claims_from_json(doc: Any, name: str = "claims.json") -> list[Claim]:
    """Validate a parsed claims.json document and turn it into claims.

    Args:
        doc: The parsed JSON (``{"schema_version": "1.0", "claims": [...]}``).
        name: How error messages name the document (usually its path).

    Raises:
        ClaimsError: the document breaks the schema.
    """
    if not isinstance(doc, dict):
        raise ClaimsError(f"{name}: expected a JSON object with 'schema_version' and 'claims'")
    ver = doc.get("schema_version")
    if not isinstance(ver, str):
        raise ClaimsError(f'{name}: \'schema_version\' is missing; add "schema_version": "{CLAIMS_SCHEMA_VERSION}"')
    if ver.split(".")[0] != CLAIMS_SCHEMA_VERSION.split(".")[0]:
        raise ClaimsError(
            f"{name}: schema_version {ver!r} is not supported (this vidtools reads {CLAIMS_SCHEMA_VERSION})"
        )
    items = doc.get("claims")
    if not isinstance(items, list):
        raise ClaimsError(f"{name}: 'claims' must be a list of claim objects")
    return [_claim_from_obj(obj, f"{name}: claim {i}", i) for i, obj in enumerate(items, 1)]


def _opt_str(obj: dict[str, Any], key: str, where: str, default: Any = None) -> str | None:
    v = obj.get(key, default)
    if v is not None and not isinstance(v, str):
        raise ClaimsError(f"{where}: {key!r} must be a string or null")
    return v


def _opt_int(obj: dict[str, Any], key: str, where: str) -> int | None:
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ClaimsError(f"{where}: {key!r} must be a non-negative integer or null")
    return v


def _opt_span(obj: dict[str, Any], key: str, where: str) -> tuple[int, int] | None:
    v = obj.get(key)
    if v is None:
        return None
    if (
        not isinstance(v, list)
        or len(v) != 2
        or not all(isinstance(x, int) and not isinstance(x, bool) for x in v)
        or not 0 <= v[0] <= v[1]
    ):
        raise ClaimsError(f"{where}: {key!r} must be [start, end] with 0 <= start <= end, or null")
    return int(v[0]), int(v[1])


def _claim_from_obj(obj: Any, where: str, position: int) -> Claim:
    if not isinstance(obj, dict):
        raise ClaimsError(f"{where}: must be a JSON object")
    unknown = [k for k in obj if k not in _CLAIM_KEYS]
    if unknown:
        raise ClaimsError(f"{where}: unknown field {unknown[0]!r}; allowed fields: {', '.join(_CLAIM_KEYS)}")
    for req in ("category", "outcome", "count"):
        if req not in obj:
            raise ClaimsError(f"{where}: {req!r} is missing (use null when unknown)")
    cid = obj.get("id", position)
    if cid is None:
        cid = position
    if isinstance(cid, bool) or not isinstance(cid, int) or cid < 0:
        raise ClaimsError(f"{where}: 'id' must be a non-negative integer")
    category = obj["category"]
    if category is not None and (not isinstance(category, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", category)):
        raise ClaimsError(f"{where}: 'category' must be null or a category name such as {', '.join(KNOWN_CATEGORIES)}")
    outcome = obj["outcome"]
    if outcome is not None and outcome not in OUTCOMES:
        raise ClaimsError(f"{where}: 'outcome' must be null or one of {', '.join(OUTCOMES)}")
    count = _opt_int(obj, "count", where)
    low = _opt_int(obj, "count_low", where)
    high = _opt_int(obj, "count_high", where)
    if low is not None and high is not None and low > high:
        raise ClaimsError(f"{where}: 'count_low' ({low}) is greater than 'count_high' ({high})")
    bound = obj.get("bound", "exact")
    if bound not in BOUNDS:
        raise ClaimsError(f"{where}: 'bound' must be one of {', '.join(BOUNDS)}")
    if bound == "exact" and count is not None and (low, high) not in ((None, None), (count, count)):
        raise ClaimsError(
            f"{where}: 'bound' is 'exact' but count_low/count_high ({low}, {high}) differ from 'count' ({count}); "
            "set them to null or change 'bound'"
        )
    if bound == "range" and (low is None or high is None):
        raise ClaimsError(f"{where}: a 'range' claim needs both 'count_low' and 'count_high'")
    negated = obj.get("negated", False)
    if not isinstance(negated, bool):
        raise ClaimsError(f"{where}: 'negated' must be true or false")
    if negated and count not in (0, None):
        raise ClaimsError(f"{where}: a negated claim ('no ... were hit') must have 'count' 0")
    context = obj.get("context", False)
    if not isinstance(context, bool):
        raise ClaimsError(f"{where}: 'context' must be true or false")
    context_kind = obj.get("context_kind")
    if context_kind is not None and context_kind not in CONTEXT_KINDS:
        raise ClaimsError(f"{where}: 'context_kind' must be null or one of {', '.join(CONTEXT_KINDS)}")
    quals = obj.get("qualifiers", [])
    if not isinstance(quals, list) or not all(isinstance(q, str) for q in quals):
        raise ClaimsError(f"{where}: 'qualifiers' must be a list of strings")
    span = _opt_span(obj, "span", where)
    data: dict[str, Any] = {
        "id": cid,
        "text": _opt_str(obj, "text", where) or "",
        "subtype": _opt_str(obj, "subtype", where),
        "count_low": low,
        "count_high": high,
        "bound": bound,
        "negated": negated,
        "qualifiers": list(quals),
        "claimant": _opt_str(obj, "claimant", where),
        "context": context,
        "context_kind": context_kind,
        "subject": _opt_str(obj, "subject", where),
        "number_text": _opt_str(obj, "number_text", where),
        "outcome_text": _opt_str(obj, "outcome_text", where),
        "number_span": _opt_span(obj, "number_span", where),
        "sentence": _opt_str(obj, "sentence", where),
        "sentence_span": _opt_span(obj, "sentence_span", where),
    }
    note = _opt_str(obj, "note", where)
    if note is not None:
        data["note"] = note
    return Claim(category, outcome, count, span if span is not None else (0, 0), data)


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


def claim_range(claim: Claim) -> tuple[int, int | None] | None:
    """The inclusive range of counts a claim allows: ``(low, high)``; ``high`` None = no upper bound.

    Uses ``count_low``/``count_high`` when either is set, else ``count``; None when the claim
    gives no figure at all.
    """
    lo, hi = claim.data.get("count_low"), claim.data.get("count_high")
    if lo is not None or hi is not None:
        return (lo or 0), hi
    if claim.count is not None:
        return claim.count, claim.count
    return None


def _meta_of(r: Any) -> Mapping[str, Any]:
    if isinstance(r, ClipReport):
        return r.meta
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


def _noun(key: str | None, n: int) -> str:
    sing, plur = _NOUNS.get(key or "", (key or "objects", key or "objects"))
    return sing if n == 1 else plur


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _fmt_range(lo: int | None, hi: int | None) -> str:
    if hi is None:
        return f"at least {lo or 0:,}"
    if lo == hi:
        return f"{lo:,}"
    return f"{lo or 0:,}–{hi:,}"


def _claim_says(claim: Claim) -> str:
    d = claim.data
    if d.get("negated"):
        return "none"
    rng = claim_range(claim)
    if rng is None:
        return "an unstated number"
    nt = d.get("number_text")
    bound = d.get("bound", "exact")
    if bound == "exact" and claim.count is not None:
        return f"{claim.count:,}"
    if nt and bound != "exact":
        if nt[:1].isupper() and nt[1:2].islower():
            nt = nt[0].lower() + nt[1:]  # "About 5" at the start of a sentence
        return f"{nt} ({_fmt_range(*rng)})"
    return _fmt_range(*rng)


@dataclass
class _Observed:
    clips: int = 0
    clips_able: int = 0
    level: str = "category"
    classes: set[str] = field(default_factory=set)
    strikes: int = 0
    strikes_on_target: int = 0
    strikes_on_category: int = 0
    strikes_without_target: int = 0
    persons: int = 0
    strikes_with_persons: int = 0
    d_low: int = 0
    d_high: int | None = 0
    d_est: int | None = 0
    tracked: bool = True
    max_frame: int = 0
    per_clip: list[dict[str, Any]] = field(default_factory=list)
    unable: list[str] = field(default_factory=list)


def _observe(claim: Claim, metas: list[Mapping[str, Any]]) -> _Observed:
    cat = claim.category
    subtype = claim.data.get("subtype")
    aliases = SUBTYPE_CLASSES.get(subtype or "")
    ob = _Observed(clips=len(metas))
    ob.level = "class" if aliases else "category"
    for i, meta in enumerate(metas):
        name = _clip_name(meta, i)
        det = _detectable(meta, name)
        model_classes = [str(c).lower() for c in (meta.get("model_classes") or [])]
        cat_classes = det.get(cat or "", [])
        classes = [c for c in model_classes if c in aliases] if aliases else list(cat_classes)
        if aliases and not model_classes:
            classes = [c for c in cat_classes if c in aliases]
        able = bool(cat) and bool(cat_classes) and bool(classes)
        strikes = list(meta.get("strikes") or [])
        ob.strikes += len(strikes)
        on_target = on_cat = no_target = persons = with_persons = 0
        for st in strikes:
            tgt = st.get("target")
            if not tgt:
                no_target += 1
            else:
                if tgt.get("category") == cat:
                    on_cat += 1
                    if not aliases or str(tgt.get("class", "")).lower() in classes:
                        on_target += 1
            pmax = int((((st.get("terminal") or {}).get("counts") or {}).get("personnel") or {}).get("max", 0) or 0)
            persons += pmax
            with_persons += pmax > 0
        ob.strikes_without_target += no_target
        ob.strikes_on_category += on_cat
        ob.persons += persons
        ob.strikes_with_persons += with_persons
        summary = meta.get("summary") or {}
        if aliases:  # different classes are different objects: the maxima add up
            mx = sum(int((summary.get("classes") or {}).get(c, {}).get("max", 0) or 0) for c in classes)
        else:
            mx = int((summary.get("categories") or {}).get(cat or "", {}).get("max", 0) or 0)
        uc = meta.get("unique_counts") or {}
        if aliases:
            entries = [(uc.get("classes") or {}).get(c) for c in classes]
        else:
            entries = [(uc.get("clip") or {}).get(cat or "")]
        found = [e for e in entries if isinstance(e, Mapping)]
        hi: int | None
        est: int | None
        if uc.get("available"):
            lo = sum(int(e.get("low") or 0) for e in found)
            hi = sum(int(e.get("high") or 0) for e in found)
            est = sum(int(e.get("estimate") or 0) for e in found)
        else:  # tracking off: only the most seen in one frame is known
            lo = sum(int(e.get("low") or 0) for e in found) if found else mx
            hi, est = None, None
            ob.tracked = False
        clip = {"path": name, "able": able, "strikes": len(strikes), "strikes_on_target": on_target,
                "persons_in_terminal_windows": persons, "distinct_low": lo, "distinct_high": hi,
                "max_in_one_frame": mx}  # fmt: skip
        ob.per_clip.append(clip)
        if not able:
            ob.unable.append(name)
            continue
        ob.clips_able += 1
        ob.classes.update(classes)
        ob.strikes_on_target += on_target
        ob.max_frame = max(ob.max_frame, mx)
        ob.d_low += lo
        ob.d_high = None if (ob.d_high is None or hi is None) else ob.d_high + hi
        ob.d_est = None if (ob.d_est is None or est is None) else ob.d_est + est
    if ob.clips_able == 0:
        ob.d_high = ob.d_est = None
    return ob


def _observed_dict(ob: _Observed, summary: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "clips": ob.clips,
        "clips_able": ob.clips_able,
        "level": ob.level,
        "classes": sorted(ob.classes),
        "strikes": ob.strikes,
        "strikes_on_target": ob.strikes_on_target,
        "strikes_on_category": ob.strikes_on_category,
        "strikes_without_target": ob.strikes_without_target,
        "persons_in_terminal_windows": ob.persons,
        "strikes_with_persons": ob.strikes_with_persons,
        "distinct": {"low": ob.d_low, "high": ob.d_high, "estimate": ob.d_est, "tracked": ob.tracked},
        "max_in_one_frame": ob.max_frame,
        "per_clip": ob.per_clip,
    }


def compare(reports: Sequence[ClipReport | Mapping[str, Any]], claims: Sequence[Claim]) -> list[ClaimCheck]:
    """Set each claim beside what the footage shows.

    Args:
        reports: Analysed clips (:class:`~vidtools.types.ClipReport`, or their ``meta`` dicts); only
            ``meta`` is read. Figures are summed over the clips.
        claims: Claims from :func:`extract_claims` or :func:`load_claims`.

    Returns:
        One :class:`~vidtools.types.ClaimCheck` per claim, in order, context claims included (with
        verdict ``context``). ``observed`` holds ``summary`` (a short text), ``strikes``,
        ``strikes_on_target``, ``strikes_on_category``, ``strikes_without_target``,
        ``persons_in_terminal_windows``, ``strikes_with_persons``, ``distinct`` (``low``, ``high``,
        ``estimate``, ``tracked``), ``max_in_one_frame``, ``clips``, ``clips_able``, ``level``,
        ``classes`` and ``per_clip``. See the module docstring for the verdict rules.

    Raises:
        UsageError: no reports were given.
        ReportError: a report lacks the taxonomy information needed.
    """
    metas = [_meta_of(r) for r in reports]
    if not metas:
        raise UsageError("compare: no reports given; pass at least one analysed clip (an output folder)")
    return [_check(c, metas) for c in claims]


def _check(claim: Claim, metas: list[Mapping[str, Any]]) -> ClaimCheck:
    d = claim.data
    if d.get("context"):
        kind = (d.get("context_kind") or "other").replace("_", " ")
        return ClaimCheck(
            claim, {}, "context", f"Background number ({kind}), not a claim about the footage; not compared."
        )
    ob = _observe(claim, metas)
    cat, outcome = claim.category, claim.outcome
    if outcome in CASUALTY_OUTCOMES or (outcome == "lost" and cat in ("personnel", None)):
        return _check_casualty(claim, ob)
    if cat is None:
        subj = d.get("subject") or d.get("text") or "the subject"
        reason = (
            f"'{subj}' is not a category vidtools counts ({', '.join(KNOWN_CATEGORIES)}); "
            "set 'category' in claims.json to compare it."
        )
        return ClaimCheck(claim, _observed_dict(ob, "n/a"), "not observable with this model", reason)
    if ob.clips_able == 0:
        return _check_not_observable(claim, ob, metas)
    partial = ""
    if ob.unable:
        partial = (
            f" ({len(ob.unable)} of {ob.clips} clips were analysed with a model that cannot detect "
            f"{_noun(_key(claim), 2)}.)"
        )
    if outcome in STRIKE_OUTCOMES:
        verdict, reason, summary = _check_strikes(claim, ob)
    else:
        verdict, reason, summary = _check_presence(claim, ob)
    return ClaimCheck(claim, _observed_dict(ob, summary), verdict, reason + partial)


def _key(claim: Claim) -> str | None:
    subtype = claim.data.get("subtype")
    return subtype if subtype in _NOUNS else claim.category


_NO_STRIKES = "no strike (feed loss) was found in the footage (was shot detection off?)"


def _check_casualty(claim: Claim, ob: _Observed) -> ClaimCheck:
    what = (claim.outcome or "").replace("_or_", " or ")
    says = _claim_says(claim)
    if claim.category in ("personnel", None):
        if ob.strikes:
            seen = (
                f"{_plural(ob.persons, 'person')} visible in the terminal seconds of {ob.strikes_with_persons} "
                f"of {_plural(ob.strikes, 'strike')}"
            )
        else:
            seen = f"{_NO_STRIKES}; distinct persons in the footage: {_fmt_range(ob.d_low, ob.d_high)}"
        reason = f"Video can show people under attack, not deaths or injuries: {seen}; the claim says {says} {what}."
        summary = f"{_plural(ob.persons, 'person')} in {_plural(ob.strikes_with_persons, 'strike window')}"
    else:
        noun = _noun(_key(claim), 2)
        reason = (
            f"Video cannot show that {noun} were {what}; {_plural(ob.strikes_on_target, 'strike')} on {noun} "
            f"visible; the claim says {says}."
        )
        summary = f"{_plural(ob.strikes_on_target, 'strike')} on target"
    return ClaimCheck(claim, _observed_dict(ob, summary), "not verifiable from video", reason)


def _check_not_observable(claim: Claim, ob: _Observed, metas: list[Mapping[str, Any]]) -> ClaimCheck:
    cat, subtype = claim.category or "", claim.data.get("subtype")
    cat_classes = sorted({c for i, m in enumerate(metas) for c in _detectable(m, _clip_name(m, i)).get(cat, [])})
    if subtype and SUBTYPE_CLASSES.get(subtype) and cat_classes:
        reason = (
            f"The model has no class for {_noun(subtype, 2)} (its {_noun(cat, 1)} classes: "
            f"{', '.join(cat_classes)}); {_a(_noun(subtype, 1))} may be labelled as one of those. "
            f"{_plural(ob.strikes_on_category, 'strike')} on {_noun(cat, 2)} visible in all."
        )
    else:
        coco = ", e.g. a COCO model" if cat == "armored_vehicle" else ""
        reason = (
            f"The model cannot detect {_noun(_key(claim), 2)} (no class maps to '{cat}'{coco}); "
            f"{_plural(ob.strikes, 'strike')} in all, {ob.strikes_without_target} without an identified target."
        )
    return ClaimCheck(claim, _observed_dict(ob, "not detectable"), "not observable with this model", reason)


def _check_strikes(claim: Claim, ob: _Observed) -> tuple[str, str, str]:
    """Hit / destroyed / damaged: the claim's range against the strikes on that target."""
    s = ob.strikes_on_target
    noun = _a(_noun(_key(claim), 1)) if s == 1 else _noun(_key(claim), 2)
    seen = f"{_plural(s, 'strike')} on {noun} {'is' if s == 1 else 'are'} visible"
    extra = ""
    if ob.strikes_without_target:
        n = ob.strikes_without_target
        extra = f"; {_plural(n, 'more strike')} {'has' if n == 1 else 'have'} no identified target"
    caveat = ""
    if claim.outcome in ("destroyed", "damaged", "destroyed_or_damaged"):
        caveat = f" Video shows strikes, not whether a target was {(claim.outcome or '').replace('_or_', ' or ')}."
    summary = f"{_plural(s, 'strike')} on target"
    rng = claim_range(claim)
    says = _claim_says(claim)
    if rng is None:
        return ("consistent" if s > 0 else "footage shows fewer"), f"{seen}{extra}; the claim gives no figure.", summary
    lo, hi = rng
    if claim.data.get("negated") and s > 0:
        return "footage shows more", f"{seen}; the text says none.{caveat}", summary
    if s < lo:
        why = _NO_STRIKES if ob.strikes == 0 else "the footage may not include every strike"
        reason = f"{seen}{extra}; the claim says {says}; {why}.{caveat}"
        return "footage shows fewer", reason, summary
    if hi is not None and s > hi:
        reason = (
            f"{seen}; the claim says {says}; the same target may be struck more than once, "
            f"or the footage shows strikes the text does not count.{caveat}"
        )
        return "footage shows more", reason, summary
    return "consistent", f"{seen}{extra}; the claim says {says}.{caveat}", summary


def _check_presence(claim: Claim, ob: _Observed) -> tuple[str, str, str]:
    """Present (or no outcome): the claim's range against the distinct-track range."""
    lo_o, hi_o = ob.d_low, ob.d_high
    noun = _noun(_key(claim), 2)
    if ob.tracked:
        seen = f"{_fmt_range(lo_o, hi_o)} distinct {noun} (tracks; at least the most seen in one frame)"
        summary = f"{_fmt_range(lo_o, hi_o)} distinct"
    else:
        seen = f"at least {lo_o} {noun} (most seen in one frame; tracking was off, so no upper bound)"
        summary = f"≥{lo_o} (one frame)"
    note = " The text gives no outcome; compared as present." if claim.outcome is None else ""
    rng = claim_range(claim)
    if rng is None:
        verdict = "consistent" if lo_o > 0 else "footage shows fewer"
        return verdict, f"Footage shows {seen}; the claim gives no figure.{note}", summary
    lo_c, hi_c = rng
    says = _claim_says(claim)
    if hi_o is not None and lo_c > hi_o:
        reason = (
            f"Footage shows {seen}; the claim says {says}; the footage may show only part of the scene "
            f"or of the events.{note}"
        )
        return "footage shows fewer", reason, summary
    if hi_c is not None and lo_o > hi_c:
        return "footage shows more", f"Footage shows {seen}; the claim says {says}.{note}", summary
    return "consistent", f"Footage shows {seen}; the claim says {says}.{note}", summary


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def _claimed_cell(claim: Claim) -> str:
    d = claim.data
    rng = claim_range(claim)
    if d.get("negated"):
        n = "0 (none)"
    elif d.get("bound", "exact") == "exact" and claim.count is not None:
        n = f"{claim.count:,}"
    elif rng is not None:
        n = _fmt_range(*rng)
        if d.get("bound") in ("at_least", "more_than", "vague") and rng[1] is None:
            n = f"≥{rng[0]:,}"
        elif rng[0] == 0 and rng[1] is not None:
            n = f"≤{rng[1]:,}"
        elif d.get("bound") == "about" and claim.count is not None:
            n = f"~{claim.count:,}"
    else:
        n = "?"
    what = claim.category or "?"
    if d.get("subtype"):
        what += f"/{d['subtype']}"
    out = (claim.outcome or "no outcome").replace("_", " ")
    return f"{n} {what}: {out}"


def _esc(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def checks_to_markdown(checks: Sequence[ClaimCheck], *, include_context: bool = False) -> str:
    """A Markdown table: #, claim, claimed, observed, verdict, reason.

    Args:
        checks: From :func:`compare`.
        include_context: List context numbers as rows too (by default they are counted in a line
            under the table).
    """
    lines = [
        "| # | Claim | Claimed | Observed | Verdict | Reason |",
        "|---|---|---|---|---|---|",
    ]
    n_ctx = 0
    for i, ch in enumerate(checks, 1):
        c = ch.claim
        if ch.verdict == "context" and not include_context:
            n_ctx += 1
            continue
        d = c.data
        cid = d.get("id") or i
        who = []
        if d.get("claimant"):
            who.append(str(d["claimant"]))
        if d.get("qualifiers"):
            who.append(", ".join(d["qualifiers"]))
        text = (f"“{d['text']}”" if d.get("text") else _claimed_cell(c)) + (f" — {'; '.join(who)}" if who else "")
        claimed = (
            _claimed_cell(c)
            if ch.verdict != "context"
            else f"{d.get('number_text') or ''} ({d.get('context_kind') or 'context'})"
        )
        observed = ch.observed.get("summary", "") if ch.observed else "—"
        lines.append(
            f"| {cid} | {_esc(text)} | {_esc(claimed)} | {_esc(observed)} | {_esc(ch.verdict)} | {_esc(ch.reason)} |"
        )
    out = "\n".join(lines) + "\n"
    if n_ctx:
        out += (
            f"\n{n_ctx} context number{'s' if n_ctx != 1 else ''} (dates, durations, deployment sizes, ...) "
            f"{'was' if n_ctx == 1 else 'were'} not compared.\n"
        )
    return out


def checks_to_json(checks: Sequence[ClaimCheck]) -> dict[str, Any]:
    """The comparison as a JSON-ready dict: ``{"schema_version", "kind", "checks": [{"claim",
    "observed", "verdict", "reason"}, ...], "verdicts": {verdict: n}}`` (``claim`` as in claims.json)."""
    items = []
    counts: dict[str, int] = {}
    for i, ch in enumerate(checks, 1):
        cj = claim_to_json(ch.claim, ch.claim.data.get("id") or i)
        items.append({"claim": cj, "observed": ch.observed, "verdict": ch.verdict, "reason": ch.reason})
        counts[ch.verdict] = counts.get(ch.verdict, 0) + 1
    return {
        "schema_version": CHECKS_SCHEMA_VERSION,
        "kind": "vidtools-claim-checks",
        "verdicts": counts,
        "checks": items,
    }


def write_checks(
    checks: Sequence[ClaimCheck], out_dir: str | os.PathLike[str], *, stem: str = "claims_check"
) -> dict[str, Path]:
    """Write ``<stem>.md`` and ``<stem>.json`` into ``out_dir`` (created if needed), atomically.

    Returns:
        ``{"markdown": path, "json": path}``.
    """
    d = Path(out_dir)
    md, js = d / f"{stem}.md", d / f"{stem}.json"
    atomic_write_text(md, checks_to_markdown(checks))
    atomic_write_text(js, json.dumps(checks_to_json(checks), indent=2, ensure_ascii=False) + "\n")
    return {"markdown": md, "json": js}
