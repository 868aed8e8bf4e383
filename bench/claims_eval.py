"""Score ``vidtools.extract_claims`` on the hand-annotated corpus in ``tests/data/claims/corpus``.

Every ``NAME.txt`` there has a ``NAME.json`` written by hand (not by the extractor)::

    {"style": "general_staff", "split": "dev" | "holdout1" | "holdout2",
     "claims": [{"at": "+1,280", "cat": "personnel", "out": "lost", "n": 1280, "by": "General Staff"}, ...],
     "background": [{"at": "430,790", "cue": "cumulative_total"}, ...]}

``at`` anchors the claim in the text: a string that occurs there (``"text|2"`` = its 2nd
occurrence), or a list of them when a claim is repeated (headline, caption, body). ``n`` is the
figure: ``3`` (exact; ``0`` = negated), ``"~40"`` (about), ``">40"`` (more than), ``">=40"`` (at
least), ``"<=40"`` (up to), ``"<40"`` (fewer than), ``"20..30"`` (range), ``"24+"`` (vague, at
least). ``by`` is the claimant (a name, ``null``, or a list of acceptable answers); when absent,
the text names none and any claimant the extractor records is wrong.

An extracted claim (background figures aside) *matches* an expected one when one of its spans
overlaps an anchor, and category, outcome, figure and bound are equal and its claimant is not
wrong (none is acceptable, a different name is not; names match when one's words contain the
other's). Each expected claim matches at most one extracted claim. Then

* recall = matched expected claims / expected claims,
* precision = matched extracted claims / extracted claims (background figures not counted),
* background errors = expected background figures that were extracted as claims,
* claimant wrong = matched claims whose claimant differs (they do not match, so they also cost
  recall and precision; listed to explain the misses).

The anchor beside it is the extractor this package had before issue 11 (``vidtools/claims.py``
at the commit in ``BASELINE_COMMIT``), read from git history when available, scored with the same
rules after mapping its fields (``context`` -> background, ``present`` -> no outcome,
``destroyed_or_damaged`` -> damaged).

Held-out texts: ``holdout1`` was written after the rules were done and scored once
(``bench/results/claims_holdout1_first_run.md``); the rules were then generalised, so a second set,
``holdout2``, was written and scored once before any further change
(``bench/results/claims_holdout2_first_run.md``). Those first-run files are the honest measure of
texts the rules had not seen.

Real published texts: ``tests/data/claims/real`` holds excerpts of texts nobody here wrote (wire
copy, General Staff and defence-ministry statements as the press carried them, unit posts quoted in
articles, analyses), each with its source URL and date, annotated by hand before the extractor was
run on them (``tests/data/claims/real/README.md``). They are scored and printed apart from the
corpus, per style and per split: the rules were improved on ``real1`` only, then ``real2`` was scored
once as a held-out set; after the rules were generalised on both, ``real3`` was collected, annotated
and scored once as a second held-out set (``bench/results/claims_real_*.md`` keep those first runs).

Usage::

    python bench/claims_eval.py                 # corpus, then the real texts: per text, per style, totals
    python bench/claims_eval.py --set real      # only the real published texts
    python bench/claims_eval.py --split holdout2  # only one split of texts (corpus or real: real1, real2)
    python bench/claims_eval.py --misses        # also list every miss and false claim
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "claims" / "corpus"
REAL = ROOT / "tests" / "data" / "claims" / "real"
SETS = {"corpus": CORPUS, "real": REAL}
BASELINE_COMMIT = "55a4c90"


@dataclass(frozen=True)
class Found:
    """One extracted claim, reduced to what is scored."""

    spans: tuple[tuple[int, int], ...]
    category: str | None
    outcome: str | None
    figure: tuple[str, int | None, int | None]
    claimant: str | None
    background: bool
    label: str


@dataclass(frozen=True)
class Expected:
    spans: tuple[tuple[int, int], ...]
    category: str | None
    outcome: str | None
    figure: tuple[str, int | None, int | None]
    claimants: tuple[str | None, ...]
    label: str


@dataclass
class TextScore:
    name: str
    style: str
    split: str
    expected: int = 0
    found: int = 0
    matched: int = 0
    background_errors: int = 0
    claimant_wrong: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)


def figure_of(spec: int | str) -> tuple[str, int | None, int | None]:
    """``(bound, a, b)`` of a figure in the corpus notation (see the module docstring)."""
    if isinstance(spec, int):
        return ("exact", spec, None)
    s = spec.replace(",", "").strip()
    for prefix, bound in ((">=", "at_least"), ("<=", "at_most"), (">", "more_than"), ("<", "fewer_than"), ("~", "about")):
        if s.startswith(prefix):
            return (bound, int(s[len(prefix) :]), None)
    if ".." in s:
        a, b = s.split("..")
        return ("range", int(a), int(b))
    if s.endswith("+"):
        return ("vague", int(s[:-1]), None)
    return ("exact", int(s), None)


def figure_of_claim(bound: str, count: int | None, low: int | None, high: int | None) -> tuple[str, int | None, int | None]:
    if bound == "range":
        return ("range", low, high)
    if bound == "vague":
        return ("vague", low, None)
    return (bound, count, None)


def locate(text: str, anchor: str, where: str) -> tuple[int, int]:
    occurrence = 1
    if "|" in anchor:
        anchor, n = anchor.rsplit("|", 1)
        occurrence = int(n)
    pos = -1
    for _ in range(occurrence):
        pos = text.find(anchor, pos + 1)
        if pos < 0:
            raise ValueError(f"{where}: anchor {anchor!r} (occurrence {occurrence}) not in the text")
    return pos, pos + len(anchor)


def load_expected(path: Path, text: str) -> tuple[dict, list[Expected], list[tuple[tuple[int, int], str]]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    claims = []
    for c in doc["claims"]:
        anchors = c["at"] if isinstance(c["at"], list) else [c["at"]]
        by = c.get("by")
        claimants = tuple(by) if isinstance(by, list) else (by,)
        claims.append(
            Expected(
                tuple(locate(text, a, path.name) for a in anchors),
                c["cat"],
                c["out"],
                figure_of(c["n"]),
                claimants,
                f"{anchors[0]!r} {c['cat']} {c['out']} {c['n']}",
            )
        )
    background = [(locate(text, b["at"], path.name), b["cue"]) for b in doc.get("background", [])]
    return doc, claims, background


def _words(name: str) -> set[str]:
    name = re.sub(r"['’]s\b", "", name.lower())
    return {w for w in re.findall(r"[a-z0-9]+", name) if w not in {"the", "a", "an", "of", "its", "their"}}


def claimant_ok(got: str | None, accepted: tuple[str | None, ...]) -> bool:
    """None is always acceptable; a name must share its words with an accepted one (either contains the other)."""
    if got is None:
        return True
    g = _words(got)
    for a in accepted:
        if a is None:
            continue
        w = _words(a)
        if g and w and (g <= w or w <= g):
            return True
    return False


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_text(name: str, text: str, json_path: Path, extract: Callable[[str], list[Found]]) -> TextScore:
    doc, expected, background = load_expected(json_path, text)
    found = extract(text)
    claims = [f for f in found if not f.background]
    ts = TextScore(name, doc["style"], doc.get("split", "dev"), expected=len(expected), found=len(claims))
    used: set[int] = set()
    for e in expected:
        hit = None
        wrong_claimant = False
        for i, f in enumerate(claims):
            if i in used or not any(_overlap(s, a) for s in f.spans for a in e.spans):
                continue
            if (f.category, f.outcome, f.figure) != (e.category, e.outcome, e.figure):
                continue
            if not claimant_ok(f.claimant, e.claimants):
                wrong_claimant = True
                continue
            hit = i
            break
        if hit is None:
            ts.claimant_wrong += wrong_claimant
            near = [f.label for f in claims if any(_overlap(s, a) for s in f.spans for a in e.spans)]
            ts.misses.append(f"{e.label}" + (f"  (got: {'; '.join(near)})" if near else "  (nothing)"))
        else:
            used.add(hit)
            ts.matched += 1
    ts.false = [f.label for i, f in enumerate(claims) if i not in used]
    for (span, cue) in background:
        taken = [f for f in claims if any(_overlap(s, span) for s in f.spans[:1])]
        if taken:
            ts.background_errors += 1
            ts.misses.append(f"background {text[span[0]:span[1]]!r} ({cue}) taken as a claim: {taken[0].label}")
    return ts


# --------------------------------------------------------------------------------------------
# extractors
# --------------------------------------------------------------------------------------------


def vidtools_extractor() -> Callable[[str], list[Found]]:
    sys.path.insert(0, str(ROOT))
    from vidtools.claims import extract_claims

    def run(text: str) -> list[Found]:
        out = []
        for c in extract_claims(text):
            spans = tuple(s for s in (c.number_span, *c.spans) if s is not None)
            fig = figure_of_claim(c.bound, c.count, c.count_low, c.count_high)
            out.append(Found(spans, c.category, c.outcome, fig, c.claimant, c.background,
                             f"{c.text!r} {c.category} {c.outcome} {fig} by={c.claimant} cue={c.cue.kind}"))
        return out

    return run


@dataclass(frozen=True)
class _OldClaim:
    """The Claim type the pre-issue-11 extractor returned."""

    category: str | None
    outcome: str | None
    count: int | None
    text_span: tuple[int, int]
    data: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class _OldClaimCheck:
    claim: _OldClaim
    observed: dict
    verdict: str
    reason: str


def baseline_extractor() -> Callable[[str], list[Found]] | None:
    """The pre-issue-11 extractor from git history, or None when git or the commit is not available."""
    import subprocess
    import types as pytypes

    try:
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:vidtools/claims.py"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    src = src.replace("from vidtools.types import Claim, ClaimCheck, ClipReport", "")
    mod = pytypes.ModuleType("_old_claims")
    mod.__dict__.update(Claim=_OldClaim, ClaimCheck=_OldClaimCheck, ClipReport=object)
    sys.modules["_old_claims"] = mod  # its dataclasses look their module up
    sys.path.insert(0, str(ROOT))
    exec(compile(src, "old_claims.py", "exec"), mod.__dict__)  # noqa: S102
    outcome_map = {"present": None, "destroyed_or_damaged": "damaged"}

    def run(text: str) -> list[Found]:
        out = []
        for c in mod.extract_claims(text):
            d = c.data
            fig = figure_of_claim(d["bound"], c.count, d["count_low"], d["count_high"])
            outcome = outcome_map.get(c.outcome, c.outcome)
            spans = (tuple(d["number_span"]), tuple(c.text_span))
            out.append(Found(spans, c.category, outcome, fig, d["claimant"], bool(d["context"]),
                             f"{d['text']!r} {c.category} {outcome} {fig} by={d['claimant']}"))
        return out

    return run


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    texts: int
    expected: int
    found: int
    matched: int
    background_errors: int
    claimant_wrong: int

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


def totals(scores: Sequence[TextScore]) -> Totals:
    return Totals(len(scores), sum(s.expected for s in scores), sum(s.found for s in scores),
                  sum(s.matched for s in scores), sum(s.background_errors for s in scores),
                  sum(s.claimant_wrong for s in scores))


def corpus_texts(split: str | None = None, folder: Path = CORPUS) -> list[tuple[str, str, Path]]:
    """``(name, text, json path)`` of every annotated text in ``folder`` (of one split, when given)."""
    out = []
    for txt in sorted(folder.glob("*.txt")):
        js = txt.with_suffix(".json")
        if split is not None and json.loads(js.read_text(encoding="utf-8")).get("split", "dev") != split:
            continue
        out.append((txt.stem, txt.read_text(encoding="utf-8"), js))
    return out


def evaluate(extract: Callable[[str], list[Found]], split: str | None = None, folder: Path = CORPUS) -> list[TextScore]:
    """Score ``extract`` on every text of ``folder`` (the corpus by default; :data:`REAL` for the real texts)."""
    return [score_text(name, text, js, extract) for name, text, js in corpus_texts(split, folder)]


def _row(label: str, t: Totals) -> str:
    return (f"| {label} | {t.texts} | {t.expected} | {t.found} | {t.matched} | {100 * t.recall:.1f} % | "
            f"{100 * t.precision:.1f} % | {t.background_errors} | {t.claimant_wrong} |")


HEAD = ("| {} | texts | expected | extracted | matched | recall | precision | background errors | claimant wrong |\n"
        "|---|---|---|---|---|---|---|---|---|")


def report(scores: list[TextScore], title: str, *, per_text: bool, misses: bool) -> str:
    lines = [f"## {title}", ""]
    if per_text:
        lines += [HEAD.format("text"), *(_row(f"{s.name} ({s.split})", totals([s])) for s in scores), ""]
    lines.append(HEAD.format("style"))
    for style in sorted({s.style for s in scores}):
        lines.append(_row(style, totals([s for s in scores if s.style == style])))
    for split in sorted({s.split for s in scores}):
        lines.append(_row(f"**{split} texts**", totals([s for s in scores if s.split == split])))
    lines.append(_row("**total**", totals(scores)))
    if misses:
        lines.append("")
        for s in scores:
            for m in s.misses:
                lines.append(f"- {s.name}: MISS {m}")
            for f in s.false:
                lines.append(f"- {s.name}: FALSE {f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("all", *SETS), default="all",
                    help="which texts: the corpus written here, the real published texts, or both (printed apart)")
    ap.add_argument("--split", default=None,
                    help="score only the texts of this split (dev, holdout1..holdout5; real1, real2)")
    ap.add_argument("--misses", action="store_true", help="list every missed and every false claim")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pre-issue-11 extractor")
    ap.add_argument("--no-per-text", action="store_true", help="print only the per-style and total rows")
    a = ap.parse_args(argv)
    base = None if a.no_baseline else baseline_extractor()
    ours = vidtools_extractor()
    titles = {"corpus": "texts written here (tests/data/claims/corpus)",
              "real": "real published texts (tests/data/claims/real)"}
    for name in (SETS if a.set == "all" else (a.set,)):
        scores = evaluate(ours, a.split, SETS[name])
        if not scores:
            continue
        print(report(scores, f"vidtools.extract_claims: {titles[name]}", per_text=not a.no_per_text, misses=a.misses))
        print()
        if a.no_baseline:
            continue
        if base is None:
            print("(baseline extractor not available: no git history)\n")
        else:
            print(report(evaluate(base, a.split, SETS[name]),
                         f"baseline (vidtools/claims.py at {BASELINE_COMMIT}): {titles[name]}",
                         per_text=False, misses=False))
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
