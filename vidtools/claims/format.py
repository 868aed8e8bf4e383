"""The one way a claim is written for people: used by the HTML report, the Markdown table and the
comparison reasons alike ("~1,280 personnel lost", "2 armored vehicles (tank) destroyed")."""

from __future__ import annotations

from vidtools.claims.model import Claim

_NOUNS: dict[str, tuple[str, str]] = {
    "personnel": ("person", "persons"),
    "vehicle": ("vehicle", "vehicles"),
    "armored_vehicle": ("armored vehicle", "armored vehicles"),
    "artillery": ("artillery piece", "artillery pieces"),
    "air_defense": ("air defense system", "air defense systems"),
    "aircraft": ("aircraft", "aircraft"),
    "other": ("other target", "other targets"),
    "car": ("car", "cars"),
    "truck": ("truck", "trucks"),
    "pickup": ("pickup", "pickups"),
    "bus": ("bus", "buses"),
    "motorcycle": ("motorcycle", "motorcycles"),
    "atv": ("ATV", "ATVs"),
    "van": ("van", "vans"),
    "tank": ("tank", "tanks"),
    "apc": ("APC", "APCs"),
    "ifv": ("IFV", "IFVs"),
    "mrap": ("MRAP", "MRAPs"),
    "spg": ("self-propelled gun", "self-propelled guns"),
    "howitzer": ("howitzer", "howitzers"),
    "mlrs": ("MLRS", "MLRS"),
    "mortar": ("mortar", "mortars"),
    "helicopter": ("helicopter", "helicopters"),
    "plane": ("plane", "planes"),
    "uav": ("drone", "drones"),
    "civilian": ("civilian", "civilians"),
}
_PREFIX = {"about": "~", "at_least": "≥", "more_than": ">", "at_most": "≤", "fewer_than": "<"}


def noun(key: str | None, n: int) -> str:
    """The plain word for a category or subtype, singular when ``n == 1``."""
    sing, plur = _NOUNS.get(key or "", (key or "objects", key or "objects"))
    return sing if n == 1 else plur


def figure(claim: Claim) -> str:
    """The figure alone: "12", "~1,280", "≥300", "10–15", "24+", "0 (none)", "?"."""
    if claim.negated:
        return "0 (none)"
    if claim.bound == "range" and claim.count_low is not None and claim.count_high is not None:
        return f"{claim.count_low:,}–{claim.count_high:,}"
    if claim.bound == "vague" and claim.count_low is not None:
        return f"{claim.count_low:,}+"
    if claim.count is not None:
        return f"{_PREFIX.get(claim.bound, '')}{claim.count:,}"
    rng = claim.range()
    if rng is None:
        return "?"
    lo, hi = rng
    return f"≥{lo:,}" if hi is None else (f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}")


def claimed_text(claim: Claim) -> str:
    """What a claim says, in one line: "2 armored vehicles (tank) destroyed", "~1,280 persons lost",
    "3 vehicles (truck): no outcome"; a background figure shows its cue ("430,790: cumulative total")."""
    if claim.background:
        return f"{claim.number_text or figure(claim)}: {claim.cue.kind.replace('_', ' ')}"
    return claimed_words(claim) + (f" {claim.outcome.replace('_', ' ')}" if claim.outcome else ": no outcome")


def claimed_words(claim: Claim) -> str:
    """The figure and what it counts: "2 armored vehicles (tank)", "about 40 persons" style, without the outcome."""
    n = claim.count if claim.count is not None else (claim.count_low or 0)
    what = noun(claim.category, 1 if n == 1 and not claim.negated else 2) if claim.category else "?"
    if claim.subtype:
        what += f" ({claim.subtype})"
    return f"{figure(claim)} {what}"


def claim_source(claim: Claim) -> str:
    """Who says it and how hedged: "brigade; claimed, unverified" ("" when the text says neither)."""
    parts = [claim.claimant] if claim.claimant else []
    if claim.qualifiers:
        parts.append(", ".join(claim.qualifiers))
    return "; ".join(parts)
