"""A critics' consensus: many candidate lines, then the one the evidence backs best.

``consensus`` gathers what the reviews agree on (``evidence``: claims per aspect
named by the critics' own adjectives, how each side describes the title, the
genre noun critics use, a performer several reviews single out), writes
candidate lines from house-style frames and from the reviews' own central
quotes (``frames``), drops every candidate that states something the evidence
does not back or reads badly, and picks the best of the rest by agreement with
the title's figures, coverage, centrality and length. Every claim keeps the ids
of the reviews behind it and its strongest quotes. With too little evidence the
line comes from the overall lean alone (``method`` "overall").
``centroid_baseline`` and ``fixed_baseline`` are the baselines it is measured
against (``bench/consensus_rouge.py``).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from typing import Any

import numpy as np

from critica import config
from critica.figures.consensus.evidence import (
    MAX_CITED,
    MAX_READ,
    NOUNS,
    WORD,
    Claim,
    aspect_claims,
    genre,
    makers,
    overall_claim,
    performer,
    restates,
    sample,
)
from critica.figures.consensus.frames import FRAMES, Candidate, Slots, extractive
from critica.rules import is_fresh
from critica.store.records import ReviewFacts

__all__ = ["NOUNS", "Claim", "centroid_baseline", "consensus", "fixed_baseline"]

LENGTH = (14, 30)  # words: Rotten Tomatoes' lines run about 15-30
GENRE_BONUS = 0.2  # a line that names what the title is ("a thriller") tells more
JITTER = 0.3  # how far a title's own hash may move a frame's score: near ties vary by title


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
    facts: list[ReviewFacts], lean: float | None, early: bool, title: str, who: str = "critics"
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
        text = f"{who.capitalize()} are split on {title}."
    elif sign > 0:
        lead = f"{who.capitalize()} overwhelmingly" if lean >= 90 else f"Most {who}"
        text = f"{lead} recommend {title}."
    else:
        text = (
            f"{who.capitalize()} overwhelmingly pan {title}."
            if lean < 10
            else f"Most {who} do not recommend {title}."
        )
    polarity = ("mixed", "positive", "negative")[sign]  # sign -1 picks the last
    by_id = {f.review_id: f for f in scored}
    quoted = [i for i in sorted(ids) if by_id[i].quote][:3]
    quotes = [{"review_id": i, "text": by_id[i].quote} for i in quoted]
    claim = {"text": text, "aspect": "overall", "polarity": polarity, "quotes": quotes,
             "review_ids": sorted(ids)[:MAX_CITED], "support": len(ids)}  # fmt: skip
    return {"text": text, "claims": [claim], "method": "overall"}


def _band(lean: float) -> str:
    return "positive" if lean >= 60 else "negative" if lean < 40 else "mixed"


def _content(text: str, title: str) -> list[str]:
    skip = set(WORD.findall(title.lower()))
    return [w for w in WORD.findall(text.lower()) if w not in STOP and w not in skip and len(w) > 2]


def _distinct(claims: list[Claim]) -> None:
    """Give each claim, in order, the best adjectives no earlier claim has taken."""
    used: set[str] = set()
    for claim in claims:
        fresh = [a for a in claim.adjectives if a not in used]
        claim.adjectives = fresh + [a for a in claim.adjectives if a in used]
        used.update(claim.adjectives[: 2 if claim.aspect == "overall" else 1])


def tidy(text: str) -> str:
    """One full stop after a title that ends in its own ("10,000 B.C.", "When Do We Eat?")."""
    return re.sub(r"([.?!])\.(?=\s|$)", r"\1", text)


def fluent(candidate: Candidate, title: str) -> bool:
    """No content word twice ("strong ... strong"), no phrase that restates itself."""
    words = _content(candidate.text, title)
    heads = [w.rstrip("s") for w in words]
    return len(set(heads)) == len(heads)


def supported(candidate: Candidate, least: int) -> bool:
    """Every claim stated is backed by enough distinct reviews of its polarity."""
    return all(len({rid for _, rid, _ in c.support}) >= least for c, _ in candidate.claims)


def _centroid(facts: list[ReviewFacts], title: str) -> Counter[str]:
    """Share of reviews using each content word: what a central line talks about."""
    counts: Counter[str] = Counter()
    for f in sample(facts, MAX_READ):
        texts = {text for _, _, text in f.aspects}
        if f.quote:
            texts.add(f.quote)
        counts.update({w for t in texts for w in _content(t, title)})
    return counts


def _score(c: Candidate, centroid: Counter[str], n: int, title: str) -> float:
    """Coverage + centrality + length, nudged by the title's own hash so near ties vary."""
    words = _content(c.text, title)
    central = sum(centroid[w] for w in set(words)) / (n * math.sqrt(len(words) or 1))
    aspects = {claim.aspect for claim, _ in c.claims}
    coverage = 0.35 * min(2, len(aspects - {"overall"})) + 0.25 * ("overall" in aspects)
    coverage += 0.3 * ("performer" in aspects)
    length = len(c.text.split())
    low, high = LENGTH
    shape = -0.08 * max(0, low - length) - 0.08 * max(0, length - high)
    genre = GENRE_BONUS * (c.genre in c.text.lower().split() and c.genre != "film")
    digest = hashlib.sha256(f"{title}|{c.frame}".encode()).digest()
    jitter = JITTER * digest[0] / 255
    return coverage + 2.0 * central + shape + genre + jitter


def candidates(
    facts: list[ReviewFacts],
    figures: dict[str, Any],
    title: str,
    *,
    kind: str = "film",
    people: list[str] | None = None,
    who: str = "critics",
) -> list[Candidate]:
    """Every candidate line the evidence supports, best first (empty: nothing to say)."""
    lean, _ = _lean(facts, figures)
    if lean is None:
        return []
    least = 1 if len(facts) < 5 else 2  # a tiny title may rest a claim on one review
    claims = aspect_claims(facts, list(NOUNS), least, title)
    read = sample(facts, MAX_READ)
    texts = [text for f in read for name, _, text in f.aspects if name == "direction"]
    texts += [f.quote for f in read if f.quote]
    star = performer(claims, title, least, people, makers(texts, title))
    pos = [c for c in claims if c.sign > 0]
    neg = [c for c in claims if c.sign < 0]
    if star is not None:  # the performer stands for the cast: "X's performance", not both
        same = pos if star.sign > 0 else neg
        same[:] = [star] + [c for c in same if c.aspect != "performances"]
    noun = genre(facts, kind, least)
    praise, fault = (overall_claim(facts, sign, least, title) for sign in (1, -1))
    for described in (praise, fault):
        if described is not None:  # "a funny comedy", "a thrilling thriller" say nothing
            described.adjectives = [a for a in described.adjectives if not restates(a, noun)]
    _distinct([c for c in (*pos, *neg, praise, fault) if c is not None])
    slots = Slots(
        title=title,
        genre=noun,
        lean=lean,
        pos=pos,
        neg=neg,
        praise=praise if praise and praise.adjectives else None,
        fault=fault if fault and fault.adjectives else None,
        kind=kind,
        who=who,
    )
    band = _band(lean)
    found = [c for _, make in FRAMES[band] for c in make(slots)]
    by_claim = {(c.aspect, c.sign): c for c in claims}
    if star is not None:
        by_claim.setdefault(("performances", star.sign), star)
    threshold = float(config.get("fresh_threshold"))
    quotes = [(f.review_id, f.quote, 1 if is_fresh(f, threshold) else -1) for f in facts
              if f.quote and f.score is not None]  # fmt: skip
    quotes = sample(quotes, MAX_READ // 4)
    found += extractive(slots, quotes, by_claim)
    for c in found:
        c.genre = slots.genre
        c.text = tidy(c.text)
    found = [c for c in found if supported(c, least) and fluent(c, title)]
    centroid = _centroid(facts, title)
    n_read = max(1, min(len(facts), MAX_READ))
    found.sort(key=lambda c: -_score(c, centroid, n_read, title))
    return found


def consensus(
    facts: list[ReviewFacts],
    figures: dict[str, Any],
    title: str,
    *,
    kind: str = "film",
    people: list[str] | None = None,
    who: str = "critics",
) -> dict[str, Any]:
    """A one- or two-sentence critics' consensus whose every claim cites the reviews behind it.

    ``kind`` names the title when critics name no genre; ``people`` (the title's credits)
    limits the standout performer to people known to be in it; ``who`` ("critics", or
    "audiences" for the audience's own line) is who the line speaks for.
    """
    found = candidates(facts, figures, title, kind=kind, people=people, who=who)
    if not found:
        lean, early = _lean(facts, figures)
        return _overall(facts, lean, early, title, who)
    best = found[0]
    claims, seen = [], set()
    for claim, phrase in best.claims:
        key = (claim.aspect, claim.sign, claim.person)
        if key not in seen:
            seen.add(key)
            claims.append(claim.to_dict(phrase or None))
    method = "extractive" if best.extractive else "frames"
    return {"text": best.text, "claims": claims, "method": method, "frame": best.frame}


def fixed_baseline(title: str) -> str:
    """One fixed sentence with the title filled in: the floor every line must clear."""
    return f"{title} is a well-made film with strong performances, though its story has flaws."


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
