"""The sources `critica collect` follows: registered once, their state kept after each pass."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, delete, select, update

from critica.errors import StoreError
from critica.store import schema
from critica.store.records import Source, SourceIn

_COLUMNS = [f.name for f in fields(Source)]


def _source(row: Any) -> Source:
    found = dict(row._mapping)
    for name in ("last_fetch_at", "not_before"):
        found[name] = schema.aware(found[name])
    return Source(**{k: found[k] for k in _COLUMNS})


def add_source(conn: Connection, source: SourceIn) -> Source:
    if conn.scalar(select(schema.sources.c.id).where(schema.sources.c.url == source.url)):
        raise StoreError(
            f"{source.url} is already a source; see `critica sources list`, or remove it first"
        )
    row = {
        "url": source.url,
        "name": source.name,
        "critic": source.critic,
        "publication": source.publication,
        "top_critic": source.top_critic,
        "reviewer": source.reviewer,
        "created_at": schema.utcnow(),
    }
    inserted = conn.execute(schema.sources.insert().values(**row)).inserted_primary_key
    assert inserted is not None
    found = get_source(conn, int(inserted[0]))
    assert found is not None
    return found


def get_source(conn: Connection, key: int | str) -> Source | None:
    """A source by id or by address."""
    c = schema.sources.c
    where = c.id == key if isinstance(key, int) else c.url == key
    row = conn.execute(select(schema.sources).where(where)).first()
    return _source(row) if row else None


def list_sources(conn: Connection) -> list[Source]:
    rows = conn.execute(select(schema.sources).order_by(schema.sources.c.id))
    return [_source(row) for row in rows]


def remove_source(conn: Connection, key: int | str) -> bool:
    c = schema.sources.c
    where = c.id == key if isinstance(key, int) else c.url == key
    return bool(conn.execute(delete(schema.sources).where(where)).rowcount)


STATE = ("etag", "last_modified", "last_fetch_at", "last_status", "last_error", "failures",
         "items_seen", "reviews_added", "not_before")  # fmt: skip


def record_pass(conn: Connection, source_id: int, state: dict[str, Any]) -> None:
    """Save what a pass over a source found (only ``STATE`` columns)."""
    unknown = set(state) - set(STATE)
    if unknown:
        raise StoreError(f"not a source's state: {sorted(unknown)}")
    conn.execute(update(schema.sources).where(schema.sources.c.id == source_id).values(**state))


def review_by_url(conn: Connection, urls: list[str]) -> int | None:
    """The id of a stored review at any of these addresses (a page and its canonical URL)."""
    wanted = [u for u in urls if u]
    if not wanted:
        return None
    query = select(schema.reviews.c.id).where(schema.reviews.c.url.in_(wanted)).limit(1)
    found = conn.scalar(query)
    return int(found) if found is not None else None
