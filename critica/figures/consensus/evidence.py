"""What a title's reviews agree on: aspect claims, the critics' adjectives, genre, standouts.

Everything here is read from the stored evidence (each review's aspect
sentences with their polarity, and its pull quote); nothing is invented. A
claim is made only when one side clearly owns an aspect and enough reviews
stand behind it; every claim keeps the ids of those reviews.
"""

from __future__ import annotations

import bisect
import gzip
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from critica import config
from critica.models.aspects import CUE_PATTERNS
from critica.rules import is_fresh
from critica.store.records import ReviewFacts

T = TypeVar("T")
LEXICON = Path(__file__).parent / "lexicon.json.gz"
OPINION_MIN = 0.2  # |polarity| below this is description, not a judgement to cite
SIDE_SHARE = 0.6  # share of an aspect's opinions one side needs before we state it as a claim
MAX_READ = 120  # reviews read per side for adjectives and genre: bounded time at 100k reviews
MAX_CITED = 20  # ids listed per claim; ``support`` keeps the full count
MIN_WEIGHT = 0.5  # an adjective far from every cue describes something else ("guilty pacing")
WINDOW = 4  # tokens either side of an aspect cue where an adjective describes that aspect
WORD = re.compile(r"[a-zé]+(?:[-'][a-zé]+)*")
NEGATORS = frozenset(["not", "never", "no", "nor", "hardly", "barely", "rarely", "without", "less"])

# aspect -> (noun, "plural" | "mass" | "count"), the word a consensus line uses for it
NOUNS = {
    "performances": ("performances", "plural"), "characters": ("characters", "plural"),
    "writing": ("script", "count"), "story": ("story", "count"), "pacing": ("pacing", "mass"),
    "ending": ("ending", "count"), "direction": ("direction", "mass"),
    "visuals": ("visuals", "plural"), "music_sound": ("music", "mass"), "humor": ("humor", "mass"),
    "themes": ("themes", "plural"),
}  # fmt: skip
# Adjectives that only restate their noun ("funny humor", "visual visuals") are never paired.
RESTATES = {
    "humor": ("funny", "humorous", "comic", "comedic", "hilarious", "amusing", "witty", "laugh"),
    "visuals": ("visual", "cinematic", "photographic"),
    "music_sound": ("musical", "melodic"),
    "performances": ("act", "perform"),
    "themes": ("thematic",),
    "direction": ("direct",),
    "pacing": ("paced",),
    "characters": ("character",),
    "writing": ("written", "scripted"),
}  # fmt: skip
_GENRE_RESTATES = {"comedy": RESTATES["humor"], "thriller": ("thrill",), "drama": ("dramatic",),
                   "horror": ("horrif", "scary", "frightening"), "satire": ("satiric",),
                   "musical": ("musical",), "documentary": ("documentary",),
                   "epic": ("epic",)}  # fmt: skip


def restates(adjective: str, genre_noun: str) -> bool:
    """Whether an adjective only restates the genre ("a funny comedy")."""
    return any(
        adjective.startswith(stems)
        for key, stems in _GENRE_RESTATES.items()
        if key in genre_noun.split() or genre_noun.endswith(key)
    )


# Genre nouns critics use for what they review, longest first: "romantic comedy" beats "comedy".
GENRES = (
    "romantic comedy", "black comedy", "dark comedy", "teen comedy", "family comedy",
    "buddy comedy", "crime drama", "courtroom drama", "period drama", "costume drama",
    "war drama", "family drama", "cop drama", "legal drama", "psychological thriller",
    "political thriller", "action thriller", "erotic thriller", "spy thriller", "horror movie",
    "horror film", "horror flick", "action movie", "action film", "action flick", "war film",
    "war movie", "family film", "heist film", "heist movie", "crime thriller", "character study",
    "coming-of-age story", "coming-of-age tale", "road movie", "science-fiction film",
    "sci-fi film", "sci-fi thriller", "fairy tale", "love story", "ghost story", "documentary",
    "comedy", "drama", "thriller", "melodrama", "biopic", "whodunit", "mockumentary",
    "slasher", "animated feature", "cartoon", "spoof", "parody", "tearjerker", "procedural",
    "sitcom", "miniseries", "dramedy", "satire", "farce",
)  # fmt: skip
# Words that are genres only as a noun after an article ("a flimsy epic", not "epic scale").
GUARDED = ("epic", "western", "musical", "romance", "fantasy", "adventure", "mystery", "fable",
           "noir", "caper", "doc", "horror", "actioner", "potboiler", "yarn")  # fmt: skip
_GENRE = re.compile(r"\b(" + "|".join(re.escape(g) for g in GENRES) + r")s?\b", re.IGNORECASE)
_GUARDED = re.compile(r"\b(" + "|".join(GUARDED) + r")\b", re.IGNORECASE)
_GUARD_BEFORE = re.compile(r"\b(?:a|an|the|this|that|its|another)\s+(?:[\w'-]+,?\s+){0,5}$", re.I)
_GUARD_AFTER = re.compile(
    r"\s*(?:[.,;:!?)]|$)|\s(?:about|that|which|with|of|from|in|for|and|but|is|was|whose|where|"
    r"than|to)\b",
    re.IGNORECASE,
)


def _guarded(text: str) -> Iterator[str]:
    """Guarded genre words used as a noun: after an article, before a stop or function word."""
    for m in _GUARDED.finditer(text):
        before = text[max(0, m.start() - 60) : m.start()]
        if _GUARD_BEFORE.search(before) and _GUARD_AFTER.match(text, m.end()):
            yield m.group(1).lower()


_HEADLESS = {"horror": "horror film", "doc": "documentary", "noir": "noir"}
_KIND_NOUN = {"film": "film", "series": "series", "season": "season", "episode": "episode"}
_NAME = re.compile(
    r"\b[A-Z][a-zà-ÿ]+(?:[-'][A-Z]?[a-zà-ÿ]+)?(?:\s+[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?){0,2}"
)


def split_words(words: str) -> list[str]:
    """A word list written as one string (closed lists stay readable)."""
    return words.split()


# Capitalised words that start sentences or name things other than people.
_NOT_NAMES = frozenset(
    split_words(
        "The A An When While But And Or In On At As Here There Then Later Meanwhile Even Also Yet "
        "So If After Before Now This That These Those His Her Their Its Our My Your It He She "
        "They We I You Who What Which With Without From For Of To By Although Though Because "
        "Since Unlike Like Despite Still Only Both Every Each Such Sadly Unfortunately However "
        "Indeed Perhaps Not No Oscar Oscars Academy Award Hollywood Disney Pixar Netflix HBO "
        "American British French English Christmas God Mr Mrs Ms Dr Jr Sr Sir Lord Lady Director "
        "Actor Actress Star Stars Film Movie Cinema Anyone Everyone Nobody Nothing Fans Viewers "
        "Audiences Kids Children Part One Two Three Best Worst Most Much Many Few Some Any All "
        "Just Yes Well Oh Sure Too Very January February March April May June July August "
        "September October November December Monday Tuesday Wednesday Thursday Friday Saturday "
        "Sunday"
    )
)


OPENERS = frozenset(
    split_words(
        "maybe perhaps sure certainly clearly surely here there now then thus still overall"
    )
)


@cache
def lexicon() -> tuple[dict[str, tuple[float, int]], dict[str, str], int]:
    """Adjective -> (polarity, SST document frequency); adjective -> its adverb; SST sentences."""
    with gzip.open(LEXICON, "rt", encoding="utf-8") as fh:
        raw: dict[str, Any] = json.load(fh)
    words = {w: (float(p), int(df)) for w, (p, df) in raw["adjectives"].items()}
    return words, dict(raw["adverbs"]), int(raw["sentences"])


def vividness(word: str) -> float:
    """How telling an adjective is: rare words ("propulsive") beat common ones ("good")."""
    words, _, n = lexicon()
    return math.log((1 + n) / (1 + words[word][1]))


@dataclass
class Claim:
    """One thing critics agree on: an aspect, its side, and the reviews that say so."""

    aspect: str  # an aspect name, "overall" (the title itself) or "performer"
    sign: int  # +1 praised, -1 faulted
    support: list[tuple[float, int, str]]  # (strength, review_id, evidence), strongest first
    adjectives: list[str] = field(default_factory=list)  # the critics' words, best first
    person: str = ""  # for a "performer" claim: who

    @property
    def adjective(self) -> str:
        return self.adjectives[0] if self.adjectives else ""

    @property
    def noun(self) -> str:
        if self.aspect == "performer":
            return f"{self.person}'s performance"
        return NOUNS[self.aspect][0] if self.aspect in NOUNS else ""

    @property
    def plural(self) -> bool:
        return self.aspect in NOUNS and NOUNS[self.aspect][1] == "plural"

    def bare(self) -> str:
        """'powerful performances', 'a contrived story', "Michael Caine's droll performance"."""
        if self.aspect == "performer":
            return f"{self.person}'s {self.adjective} performance".replace("  ", " ")
        if self.aspect not in NOUNS:  # "overall": how reviews describe the title itself
            return ", ".join(self.adjectives[:2]) or ("praised" if self.sign > 0 else "faulted")
        noun, number = NOUNS[self.aspect]
        if number != "count":
            return f"{self.adjective} {noun}"
        return f"{article(self.adjective)} {self.adjective} {noun}"

    def its(self) -> str:
        if self.aspect == "performer":
            return self.bare()
        return f"its {self.adjective} {NOUNS[self.aspect][0]}"

    def review_ids(self) -> list[int]:
        return [rid for _, rid, _ in self.support[:MAX_CITED]]

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        quotes = [{"review_id": rid, "text": ev} for _, rid, ev in self.support[:3]]
        return {
            "text": text or self.bare(),
            "aspect": "performances" if self.aspect == "performer" else self.aspect,
            "polarity": "positive" if self.sign > 0 else "negative",
            "review_ids": self.review_ids(),
            "support": len({rid for _, rid, _ in self.support}),
            "quotes": quotes,
        }


def article(word: str) -> str:
    vowel = word[:1].lower() in "aeiou" and not word.lower().startswith(("one", "uni", "eu", "use"))
    return "an" if vowel or word.lower().startswith(("hour", "honest", "honor")) else "a"


Mentions = dict[str, list[tuple[ReviewFacts, list[tuple[float, str]]]]]


def by_aspect(facts: list[ReviewFacts]) -> Mentions:
    """Each aspect's mentions grouped per review, in one pass over the facts."""
    out: Mentions = {}
    for f in facts:
        mine: dict[str, list[tuple[float, str]]] = {}
        for name, p, text in f.aspects:
            mine.setdefault(name, []).append((max(-1.0, min(1.0, p)), text))
        for name, items in mine.items():
            out.setdefault(name, []).append((f, items))
    return out


def sides(grouped: Mentions, aspect: str) -> dict[int, list[tuple[float, int, str]]]:
    """Reviews praising (1) or faulting (-1) the aspect on balance, with their best sentence."""
    out: dict[int, list[tuple[float, int, str]]] = {1: [], -1: []}
    for f, mine in grouped.get(aspect, []):
        # The review's net view, as in the aggregate: "gripping, then contrived" backs neither side.
        mean = sum(p for p, _ in mine) / len(mine)
        if abs(mean) >= OPINION_MIN:
            sign = 1 if mean > 0 else -1
            strength, text = max(mine, key=lambda t: sign * t[0])
            out[sign].append((sign * strength, f.review_id, text))
    for items in out.values():
        items.sort(key=lambda t: (-t[0], t[1]))
    return out


def owned(mine: int, theirs: int, least: int) -> bool:
    """Whether one side owns an aspect: enough reviews, and a clear majority of the opinions."""
    return mine >= least and mine >= SIDE_SHARE * (mine + theirs)


def _closeness(i: int, cues: list[int]) -> float:
    """Weight of the word at token i: high just before its aspect's cue ("sharp script") or
    just after it ("the script is sharp"), fair when it is the cue itself ("contrived"),
    little beyond a few words."""
    if not cues:
        return 0.5  # the aspect was found without cue words: any adjective may describe it
    distance = min(abs(i - c) for c in cues)
    return {0: 2.0, 1: 3.0, 2: 1.5, 3: 1.0}.get(distance, 0.5 if distance <= WINDOW else 0.05)


def adjectives_in(
    text: str, sign: int, pattern: re.Pattern[str] | frozenset[str] | None = None
) -> dict[str, float]:
    """The lexicon's adjectives of one polarity in a sentence, weighted by closeness to a cue.

    Adjectives just after a negator ("not funny", "isn't gripping") are no praise and are skipped.
    """
    words_lex, _, _ = lexicon()
    low = text.lower().replace("\u2019", "'")  # curly apostrophes: "isn’t"
    words = WORD.findall(low)
    hits = [i for i, w in enumerate(words) if (e := words_lex.get(w)) and e[0] * sign > 0]
    if not hits:
        return {}
    cues: list[int] = []
    if isinstance(pattern, frozenset):  # cue words: a set lookup per word is fastest
        cues = [i for i, w in enumerate(words) if w in pattern]
    elif pattern is not None:
        starts = [m.start() for m in WORD.finditer(low)]
        cues = [bisect.bisect_left(starts, m.start()) for m in pattern.finditer(low)]
    seen: dict[str, float] = {}
    for i in hits:
        before = words[max(0, i - 3) : i]
        if any(b in NEGATORS or b.endswith("n't") for b in before):
            continue
        word = words[i]
        seen[word] = max(seen.get(word, 0.0), _closeness(i, cues) if pattern else 1.0)
    return seen


def _compares(word: str) -> bool:
    """A comparative or superlative ("funnier", "sharpest"): a consensus line describes."""
    words = lexicon()[0]
    for suffix in ("er", "est"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            bases = (stem, stem + "e", stem[:-1] + "y", stem[:-1])
            if any(b in words or b in OPENERS for b in bases if b):
                return True
    if word.endswith("est") and not word.endswith(("onest", "odest", "rnest", "ifest", "uest")):
        return True  # "finest", "greatest": superlatives whose base is no verdict word
    return word in ("better", "best", "worse", "worst", "less", "least", "more", "most")


def sample(items: list[T], k: int) -> list[T]:
    """At most k items, evenly spaced (deterministic): a big title's evidence in bounded time."""
    if len(items) <= k:
        return items
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def rank_adjectives(
    sentences: list[tuple[int, str]], sign: int, aspect: str | None, least: int, title: str = ""
) -> list[str]:
    """Adjectives used by at least ``least`` reviews, most telling first; never a restatement."""
    pattern = CUE_PATTERNS.get(aspect) if aspect else None
    found = [(rid, adjectives_in(text, sign, pattern)) for rid, text in sentences]
    return _ranked(found, aspect, least, title)


def _ranked(
    found: list[tuple[int, dict[str, float]]], aspect: str | None, least: int, title: str
) -> list[str]:
    weight: dict[str, float] = defaultdict(float)
    users: dict[str, set[int]] = defaultdict(set)
    for rid, words in found:
        for word, w in words.items():
            weight[word] += w
            users[word].add(rid)
    banned = RESTATES.get(aspect or "", ())
    in_title = set(WORD.findall(title.lower()))
    ranked = [
        w
        for w in weight
        if len(users[w]) >= least
        and not w.startswith(banned)
        and not _compares(w)
        and w not in in_title
    ]
    # Reviews using a word beside the cue count most; rarer words win ties ("propulsive" > "nice").
    ranked = [w for w in ranked if weight[w] >= MIN_WEIGHT]
    ranked.sort(key=lambda w: (-weight[w] * (1 + 0.15 * vividness(w)), w))
    return ranked


def aspect_claims(
    facts: list[ReviewFacts], aspects: list[str], least: int, title: str = ""
) -> list[Claim]:
    """Aspects one side clearly owns (``least`` reviews or more), each named by the adjective
    its critics use most tellingly."""
    out, grouped = [], by_aspect(facts)
    for name in aspects:
        if name not in NOUNS:
            continue
        split = sides(grouped, name)
        for sign in (1, -1):
            if not owned(len(split[sign]), len(split[-sign]), least):
                continue
            sentences = [(rid, text) for _, rid, text in sample(split[sign], MAX_READ // 2)]
            adjectives = rank_adjectives(sentences, sign, name, 1, title)
            if not adjectives:
                continue  # critics agree, but never say how: no phrase to write
            claim = Claim(name, sign, split[sign], adjectives)
            _cite_users_first(claim)
            out.append(claim)
    out.sort(key=lambda c: (-len(c.support), -sum(s for s, _, _ in c.support), c.aspect))
    return out


def _cite_users_first(claim: Claim) -> None:
    """Reviews using the very word cited come first: they back the phrase, not just the side."""
    uses = re.compile(rf"\b{re.escape(claim.adjective)}\b", re.IGNORECASE)
    claim.support.sort(key=lambda t: (uses.search(t[2]) is None, -t[0], t[1]))


def _work_words(title: str) -> frozenset[str]:
    """Words that name the work itself, so an adjective beside them describes it."""
    names = {w for w in WORD.findall(title.lower()) if len(w) > 2 and w not in _STOPS}
    return _WORK_WORDS | names


_STOPS = frozenset(split_words("the and for with from into that this"))
_WORK_WORDS = frozenset(
    split_words(
        "film films movie picture show series season episode drama comedy thriller documentary "
        "doc satire romance story tale epic feature effort entertainment experience debut it "
        "it's this sequel remake adaptation biopic sitcom miniseries melodrama farce fable "
        "portrait look ride watch affair piece work one mess exercise outing disappointment "
        "triumph winner"
    )
)


def overall_claim(facts: list[ReviewFacts], sign: int, least: int, title: str = "") -> Claim | None:
    """How the critics on one side describe the title itself, from their quotes and verdicts."""
    threshold = float(config.get("fresh_threshold"))
    side = [
        f for f in facts if f.score is not None and (1 if is_fresh(f, threshold) else -1) == sign
    ]
    sentences: list[tuple[int, str]] = []
    best: dict[int, str] = {}
    for f in sample(side, MAX_READ):
        texts = [text for name, _, text in f.aspects if name == "overall"]
        if f.quote:
            texts.append(f.quote)
        for text in dict.fromkeys(texts):
            sentences.append((f.review_id, text))
        if f.quote or texts:
            best[f.review_id] = f.quote or texts[0]
    work = _work_words(title)
    found = [(rid, adjectives_in(text, sign, work)) for rid, text in sentences]
    adjectives = _ranked(found, None, least, title)
    if not adjectives:
        return None
    users = [rid for rid, words in found if words.keys() & set(adjectives[:2])]
    ids = list(dict.fromkeys(users))
    support = [(1.0, rid, best[rid]) for rid in ids]
    support += [
        (0.5, f.review_id, best.get(f.review_id) or f.quote or "")
        for f in side
        if f.review_id not in ids
    ]
    return Claim("overall", sign, support, adjectives)


def genre(facts: list[ReviewFacts], kind: str, least: int) -> str:
    """The genre noun critics use most for the title ("thriller"), else the kind ("film")."""
    counts: Counter[str] = Counter()
    read = sample(facts, MAX_READ)
    for f in read:
        texts = {text for _, _, text in f.aspects}
        if f.quote:
            texts.add(f.quote)
        found = {m.group(1).lower() for t in texts for m in _GENRE.finditer(t)}
        found |= {word for t in texts for word in _guarded(t)}
        counts.update(found)
    scale = len(facts) / len(read) if read else 1.0
    for noun, n in counts.most_common():
        if n * scale >= least:
            return _HEADLESS.get(noun, noun)
    return _KIND_NOUN.get(kind, "film")


_MAKER = re.compile(
    r"\b(?:director|directed by|filmmaker|writer|written by|screenwriter|helmer|helmed by|"
    r"producer|produced by|creator|created by|novelist|author)\s+$",
    re.IGNORECASE,
)
# A character's name follows "as" or "plays": "as the stubborn eldest daughter Ruth".
_ROLE = re.compile(
    r"\b(?:as|plays|playing|played|portrays|portraying)\s+(?:(?:the|a|an|his|her|their)\s+)?"
    r"(?:[a-z][\w-]*\s+){0,4}([A-Z][a-zà-ÿ]+(?:\s+[A-Z][a-zà-ÿ]+)?)"
)


def _opener(word: str) -> bool:
    """A capitalised sentence opener that is an English word, not a first name."""
    low = word.lower()
    adjectives = lexicon()[0]
    return word in _NOT_NAMES or low.endswith("ly") or low in adjectives or low in OPENERS


def _names(text: str, banned: set[str]) -> Iterator[tuple[str, bool]]:
    """Capitalised names in a sentence, and whether each is introduced as a maker (director...)."""
    for m in _NAME.finditer(text):
        tokens = m.group().split()
        if m.start() == 0 or text[: m.start()].rstrip().endswith((".", "!", "?", ":", '"')):
            if len(tokens) == 1 and not text[m.end() :].startswith(("'s", "\u2019s")):
                continue  # a lone capitalised word opening a sentence is no evidence of a name
            if len(tokens) > 1 and _opener(tokens[0]):
                tokens = tokens[1:]  # "Certainly Polanski's ...": an opener, not a first name
        while tokens and tokens[0] in banned:
            tokens = tokens[1:]
        if not tokens or any(t in banned for t in tokens):
            continue
        yield " ".join(tokens), bool(_MAKER.search(text[: m.start()]))


_MADE = re.compile(
    r"^(?:'s|\u2019s)\s+(?:\w+\s+)?(?:film|movie|direction|directing|adaptation|version|camera|"
    r"latest|debut|take|script|screenplay|picture|documentary|remake)\b|^\s+(?:directs|directed|"
    r"wrote|writes|helms|helmed)\b",
    re.IGNORECASE,
)


def makers(texts: list[str], title: str) -> set[str]:
    """Names the reviews give as the title's makers ("director Michael Apted", "Polanski's
    film")."""
    banned = {w.strip(".,:;!?()'\"") for w in title.split()} | _NOT_NAMES
    found: set[str] = set()
    for text in texts:
        for m in _NAME.finditer(text):
            if _MAKER.search(text[: m.start()]) or _MADE.match(text[m.end() :]):
                found.update(name for name, _ in _names(m.group(), banned))
    return found


def performer(
    claims: list[Claim],
    title: str,
    least: int,
    people: list[str] | None = None,
    made_by: set[str] | None = None,
) -> Claim | None:
    """A standout performer: someone named in the praise (or fault) of several reviews, never one
    of the title's makers (``made_by``)."""
    acting = [c for c in claims if c.aspect == "performances"]
    if not acting:
        return None
    claim = acting[0]
    banned = {w.strip(".,:;!?()'\"") for w in title.split()} | _NOT_NAMES
    names: dict[str, set[int]] = defaultdict(set)
    made = set(made_by or ())
    roles: set[str] = set()  # characters: "as Ruth", "plays Ruth"
    for _, rid, text in claim.support:
        for name, maker in _names(text, banned):
            if maker:
                made.add(name)
            else:
                names[name].add(rid)
        for m in _ROLE.finditer(text):
            roles.add(m.group(1))
    names = {
        n: ids
        for n, ids in names.items()
        if not any(n in m or m in n for m in made) and n not in roles
    }
    if people is not None:
        known = {p for p in people}
        names = {n: ids for n, ids in names.items() if any(n in p for p in known)}
    full = {n.split()[-1]: n for n in names if " " in n}
    merged: dict[str, set[int]] = defaultdict(set)
    for n, ids in names.items():
        merged[full.get(n, n)] |= ids
    ranked = sorted(merged.items(), key=lambda kv: (-len(kv[1]), -len(kv[0].split()), kv[0]))
    if not ranked or len(ranked[0][1]) < max(2, least):
        return None
    person, ids = ranked[0]
    mentioning = [(s, rid, text) for s, rid, text in claim.support if rid in ids]
    sentences = [(rid, text) for _, rid, text in mentioning]
    adjectives = rank_adjectives(sentences, claim.sign, "performances", 1, title)
    adjectives = adjectives or claim.adjectives
    return Claim("performer", claim.sign, mentioning, adjectives, person=person)
