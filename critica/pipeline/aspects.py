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
from dataclasses import dataclass, field

import numpy as np

from critica.document import AspectMention, ReviewDoc
from critica.models import aspect_head as col
from critica.models.aspect_head import AspectHead
from critica.models.aspects import AspectModel, cue_text
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
    return [start for start, _ in cue_spans(aspect, text)]


def _around(spans: list[tuple[int, int]], at: int) -> tuple[int, int] | None:
    return next(((a, b) for a, b in spans if a <= at < b), None)


def span_polarity(scores: TokenScores, start: int, end: int) -> float | None:
    """The sentence model's -1..1 polarity of the characters ``[start, end)`` in context."""
    probs = scores.span(start, end)
    if probs is None:
        return None
    return float(sentence_polarity(probs["pol"][None, :], probs["fine"][None, :])[0])


def aspect_span(aspect: str, text: str, layout: Layout | None = None) -> tuple[int, int]:
    """The words about ``aspect``: the phrase around its first cue word, else the contrast
    clause around it, else the whole sentence (the sentence model was tuned on these very
    spans of the aspect corpus's training third: training/tune_aspect_spans.py)."""
    return _span_around(cue_positions(aspect, text), text, layout)


def _span_around(hits: list[int], text: str, layout: Layout | None) -> tuple[int, int]:
    if hits:
        parts = (layout.phrases, layout.clauses) if layout else (phrases(text), clauses(text))
        for spans in parts:
            around = _around(spans, hits[0])
            if around is not None and around != (0, len(text)):
                return around
    return 0, len(text)


def cue_spans(aspect: str, text: str) -> list[tuple[int, int]]:
    """Character spans of the aspect's narrow cue words, else its broad ones."""
    searched, lists = cue_text(text)
    for patterns in lists:
        hits = [m.span() for m in patterns[aspect].finditer(searched)]
        if hits:
            return hits
    return []


@dataclass
class Layout:
    """What every aspect of one sentence shares: its phrases, clauses and token columns."""

    text: str
    offsets: np.ndarray
    phrases: list[tuple[int, int]] = field(init=False)
    clauses: list[tuple[int, int]] = field(init=False)
    base: np.ndarray = field(init=False)  # the aspect-free position columns

    def __post_init__(self) -> None:
        self.phrases, self.clauses = phrases(self.text), clauses(self.text)
        starts, ends = self.offsets[:, 0], self.offsets[:, 1]
        real = ends > starts
        f = np.zeros((len(self.offsets), col.N_POSITION), dtype=np.float32)
        f[:, col.RELATIVE] = np.cumsum(real) / max(1, int(real.sum())) * real
        if len(self.clauses) > 1:
            f[:, col.AFTER_CONTRAST] = real & (starts >= self.clauses[0][1])
        # a token without a letter or digit: count them per character once, then per token
        alnum = np.concatenate(([0], np.cumsum([c.isalnum() for c in self.text])))
        end = np.minimum(ends, len(self.text))
        f[:, col.PUNCT] = real & (alnum[end] == alnum[np.minimum(starts, end)])
        self.base = f


def position_features(
    aspect: str, text: str, offsets: np.ndarray, layout: Layout | None = None
) -> np.ndarray:
    """Per-token columns of where each token stands relative to the aspect's cue words
    (``critica.models.aspect_head`` names them)."""
    layout = layout or Layout(text, offsets)
    f = layout.base.copy()
    n = len(offsets)
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = ends > starts
    cues = cue_spans(aspect, text)
    a, b = _span_around([start for start, _ in cues], text, layout)
    f[:, col.IN_SPAN] = real & (starts >= a) & (ends <= b)
    if not cues:
        f[:, col.NO_CUE] = real
        return f
    is_cue = np.zeros(n, dtype=bool)
    for cs, ce in cues:
        is_cue |= real & (starts < ce) & (ends > cs)
    f[:, col.IS_CUE] = is_cue
    for spans, column in ((layout.phrases, col.IN_PHRASE), (layout.clauses, col.IN_CLAUSE)):
        for ps, pe in spans:
            if any(ps <= cs < pe for cs, _ in cues):
                f[:, column] = np.maximum(f[:, column], real & (starts >= ps) & (ends <= pe))
    cue_idx = np.flatnonzero(is_cue)
    if len(cue_idx):
        idx = np.arange(n)
        dist = idx - cue_idx[np.abs(idx[:, None] - cue_idx[None, :]).argmin(axis=1)]
        for k, (lo, hi) in enumerate(col.BUCKETS):
            f[:, col.DIST + k] = real & (dist >= lo) & (dist <= hi)
    return f


def aspect_polarities(
    aspects: list[str],
    text: str,
    scores: TokenScores | None,
    overall: float,
    head: AspectHead | None = None,
) -> list[float]:
    """The polarity of the words about each aspect in a sentence whose own polarity is
    ``overall``, scored in context from the sentence's token scores: by the aspect head
    when the scores carry token states, else as the mean over the cue's phrase."""
    if scores is None or not aspects:
        return [overall] * len(aspects)
    if head is not None and scores.states is not None:
        layout = Layout(text, scores.offsets)
        positions = np.stack([position_features(a, text, scores.offsets, layout) for a in aspects])
        found = head.polarities(aspects, positions, scores.states, scores.logits["pol"])
        return [float(v) for v in found]
    values = [span_polarity(scores, *aspect_span(a, text)) for a in aspects]
    return [overall if v is None else v for v in values]


def aspect_polarity(
    aspect: str,
    text: str,
    scores: TokenScores | None,
    overall: float,
    head: AspectHead | None = None,
) -> float:
    """``aspect_polarities`` for one aspect."""
    return aspect_polarities([aspect], text, scores, overall, head)[0]


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
                values = aspect_polarities(names, s.text, scores[i], s.polarity, self.head)
                s.aspects = [
                    AspectMention(n, round(v, 4)) for n, v in zip(names, values, strict=True)
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
