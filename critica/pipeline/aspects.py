"""Aspects: what each opinion sentence judges (acting, writing, pacing ...) and which way.

A sentence can praise the cast and fault the script ("Great cast, terrible
script"), or praise the whole and fault a part ("an enthralling watch that
comes to unsatisfying conclusions"). Each aspect takes the polarity of the
words about it. The aspect head (``critica.models.aspect_head``) weighs each
token of the sentence for that aspect, by its state in the sentence model and
its place relative to the aspect's cue word (the phrase that names it: cut at
commas, dashes, relative pronouns and contrast words), and pools the sentence
model's token logits from the same encoder pass. Without token states (an
older graph) the aspect takes the mean over that phrase, the span rule the
head was trained from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from critica.document import AspectMention, ReviewDoc
from critica.models.aspect_head import AspectHead
from critica.models.aspects import BROAD_PATTERNS, CUE_PATTERNS, AspectModel
from critica.models.encoder import TokenScores
from critica.pipeline import BaseComponent, component
from critica.pipeline.sentiment import sentence_polarity

_CONTRAST = re.compile(
    r"\s*(?:;|,?\s+(?P<word>but|though|although|yet|while|whereas|however)\b)\s*", re.IGNORECASE
)
# Phrase boundaries inside a clause: punctuation, dashes, relative pronouns, contrast words.
_PHRASE = re.compile(
    r"\s*(?:[,;:()\[\]]|\s[-–—]+\s|--|"
    r"(?<=\s)(?P<word>that|which|who|whose|but|though|although|yet|while|whereas|however|"
    r"despite|even if|if only|except|save for|until)\b)\s*",
    re.IGNORECASE,
)


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in pattern.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        # "but ...", "that ..." keep their word; after punctuation the next part starts fresh.
        start = m.start("word") if m.group("word") else m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the contrasting clauses of a sentence (one span when there is no contrast)."""
    return _split(text, _CONTRAST)


def phrases(text: str) -> list[tuple[int, int]]:
    """Spans of the phrases of a sentence: clauses cut further at punctuation and pronouns."""
    return _split(text, _PHRASE)


def cue_positions(aspect: str, text: str) -> list[int]:
    """Where the aspect is named: its narrow cue words, else its broad ones."""
    for patterns in (CUE_PATTERNS, BROAD_PATTERNS):
        hits = [m.start() for m in patterns[aspect].finditer(text)]
        if hits:
            return hits
    return []


def _around(spans: list[tuple[int, int]], at: int) -> tuple[int, int] | None:
    return next(((a, b) for a, b in spans if a <= at < b), None)


def span_polarity(scores: TokenScores, start: int, end: int) -> float | None:
    """The sentence model's -1..1 polarity of the characters ``[start, end)`` in context."""
    probs = scores.span(start, end)
    if probs is None:
        return None
    return float(sentence_polarity(probs["pol"][None, :], probs["fine"][None, :])[0])


def aspect_span(aspect: str, text: str) -> tuple[int, int]:
    """The words about ``aspect``: the phrase around its first cue word, else the contrast
    clause around it, else the whole sentence (the sentence model was tuned on these very
    spans of the aspect corpus's training third: training/tune_aspect_spans.py)."""
    hits = cue_positions(aspect, text)
    if hits:
        for spans in (phrases(text), clauses(text)):
            around = _around(spans, hits[0])
            if around is not None and around != (0, len(text)):
                return around
    return 0, len(text)


def aspect_polarity(
    aspect: str,
    text: str,
    scores: TokenScores | None,
    overall: float,
    head: AspectHead | None = None,
) -> float:
    """The polarity of the words about ``aspect`` in a sentence whose own polarity is
    ``overall``, scored in context from the sentence's token scores: by the aspect head
    when the scores carry token states, else as the mean over the cue's phrase."""
    if scores is None:
        return overall
    if head is not None and scores.states is not None:
        return head.polarity(aspect, text, scores.offsets, scores.states, scores.logits["pol"])
    value = span_polarity(scores, *aspect_span(aspect, text))
    return overall if value is None else value


class Aspects(BaseComponent):
    """Tags opinion sentences with aspects, each with the polarity of the words about it."""

    name = "aspects"

    def __init__(self, model: AspectModel, head: AspectHead | None = None) -> None:
        self.model = model
        self.head = head
        self.version = f"aspects-{model.version}"
        if head is not None:
            self.version += f"+polarity-{head.version}"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        """Detect aspects for a batch and give each its own polarity (no second encoder pass)."""
        for doc in docs:
            if not doc.scored or doc.embeddings is None or not doc.sentences:
                continue
            keep = [i for i, s in enumerate(doc.sentences) if s.opinion >= self.model.min_opinion]
            if not keep:
                continue
            found = self.model.detect(doc.embeddings[keep], [doc.sentences[i].text for i in keep])
            scores: Sequence[TokenScores | None] = doc.token_scores or [None] * len(doc.sentences)
            for i, names in zip(keep, found, strict=True):
                s = doc.sentences[i]
                s.aspects = [
                    AspectMention(
                        n, round(aspect_polarity(n, s.text, scores[i], s.polarity, self.head), 4)
                    )
                    for n in names
                ]
        for doc in docs:  # token states are ~1.5 KB a token: let them go once used
            for token_scores in doc.token_scores or ():
                token_scores.states = None
        return docs


@component(
    "aspects",
    requires=("sentences", "embeddings", "token_scores"),
    assigns=("sentences.aspects",),
    optional=True,
)
def make_aspects() -> Aspects:
    """Load the aspect model and head once; polarity comes from the sentence model's tokens."""
    return Aspects(AspectModel(), AspectHead())
