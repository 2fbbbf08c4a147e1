"""Rule-based sentence splitting, fast enough for bulk scoring (no spaCy)."""

from __future__ import annotations

import re

from critica.document import ReviewDoc, Sentence
from critica.pipeline import BaseComponent, component

# Terminal punctuation, then closing quotes/brackets, then whitespace or the end of the block.
_CANDIDATE = re.compile(r"(?P<punct>[.!?…]+)(?P<close>[\"'”’»)\]]*)(?=\s|\Z)")
_HARD_BREAK = re.compile(r"\n[^\S\n]*\n\s*")  # a blank line ends a sentence whatever precedes it
_WORD_AFTER = re.compile(r"[\"'“‘«(\[]*([^\s.,;:!?\"'”’)\]]*)")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, L.A, p.m (the final period is not in it)
_OPENERS = "\"'“‘«(["


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Never end a sentence: titles and Latin abbreviations always precede more text.
_JOIN = _wordset(
    """mr mrs ms mx dr prof st mt ft sen rep gov gen col lt capt sgt cpl rev hon fr sr
    messrs vs v e.g i.e a.k.a cf viz ca approx"""
)
# Abbreviations that end no sentence when a number follows ("No. 1", "Vol. 2", "Jan. 5").
_BEFORE_NUMBER = _wordset(
    """no nos vol vols p pp ch pt ep eps fig op art sec
    jan feb mar apr jun jul aug sep sept oct nov dec"""
)
# Abbreviations that may end a sentence: they do only when a typical sentence opener follows.
_AMBIGUOUS = _wordset("jr inc ltd co corp bros esq ph.d est dept min mins hrs yrs incl misc al")
_STARTERS = _wordset(
    """the a an it its it’s it's he she they we i you this that these those there here but and
    so yet or if when while after before as in on at for with however still then now even
    despite although though what why how who which not no one his her their our my your all
    some most many both each every only just also unfortunately meanwhile ultimately overall
    sadly thankfully luckily perhaps maybe yes"""
)


def _skip_space(text: str, i: int, hi: int) -> int:
    while i < hi and text[i].isspace():
        i += 1
    return i


def _word_before(text: str, end: int) -> str:
    i = end
    while i > 0 and not text[i - 1].isspace() and text[i - 1] not in _OPENERS:
        i -= 1
    return text[i:end]


def _period_ends(word: str, nxt: str, next_word: str) -> bool:
    """Whether a period after ``word`` ends the sentence, given what follows."""
    low = word.lower()
    if low in _JOIN:
        return False
    if low in _BEFORE_NUMBER and nxt.isdigit():
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. J. Abrams", "M. Night"
        return word == "I" and not (len(next_word) == 1 and next_word.isupper())
    if low == "etc":
        return nxt.isupper()
    if low in _AMBIGUOUS or _ACRONYM.fullmatch(word):
        return next_word.lower() in _STARTERS and next_word[:1].isupper()
    return True  # an ordinary word: a period ends the sentence even before lowercase


def _is_boundary(text: str, m: re.Match[str], nxt_at: int) -> bool:
    nxt = text[nxt_at]
    punct, close = m.group("punct"), m.group("close")
    if punct != "." or close:
        # "!", "?", ellipses and quoted endings go on when a lowercase word follows:
        # “Why?” she asked / Airplane! is / wait... what.
        return not nxt.islower()
    word = _word_before(text, m.start())
    next_word = _WORD_AFTER.match(text, nxt_at)
    return _period_ends(word, nxt, next_word.group(1) if next_word else "")


def _split_block(text: str, lo: int, hi: int, out: list[tuple[int, int]]) -> None:
    start = _skip_space(text, lo, hi)
    for m in _CANDIDATE.finditer(text, start, hi):
        nxt_at = _skip_space(text, m.end(), hi)
        if nxt_at >= hi:
            break
        if _is_boundary(text, m, nxt_at):
            out.append((start, m.end()))
            start = nxt_at
    end = hi
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def split_sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets in ``text``, shifted by ``start``; blank lines always split."""
    spans: list[tuple[int, int]] = []
    lo = 0
    for brk in _HARD_BREAK.finditer(text):
        _split_block(text, lo, brk.start(), spans)
        lo = brk.end()
    _split_block(text, lo, len(text), spans)
    return [(s + start, e + start) for s, e in spans] if start else spans


class Segment(BaseComponent):
    """Pipeline component: ``text`` + ``paragraphs`` -> ``sentences``."""

    name = "segment"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        text = doc.text
        paragraphs = doc.paragraphs or ([(0, len(text))] if text else [])
        doc.sentences = [
            Sentence(text[s:e], s, e)
            for p_start, p_end in paragraphs
            for s, e in split_sentences(text[p_start:p_end], p_start)
        ]
        return doc


@component(
    "segment",
    requires=("text", "paragraphs"),
    assigns=("sentences",),
)
def make_segment() -> Segment:
    """Build the segment component."""
    return Segment()
