"""Candidate consensus lines: house-style frames with slots, and compressed central quotes.

Each candidate records the frame that made it and every claim it states, with
the phrase as written, so the chooser can check it and the page can link each
phrase to its evidence. A frame that lacks a slot's evidence makes no
candidate: nothing is filled with a stock word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from critica.figures.consensus.evidence import Claim, article
from critica.models.aspects import CUE_PATTERNS

# An aspect critics turn into an adverb: "visually striking but narratively thin".
ADVERB = {"visuals": "visually", "story": "narratively", "music_sound": "musically",
          "performances": "", "writing": "", "direction": "", "humor": "", "pacing": "",
          "characters": "", "themes": "thematically", "ending": ""}  # fmt: skip


@dataclass
class Candidate:
    frame: str
    text: str
    polarity: str  # "positive", "mixed" or "negative": the verdict the line states
    claims: list[tuple[Claim, str]] = field(default_factory=list)  # (claim, phrase as written)
    extractive: bool = False
    genre: str = ""


@dataclass
class Slots:
    title: str
    genre: str  # "thriller", or the kind ("film") when critics name no genre
    lean: float  # % positive
    pos: list[Claim]  # aspect and performer claims praised, best supported first
    neg: list[Claim]
    praise: Claim | None  # how fresh reviews describe the title ("funny", "poignant")
    fault: Claim | None  # how rotten reviews describe it
    kind: str = "film"
    who: str = "critics"  # whose consensus: "critics", or "audiences"

    @property
    def named_genre(self) -> bool:
        return self.genre not in ("film", "series", "season", "episode")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def join(parts: list[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _verb(plural: bool, one: str, many: str) -> str:
    return many if plural else one


def _adjs(claim: Claim, n: int = 2) -> str:
    """'funny and poignant' from the claim's best adjectives."""
    return join(claim.adjectives[:n])


def _described(s: Slots, claim: Claim, n: int = 2) -> str:
    """'a funny, poignant comedy'."""
    words = claim.adjectives[:n]
    phrase = ", ".join(words)
    return f"{article(phrase)} {phrase} {s.genre}"


Frame = Callable[[Slots], Iterator[Candidate]]
FRAMES: dict[str, list[tuple[str, Frame]]] = {"positive": [], "mixed": [], "negative": []}


def frame(polarity: str, name: str) -> Callable[[Frame], Frame]:
    """Register a frame for lines of one polarity."""

    def register(fn: Frame) -> Frame:
        FRAMES[polarity].append((name, fn))
        return fn

    return register


def _pair(claims: list[Claim], n: int = 2) -> tuple[str, list[tuple[Claim, str]], bool]:
    """Up to n claims as one noun phrase ('sharp performances and a clever script')."""
    chosen = claims[:n]
    phrases = [c.bare() for c in chosen]
    plural = len(chosen) > 1 or chosen[0].plural
    return join(phrases), list(zip(chosen, phrases, strict=True)), plural


# ---- praise (>= 60% positive) ------------------------------------------------------------


@frame("positive", "adjectives-title-is")
def _p_adjectives_first(s: Slots) -> Iterator[Candidate]:
    if s.praise and len(s.praise.adjectives) >= 2 and s.pos:
        adjs = _adjs(s.praise)
        body, claims, _ = _pair(s.pos)
        text = f"{cap(adjs)}, {s.title} is {article(s.genre)} {s.genre} with {body}."
        yield Candidate("adjectives-title-is", text, "positive", [(s.praise, adjs), *claims])
        if s.neg and s.lean < 90:
            fault = s.neg[0]
            text = text[:-1] + f", even if {fault.its()} may test some viewers."
            claims = [(s.praise, adjs), *claims, (fault, fault.its())]
            yield Candidate("adjectives-title-is", text, "positive", claims)


@frame("positive", "title-is-described")
def _p_title_is(s: Slots) -> Iterator[Candidate]:
    if s.praise and s.pos:
        described = _described(s, s.praise)
        body, claims, _ = _pair(s.pos)
        verb = "boasting" if s.lean >= 80 else "with"
        text = f"{s.title} is {described} {verb} {body}."
        phrase = ", ".join(s.praise.adjectives[:2])
        yield Candidate("title-is-described", text, "positive", [(s.praise, phrase), *claims])
        if len(s.pos) >= 3:
            body, claims, _ = _pair(s.pos, 3)
            text = f"{s.title} is {described}, with {body}."
            yield Candidate("title-is-described", text, "positive", [(s.praise, phrase), *claims])
        if s.neg and s.lean < 90:
            fault = s.neg[0]
            text = f"{s.title} is {described} {verb} {body}, though {fault.its()} may test some."
            claims = [(s.praise, phrase), *claims, (fault, fault.its())]
            yield Candidate("title-is-described", text, "positive", claims)


@frame("positive", "anchored-by")
def _p_anchored(s: Slots) -> Iterator[Candidate]:
    star = next((c for c in s.pos if c.aspect == "performer"), None)
    if star is None:
        return
    rest = [c for c in s.pos if c is not star and c.aspect != "performances"]
    claims = [(star, star.bare())]
    if s.praise:
        described = _described(s, s.praise)
        claims.append((s.praise, ", ".join(s.praise.adjectives[:2])))
    else:
        described = f"{article(s.genre)} {s.genre}"
    tail = ""
    if rest:
        tail = f" with {rest[0].bare()}"
        claims.append((rest[0], rest[0].bare()))
    text = f"Anchored by {star.bare()}, {s.title} is {described}{tail}."
    yield Candidate("anchored-by", text, "positive", claims)


@frame("positive", "though-benefits")
def _p_though(s: Slots) -> Iterator[Candidate]:
    if not (s.neg and s.pos) or s.lean >= 90:
        return
    fault = s.neg[0]
    body, claims, _ = _pair(s.pos)
    text = f"Though {fault.its()} may test some viewers, {s.title} benefits from {body}."
    yield Candidate("though-benefits", text, "positive", [(fault, fault.its()), *claims])


@frame("positive", "may-not-but")
def _p_may_not(s: Slots) -> Iterator[Candidate]:
    if not s.pos or s.lean >= 80 or not s.praise:
        return
    body, claims, plural = _pair(s.pos)
    adj = s.praise.adjective
    make = _verb(plural, "makes", "make")
    text = (
        f"{s.title} may not win over everyone, but {body} {make} it "
        f"{article(adj)} {adj} {s.genre} worth seeing."
    )
    yield Candidate("may-not-but", text, "positive", [*claims, (s.praise, adj)])


@frame("positive", "claims-make")
def _p_claims_make(s: Slots) -> Iterator[Candidate]:
    if not s.pos:
        return
    body, claims, plural = _pair(s.pos)
    make = _verb(plural, "makes", "make")
    what = f"{article(s.genre)} {s.genre} worth seeking out" if s.lean >= 75 else "worth a look"
    text = f"{cap(body)} {make} {s.title} {what}"
    if s.neg and s.lean < 90:
        fault = s.neg[0]
        text += f", even if {fault.its()} {_verb(fault.plural, 'falls', 'fall')} short"
        claims.append((fault, fault.its()))
    yield Candidate("claims-make", text + ".", "positive", claims)


@frame("positive", "praise-only")
def _p_praise_only(s: Slots) -> Iterator[Candidate]:
    if s.praise and not s.pos:
        phrase = join(s.praise.adjectives[:3])
        who = cap(s.who) if s.lean < 90 else f"{cap(s.who)} almost unanimously"
        text = f"{who} call {s.title} {article(phrase)} {phrase} {s.genre}"
        if s.neg:
            text += f", whatever {s.neg[0].its()}"
        yield Candidate("praise-only", text + ".", "positive", [(s.praise, phrase)])
        lead = f"Most {s.who}" if s.lean < 90 else f"{cap(s.who)} overwhelmingly"
        text = f"{lead} recommend {s.title}, {_described(s, s.praise)}."
        yield Candidate(
            "recommend-described",
            text,
            "positive",
            [(s.praise, ", ".join(s.praise.adjectives[:2]))],
        )


# ---- split (40-60% positive) -------------------------------------------------------------


@frame("mixed", "offers-but")
def _m_offers_but(s: Slots) -> Iterator[Candidate]:
    if s.pos and s.neg:
        good, bad = s.pos[0], s.neg[0]
        hold = _verb(bad.plural, "holds", "hold")
        text = f"{s.title} offers {good.bare()}, but {bad.its()} {hold} it back."
        yield Candidate("offers-but", text, "mixed", [(good, good.bare()), (bad, bad.its())])


@frame("mixed", "adverb-but")
def _m_adverbs(s: Slots) -> Iterator[Candidate]:
    good = next((c for c in s.pos if ADVERB.get(c.aspect)), None)
    bad = next((c for c in s.neg if ADVERB.get(c.aspect) and c is not good), None)
    if good and bad and good.aspect != bad.aspect:
        a = f"{ADVERB[good.aspect]} {good.adjective}"
        b = f"{ADVERB[bad.aspect]} {bad.adjective}"
        text = f"{s.title} is {article(a)} {a} but {b} {s.genre}."
        yield Candidate("adverb-but", text, "mixed", [(good, a), (bad, b)])


@frame("mixed", "adjective-but")
def _m_adjective_but(s: Slots) -> Iterator[Candidate]:
    if s.praise and s.fault:
        a, b = s.praise.adjective, s.fault.adjective
        tail = ""
        claims = [(s.praise, a), (s.fault, b)]
        if s.pos:
            tail = f", with {s.pos[0].bare()}"
            claims.append((s.pos[0], s.pos[0].bare()))
        text = f"{s.title} is {article(a)} {a} but {b} {s.genre}{tail}."
        yield Candidate("adjective-but", text, "mixed", claims)


@frame("mixed", "split-on")
def _m_split_on(s: Slots) -> Iterator[Candidate]:
    if s.pos and s.neg:
        good, bad = s.pos[0], s.neg[0]
        text = (
            f"{cap(s.who)} are split on {s.title}: some praise {good.its()}, "
            f"others fault {bad.its()}."
        )
        yield Candidate("split-on", text, "mixed", [(good, good.its()), (bad, bad.its())])


@frame("mixed", "may-not-win")
def _m_may_not_win(s: Slots) -> Iterator[Candidate]:
    if s.pos and s.neg:
        good, bad = s.pos[0], s.neg[0]
        has = f"{good.bare()}"
        text = (
            f"It may not win over skeptics, and {bad.its()} will try some patience, "
            f"but {s.title} has {has} to recommend it."
        )
        yield Candidate("may-not-win", text, "mixed", [(bad, bad.its()), (good, has)])


@frame("mixed", "uneven")
def _m_uneven(s: Slots) -> Iterator[Candidate]:
    if (s.pos or s.praise) and s.neg:
        good = s.pos[0] if s.pos else None
        bad = s.neg[0]
        bads = s.neg[:2]
        faults = join([c.bare() for c in bads])
        keep = _verb(len(bads) > 1 or bads[0].plural, "keeps", "keep")
        if good is not None:
            text = f"{cap(good.bare())} can't quite make up for {faults} in {s.title}."
            claims = [(good, good.bare())] + [(c, c.bare()) for c in bads]
            yield Candidate("uneven", text, "mixed", claims)
        elif s.praise:
            adj = s.praise.adjective
            text = f"{s.title} has {adj} moments, but {faults} {keep} it from taking off."
            yield Candidate("uneven", text, "mixed", [(s.praise, adj), (bad, faults)])


@frame("mixed", "undercut")
def _m_undercut(s: Slots) -> Iterator[Candidate]:
    if s.pos and s.neg and s.pos[0].aspect != "performer":
        good, bad = s.pos[0], s.neg[0]
        be = _verb(good.plural, "is", "are")
        text = f"In {s.title}, {good.bare()} {be} undercut by {bad.bare()}."
        if s.praise and s.fault:
            a, b = s.praise.adjective, s.fault.adjective
            text = (
                f"{s.title} is {article(a)} {a} but {b} {s.genre}: "
                f"{good.bare()} {be} undercut by {bad.bare()}."
            )
            yield Candidate(
                "undercut",
                text,
                "mixed",
                [(s.praise, a), (s.fault, b), (good, good.bare()), (bad, bad.bare())],
            )
        else:
            yield Candidate("undercut", text, "mixed", [(good, good.bare()), (bad, bad.bare())])


@frame("mixed", "divided")
def _m_divided(s: Slots) -> Iterator[Candidate]:
    if s.pos and s.neg:
        good, bad = s.pos[0], s.neg[0]
        text = (
            f"{cap(s.who)} are divided on {s.title}, {article(s.genre)} {s.genre} whose "
            f"{good.bare()} win some over while {bad.its()} loses others."
        )
        if not good.plural:
            text = text.replace(" win some over", " wins some over")
        if bad.plural:
            text = text.replace(" loses others", " lose others")
        yield Candidate("divided", text, "mixed", [(good, good.bare()), (bad, bad.its())])


# ---- pans (< 40% positive) ---------------------------------------------------------------


@frame("negative", "title-is-undone")
def _n_title_is(s: Slots) -> Iterator[Candidate]:
    if s.fault and s.neg:
        described = _described(s, s.fault)
        body, claims, _ = _pair(s.neg)
        text = f"{s.title} is {described} undone by {body}."
        phrase = ", ".join(s.fault.adjectives[:2])
        yield Candidate("title-is-undone", text, "negative", [(s.fault, phrase), *claims])
        if s.pos:
            good = s.pos[0]
            text = f"Despite {good.bare()}, {s.title} is {described} undone by {body}."
            claims = [(good, good.bare()), (s.fault, phrase), *claims]
            yield Candidate("title-is-undone", text, "negative", claims)


@frame("negative", "despite")
def _n_despite(s: Slots) -> Iterator[Candidate]:
    if s.pos and s.neg:
        good = s.pos[0]
        body, claims, _ = _pair(s.neg)
        text = f"Despite {good.bare()}, {s.title} is let down by {body}."
        yield Candidate("despite", text, "negative", [(good, good.bare()), *claims])


@frame("negative", "wastes")
def _n_wastes(s: Slots) -> Iterator[Candidate]:
    star = next((c for c in s.pos if c.aspect == "performer"), None)
    cast = star or next((c for c in s.pos if c.aspect == "performances"), None)
    if cast is None or not s.neg:
        return
    faults = [c for c in s.neg if c.aspect not in ("performances", "performer")]
    if not faults:
        return
    body, claims, _ = _pair(faults)
    who = f"{star.person}'s talents" if star else f"its {cast.bare()}"
    text = f"{s.title} wastes {who} on {body}."
    yield Candidate("wastes", text, "negative", [(cast, who), *claims])


@frame("negative", "claims-sink")
def _n_sink(s: Slots) -> Iterator[Candidate]:
    if s.neg:
        body, claims, plural = _pair(s.neg)
        sink = _verb(plural, "sinks", "sink")
        what = (
            f"{s.title}, {article(s.fault.adjective)} {s.fault.adjective} {s.genre}"
            if s.fault
            else s.title
        )
        if s.fault:
            claims.append((s.fault, s.fault.adjective))
        yield Candidate("claims-sink", f"{cap(body)} {sink} {what}.", "negative", claims)


@frame("negative", "appositive")
def _n_appositive(s: Slots) -> Iterator[Candidate]:
    if s.fault and len(s.fault.adjectives) >= 2:
        described = _described(s, s.fault)
        phrase = ", ".join(s.fault.adjectives[:2])
        if s.neg:
            body, claims, _ = _pair(s.neg, 1)
            text = f"{cap(described)}, {s.title} is let down by {body}."
        else:
            claims = []
            text = f"{cap(described)}, {s.title} finds few defenders among {s.who}."
        yield Candidate("appositive", text, "negative", [(s.fault, phrase), *claims])


# ---- extractive: central quotes, compressed, with the title as subject ---------------------

_SUBJECT = re.compile(
    r"^(?:but |and |still,? |yet |so |overall,? |ultimately,? |in the end,? )?"
    r"(?:the|this|director \w+(?: \w+)?'s) (?:film|movie|picture|documentary|comedy|drama|"
    r"thriller|doc|feature|flick|sequel|remake|adaptation)\b|^(?:but |and |still,? |yet |so )?it\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|we|us|our|you|your|i'm|i've|i'd)\b", re.IGNORECASE)
_ASIDE = re.compile(r"\s*(?:\([^)]*\)|\[[^\]]*\]|--[^-]*--|—[^—]*—)")
_CONTRAST = re.compile(r"\b(?:but|though|although|yet|despite|even if)\b", re.IGNORECASE)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")


def compress(quote: str, title: str) -> str | None:
    """A critic's sentence as a consensus line: asides, ellipses and attribution dropped,
    the film named as its subject; None when it cannot stand alone."""
    text = _ASIDE.sub("", quote).strip().strip('"“”')
    if "..." in text or "…" in text:
        parts = [p for p in _ELLIPSIS.split(text) if p]
        text = max(parts, key=len) if parts else ""
    text = re.sub(r",? (?:says|writes|notes|argues) [A-Z][\w .'-]+$", "", text).rstrip(" ,;:")
    if not text or _FIRST_PERSON.search(text) or "?" in text or '"' in text:
        return None
    match = _SUBJECT.match(text)
    if title.lower() not in text.lower():
        if match is None:
            return None
        text = title + text[match.end() :]
    text = cap(text.rstrip(".!;: "))
    words = len(text.split())
    if not 8 <= words <= 32:
        return None
    return text + "."


def extractive(
    s: Slots, quotes: list[tuple[int, str, int]], supported: dict[tuple[str, int], Claim]
) -> Iterator[Candidate]:
    """Candidates from reviews' pull quotes whose every aspect is a claim their side owns."""
    polarity = "positive" if s.lean >= 60 else "negative" if s.lean < 40 else "mixed"
    overall = {1: s.praise, -1: s.fault}
    for rid, quote, sign in quotes:
        if (polarity == "positive" and sign < 0) or (polarity == "negative" and sign > 0):
            continue
        if polarity == "mixed" and not _CONTRAST.search(quote):
            continue  # one side's quote is not a split verdict
        text = compress(quote, s.title)
        if text is None:
            continue
        named = [a for a, pattern in CUE_PATTERNS.items() if pattern.search(text)]
        claims = [supported.get((a, sign)) for a in named]
        if any(c is None for c in claims):
            continue  # the critic says something about an aspect the others do not back
        stated = [(c, c.noun) for c in claims if c is not None]
        side = overall[sign]
        if side is None:
            continue
        own = [t for t in side.support if t[1] == rid] or [(1.0, rid, quote)]
        whole = Claim("overall", sign, own + [t for t in side.support if t[1] != rid])
        yield Candidate("extractive", text, polarity, [(whole, ""), *stated], extractive=True)
