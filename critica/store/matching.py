"""Titles put right by a person: the queue of guessed matches, moving a review to another
title, and merging two titles that are one, without losing a review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from critica.errors import StoreError
from critica.store import reads, schema
from critica.store.identity import review_key

r, m, t = schema.reviews.c, schema.title_matches.c, schema.titles.c


def queue(conn: Connection, items: list[tuple[int, list[int], str]]) -> None:
    """Queue (review id, candidate title ids, reason); a review queued already keeps its
    entry."""
    known = set(conn.scalars(select(m.review_id).where(m.review_id.in_([i for i, _, _ in items]))))
    rows = [
        {"review_id": i, "candidates": c, "reason": why, "created_at": schema.utcnow()}
        for i, c, why in items
        if i not in known
    ]
    if rows:
        conn.execute(schema.title_matches.insert(), rows)


def unmatched(conn: Connection, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Guessed matches no person has confirmed, oldest first, and how many there are."""
    waiting = m.confirmed_at.is_(None)
    total = conn.scalar(select(func.count()).select_from(schema.title_matches).where(waiting))
    query = (
        select(m.review_id, m.candidates, m.reason, r.title_id, r.url, schema.analyses.c.quote)
        .select_from(schema.title_matches.join(schema.reviews).outerjoin(schema.analyses))
        .where(waiting)
        .order_by(m.created_at, m.review_id)
        .limit(limit)
    )
    out = []
    for row in conn.execute(query):
        titles = {i: reads.title(conn, i) for i in {row.title_id, *row.candidates}}
        out.append(
            {
                "review_id": row.review_id,
                "title_id": row.title_id,
                "reason": row.reason,
                "url": row.url,
                "quote": row.quote,
                "candidates": [
                    {
                        "id": i,
                        "name": c.name,
                        "year": c.year,
                        "external_id": c.external_id,
                        "votes": c.catalog_votes,
                    }
                    for i in row.candidates
                    if (c := titles.get(i)) is not None
                ],
            }
        )
    return out, int(total or 0)


def _names(conn: Connection, review_id: int) -> tuple[str | None, str | None, str]:
    row = conn.execute(
        select(schema.critics.c.name, schema.publications.c.name, r.text)
        .select_from(schema.reviews.outerjoin(schema.critics).outerjoin(schema.publications))
        .where(r.id == review_id)
    ).one()
    return row[0], row[1], row[2]


def move_review(conn: Connection, review_id: int, title_id: int) -> str:
    """File a review under another title (its identity key follows); "moved", or
    "duplicate" when that title holds the very same review already (this copy goes)."""
    if reads.title(conn, title_id) is None:
        raise StoreError(f"no title with id {title_id}; find ids with `critica title NAME`")
    if conn.scalar(select(r.id).where(r.id == review_id)) is None:
        raise StoreError(f"no review with id {review_id}")
    critic, publication, text = _names(conn, review_id)
    key = review_key(title_id, critic, publication, text)
    same = conn.scalar(select(r.id).where(r.content_hash == key, r.id != review_id))
    if same is not None:
        conn.execute(delete(schema.reviews).where(r.id == review_id))
        return "duplicate"
    conn.execute(update(schema.reviews).where(r.id == review_id).values(
        title_id=title_id, content_hash=key))  # fmt: skip
    conn.execute(
        update(schema.title_matches)
        .where(m.review_id == review_id)
        .values(confirmed_at=schema.utcnow())
    )
    return "moved"


def confirm(conn: Connection, review_id: int, title_id: int) -> str:
    """A person's answer for a queued review: "confirmed" (it stays), or as ``move_review``."""
    current = conn.scalar(select(r.title_id).where(r.id == review_id))
    if current is None:
        raise StoreError(f"no review with id {review_id}; see `critica titles unmatched`")
    if current == title_id:
        conn.execute(
            update(schema.title_matches)
            .where(m.review_id == review_id)
            .values(confirmed_at=schema.utcnow())
        )
        return "confirmed"
    return move_review(conn, review_id, title_id)


def merge(conn: Connection, keep: int, gone: int) -> dict[str, int]:
    """Join title ``gone`` into ``keep``: its reviews move (a review ``keep`` holds already
    is not stored twice), its seasons move (or join ``keep``'s season of that number), its
    catalog id and fields fill what ``keep`` lacks; then ``gone`` is deleted."""
    if keep == gone:
        raise StoreError("a title cannot be merged into itself; give two different ids")
    a, b = reads.title(conn, keep), reads.title(conn, gone)
    if a is None or b is None:
        missing = keep if a is None else gone
        raise StoreError(f"no title with id {missing}; find ids with `critica title NAME`")
    done = {"moved": 0, "duplicate": 0, "seasons": 0}
    for season in conn.execute(select(t.id, t.season).where(t.parent_id == gone)).all():
        twin = conn.scalar(
            select(t.id).where(t.parent_id == keep, t.season == season.season).limit(1)
        )
        if twin is None or season.season is None:
            conn.execute(update(schema.titles).where(t.id == season.id).values(parent_id=keep))
            done["seasons"] += 1
        else:
            for key, n in merge(conn, twin, season.id).items():
                done[key] += n
    for review_id in conn.scalars(select(r.id).where(r.title_id == gone).order_by(r.id)).all():
        done[move_review(conn, review_id, keep)] += 1
    fill = {
        k: getattr(b, k)
        for k in (
            "external_id",
            "original_name",
            "year",
            "end_year",
            "runtime",
            "genres",
            "catalog_rating",
            "catalog_votes",
            "network",
        )
        if getattr(a, k) in (None, [], "") and getattr(b, k) not in (None, [], "")
    }
    if not a.credits and b.credits:
        fill["credits"] = b.credits
    if "external_id" in fill:  # the column is unique: free it first
        conn.execute(update(schema.titles).where(t.id == gone).values(external_id=None))
    people = schema.title_people.c
    if not conn.scalar(select(func.count()).select_from(schema.title_people).where(
            people.title_id == keep)):  # fmt: skip
        conn.execute(
            update(schema.title_people).where(people.title_id == gone).values(title_id=keep)
        )
    conn.execute(delete(schema.titles).where(t.id == gone))
    if fill:
        conn.execute(update(schema.titles).where(t.id == keep).values(**fill))
    return done
