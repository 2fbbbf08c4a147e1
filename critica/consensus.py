"""A critics-consensus sentence built from the aspect figures and the reviews' own adjectives.

Every claim in the sentence cites the reviews whose evidence supports it (``method``
"aspects"). With too little aspect evidence the sentence comes from the overall
lean alone (``method`` "overall"); its one claim has aspect "overall" and polarity
"mixed" when critics are split. ``centroid_baseline`` is the plain extractive
baseline to compare against.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from critica import config
from critica.aggregate import is_fresh
from critica.models.aspects import CUE_PATTERNS
from critica.store.records import ReviewFacts


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Evaluative adjectives critics use; vivid ones beat the generic ones when both occur.
POSITIVE = _words(
    "powerful sharp gripping stunning gorgeous witty moving tender assured brilliant superb "
    "terrific riveting compelling haunting luminous nuanced heartfelt clever inventive ambitious "
    "thoughtful timely funny hilarious breathtaking beautiful lush striking tense taut brisk "
    "confident elegant charming magnetic layered subtle fierce fearless wrenching affecting "
    "absorbing engrossing propulsive vivid stylish atmospheric memorable remarkable masterful "
    "polished delightful satisfying intelligent smart original poignant electric captivating "
    "dazzling exquisite rich committed restrained tight"
)
NEGATIVE = _words(
    "contrived clumsy sluggish tedious overlong bloated predictable muddled flat bland lifeless "
    "shallow thin heavy-handed formulaic clichéd cliched trite hackneyed dull boring plodding "
    "meandering incoherent messy confusing forgettable derivative uneven stilted wooden "
    "cartoonish preachy repetitive overwrought melodramatic ponderous laborious unconvincing "
    "implausible silly lazy hollow listless limp leaden unfunny rushed abrupt unsatisfying "
    "disappointing underwritten underdeveloped one-dimensional garish murky grating shrill "
    "stale choppy sloppy tired convoluted baffling"
)
GENERIC = {1: _words("good great fine solid nice decent impressive effective strong"),
           -1: _words("bad poor awful terrible mediocre weak")}  # fmt: skip
DEFAULT_ADJECTIVE = {1: "strong", -1: "uneven"}  # when the evidence offers no adjective
NEGATORS = {"not", "never", "no", "nor", "hardly", "barely", "rarely", "without", "less"}
NOUNS = {  # aspect -> (noun, "plural" | "mass" | "count") for agreement and articles
    "performances": ("performances", "plural"), "characters": ("characters", "plural"),
    "writing": ("writing", "mass"), "story": ("story", "count"), "pacing": ("pacing", "mass"),
    "ending": ("ending", "count"), "direction": ("direction", "mass"),
    "visuals": ("visuals", "plural"), "music_sound": ("music", "mass"), "humor": ("humor", "mass"),
    "themes": ("themes", "plural"),
}  # fmt: skip
OPINION_MIN = 0.2  # |polarity| below this is description, not a judgement to cite
SIDE_SHARE = 0.6  # share of an aspect's opinions one side needs before we state it as a claim
MAX_CITED = 20  # ids listed per claim; ``support`` keeps the full count
WINDOW = 4  # tokens either side of an aspect cue where an adjective describes that aspect
WORD = re.compile(r"[a-zé]+(?:[-'][a-zé]+)*")


@dataclass
class Claim:
    aspect: str
    sign: int  # +1 praised, -1 faulted
    support: list[tuple[float, int, str]]  # (strength, review_id, evidence), strongest first
    adjective: str = ""

    @property
    def plural(self) -> bool:
        return NOUNS[self.aspect][1] == "plural"

    def bare(self) -> str:
        """'powerful performances', 'a contrived story'."""
        noun, number = NOUNS[self.aspect]
        if number != "count":
            return f"{self.adjective} {noun}"
        vowel = self.adjective[0] in "aeiou" and not self.adjective.startswith(("one", "uni", "eu"))
        return f"{'an' if vowel else 'a'} {self.adjective} {noun}"

    def its(self) -> str:
        return f"its {self.adjective} {NOUNS[self.aspect][0]}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.bare(),
            "aspect": self.aspect,
            "polarity": "positive" if self.sign > 0 else "negative",
            "review_ids": [rid for _, rid, _ in self.support[:MAX_CITED]],
            "support": len(self.support),
        }


Mentions = dict[str, list[tuple[ReviewFacts, list[tuple[float, str]]]]]


def _by_aspect(facts: list[ReviewFacts]) -> Mentions:
    """Each aspect's mentions grouped per review, in one pass over the facts."""
    out: Mentions = {}
    for f in facts:
        mine: dict[str, list[tuple[float, str]]] = {}
        for name, p, text in f.aspects:
            mine.setdefault(name, []).append((max(-1.0, min(1.0, p)), text))
        for name, items in mine.items():
            out.setdefault(name, []).append((f, items))
    return out


def _support(grouped: Mentions, aspect: str) -> dict[int, list[tuple[float, int, str]]]:
    """Reviews praising (1) or faulting (-1) the aspect on balance, with their best sentence."""
    sides: dict[int, list[tuple[float, int, str]]] = {1: [], -1: []}
    for f, mine in grouped.get(aspect, []):
        # The review's net view, as in the aggregate: "gripping, then contrived" backs neither side.
        mean = sum(p for p, _ in mine) / len(mine)
        if abs(mean) >= OPINION_MIN:
            sign = 1 if mean > 0 else -1
            strength, text = max(mine, key=lambda t: sign * t[0])
            sides[sign].append((sign * strength, f.review_id, text))
    for items in sides.values():
        items.sort(key=lambda t: (-t[0], t[1]))
    return sides


def _closeness(i: int, cues: list[int]) -> float:
    """Weight of the word at token i: high beside an aspect cue, less with distance."""
    if not cues:
        return 1.0  # the aspect was found without cue words: any adjective may describe it
    distance = min(abs(i - c) for c in cues)
    return 2.0 - 0.2 * distance if distance <= WINDOW else 0.5


def _adjectives(aspect: str, sign: int, sentences: list[str]) -> Counter[str]:
    """Adjectives of one polarity in the evidence, weighted up when beside the aspect's cue."""
    lexicon = POSITIVE if sign > 0 else NEGATIVE
    counts: Counter[str] = Counter()
    for text in sentences:
        low = text.lower().replace("\u2019", "'")  # curly apostrophes: "isn’t"
        words = list(WORD.finditer(low))
        starts = [w.start() for w in words]
        cues = [bisect.bisect_left(starts, m.start()) for m in CUE_PATTERNS[aspect].finditer(low)]
        seen: dict[str, float] = {}
        for i, w in enumerate(words):
            word = w.group()
            if word not in lexicon and word not in GENERIC[sign]:
                continue
            before = {words[j].group() for j in range(max(0, i - 2), i)}
            if before & NEGATORS or any(b.endswith("n't") for b in before):
                continue  # "not funny" is no praise
            weight = _closeness(i, cues) * (0.5 if word in GENERIC[sign] else 1.0)
            seen[word] = max(seen.get(word, 0.0), weight)
        counts.update(seen)  # once per sentence: one gushing review is one voice
    return counts


def _claims(facts: list[ReviewFacts], figures: dict[str, Any], least: int) -> list[Claim]:
    """Aspects one side clearly owns, with enough reviews behind them; best supported first."""
    out, grouped = [], _by_aspect(facts)
    for a in figures.get("aspects", []):
        if a["name"] not in NOUNS:
            continue  # "overall" is the lean itself, not something to single out
        sides = _support(grouped, a["name"])
        for sign in (1, -1):
            mine, theirs = len(sides[sign]), len(sides[-sign])
            if mine >= least and mine >= SIDE_SHARE * (mine + theirs):
                out.append(Claim(a["name"], sign, sides[sign]))
    out.sort(key=lambda c: (-len(c.support), -sum(s for s, _, _ in c.support), c.aspect))
    return out


def _name(claims: list[Claim]) -> None:
    """Give each claim the most salient adjective not already used in the sentence."""
    used: set[str] = set()
    for c in claims:
        counts = _adjectives(c.aspect, c.sign, [text for _, _, text in c.support])
        ranked = sorted(counts, key=lambda w: (-counts[w], w))
        c.adjective = next((w for w in ranked if w not in used), DEFAULT_ADJECTIVE[c.sign])
        used.add(c.adjective)
        # Reviews using the very word cited come first: they back the phrase, not just the side.
        uses = re.compile(rf"\b{re.escape(c.adjective)}\b", re.IGNORECASE)
        c.support.sort(key=lambda t: (uses.search(t[2]) is None, -t[0], t[1]))


def _subject(claims: list[Claim]) -> tuple[str, bool]:
    """'Powerful performances and sharp writing', and whether the verb is plural."""
    return _cap(" and ".join(c.bare() for c in claims)), len(claims) > 1 or claims[0].plural


def _verb(plural: bool, singular_form: str, plural_form: str) -> str:
    return plural_form if plural else singular_form


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _praise(lean: float, pos: list[Claim], neg: list[Claim], title: str) -> str:
    """Near-universal praise, or praise with a reservation."""
    n1 = neg[0] if neg else None
    if not pos:
        return f"Most critics recommend {title}, though many fault {neg[0].its()}."
    subject, plural = _subject(pos)
    if lean >= 90:
        despite = f", despite {n1.its()}" if n1 else ""
        return f"{subject} {_verb(plural, 'makes', 'make')} {title} a must-see{despite}."
    if n1 is None:
        return f"{subject} {_verb(plural, 'makes', 'make')} {title} worth seeing."
    held = _verb(n1.plural, "holds", "hold")
    carry = _verb(plural, "carries", "carry")
    return f"{subject} {carry} {title}, even if {n1.its()} {held} it back."


def _split(pos: list[Claim], neg: list[Claim], title: str) -> str:
    """Critics divided: each side's strongest point."""
    if pos and neg:
        praise, fault = pos[0].its(), neg[0].its()
        return f"Critics are split on {title}: some praise {praise}, others fault {fault}."
    if pos:
        return f"Critics are split on {title}, though many praise {pos[0].its()}."
    return f"Critics are split on {title}, with many faulting {neg[0].its()}."


def _pan(pos: list[Claim], neg: list[Claim], title: str) -> str:
    """A pan, with its one saving grace when critics name one."""
    if pos and neg:
        faults = " and ".join(c.its() for c in neg)
        return f"Even {pos[0].bare()} can't save {title} from {faults}."
    if neg:
        subject, plural = _subject(neg)
        return f"{subject} {_verb(plural, 'sinks', 'sink')} {title}."
    return f"{_cap(pos[0].bare())} aside, critics find little to recommend in {title}."


def _sentence(lean: float | None, pos: list[Claim], neg: list[Claim], title: str) -> str:
    """Pick the template for the lean and the claims at hand (at least one claim)."""
    if lean is None:
        parts = [f"single out {pos[0].its()}"] if pos else []
        parts += [f"fault {neg[0].its()}"] if neg else []
        return f"Reviews of {title} {', but '.join(parts)}."
    if lean >= 60:
        return _praise(lean, pos, neg, title)
    if lean >= 40:
        return _split(pos, neg, title)
    return _pan(pos, neg, title)


def _pick(lean: float | None, claims: list[Claim]) -> tuple[list[Claim], list[Claim]]:
    """The claims the sentence has room for: the lean's side leads, one reservation at most."""
    pos = [c for c in claims if c.sign > 0]
    neg = [c for c in claims if c.sign < 0]
    if lean is None or 40 <= lean < 60:
        return pos[:1], neg[:1]
    if lean >= 60:
        return pos[:2], neg[:1]
    return pos[:1], neg[:2]


def _lean(facts: list[ReviewFacts], figures: dict[str, Any]) -> tuple[float | None, bool]:
    """% positive (the figure, or the raw share when too few reviews), and whether it is early."""
    if figures.get("percent_positive") is not None:
        return float(figures["percent_positive"]), False
    scored = [f for f in facts if f.score is not None]
    if not scored:
        return None, True
    threshold = float(config.get("fresh_threshold"))
    return 100 * sum(is_fresh(f, threshold) for f in scored) / len(scored), True


def _overall(
    facts: list[ReviewFacts], lean: float | None, early: bool, title: str
) -> dict[str, Any]:
    """A plain sentence from the overall figures, citing the reviews that make them."""
    if lean is None:
        text = f"No scored reviews of {title} yet." if facts else f"No reviews of {title} yet."
        return {"text": text, "claims": [], "method": "overall"}
    threshold = float(config.get("fresh_threshold"))
    scored = [f for f in facts if f.score is not None]
    fresh = [f.review_id for f in scored if is_fresh(f, threshold)]
    rotten = [f.review_id for f in scored if not is_fresh(f, threshold)]
    sign = 1 if lean >= 60 else -1 if lean < 40 else 0
    ids = fresh if sign > 0 else rotten if sign < 0 else fresh + rotten
    if early:
        text = f"Early reviews of {title} are {('mixed', 'positive', 'negative')[sign]}."
    elif sign == 0:
        text = f"Critics are split on {title}."
    elif sign > 0:
        text = f"{'Critics overwhelmingly' if lean >= 90 else 'Most critics'} recommend {title}."
    else:
        text = (
            f"Critics overwhelmingly pan {title}."
            if lean < 10
            else f"Most critics do not recommend {title}."
        )
    polarity = ("mixed", "positive", "negative")[sign]  # sign -1 picks the last
    claim = {"text": text, "aspect": "overall", "polarity": polarity,
             "review_ids": sorted(ids)[:MAX_CITED], "support": len(ids)}  # fmt: skip
    return {"text": text, "claims": [claim], "method": "overall"}


def consensus(facts: list[ReviewFacts], figures: dict[str, Any], title: str) -> dict[str, Any]:
    """A one-sentence critics consensus whose every claim cites the reviews behind it."""
    lean, early = _lean(facts, figures)
    least = 1 if len(facts) < 5 else 2  # a tiny title may rest a claim on one review
    pos, neg = _pick(lean, _claims(facts, figures, least))
    if not pos and not neg:
        return _overall(facts, lean, early, title)
    _name(pos + neg)
    text = _sentence(lean, pos, neg, title)
    return {"text": text, "claims": [c.to_dict() for c in pos + neg], "method": "aspects"}


STOP = _words(
    "a an the and or but of to in on at for with by from as is are was were be been it its this "
    "that these those his her their our your my we you he she they i me him them not no so if "
    "than then too very just into over also there here has have had do does did will would can "
    "could should what which who whom when where how all any some more most such only own same"
)


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1)


def centroid_baseline(sentences: list[tuple[int, str]]) -> dict[str, Any]:
    """The sentence closest to the TF-IDF centroid of all sentences (extractive baseline)."""
    if not sentences:
        return {"text": "", "review_ids": [], "method": "centroid"}
    bags = [_bag(text) for _, text in sentences]
    df: Counter[str] = Counter(w for bag in bags for w in bag)
    vocab = {w: i for i, w in enumerate(sorted(df))}
    n = len(bags)
    idf = np.array([math.log((1 + n) / (1 + df[w])) + 1 for w in sorted(df)])
    # Sparse rows (index array, unit-length weights): a dense matrix would not fit 100k reviews.
    rows = []
    centroid = np.zeros(len(vocab))
    for bag in bags:
        idx = np.array([vocab[w] for w in bag], dtype=int)
        weights = (
            np.array([bag[w] for w in bag], dtype=float) * idf[idx] if len(idx) else np.zeros(0)
        )
        norm = float(np.linalg.norm(weights))
        unit = weights / norm if norm > 0 else weights
        np.add.at(centroid, idx, unit)
        rows.append((idx, unit))
    scores = [float(unit @ centroid[idx]) for idx, unit in rows]
    best = int(np.argmax(scores))
    rid, text = sentences[best]
    return {"text": text, "review_ids": [rid], "method": "centroid"}
