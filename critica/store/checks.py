"""Integrity checks: database-level on SQLite, store invariants on both back-ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, or_, select
from sqlalchemy.exc import DatabaseError

from critica.store.schema import analyses, aspect_mentions, credit_mentions, reviews

# Enough ids to find the rows without flooding a report.
SHOWN = 10


def integrity(conn: Connection) -> list[str]:
    """Problems found, one line each (empty when healthy)."""
    problems = _sqlite(conn) if conn.dialect.name == "sqlite" else []
    missing = select(reviews.c.id).where(
        ~select(analyses.c.review_id).where(analyses.c.review_id == reviews.c.id).exists()
    )
    problems += _ids(conn, missing, "review(s) without an analysis")
    orphans = select(analyses.c.review_id).where(
        ~select(reviews.c.id).where(reviews.c.id == analyses.c.review_id).exists()
    )
    problems += _ids(conn, orphans, "analysis(es) of a missing review")
    stray = (
        select(aspect_mentions.c.review_id)
        .distinct()
        .where(~select(reviews.c.id).where(reviews.c.id == aspect_mentions.c.review_id).exists())
    )
    problems += _ids(conn, stray, "aspect mention(s) of a missing review")
    stray_credits = (
        select(credit_mentions.c.review_id)
        .distinct()
        .where(~select(reviews.c.id).where(reviews.c.id == credit_mentions.c.review_id).exists())
    )
    problems += _ids(conn, stray_credits, "credit mention(s) of a missing review")
    a = analyses.c
    out_of_range = select(a.review_id).where(
        or_(
            a.score < 0, a.score > 100, a.text_score < 0, a.text_score > 100,
            a.rating_score < 0, a.rating_score > 100, a.confidence < 0, a.confidence > 1,
            # NaN is the one value not equal to itself (and the one SQLite stores as NULL)
            a.score != a.score, a.text_score != a.text_score, a.confidence != a.confidence,
        )
    )  # fmt: skip
    problems += _ids(conn, out_of_range, "analysis(es) with a score or confidence out of range")
    duplicated = (
        select(reviews.c.content_hash).group_by(reviews.c.content_hash).having(func.count() > 1)
    )
    hashes = list(conn.scalars(duplicated.limit(SHOWN)))
    if hashes:
        problems.append(f"duplicate content hashes (the unique index is gone?): {hashes}")
    return problems


def _ids(conn: Connection, query: Select[Any], what: str) -> list[str]:
    ids = list(conn.scalars(query.order_by(query.selected_columns[0]).limit(SHOWN + 1)))
    if not ids:
        return []
    more = ", ..." if len(ids) > SHOWN else ""
    return [f"{what}: ids {', '.join(map(str, ids[:SHOWN]))}{more}"]


def _sqlite(conn: Connection) -> list[str]:
    problems = [
        f"integrity_check: {line}"
        for (line,) in conn.exec_driver_sql("PRAGMA integrity_check")
        if line != "ok"
    ]
    for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {table} row {rowid} points to a missing {parent} row")
    for name in ("reviews_fts", "titles_fts"):
        try:
            # Compares the external-content index with the table it mirrors.
            conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('integrity-check')")
        except DatabaseError as error:
            problems.append(f"{name} is out of step with its table: {error}")
    return problems
