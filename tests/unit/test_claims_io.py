"""claims.json (schema, reading, writing, hand edits) and the JSON / Markdown of a comparison."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from vidtools.claims import (
    CLAIMS_SCHEMA_VERSION,
    Claim,
    ClaimCheck,
    Cue,
    Observed,
    checks_from_json,
    checks_to_json,
    claimed_text,
    claims_from_json,
    claims_json_schema,
    claims_to_json,
    extract_claims,
    load_claims,
    save_claims,
)
from vidtools.errors import ClaimsError
from vidtools.report.claims_markdown import checks_to_markdown, write_checks

CORPUS = Path(__file__).resolve().parents[1] / "data" / "claims" / "corpus"


def test_save_load_round_trip(tmp_path: Path) -> None:
    text = (CORPUS / "wire_attributed.txt").read_text(encoding="utf-8")
    claims = extract_claims(text)
    path = save_claims(claims, tmp_path / "sub" / "claims.json", source_path="wire.txt", source_text=text,
                       lexicon_sources=("built-in",))  # fmt: skip
    assert sorted(p.name for p in path.parent.iterdir()) == ["claims.json"]  # no temporary file left behind
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == CLAIMS_SCHEMA_VERSION and doc["kind"] == "vidtools-claims"
    assert doc["source"]["n_chars"] == len(text) and doc["lexicon"] == ["built-in"]
    assert [c["id"] for c in doc["claims"]] == list(range(1, len(claims) + 1))
    assert any(c["background"] and c["cue"]["kind"] == "deployment" for c in doc["claims"])
    loaded = load_claims(path)
    assert [c for c in loaded] == [c.__class__(**{**c.__dict__, "id": i}) for i, c in enumerate(claims, 1)]
    again = save_claims(loaded, tmp_path / "again.json", source_path="wire.txt", source_text=text, lexicon_sources=("built-in",))
    assert json.loads(again.read_text(encoding="utf-8")) == doc


def test_the_shipped_schema_is_what_the_writer_writes() -> None:
    import jsonschema

    doc = claims_to_json(extract_claims((CORPUS / "gs_daily_full.txt").read_text(encoding="utf-8")), source_text="x")
    jsonschema.Draft202012Validator(claims_json_schema()).validate(doc)


def test_minimal_hand_written_claims_file(tmp_path: Path) -> None:
    p = tmp_path / "claims.json"
    p.write_text(json.dumps({"schema_version": "2.0", "claims": [
        {"category": "vehicle", "subtype": "car", "outcome": "hit", "count": 3, "note": "from the caption"},
        {"category": "personnel", "outcome": None, "count": None, "count_low": 5, "count_high": 9, "bound": "range"},
        {"category": "armored_vehicle", "outcome": "lost", "count": 300, "cue": {"kind": "time_scope", "text": "since May"}},
    ]}), encoding="utf-8")  # fmt: skip
    a, b, c = load_claims(p)
    assert (a.category, a.outcome, a.count, a.span, a.id, a.bound, a.qualifiers) == ("vehicle", "hit", 3, (0, 0), 1, "exact", ())
    assert a.note == "from the caption" and a.cue.kind == "outcome" and not a.background
    assert a.range() == (3, 3) and b.range() == (5, 9) and b.cue.kind == "presence"
    assert c.background and c.cue == Cue("time_scope", "since May")
    assert claims_to_json([a])["claims"][0]["note"] == "from the caption"


def _doc(**claim: Any) -> dict[str, Any]:
    ok = {"category": "personnel", "outcome": "killed", "count": 1}
    return {"schema_version": "2.0", "claims": [ok, ok, {"category": "vehicle", "outcome": "hit", "count": 2, **claim}]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (_doc(count=-1), "claim 3: count: -1 is less than the minimum of 0"),
        (_doc(count="5"), "claim 3: count: '5' is not of type 'integer', 'null'"),
        (_doc(outcome="obliterated"), "claim 3: outcome: 'obliterated' is not one of"),
        (_doc(outcome="present"), "claim 3: outcome: 'present' is not one of"),
        (_doc(category="Armored Vehicle"), "claim 3: category: 'Armored Vehicle' does not match"),
        (_doc(cout=2), "claim 3: Additional properties are not allowed ('cout' was unexpected)"),
        ({"schema_version": "2.0", "claims": [{"category": "vehicle", "outcome": "hit"}]}, "claim 1: 'count' is a required property"),
        (_doc(count_low=5, count_high=2, bound="range"), "claim 3: 'count_low' (5) is greater than 'count_high' (2)"),
        (_doc(count=3, count_low=5, count_high=5), "claim 3: 'bound' is 'exact' but count_low/count_high (5, 5) differ"),
        (_doc(count=None, count_low=5, bound="range"), "claim 3: a 'range' claim needs both"),
        (_doc(negated=True), "claim 3: a negated claim ('no ... were hit') must have 'count' 0"),
        (_doc(cue={"kind": "weather"}), "claim 3: cue.kind: 'weather' is not one of"),
        (_doc(background=True), "claim 3: 'background' is true but cue.kind is 'outcome'"),
        (_doc(span=[10, 5]), "claim 3: 'span' must be [start, end] with start <= end"),
        (_doc(claimant=7), "claim 3: claimant: 7 is not of type 'string', 'null'"),
        ({"schema_version": "2.0", "claims": {"category": "vehicle"}}, "claims: {'category': 'vehicle'} is not of type 'array'"),
        ({"claims": []}, "'schema_version' is a required property"),
        ({"schema_version": "1.0", "claims": []}, "schema_version '1.0' is not supported (this vidtools reads 2.0)"),
    ],
)
def test_hand_edit_validation_errors(tmp_path: Path, doc: Any, message: str) -> None:
    p = tmp_path / "claims.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ClaimsError) as e:
        load_claims(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}: ") and message in msg and "\n" not in msg


def test_load_claims_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ClaimsError, match="claims file not found; make one with 'vidtools claims TEXTFILE"):
        load_claims(tmp_path / "nope.json")
    p = tmp_path / "broken.json"
    p.write_text('{"schema_version": "2.0", "claims": [}', encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"broken.json: not valid JSON \(line 1 column"):
        load_claims(p)
    with pytest.raises(ClaimsError, match=r"^claims.json: claim 1: count: -2 is less than the minimum of 0$"):
        claims_from_json({"schema_version": "2.0", "claims": [{"category": "vehicle", "outcome": "hit", "count": -2}]})


def _check(claim: Claim, verdict: str = "footage shows fewer") -> ClaimCheck:
    return ClaimCheck(claim, Observed(summary="1 strike on target", strikes=1, strikes_on_target=1), verdict, "only one strike")


def test_one_formatter_for_markdown_and_html(tmp_path: Path) -> None:
    from vidtools.report.html import claims_rows

    claims = extract_claims("The brigade said it hit two cars and a T-72 tank; about 40 soldiers were killed.")
    checks = [_check(c) for c in claims]
    rows, n_background = claims_rows(checks)
    md = checks_to_markdown(checks)
    assert n_background == 0 and len(rows) == 3
    for r, c in zip(rows, claims, strict=True):
        assert r["claimed"] == claimed_text(c)
        assert f"| {claimed_text(c)} |" in md
    assert [r["claimed"] for r in rows] == ["2 vehicles (car) hit", "1 armored vehicle (tank) hit", "~40 persons killed"]
    assert rows[0]["who"] == "brigade"
    assert claims_rows(checks_to_json(checks)) == (rows, n_background)


def test_markdown_and_json_files(tmp_path: Path) -> None:
    claims = extract_claims("Two cars were hit on 3 March. Since May, 40 cars were hit.")
    checks = [_check(c) if not c.background else ClaimCheck(c, None, "background", "Background figure") for c in claims]
    paths = write_checks(checks, tmp_path / "cmp", stem="comparison")
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == ["comparison.json", "comparison.md"]
    md = paths["markdown"].read_text(encoding="utf-8")
    assert md.splitlines()[0] == "| # | Claim | Claimed | Observed | Verdict | Reason |"
    assert md.count("\n| ") == 1 and "2 background figures" in md  # the date and the total since May
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["verdicts"] == {"footage shows fewer": 1, "background": 2}
    back = checks_from_json(doc)
    assert [dataclasses.replace(b, claim=dataclasses.replace(b.claim, id=None)) for b in back] == checks
    with pytest.raises(ClaimsError, match="not a vidtools comparison"):
        checks_from_json({"checks": []})
