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
* "hit", "struck", "striking", "targeted", "attacked", "engaged", "taking direct hits", "a blow to" -> ``hit``.
* "took down" is read as "took out"; "erupting into flames" as "caught fire"; "met their demise" as
  "destroyed". Nouns with "of" count: "the destruction of a tank", "the elimination of 11 soldiers".
* "captured", "seized", "taken prisoner", "surrendered", "trophy" -> ``captured``.
* "shot down", "downed", "intercepted", "brought down" -> ``shot_down``; for aerial targets (aircraft,
  drones, missiles) also "intercepted and destroyed", "neutralised" and "repelled" (air-defence usage;
  "repelled" says nothing of ground equipment or people).
* "lost", "losses", "the loss of", "minus" (jargon: "minus two tanks") -> ``lost``.
* No outcome word: ``None`` (the text says only that they were there: "a column of 10-15 armoured
  vehicles", "17 launched").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vidtools.claims.lexicon import Lexicon, LexMatch

# (pattern, outcome for personnel, outcome for equipment); tried in this order at one position
_OUTCOME_WORDS: list[tuple[str, str | None, str | None, str | None]] = [
    (r"(?:killed|dead)\s+(?:and/or|or|and)\s+(?:wounded|injured)|(?:wounded|injured)\s+(?:and/or|or|and)\s+(?:killed|dead)",
     "killed_or_injured", "damaged", None),
    ((r"(?:intercept(?:ed|ing|s)?|shot\s+down|downed)\s+(?:and|or)\s+destroy(?:ed|ing|s)?|destroy(?:ed|ing|s)?\s+(?:and|or)\s+"
      r"(?:intercept(?:ed|ing|s)?|shot\s+down|downed)|neutrali[sz]ed\s+or\s+(?:shot\s+down|downed|destroyed)"),
     "killed_or_injured", "destroyed", "shot_down"),
    (r"destroyed\s+(?:and/or|or|and)\s+damaged|damaged\s+(?:and/or|or|and)\s+destroyed|hit\s+(?:and|or)\s+destroyed",
     "killed_or_injured", "damaged", None),
    (r"casualt(?:y|ies)", "killed_or_injured", "damaged", None),
    (r"(?:eliminat|liquidat)(?:ed|ing|es|e|ion)|put\s+out\s+of\s+action", "killed_or_injured", "destroyed", None),
    (r"neutrali[sz](?:ed|ing|es|e|ation)|taken\s+out|took\s+out|(?:take|takes|taking|took|taken)\s+down",
     "killed_or_injured", "damaged", "shot_down"),
    (r"taken\s+prisoner|took\s+prisoner|taken\s+captive|captur(?:ed|ing|es|e)|seized|surrendered|trophy|trophies",
     "captured", "captured", None),
    (r"shot\s+down|shoot(?:ing|s)?\s+down|downed|downing|intercept(?:ed|ing|s)?|brought\s+down", "killed", "shot_down", None),
    (r"repel(?:led|s)?|repuls(?:ed|es)", None, None, "shot_down"),
    ((r"wiped\s+out|blown\s+up|blew\s+up|blow(?:s|ing)?\s+up|brewed\s+up|cooked\s+off|explod(?:ed|es)|torched|smashed|"
      r"wrecked|demolished|incinerated|sank|sunk|sinking|burn(?:ed|t)\s+out|burned\s+down|finish(?:ed|ing)\s+off|"
      r"detonat(?:ed|es|ing)|obliterat(?:ed|ing|es|e)|annihilat(?:ed|ing|es|e)|destruction|"
      r"(?:met|meet|meets|meeting)\s+(?:its|their|his|a)\s+(?:\w+\s+)?demise"), "killed_or_injured", "destroyed", None),
    (r"kill(?:ed|ing|s)?|slain|dead|died|dying|deaths?|fatalit(?:y|ies)|KIA|cargo\s+200|(?:now|are|is|became|went)\s+200",
     "killed", "destroyed", None),
    (r"cargo\s+300|(?:now|are|is|became|went)\s+300", "injured", "damaged", None),
    ((r"injur(?:ed|ing|es|ies|y|e)|wound(?:ed|ing|s)?|hurt|WIA|hospitali[sz]ed|taken\s+to\s+(?:a\s+)?hospital|"
      r"treated\s+(?:at\s+the\s+scene|in\s+hospital|for\s+(?:injuries|wounds))|sought\s+medical\s+(?:help|attention|care)"),
     "injured", "damaged", None),
    (r"destroy(?:ed|ing|s)?|burn(?:ed|t|ing)?", "killed_or_injured", "destroyed", None),
    ((r"damag(?:ed|ing|es|e)|disabled|immobili[sz]ed|knocked\s+out|knock(?:s|ed)?\s+(?:it|them)\s+out|caught\s+fire|"
      r"set\s+(?:on\s+fire|ablaze)|on\s+fire|ablaze|(?:erupt|burst|went|go|goes|going)(?:ed|ing|s)?\s+(?:up\s+)?in(?:to)?\s+flames|"
      r"engulfed\s+in\s+flames|in\s+flames"),
     "injured", "damaged", None),
    ((r"(?:tak(?:ing|es?)|took|taken|receiv(?:ed|ing|es?)|suffer(?:ed|ing|s)?)\s+(?:an?\s+)?(?:direct\s+|several\s+)?hits?|"
      r"blows?\s+to|hit(?:ting|s)?|struck|strik(?:e|es|ing)|target(?:ed|ing|s)|attack(?:ed|ing|s)|engag(?:ed|ing|es|e)|covered"),
     "hit", "hit", None),
    (r"lost|los(?:e|es|ing)|losses|loss|minus|failed\s+to\s+reach\s+(?:their|its)\s+targets?", "lost", "lost", None),
]  # fmt: skip
OUTCOME_ALT = "|".join(f"(?:{p})" for p, *_ in _OUTCOME_WORDS)
"""All outcome words as one alternation without groups (to embed in other patterns)."""
OUTCOME_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<o{i}>{p})" for i, (p, *_) in enumerate(_OUTCOME_WORDS)) + r")(?![\w-])",
    re.IGNORECASE,
)
_NOUN_FORMS = {"strike", "strikes", "hits", "attacks", "attack", "losses", "loss", "deaths", "death", "casualty", "casualties",
               "trophy", "trophies", "fatality", "fatalities", "destruction", "elimination", "liquidation",
               "neutralisation", "neutralization"}  # fmt: skip
NOUN_OF_FORMS = {"destruction", "elimination", "liquidation", "neutralisation", "neutralization", "downing", "capture",
                 "loss", "losses"}  # fmt: skip
"""Outcome nouns that take their object with "of" ("the destruction of a tank", "the loss of two tanks")."""
"""Outcome words that are nouns: not a verb before a number ("after two more strikes")."""


AERIAL_CATEGORIES = ("aircraft",)
"""Categories whose members are aerial targets (with ``other`` of subtype ``munition``: missiles, bombs)."""


def is_aerial(category: str | None, subtype: str | None = None) -> bool:
    """True for an aerial target: an aircraft or drone, or a missile / bomb (``other``/``munition``)."""
    return category in AERIAL_CATEGORIES or (category == "other" and subtype == "munition")


@dataclass(frozen=True)
class Outcome:
    """Outcome words found in the text ("were shot down").

    Attributes:
        start, end, text: Where and what.
        personnel: The outcome for people (None: the words say nothing of people).
        equipment: The outcome for equipment (None: nothing).
        aerial: The outcome for aerial targets when it differs ("neutralised" drones are shot down).
    """

    start: int
    end: int
    text: str
    personnel: str | None
    equipment: str | None
    aerial: str | None = None

    def for_category(self, category: str | None, subtype: str | None = None) -> str | None:
        """The outcome for a subject of ``category`` (people, equipment and aerial targets read some words
        differently); None when the words say nothing of such a subject ("repelled" tanks)."""
        if category == "personnel":
            return self.personnel
        if self.aerial is not None and is_aerial(category, subtype):
            return self.aerial
        return self.equipment


def outcome_at(m: re.Match[str]) -> Outcome:
    _, pers, equip, aerial = _OUTCOME_WORDS[int((m.lastgroup or "o0")[1:])]
    return Outcome(m.start(), m.end(), m.group(), pers, equip, aerial)


_FILMING_RE = re.compile(r"\b(?:video|videos|footage|camera|cameras|clip|clips|recording|image|images|photo|photos|drone\s+cameras?)"
                         r"(?:\s+\w+){0,2}\s*$", re.IGNORECASE)  # fmt: skip
_FILMED_BY_RE = re.compile(r"\s+(?:on|by|in)\s+(?:the\s+)?(?:video|camera|cameras|film|footage|drone\s+cameras?)\b", re.IGNORECASE)


def _filming(text: str, m: re.Match[str]) -> bool:
    """"The video captures the drone's approach", "footage captured by drone cameras": filmed, not seized."""
    if not m.group().lower().startswith("captur"):
        return False
    return bool(_FILMING_RE.search(text, max(0, m.start() - 40), m.start()) or _FILMED_BY_RE.match(text, m.end()))


def find_outcomes(text: str, start: int, end: int) -> tuple[Outcome, ...]:
    """Outcome words in ``text[start:end]`` ("captures" in "the video captures ..." is none)."""
    return tuple(outcome_at(m) for m in OUTCOME_RE.finditer(text, start, end) if not _filming(text, m))


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
            ``sibling`` (a noun left out that the item before it names by reference: "26 of them
            ..., 25 over Bryansk"), or None.
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
    "logistics", "command", "towed", "self-propelled", "armoured", "armored", "multiple", "launch", "operational", "nearby",
    "separate", "teenage", "elderly", "young",
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
    "counterattack", "counterattacks", "counter-attack", "counter-attacks", "counteroffensive", "offensive",
    "city", "cities", "town", "towns", "village", "villages", "settlement", "settlements", "district", "districts",
    "offensives", "clash", "clashes", "engagement", "engagements", "battle", "battles", "region", "regions",
    "oblast", "oblasts", "province", "provinces", "direction", "directions", "sector", "sectors", "nations", "countries",
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
        or any(d in w for d in "-—–")
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


def _compound_ahead(text: str, pos: int, end: int, lexicon: Lexicon) -> bool:
    """A lexicon term after at most one more plain noun ("ministry employees", "cruise missiles")."""
    if _lex_ahead(text, pos, end, lexicon, 0) is not None:
        return True
    j = _skip(text, pos, end)
    tok = _TOKEN_RE.match(text, j, end)
    if tok is None or not re.fullmatch(r"[a-z][a-z\-]+", tok.group()) or tok.group() in _STOP or OUTCOME_RE.fullmatch(tok.group()):
        return False
    return _lex_ahead(text, tok.end(), end, lexicon, 0) is not None


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
    head_lex = lexicon.match(text, j)
    if m_units and (head_lex is None or head_lex.generic):
        j = m_units.end()  # "38 units of military equipment", "several pieces of heavy equipment"
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
            if w in ("and", "or", "&") and not matches[-1].generic:
                nxt = _lex_ahead(text, tok.end(), end, lexicon, 1)
                head = _TOKEN_RE.match(text, _skip(text, nxt.end, end), end) if nxt is not None else None
                if head is not None and head.group().lower() in _CANCEL_HEADS:
                    return Subject(start or j, head.end(), None, None, None, reference, adjectival)  # "drone and missile attack"
                if nxt is not None and nxt.category == matches[-1].category and not nxt.generic:
                    j = tok.end()  # "T-72 and T-80 tanks", "tanks and armored vehicles": one phrase
                    continue
            if w in _CANCEL_HEADS and _lex_ahead(text, tok.end(), end, lexicon, 1) is None:
                return Subject(start or j, tok.end(), None, None, None, reference, adjectival)
            if _is_modifier(tok.group()) and _lex_ahead(text, tok.end(), end, lexicon, 1) is not None:
                j = tok.end()
                continue
            break
        if w in _CANCEL_HEADS and _lex_ahead(text, tok.end(), end, lexicon, 1) is None:
            return Subject(start or j, tok.end(), None, None, None, None)  # "two more strikes", "12 assaults"
        if w in ("and", "or") and start is not None and _lex_ahead(text, tok.end(), end, lexicon, 2) is not None:
            j = tok.end()  # "70 Ukrainian Dragon and Splash drones"
            continue
        if w in _OTHERS:
            reference = reference or "others"
            start = tok.start() if start is None else start
            j = last_end = tok.end()
            continue
        o = OUTCOME_RE.fullmatch(tok.group().rstrip(".!?'’"))
        if o is not None:
            out = outcome_at(o)
            if not is_noun_form(out) and w.endswith(("ed", "en", "wn", "t")) and _lex_ahead(text, tok.end(), end, lexicon):
                adjectival = Outcome(tok.start(), tok.end(), tok.group(), out.personnel, out.equipment, out.aerial)
                j = tok.end()
                continue
            break
        plain_noun = w not in _STOP and not _NUMBER_TOKEN_RE.fullmatch(w) and re.fullmatch(r"[a-z][a-z\-]+", w) is not None
        noun_compound = plain_noun and _compound_ahead(text, tok.end(), end, lexicon)
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
    if head.category == "personnel" and re.fullmatch(r"fighters?", head.text, re.IGNORECASE) and any(m.category == "aircraft" for m in matches):
        head = next(m for m in reversed(matches) if m.category == "aircraft")  # "Su-34 attack fighters"
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
    r"(?:[\"”']|\s*[\[(][^\])\n]{1,80}[\])])?"
    rf"(?P<rel>(?:,?\s+(?:that|which|who)\b|\s+(?:of|from|near|in|on|at|along|outside|over|across|behind|with)\b|"
    r"\s+and\s+other\b|\s+aged\s+\d+(?:\s*(?:,|and|to|-|–)\s*\d+)*|\s+[a-z]+(?:ed|ing)\s+(?:for|to|towards?|at|from|by|over|into|near|on|in)\b)"
    rf"(?:(?!\s(?:and\s+that|no|not|but|while)\b)[^,.;:\d]){{0,90}}?)?(?P<chain>(?:\s+[\"“']?(?:{_AUX}|{_ADV}|[a-z]+ly|(?!(?:killed|injured|wounded|destroyed|damaged|downed|intercepted)\b)[a-z]+ed\s+and))+)\s+[\"“']?(?P<o>(?:{OUTCOME_ALT}))(?![\w-])",
    re.IGNORECASE,
)
_PASSIVE_AUX = {"were", "was", "are", "is", "be", "been", "being", "got", "get", "gets"}
PERSONNEL_WORDS = re.compile(r"dead|died|dying|deaths?|wound\w*|injur\w*|hurt|casualt\w*|kill\w*|KIA|WIA|slain|.*\b[23]00|"
                             r"hospitali[sz]ed|taken\s+to.*hospital|treated.*|sought.*",
                             re.IGNORECASE)  # fmt: skip
"""Outcome words that only people suffer (a number with no noun and one of these counts people)."""


def post_outcome(text: str, pos: int, end: int) -> Outcome | None:
    """A passive right after ``pos``: "were also hit", "of various types were shot down",
    "that was following the column was also hit"."""
    m = _POST_AUX_RE.match(text, pos, end)
    if not m:
        return None
    chain = m.group("chain").lower().replace("\"", " ").replace("“", " ").split()
    if not any(w in _PASSIVE_AUX for w in chain) or any(w in ("not", "never") for w in chain):
        return None  # no passive, or a negated one ("the drones that were not destroyed")
    o = OUTCOME_RE.match(text, m.start("o"), end)
    if o is None or _filming(text, o):
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
        if o is not None and _filming(text, o):
            return None
        if o is not None:
            out = outcome_at(o)
            if is_noun_form(out) or out.text.lower().endswith("ing"):
                return None
            after = text[o.end() : o.end() + 14]
            if re.match(r"\s+(?:\d|an?\b|the\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b|its\b|"
                        r"their\b|his\b|her\b|our\b|several\b|some\b|dozens\b|many\b|all\b|both\b|these\b|those\b)", after, re.IGNORECASE):
                return None  # an active verb with its own object: "... the unit destroyed three tanks"
            obj = re.match(r"\s+(?!(?:after|before|by|in|on|at|when|while|as|and|but|or|with|from|during)\b)[\w\"“]", after)
            if re.search(r"\bto\s+$", text[max(pos, o.start() - 6) : o.start()]) and obj:
                return None  # "several managed to hit Kryvyi Rih": what they did, not what happened to them
            if o.group()[:1].islower() and re.match(r"\s+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][a-z]", after):
                return None  # "the Shaheds targeted Dnipropetrovsk Oblast": an active verb with a named object
            return out
        tok = re.compile(r"[\w'’\-]+").match(text, m.end(), end)
        if tok is None or re.fullmatch(r"\d.*|and|or|but|by|that|which|who|while|said|says|was|were|is|are|it|they|he|she|we|"
                                       r"before|after|until|when|as|once", tok.group(), re.IGNORECASE):  # fmt: skip
            return None
        j = tok.end()
    return None
