"""Aspects: what each opinion sentence judges (acting, writing, pacing ...) and which way.

A sentence can praise the cast and fault the script. When a sentence carries
several aspects and turns on a contrast ("but", "though", ";"), each clause
is scored by the sentence model and each aspect takes the polarity of the
clause that names it.
"""

from __future__ import annotations

import re

import numpy as np

from critica import config
from critica.document import AspectMention, ReviewDoc, Sentence
from critica.models.aspects import CUE_PATTERNS, AspectModel
from critica.models.encoder import SentenceEncoder, shared_encoder
from critica.pipeline.sentiment import ENCODER_BATCH, ENCODER_MAX_TOKENS, sentence_polarity

_CONTRAST = re.compile(
    r"\s*(?:;|,?\s+(?P<word>but|though|although|yet|while|whereas|however)\b)\s*", re.IGNORECASE
)


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the contrasting clauses of a sentence (one span when there is no contrast)."""
    spans, start = [], 0
    for m in _CONTRAST.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        # "but ..." keeps its contrast word; after ";" the next clause starts fresh.
        start = m.start("word") if m.group("word") else m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def cue_clause(aspect: str, text: str, spans: list[tuple[int, int]]) -> int | None:
    """Index of the clause that names the aspect, if exactly one place does."""
    hit = CUE_PATTERNS[aspect].search(text)
    if hit is None:
        return None
    return next((i for i, (a, b) in enumerate(spans) if a <= hit.start() < b), None)


class Aspects:
    """Tags opinion sentences with aspects, each with its own polarity."""

    name = "aspects"
    requires: tuple[str, ...] = ("sentences", "embeddings")
    sets: tuple[str, ...] = ("sentences.aspects", "model_version")

    def __init__(self, model: AspectModel, encoder: SentenceEncoder) -> None:
        self.model = model
        self.encoder = encoder

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        """Detect aspects for a batch, then score contrasting clauses in one extra pass."""
        pending: list[tuple[Sentence, list[str], list[tuple[int, int]]]] = []
        for doc in docs:
            # Every document carries the full version, scored or not, so that `critica
            # reanalyze` does not take an unscored analysis for one from older models.
            doc.model_version = f"{doc.model_version}+aspects-{self.model.version}".lstrip("+")
            if not doc.scored or doc.embeddings is None or not doc.sentences:
                continue
            keep = [i for i, s in enumerate(doc.sentences) if s.opinion >= self.model.min_opinion]
            if not keep:
                continue
            found = self.model.detect(doc.embeddings[keep], [doc.sentences[i].text for i in keep])
            for i, names in zip(keep, found, strict=True):
                s = doc.sentences[i]
                spans = clauses(s.text) if len(names) > 1 else []
                # Only worth a second look when the aspects sit in different clauses.
                where = {cue_clause(n, s.text, spans) for n in names} - {None}
                if len(spans) > 1 and len(where) > 1:
                    pending.append((s, names, spans))
                else:
                    s.aspects = [AspectMention(n, s.polarity) for n in names]
        self._split_polarity(pending)
        return docs

    def _split_polarity(
        self, pending: list[tuple[Sentence, list[str], list[tuple[int, int]]]]
    ) -> None:
        texts = [s.text[a:b] for s, _, spans in pending for a, b in spans]
        if not texts:
            return
        out = self.encoder.run(texts, batch_size=ENCODER_BATCH, max_tokens=ENCODER_MAX_TOKENS)
        polarity = sentence_polarity(out["pol"], out["fine"])
        i = 0
        for s, names, spans in pending:
            local = np.round(polarity[i : i + len(spans)], 4)
            i += len(spans)
            mentions = []
            for name in names:
                at = cue_clause(name, s.text, spans)
                value = float(local[at]) if at is not None and name != "overall" else s.polarity
                mentions.append(AspectMention(name, value))
            s.aspects = mentions


def make_aspects() -> Aspects:
    """Load the aspect model once; it shares the sentence encoder."""
    return Aspects(AspectModel(), shared_encoder(config.get("threads")))
