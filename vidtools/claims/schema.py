"""claims.json: the schema (``claims.schema.json`` beside this module), reading, writing, and the
JSON form of a comparison.

A claims.json is meant to be reviewed and edited by hand. Only ``category``, ``outcome`` and
``count`` are required in a claim; every other field has a default. ``cue.kind`` marks a number as
a claim (``outcome``, ``daily_change``, ``presence``; the default) or a background figure
(``cumulative_total``, ``time_scope``, ``other_event``, ``deployment``, ``date``, ``measure``,
``unrelated``), which ``compare`` never sets beside the footage. ``background`` is written for
readers and must agree with ``cue.kind`` when given. Spans are ``[start, end]`` character offsets
(code points, end exclusive) into the source text as read (UTF-8, a byte-order mark removed).

Bounds: ``exact``; ``about`` (N +-10 %, at least +-1); ``at_least``; ``more_than`` (low N+1);
``at_most``; ``fewer_than`` (high N-1); ``range`` (low and high); ``vague`` (low only, "dozens" =
24+). When you fix a figure by hand, either change ``count`` of an ``exact`` claim or set
``count_low``/``count_high`` (the comparison uses them when either is set).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from vidtools.claims.model import BACKGROUND_CUES, Claim, ClaimCheck, Cue, Observed
from vidtools.errors import ClaimsError
from vidtools.io import atomic_write_text

CLAIMS_SCHEMA_VERSION = "2.0"
"""Version of the claims.json schema written by :func:`save_claims` (major 2: categories of issue 11,
``cue`` instead of ``context``)."""
CHECKS_SCHEMA_VERSION = "2.0"
"""Version of the comparison JSON written by :func:`checks_to_json`."""


@functools.lru_cache(maxsize=1)
def claims_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of claims.json, as shipped with the package."""
    return json.loads(resources.files("vidtools.claims").joinpath("claims.schema.json").read_text(encoding="utf-8"))


def _span(v: tuple[int, int] | None) -> list[int] | None:
    return None if v is None else [int(v[0]), int(v[1])]


def claim_to_json(claim: Claim, id: int | None = None) -> dict[str, Any]:
    """One claim as a claims.json object."""
    out: dict[str, Any] = {
        "id": id if id is not None else claim.id,
        "category": claim.category,
        "outcome": claim.outcome,
        "count": claim.count,
        "count_low": claim.count_low,
        "count_high": claim.count_high,
        "bound": claim.bound,
        "negated": claim.negated,
        "background": claim.background,
        "cue": {"kind": claim.cue.kind, "text": claim.cue.text, "span": _span(claim.cue.span)},
        "subtype": claim.subtype,
        "equipment": claim.equipment,
        "subject": claim.subject,
        "claimant": claim.claimant,
        "qualifiers": list(claim.qualifiers),
        "text": claim.text,
        "span": _span(claim.span),
        "number_text": claim.number_text,
        "number_span": _span(claim.number_span),
        "outcome_text": claim.outcome_text,
        "repeats": [_span(s) for s in claim.repeats],
        "sentence_span": _span(claim.sentence_span),
    }
    if claim.note is not None:
        out["note"] = claim.note
    return out


def claims_to_json(
    claims: Sequence[Claim],
    *,
    source_path: str | os.PathLike[str] | None = None,
    source_text: str | None = None,
    lexicon_sources: Sequence[str] = (),
) -> dict[str, Any]:
    """The content of a claims.json file.

    Args:
        claims: Claims, e.g. from :func:`vidtools.claims.extract_claims`.
        source_path: Path of the text they came from (recorded under ``source``).
        source_text: The text itself: its sha256 and length are recorded, not the text.
        lexicon_sources: Where the lexicon came from (``Lexicon.sources``), recorded when given.
    """
    source = None
    if source_path is not None or source_text is not None:
        source = {
            "path": None if source_path is None else str(source_path),
            "sha256": None if source_text is None else hashlib.sha256(source_text.encode("utf-8")).hexdigest(),
            "n_chars": None if source_text is None else len(source_text),
        }
    doc: dict[str, Any] = {"schema_version": CLAIMS_SCHEMA_VERSION, "kind": "vidtools-claims", "source": source}
    if lexicon_sources:
        doc["lexicon"] = list(lexicon_sources)
    doc["claims"] = [claim_to_json(c, i) for i, c in enumerate(claims, 1)]
    return doc


def save_claims(
    claims: Sequence[Claim],
    path: str | os.PathLike[str],
    *,
    source_path: str | os.PathLike[str] | None = None,
    source_text: str | None = None,
    lexicon_sources: Sequence[str] = (),
) -> Path:
    """Write claims.json atomically (a temporary file in the same folder, then a rename).

    Returns:
        The path written.
    """
    p = Path(path)
    doc = claims_to_json(claims, source_path=source_path, source_text=source_text, lexicon_sources=lexicon_sources)
    atomic_write_text(p, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return p


def load_claims(path: str | os.PathLike[str]) -> list[Claim]:
    """Read and validate a (possibly hand-edited) claims.json.

    Raises:
        ClaimsError: missing file, invalid JSON, or a field that breaks the schema; the message
            names the file, the claim and the field ("claims.json: claim 3: 'count': -3 is less
            than the minimum of 0").
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


def _schema_error(doc: Any, name: str) -> str | None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(claims_json_schema())
    err = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if err is None:
        return None
    path = list(err.absolute_path)
    where = name
    if len(path) >= 2 and path[0] == "claims":
        where += f": claim {int(path[1]) + 1}"
        path = path[2:]
    field = ".".join(str(x) for x in path)
    if err.validator == "additionalProperties":
        return f"{where}: {err.message}; allowed fields are listed in vidtools/claims/claims.schema.json"
    if err.validator == "required":
        return f"{where}: {err.message} (use null when unknown)"
    return f"{where}: {field + ': ' if field else ''}{err.message}"


def claims_from_json(doc: Any, name: str = "claims.json") -> list[Claim]:
    """Validate a parsed claims.json document and turn it into claims.

    Args:
        doc: The parsed JSON.
        name: How error messages name the document (usually its path).

    Raises:
        ClaimsError: the document breaks the schema.
    """
    if isinstance(doc, dict) and isinstance(doc.get("schema_version"), str) and not doc["schema_version"].startswith("2."):
        raise ClaimsError(
            f"{name}: schema_version {doc['schema_version']!r} is not supported (this vidtools reads "
            f"{CLAIMS_SCHEMA_VERSION}); re-run 'vidtools claims' on the text, or set \"schema_version\": "
            f"\"{CLAIMS_SCHEMA_VERSION}\" after checking the fields against vidtools/claims/claims.schema.json"
        )
    msg = _schema_error(doc, name)
    if msg is not None:
        raise ClaimsError(msg)
    return [_claim_from_obj(obj, f"{name}: claim {i}", i) for i, obj in enumerate(doc["claims"], 1)]


def _tuple_span(v: list[int] | None, where: str, key: str) -> tuple[int, int] | None:
    if v is None:
        return None
    if v[0] > v[1]:
        raise ClaimsError(f"{where}: {key!r} must be [start, end] with start <= end")
    return int(v[0]), int(v[1])


def _claim_from_obj(obj: Mapping[str, Any], where: str, position: int) -> Claim:
    count, low, high = obj["count"], obj.get("count_low"), obj.get("count_high")
    bound = obj.get("bound", "exact")
    if low is not None and high is not None and low > high:
        raise ClaimsError(f"{where}: 'count_low' ({low}) is greater than 'count_high' ({high})")
    if bound == "exact" and count is not None and (low, high) not in ((None, None), (count, count)):
        raise ClaimsError(
            f"{where}: 'bound' is 'exact' but count_low/count_high ({low}, {high}) differ from 'count' ({count}); "
            "set them to null or change 'bound'"
        )
    if bound == "range" and (low is None or high is None):
        raise ClaimsError(f"{where}: a 'range' claim needs both 'count_low' and 'count_high'")
    negated = obj.get("negated", False)
    if negated and count not in (0, None):
        raise ClaimsError(f"{where}: a negated claim ('no ... were hit') must have 'count' 0")
    cue_obj = obj.get("cue") or {"kind": "outcome" if obj["outcome"] else "presence"}
    cue = Cue(cue_obj["kind"], cue_obj.get("text", ""), _tuple_span(cue_obj.get("span"), where, "cue.span"))
    if "background" in obj and obj["background"] != cue.background:
        kinds = ", ".join(BACKGROUND_CUES)
        raise ClaimsError(
            f"{where}: 'background' is {str(obj['background']).lower()} but cue.kind is {cue.kind!r}; "
            f"to mark a background figure set cue.kind to one of {kinds}"
        )
    return Claim(
        id=obj.get("id") if obj.get("id") is not None else position,
        category=obj["category"],
        outcome=obj["outcome"],
        count=count,
        count_low=low,
        count_high=high,
        bound=bound,
        negated=negated,
        cue=cue,
        subtype=obj.get("subtype"),
        equipment=obj.get("equipment"),
        subject=obj.get("subject"),
        claimant=obj.get("claimant"),
        qualifiers=tuple(obj.get("qualifiers", ())),
        text=obj.get("text", ""),
        span=_tuple_span(obj.get("span"), where, "span") or (0, 0),
        number_text=obj.get("number_text"),
        number_span=_tuple_span(obj.get("number_span"), where, "number_span"),
        outcome_text=obj.get("outcome_text"),
        repeats=tuple(s for s in (_tuple_span(r, where, "repeats") for r in obj.get("repeats", ())) if s is not None),
        sentence_span=_tuple_span(obj.get("sentence_span"), where, "sentence_span"),
        note=obj.get("note"),
    )


# --------------------------------------------------------------------------------------------
# comparison JSON
# --------------------------------------------------------------------------------------------


def checks_to_json(checks: Sequence[ClaimCheck]) -> dict[str, Any]:
    """A comparison as JSON: ``{"schema_version", "kind", "verdicts": {verdict: n}, "checks": [{"claim",
    "observed", "verdict", "reason"}, ...]}`` (``claim`` as in claims.json, ``observed`` null for
    background figures)."""
    items = []
    counts: dict[str, int] = {}
    for i, ch in enumerate(checks, 1):
        items.append({
            "claim": claim_to_json(ch.claim, ch.claim.id or i),
            "observed": ch.observed.to_dict() if ch.observed is not None else None,
            "verdict": ch.verdict,
            "reason": ch.reason,
        })  # fmt: skip
        counts[ch.verdict] = counts.get(ch.verdict, 0) + 1
    return {"schema_version": CHECKS_SCHEMA_VERSION, "kind": "vidtools-claim-checks", "verdicts": counts, "checks": items}


def checks_from_json(doc: Any, name: str = "comparison.json") -> list[ClaimCheck]:
    """Claim checks back from :func:`checks_to_json` (e.g. a saved ``comparison.json``).

    Raises:
        ClaimsError: not the JSON of a comparison.
    """
    if not isinstance(doc, Mapping) or doc.get("kind") != "vidtools-claim-checks" or not isinstance(doc.get("checks"), list):
        raise ClaimsError(f"{name}: not a vidtools comparison (expected kind 'vidtools-claim-checks' and a 'checks' list)")
    claims = claims_from_json(
        {"schema_version": CLAIMS_SCHEMA_VERSION, "claims": [it.get("claim") for it in doc["checks"]]}, name
    )
    out = []
    for c, it in zip(claims, doc["checks"], strict=True):
        ob = it.get("observed")
        observed = None
        if isinstance(ob, Mapping):
            dist = ob.get("distinct") or {}
            fields = {k: ob[k] for k in Observed.__dataclass_fields__ if k in ob and k not in ("classes", "per_clip")}
            observed = Observed(
                **fields,
                classes=tuple(ob.get("classes") or ()),
                per_clip=tuple(ob.get("per_clip") or ()),
                distinct_low=int(dist.get("low") or 0),
                distinct_high=dist.get("high"),
                distinct_estimate=dist.get("estimate"),
                tracked=bool(dist.get("tracked", True)),
            )
        out.append(ClaimCheck(c, observed, str(it.get("verdict", "")), str(it.get("reason", ""))))
    return out
