"""The title under review: its name, film or series, and the network or studio behind it."""

from __future__ import annotations

import re
from collections import Counter

from critica.document import Entity, ReviewDoc, TitleGuess, TitleKind
from critica.pipeline import BaseComponent, component

_NETWORKS: dict[str, str] = {
    "Netflix": "Netflix", "HBO Max": "Max", "HBO": "HBO", "Max": "Max", "Hulu": "Hulu",
    "Amazon Prime Video": "Prime Video", "Amazon Prime": "Prime Video",
    "Prime Video": "Prime Video", "Amazon": "Prime Video", "Apple TV+": "Apple TV+",
    "Apple TV Plus": "Apple TV+", "Apple TV": "Apple TV+", "Disney+": "Disney+",
    "Disney Plus": "Disney+", "Disney": "Disney", "Paramount+": "Paramount+",
    "Paramount Plus": "Paramount+", "Paramount": "Paramount", "AMC+": "AMC+", "AMC": "AMC",
    "FXX": "FXX", "FX": "FX", "BBC One": "BBC", "BBC Two": "BBC", "BBC": "BBC", "ITV": "ITV",
    "Channel 4": "Channel 4", "Sky Atlantic": "Sky", "Showtime": "Showtime", "Starz": "Starz",
    "Peacock": "Peacock", "CBS": "CBS", "NBC": "NBC", "ABC": "ABC", "Fox": "Fox",
    "The CW": "The CW", "TNT": "TNT", "TBS": "TBS", "Syfy": "Syfy", "Shudder": "Shudder",
    "Crunchyroll": "Crunchyroll", "MUBI": "MUBI", "Mubi": "MUBI", "A24": "A24", "Neon": "Neon",
    "Focus Features": "Focus Features", "Searchlight": "Searchlight Pictures",
    "Warner Bros.": "Warner Bros.", "Universal": "Universal", "Lionsgate": "Lionsgate",
    "Sony Pictures": "Sony Pictures", "Pixar": "Pixar", "Marvel Studios": "Marvel Studios",
    "Blumhouse": "Blumhouse", "MGM": "MGM", "IFC Films": "IFC Films",
}  # fmt: skip
_NET = (
    "(?<![\\w])(?:"
    + "|".join(re.escape(n) for n in sorted(_NETWORKS, key=len, reverse=True))
    + ")(?![\\w+])"
)
_APOS = "[’']"
_KINDWORD = (
    r"(?:original|series|miniseries|limited series|docuseries|show|sitcom|drama|comedy|"
    r"film|movie|documentary|thriller|feature|production|release)"
)
_WORD = r"[A-Z0-9][\w’'\-:&]*"
_SMALL = r"(?:of|the|a|an|and|in|on|at|to|for|with|from|by|or|vs\.?|&)"
_T = rf"(?P<t>{_WORD}(?:[^\S\n]+(?:{_SMALL}|{_WORD})){{0,7}})"
_Q, _EQ = '[“"]?', rf"{_APOS}?s?[”\"]?"
# "Jane Doe is a film critic" is about a person, not a title.
_NOT_WORK = r"(?!\s+(?:critic|star|buff|maker|lover|fan|director|producer|school))"
_PATTERNS = tuple(
    re.compile(p)
    for p in (
        rf"(?:^|(?<=[.!?]\s)|(?<=\n)){_Q}{_T}{_EQ}\s+is\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?"
        rf"(?:{_NET}\s+)?{_KINDWORD}\b{_NOT_WORK}",
        rf"(?<![\w’']){_Q}{_T}{_EQ},\s+the\s+(?:new|latest|upcoming|debut|first|second|third)\s+"
        rf"(?:[\w-]+\s+){{0,2}}?{_KINDWORD}\s+(?:from|by)\b",
        rf"\b[Ii]n\s+{_Q}{_T}{_EQ},\s+(?:director|writer|creator|showrunner|filmmaker)",
        rf"{_NET}{_APOS}s\s+(?:(?:new|latest|upcoming|hit|original|limited)\s+)*{_KINDWORD}"
        rf",?\s+{_Q}{_T}",
    )
)
_QUOTED_RE = re.compile(r"“([^“”\n]{1,120})”|\"([^\"\n]{1,120})\"|‘([^‘\n]{1,120}?)’(?!\w)")
_TITLE_RE = re.compile(rf"{_WORD}(?:\s+(?:{_SMALL}|{_WORD}))*")
# A quoted title after these is the critic's point of comparison, not the subject.
_OTHER_SHOW_RE = re.compile(
    r"(?:\b(?:creators?|directors?|writers?|stars?|makers?|showrunners?)\s+of(?:\s+the)?|"
    rf"\b(?:[Uu]nlike|[Ll]ike|than|since|after))\s+(?:{_NET}{_APOS}s\s*)?$"
)
# "Netflix’s “X”" may be this show or another: the mention casts no vote either way.
_NET_POSSESSIVE_RE = re.compile(rf"({_NET}){_APOS}s\s*{_Q}")
_NET_POSSESSIVE_END_RE = re.compile(rf"{_NET}{_APOS}s\s*$")
_TRAILING_POSSESSIVE_RE = re.compile(rf"(?:{_APOS}s|{_APOS})$")
_LEAD_STOP = frozenset(
    {"In", "With", "And", "But", "From", "For", "On", "At", "After", "Before", "When", "While"}
)
_NOT_TITLES = frozenset({
    "The", "It", "This", "That", "He", "She", "They", "There", "Here", "We", "I", "You",
    "Which", "What",
})  # fmt: skip
_SERIES_RE = re.compile(
    rf"\b(?:series(?!\s+of\b)|miniseries|docuseries|seasons?|episodes?|showrunner|sitcom|"
    rf"pilot episode|binge-?watch\w*)\b|{_NET}\s+original(?!\s+(?:film|movie|documentary))",
    re.IGNORECASE,
)
_FILM_RE = re.compile(
    r"\b(?:film|movie|filmmaker|director|box office|theat(?:er|re)s|cinemas?|runtime|"
    r"\d+\s+minutes|feature)\b",
    re.IGNORECASE,
)
_TIES = tuple(
    (weight, re.compile(pattern))
    for weight, pattern in (
        (3, rf"\b(?:a|an)\s+(?:new\s+)?({_NET})\s+(?:[\w-]+\s+){{0,2}}?{_KINDWORD}"),
        (3, rf"({_NET}){_APOS}s\s+(?:[\w-]+\s+){{0,2}}?{_KINDWORD}"),
        (2, rf"({_NET})\s+(?:original|series|film|movie|documentary)"),
        (2, rf"\b(?:on|from|via)\s+({_NET})(?!{_APOS}s)"),
    )
)
_NEAR = 200  # chars around a title mention that count as talking about it
Spot = tuple[int, int]


def _norm(raw: str) -> str:
    """``Seven Seconds’`` and ``The Killing.`` are the titles ``Seven Seconds``/``The Killing``."""
    name = raw.strip().rstrip(".,;:").strip()
    return _TRAILING_POSSESSIVE_RE.sub("", name).strip()


def _is_title(name: str, persons: set[str]) -> bool:
    return bool(_TITLE_RE.fullmatch(name)) and name not in _NOT_TITLES and name not in persons


def _quoted(text: str) -> tuple[dict[str, list[Spot]], Counter[str], set[str]]:
    """Title-like quoted phrases: their spans, their votes, and those naming some other work."""
    found: dict[str, list[Spot]] = {}
    votes: Counter[str] = Counter()
    other: set[str] = set()
    for m in _QUOTED_RE.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        name = _norm(m.group(group))
        if not _is_title(name, set()):  # quoted names are titles even when NER saw a person
            continue
        before = max(0, m.start() - 40)
        if _OTHER_SHOW_RE.search(text, before, m.start()):
            other.add(name)
        elif not _NET_POSSESSIVE_END_RE.search(text, before, m.start()):
            votes[name] += 1
        start = m.start(group) + len(m.group(group)) - len(m.group(group).lstrip())
        found.setdefault(name, []).append((start, start + len(name)))
    return found, votes, other


def _patterned(text: str, persons: set[str]) -> dict[str, Spot]:
    """Titles named by set phrases ("X is a Netflix original", "X, the new film from Y")."""
    hits: dict[str, Spot] = {}
    for regex in _PATTERNS:
        for m in regex.finditer(text):
            start, raw = m.start("t"), m.group("t")
            while (head := raw.split(maxsplit=1)) and head[0] in _LEAD_STOP and len(head) > 1:
                start, raw = start + raw.index(head[1]), head[1]
            name = _norm(raw)
            quoted = text[m.start("t") - 1 : m.start("t")] in ("“", '"')
            if _is_title(name, set() if quoted else persons) and name not in _NETWORKS:
                hits.setdefault(name, (start, start + len(name)))
    return hits


def _spots(text: str, name: str) -> list[Spot]:
    pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
    return [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]


def _kind(text: str, spots: list[Spot]) -> TitleKind | None:
    """Series or film by keyword votes; words near a title mention count twice."""
    votes: Counter[str] = Counter()
    for kind, regex in (("series", _SERIES_RE), ("film", _FILM_RE)):
        for m in regex.finditer(text):
            near = any(s - _NEAR <= m.start() <= e + _NEAR for s, e in spots)
            votes[kind] += 2 if near else 1
    if votes["series"] > votes["film"]:
        return "series"
    return "film" if votes["film"] > votes["series"] else None


def _network(text: str, name: str, spots: list[Spot]) -> str | None:
    """The network or studio the text ties to the title, by the strongest tying phrase."""
    scores: Counter[str] = Counter()
    for weight, regex in _TIES:
        for m in regex.finditer(text):
            near = any(s - _NEAR <= m.start() <= e + _NEAR for s, e in spots)
            scores[_NETWORKS[m.group(1)]] += weight + near
    for m in _NET_POSSESSIVE_RE.finditer(text):  # "Netflix’s “Seven Seconds”"
        if text[m.end() : m.end() + len(name)].lower() == name.lower():
            scores[_NETWORKS[m.group(1)]] += 4
    return scores.most_common(1)[0][0] if scores else None


def _from_entities(ents: list[Entity], other: set[str]) -> TitleGuess | None:
    """Last resort: the work of art NER finds most often."""
    works = Counter(e.text for e in ents if e.label == "WORK_OF_ART" and e.text not in other)
    if not works:
        return None
    name = works.most_common(1)[0][0]
    start = next(e.start for e in ents if e.text == name)
    return TitleGuess(name, source="entity", confidence=0.3, start=start, end=start + len(name))


def _from_text(text: str, ents: list[Entity]) -> TitleGuess | None:
    """Pick the title: set phrases and repeated quoted titles vote; earliest wins a tie."""
    persons = {e.text for e in ents if e.label == "PERSON"}
    quoted, votes, other = _quoted(text)
    patterned = _patterned(text, persons)
    names = (set(quoted) | set(patterned)) - other
    if not names:
        return _from_entities(ents, other)

    def spots(n: str) -> list[Spot]:
        return [*quoted.get(n, []), *([patterned[n]] if n in patterned else [])]

    def rank(n: str) -> tuple[int, int]:
        return votes[n] + 2 * (n in patterned), -min(spots(n))[0]

    name = max(names, key=rank)
    count, found = votes[name], name in patterned
    confidence = round(min(0.95, 0.35 + 0.15 * min(count, 3) + 0.25 * found), 2)
    start, end = min(spots(name))
    source = "pattern" if found else "quoted"
    return TitleGuess(name, source=source, confidence=confidence, start=start, end=end)


def guess_title(text: str, ents: list[Entity], given: str | None = None) -> TitleGuess | None:
    """The title from the caller if given, else from the text; kind and network from the text."""
    if given and given.strip():
        name = given.strip()
        spots = _spots(text, name)
        start, end = spots[0] if spots else (None, None)
        guess: TitleGuess | None = TitleGuess(name, None, None, "given", 1.0, start, end)
    else:
        guess = _from_text(text, ents)
    if guess is None or not text:
        return guess
    spots = _spots(text, guess.name)
    guess.kind = _kind(text, spots)
    guess.network = _network(text, guess.name, spots)
    return guess


class TitleComponent(BaseComponent):
    """Fills ``doc.title`` from ``doc.meta["title"]`` or from the review text."""

    name = "title"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        given = doc.meta.get("title")
        text = doc.text if doc.unscored_reason is None else ""
        doc.title = guess_title(text, doc.entities, given if isinstance(given, str) else None)
        return doc


@component(
    "title",
    requires=("text", "entities", "meta"),
    assigns=("title",),
    optional=True,
)
def make_title() -> TitleComponent:
    """Build the title component (rules only, nothing to load)."""
    return TitleComponent()
