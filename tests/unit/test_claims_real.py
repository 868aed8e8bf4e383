"""Claims extraction on real published texts, and the rules those texts taught, one by one.

The texts in tests/data/claims/real are short excerpts of articles and statements published by
others (each JSON names its source URL and date); their expected claims were written by hand before
the extractor was run on them (tests/data/claims/real/README.md). The sentences in the rule tests
below were written here, in the styles of those texts.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from vidtools.claims import BACKGROUND_CUES, Claim, extract_claims

claims_eval = importlib.import_module("bench.claims_eval")
REAL = Path(__file__).resolve().parents[1] / "data" / "claims" / "real"


def claims_of(text: str) -> list[Claim]:
    return [c for c in extract_claims(text) if not c.background]


def rows(text: str) -> list[tuple[str | None, str | None, int | None]]:
    return [(c.category, c.outcome, c.count) for c in claims_of(text)]


# --------------------------------------------------------------------------------------------
# The real texts (targets: recall and precision >= 90 %, at most 1 background error per ~40 texts)
# --------------------------------------------------------------------------------------------


def test_real_texts_meet_the_targets() -> None:
    scores = claims_eval.evaluate(claims_eval.vidtools_extractor(), folder=REAL)
    assert len(scores) >= 85 and {s.split for s in scores} == {"real1", "real2", "real3", "real4"}
    assert {"general_staff", "ministry", "wire", "unit_post", "analysis", "no_claim"} <= {s.style for s in scores}
    t = claims_eval.totals(scores)
    assert t.expected >= 300
    assert t.recall >= 0.90, claims_eval.report(scores, "real", per_text=False, misses=True)
    assert t.precision >= 0.90, claims_eval.report(scores, "real", per_text=False, misses=True)
    assert t.background_errors <= len(scores) // 38, claims_eval.report(scores, "real", per_text=False, misses=True)
    assert t.claimant_wrong <= 1


def test_real_texts_are_cited_excerpts() -> None:
    """Every real text names where it was published; excerpts stay short."""
    for txt in sorted(REAL.glob("*.txt")):
        doc = json.loads(txt.with_suffix(".json").read_text(encoding="utf-8"))
        assert doc["source"]["url"].startswith("http"), txt.name
        assert "date" in doc["source"] and doc["source"]["publisher"], txt.name
        assert 80 < len(txt.read_text(encoding="utf-8")) < 2500, txt.name


@pytest.mark.parametrize("path", sorted(REAL.glob("*.txt")), ids=lambda p: p.stem)
def test_spans_point_into_real_texts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for c in extract_claims(text):
        assert text[c.span[0] : c.span[1]] == c.text
        assert c.number_span is not None and c.number_text == text[c.number_span[0] : c.number_span[1]]
        assert c.background == (c.cue.kind in BACKGROUND_CUES)


# --------------------------------------------------------------------------------------------
# Rules the real texts taught
# --------------------------------------------------------------------------------------------


def test_breakdown_by_place_takes_the_noun_and_verb_left_out() -> None:
    text = ("Russia's defence ministry said its air defences shot down 30 Ukrainian drones overnight: 12 drones were "
            "shot down over the Kursk Region, 9 over the Bryansk Region and one each over the Oryol and Tula regions.")  # fmt: skip
    assert rows(text) == [("aircraft", "shot_down", 30), ("aircraft", "shot_down", 12), ("aircraft", "shot_down", 9),
                          ("aircraft", "shot_down", 1)]  # fmt: skip
    dash = "Most of the drones were shot down overnight over the Black Sea – 60 in total, the ministry said."
    assert rows(dash) == [("aircraft", "shot_down", 60)]  # a night's total, not a cumulative one
    assert claims_of("Most of the drones were shot down over the Black Sea – 60 in total, the ministry said.") == []


def test_a_period_carried_to_the_next_sentence() -> None:
    text = ("The General Staff said Russia has lost 1,000 tanks since the start of the full-scale invasion. During this "
            "period Russia also lost 2,000 armoured vehicles. In addition, the occupiers lost 300 helicopters.")  # fmt: skip
    got = extract_claims(text)
    assert [(c.count, c.cue.kind) for c in got if c.category] == [
        (1000, "cumulative_total"), (2000, "cumulative_total"), (300, "cumulative_total")]  # fmt: skip
    daily = "The General Staff said Russia has lost 1,000 tanks since the invasion. During the day, it also lost 4 tanks."
    assert rows(daily) == [("armored_vehicle", "lost", 4)]


def test_totals_of_one_day_are_claims_and_long_date_ranges_are_scopes() -> None:
    day = "Over the past day the brigade destroyed 12 tanks. The total number of Russian casualties reached 230, the brigade said."
    assert rows(day) == [("armored_vehicle", "destroyed", 12), ("personnel", "killed_or_injured", 230)]
    night = "Russia launched a total of 67 drones in an overnight attack, 58 of which the air force shot down."
    assert rows(night)[0] == ("aircraft", None, 67)
    span = "Between 24th February 2022 and 6th April 2023, Russia had lost 3,631 tanks."
    assert claims_of(span) == [] and extract_claims(span)[-1].cue.kind == "cumulative_total"


def test_inline_daily_changes() -> None:
    text = ("Ukraine's forces have destroyed 9,000 tanks (+6 in the past day), 18,000 (+20) armored fighting vehicles "
            "and 970 air defense systems.")  # fmt: skip
    assert rows(text) == [("armored_vehicle", "destroyed", 6), ("armored_vehicle", "destroyed", 20)]
    assert {c.count: c.cue.kind for c in extract_claims(text) if c.background} == {
        9000: "cumulative_total", 18000: "cumulative_total", 970: "cumulative_total"}  # fmt: skip


def test_a_figure_told_again_is_one_claim_with_the_most_specific_outcome() -> None:
    quote = ('The Russian Defence Ministry said it had destroyed 40 Ukrainian drones. "Air defence systems intercepted '
             'and destroyed 40 Ukrainian drones," the ministry said.')  # fmt: skip
    (c,) = claims_of(quote)
    assert (c.category, c.outcome, c.count, len(c.repeats)) == ("aircraft", "shot_down", 40, 1)
    two_groups = "The battalion destroyed two tanks near Robotyne and damaged two more near Verbove."
    assert rows(two_groups) == [("armored_vehicle", "destroyed", 2), ("armored_vehicle", "damaged", 2)]
    places = ("A missile wounded one civilian in Sumy, the prosecutor said.\n\n"
              "Shelling wounded one civilian in Beryslav on Friday evening.")  # fmt: skip
    assert rows(places) == [("personnel", "injured", 1), ("personnel", "injured", 1)]


def test_outcome_words_real_texts_use() -> None:
    assert rows("Officials reported at least four deaths and 17 injuries.") == [("personnel", "killed", 4), ("personnel", "injured", 17)]
    assert rows("Two men aged 34 and 52 were killed, the governor said. Four people were taken to hospital.") == [
        ("personnel", "killed", 2), ("personnel", "injured", 4)]  # fmt: skip
    assert rows("The defense ministry said its military took down 16 tanks and 250 Ukrainian troops.") == [
        ("armored_vehicle", "damaged", 16), ("personnel", "killed_or_injured", 250)]  # fmt: skip
    assert rows("More than 20 drones failed to reach their targets due to electronic warfare.") == [("aircraft", "lost", 20)]
    assert rows("Two Ukrainian drones headed for Moscow had been repelled, the mayor said.") == [("aircraft", "shot_down", 2)]
    assert rows("The video shows two Leopard tanks taking direct hits.") == [("armored_vehicle", "hit", 2)]


def test_no_claims_in_what_is_not_reported_or_not_counted() -> None:
    assert claims_of("There were no casualties reported, the governor said.") == []
    assert claims_of("There were no immediate reports of major damage or casualties.") == []
    assert [c.cue.kind for c in extract_claims("The strike left about 2,000 residents without power.")] == ["unrelated"]
    assert claims_of("No damage was reported by both military and civilian authorities.") == []
    assert claims_of("The SSU said it was still assessing whether the refinery had been damaged.") == []
    earlier = extract_claims("Earlier, drones destroyed four tanks near Bakhmut.")
    assert [(c.count, c.cue.kind) for c in earlier] == [(4, "other_event")]


def test_parts_and_restatements_of_a_background_total_are_background() -> None:
    text = ("Russia has lost more than 900 tanks since the invasion began. Russia is now confirmed to have lost "
            "more than 900 tanks, 600 of which were destroyed.")  # fmt: skip
    assert claims_of(text) == []


def test_the_whole_named_again_and_hyphen_compounds() -> None:
    assert rows("Of the 50 drones, 41 were shot down and nine were lost, the air force said.") == [
        ("aircraft", None, 50), ("aircraft", "shot_down", 41), ("aircraft", "lost", 9)]  # fmt: skip
    assert rows("Russia launched a 40-drone attack overnight, the air force said.") == [("aircraft", None, 40)]
    assert rows("Forbes counted at least seven T-72 and T-80 tanks, 17 BMPs and seven MT-LB armored tractors destroyed.")[1:] == [
        ("armored_vehicle", "destroyed", 17), ("armored_vehicle", "destroyed", 7)]  # fmt: skip


def test_weekly_results_earlier_reports_losses_and_agents() -> None:
    week = "Between January 8 and 15, UAV units hit 65 armored combat vehicles and 33 guns."
    assert claims_of(week) == [] and {c.cue.kind for c in extract_claims(week) if c.category} == {"time_scope"}
    earlier = extract_claims("As Ukrinform reported, soldiers of the regiment destroyed two tanks.")
    assert [(c.count, c.cue.kind) for c in earlier] == [(2, "other_event")]
    losses = "Ukrainian forces suffered heavy losses, including more than 200 servicemen and dozens of vehicles, the ministry said."
    assert rows(losses) == [("personnel", "lost", 200), ("vehicle", "lost", None)]
    agent = "Military intelligence said one of its naval drones had destroyed a Russian helicopter and damaged another one."
    assert rows(agent) == [("aircraft", "destroyed", 1), ("aircraft", "damaged", 1)]
    assert rows("The ministry said 50 Ukrainian servicemen had been killed and injured.") == [("personnel", "killed_or_injured", 50)]
    assert [c.cue.kind for c in extract_claims("Ukraine had between five and 20 of the drones in service.")] == ["deployment"]
    (c,) = claims_of("The Khortytsia group announced this on Telegram and shared footage: our defenders shot down three Zala UAVs.")
    assert c.claimant == "Khortytsia group"
