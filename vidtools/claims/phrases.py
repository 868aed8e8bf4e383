"""Subjects and outcomes: the noun phrase a number counts, and the words that say what happened.

Outcome rules (never stronger than the text):

* personnel: "killed", "dead", "died", "KIA" -> ``killed``; "wounded", "injured" -> ``injured``;
  "casualties", "killed and/or wounded" -> ``killed_or_injured``. "Eliminated", "liquidated",
  "neutralised", "put out of action" and "destroyed" in losses statements count people put out of
  action, which includes the wounded: ``killed_or_injured``, never ``killed``.
* equipment: "destroyed", "burned out", "blown up", "wiped out", "finished off", "detonated",
  "eliminated", "liquidated", "killed" -> ``destroyed``; "damaged", "disabled", "immobilised",
  "knocked out", "neutralised", "caught fire", "wounded" -> ``damaged``; "destroyed or damaged" ->
  ``damaged`` (the weaker of the two).
* "hit", "struck", "striking", "targeted", "attacked", "engaged" -> ``hit``.
* "captured", "seized", "taken prisoner", "surrendered", "trophy" -> ``captured``.
* "shot down", "downed", "intercepted", "brought down" -> ``shot_down``.
* "lost", "losses", "the loss of", "minus" (jargon: "minus two tanks") -> ``lost``.
* No outcome word: ``None`` (the text says only that they were there: "a column of 10-15 armoured
  vehicles", "17 launched").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vidtools.claims.lexicon import Lexicon, LexMatch

# (pattern, outcome for personnel, outcome for equipment); tried in this order at one position
_OUTCOME_WORDS: list[tuple[str, str, str]] = [
    (r"(?:killed|dead)\s+(?:and/or|or|and)\s+(?:wounded|injured)|(?:wounded|injured)\s+(?:and/or|or|and)\s+(?:killed|dead)",
     "killed_or_injured", "damaged"),
    (r"destroyed\s+(?:and/or|or|and)\s+damaged|damaged\s+(?:and/or|or|and)\s+destroyed|hit\s+(?:and|or)\s+destroyed",
     "killed_or_injured", "damaged"),
    (r"casualt(?:y|ies)", "killed_or_injured", "damaged"),
    (r"(?:eliminat|liquidat)(?:ed|ing|es|e)|put\s+out\s+of\s+action", "killed_or_injured", "destroyed"),
    (r"neutrali[sz](?:ed|ing|es|e)|taken\s+out|took\s+out", "killed_or_injured", "damaged"),
    (r"taken\s+prisoner|took\s+prisoner|taken\s+captive|captur(?:ed|ing|es|e)|seized|surrendered|trophy|trophies",
     "captured", "captured"),
    (r"shot\s+down|shoot(?:ing|s)?\s+down|downed|intercept(?:ed|ing|s)?|brought\s+down", "killed", "shot_down"),
    ((r"wiped\s+out|blown\s+up|blew\s+up|brewed\s+up|cooked\s+off|explod(?:ed|es)|torched|smashed|wrecked|demolished|"
      r"incinerated|sank|sunk|sinking|burn(?:ed|t)\s+out|burned\s+down|finish(?:ed|ing)\s+off|detonat(?:ed|es|ing)|"
     r"obliterat(?:ed|ing|es|e)|annihilat(?:ed|ing|es|e)"), "killed_or_injured", "destroyed"),
    (r"kill(?:ed|ing|s)?|slain|dead|died|dying|deaths?|fatalit(?:y|ies)|KIA|cargo\s+200|(?:now|are|is|became|went)\s+200",
     "killed", "destroyed"),
    (r"cargo\s+300|(?:now|are|is|became|went)\s+300", "injured", "damaged"),
    (r"injur(?:ed|ing|es|ies|y|e)|wound(?:ed|ing|s)?|hurt|WIA", "injured", "damaged"),
    (r"destroy(?:ed|ing|s)?|burn(?:ed|t|ing)?", "killed_or_injured", "destroyed"),
    (r"damag(?:ed|ing|es|e)|disabled|immobili[sz]ed|knocked\s+out|knock(?:s|ed)?\s+(?:it|them)\s+out|caught\s+fire|set\s+(?:on\s+fire|ablaze)|on\s+fire|ablaze",
     "injured", "damaged"),
    (r"hit(?:ting|s)?|struck|strik(?:e|es|ing)|target(?:ed|ing|s)|attack(?:ed|ing|s)|engag(?:ed|ing|es|e)|covered", "hit", "hit"),
    (r"lost|los(?:e|es|ing)|losses|loss|minus", "lost", "lost"),
]  # fmt: skip
OUTCOME_ALT = "|".join(f"(?:{p})" for p, _, _ in _OUTCOME_WORDS)
"""All outcome words as one alternation without groups (to embed in other patterns)."""
OUTCOME_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<o{i}>{p})" for i, (p, _, _) in enumerate(_OUTCOME_WORDS)) + r")(?![\w-])",
    re.IGNORECASE,
)
_NOUN_FORMS = {"strike", "strikes", "hits", "attacks", "attack", "losses", "loss", "deaths", "death", "casualty",
               "trophy", "trophies", "fatality", "fatalities"}  # fmt: skip
"""Outcome words that are nouns: not a verb before a number ("after two more strikes")."""


@dataclass(frozen=True)
class Outcome:
    """Outcome words found in the text ("were shot down")."""

    start: int
    end: int
    text: str
    personnel: str
    equipment: str

    def for_category(self, category: str | None) -> str:
        """The outcome for a subject of ``category`` (people and equipment read some words differently)."""
        return self.personnel if category == "personnel" else self.equipment


def outcome_at(m: re.Match[str]) -> Outcome:
    _, pers, equip = _OUTCOME_WORDS[int((m.lastgroup or "o0")[1:])]
    return Outcome(m.start(), m.end(), m.group(), pers, equip)


def find_outcomes(text: str, start: int, end: int) -> tuple[Outcome, ...]:
    """Outcome words in ``text[start:end]``."""
    return tuple(outcome_at(m) for m in OUTCOME_RE.finditer(text, start, end))


def is_noun_form(o: Outcome) -> bool:
    return o.text.lower() in _NOUN_FORMS


@dataclass(frozen=True)
class Subject:
    """The noun phrase a number counts.

    Attributes:
        start, end: Its span ("nearly intact T-90M").
        category, subtype: From the head lexicon term; None when it has none.
        equipment: The specific term as written ("T-90M"), when one matched.
        reference: How it refers back instead of naming a kind: ``others`` ("47 others", "three
            more"), ``partitive`` ("one of the tanks", "of them"), ``generic`` ("both systems"),
            or None.
        adjectival: An outcome participle inside the phrase ("five destroyed BMP-3s").
        unknown: The head is a noun the lexicon does not know ("141 areas", "35 attackers").
    """

    start: int
    end: int
    category: str | None
    subtype: str | None
    equipment: str | None
    reference: str | None = None
    adjectival: Outcome | None = None
    unknown: bool = False


_AUX_WORDS = {"were", "was", "are", "is", "be", "been", "being", "had", "has", "have", "will", "would", "could", "got"}
_STOP = {
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "from", "by", "with", "without",
    "near", "around", "during", "after", "before", "since", "for", "as", "into", "onto", "over", "under",
    "across", "along", "toward", "towards", "while", "whereas", "that", "which", "who", "whom", "whose",
    "where", "when", "was", "were", "is", "are", "be", "been", "being", "had", "has", "have", "did", "do",
    "does", "will", "would", "could", "should", "may", "might", "must", "can", "this", "these", "those",
    "its", "their", "his", "her", "our", "it", "they", "he", "she", "we", "not", "no", "per", "than", "if",
    "so", "yet", "only", "there", "here", "what", "said", "says", "according", "inside", "outside", "within",
    "between", "among", "amid", "against", "through", "via", "out", "up", "down", "off", "each", "every",
    "including", "such", "like", "about", "because", "although", "though", "however", "also", "reportedly",
    "allegedly", "plus", "then", "today", "yesterday", "overnight", "tonight", "daily", "a day", "alone",
    "all", "both", "either", "more", "other", "others",
}  # fmt: skip
_OTHERS = {"others", "more", "other", "additional", "further", "remaining"}
_ADJECTIVES = {
    "intact", "new", "old", "modern", "enemy", "light", "heavy", "main", "mobile", "unmanned", "various", "military",
    "combat", "fighting", "small", "large", "latest", "foreign", "western", "soviet", "reconnaissance", "attack",
    "strike", "assault", "support", "supply", "cargo", "utility", "transport", "wheeled", "tracked", "rocket",
    "missile", "air", "anti-aircraft", "anti-tank", "field", "combat-ready", "brand", "ammunition", "fuel",
    "logistics", "command", "towed", "self-propelled", "armoured", "armored", "multiple", "launch", "operational",
    "tactical", "guided", "loitering", "kamikaze", "electronic", "warfare", "defence", "defense", "radar", "naval",
    "surface", "landing", "patrol", "unarmoured", "fpv", "heavy-duty", "long-range", "short-range", "medium",
}  # fmt: skip
_ADJ_ENDINGS = ("ly", "ed", "en", "al", "ic", "ive", "ian", "ese", "ish", "ern", "ary", "ous", "ful", "less", "ble", "ant",
                "ent", "-made", "-built", "-supplied")  # fmt: skip
_CANCEL_HEADS = {
    "strike", "strikes", "attack", "attacks", "assault", "assaults", "raid", "raids", "sortie", "sorties", "mission",
    "missions", "fire", "video", "videos", "footage", "factory", "factories", "plant", "plants", "repair", "repairs",
    "parts", "production", "wave", "waves", "brigade", "brigades", "battalion", "battalions", "regiment", "regiments",
    "company", "companies", "group", "groups", "team", "teams", "pilots", "hunter", "hunters", "destroyer",
    "destroyers", "course", "courses", "training", "program", "programme", "times", "occasions", "degrees",
}  # fmt: skip
_TOKEN_RE = re.compile(r"[^\s,;:()\[\]\"“”]+")
_SPACE_RE = re.compile(r"[ \t\u00a0\"“”]*")
_NUMBER_TOKEN_RE = re.compile(r"[\d.,]+|(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen)", re.IGNORECASE)


def _skip(text: str, pos: int, end: int) -> int:
    """Skip spaces and quotes; a single line break only inside wrapped prose (a long line)."""
    m = _SPACE_RE.match(text, pos, end)
    p = m.end() if m else pos
    if p < end and text[p] == "\n":
        line_start = text.rfind("\n", 0, p) + 1
        if p - line_start >= 60:
            m = _SPACE_RE.match(text, p + 1, end)
            return m.end() if m else p + 1
    return p


def _is_modifier(tok: str) -> bool:
    """A word that may stand between a number and its noun ("nearly intact", "US-made", "155-mm")."""
    w = tok.lower().strip(".'’")
    if w in _STOP or _NUMBER_TOKEN_RE.fullmatch(w):
        return False
    return (
        w.endswith(("'s", "’s"))
        or any(c.isdigit() for c in w)
        or "-" in w
        or tok[:1].isupper()
        or w in _ADJECTIVES
        or w.endswith(_ADJ_ENDINGS)
    )


def _lex_ahead(text: str, pos: int, end: int, lexicon: Lexicon, tokens: int = 2) -> LexMatch | None:
    """A lexicon term within ``tokens`` modifier words after ``pos``."""
    j = pos
    for _ in range(tokens + 1):
        j = _skip(text, j, end)
        lex = lexicon.match(text, j)
        if lex is not None:
            return lex
        tok = _TOKEN_RE.match(text, j, end)
        if tok is None or not _is_modifier(tok.group()) or OUTCOME_RE.fullmatch(tok.group()):
            return None
        j = tok.end()
    return None


def subject_after(text: str, pos: int, end: int, lexicon: Lexicon) -> Subject | None:
    """The noun phrase right after a number ending at ``pos``, not beyond ``end``.

    Up to four modifier words may stand before the head ("two heavily armoured BMP-3s", "a
    155-mm M777 howitzer"); consecutive lexicon terms form one compound whose last non-generic
    term decides the category ("HIMARS rocket launcher projectiles" -> other, "Pantsir-S1
    systems" -> air_defense). A noun such as "strikes" or "waves" after the terms leaves the
    phrase with no category ("artillery strikes").
    """
    j = _skip(text, pos, end)
    reference: str | None = None
    m_of = re.compile(r"(?:out\s+)?of\s+(?:(?P<them>them|those|these)\b|(?P<det>the|their|its|our|these|his|her)\s+)?",
                      re.IGNORECASE).match(text, j, end)  # fmt: skip
    if m_of:
        if m_of.group("them"):
            return Subject(j, m_of.end(), None, None, None, "partitive")
        if m_of.group("det"):
            reference = "partitive"
        elif _NUMBER_TOKEN_RE.match(text, _skip(text, m_of.end(), end)):
            return None  # "26 of 29 drones": the second number has the noun
        j = m_of.end()
    m_units = re.compile(r"(?:units|pieces|items|types)\s+of\s+", re.IGNORECASE).match(text, j, end)
    if m_units and not lexicon.match(text, j):
        j = m_units.end()
    start = None
    matches: list[LexMatch] = []
    adjectival: Outcome | None = None
    modifiers = 0
    last_end = j
    while j < end:
        j = _skip(text, j, end)
        if j >= end:
            break
        lex = lexicon.match(text, j)
        if lex is not None:
            if start is None:
                start = lex.start
            matches.append(lex)
            j = last_end = lex.end
            continue
        tok = _TOKEN_RE.match(text, j, end)
        if tok is None:
            break
        w = tok.group().lower().strip(".'’")
        if matches:
            if w in _CANCEL_HEADS and _lex_ahead(text, tok.end(), end, lexicon, 1) is None:
                return Subject(start or j, tok.end(), None, None, None, reference, adjectival)
            if _is_modifier(tok.group()) and _lex_ahead(text, tok.end(), end, lexicon, 1) is not None:
                j = tok.end()
                continue
            break
        if w in _CANCEL_HEADS and _lex_ahead(text, tok.end(), end, lexicon, 1) is None:
            return Subject(start or j, tok.end(), None, None, None, None)  # "two more strikes", "12 assaults"
        if w in _OTHERS:
            reference = reference or "others"
            start = tok.start() if start is None else start
            j = last_end = tok.end()
            continue
        o = OUTCOME_RE.fullmatch(tok.group().rstrip(".!?'’"))
        if o is not None:
            out = outcome_at(o)
            if not is_noun_form(out) and w.endswith(("ed", "en", "wn", "t")) and _lex_ahead(text, tok.end(), end, lexicon):
                adjectival = Outcome(tok.start(), tok.end(), tok.group(), out.personnel, out.equipment)
                j = tok.end()
                continue
            break
        plain_noun = w not in _STOP and not _NUMBER_TOKEN_RE.fullmatch(w) and re.fullmatch(r"[a-z][a-z\-]+", w) is not None
        noun_compound = plain_noun and _lex_ahead(text, tok.end(), end, lexicon, 0) is not None
        if modifiers >= 4 or not (_is_modifier(tok.group()) or noun_compound):
            if plain_noun and reference in (None, "others") and not w.endswith("ing") and w not in _AUX_WORDS:
                # a noun the lexicon does not know ("two more waves", "141 areas", "35 attackers")
                return Subject(start or j, tok.end(), None, None, None, None, adjectival, unknown=True)
            break
        if start is None:
            start = tok.start()
        modifiers += 1
        j = tok.end()
    if not matches:
        if reference == "others":
            return Subject(start or pos, last_end, None, None, None, "others", adjectival)
        return None if reference is None else Subject(pos, j, None, None, None, reference, adjectival)
    head = matches[-1]
    specific = [m for m in matches if not m.generic and m.category is not None]
    if head.generic and specific:
        head = specific[-1]
    if reference == "partitive" and len(matches) == 1 and head.text.lower().rstrip("s") in ("vehicle", "system", "target", "launcher"):
        return Subject(start or pos, last_end, None, None, None, "partitive", adjectival)  # "five of the vehicles"
    if head.category is None:
        return Subject(start or pos, last_end, None, None, None, "generic" if reference is None else reference, adjectival)
    equipment = next((m.text for m in matches if m.category == head.category and m.name), None)
    subtype = next((m.subtype for m in reversed(matches) if m.category == head.category and m.subtype), None)
    return Subject(start or pos, last_end, head.category, subtype, equipment, reference, adjectival)


_LABEL_SEP_RE = re.compile(r"[ \t]*[—‒–:\-=][ \t]*(?:[\"'“])?$")


def label_before(text: str, num_start: int, seg_start: int, lexicon: Lexicon) -> Subject | None:
    """The label of a list item "tanks — 19", "Personnel: 412", "MLRS ‒ 2" that ends just before a number."""
    sep = _LABEL_SEP_RE.search(text, max(seg_start, num_start - 6), num_start)
    if sep is None:
        return None
    bounds = [seg_start, text.rfind("\n", 0, sep.start()) + 1, text.rfind(";", 0, sep.start()) + 1]
    if text[sep.start() : sep.end()].strip() != ":":
        bounds.append(text.rfind(":", 0, sep.start()) + 1)
    lo = max(bounds)
    found = [m for m in lexicon.find_all(text, lo, sep.start()) if m.category is not None]
    if not found or len(text[found[-1].end : sep.start()].split()) > 3:
        return None
    specific = [m for m in found if not m.generic] or found
    head = specific[-1]
    return Subject(found[0].start, found[-1].end, head.category, head.subtype, head.text if head.name else None)


# --------------------------------------------------------------------------------------------
# outcome words after a noun phrase
# --------------------------------------------------------------------------------------------

_AUX = r"were|was|are|is|be|been|being|got|get|gets|have|has|had|will|would|may|might|could"
_ADV = (
    r"also|reportedly|allegedly|successfully|completely|fully|totally|partially|partly|all|both|later|"
    r"subsequently|eventually|then|confirmed|likely|probably|possibly|badly|seriously|critically|lightly|"
    r"severely|instantly|immediately|already|just|previously|presumably|apparently|reliably|effectively|"
    r"directly|additionally|mortally|heavily|not|either|each|too|quickly|almost|nearly|finally|locally"
)
_POST_AUX_RE = re.compile(
    rf"(?P<rel>(?:,?\s+(?:that|which|who)\b|\s+(?:of|from|near|in|on|at|along|outside|over|across|behind|with)\b)"
    rf"[^,.;:\d]{{0,60}}?)?(?P<chain>(?:\s+[\"“']?(?:{_AUX}|{_ADV}|[a-z]+ly))+)\s+[\"“']?(?P<o>(?:{OUTCOME_ALT}))(?![\w-])",
    re.IGNORECASE,
)
_PASSIVE_AUX = {"were", "was", "are", "is", "be", "been", "being", "got", "get", "gets"}
PERSONNEL_WORDS = re.compile(r"dead|died|dying|deaths?|wound\w*|injur\w*|hurt|casualt\w*|kill\w*|KIA|WIA|slain|.*\b[23]00",
                             re.IGNORECASE)  # fmt: skip
"""Outcome words that only people suffer (a number with no noun and one of these counts people)."""


def post_outcome(text: str, pos: int, end: int) -> Outcome | None:
    """A passive right after ``pos``: "were also hit", "of various types were shot down",
    "that was following the column was also hit"."""
    m = _POST_AUX_RE.match(text, pos, end)
    if not m:
        return None
    chain = m.group("chain").lower().replace("\"", " ").replace("“", " ").split()
    if not any(w in _PASSIVE_AUX for w in chain):
        return None
    o = OUTCOME_RE.match(text, m.start("o"), end)
    if o is None:
        return None
    out = outcome_at(o)
    return None if is_noun_form(out) else out


def bare_outcome(text: str, pos: int, end: int) -> Outcome | None:
    """A participle shortly after the noun phrase: "30 killed", "a Ural truck with ammunition hit",
    "The tank burned out" (no comma, conjunction or other number in between)."""
    j = pos
    for _ in range(4):
        m = re.compile(r"[ \t]+\(?").match(text, j, end)
        if not m:
            return None
        o = OUTCOME_RE.match(text, m.end(), end)
        if o is not None:
            out = outcome_at(o)
            if is_noun_form(out) or out.text.lower().endswith("ing"):
                return None
            after = text[o.end() : o.end() + 12]
            if re.match(r"\s+(?:\d|an?\b|the\b|two\b|three\b|its\b|their\b)", after, re.IGNORECASE):
                return None  # an active verb with its own object: "... the unit destroyed three tanks"
            return out
        tok = re.compile(r"[\w'’\-]+").match(text, m.end(), end)
        if tok is None or re.fullmatch(r"\d.*|and|or|but|by|that|which|who|while|said|says|was|were", tok.group(), re.IGNORECASE):
            return None
        j = tok.end()
    return None
