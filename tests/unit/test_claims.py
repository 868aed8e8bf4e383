"""Claims: extraction from text, claims.json, comparison with report metas.

Every text here was written for these tests in the style of military press releases and news
reports; none is copied from a published article.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from vidtools.claims import (
    CLAIMS_SCHEMA_VERSION,
    VERDICTS,
    checks_to_json,
    checks_to_markdown,
    claim_range,
    claims_from_json,
    claims_to_json,
    compare,
    extract_claims,
    extract_claims_from_file,
    load_claims,
    save_claims,
    write_checks,
)
from vidtools.errors import ClaimsError, ReportError, UsageError
from vidtools.types import Claim, ClipReport

DATA = Path(__file__).resolve().parents[1] / "data" / "claims"

CANONICAL = (
    "Drone operators of the brigade killed 50 soldiers and injured 47 others; two armored vehicles, "
    "two cars and one all-terrain vehicle were also hit."
)


def rows(text: str) -> list[tuple[Any, ...]]:
    """(category, subtype, outcome, count, low, high, bound, negated, qualifiers, claimant,
    context_kind, phrase) per claim; also checks every span against the text."""
    out = []
    for c in extract_claims(text):
        d = c.data
        check_spans(text, c)
        assert d["context"] == (d["context_kind"] is not None)
        out.append(
            (
                c.category,
                d["subtype"],
                c.outcome,
                c.count,
                d["count_low"],
                d["count_high"],
                d["bound"],
                d["negated"],
                tuple(d["qualifiers"]),
                d["claimant"],
                d["context_kind"],
                text[c.text_span[0] : c.text_span[1]],
            )
        )
    return out


def check_spans(text: str, c: Claim) -> None:
    d = c.data
    assert text[c.text_span[0] : c.text_span[1]] == d["text"]
    ns, ne = d["number_span"]
    assert text[ns:ne] == d["number_text"]
    ss, se = d["sentence_span"]
    assert text[ss:se] == d["sentence"]
    assert ss <= c.text_span[0] <= c.text_span[1] <= se
    assert c.text_span[0] <= ns <= ne <= c.text_span[1]


def R(cat, sub, out, n, phrase, *, lo=None, hi=None, bound="exact", neg=False, q=(), who=None, ctx=None):  # noqa: N802
    return (cat, sub, out, n, lo, hi, bound, neg, tuple(q), who, ctx, phrase)


def C(kind, n, phrase, *, lo=None, hi=None, bound="exact", q=(), who=None, cat=None):  # noqa: N802
    """A context number."""
    return (cat, None, None, n, lo, hi, bound, False, tuple(q), who, kind, phrase)


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


def test_canonical_example_gives_five_claims() -> None:
    assert rows(CANONICAL) == [
        R("personnel", None, "killed", 50, "killed 50 soldiers"),
        R("personnel", None, "injured", 47, "injured 47 others"),
        R("armored_vehicle", None, "hit", 2, "two armored vehicles"),
        R("vehicle", "car", "hit", 2, "two cars"),
        R("vehicle", "atv", "hit", 1, "one all-terrain vehicle were also hit"),
    ]
    claims = extract_claims(CANONICAL)
    assert [c.data["subject"] for c in claims] == [
        "soldiers",
        "others",
        "armored vehicles",
        "cars",
        "all-terrain vehicle",
    ]
    assert [c.data["number_text"] for c in claims] == ["50", "47", "two", "two", "one"]
    assert [c.data["outcome_text"] for c in claims] == ["killed", "injured", "hit", "hit", "hit"]
    assert {c.data["sentence"] for c in claims} == {CANONICAL}
    assert all(c.data["sentence_span"] == (0, len(CANONICAL)) for c in claims)


def test_press_release_fixture() -> None:
    path = DATA / "press_release.txt"
    text = path.read_text(encoding="utf-8")
    who = "brigade's press service"
    assert rows(text) == [
        C("date", None, "14 March 2024"),
        C("duration", 24, "24 hours"),
        R("personnel", None, "killed", 50, "killed 50 soldiers"),
        R("personnel", None, "injured", 47, "injured 47 others"),
        R("armored_vehicle", None, "hit", 2, "two armored vehicles"),
        R("vehicle", "car", "hit", 2, "two cars"),
        R("vehicle", "atv", "hit", 1, "one all-terrain vehicle were also hit"),
        R("armored_vehicle", "tank", "destroyed", 3, "destroyed three tanks", who=who),
        R("armored_vehicle", "ifv", "destroyed", 1, "a BMP-2 infantry fighting vehicle", who=who),
        R("vehicle", "truck", "destroyed", 12, "12 trucks", who=who),
        C("duration", 3, "over 3 days", lo=4, bound="more_than", who=who),
        C("deployment_size", 1500, "1,500-strong"),
        C("date", None, "9 March"),
        R("personnel", None, "injured", 0, "No Ukrainian servicemen were injured", neg=True),
    ]
    # the file reader gives the same claims
    assert [(c.category, c.outcome, c.count, c.text_span) for c in extract_claims_from_file(path)] == [
        (c.category, c.outcome, c.count, c.text_span) for c in extract_claims(text)
    ]


def test_news_report_fixture_several_claimants_hedges_and_disclaimer() -> None:
    text = (DATA / "news_report.txt").read_text(encoding="utf-8")
    mod = "Russia's Defence Ministry"
    bde = "Ukraine's 47th Brigade"
    u = "unverified"
    assert rows(text) == [
        C("date", None, "March 15", q=["claimed"], who=mod),
        R("personnel", None, "killed", None, "killed between 20 and 30 Ukrainian soldiers", lo=20, hi=30,
          bound="range", q=["claimed", u], who=mod),
        R("personnel", None, "present", None, "20-30 enemy infantry were seen", lo=20, hi=30, bound="range",
          q=[u], who=bde),
        R("vehicle", None, "hit", 0, "no vehicles were hit", neg=True, q=[u], who=bde),
        R("personnel", None, "killed", 12, "a dozen soldiers were allegedly killed", q=["alleged", u], who="brigade"),
        R("personnel", None, "injured", None, "dozens more wounded", lo=24, bound="vague", q=["alleged", u],
          who="brigade"),
        R("personnel", None, "killed_or_injured", 30, "30 people were killed or injured", q=[u],
          who="Local officials"),
        R("personnel", "civilian", "killed_or_injured", 4, "four civilians", q=[u], who="Local officials"),
        R("personnel", None, "present", 10000, "deployed over 10,000 troops", lo=10001, bound="more_than", q=[u],
          who="governor"),
    ]  # fmt: skip


def test_number_words() -> None:
    text = (
        "The battalion destroyed twenty-five trucks, a hundred and twenty cars, half a dozen buses and "
        "two thousand three hundred motorcycles. A couple of tanks were damaged. A dozen soldiers died."
    )
    assert rows(text) == [
        R("vehicle", "truck", "destroyed", 25, "destroyed twenty-five trucks"),
        R("vehicle", "car", "destroyed", 120, "a hundred and twenty cars"),
        R("vehicle", "bus", "destroyed", 6, "half a dozen buses"),
        R("vehicle", "motorcycle", "destroyed", 2300, "two thousand three hundred motorcycles"),
        R("armored_vehicle", "tank", "damaged", 2, "A couple of tanks were damaged", lo=1, hi=3, bound="about"),
        R("personnel", None, "killed", 12, "A dozen soldiers died"),
    ]


def test_digits_with_separators_and_scales() -> None:
    text = "Artillery hit 10,000 soldiers, 1 200 troops and 3,500 fighters; 1.5 thousand vehicles were seen."
    assert rows(text) == [
        R("personnel", None, "hit", 10000, "hit 10,000 soldiers"),
        R("personnel", None, "hit", 1200, "1 200 troops"),
        R("personnel", None, "hit", 3500, "3,500 fighters"),
        R("vehicle", None, "present", 1500, "1.5 thousand vehicles were seen"),
    ]


def test_bounds_over_at_least_up_to_fewer_about() -> None:
    text = (
        "More than 40 tanks, at least 6 APCs, nearly 100 trucks, up to 30 cars and fewer than 5 buses were destroyed."
    )
    assert rows(text) == [
        R("armored_vehicle", "tank", "destroyed", 40, "More than 40 tanks", lo=41, bound="more_than"),
        R("armored_vehicle", "apc", "destroyed", 6, "at least 6 APCs", lo=6, bound="at_least"),
        R("vehicle", "truck", "destroyed", 100, "nearly 100 trucks", lo=90, hi=110, bound="about"),
        R("vehicle", "car", "destroyed", 30, "up to 30 cars", hi=30, bound="at_most"),
        R("vehicle", "bus", "destroyed", 5, "fewer than 5 buses were destroyed", hi=4, bound="fewer_than"),
    ]
    # "over 10,000": count is the figure as stated, count_low the first integer above it
    (c,) = extract_claims("Over 10,000 troops were deployed.")
    assert (c.count, c.data["count_low"], c.data["count_high"], c.data["bound"]) == (10000, 10001, None, "more_than")
    assert claim_range(c) == (10001, None)


def test_ranges() -> None:
    text = (
        "From 5 to 7 tanks were hit. Two or three trucks were hit. 20 to 30 soldiers were seen. "
        "Between 20 and 30 cars were destroyed, and 4–6 APCs were damaged."
    )
    assert rows(text) == [
        R("armored_vehicle", "tank", "hit", None, "From 5 to 7 tanks were hit", lo=5, hi=7, bound="range"),
        R("vehicle", "truck", "hit", None, "Two or three trucks were hit", lo=2, hi=3, bound="range"),
        R("personnel", None, "present", None, "20 to 30 soldiers were seen", lo=20, hi=30, bound="range"),
        R("vehicle", "car", "destroyed", None, "Between 20 and 30 cars were destroyed", lo=20, hi=30, bound="range"),
        R("armored_vehicle", "apc", "damaged", None, "4–6 APCs were damaged", lo=4, hi=6, bound="range"),
    ]


def test_combined_figures_and_casualty_nouns() -> None:
    text = (
        "Thirty killed or injured, officials said. The strike killed and wounded 12 soldiers. "
        "The enemy suffered 45 casualties, and 3 more were taken prisoner."
    )
    assert rows(text) == [
        R("personnel", None, "killed_or_injured", 30, "Thirty killed or injured", who="officials"),
        R("personnel", None, "killed_or_injured", 12, "killed and wounded 12 soldiers"),
        R("personnel", None, "killed_or_injured", 45, "45 casualties"),
        R("personnel", None, "captured", 3, "3 more were taken prisoner"),
    ]


def test_lists_share_a_verb_before_or_after() -> None:
    before = "The unit destroyed three tanks, a BMP-2 infantry fighting vehicle and 12 trucks near the river."
    assert rows(before) == [
        R("armored_vehicle", "tank", "destroyed", 3, "destroyed three tanks"),
        R("armored_vehicle", "ifv", "destroyed", 1, "a BMP-2 infantry fighting vehicle"),
        R("vehicle", "truck", "destroyed", 12, "12 trucks"),
    ]
    after = "Two tanks, four pickup trucks and an ATV were struck by FPV drones overnight."
    assert rows(after) == [
        R("armored_vehicle", "tank", "hit", 2, "Two tanks"),
        R("vehicle", "truck", "hit", 4, "four pickup trucks"),
        R("vehicle", "atv", "hit", 1, "an ATV were struck"),
    ]
    # each item with its own verb keeps it; an elliptic number takes the previous subject
    own = "Drones destroyed 2 tanks and damaged 3 more, and a column of 5 vehicles was hit."
    assert rows(own) == [
        R("armored_vehicle", "tank", "destroyed", 2, "destroyed 2 tanks"),
        R("armored_vehicle", "tank", "damaged", 3, "damaged 3 more"),
        R("vehicle", None, "hit", 5, "5 vehicles was hit"),
    ]


def test_negations_are_zero_count_claims() -> None:
    text = (
        "No Ukrainian servicemen were injured. Not a single tank was damaged, and none of the trucks were "
        "destroyed. No one was hurt. Zero cars were lost."
    )
    assert rows(text) == [
        R("personnel", None, "injured", 0, "No Ukrainian servicemen were injured", neg=True),
        R("armored_vehicle", "tank", "damaged", 0, "Not a single tank was damaged", neg=True),
        R("vehicle", "truck", "destroyed", 0, "none of the trucks were destroyed", neg=True),
        R("personnel", None, "injured", 0, "No one was hurt", neg=True),
        R("vehicle", "car", "lost", 0, "Zero cars were lost", neg=True),
    ]
    # "no" before a word that is not a subject is not a claim
    assert extract_claims("There was no comment from the brigade. No longer than a day.") == []


def test_hedges_are_scoped_to_their_clause() -> None:
    text = (
        "Preliminary data suggest 8 soldiers were killed. The unit reportedly hit 4 cars, but this could not "
        "be confirmed. The brigade claimed 6 trucks were destroyed, while 2 buses were allegedly damaged. "
        "An estimated 300 soldiers were seen. Analysts estimated that 40 trucks were lost."
    )
    assert rows(text) == [
        R("personnel", None, "killed", 8, "8 soldiers were killed", q=["preliminary"]),
        R("vehicle", "car", "hit", 4, "hit 4 cars", q=["reported", "unverified"]),
        R("vehicle", "truck", "destroyed", 6, "6 trucks were destroyed", q=["claimed"], who="brigade"),
        R("vehicle", "bus", "damaged", 2, "2 buses were allegedly damaged", q=["claimed", "alleged"], who="brigade"),
        R("personnel", None, "present", 300, "An estimated 300 soldiers were seen", lo=270, hi=330, bound="about",
          q=["estimated"]),
        R("vehicle", "truck", "lost", 40, "40 trucks were lost", q=["estimated"], who="Analysts"),
    ]  # fmt: skip


def test_several_claimants_in_one_text() -> None:
    text = (
        "The ministry said 12 tanks were destroyed, while the brigade claimed 5 tanks were destroyed and "
        "3 cars were hit. It added that two motorcycles were damaged. Fifty soldiers were killed, the "
        "General Staff of the Armed Forces said. The statement said 4 trucks were hit. According to the "
        "10th Brigade's press service, its fighters captured 2 soldiers. Footage shows 7 soldiers running, "
        "said Lt. Col. Ivan Petrenko, a brigade spokesman. Three vans were seen."
    )
    gs = "General Staff of the Armed Forces"
    assert rows(text) == [
        R("armored_vehicle", "tank", "destroyed", 12, "12 tanks were destroyed", who="ministry"),
        R("armored_vehicle", "tank", "destroyed", 5, "5 tanks were destroyed", q=["claimed"], who="brigade"),
        R("vehicle", "car", "hit", 3, "3 cars were hit", q=["claimed"], who="brigade"),
        R("vehicle", "motorcycle", "damaged", 2, "two motorcycles were damaged", who="brigade"),
        R("personnel", None, "killed", 50, "Fifty soldiers were killed", who=gs),
        R("vehicle", "truck", "hit", 4, "4 trucks were hit", who=gs),
        R("personnel", None, "captured", 2, "captured 2 soldiers", who="10th Brigade's press service"),
        R("personnel", None, "present", 7, "shows 7 soldiers", who="Lt. Col. Ivan Petrenko"),
        R("vehicle", "van", "present", 3, "Three vans were seen"),
    ]


def test_standalone_disclaimer_naming_one_claimant() -> None:
    text = (
        "The ministry said 12 tanks were destroyed. The brigade said 3 cars were hit. "
        "The ministry's figures could not be verified."
    )
    assert rows(text) == [
        R("armored_vehicle", "tank", "destroyed", 12, "12 tanks were destroyed", q=["unverified"], who="ministry"),
        R("vehicle", "car", "hit", 3, "3 cars were hit", who="brigade"),
    ]


def test_context_numbers_are_kept_and_marked() -> None:
    text = (
        "The operation, which lasted 48 hours, began at 05:30 on March 3. A brigade of about 2,000 troops took "
        "part. A 25-year-old soldier was seen 5 km from the front. Losses rose by 30% and cost $5 million. "
        "Some 12 soldiers were killed at 5 a.m. on 2024-03-03, and a convoy of 7 trucks was hit on 03.03.2024. "
        "Over 400 videos were posted in 2023 during a three-day offensive."
    )
    assert rows(text) == [
        C("duration", 48, "48 hours"),
        C("time", None, "05:30"),
        C("date", None, "March 3"),
        C("deployment_size", 2000, "about 2,000 troops", lo=1800, hi=2200, bound="about", cat="personnel"),
        C("age", 25, "25-year-old"),
        C("measure", 5, "5 km"),
        C("percentage", 30, "30%"),
        C("money", 5000000, "5 million"),
        R("personnel", None, "killed", 12, "Some 12 soldiers were killed", lo=10, hi=14, bound="about"),
        C("time", None, "5 a.m."),
        C("date", None, "2024-03-03"),
        R("vehicle", "truck", "hit", 7, "7 trucks was hit"),
        C("date", None, "03.03.2024"),
        C("other", 400, "Over 400 videos", lo=401, bound="more_than"),
        C("date", None, "2023"),
        C("duration", 3, "three-day"),
    ]
    # deployment size written as "N-strong" / "numbering N"
    dep = rows("A 1,500-strong battalion and a unit numbering 300 men arrived.")
    assert [(r[-2], r[3], r[-1]) for r in dep] == [
        ("deployment_size", 1500, "1,500-strong"),
        ("deployment_size", 300, "300 men"),
    ]


def test_identifiers_are_not_counts() -> None:
    text = (
        "Su-25 jets and T-90 tanks of the 47th brigade were seen; a 155mm gun fired. "
        "Two T-72 tanks and three BTR-82 carriers were destroyed."
    )
    assert rows(text) == [
        R("armored_vehicle", "tank", "destroyed", 2, "Two T-72 tanks"),
        R("armored_vehicle", "apc", "destroyed", 3, "three BTR-82 carriers were destroyed"),
    ]


def test_bullet_lists_and_lines_are_sentences() -> None:
    text = "Results of the day:\n- 3 tanks destroyed\n- 2 IFVs hit\n- 14 infantrymen eliminated\n"
    assert rows(text) == [
        R("armored_vehicle", "tank", "destroyed", 3, "3 tanks destroyed"),
        R("armored_vehicle", "ifv", "hit", 2, "2 IFVs hit"),
        R("personnel", None, "killed", 14, "14 infantrymen eliminated"),
    ]
    sentences = [c.data["sentence"] for c in extract_claims(text)]
    assert sentences == ["- 3 tanks destroyed", "- 2 IFVs hit", "- 14 infantrymen eliminated"]


def test_vehicle_outcome_words_read_as_vehicle_outcomes() -> None:
    assert rows("Operators eliminated 4 trucks and 2 tanks.") == [
        R("vehicle", "truck", "destroyed", 4, "eliminated 4 trucks"),
        R("armored_vehicle", "tank", "destroyed", 2, "2 tanks"),
    ]


MESSY_WORDS = (
    "killed 50 soldiers and injured 47 others ; two armored vehicles , cars one all-terrain vehicle were "
    "also hit no none of the between 20 and 30 - over 10,000 1 200 a dozen dozens said claimed the ministry "
    "according to could not be verified on 3 March 2024 3 days 1,500-strong T-72 BMP-2 . \n \n\n an "
    "estimated up to fewer than from to or it added ! ? ( ) % $ 5 km a.m. 05:30 2023 Lt. Col. Ivan"
)
"""Words the messy-text test draws from (blank lines, stray punctuation, identifiers)."""


def test_wrapped_lines_and_spans_on_messy_text() -> None:
    wrapped = "The brigade killed 50\nsoldiers and hit\n3 trucks."
    assert rows(wrapped) == [
        R("personnel", None, "killed", 50, "killed 50\nsoldiers"),
        R("vehicle", "truck", "hit", 3, "hit\n3 trucks"),
    ]
    # whatever the text, spans point at what the claim says and claims.json validates
    rng = random.Random(7)
    words = MESSY_WORDS.split(" ")
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
        claims = extract_claims(text)
        for c in claims:
            check_spans(text, c)
        assert claims_from_json(claims_to_json(claims)) == claims


def test_extract_rejects_non_text_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        extract_claims(b"2 tanks")  # type: ignore[arg-type]
    with pytest.raises(ClaimsError, match=r"missing\.txt: text file not found"):
        extract_claims_from_file(tmp_path / "missing.txt")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("5 tanks hit near K\xf6ln".encode("latin-1"))
    with pytest.raises(ClaimsError, match=r"latin1\.txt: not UTF-8 text"):
        extract_claims_from_file(bad)
    assert extract_claims("") == []


# --------------------------------------------------------------------------------------------
# claims.json
# --------------------------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path: Path) -> None:
    text = (DATA / "news_report.txt").read_text(encoding="utf-8")
    claims = extract_claims(text)
    path = save_claims(claims, tmp_path / "sub" / "claims.json", source_path="news_report.txt", source_text=text)
    assert path == tmp_path / "sub" / "claims.json"
    assert sorted(p.name for p in path.parent.iterdir()) == ["claims.json"]  # no temp file left behind
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == CLAIMS_SCHEMA_VERSION
    assert doc["kind"] == "vidtools-claims"
    assert doc["source"]["path"] == "news_report.txt"
    assert doc["source"]["n_chars"] == len(text)
    assert [c["id"] for c in doc["claims"]] == list(range(1, len(claims) + 1))
    loaded = load_claims(path)
    assert loaded == claims  # category, outcome, count, text_span
    for a, b in zip(claims, loaded, strict=True):
        da = {k: v for k, v in a.data.items()}
        db = {k: v for k, v in b.data.items() if k != "id"}
        assert da == db
    # saving what was loaded gives the same document
    again = save_claims(loaded, tmp_path / "again.json", source_path="news_report.txt", source_text=text)
    assert json.loads(again.read_text(encoding="utf-8")) == doc


def test_minimal_hand_written_claims_file(tmp_path: Path) -> None:
    p = tmp_path / "claims.json"
    p.write_text(
        json.dumps(
            {
                "schema_version": "1.0",
                "claims": [
                    {
                        "category": "vehicle",
                        "subtype": "car",
                        "outcome": "hit",
                        "count": 3,
                        "note": "from the video caption",
                    },
                    {
                        "category": "personnel",
                        "outcome": "present",
                        "count": None,
                        "count_low": 5,
                        "count_high": 9,
                        "bound": "range",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    a, b = load_claims(p)
    assert (a.category, a.outcome, a.count, a.text_span) == ("vehicle", "hit", 3, (0, 0))
    assert a.data["id"] == 1 and a.data["bound"] == "exact" and a.data["qualifiers"] == [] and not a.data["context"]
    assert a.data["note"] == "from the video caption"
    assert claim_range(a) == (3, 3)
    assert claim_range(b) == (5, 9)
    assert claims_to_json([a])["claims"][0]["note"] == "from the video caption"


def _doc(**claim: Any) -> dict[str, Any]:
    base = {"category": "vehicle", "outcome": "hit", "count": 2}
    base.update(claim)
    ok = {"category": "personnel", "outcome": "killed", "count": 1}
    return {"schema_version": "1.0", "claims": [ok, ok, base]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_doc(count=-1), "claim 3: 'count' must be a non-negative integer or null"),
        (_doc(count="5"), "claim 3: 'count' must be a non-negative integer or null"),
        (_doc(count=2.5), "claim 3: 'count' must be a non-negative integer or null"),
        (_doc(count=True), "claim 3: 'count' must be a non-negative integer or null"),
        (_doc(outcome="obliterated"), "claim 3: 'outcome' must be null or one of killed, injured"),
        (_doc(category="Armored Vehicle"), "claim 3: 'category' must be null or a category name"),
        (_doc(cout=2), "claim 3: unknown field 'cout'; allowed fields: id, text, category"),
        (
            {"schema_version": "1.0", "claims": [{"category": "vehicle", "outcome": "hit"}]},
            "claim 1: 'count' is missing",
        ),
        (_doc(count_low=5, count_high=2, bound="range"), "claim 3: 'count_low' (5) is greater than 'count_high' (2)"),
        (
            _doc(count=3, count_low=5, count_high=5),
            "claim 3: 'bound' is 'exact' but count_low/count_high (5, 5) differ",
        ),
        (_doc(count=None, count_low=5, bound="range"), "claim 3: a 'range' claim needs both"),
        (_doc(bound="roughly"), "claim 3: 'bound' must be one of exact, about"),
        (_doc(negated=True), "claim 3: a negated claim ('no ... were hit') must have 'count' 0"),
        (_doc(negated="yes"), "claim 3: 'negated' must be true or false"),
        (_doc(context=1), "claim 3: 'context' must be true or false"),
        (_doc(context_kind="weather"), "claim 3: 'context_kind' must be null or one of date"),
        (_doc(qualifiers="claimed"), "claim 3: 'qualifiers' must be a list of strings"),
        (_doc(span=[10, 5]), "claim 3: 'span' must be [start, end]"),
        (_doc(claimant=7), "claim 3: 'claimant' must be a string or null"),
        (_doc(id="x"), "claim 3: 'id' must be a non-negative integer"),
        ({"schema_version": "1.0", "claims": [["vehicle", "hit", 2]]}, "claim 1: must be a JSON object"),
        ({"schema_version": "1.0", "claims": {"category": "vehicle"}}, "'claims' must be a list of claim objects"),
        ({"claims": []}, "'schema_version' is missing"),
        ({"schema_version": "2.0", "claims": []}, "schema_version '2.0' is not supported"),
        ([{"category": "vehicle"}], "expected a JSON object with 'schema_version' and 'claims'"),
    ],
)
def test_hand_edit_validation_errors(tmp_path: Path, doc: Any, message: str) -> None:
    p = tmp_path / "claims.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ClaimsError) as e:
        load_claims(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}: ")
    assert message in msg
    assert "\n" not in msg


def test_load_claims_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ClaimsError, match="claims file not found; make one with 'vidtools claims TEXTFILE"):
        load_claims(tmp_path / "nope.json")
    p = tmp_path / "broken.json"
    p.write_text('{"schema_version": "1.0", "claims": [}', encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"broken.json: not valid JSON \(line 1 column"):
        load_claims(p)
    # the error message names the document given to claims_from_json
    with pytest.raises(ClaimsError, match=r"^claims.json: claim 1: 'count' must be a non-negative integer or null$"):
        claims_from_json({"schema_version": "1.0", "claims": [{"category": "vehicle", "outcome": "hit", "count": -2}]})


def test_hand_fixed_count_is_used_by_compare(tmp_path: Path) -> None:
    path = save_claims(extract_claims("Two cars were hit."), tmp_path / "claims.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["claims"][0]["count"] = 1  # the reviewer watched the clip again
    path.write_text(json.dumps(doc), encoding="utf-8")
    (claim,) = load_claims(path)
    (check,) = compare([meta(strikes=[strike(("car", "vehicle"))])], [claim])
    assert check.verdict == "consistent"


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------

COCO = ["person", "bicycle", "car", "motorcycle", "bus", "truck", "boat", "dog"]
COCO_DET = {
    "personnel": ["person"],
    "vehicle": ["bicycle", "bus", "car", "motorcycle", "truck"],
    "armored_vehicle": [],
}


def strike(target: tuple[str, str] | None = None, persons: int = 0, index: int = 0) -> dict[str, Any]:
    return {
        "index": index,
        "shot": index,
        "kind": "signal_loss",
        "t_s": 10.0 * index,
        "duration_s": 0.8,
        "terminal": {
            "start_t_s": 10.0 * index - 2,
            "end_t_s": 10.0 * index,
            "counts": {"personnel": {"max": persons, "mean": persons / 2}},
        },
        "target": None if target is None else {"class": target[0], "category": target[1], "conf": 0.71},
    }


def uc(low: int, high: int, est: int) -> dict[str, Any]:
    return {"low": low, "high": high, "estimate": est, "explanation": "test"}


def meta(
    path: str = "clip.mp4",
    strikes: list[dict[str, Any]] | None = None,
    *,
    tracked: bool = True,
    classes: list[str] | None = None,
    detectable: dict[str, list[str]] | None = None,
    clip_uc: dict[str, Any] | None = None,
    class_uc: dict[str, Any] | None = None,
    cat_max: dict[str, int] | None = None,
    class_max: dict[str, int] | None = None,
) -> dict[str, Any]:
    cat_max = cat_max or {"personnel": 4, "vehicle": 2}
    class_max = class_max or {"person": 4, "car": 2}
    if not tracked:  # as vidtools.track.unique_counts_unavailable: the one-frame maximum only

        def off(n: int) -> dict[str, Any]:
            return {"low": n, "high": None, "estimate": None, "explanation": "tracking was off"}

        clip_uc = {k: off(v) for k, v in cat_max.items()}
        class_uc = {k: off(v) for k, v in class_max.items()}
    return {
        "video": {"path": path, "duration_s": 60.0},
        "taxonomy": {"detectable": detectable or COCO_DET},
        "model_classes": classes or COCO,
        "summary": {
            "categories": {k: {"max": v, "mean": v / 2, "share_frames": 0.5} for k, v in cat_max.items()},
            "classes": {k: {"max": v, "mean": v / 2, "share_frames": 0.5} for k, v in class_max.items()},
        },
        "unique_counts": {
            "available": tracked,
            "clip": clip_uc if clip_uc is not None else {"personnel": uc(4, 9, 6), "vehicle": uc(2, 3, 2)},
            "classes": class_uc if class_uc is not None else {"person": uc(4, 9, 6), "car": uc(2, 2, 2)},
        },
        "strikes": strikes or [],
    }


def one(text: str) -> Claim:
    claims = [c for c in extract_claims(text) if not c.data["context"]]
    assert len(claims) == 1, claims
    return claims[0]


def test_casualties_are_not_verifiable_but_persons_are_reported() -> None:
    reports = [
        meta("a.mp4", [strike(("person", "personnel"), 3), strike(None, 2, 1), strike(("car", "vehicle"), 0, 2)]),
        meta("b.mp4", [strike(("person", "personnel"), 1)]),
    ]
    checks = compare(reports, extract_claims(CANONICAL)[:2])
    for ch in checks:
        assert ch.verdict == "not verifiable from video"
        assert ch.observed["persons_in_terminal_windows"] == 6
        assert ch.observed["strikes_with_persons"] == 3
        assert ch.observed["strikes"] == 4
        assert ch.observed["clips"] == 2
        assert "not deaths or injuries" in ch.reason
        assert "6 persons visible in the terminal seconds of 3 of 4 strikes" in ch.reason
    assert checks[0].reason.endswith("the claim says 50 killed.")
    assert checks[1].reason.endswith("the claim says 47 injured.")
    combined = compare(reports, [one("30 killed or injured.")])[0]
    assert combined.verdict == "not verifiable from video"
    no_strikes = compare([meta()], [one("30 killed or injured.")])[0]
    assert no_strikes.reason == (
        "Video can show people under attack, not deaths or injuries: no strike (feed loss) was found in the "
        "footage (was shot detection off?); distinct persons in the footage: 4–9; the claim says 30 killed or injured."
    )
    (car,) = compare([meta()], [one("Two cars were hit.")])
    assert car.verdict == "footage shows fewer"
    assert car.reason.endswith(
        "the claim says 2; no strike (feed loss) was found in the footage (was shot detection off?)."
    )


def test_not_observable_with_a_coco_model() -> None:
    reports = [meta(strikes=[strike(("car", "vehicle")), strike(("truck", "vehicle"), index=1), strike(None, index=2)])]
    armored, car, atv = compare(reports, extract_claims(CANONICAL)[2:])
    assert armored.verdict == "not observable with this model"
    assert "cannot detect armored vehicles" in armored.reason
    assert armored.observed["clips_able"] == 0
    assert atv.verdict == "not observable with this model"
    assert "no class for ATVs" in atv.reason
    assert "2 strikes on vehicles visible in all" in atv.reason
    assert car.verdict == "footage shows fewer"
    assert car.observed["strikes_on_target"] == 1
    assert car.observed["strikes_on_category"] == 2
    assert car.observed["level"] == "class" and car.observed["classes"] == ["car"]
    assert car.reason == (
        "1 strike on a car is visible; 1 more strike has no identified target; the claim says 2; "
        "the footage may not include every strike."
    )
    # a claim without a category (edited by hand or an unknown subject with an outcome)
    (unknown,) = compare(reports, [one("The unit shot down 3 drones and hit 15 targets.")])
    assert unknown.claim.category is None
    assert unknown.verdict == "not observable with this model"
    assert "'targets' is not a category vidtools counts" in unknown.reason


def test_strike_claims_fewer_consistent_more() -> None:
    reports = [
        meta("a.mp4", [strike(("car", "vehicle")), strike(("car", "vehicle"), index=1)]),
        meta("b.mp4", [strike(("truck", "vehicle")), strike(("car", "vehicle"), index=1)]),
    ]
    fewer, consistent, more, ranged = compare(
        reports,
        [
            one("Five vehicles were destroyed."),
            one("Four vehicles were hit."),
            one("Two cars were hit."),
            one("Between 3 and 5 cars were struck."),
        ],
    )
    assert (fewer.verdict, fewer.observed["strikes_on_target"]) == ("footage shows fewer", 4)
    assert fewer.reason == (
        "4 strikes on vehicles are visible; the claim says 5; the footage may not include every strike. "
        "Video shows strikes, not whether a target was destroyed."
    )
    assert (consistent.verdict, consistent.observed["strikes_on_target"]) == ("consistent", 4)
    assert consistent.reason == "4 strikes on vehicles are visible; the claim says 4."
    assert (more.verdict, more.observed["strikes_on_target"]) == ("footage shows more", 3)
    assert "the same target may be struck more than once" in more.reason
    assert ranged.verdict == "consistent"
    assert [c["strikes_on_target"] for c in ranged.observed["per_clip"]] == [2, 1]


def test_negated_claims() -> None:
    hit = [meta(strikes=[strike(("truck", "vehicle"))])]
    none = [meta(strikes=[strike(("person", "personnel"))])]
    claim = one("No trucks were hit.")
    assert compare(hit, [claim])[0].verdict == "footage shows more"
    assert compare(hit, [claim])[0].reason == "1 strike on a truck is visible; the text says none."
    assert compare(none, [claim])[0].verdict == "consistent"


def test_presence_claims_against_distinct_tracks() -> None:
    reports = [meta("a.mp4"), meta("b.mp4")]  # personnel 4..9 per clip -> 8..18
    within, above, below = compare(
        reports,
        [one("Some 12 soldiers were seen."), one("Over 50 soldiers were spotted."), one("Five soldiers were seen.")],
    )
    assert within.verdict == "consistent"
    assert within.observed["distinct"] == {"low": 8, "high": 18, "estimate": 12, "tracked": True}
    assert above.verdict == "footage shows fewer"
    assert "the footage may show only part of the scene" in above.reason
    assert below.verdict == "footage shows more"
    # class level: cars
    (cars,) = compare(reports, [one("Four cars were visible.")])
    assert cars.verdict == "consistent" and cars.observed["distinct"]["low"] == 4


def test_presence_without_tracking_has_no_upper_bound() -> None:
    reports = [
        meta("a.mp4", tracked=False, cat_max={"personnel": 3}),
        meta("b.mp4", tracked=False, cat_max={"personnel": 2}),
    ]
    many, few = compare(reports, [one("300 troops were deployed."), one("Two soldiers were seen.")])
    assert many.verdict == "consistent"
    assert many.observed["distinct"] == {"low": 5, "high": None, "estimate": None, "tracked": False}
    assert "tracking was off" in many.reason
    assert few.verdict == "footage shows more"


def test_custom_model_with_armored_classes() -> None:
    det = {"personnel": ["person"], "vehicle": ["car", "truck"], "armored_vehicle": ["apc", "tank"]}
    classes = ["person", "car", "truck", "tank", "apc"]
    custom = meta(
        "custom.mp4",
        [strike(("tank", "armored_vehicle")), strike(("apc", "armored_vehicle"), index=1)],
        classes=classes,
        detectable=det,
    )
    coco = meta("coco.mp4", [strike(("truck", "vehicle"))])
    armored, tanks = compare([custom, coco], [one("Two armored vehicles were hit."), one("One tank was struck.")])
    assert armored.verdict == "consistent"
    assert armored.observed["clips_able"] == 1
    assert "1 of 2 clips were analysed with a model that cannot detect armored vehicles" in armored.reason
    assert tanks.verdict == "consistent"
    assert tanks.observed["classes"] == ["tank"]


def test_context_claims_are_listed_not_compared() -> None:
    claims = extract_claims("On 3 March 2024, the brigade said two cars were hit over 3 days.")
    checks = compare([meta(strikes=[strike(("car", "vehicle")), strike(("car", "vehicle"), index=1)])], claims)
    assert [ch.verdict for ch in checks] == ["context", "consistent", "context"]
    assert checks[0].observed == {}
    assert checks[0].reason.startswith("Background number (date)")


def test_compare_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    claims = [one("Two cars were hit.")]
    m = meta(strikes=[strike(("car", "vehicle"))])
    with pytest.raises(UsageError, match="no reports given"):
        compare([], claims)
    # a typed ClipReport is compared through its report.json form (vidtools.report.schema)
    monkeypatch.setattr("vidtools.report.schema.to_json_dict", lambda r: m)
    report = ClipReport.__new__(ClipReport)
    assert compare([report], claims)[0].observed == compare([m], claims)[0].observed
    with pytest.raises(TypeError):
        compare(["clip.mp4"], claims)  # type: ignore[list-item]
    # no taxonomy: derived from the model classes with the default (COCO) taxonomy
    bare = dict(m)
    del bare["taxonomy"]
    assert compare([bare], claims)[0].verdict == "footage shows fewer"
    del bare["model_classes"]
    with pytest.raises(ReportError, match=r"clip\.mp4: report has neither"):
        compare([bare], claims)


def test_every_verdict_is_reachable() -> None:
    text = (
        "On 3 March the brigade killed 50 soldiers; two armored vehicles and two cars were hit, "
        "no trucks were hit, 40 motorcycles were hit and 6 soldiers were seen."
    )
    reports = [
        meta(
            strikes=[
                strike(("car", "vehicle")),
                strike(("car", "vehicle"), index=1),
                strike(("truck", "vehicle"), index=2),
            ]
        )
    ]
    checks = compare(reports, extract_claims(text))
    assert [ch.verdict for ch in checks] == [
        "context",
        "not verifiable from video",
        "not observable with this model",
        "consistent",
        "footage shows more",
        "footage shows fewer",
        "consistent",
    ]
    assert set(VERDICTS) == {ch.verdict for ch in checks}


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def test_markdown_and_json_outputs(tmp_path: Path) -> None:
    text = "The brigade claimed two cars were hit on 3 March | and 5 soldiers were killed."
    reports = [meta(strikes=[strike(("car", "vehicle"), 2), strike(("car", "vehicle"), 1, index=1)])]
    checks = compare(reports, extract_claims(text))
    md = checks_to_markdown(checks)
    lines = md.splitlines()
    assert lines[0] == "| # | Claim | Claimed | Observed | Verdict | Reason |"
    assert lines[1] == "|---|---|---|---|---|---|"
    assert lines[2].startswith(
        "| 1 | “two cars were hit” — brigade; claimed | 2 vehicle/car: hit | 2 strikes on target | consistent |"
    )
    assert lines[3].startswith(
        "| 3 | “5 soldiers were killed” — brigade; claimed | 5 personnel: killed | 3 persons in 2 strike windows "
        "| not verifiable from video |"
    )
    assert "1 context number (dates, durations, deployment sizes, ...) was not compared." in md
    assert len([ln for ln in lines if ln.startswith("| ")]) == 3
    with_ctx = checks_to_markdown(checks, include_context=True)
    assert "| 2 | “3 March” — brigade; claimed | 3 March (date) | — | context |" in with_ctx
    # a pipe inside a cell is escaped
    piped = compare(reports, [Claim("vehicle", "hit", 2, (0, 0), {"text": "2 cars | trucks", "subtype": "car"})])
    assert "“2 cars \\| trucks”" in checks_to_markdown(piped)
    bare = compare(reports, [Claim("vehicle", "hit", 2, (0, 0), {"subtype": "car"})])
    assert checks_to_markdown(bare).splitlines()[2].startswith("| 1 | 2 vehicle/car: hit | 2 vehicle/car: hit |")

    doc = checks_to_json(checks)
    assert doc["kind"] == "vidtools-claim-checks"
    assert doc["verdicts"] == {"consistent": 1, "context": 1, "not verifiable from video": 1}
    assert [c["claim"]["id"] for c in doc["checks"]] == [1, 2, 3]
    assert doc["checks"][0]["claim"]["text"] == "two cars were hit"
    assert doc["checks"][2]["observed"]["persons_in_terminal_windows"] == 3
    json.dumps(doc, allow_nan=False)

    paths = write_checks(checks, tmp_path / "out")
    assert paths["markdown"].read_text(encoding="utf-8") == md
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == doc
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["claims_check.json", "claims_check.md"]


def test_claims_to_json_and_source(tmp_path: Path) -> None:
    doc = claims_to_json(extract_claims("Two cars were hit."))
    assert doc["source"] is None
    src = tmp_path / "post.txt"
    src.write_text("Two cars were hit.", encoding="utf-8")
    from_file = claims_to_json(extract_claims_from_file(src), source_path=src)
    assert from_file["source"] == {
        "path": str(src),
        "sha256": hashlib.sha256(b"Two cars were hit.").hexdigest(),
        "n_chars": 18,
    }
    (c,) = doc["claims"]
    assert c == {
        "id": 1,
        "text": "Two cars were hit",
        "category": "vehicle",
        "subtype": "car",
        "outcome": "hit",
        "count": 2,
        "count_low": None,
        "count_high": None,
        "bound": "exact",
        "negated": False,
        "qualifiers": [],
        "claimant": None,
        "context": False,
        "context_kind": None,
        "subject": "cars",
        "number_text": "Two",
        "outcome_text": "hit",
        "span": [0, 17],
        "number_span": [0, 3],
        "sentence": "Two cars were hit.",
        "sentence_span": [0, 18],
    }
