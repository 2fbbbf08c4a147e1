"""The verdict: a 0-100 score, fresh/rotten with a confidence, Metacritic's band, and why."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from critica import config
from critica.document import ReviewDoc, Sentence
from critica.models.verdict import VerdictModel
from critica.pipeline import BaseComponent, component
from critica.rules import band_for

DISAGREEMENT = 25.0  # points between the rating and the text's score worth reporting
# A one- or two-word verdict ("Masterpiece.") is scored from its text, never with much
# confidence: a single word cannot show irony, a hedge or what the rest would have said.
SHORT_TEXT_WORDS = 3
SHORT_TEXT_CONFIDENCE = 0.6
# Below this many words the text's score leans on the sentence model's 5-way reading
# (very negative .. very positive as 0, 25, 50, 75, 100) instead of the verdict model,
# whose features saturate on a few words ("A fine film." scored 100). The confidence
# follows (it is capped by the score's distance from the fresh line).
FEW_WORDS = 12
FINE_POINTS = (0.0, 25.0, 50.0, 75.0, 100.0)


def few_words_score(sentences: Sequence[Sentence], score: float, words: int) -> float:
    """The text's score for a text of fewer than ``FEW_WORDS`` words: the verdict model's
    ``score`` blended, by length, with the 5-way reading's expected points."""
    if words >= FEW_WORDS or not sentences or not all(s.fine for s in sentences):
        return score
    fine = sum(p * v for s in sentences for p, v in zip(s.fine, FINE_POINTS, strict=True))
    share = words / FEW_WORDS
    return share * score + (1 - share) * fine / len(sentences)


def text_confidence(p_fresh: float, cut: float, score: float, fresh_threshold: float) -> float:
    """How sure a fresh/rotten call from the text alone is (0.5 = a coin toss).

    The margin of the fresh probability past its cut, capped by the score's
    distance from the fresh line: the fresh model never saw mixed reviews (IMDb
    leaves out 5-6 stars), so a score near the line reads as unsure.
    """
    fresh = p_fresh >= cut
    margin = (p_fresh - cut) / (1 - cut) if fresh else (cut - p_fresh) / cut
    near_line = 0.5 + min(0.5, abs(score - fresh_threshold) / 60)
    return round(min(0.5 + 0.5 * margin, near_line), 3)


def paragraph_index(doc: ReviewDoc) -> list[int]:
    """The paragraph each sentence sits in."""
    starts = [p[0] for p in doc.paragraphs] or [0]
    return [max(0, bisect.bisect_right(starts, s.start) - 1) for s in doc.sentences]


class Verdict(BaseComponent):
    """Weighs the sentences (opinion over plot, conclusion over set-up) into one judgement."""

    name = "verdict"

    def __init__(self, model: VerdictModel) -> None:
        self.model = model
        self.version = f"verdict-{model.version}"
        self.fresh_threshold = float(config.get("fresh_threshold"))

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        if not doc.scored or not doc.sentences:
            doc.unscored_reason = doc.unscored_reason or "no sentences to analyse"
            return doc
        paras = paragraph_index(doc)
        weights = self._weights(doc, paras)
        text_score, p_fresh = self.model.judge(doc.sentences, paras, doc.text)
        words = len(doc.text.split())
        text_score = few_words_score(doc.sentences, text_score, words)
        doc.text_score = round(text_score, 1)
        doc.fresh_evidence = round(self.model.evidence(p_fresh, len(doc.sentences)), 3)
        if doc.rating is not None:
            doc.score = doc.rating.normalized
            doc.fresh = doc.score >= self.fresh_threshold
            doc.confidence = round(min(0.99, 0.75 + abs(doc.score - self.fresh_threshold) / 80), 3)
            if abs(doc.score - text_score) > DISAGREEMENT:
                # the stored text score, so this says what "text alone" says
                doc.warnings.append(
                    f"the explicit rating ({doc.rating.raw} = {doc.score:g}) and the text "
                    f"({doc.text_score:.0f}) disagree"
                )
        else:
            cut = self.model.fresh_cut(len(doc.sentences))
            doc.score = doc.text_score
            doc.fresh = p_fresh >= cut
            doc.confidence = text_confidence(p_fresh, cut, doc.score, self.fresh_threshold)
            if words < SHORT_TEXT_WORDS:
                doc.confidence = min(doc.confidence, SHORT_TEXT_CONFIDENCE)
        doc.band = band_for(doc.score)
        doc.explanation = explain(doc, weights)
        return doc

    @staticmethod
    def _weights(doc: ReviewDoc, paras: list[int]) -> list[float]:
        from critica.models.verdict import sentence_weights

        raw = sentence_weights(doc.sentences, paras)
        top = float(raw.max()) if len(raw) else 0.0
        for s, w in zip(doc.sentences, raw, strict=True):
            s.weight = round(float(w) / top, 3) if top > 0 else 0.0
        return [s.weight for s in doc.sentences]


def _lean(value: float) -> str:
    if value > 0.35:
        return "positive"
    if value < -0.35:
        return "negative"
    return "mixed"


def explain(doc: ReviewDoc, weights: list[float]) -> str:
    """One short paragraph: what the score rests on."""
    opinion = [s for s in doc.sentences if s.opinion >= 0.5]
    plot = len(doc.sentences) - len(opinion)
    pos = sum(1 for s in opinion if s.polarity > 0.2)
    neg = sum(1 for s in opinion if s.polarity < -0.2)
    heavy = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:3]
    tail = sum(doc.sentences[i].polarity for i in heavy) / max(1, len(heavy))
    parts = [
        f"{len(opinion)} of {len(doc.sentences)} sentences give the critic's opinion "
        f"({pos} positive, {neg} negative, {len(opinion) - pos - neg} neutral or mixed)",
    ]
    if plot:
        parts.append(f"{plot} describe plot or background and barely count")
    parts.append(f"the sentences weighted most, mostly from the conclusion, read {_lean(tail)}")
    text = "; ".join(parts) + "."
    if doc.rating is not None:
        text += f" The critic's own rating, {doc.rating.raw}, sets the score ({doc.score:g})."
    return text[0].upper() + text[1:]


@component(
    "verdict",
    requires=("sentences", "paragraphs", "rating", "text"),
    assigns=(
        "score",
        "text_score",
        "fresh",
        "fresh_evidence",
        "confidence",
        "band",
        "explanation",
        "sentences.weight",
        "unscored_reason",  # a review with no sentences left to score
    ),
)
def make_verdict() -> Verdict:
    """Load the shipped verdict model once."""
    return Verdict(VerdictModel())
