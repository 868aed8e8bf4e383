"""compare(): claims beside report metas (hand-made metas in the shape the pipeline writes)."""

from __future__ import annotations

from typing import Any

import pytest

from vidtools.claims import VERDICTS, Claim, compare, extract_claims
from vidtools.errors import ReportError, UsageError

COCO = ["person", "bicycle", "car", "motorcycle", "bus", "truck", "boat", "dog"]
COCO_DET = {"personnel": ["person"], "vehicle": ["bicycle", "bus", "car", "motorcycle", "truck"], "armored_vehicle": [],
            "artillery": [], "air_defense": [], "aircraft": []}  # fmt: skip


def strike(target: tuple[str, str] | None = None, persons: int = 0, index: int = 0) -> dict[str, Any]:
    return {
        "index": index, "shot": index, "kind": "signal_loss", "t_s": 10.0 * index, "duration_s": 0.8,
        "terminal": {"start_t_s": 10.0 * index - 2, "end_t_s": 10.0 * index,
                     "counts": {"personnel": {"max": persons, "mean": persons / 2}}},
        "target": None if target is None else {"class": target[0], "category": target[1], "conf": 0.71},
    }  # fmt: skip


def uc(low: int, high: int, est: int) -> dict[str, Any]:
    return {"low": low, "high": high, "estimate": est, "explanation": "test"}


def meta(path: str = "clip.mp4", strikes: list[dict[str, Any]] | None = None, *, tracked: bool = True,
         classes: list[str] | None = None, detectable: dict[str, list[str]] | None = None,
         cat_max: dict[str, int] | None = None) -> dict[str, Any]:  # fmt: skip
    cat_max = cat_max or {"personnel": 4, "vehicle": 2}
    class_max = {"person": 4, "car": 2}
    clip_uc: dict[str, Any] = {"personnel": uc(4, 9, 6), "vehicle": uc(2, 3, 2)}
    class_uc: dict[str, Any] = {"person": uc(4, 9, 6), "car": uc(2, 2, 2)}
    if not tracked:
        clip_uc = {k: {"low": v, "high": None, "estimate": None} for k, v in cat_max.items()}
        class_uc = {k: {"low": v, "high": None, "estimate": None} for k, v in class_max.items()}
    return {
        "video": {"path": path, "duration_s": 60.0},
        "taxonomy": {"detectable": detectable or COCO_DET},
        "model_classes": classes or COCO,
        "summary": {"categories": {k: {"max": v} for k, v in cat_max.items()},
                    "classes": {k: {"max": v} for k, v in class_max.items()}},
        "unique_counts": {"available": tracked, "clip": clip_uc, "classes": class_uc},
        "strikes": strikes or [],
    }  # fmt: skip


def one(text: str) -> Claim:
    (c,) = [c for c in extract_claims(text) if not c.background]
    return c


def test_background_figures_are_never_compared() -> None:
    reports = [meta(strikes=[strike(("car", "vehicle"))])]
    claims = extract_claims("Since August the brigade has hit 40 cars. Russia has deployed 300 trucks. Two cars were hit.")
    checks = compare(reports, claims)
    assert [ch.verdict for ch in checks] == ["background", "background", "footage shows fewer"]
    assert checks[0].observed is None and "time scope ('Since')" in checks[0].reason
    assert checks[1].observed is None and "deployment" in checks[1].reason


def test_casualties_are_not_verifiable_but_persons_are_reported() -> None:
    reports = [meta("a.mp4", [strike(("person", "personnel"), 3), strike(None, 2, 1)]), meta("b.mp4", [strike(("person", "personnel"), 1)])]
    for text in ("Drones killed 50 soldiers.", "30 were killed or injured.", "Five soldiers were taken prisoner.",
                 "The brigade lost 12 servicemen."):  # fmt: skip
        (ch,) = compare(reports, [one(text)])
        assert ch.verdict == "not verifiable from video"
        assert ch.observed is not None and ch.observed.persons_in_terminal_windows == 6 and ch.observed.strikes == 3
        assert "6 persons visible in the terminal seconds of 3 of 3 strikes" in ch.reason


@pytest.mark.parametrize(
    ("text", "category"),
    [("Two Pantsir systems were hit.", "air_defense"), ("A D-30 howitzer was destroyed.", "artillery"),
     ("Three tanks were hit.", "armored_vehicle"), ("Air defence shot down 12 drones.", "aircraft")],
)  # fmt: skip
def test_new_categories_are_not_observable_with_a_coco_model(text: str, category: str) -> None:
    (ch,) = compare([meta(strikes=[strike(("car", "vehicle"))])], [one(text)])
    assert ch.claim.category == category
    assert ch.verdict == "not observable with this model"
    assert "cannot detect" in ch.reason or "no class for" in ch.reason


def test_other_targets_are_not_counted() -> None:
    (ch,) = compare([meta()], [one("Drones hit three ammunition depots.")])
    assert ch.claim.category == "other" and ch.verdict == "not observable with this model"
    assert "is not something vidtools counts" in ch.reason


def test_custom_model_with_the_new_categories() -> None:
    det = {"personnel": ["person"], "vehicle": ["car", "truck"], "armored_vehicle": ["tank", "apc"],
           "artillery": ["howitzer"], "air_defense": [], "aircraft": ["helicopter", "drone"]}  # fmt: skip
    classes = ["person", "car", "truck", "tank", "apc", "howitzer", "helicopter", "drone"]
    clip = meta("m.mp4", [strike(("howitzer", "artillery")), strike(("tank", "armored_vehicle"), index=1),
                          strike(("drone", "aircraft"), index=2)], classes=classes, detectable=det)  # fmt: skip
    art, tank, drone, heli = compare([clip], [one("A D-30 howitzer was hit."), one("Two tanks were destroyed."),
                                              one("A Lancet drone was shot down."), one("A Ka-52 helicopter was shot down.")])  # fmt: skip
    assert (art.verdict, art.observed.strikes_on_target if art.observed else None) == ("consistent", 1)
    assert tank.verdict == "footage shows fewer" and tank.observed is not None and tank.observed.classes == ("tank",)
    assert drone.verdict == "consistent"
    assert heli.verdict == "footage shows fewer" and heli.observed is not None and heli.observed.strikes_on_target == 0


def test_strike_claims_fewer_consistent_more() -> None:
    reports = [meta("a.mp4", [strike(("car", "vehicle")), strike(("car", "vehicle"), index=1)]),
               meta("b.mp4", [strike(("truck", "vehicle")), strike(("car", "vehicle"), index=1)])]  # fmt: skip
    fewer, consistent, more, ranged = compare(
        reports, [one("Five vehicles were destroyed."), one("Four vehicles were hit."), one("Two cars were hit."),
                  one("Between 3 and 5 cars were struck.")])  # fmt: skip
    assert fewer.verdict == "footage shows fewer"
    assert fewer.reason == ("4 strikes on vehicles are visible; the claim says 5 vehicles; the footage may not include every "
                            "strike. Video shows strikes, not whether a target was destroyed.")  # fmt: skip
    assert consistent.verdict == "consistent"
    assert more.verdict == "footage shows more" and "struck more than once" in more.reason
    assert ranged.verdict == "consistent" and ranged.observed is not None
    assert [c["strikes_on_target"] for c in ranged.observed.per_clip] == [2, 1]


def test_negated_and_presence_claims() -> None:
    hit = [meta(strikes=[strike(("truck", "vehicle"))])]
    claim = one("No trucks were hit.")
    assert compare(hit, [claim])[0].verdict == "footage shows more"
    assert compare([meta(strikes=[strike(("person", "personnel"))])], [claim])[0].verdict == "consistent"
    reports = [meta("a.mp4"), meta("b.mp4")]  # personnel 4..9 per clip -> 8..18
    within, above, below = compare(reports, [one("Some 12 soldiers were seen."), one("Over 50 soldiers were spotted."),
                                             one("Five soldiers were seen.")])  # fmt: skip
    assert (within.verdict, above.verdict, below.verdict) == ("consistent", "footage shows fewer", "footage shows more")
    assert within.observed is not None and (within.observed.distinct_low, within.observed.distinct_high) == (8, 18)
    off = compare([meta(tracked=False, cat_max={"personnel": 3})], [one("A column of 300 troops moved in.")])[0]
    assert off.verdict == "consistent" and "tracking was off" in off.reason


def test_every_verdict_is_reachable_and_inputs_are_checked() -> None:
    reports = [meta(strikes=[strike(("car", "vehicle"))])]
    text = ("Two cars were hit. One car was hit. No cars were hit. Five soldiers were killed. Three tanks were hit. "
            "Since May 40 cars were hit.")  # fmt: skip
    assert {ch.verdict for ch in compare(reports, extract_claims(text))} == set(VERDICTS)
    with pytest.raises(UsageError):
        compare([], [])
    with pytest.raises(ReportError, match="neither 'taxonomy.detectable' nor 'model_classes'"):
        compare([{"video": {"path": "x"}}], [one("Two cars were hit.")])
    with pytest.raises(TypeError):
        compare([42], [])  # type: ignore[list-item]
