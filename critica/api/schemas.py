"""Request bodies of the REST API, with their limits."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from critica.params import MAX_ID

MAX_TEXT = 200_000  # characters; longer reviews belong in `critica ingest`


class AnalyzeIn(BaseModel):
    text: str = Field(
        min_length=1, max_length=MAX_TEXT, description="The review: plain text or HTML."
    )
    title: str | None = Field(
        None, max_length=500, description="What is reviewed, if the text doesn't say."
    )
    rating: str | None = Field(
        None, max_length=50, description='The critic\'s rating, e.g. "3/4", "B+".'
    )


class TitleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    kind: Literal["film", "series", "season", "episode"] = "film"
    year: int | None = Field(None, ge=1870, le=2100)
    network: str | None = Field(None, max_length=200)
    parent_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The series of a season, the season of an episode."
    )
    season: int | None = Field(None, ge=0, le=1000)


class ReviewCreate(BaseModel):
    title_id: int = Field(
        ge=1,
        le=MAX_ID,
        description="The reviewed title (create it first with POST /api/v1/titles).",
    )
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    critic: str | None = Field(None, max_length=200)
    publication: str | None = Field(None, max_length=200)
    top_critic: bool | None = None
    date: dt.date | None = None
    url: str | None = Field(None, max_length=2000)
    rating: str | None = Field(None, max_length=50)
    external_id: str | None = Field(
        None,
        max_length=200,
        description="The source's own id for the review: a later post with the same id "
        "updates it (text, rating, date …) instead of adding a second review.",
    )
    reviewer: Literal["critic", "audience"] = Field(
        "critic",
        description="A critic's review or an audience member's: the title's figures keep "
        "the two apart.",
    )


class PublicationUpdate(BaseModel):
    weight: float | None = Field(None, ge=0, le=100)
    top_critic: bool | None = None


# ---- responses: what /openapi.json promises for the list and record endpoints ----------------

TitleKind = Literal["film", "series", "season", "episode"]


class Health(BaseModel):
    status: str = Field(description='"ok": the server answers (liveness; see /readyz).')
    version: str


class Ready(BaseModel):
    status: str = Field(description='"ready", or "not ready" (503) with the problems.')
    model_version: str | None = Field(description="The loaded models' version.")
    analyses_pending: int = Field(description="Analyses running or waiting for a worker.")
    problems: list[str] = Field(description="What is not ready: the store, the models.")


class TitleOut(BaseModel):
    id: int
    name: str
    kind: TitleKind
    year: int | None
    network: str | None = Field(description="Network or studio.")
    parent_id: int | None = Field(description="The series of a season, the season of an episode.")
    season: int | None
    credits: list[dict[str, Any]] = Field(description="People credited: person, role, character.")
    external_id: str | None = Field(
        None, description="The catalog's id (IMDb `tt…`), when `critica catalog import` matched it."
    )
    original_name: str | None = Field(None, description="The original title, when it differs.")
    end_year: int | None = Field(None, description="A series' last year.")
    episode: int | None = Field(None, description="An episode's number in its season.")
    runtime: int | None = Field(None, description="Minutes.")
    genres: list[str] | None = None
    catalog_rating: float | None = Field(None, description="IMDb users' mean rating (1-10).")
    catalog_votes: int | None = Field(None, description="IMDb users' votes.")


class TitleCreated(TitleOut):
    created: bool = Field(description="False when a title of that name and kind existed.")


class TitleList(BaseModel):
    items: list[TitleOut]


class ReviewSummary(BaseModel):
    id: int
    title_id: int
    critic: str | None
    critic_id: int | None = Field(None, description="The critic's page: /critics/{critic_id}.")
    publication: str | None
    publication_id: int | None = Field(
        None, description="The publication's page: /publications/{publication_id}."
    )
    top_critic: bool
    date: str | None = Field(description="ISO date.")
    url: str | None
    rating: str | None = Field(description="The critic's rating as given.")
    score: float | None = Field(description="0-100; None when the text could not be scored.")
    fresh: bool | None
    confidence: float | None
    band: str | None = Field(description="Metacritic's wording for the score.")
    quote: str | None = Field(description="The pull quote.")


class ReviewsPage(BaseModel):
    title_id: int
    total: int = Field(description="Reviews matching the filters.")
    limit: int
    offset: int
    items: list[ReviewSummary]


class ScoreMapOut(BaseModel):
    """A fitted line from the text score to the score the critic's own rating gives."""

    intercept: float = Field(description="Points added to every text score.")
    slope: float = Field(description="How much of the text score's distance from 0 is kept.")


class ProfileOut(BaseModel):
    """What history says about one critic or publication."""

    rated_reviews: int = Field(
        description="Rated reviews that also have a text score (the map's history)."
    )
    shared_titles: int = Field(description="Titles it rated that others rated too.")
    score_map: ScoreMapOut | None = Field(
        description="Text score to rating, shrunk toward the global map; None below the "
        "minimum history."
    )
    leniency: float | None = Field(
        description="Points its ratings sit above the others' mean on shared titles; None "
        "below the minimum history."
    )


class NamedProfile(ProfileOut):
    name: str


class CalibrationOut(BaseModel):
    """Per-critic and per-publication calibration fitted on the store's rated reviews."""

    min_history: int = Field(description="Rated reviews needed before a profile is fitted.")
    prior_strength: float = Field(description="How many reviews' worth the global map counts.")
    rated_reviews: int = Field(description="Rated reviews with a text score in the store.")
    global_map: ScoreMapOut
    critics: list[NamedProfile] = Field(description="Most history first.")
    publications: list[NamedProfile] = Field(description="Most history first.")


class CriticOut(BaseModel):
    id: int
    name: str
    calibration: ProfileOut | None = Field(
        None, description="Fitted calibration, with ``calibration=true`` (None: no history)."
    )


class PublicationOut(BaseModel):
    id: int
    name: str
    weight: float
    top_critic: bool
    calibration: ProfileOut | None = Field(
        None, description="Fitted calibration, with ``calibration=true`` (None: no history)."
    )


class CriticList(BaseModel):
    items: list[CriticOut]


class PublicationList(BaseModel):
    items: list[PublicationOut]


class GroupFigures(BaseModel):
    """The figures any group of reviews gets (a title, its top critics, a season, a month)."""

    reviews: int
    unscored: int
    percent_positive: float | None
    percent_positive_interval: list[float] | None = Field(description="Wilson 95%, in percent.")
    percent_positive_estimated: float | None
    score_mean: float | None


class Bin(BaseModel):
    bin: str
    lo: int
    count: int


class ConsensusClaim(BaseModel):
    text: str = Field(description="The phrase as written in the line.")
    aspect: str
    polarity: Literal["positive", "negative", "mixed"]
    review_ids: list[int] = Field(description="Up to 20 of the reviews behind the claim.")
    support: int = Field(description="How many reviews back the claim.")
    quotes: list[dict[str, Any]] = Field(description="Its three strongest quotes.")
    reviews: list[dict[str, Any]] = Field(description="Who wrote the cited reviews.")


class Consensus(BaseModel):
    text: str
    claims: list[ConsensusClaim]
    method: Literal["frames", "extractive", "overall"]
    frame: str | None = None


class SeasonFigures(GroupFigures):
    season: int
    consensus: Consensus | None = None


class MonthFigures(GroupFigures):
    month: str


class ReviewList(BaseModel):
    items: list[ReviewSummary]
    total: int


class Credited(BaseModel):
    """A person the title's reviews credit."""

    person: str
    role: str = Field(
        description="actor, creator, director, writer, showrunner, producer or composer."
    )
    character: str | None = Field(description="The part played, when a review names it.")
    reviews: int = Field(description="Reviews that credit them.")
    praised: int = Field(description="Reviews whose sentences naming them praise the performance.")
    faulted: int = Field(description="Reviews whose sentences naming them fault the performance.")
    polarity: float | None = Field(
        description="Mean performances polarity of those sentences (−1..1); None when none "
        "judges a performance."
    )
    singled_out: bool = Field(
        description="A performer whose performance critics single out: judged in two reviews "
        "or more (one, for a title with under ten reviews)."
    )


class TitlePeople(BaseModel):
    cast: list[Credited] = Field(description="Performers, most credited first (12 at most).")
    crew: list[Credited] = Field(description="Creators, directors, writers … (8 at most).")


class AspectGap(BaseModel):
    aspect: str
    critics_percent_positive: float
    audience_percent_positive: float
    critics_mentions: int
    audience_mentions: int
    difference: float = Field(description="Critics' % positive on the aspect less the audience's.")


class Gap(BaseModel):
    percent_positive: float = Field(description="Critics' % positive less the audience's.")
    interval: list[float] = Field(description="Its 95% interval (Newcombe), in points.")
    split: bool = Field(
        description="At least 25 points apart and the interval leaves out zero (badge "
        "'critics and audience split')."
    )
    aspects: list[AspectGap] = Field(
        description="The aspects they disagree on most: judged in 3 reviews or more on each "
        "side, 20 points or more apart in % positive; furthest apart first (3 at most)."
    )
    line: str | None = Field(
        description="The two furthest apart in words ('Critics fault the pacing, audiences "
        "praise it.'); null when they agree on every aspect both judge."
    )


class FlaggedReview(BaseModel):
    review_id: int
    reason: Literal["copy", "burst", "off topic"]
    detail: str = Field(description="Why, for a reader: 'a copy of review 12' …")
    score: float | None
    quote: str | None


class Flagged(BaseModel):
    reviews: int = Field(description="Audience reviews the guards flag.")
    excluded: bool = Field(
        description="Whether they are left out of the audience's figures (setting "
        "audience_guards, on by default)."
    )
    reasons: dict[str, int] = Field(description="How many for each reason.")
    items: list[FlaggedReview] = Field(description="The first 20, oldest first.")


class AudienceFigures(GroupFigures):
    """The audience's figures for a title, computed by the same code as the critics', with
    the reviews the guards flag (copies, rating bursts, off topic) left out and listed."""

    histogram: list[Bin]
    aspects: list[dict[str, Any]]
    flagged: Flagged
    consensus: Consensus = Field(description="The audience's own line, from their reviews.")


class TitlePage(GroupFigures):
    """Everything shown about a title (docs/aggregator.md explains each figure)."""

    id: int
    title: str
    kind: TitleKind
    info: TitleOut
    parent: TitleOut | None
    season_titles: list[TitleOut]
    score_weighted: float | None
    band: str | None
    score_bayes: float | None
    controversy: float | None
    top_critics: GroupFigures
    histogram: list[Bin]
    aspects: list[dict[str, Any]]
    publications: int
    badges: list[str]
    seasons: list[SeasonFigures]
    trend: list[MonthFigures]
    consensus: Consensus
    latest_reviews: ReviewList
    people: TitlePeople
    calibration: dict[str, Any] | None = Field(
        None, description="What calibration changed, when the scores are calibrated."
    )
    audience: AudienceFigures | None = Field(
        None,
        description="The audience's own figures (reviews posted with reviewer=audience), "
        "beside the critics' and never mixed into them; null when there are none.",
    )
    gap: Gap | None = Field(
        None, description="Critics' % positive less the audience's; null unless both have one."
    )


class ReviewPage(ReviewSummary):
    """One stored review with its full analysis (docs/schema.md)."""

    title: TitleOut | None
    model_version: str | None
    analysis: dict[str, Any] = Field(description="The stored Analysis (docs/schema.md).")


class ReviewCreated(ReviewPage):
    created: bool = Field(description="False when the same review was stored before.")
    status: str = Field(
        description="created, updated (a stored review changed: same id, or a rating added "
        "…) or unchanged (an exact copy)."
    )


class SearchPage(BaseModel):
    query: str
    titles: list[dict[str, Any]] = Field(description="Titles whose name matches: id, name, kind…")
    reviews: list[dict[str, Any]] = Field(description="Reviews whose text matches, with a snippet.")
    critics: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Critics whose name holds every word: id, name, reviews, mean score…",
    )


class Candidate(BaseModel):
    id: int
    name: str
    year: int | None
    external_id: str | None
    votes: int | None


class UnmatchedReview(BaseModel):
    review_id: int
    title_id: int = Field(description="The title it is filed under now (the guess).")
    reason: str
    url: str | None
    quote: str | None
    candidates: list[Candidate] = Field(description="The titles it could be, most voted first.")


class Unmatched(BaseModel):
    total: int = Field(description="Reviews waiting for a person.")
    items: list[UnmatchedReview]


class MatchSettle(BaseModel):
    title_id: int = Field(description="The title the review is about.")


class MatchSettled(BaseModel):
    review_id: int
    title_id: int
    result: Literal["confirmed", "moved", "duplicate"]
