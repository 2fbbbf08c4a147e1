"""Review-level verdict model: features from the sentence outputs, then small linear models.

The same ``review_features`` function is used by training and at run time, so
the shipped coefficients always meet the features they were fitted on.

Short texts (pull quotes, single sentences) and full reviews are two regimes:
the 0-100 score and the short-text fresh probability use an n-gram model fitted
on IMDb reviews plus Rotten Tomatoes snippets (MR, SST-2); the full-review
fresh probability uses an n-gram model fitted on reviews alone, with naive
Bayes term scaling. Between ``SHORT`` and ``LONG`` sentences the two
probabilities (and their cuts) are blended by length.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from critica.document import Sentence
from critica.errors import ModelError
from critica.models import FILES, VERDICT_MODEL
from critica.models.manifest import load_manifest
from critica.models.ngram import NgramModel
from critica.rules import sigmoid

# A sentence that turns the argument ("But...", "Ultimately...") usually carries
# the critic's real judgement; one that concedes ("Despite...") less so.
_TURN = re.compile(
    r"^\W*(but|however|yet|still|nonetheless|nevertheless|ultimately|in the end|overall|"
    r"all in all|in short|in sum|on balance|the bottom line|that said)\b",
    re.IGNORECASE,
)

FEATURES = (
    "wmean_pol",
    "conclusion_pol",
    "opening_pol",
    "balance",
    "min_pol",
    "max_pol",
    "wmean_fine",
    "ngram",
    "opinion_share",
    "ngram_tail",
)
TAIL = 3  # sentences that make up "the conclusion" for the tail features
# The fresh cut moves with length: a pull quote is judged by the cut fitted on
# Rotten Tomatoes quotes, a full review by the cut fitted on full reviews.
SHORT, LONG = 3, 10


class Platt:
    """Platt scaling of a probability's logit, against the base rate it was fitted at."""

    def __init__(self, slope: float, intercept: float, base_rate: float) -> None:
        self.slope, self.intercept = float(slope), float(intercept)
        self.base_logit = math.log(base_rate / (1 - base_rate))

    def log_bayes_factor(self, p: float) -> float:
        """Calibrated log-odds of ``p`` less the base rate's: what the text itself adds."""
        p = min(1 - 1e-6, max(1e-6, p))
        return self.slope * math.log(p / (1 - p)) + self.intercept - self.base_logit


def long_share(n_sentences: int) -> float:
    """How far a text of this length is from a pull quote (0) to a full review (1)."""
    return min(1.0, max(0.0, (n_sentences - SHORT) / (LONG - SHORT)))


def sentence_weights(sentences: Sequence[Sentence], paragraph_of: Sequence[int]) -> np.ndarray:
    """How much each sentence counts: opinion over plot, conclusion over set-up, turns most."""
    n = len(sentences)
    if n == 0:
        return np.zeros(0)
    last_para = max(paragraph_of) if paragraph_of else 0
    weights = np.empty(n)
    for i, s in enumerate(sentences):
        position = 1.0 + (i / (n - 1)) ** 2 if n > 1 else 1.0
        if paragraph_of and paragraph_of[i] == last_para and last_para > 0:
            position *= 1.5
        turn = 1.5 if _TURN.match(s.text) else 1.0
        weights[i] = (s.opinion**1.5) * position * turn
    return weights


def tail_text(sentences: Sequence[Sentence]) -> str:
    """The closing sentences, where critics put their judgement."""
    return " ".join(s.text for s in sentences[-TAIL:])


def clip_logit(logit: float) -> float:
    """An n-gram score as a feature: beyond +-6 the text's words have said all they can."""
    return max(-6.0, min(6.0, logit))


def review_features(
    sentences: Sequence[Sentence],
    paragraph_of: Sequence[int],
    ngram_logit: float,
    tail_logit: float = 0.0,
) -> np.ndarray:
    """The verdict model's input vector (names in ``FEATURES``)."""
    ngram = clip_logit(ngram_logit)
    tail_ngram = clip_logit(tail_logit)
    if not sentences:
        return np.array([0, 0, 0, 0, 0, 0, 0, ngram, 0, tail_ngram], dtype=np.float64)
    pol = np.array([s.polarity for s in sentences])
    fine = np.array(
        [sum(p * c for p, c in zip(s.fine, (-1, -0.5, 0, 0.5, 1), strict=True)) for s in sentences]
    )
    opinion = np.array([s.opinion for s in sentences])
    w = sentence_weights(sentences, paragraph_of)
    wsum = w.sum() or 1.0
    tail = slice(max(0, len(pol) - TAIL), None)
    tail_w = w[tail] if w[tail].sum() > 0 else np.ones(len(pol[tail]))
    op = opinion > 0.5
    return np.array(
        [
            float(w @ pol / wsum),
            float(tail_w @ pol[tail] / tail_w.sum()),
            float(pol[:2].mean()),
            float(((pol > 0.2) & op).sum() - ((pol < -0.2) & op).sum()) / max(1, int(op.sum())),
            float(pol[op].min()) if op.any() else 0.0,
            float(pol[op].max()) if op.any() else 0.0,
            float(w @ fine / wsum),
            ngram,
            float(op.mean()),
            tail_ngram,
        ]
    )


class VerdictModel:
    """Score (0-100) by ridge regression; fresh probability by logistic regression,
    one for short texts and one for full reviews, blended by length."""

    def __init__(self, name: str = VERDICT_MODEL, folder: Path = FILES) -> None:
        m: dict[str, Any] = load_manifest(name, folder)
        if tuple(m["features"]) != FEATURES:
            raise ModelError(f"{name} was trained on other features; rebuild it with `make train`")
        self.version = str(m["version"])
        self.ngram = NgramModel(folder / m["ngram"])
        self.ngram_long = NgramModel(folder / m["ngram_long"])
        self.score_coef = np.array(m["score"]["coef"])
        self.score_intercept = float(m["score"]["intercept"])
        self.fresh_coef = np.array(m["fresh"]["coef"])
        self.fresh_intercept = float(m["fresh"]["intercept"])
        self.cut_short = float(m["fresh"]["cut_short"])
        self.cut_long = float(m["fresh"]["cut_long"])
        self.mean = np.array(m["scaler"]["mean"])
        self.scale = np.array(m["scaler"]["scale"])
        if "evidence" not in m:
            raise ModelError(f"{name} has no evidence calibration; rebuild it with `make train`")
        self.evidence_short = Platt(**m["evidence"]["short"])
        self.evidence_long = Platt(**m["evidence"]["long"])
        long = m["fresh_long"]
        self.long_coef, self.long_intercept = np.array(long["coef"]), float(long["intercept"])
        self.long_mean, self.long_scale = np.array(long["mean"]), np.array(long["scale"])

    def features(
        self, sentences: Sequence[Sentence], paragraph_of: Sequence[int], text: str
    ) -> np.ndarray:
        """``review_features`` with the short-text n-gram scores filled in."""
        return review_features(
            sentences, paragraph_of, self.ngram.logit(text), self.ngram.logit(tail_text(sentences))
        )

    def fresh_cut(self, n_sentences: int) -> float:
        """Probability at or above which a review of this length is fresh."""
        share = long_share(n_sentences)
        return self.cut_short + share * (self.cut_long - self.cut_short)

    def evidence(self, p_fresh: float, n_sentences: int) -> float:
        """The text's evidence that the review is fresh, as a log Bayes factor.

        Positive favours fresh, negative rotten, 0 says nothing; prior-free, so a
        title's share of fresh reviews can be estimated from its reviews' evidence
        whatever the title's own balance (``critica.figures.aggregate.estimated_share``).
        Short texts are calibrated on Rotten Tomatoes quotes, full reviews on IMDb,
        blended by length as the fresh probability is.
        """
        share = long_share(n_sentences)
        short = self.evidence_short.log_bayes_factor(p_fresh)
        if share == 0.0:
            return short
        return (1 - share) * short + share * self.evidence_long.log_bayes_factor(p_fresh)

    def predict(self, features: np.ndarray) -> tuple[float, float]:
        """``(score 0-100, short-text probability the review is fresh)``."""
        x = (features - self.mean) / self.scale
        score = 100.0 * (float(x @ self.score_coef) + self.score_intercept)
        z = float(x @ self.fresh_coef) + self.fresh_intercept
        return max(0.0, min(100.0, score)), sigmoid(z)

    def predict_long(self, features: np.ndarray) -> float:
        """Full-review probability the review is fresh, from ``features`` whose n-gram
        columns hold the full-review n-gram's scores."""
        x = (features - self.long_mean) / self.long_scale
        return sigmoid(float(x @ self.long_coef) + self.long_intercept)

    def judge(
        self, sentences: Sequence[Sentence], paragraph_of: Sequence[int], text: str
    ) -> tuple[float, float]:
        """``(score 0-100, probability the review is fresh)`` for one analysed text."""
        short = self.features(sentences, paragraph_of, text)
        score, p_short = self.predict(short)
        share = long_share(len(sentences))
        if share == 0.0:
            return score, p_short
        long = short.copy()
        long[FEATURES.index("ngram")] = clip_logit(self.ngram_long.logit(text))
        long[FEATURES.index("ngram_tail")] = clip_logit(self.ngram_long.logit(tail_text(sentences)))
        return score, (1 - share) * p_short + share * self.predict_long(long)

    @staticmethod
    def write(folder: Path, name: str, body: dict[str, Any], files: Sequence[str]) -> None:
        """Write a verdict manifest (used by training)."""
        from critica.models.manifest import sha256

        body = {"version": name.split("-", 1)[1], "name": name, "features": list(FEATURES), **body}
        body["files"] = {f: sha256(folder / f) for f in files}
        (folder / f"{name}.json").write_text(json.dumps(body, indent=2) + "\n")
