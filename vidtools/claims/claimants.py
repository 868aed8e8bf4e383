"""Claimants: who makes a claim ("the brigade said", "according to HUR", "…agency, HUR, said").

Rules: "X said/says/claimed/reported/…", "X claim(s) to …" (headlines), "according to X", "…, said
X", an appositive "…agency, HUR, said" (the name, not the description), "X, for its part, said",
"X … dismissed the claim, saying …", "posted by X", and a "Source: X" line (for the whole text).
"It/he/she/they said" refers to the last named claimant. Months and weekdays are never claimants.
When no rule fits, there is no claimant: none is better than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERBS = (
    r"said|says|say|claimed|claims|claim|claiming|reported|reports|report|stated|states|announced|announces|"
    r"wrote|writes|posted|posts|added|adds|told|tells|noted|notes|alleged|alleges|asserted|asserts|insisted|"
    r"insists|confirmed|confirms|boasted|estimated|estimates|published|explained|explains|documented|"
    r"assessed|assesses|saying|adding|noting|stressing|warning|warned|warns|shared|shares|described|describes|"
    r"reads|went\s+on|continued|showed|shows"
)
_VERB_RE = re.compile(rf"\b(?P<v>{_VERBS})\b", re.IGNORECASE)
_PARTICIPLES = {"saying", "adding", "noting", "stressing", "warning", "claiming"}
_NOUN_USES = {"claims", "claim", "reports", "report", "states", "estimates", "notes", "posts", "says"}
_SKIP_BEFORE = {"has", "have", "had", "also", "later", "previously", "earlier", "separately", "further", "again",
                "then", "now", "on", "today", "yesterday"}  # fmt: skip
_PASSIVE = {"were", "was", "is", "are", "be", "been", "being"}
_NAME_WORDS = {
    "ministry", "defence", "defense", "brigade", "battalion", "regiment", "army", "military", "command",
    "commander", "commanders", "staff", "general", "forces", "force", "press", "service", "spokesman",
    "spokeswoman", "spokesperson", "officials", "official", "authorities", "governor", "head", "analysts",
    "analyst", "monitors", "observers", "bloggers", "blogger", "milbloggers", "milblogger", "channel",
    "channels", "unit", "units", "group", "intelligence", "police", "administration", "mayor", "of", "the",
    "for", "and", "local", "regional", "national", "state", "operators", "drone", "air", "assault",
    "mechanised", "mechanized", "separate", "territorial", "guard", "border", "navy", "war", "correspondents",
    "correspondent", "journalists", "journalist", "reporters", "reporter", "sources", "source", "agency", "news",
    "media", "outlet", "officer", "officers", "soldiers", "a", "an", "its", "their", "corps", "division",
    "center", "centre", "office", "department", "minister", "chief", "representative", "representatives",
    "team", "volunteers", "investigators", "estimates", "southern", "eastern", "northern", "western",
    "central", "marine", "airborne", "motorised", "motorized", "mountain", "infantry", "operational",
    "strategic", "country's", "military's", "ministry's", "brigade's", "army's", "prosecutors", "prosecutor",
    "prosecutor's", "emergency", "services",
}  # fmt: skip
_NEVER = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "since", "in", "on",
    "video", "footage", "data", "information", "figures", "statistics", "count", "counts", "glory", "telegram",
    "facebook", "twitter", "x", "youtube", "instagram", "tiktok", "vk",
}  # fmt: skip
_STRIP_LEADING = {"meanwhile", "however", "separately", "earlier", "later", "also", "additionally", "moreover",
                  "furthermore", "and", "but", "while", "whereas", "then", "today", "yesterday", "overnight",
                  "of", "the", "a", "an", "for", "its", "their", "so", "thus", "in", "on", "at", "both", "as"}  # fmt: skip
_PRONOUNS = {"it", "they", "he", "she", "we", "his", "her", "its", "their"}
_DOC_NOUNS = {"statement", "post", "report", "release", "message", "update", "summary", "bulletin", "video",
              "caption", "communique", "briefing"}  # fmt: skip
_TOKEN_RE = re.compile(r"[A-Za-z0-9][\w'’.\-]*|[^\sA-Za-z0-9]")
_PARENTHETICAL_RE = re.compile(r",\s*(?:for\s+its\s+part|for\s+their\s+part|in\s+turn|meanwhile|however|too|also)\s*,\s*$",
                               re.IGNORECASE)  # fmt: skip
_APPOSITIVE_RE = re.compile(r"(?P<name>[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*)*),\s+(?:an?|the)\s+[^,]{2,80},\s*"
                            r"(?:(?:has|have|had)\s+)?$")  # fmt: skip
_INVERTED_END_RE = re.compile(r"\s*(?:$|[,.;:!?)(\"”'’—–]|(?:on|in|at|late|earlier|later|today|yesterday|last|this|overnight)\b)",
                             re.IGNORECASE)  # fmt: skip
"""What may follow the name of an inverted "..., said the brigade" (not a verb: "..., said Kiev lost ...")."""
_DATELINE_RE = re.compile(r"[A-Z][A-Z .'\-]+,\s+\w+\.?\s+\d{1,2}\s*(?:\([^)]*\))?\s*[-–—]\s*")
_ACCORDING_RE = re.compile(r"\baccording\s+to\s+", re.IGNORECASE)
_BY_RE = re.compile(r"\b(?:posted|published|released|issued)\s+by\s+", re.IGNORECASE)
SOURCE_LINE_RE = re.compile(r"^\W{0,3}Source\s*:\s*(?P<name>.+?)\.?\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Attribution:
    """One attribution in a segment.

    Attributes:
        pos: Where it is (the verb, or "according to").
        name: The claimant as written, None for a pronoun ("it said": the last named claimant).
        verb: The verb ("said", "according to").
    """

    pos: int
    name: str | None
    verb: str


def _is_name_word(w: str) -> bool:
    base = re.sub(r"['’]s$", "", w).lower()
    if base in _NEVER or w.lower() in _NEVER:
        return False
    return w[:1].isupper() or base in _NAME_WORDS or w.lower() in _NAME_WORDS or bool(re.fullmatch(r"\d+(?:st|nd|rd|th)", w))


def _clean(words: list[str]) -> str | None:
    while words and (words[0].lower() in _STRIP_LEADING or (words[0].lower().endswith("ly") and words[0].lower() not in _NAME_WORDS)):
        words = words[1:]  # "Newly published footage": an adverb capitalised at a sentence start is no name
    while words and words[-1].lower() in {"of", "the", "and", "for", "a", "an", "its", "their"}:
        words = words[:-1]
    if words and re.search(r"['’]s$", words[-1]) and len(words) > 1:
        words = [*words[:-1], words[-1][:-2]]  # "the General Staff's update" -> General Staff
    if len(words) > 1 and any(w.lower() in _PRONOUNS for w in words):
        return None  # "Footage It Claims Shows" (a title-case headline): no name
    if not words or (len(words) == 1 and words[0].lower() in _PRONOUNS | _NAME_WORDS - {"governor", "police"}):
        return None if not words or words[0].lower() in _PRONOUNS else words[0]
    return " ".join(words)


def _walk_back(before: str) -> str | None:
    words: list[str] = []
    for t in reversed(list(_TOKEN_RE.finditer(before))):
        w = t.group()
        if not re.match(r"[A-Za-z0-9]", w) or not _is_name_word(w):
            break
        words.insert(0, w)
        if len(words) >= 10:
            break
    return _clean(words)


def _walk_forward(text: str, pos: int, end: int, *, need_start: bool = False) -> str | None:
    words: list[str] = []
    for t in _TOKEN_RE.finditer(text, pos, end):
        w = t.group()
        if not re.match(r"[A-Za-z0-9]", w) or not (_is_name_word(w.rstrip(".")) or (words and w.lower() == "estimates")):
            break
        words.append(w.rstrip("."))
        if w.endswith(".") or len(words) >= 10:
            break
    if need_start and words and not (words[0][:1].isupper() or words[0].lower() == "the"):
        return None
    return _clean(words)


def find_attributions(text: str, start: int, end: int) -> tuple[Attribution, ...]:
    """Attributions inside the segment ``text[start:end]``, in text order."""
    out: list[Attribution] = []
    for m in _ACCORDING_RE.finditer(text, start, end):
        name = _walk_forward(text, m.end(), end)
        if name:
            out.append(Attribution(m.start(), name, "according to"))
    for m in _BY_RE.finditer(text, start, end):
        name = _walk_forward(text, m.end(), end, need_start=True)
        if name:
            out.append(Attribution(m.start(), name, "posted by"))
    for m in _VERB_RE.finditer(text, start, end):
        verb = m.group("v")
        low = verb.lower()
        after = text[m.end() : end]
        if low in _NOUN_USES and not re.match(r"\s*(?:that\b|,|:|to\b|\d|on\b|in\b|it\b|its\b|the\b|\w+\s+(?:were|was)\b)", after):
            continue  # "the ministry's claims could not be verified": a noun
        before = text[start : m.start()]
        if low in _PARTICIPLES:
            if out and out[-1].pos < m.start():
                continue  # "the air force said, adding that ...": the same claimant
            if re.search(rf"\b(?:{'|'.join(_DOC_NOUNS)})\s*$", before, re.IGNORECASE):
                out.append(Attribution(m.start(), None, verb))  # "along with a statement claiming: ...": the last claimant
                continue
            if re.search(r",\s*$", before):  # "X dismissed the claim, saying ..." -> the sentence's subject
                dateline = _DATELINE_RE.match(text, start, m.start())
                name = _walk_forward(text, dateline.end() if dateline else start, m.start(), need_start=True)
                if name:
                    out.append(Attribution(m.start(), name, verb))
            continue
        toks = [t.group() for t in _TOKEN_RE.finditer(before)]
        k = len(toks) - 1
        while k >= 0 and toks[k].lower() in _SKIP_BEFORE:
            k -= 1
        if k >= 0 and toks[k].lower() in _PASSIVE:
            continue  # "were reported killed"
        trimmed = " ".join(toks[: k + 1])
        trimmed = _PARENTHETICAL_RE.sub("", trimmed + " ").rstrip() if _PARENTHETICAL_RE.search(trimmed + " ") else trimmed
        app = _APPOSITIVE_RE.search(before[: len(before)].rstrip() + " ")
        if app:
            out.append(Attribution(m.start(), app.group("name"), verb))
            continue
        if trimmed.endswith(","):
            inverted = _walk_forward(text, m.end(), end, need_start=True)
            at = text.find(inverted, m.end(), end) if inverted else -1
            if inverted and at >= 0 and not _INVERTED_END_RE.match(text, at + len(inverted), end):
                inverted = None  # "..., said Kiev lost up to 215": a clause's subject, not an inverted claimant
            if inverted:  # "..., said the brigade"
                out.append(Attribution(m.start(), inverted, verb))
                continue
            name = _walk_back(trimmed[:-1])
            if name and re.search(r",\s*[^,]+$", trimmed[:-1]):  # "…agency, HUR, said"
                out.append(Attribution(m.start(), name.split()[-1] if len(name.split()) == 1 else name, verb))
            continue
        name = _walk_back(trimmed)
        last = toks[k].lower() if k >= 0 else ""
        if name is None:
            if last in _PRONOUNS or last in _DOC_NOUNS:
                out.append(Attribution(m.start(), None, verb))
            continue
        if re.search(r"['’]s$", name):
            continue  # "the brigade's reports"
        if name.split()[-1].lower() in _DOC_NOUNS:
            out.append(Attribution(m.start(), None, verb))
            continue
        out.append(Attribution(m.start(), name, verb))
    return tuple(sorted(out, key=lambda a: a.pos))


def source_line(text: str) -> str | None:
    """The claimant named by a "Source: X" line, for the whole text."""
    m = SOURCE_LINE_RE.search(text)
    if not m:
        return None
    name = m.group("name").strip()
    return name if name[:1].isupper() and len(name) < 120 else None
