"""The sentence model: one encoder pass per batch sets polarity and opinion on every sentence."""

from __future__ import annotations

import numpy as np

from critica import config
from critica.document import ReviewDoc
from critica.models.encoder import SentenceEncoder, shared_encoder

# Sentences per encoder run: 32 measured ~20% faster than 64 on 2 cores (bench/speed.py),
# capped at 768 padded tokens so a few long sentences do not pad a whole batch
# (bench/speed.py: worked example 123 -> 89 ms with the cap).
ENCODER_BATCH = 32
ENCODER_MAX_TOKENS = 768
# SST-5 class centres on the -1..1 scale.
_FINE_CENTRES = np.array([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=np.float32)


def sentence_polarity(pol: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """Blend the binary head (sharp) with the 5-way head (knows neutral) into -1..1."""
    binary = 2.0 * pol[:, 1] - 1.0
    graded = fine @ _FINE_CENTRES
    return np.asarray(np.clip(0.5 * binary + 0.5 * graded, -1.0, 1.0))


class Sentiment:
    """Runs the shipped sentence encoder over all sentences of a batch of reviews."""

    name = "sentiment"
    requires: tuple[str, ...] = ("sentences",)
    sets: tuple[str, ...] = (
        "sentences.polarity",
        "sentences.opinion",
        "sentences.fine",
        "embeddings",
        "model_version",
    )

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        """Score every sentence of every scorable review in one batched run."""
        todo = [d for d in docs if d.scored and d.sentences]
        texts = [s.text for d in todo for s in d.sentences]
        out = self.encoder.run(texts, batch_size=ENCODER_BATCH, max_tokens=ENCODER_MAX_TOKENS)
        if texts:
            polarity = sentence_polarity(out["pol"], out["fine"])
            opinion = out["subj"][:, 1]
        i = 0
        for doc in todo:
            doc.embeddings = out["embedding"][i : i + len(doc.sentences)]
            for sentence in doc.sentences:
                sentence.polarity = round(float(polarity[i]), 4)
                sentence.opinion = round(float(opinion[i]), 4)
                sentence.fine = [round(float(p), 4) for p in out["fine"][i]]
                i += 1
        for doc in docs:
            doc.model_version = f"sentence-{self.encoder.version}"
        return docs


def make_sentiment() -> Sentiment:
    """Load the shipped sentence model once."""
    return Sentiment(shared_encoder(config.get("threads")))
