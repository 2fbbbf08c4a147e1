"""The store's tables, as SQLAlchemy Core metadata shared by SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    text,
)

metadata = MetaData()

titles = Table(
    "titles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    # Lower-cased, whitespace-collapsed name: lookups stay index-friendly on both back-ends.
    Column("name_key", Text, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("year", Integer),
    Column("network", Text),
    Column("parent_id", Integer, ForeignKey("titles.id", ondelete="CASCADE"), index=True),
    Column("season", Integer),
    Column("credits", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # From a catalog (critica.catalog: the IMDb dataset files), when matched to one.
    Column("external_id", Text, unique=True),  # "tt0111161"
    Column("original_name", Text),
    Column("end_year", Integer),  # a series' last year
    Column("episode", Integer),  # an episode's number in its season
    Column("runtime", Integer),  # minutes
    Column("genres", JSON),  # ["Crime", "Drama"]
    Column("catalog_rating", Float),  # the catalog's own users' mean rating (IMDb: 1-10)
    Column("catalog_votes", Integer),
)

# People named in a catalog's credits (IMDb name.basics): read by the catalog import to
# name the cast and crew it writes into titles.credits.
people = Table(
    "people",
    metadata,
    Column("external_id", Text, primary_key=True),  # "nm0000151"
    Column("name", Text, nullable=False),
    Column("birth_year", Integer),
    Column("death_year", Integer),
)

# A catalog's principal cast and crew of each title, in billing order (IMDb
# title.principals); titles.credits holds the same, named, for the pages.
title_people = Table(
    "title_people",
    metadata,
    Column("title_id", Integer, ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
    Column("ordering", Integer, primary_key=True),
    Column("person", Text, nullable=False, index=True),  # people.external_id
    Column("role", String(32), nullable=False),
    Column("character", Text),
)

critics = Table(
    "critics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
)

publications = Table(
    "publications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("weight", Float, nullable=False, default=1.0, server_default=text("1.0")),
    Column("top_critic", Boolean, nullable=False, default=False, server_default=false()),
    Index("ix_publications_top_critic", "top_critic"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    # Indexed through ix_reviews_title_date, whose leading column is title_id.
    Column("title_id", Integer, ForeignKey("titles.id", ondelete="CASCADE"), nullable=False),
    Column("critic_id", Integer, ForeignKey("critics.id")),
    Column("publication_id", Integer, ForeignKey("publications.id")),
    # NULL means "inherit the publication's flag", read through COALESCE, so that
    # marking a publication as top critic later also applies to its stored reviews.
    Column("top_critic", Boolean),
    Column("date", Date),
    Column("url", Text),
    Column("rating", Text),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),  # identity.review_key
    Column("external_id", Text, unique=True),  # the source's id for the review, when given
    Column("source", Text),
    # Who wrote it: "critic" (the default) or "audience"; the figures keep the two apart.
    Column("reviewer", String(16), nullable=False, default="critic", server_default="critic"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A SimHash of the text (critica.signals.fingerprint): near-copies differ in a few bits.
    Column("fingerprint", BigInteger),
    Index("ix_reviews_title_date", "title_id", "date"),
)

analyses = Table(
    "analyses",
    metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("model_version", Text, nullable=False),
    Column("score", Float),
    Column("text_score", Float),
    Column("rating_score", Float),  # the explicit rating (0-100); NULL when the review has none
    Column("fresh_evidence", Float),  # the text's log Bayes factor for fresh (Analysis)
    Column("fresh", Boolean),
    Column("confidence", Float, nullable=False, default=0.0),
    Column("band", String(32)),
    Column("quote", Text),
    Column("language", String(16)),
    Column("off_topic", Text),  # why the review is not about its title (critica.signals)
    Column("data", Text, nullable=False),  # Analysis.to_dict() as JSON text
    Column("analyzed_at", DateTime(timezone=True), nullable=False),
    Index("ix_analyses_fresh", "fresh"),
    Index("ix_analyses_model_version", "model_version"),
    Index("ix_analyses_analyzed_at", "analyzed_at"),
)

aspect_mentions = Table(
    "aspect_mentions",
    metadata,
    Column(
        "review_id",
        Integer,
        ForeignKey("reviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("sentence_index", Integer, primary_key=True),
    Column("aspect", String(64), primary_key=True),
    Column("polarity", Float, nullable=False),
    Column("sentence", Text, nullable=False),
    Index("ix_aspect_mentions_aspect_review", "aspect", "review_id"),
)

credit_mentions = Table(
    # The people a review credits (from its analysis), and for a performer how the
    # sentences that name them judge the performance: a title's cast and crew come from here.
    "credit_mentions",
    metadata,
    Column(
        "review_id",
        Integer,
        ForeignKey("reviews.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("person", Text, primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("character", Text),
    Column("polarity", Float),  # performances polarity of the sentences naming them; NULL: none
    Index("ix_credit_mentions_person", "person"),
)

# Outlets' feeds, sitemaps and review-list pages that `critica collect` follows, with
# what the last pass found (critica.collect).
sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("name", Text),
    Column("critic", Text),  # for reviews whose page names no author
    Column("publication", Text),  # for reviews whose page names no publisher
    Column("top_critic", Boolean, nullable=False, default=False, server_default=false()),
    Column("reviewer", String(16), nullable=False, default="critic", server_default="critic"),
    Column("etag", Text),  # the feed's, for a conditional GET
    Column("last_modified", Text),
    Column("last_fetch_at", DateTime(timezone=True)),
    Column("last_status", Text),  # "ok", "not modified", "failed"
    Column("last_error", Text),
    Column("failures", Integer, nullable=False, default=0, server_default="0"),  # in a row
    Column("items_seen", Integer, nullable=False, default=0, server_default="0"),
    Column("reviews_added", Integer, nullable=False, default=0, server_default="0"),
    Column("not_before", DateTime(timezone=True)),  # a failing source's next try
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Reviews whose title was a guess (a name several catalog titles share, and the review
# naming no one to tell them apart): a person confirms or changes each.
title_matches = Table(
    "title_matches",
    metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("candidates", JSON, nullable=False),  # title ids it could be, most voted first
    Column("reason", Text, nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),  # None: still waiting for a person
    Column("created_at", DateTime(timezone=True), nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
)

migrations = Table(
    "migrations",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def utcnow() -> datetime:
    """The current time in UTC, as every timestamp column stores it."""
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """A stored timestamp as UTC-aware (SQLite hands back naive datetimes)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
