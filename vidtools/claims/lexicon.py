"""The lexicon: equipment names and jargon -> claim categories, read from YAML data files.

The built-in data is ``lexicon.yaml`` beside this module (its header documents the format). A user
file in the same format extends it (:func:`load_lexicon`); its entries are tried first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vidtools.errors import ClaimsError
from vidtools.taxonomy import KNOWN_CATEGORIES, OTHER

_CATEGORIES = (*KNOWN_CATEGORIES, OTHER)
_WORD_START_RE = re.compile(r"(?<![\w-])\w")


@dataclass(frozen=True)
class Term:
    """One lexicon term: ``"T-72*"`` -> ``armored_vehicle`` / ``tank``."""

    text: str
    category: str | None
    subtype: str | None = None


@dataclass(frozen=True)
class LexMatch:
    """A lexicon term found in a text.

    Attributes:
        start, end: Character span (end exclusive).
        text: The words as written ("T-90M", "air defence systems").
        category: Its category; None for a generic word ("systems") with no category of its own.
        subtype: Its subtype, if the lexicon gives one.
        generic: The word is generic ("system", "launcher", "position"): after a category word
            it keeps that word's category.
        name: The term is a model name or jargon ("T-72*", "HIMARS", "Kozak"), not a plain noun.
    """

    start: int
    end: int
    text: str
    category: str | None
    subtype: str | None
    generic: bool
    name: bool = False


def _term_pattern(term: str) -> str:
    """Regular expression for one term (see the format notes in lexicon.yaml)."""
    star = term.endswith("*")
    stem = term[:-1] if star else term
    parts = []
    for ch in stem:
        if ch == " ":
            parts.append(r"(?:\s+|[-‐‑]\s*)")  # "armored fighting vehicle" also matches "armored-fighting vehicle"
        elif ch in "-‐‑":
            parts.append(r"[-‐‑ ]?")
        else:
            parts.append(re.escape(ch))
    rx = "".join(parts)
    if star:
        if stem[-1:].isdigit():
            rx += r"(?:[A-Za-z0-9]+)?(?:-[A-Za-z0-9]+)*"
        else:
            rx += r"(?:-?[0-9][A-Za-z0-9]*|-[A-Za-z0-9]+)*"
    return rx + r"(?:e?s)?"


@dataclass(frozen=True)
class Lexicon:
    """Terms -> categories, compiled into one regular expression.

    Attributes:
        terms: Every term, in the order they are tried at one position (longest first).
        generic: Generic words, lower case ("system", "launcher").
        sources: Where the terms came from (the built-in file, then user files).
    """

    terms: tuple[Term, ...]
    generic: frozenset[str]
    sources: tuple[str, ...]
    _rx: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one expression per first letter: a match is tried only against the terms that can start there
        buckets: dict[str, list[str]] = {}
        for i, t in enumerate(self.terms):
            buckets.setdefault(t.text[:1].lower(), []).append(f"(?P<t{i}>{_term_pattern(t.text)})")
        compiled = {k: re.compile(rf"(?<![\w-])(?:{'|'.join(v)})(?![\w])(?!-\w)", re.IGNORECASE) for k, v in buckets.items()}
        object.__setattr__(self, "_rx", compiled)

    def match(self, text: str, pos: int) -> LexMatch | None:
        """The term that starts exactly at ``pos``, or None."""
        rx = self._rx.get(text[pos : pos + 1].lower())
        m = rx.match(text, pos) if rx is not None else None
        return self._lex(m) if m else None

    def find_all(self, text: str, start: int = 0, end: int | None = None) -> tuple[LexMatch, ...]:
        """Every term in ``text[start:end]``, left to right, not overlapping."""
        end = len(text) if end is None else end
        out: list[LexMatch] = []
        pos = start
        for w in _WORD_START_RE.finditer(text, start, end):
            if w.start() < pos:
                continue
            rx = self._rx.get(w.group().lower())
            m = rx.match(text, w.start(), end) if rx is not None else None
            if m:
                out.append(self._lex(m))
                pos = m.end()
        return tuple(out)

    def _lex(self, m: re.Match[str]) -> LexMatch:
        term = self.terms[int((m.lastgroup or "t0")[1:])]
        word = term.text.rstrip("*").lower()
        name = any(ch.isdigit() or ch.isupper() for ch in term.text)
        return LexMatch(m.start(), m.end(), m.group(), term.category, term.subtype, word in self.generic, name)


def _parse(data: Any, source: str) -> tuple[list[Term], list[str]]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ClaimsError(f"{source}: expected 'entries: [{{category: ..., terms: [...]}}, ...]' (see the built-in lexicon.yaml)")
    terms: list[Term] = []
    for i, e in enumerate(data["entries"], 1):
        where = f"{source}: entry {i}"
        if not isinstance(e, dict):
            raise ClaimsError(f"{where}: must be a mapping with 'category' and 'terms'")
        cat = e.get("category")
        if cat not in _CATEGORIES:
            raise ClaimsError(f"{where}: 'category' must be one of {', '.join(_CATEGORIES)}, got {cat!r}")
        sub = e.get("subtype")
        if sub is not None and not isinstance(sub, str):
            raise ClaimsError(f"{where}: 'subtype' must be a string")
        words = e.get("terms")
        if not isinstance(words, list) or not words or not all(isinstance(w, (str, int)) for w in words):
            raise ClaimsError(f"{where}: 'terms' must be a non-empty list of strings")
        terms += [Term(str(w).strip(), cat, sub) for w in words if str(w).strip().rstrip("*")]
    generic = data.get("generic", [])
    if not isinstance(generic, list) or not all(isinstance(w, str) for w in generic):
        raise ClaimsError(f"{source}: 'generic' must be a list of words")
    return terms, [w.strip().lower() for w in generic]


def _build(parts: list[tuple[list[Term], list[str], str]]) -> Lexicon:
    terms: list[Term] = []
    generic: set[str] = set()
    for t, g, _ in parts:
        terms += t
        generic.update(g)
    known = {t.text.rstrip("*").lower() for t in terms}
    terms += [Term(w, None) for w in sorted(generic) if w not in known]
    # longest first; at equal length, earlier files and entries first (a stable sort keeps them)
    ordered = sorted(terms, key=lambda t: -len(t.text.rstrip("*")))
    return Lexicon(tuple(ordered), frozenset(generic), tuple(src for _, _, src in parts))


def _read_yaml(text: str, source: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise ClaimsError(f"{source}: not valid YAML ({e.__class__.__name__}); fix the file") from None


@functools.lru_cache(maxsize=1)
def _builtin() -> tuple[list[Term], list[str], str]:
    text = resources.files("vidtools.claims").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    terms, generic = _parse(_read_yaml(text, "built-in lexicon.yaml"), "built-in lexicon.yaml")
    return terms, generic, "built-in"


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The built-in lexicon (compiled once per process; the value is immutable)."""
    return _build([_builtin()])


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """The built-in lexicon extended by a user YAML file (its entries are tried first).

    Args:
        path: A YAML file in the format of the built-in ``lexicon.yaml``; None = built-in only.

    Raises:
        ClaimsError: the file is missing, not YAML, or breaks the format (the message names the
            file and the entry).
    """
    if path is None:
        return default_lexicon()
    p = Path(path)
    if not p.is_file():
        raise ClaimsError(f"{p}: lexicon file not found; pass --lexicon PATH to a YAML file like the built-in lexicon.yaml")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ClaimsError(f"{p}: not UTF-8 text; save the lexicon as UTF-8") from None
    terms, generic = _parse(_read_yaml(text, str(p)), str(p))
    return _build([(terms, generic, str(p)), _builtin()])
