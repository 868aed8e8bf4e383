"""Claims: read the figures of a text, tell claims from background, set them beside the footage.

A user has a text (a unit's post, the General Staff's daily losses list, a ministry statement,
wire copy, a milblogger's post) and the reports of analysed clips. :func:`extract_claims` reads
every number of the text into a typed :class:`Claim`; :func:`save_claims` writes them to
``claims.json`` for review; :func:`load_claims` reads (and validates) that file; :func:`compare`
says, claim by claim, what the footage does and does not show. The extractor is rule-based (word
lists, a lexicon data file, regular expressions; ``text2num`` for number words; no model, no
network): review ``claims.json`` before you rely on it.

Modules: ``lexicon`` (+ ``lexicon.yaml``: equipment names and jargon -> categories), ``text``
(headline, captions, list lines, sentences), ``numbers``, ``phrases`` (subjects, outcome words),
``cues`` (background cues), ``claimants``, ``extract`` (the stages), ``schema`` (claims.json +
``claims.schema.json``), ``compare``, ``format`` (the one way a claim is written for people), and
``model`` (the typed values). Markdown rendering is in :mod:`vidtools.report.claims_markdown`.

What is read
------------

* **Numbers**: digits ("10,000", "1 200", "1.5 million"), number words ("twenty-five", "a hundred
  and twenty", "a dozen", "half a dozen"), bounds ("over", "at least", "up to", "about", "fewer
  than"), ranges ("10-15", "between 20 and 30", "two or three"), vague amounts ("several" 3+,
  "dozens" 24+, "hundreds" 200+), "a couple of" (~2), "a"/"an"/"another" as a list item or with an
  outcome ("a tank was hit"), "both", negations ("no", "not a single", "none of the", "nobody":
  count 0, ``negated``). Identifiers ("T-72", "47th", "Su-24", "24.02.22", the "2" of "Leopard 2")
  are not numbers, nor are "one by one", "both X and Y", "using just one drone", "a direct hit of a
  Lancet" (the weapon), or "no reports of casualties" (nothing said to be zero).
* **Formats**: "category — N (+k)" daily lists (the (+k) is the claim, the large figure a
  cumulative total), "category: N", "N category" list lines under a header ("Hit:", "Losses of
  the occupiers ...:"), inline lists ("lost: personnel — about 1,280; tanks — 19"), ministry
  statements ("losses amounted to up to 210 servicemen, a tank, ...", "the losses of the Ukrainian
  armed forces amounted to up to 140"), inline daily changes ("destroyed 8,860 tanks (+14 in the
  past day), 17,438 (+42) armored fighting vehicles": the figures of such a list without a change
  are totals), breakdowns by place ("11 drones were shot down over the Belgorod Region, 28 over the
  Voronezh Region": 28 takes the noun and verb left out), a figure restating its clause after a dash
  ("– 60 in total"), wire copy with several attributed claims, unit posts, captions, and a headline
  pasted above its article.
* **Categories** (the detection taxonomy's names): personnel, armored_vehicle, vehicle, artillery,
  air_defense, aircraft (helicopters, drones, UAVs) and other (ships, missiles, depots, positions,
  "pieces of equipment"), from the lexicon. A phrase's last category word decides ("HIMARS
  projectiles" -> other); generic words keep the one before them ("Pantsir-S1 systems").
* **Outcomes** (:data:`OUTCOMES`; never stronger than the text): the rules are in
  :mod:`vidtools.claims.phrases` ("eliminated" in a losses list is killed_or_injured for people,
  "minus two tanks" is lost, "caught fire" is damaged, "destroyed or damaged" is damaged). An item
  takes its own passive ("were hit"), an adjective in its phrase ("five destroyed BMP-3s"), the verb
  before it ("destroyed three tanks"), or a participle after it ("30 killed"); the items of a list
  share the list's verb; list lines share their header's. Outcome nouns count people ("four deaths",
  "26 injuries"); an outcome may stand apart ("a child was among them", "four employees among those
  injured", "Two others, including a child, suffered wounds", "58 of which it was able to shoot
  down"). Aerial targets read "intercepted and destroyed", "neutralised" and "repelled" as shot down.
* **Claim or background**: each number carries the :class:`Cue` that decided (:data:`CLAIM_CUES`,
  :data:`BACKGROUND_CUES`). A time scope longer than the event ("since August", "so far", "last
  year", "in recent weeks", "on average in November", "this year"), a cumulative total ("in total
  since 24.02.2022", the figure before "(+k)"), another event ("a year ago", "previously"), a
  deployment, strength or supply figure ("has deployed over 10,000 troops", "1,500-strong",
  "received 39 HIMARS", "plans to buy"), a date or a measure make a background figure. A cue
  opening a sentence covers the sentence; otherwise it covers its clause. Deployment cues never
  override an outcome ("has deployed ... and destroyed three tanks") nor a purpose in the event
  ("sent 550 troops to cross the river"). A date range longer than a day ("between January 8 and
  15"), "as of <date>", "a month of fighting", "in week", "credited with" and "comes days after" are
  cues too; "in total" alone is a day's total in a report of one day or night; "Earlier, ..." and
  "As Ukrinform reported, ..." open another event. A sentence pointing back ("During this period
  Russia also lost", "In addition, ...") carries the scope of a previous sentence whose figures were
  all background; a figure restating a background total is background, and so are the rest of its
  list and its parts ("624 of which").
* **Claimants**: see :mod:`vidtools.claims.claimants` (none rather than a wrong one).
* **References back and repeats**: "the tank was hit", "the BTR was finished off" (the earlier
  claim takes the stronger outcome and the new span), "the third was damaged", "the other tank was
  captured" (one more claim of the earlier kind), "both systems were destroyed", "one of the
  tanks", "the rest were burned" (the earlier figure less the ones accounted for), "47 others",
  "two were destroyed". A figure repeated in headline, caption and body is one claim with several
  spans (``Claim.repeats``); so is the same figure of the same kind told again in the body by the
  same claimant (a paraphrase and its quote), unless the two sentences name different places, are
  two lists with little in common, or say "destroyed" and "damaged" (two groups).
* **Hedges** (:data:`QUALIFIERS`): "claimed", "allegedly", "reportedly", "estimated",
  "preliminary", and "could not be verified" (also for the claims before a stand-alone disclaimer).

Measured on real published texts (``tests/data/claims/real``, ``python bench/claims_eval.py --set
real``) beside the hand-written corpus; the tests enforce the targets on both.

Command line (wired in ``vidtools.cli``)::

    vidtools claims post.txt -o claims.json [--lexicon my.yaml]
    vidtools compare OUT1 OUT2 --claims claims.json -o DIR
"""

from vidtools.claims.compare import SUBTYPE_CLASSES, VERDICTS, compare
from vidtools.claims.extract import extract_claims, extract_claims_from_file, read_text
from vidtools.claims.format import claim_source, claimed_text
from vidtools.claims.lexicon import Lexicon, default_lexicon, load_lexicon
from vidtools.claims.model import (
    BACKGROUND_CUES,
    BOUNDS,
    CASUALTY_OUTCOMES,
    CLAIM_CUES,
    OUTCOMES,
    QUALIFIERS,
    STRIKE_OUTCOMES,
    Claim,
    ClaimCheck,
    Cue,
    Observed,
)
from vidtools.claims.schema import (
    CHECKS_SCHEMA_VERSION,
    CLAIMS_SCHEMA_VERSION,
    checks_from_json,
    checks_to_json,
    claim_to_json,
    claims_from_json,
    claims_json_schema,
    claims_to_json,
    load_claims,
    save_claims,
)

__all__ = [
    "BACKGROUND_CUES",
    "BOUNDS",
    "CASUALTY_OUTCOMES",
    "CHECKS_SCHEMA_VERSION",
    "CLAIMS_SCHEMA_VERSION",
    "CLAIM_CUES",
    "OUTCOMES",
    "QUALIFIERS",
    "STRIKE_OUTCOMES",
    "SUBTYPE_CLASSES",
    "VERDICTS",
    "Claim",
    "ClaimCheck",
    "Cue",
    "Lexicon",
    "Observed",
    "checks_from_json",
    "checks_to_json",
    "claim_source",
    "claim_to_json",
    "claimed_text",
    "claims_from_json",
    "claims_json_schema",
    "claims_to_json",
    "compare",
    "default_lexicon",
    "extract_claims",
    "extract_claims_from_file",
    "load_claims",
    "load_lexicon",
    "read_text",
    "save_claims",
]
