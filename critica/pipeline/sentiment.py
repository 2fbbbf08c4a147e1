"""The sentence model: one encoder pass per batch sets polarity and opinion on every sentence."""

from __future__ import annotations

import re

import numpy as np

from critica import config
from critica.document import ReviewDoc
from critica.models.encoder import SentenceEncoder, shared_encoder
from critica.pipeline import BaseComponent, component
from critica.pipeline.rating import is_rating_line

# Sentences per encoder run: 32 measured ~20% faster than 64 on 2 cores (bench/speed.py),
# capped at 768 padded tokens so a few long sentences do not pad a whole batch
# (bench/speed.py: worked example 123 -> 89 ms with the cap).
ENCODER_BATCH = 32
ENCODER_MAX_TOKENS = 768
# SST-5 class centres on the -1..1 scale.
_FINE_CENTRES = np.array([-1.0, -0.5, 0.0, 0.5, 1.0], dtype=np.float32)


# Review furniture: certificate, running time, credit and release lines. The opinion
# head never saw such lines in training (its facts are plot summaries) and reads
# many of them as judgements ("The film is rated PG-13." ~0.8), which would give
# them verdict weight and aspects. The whole sentence must be furniture: a credit
# line holds names only, a release line a few words.
_NAME = r"[A-Z][\w'’.\-]*"
_NAMES = rf"{_NAME}(?:(?:\s+|,\s*|\s+(?:and|&)\s+|,\s+and\s+){_NAME})*"
_FURNITURE_RE = re.compile(
    r"^\W*(?:"
    # "The Salt Orchard is rated PG-13 (for ...)", "Rated R for violence."
    r"(?:[\w'’:,\- ]{1,80}\s+)?(?i:is\s+)?(?i:rated)\s+"
    r"(?:G|PG|PG-13|R|NC-17|TV-(?:Y7?|G|PG|14|MA)|Not\s+Rated|Unrated)\b"
    r"(?:\s*\(?(?i:for)\s+[^.!?()]*\)?)?"  # the board's reasons: "for violence and language"
    # "Running time: 147 minutes", "Runtime: 1 hr 52 min"
    r"|(?i:running\s+time|run\s*time|length)\s*[:\-–—]?\s*"
    r"(?:\d+\s*(?i:hours?|hrs?|h|minutes?|mins?|m)\.?\s*)+"
    # "Directed by Jane Doe", "Written and directed by Sam Fell", "Starring A, B and C"
    r"|(?i:(?:written\s+and\s+)?(?:directed|written|produced|created|edited|photographed|scored)"
    rf"\s+by)\s+{_NAMES}(?:\s*[;.]\s*(?i:with|starring)\s+{_NAMES})?"
    rf"|(?i:starring|with\s+the\s+voices\s+of|featuring|cast)\s*:?\s+{_NAMES}"
    # "In theaters now", "Now streaming on Netflix", "From Fernhill Pictures"
    r"|(?i:in\s+(?:theaters|theatres|cinemas)|now\s+(?:streaming|playing|showing)|streaming\s+on"
    r"|available\s+on|opens?\s+(?:in\s+theaters\s+)?(?:today|friday|this\s+week))"
    r"(?:\s+[\w'’+&.\-]+){0,5}"
    rf"|(?i:from)\s+{_NAMES}\s+(?i:pictures|studios?|films|entertainment|releasing)"
    r")\W*$"
)
FURNITURE_OPINION = 0.02  # a fact, like a plot sentence


def is_furniture(text: str) -> bool:
    """Whether a sentence is review furniture (certificate, running time, credits, release,
    a rating line: the rating step reads that one)."""
    return _FURNITURE_RE.match(text) is not None or is_rating_line(text)


def sentence_polarity(pol: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """Blend the binary head (sharp) with the 5-way head (knows neutral) into -1..1."""
    binary = 2.0 * pol[:, 1] - 1.0
    graded = fine @ _FINE_CENTRES
    return np.asarray(np.clip(0.5 * binary + 0.5 * graded, -1.0, 1.0))


class Sentiment(BaseComponent):
    """Runs the shipped sentence encoder over all sentences of a batch of reviews."""

    name = "sentiment"

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder
        self.version = f"sentence-{encoder.version}"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[ReviewDoc]) -> list[ReviewDoc]:
        """Score every sentence of every scorable review in one batched run."""
        todo = [d for d in docs if d.scored and d.sentences]
        texts = [s.text for d in todo for s in d.sentences]
        out, tokens = self.encoder.run_with_tokens(
            texts, batch_size=ENCODER_BATCH, max_tokens=ENCODER_MAX_TOKENS
        )
        if texts:
            polarity = sentence_polarity(out["pol"], out["fine"])
            opinion = out["subj"][:, 1]
        i = 0
        for doc in todo:
            doc.embeddings = out["embedding"][i : i + len(doc.sentences)]
            doc.token_scores = tokens[i : i + len(doc.sentences)] or None
            for sentence in doc.sentences:
                sentence.polarity = round(float(polarity[i]), 4)
                sentence.opinion = round(float(opinion[i]), 4)
                if is_furniture(sentence.text):
                    sentence.opinion = min(sentence.opinion, FURNITURE_OPINION)
                sentence.fine = [round(float(p), 4) for p in out["fine"][i]]
                i += 1
        return docs


@component(
    "sentiment",
    requires=("sentences",),
    assigns=(
        "sentences.polarity",
        "sentences.opinion",
        "sentences.fine",
        "embeddings",
        "token_scores",
    ),
)
def make_sentiment() -> Sentiment:
    """Load the shipped sentence model once."""
    return Sentiment(shared_encoder(config.get("threads")))
