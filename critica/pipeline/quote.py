"""The pull quote: the sentence an editor would print under the score."""

from __future__ import annotations

from critica.document import ReviewDoc, Sentence, Span
from critica.pipeline import BaseComponent, component

_MIN_WORDS, _MAX_WORDS = 6, 45
# A sentence leaning against the call (praise in a rotten review, a complaint in a fresh
# one) is quoted only when nothing on the verdict's side is quotable at all.
_AGAINST, _AGAINST_FACTOR = 0.25, 0.2


def quote_score(s: Sentence, target: float, title: str | None, fresh: bool | None = None) -> float:
    """How well a sentence sums up the review: weighty in the verdict, on-verdict, quotable."""
    words = len(s.text.split())
    if words < _MIN_WORDS // 2:
        return -1.0
    # ``weight`` is the verdict's own emphasis (opinion, conclusion, turns);
    # the opinion term keeps the order sensible when no weights are set.
    emphasis = 0.25 * s.opinion + s.weight
    fit = 1.0 - abs(s.polarity - target) / 2.0  # agrees with the verdict's direction and strength
    length = 1.0 if _MIN_WORDS <= words <= _MAX_WORDS else 0.6
    named = 1.15 if title and title.lower() in s.text.lower() else 1.0
    strength = 0.7 + 0.3 * min(1.0, abs(s.polarity) + (0.5 if abs(target) < 0.3 else 0.0))
    against = fresh is not None and (s.polarity < -_AGAINST if fresh else s.polarity > _AGAINST)
    return emphasis * fit * length * named * strength * (_AGAINST_FACTOR if against else 1.0)


class Quote(BaseComponent):
    """Picks the pull quote among the opinion sentences."""

    name = "quote"

    def __call__(self, doc: ReviewDoc) -> ReviewDoc:
        if not doc.sentences or doc.score is None:
            return doc
        # Aim at the final score: when the critic's rating is known, it is the verdict.
        target = doc.score / 50.0 - 1.0
        title = doc.title.name if doc.title else None
        scores = [quote_score(s, target, title, doc.fresh) for s in doc.sentences]
        best = max(range(len(scores)), key=scores.__getitem__)
        s = doc.sentences[best]
        doc.quote = Span(s.text, s.start, s.end)
        return doc


@component(
    "quote",
    requires=("sentences", "score", "fresh", "title"),
    assigns=("quote",),
    optional=True,
)
def make_quote() -> Quote:
    """The quote picker has no model to load."""
    return Quote()
