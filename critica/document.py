"""The review document that pipeline components read and fill in, and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TitleKind = Literal["film", "series"]


@dataclass
class Span:
    """A stretch of the cleaned text: ``text == doc.text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass
class Entity(Span):
    """A named entity found by spaCy (label such as PERSON, ORG, GPE, DATE, MONEY)."""

    label: str = ""


@dataclass
class AspectMention:
    """One aspect a sentence talks about, with the sentence's polarity toward it."""

    name: str
    polarity: float


@dataclass
class Sentence(Span):
    """A sentence with the sentence model's outputs."""

    polarity: float = 0.0  # -1 (negative) .. 1 (positive)
    opinion: float = 0.5  # probability this is the critic's judgement, not plot/fact
    fine: list[float] = field(default_factory=list)  # SST-5 probabilities, very neg .. very pos
    aspects: list[AspectMention] = field(default_factory=list)
    weight: float = 0.0  # how much the verdict leaned on this sentence (0..1)


@dataclass
class Credit:
    """A person credited in the text: an actor and their character, or a creator."""

    person: str
    role: str  # actor, creator, director, writer, showrunner, producer, composer ...
    character: str | None = None
    start: int = 0  # evidence span in the cleaned text
    end: int = 0


@dataclass
class TitleGuess:
    """What the review is about, as far as the text (or the caller) tells."""

    name: str
    kind: TitleKind | None = None
    network: str | None = None  # Netflix, HBO, AMC ... or studio
    source: str = "text"  # given | quoted | pattern | entity
    confidence: float = 0.5
    start: int | None = None
    end: int | None = None


@dataclass
class Rating:
    """An explicit rating, as printed and normalised to 0-100 (Metacritic's way)."""

    raw: str
    normalized: float
    source: str = "text"  # text | given
    start: int | None = None
    end: int | None = None


@dataclass
class ReviewDoc:
    """One review moving through the pipeline. Components read and set fields."""

    raw: str
    meta: dict[str, Any] = field(default_factory=dict)  # title, rating, url, content_type
    text: str = ""
    language: str | None = None
    language_confidence: float = 0.0
    unscored_reason: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    title: TitleGuess | None = None
    rating: Rating | None = None
    score: float | None = None
    text_score: float | None = None
    fresh_evidence: float | None = None  # log Bayes factor for fresh, from the text alone
    fresh: bool | None = None
    confidence: float = 0.0
    band: str | None = None
    quote: Span | None = None
    explanation: str = ""
    model_version: str = ""
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # Sentence embeddings from the encoder pass (numpy array, one row per
    # sentence); kept for later heads, never serialised.
    embeddings: Any = field(default=None, repr=False)
    # The sentence model's per-token polarity logits (models.encoder.TokenScores, one per
    # sentence), so later steps can score any phrase in context; never serialised.
    token_scores: Any = field(default=None, repr=False)

    @property
    def scored(self) -> bool:
        return self.unscored_reason is None
