"""Plain records that cross the store boundary (no SQL, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from datetime import date as Day  # for fields declared after a field named "date"
from typing import Any, Literal

TitleKind = Literal["film", "series", "season", "episode"]
ReviewerKind = Literal["critic", "audience"]
REVIEWER_KINDS: tuple[ReviewerKind, ...] = ("critic", "audience")


@dataclass
class TitleIn:
    """A title to create or find: films and series stand alone; a season belongs to its series."""

    name: str
    kind: TitleKind = "film"
    year: int | None = None
    network: str | None = None  # network or studio
    parent_id: int | None = None  # the series of a season, the season of an episode
    season: int | None = None
    credits: list[dict[str, Any]] = field(default_factory=list)  # {person, role, character}
    external_id: str | None = None  # the catalog's id ("tt0111161")

    def __post_init__(self) -> None:
        _drop_nul(self)


def _drop_nul(record: Any) -> None:
    """Remove NUL characters from a record's text fields before it reaches a store: PostgreSQL
    cannot hold them and SQLite would, so both stores get the same, NUL-free text."""
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, str) and "\x00" in value:
            setattr(record, f.name, value.replace("\x00", ""))


@dataclass
class Title:
    id: int
    name: str
    kind: TitleKind
    year: int | None
    network: str | None
    parent_id: int | None
    season: int | None
    credits: list[dict[str, Any]] = field(default_factory=list)
    external_id: str | None = None  # the catalog's id ("tt0111161"), when matched to one
    original_name: str | None = None
    end_year: int | None = None
    episode: int | None = None
    runtime: int | None = None  # minutes
    genres: list[str] | None = None
    catalog_rating: float | None = None
    catalog_votes: int | None = None


@dataclass
class Publication:
    id: int
    name: str
    weight: float = 1.0
    top_critic: bool = False


@dataclass
class Critic:
    id: int
    name: str


@dataclass
class ReviewIn:
    """One review to store: ``title_id`` must exist; critic and publication are made on demand."""

    title_id: int
    text: str
    critic: str | None = None
    publication: str | None = None
    top_critic: bool | None = None  # None: take the publication's flag
    date: date | None = None
    url: str | None = None
    rating: str | None = None  # as printed ("3/4", "B+")
    source: str | None = None  # where it came from (file:line, API)
    external_id: str | None = None  # the source's own id: a later copy with it is an update
    reviewer: ReviewerKind = "critic"  # a critic's review or an audience member's

    def __post_init__(self) -> None:
        _drop_nul(self)


@dataclass
class Review:
    """A stored review with its current analysis (the ``Analysis.to_dict()`` JSON)."""

    id: int
    title_id: int
    critic: str | None
    publication: str | None
    top_critic: bool
    date: date | None
    url: str | None
    rating: str | None
    text: str
    score: float | None
    fresh: bool | None
    confidence: float
    band: str | None
    quote: str | None
    model_version: str
    analysis: dict[str, Any]
    critic_id: int | None = None
    publication_id: int | None = None


@dataclass
class ReviewFacts:
    """The little the aggregate needs per review (fast to load for a title with 100k reviews)."""

    review_id: int
    title_id: int
    score: float | None
    fresh: bool | None
    top_critic: bool
    weight: float  # the publication's weight
    publication: str | None
    critic: str | None
    date: date | None
    season: int | None  # for a series: the season's number
    quote: str | None
    aspects: list[tuple[str, float, str]]  # (aspect, polarity, evidence sentence)
    rating_score: float | None = None  # the explicit rating, 0-100, when the review has one
    text_score: float | None = None  # the score read from the text alone
    fresh_evidence: float | None = None  # the text's log Bayes factor for fresh (Analysis)
    reviewer: str = "critic"  # "critic" or "audience"
    posted: Day | None = None  # the day it was stored (the audience guards' clock, with date)
    fingerprint: int | None = None  # critica.signals.fingerprint of the text
    off_topic: str | None = None  # why it is not about its title (critica.signals.off_topic)


@dataclass(frozen=True)
class RatedReview:
    """One review with an explicit rating: the history that calibration is fitted on."""

    title_id: int
    critic: str | None
    publication: str | None
    rating: float  # the explicit rating, 0-100
    text_score: float | None  # critica's score from the text alone (None: unscored text)


@dataclass
class SourceIn:
    """An outlet's feed, sitemap or review-list page to follow (``critica sources add``)."""

    url: str
    name: str | None = None
    critic: str | None = None
    publication: str | None = None
    top_critic: bool = False
    reviewer: ReviewerKind = "critic"


@dataclass
class Source(SourceIn):
    """A followed source and what its last pass found."""

    id: int = 0
    etag: str | None = None
    last_modified: str | None = None
    last_fetch_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    failures: int = 0
    items_seen: int = 0
    reviews_added: int = 0
    not_before: datetime | None = None
