"""Queries that load records: titles, review pages, the aggregate's facts, stale analyses."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    true,
)

from critica.store.records import Publication, RatedReview, Review, ReviewFacts, Title
from critica.store.schema import (
    analyses,
    aspect_mentions,
    credit_mentions,
    critics,
    publications,
    reviews,
    titles,
)
from critica.store.writes import load_analysis

# A review's own flag when set, else its publication's.
TOP_CRITIC = func.coalesce(reviews.c.top_critic, publications.c.top_critic, false())


def name_key(name: str) -> str:
    """The lookup form of a title's name: lower-cased, whitespace collapsed."""
    return " ".join(name.split()).lower()


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def title_select() -> Select[Any]:
    """SELECT of every ``Title`` column."""
    t = titles.c
    return select(
        t.id, t.name, t.kind, t.year, t.network, t.parent_id, t.season, t.credits,
        t.external_id, t.original_name, t.end_year, t.episode, t.runtime, t.genres,
        t.catalog_rating, t.catalog_votes,
    )  # fmt: skip


def to_title(row: Row[Any]) -> Title:
    """A ``Title`` from a ``title_select`` row."""
    return Title(**row._asdict())


def title(conn: Connection, title_id: int) -> Title | None:
    """The title with this id, or None."""
    row = conn.execute(title_select().where(titles.c.id == title_id)).first()
    return None if row is None else to_title(row)


# "Offside 2006", "Offside (2006)": a name and the year it came out.
_NAME_AND_YEAR = re.compile(r"(?P<name>.*?\S)\s*\(?(?P<year>(?:18[7-9]|19\d|20\d)\d)\)?")


def find_titles(
    conn: Connection, name: str, limit: int = 50, offset: int = 0, kind: str | None = None
) -> list[Title]:
    """Titles whose name or original name contains ``name``, case-insensitively; exact, then
    prefix, then others; one page of ``limit`` from ``offset`` (optionally of one kind). A
    trailing year ("Offside 2006") also finds the titles of that name and year, first."""
    key = name_key(name)
    if not key:
        return []
    pattern = _escape_like(key)
    t = titles.c
    original = func.lower(t.original_name)
    found = or_(
        t.name_key.like(f"%{pattern}%", escape="\\"),
        original.like(f"%{pattern}%", escape="\\"),
    )
    ranks: list[tuple[Any, int]] = []
    if (dated := _NAME_AND_YEAR.fullmatch(key)) and dated["name"] != key:
        bare, year = name_key(dated["name"]), t.year == int(dated["year"])
        inside = f"%{_escape_like(bare)}%"
        named = or_(t.name_key.like(inside, escape="\\"), original.like(inside, escape="\\"))
        found = or_(found, and_(named, year))
        ranks += [
            (and_(or_(t.name_key == bare, original == bare), year), 0),
            (and_(named, year), 1),
        ]
    rank = case(
        *ranks,
        (or_(t.name_key == key, original == key), 2),
        (t.name_key.like(f"{pattern}%", escape="\\"), 3),
        else_=4,
    )
    query = (
        title_select()
        .where(found)
        .where(true() if kind is None else t.kind == kind)
        .order_by(rank, t.name_key, t.id)
        .limit(limit)
        .offset(offset)
    )
    return [to_title(row) for row in conn.execute(query)]


def to_publication(row: Row[Any]) -> Publication:
    """A ``Publication`` from a ``publications`` row."""
    return Publication(row.id, row.name, float(row.weight), bool(row.top_critic))


def review_select() -> Select[Any]:
    """SELECT of everything a ``Review`` holds, joined to its critic, publication and analysis."""
    r, a = reviews.c, analyses.c
    return (
        select(r.id, r.title_id, critics.c.name.label("critic"))
        .add_columns(publications.c.name.label("publication"), TOP_CRITIC.label("top_critic"))
        .add_columns(r.date, r.url, r.rating, r.text, a.score, a.fresh, a.confidence, a.band)
        .add_columns(a.quote, a.model_version, a.data, r.critic_id, r.publication_id)
        .select_from(reviews)
        .outerjoin(critics)
        .outerjoin(publications)
        .outerjoin(analyses)
    )


def to_review(row: Row[Any]) -> Review:
    """A ``Review`` from a ``review_select`` row."""
    fields = row._asdict()
    data = fields.pop("data")
    fields["top_critic"] = bool(fields["top_critic"])
    fields["confidence"] = fields["confidence"] or 0.0
    fields["model_version"] = fields["model_version"] or ""
    return Review(**fields, analysis=load_analysis(data, row.text))


def title_scope(title_id: int, include_seasons: bool) -> ColumnElement[bool]:
    """Reviews of a title, and of its child titles (a series' seasons) when asked."""
    if not include_seasons:
        return reviews.c.title_id == title_id
    family = select(titles.c.id).where(or_(titles.c.id == title_id, titles.c.parent_id == title_id))
    return reviews.c.title_id.in_(family)


def review_filter(
    title_id: int,
    include_seasons: bool,
    fresh: bool | None,
    top_critic: bool | None,
    aspect: str | None,
) -> ColumnElement[bool]:
    """The WHERE clause of ``reviews_for_title``."""
    conditions = [title_scope(title_id, include_seasons)]
    if fresh is not None:
        conditions.append(analyses.c.fresh == fresh)
    if top_critic is not None:
        conditions.append(TOP_CRITIC.is_(true() if top_critic else false()))
    if aspect is not None:
        mentioned = (aspect_mentions.c.review_id == reviews.c.id) & (
            aspect_mentions.c.aspect == aspect
        )
        conditions.append(exists().where(mentioned))
    return and_(*conditions)


def reviews_page(
    conn: Connection, where: ColumnElement[bool], limit: int, offset: int
) -> tuple[list[Review], int]:
    """Reviews matching ``where``, newest first, and how many match in all."""
    counted = (
        select(func.count())
        .select_from(reviews)
        .outerjoin(publications)
        .outerjoin(analyses)
        .where(where)
    )
    total = int(conn.scalar(counted) or 0)
    order = (reviews.c.date.desc().nulls_last(), reviews.c.id.desc())
    # Sort and skip narrow rows first, then load whole reviews (text, analysis JSON) for one page:
    # sorting 100k wide rows to keep 20 is what made deep pages slow.
    page = counted.with_only_columns(reviews.c.id).order_by(*order).limit(limit).offset(offset)
    ids = list(conn.scalars(page))
    if not ids:
        return [], total
    rows = conn.execute(review_select().where(reviews.c.id.in_(ids)).order_by(*order)).all()
    return [to_review(row) for row in rows], total


# A performance the sentences naming a performer clearly praise or fault.
JUDGED = 0.25


def title_credits(conn: Connection, title_id: int, include_seasons: bool) -> list[dict[str, Any]]:
    """The people a title's reviews credit, by role: how many reviews name each, and for a
    performer how many reviews praise or fault the performance; most named first."""
    c = credit_mentions.c
    count = func.count(c.review_id.distinct())
    query = (
        select(c.person, c.role, count.label("reviews"), func.max(c.character).label("character"))
        .add_columns(func.sum(case((c.polarity > JUDGED, 1), else_=0)).label("praised"))
        .add_columns(func.sum(case((c.polarity < -JUDGED, 1), else_=0)).label("faulted"))
        .add_columns(func.avg(c.polarity).label("polarity"))
        .join(reviews, reviews.c.id == c.review_id)
        .where(title_scope(title_id, include_seasons))
        .group_by(c.person, c.role)
        .order_by(count.desc(), c.person, c.role)
    )
    return [
        {
            "person": row.person,
            "role": row.role,
            "character": row.character,
            "reviews": int(row.reviews),
            "praised": int(row.praised or 0),
            "faulted": int(row.faulted or 0),
            "polarity": None if row.polarity is None else round(float(row.polarity), 3),
        }
        for row in conn.execute(query).all()
    ]


def review_facts(
    conn: Connection, title_id: int, include_seasons: bool, reviewer: str = "critic"
) -> list[ReviewFacts]:
    """Per-review facts for the aggregate, of one kind of reviewer: one query for the
    reviews, one for their aspects."""
    scope = and_(title_scope(title_id, include_seasons), reviews.c.reviewer == reviewer)
    r, a = reviews.c, analyses.c
    query = (
        select(r.id, r.title_id, a.score, a.fresh, TOP_CRITIC.label("top_critic"))
        .add_columns(publications.c.weight, publications.c.name.label("publication"))
        .add_columns(critics.c.name.label("critic"), r.date, titles.c.season, a.quote)
        .add_columns(a.rating_score, a.text_score, a.fresh_evidence, r.reviewer)
        .add_columns(r.created_at, r.fingerprint, a.off_topic)
        .select_from(reviews)
        .join(titles, titles.c.id == r.title_id)
        .outerjoin(critics)
        .outerjoin(publications)
        .outerjoin(analyses)
        .where(scope)
        .order_by(r.id)
    )
    mentions = (
        select(aspect_mentions.c.review_id, aspect_mentions.c.aspect)
        .add_columns(aspect_mentions.c.polarity, aspect_mentions.c.sentence)
        .where(aspect_mentions.c.review_id.in_(select(r.id).where(scope)))
        .order_by(aspect_mentions.c.review_id, aspect_mentions.c.sentence_index)
    )
    aspects: dict[int, list[tuple[str, float, str]]] = {}
    for review_id, aspect, polarity, sentence in conn.execute(mentions).all():
        aspects.setdefault(review_id, []).append((aspect, polarity, sentence))
    return [
        ReviewFacts(
            review_id=row.id,
            title_id=row.title_id,
            score=row.score,
            fresh=row.fresh,
            top_critic=bool(row.top_critic),
            weight=1.0 if row.weight is None else row.weight,
            publication=row.publication,
            critic=row.critic,
            date=row.date,
            season=row.season,
            quote=row.quote,
            aspects=aspects.get(row.id, []),
            reviewer=row.reviewer,
            rating_score=row.rating_score,
            text_score=row.text_score,
            fresh_evidence=row.fresh_evidence,
            posted=row.created_at.date() if row.created_at else None,
            fingerprint=row.fingerprint,
            off_topic=row.off_topic,
        )
        for row in conn.execute(query).all()
    ]


def rating_history(conn: Connection) -> list[RatedReview]:
    """Every review with an explicit rating: title, critic, publication, rating, text score."""
    r, a = reviews.c, analyses.c
    query = (
        select(r.title_id, critics.c.name, publications.c.name, a.rating_score, a.text_score)
        .select_from(reviews)
        .join(analyses)
        .outerjoin(critics)
        .outerjoin(publications)
        .where(a.rating_score.is_not(None), r.reviewer == "critic")  # critics' scales only
        .order_by(r.id)
    )
    return [RatedReview(*row) for row in conn.execute(query)]


def mean_score(conn: Connection) -> float | None:
    """The mean score of every scored critic's review (None before the first)."""
    value = conn.scalar(
        select(func.avg(analyses.c.score))
        .join(reviews, reviews.c.id == analyses.c.review_id)
        .where(analyses.c.score.is_not(None), reviews.c.reviewer == "critic")
    )
    return None if value is None else float(value)


def reviewer_counts(conn: Connection) -> list[tuple[int, str, int, int]]:
    """(title id, reviewer, scored reviews, fresh ones) for every title, a season's reviews
    counted under its series: one grouped scan, for picking the titles whose critics and
    audience differ most."""
    root = func.coalesce(titles.c.parent_id, titles.c.id)
    fresh = func.sum(case((analyses.c.fresh.is_(true()), 1), else_=0))
    query = (
        select(root, reviews.c.reviewer, func.count(), fresh)
        .select_from(reviews)
        .join(titles, titles.c.id == reviews.c.title_id)
        .join(analyses)
        .where(analyses.c.fresh.is_not(None))
        .group_by(root, reviews.c.reviewer)
    )
    return [(int(t), str(who), int(n), int(f or 0)) for t, who, n, f in conn.execute(query)]


def history_stamp(conn: Connection) -> tuple[int, str]:
    """A value that changes whenever an analysis is added, replaced or removed (a cache key)."""
    a = analyses.c
    count, newest = conn.execute(select(func.count(), func.max(a.analyzed_at))).one()
    return int(count or 0), str(newest)


def stale_batch(
    conn: Connection, model_version: str, after: int, size: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """Up to ``size`` reviews after id ``after`` not analysed by ``model_version`` (or analysed
    before the analysis carried its fresh evidence)."""
    r = reviews.c
    query = (
        select(r.id, r.text, titles.c.name, r.rating, r.url, r.title_id, r.date)
        .add_columns(critics.c.name, publications.c.name)
        .select_from(reviews)
        .join(titles, titles.c.id == r.title_id)
        .outerjoin(critics)
        .outerjoin(publications)
        .outerjoin(analyses)
        .where(r.id > after)
        .where(
            or_(
                analyses.c.model_version.is_(None),
                analyses.c.model_version != model_version,
                # Scored before analyses carried the text's evidence (same model files).
                and_(analyses.c.score.is_not(None), analyses.c.fresh_evidence.is_(None)),
            )
        )
        .order_by(r.id)
        .limit(size)
    )
    batch = []
    for rid, text, name, rating, url, tid, day, critic, pub in conn.execute(query):
        # ``title`` and ``rating`` are what the pipeline reads from metadata; the rest is context.
        meta = {"title": name, "rating": rating, "url": url, "title_id": tid, "date": day}
        meta.update({"critic": critic, "publication": pub})
        batch.append((rid, text, meta))
    return batch
