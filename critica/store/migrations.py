"""Numbered schema migrations (``m001_initial``, ...), applied in order and recorded once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from sqlalchemy import Connection, Engine, bindparam, insert, inspect, select, text, update

from critica.store import schema

Migration = Callable[[Connection], None]

# Any constant will do: it only has to be the same in every process migrating this database.
_PG_LOCK_KEY = 0x63726974


def m001_initial(conn: Connection) -> None:
    """Titles, critics, publications, reviews, analyses, aspect mentions, tokens."""
    # Built from the live metadata: a later migration that alters one of these tables must
    # tolerate a database that m001 just created with the new layout (or freeze m001's DDL).
    tables = [t for t in schema.metadata.sorted_tables if t is not schema.migrations]
    schema.metadata.create_all(conn, tables=tables)


_SQLITE_FTS = [
    # External-content tables: the text lives once, in reviews/titles; triggers keep the
    # index in step with every insert, update and delete, whoever makes it.
    "CREATE VIRTUAL TABLE reviews_fts USING fts5(text, content='reviews', content_rowid='id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE titles_fts USING fts5(name, content='titles', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
]
_DELETE = "INSERT INTO {t}_fts({t}_fts, rowid, {c}) VALUES ('delete', old.id, old.{c});"
_INSERT = "INSERT INTO {t}_fts(rowid, {c}) VALUES (new.id, new.{c});"
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER {{t}}_fts_ai AFTER INSERT ON {{t}} BEGIN {_INSERT} END",
    f"CREATE TRIGGER {{t}}_fts_ad AFTER DELETE ON {{t}} BEGIN {_DELETE} END",
    f"CREATE TRIGGER {{t}}_fts_au AFTER UPDATE OF {{c}} ON {{t}} BEGIN {_DELETE} {_INSERT} END",
]
_PG_FTS = [
    # A stored generated column: ranking reads it instead of re-parsing every text.
    "ALTER TABLE reviews ADD COLUMN search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "CREATE INDEX ix_reviews_search_vector ON reviews USING gin (search_vector)",
]


def m002_full_text(conn: Connection) -> None:
    """Full-text search over review text (FTS5 on SQLite, tsvector + GIN on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            conn.exec_driver_sql(statement)
        for table, column in (("reviews", "text"), ("titles", "name")):
            for trigger in _SQLITE_TRIGGERS:
                conn.exec_driver_sql(trigger.format(t=table, c=column))
            conn.exec_driver_sql(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    else:
        for statement in _PG_FTS:
            conn.exec_driver_sql(statement)


def _stored_rating(data: str) -> float | None:
    rating = json.loads(data).get("rating")
    return float(rating["normalized"]) if rating else None


def _stored_evidence(data: str) -> float | None:
    value = json.loads(data).get("fresh_evidence")
    return None if value is None else float(value)


def _add_column(conn: Connection, column: str, read: Callable[[str], float | None]) -> None:
    """Add a FLOAT column to analyses and backfill it from the stored analysis JSON."""
    if column not in {c["name"] for c in inspect(conn).get_columns("analyses")}:
        conn.exec_driver_sql(f"ALTER TABLE analyses ADD COLUMN {column} FLOAT")
    a, after = schema.analyses.c, 0
    while True:  # a bounded batch at a time, so a large store never sits in memory
        batch = conn.execute(
            select(a.review_id, a.data).where(a.review_id > after).order_by(a.review_id).limit(1000)
        ).all()
        if not batch:
            return
        values = [{"rid": rid, column: read(data)} for rid, data in batch]
        if found := [v for v in values if v[column] is not None]:
            conn.execute(update(schema.analyses).where(a.review_id == bindparam("rid")), found)
        after = batch[-1][0]


def m003_rating_score(conn: Connection) -> None:
    """analyses.rating_score: the explicit rating apart from the text's score, for calibration."""
    _add_column(conn, "rating_score", _stored_rating)


def m004_fresh_evidence(conn: Connection) -> None:
    """analyses.fresh_evidence: the text's evidence for fresh, for a title's estimated share.

    Analyses stored before verdict-v2 carried no evidence and stay NULL until
    ``critica reanalyze``; the estimate counts their fresh calls as they are.
    """
    _add_column(conn, "fresh_evidence", _stored_evidence)


def m005_credit_mentions(conn: Connection) -> None:
    """credit_mentions: the people each review credits, for a title's cast and crew;
    filled from the stored analyses, a bounded batch at a time."""
    from critica.store.writes import credit_rows

    schema.credit_mentions.create(conn, checkfirst=True)
    a, after = schema.analyses.c, 0
    while True:
        batch = conn.execute(
            select(a.review_id, a.data).where(a.review_id > after).order_by(a.review_id).limit(1000)
        ).all()
        if not batch:
            return
        existing = set(
            conn.scalars(
                select(schema.credit_mentions.c.review_id)
                .distinct()
                .where(schema.credit_mentions.c.review_id.in_([rid for rid, _ in batch]))
            )
        )
        rows = [
            row
            for rid, data in batch
            if rid not in existing
            for row in credit_rows(rid, json.loads(data))
        ]
        if rows:
            conn.execute(insert(schema.credit_mentions), rows)
        after = batch[-1][0]


def m006_review_identity(conn: Connection) -> None:
    """reviews.external_id (a source's own id, unique) and every content_hash recomputed
    with the identity normalisation (NFKC, format characters, confusable names): see
    critica.store.identity. Two stored reviews that now share a key are both kept (the
    later one's key made unique), so nothing is lost."""
    from critica.store.identity import review_key

    columns = {c["name"] for c in inspect(conn).get_columns("reviews")}
    if "external_id" not in columns:
        conn.exec_driver_sql("ALTER TABLE reviews ADD COLUMN external_id TEXT")
        conn.exec_driver_sql(
            "CREATE UNIQUE INDEX IF NOT EXISTS ix_reviews_external_id ON reviews (external_id)"
        )
    r, after = schema.reviews.c, 0
    query = (
        select(r.id, r.title_id, schema.critics.c.name, schema.publications.c.name, r.text)
        .select_from(schema.reviews.outerjoin(schema.critics).outerjoin(schema.publications))
        .order_by(r.id)
        .limit(1000)
    )
    while True:
        batch = conn.execute(query.where(r.id > after)).all()
        if not batch:
            return
        keys = {
            rid: review_key(title, critic, pub, text) for rid, title, critic, pub, text in batch
        }
        taken = {
            h: i
            for h, i in conn.execute(
                select(r.content_hash, r.id).where(r.content_hash.in_(set(keys.values())))
            )
        }
        updates = []
        for rid, key in keys.items():
            if taken.get(key, rid) != rid:  # another stored review has this identity already
                key = hashlib.sha256(f"{key}:{rid}".encode()).hexdigest()
            taken[key] = rid
            updates.append({"rid": rid, "content_hash": key})
        conn.execute(update(schema.reviews).where(r.id == bindparam("rid")), updates)
        after = batch[-1][0]


_CATALOG_COLUMNS = {
    "external_id": "TEXT",
    "original_name": "TEXT",
    "end_year": "INTEGER",
    "episode": "INTEGER",
    "runtime": "INTEGER",
    "genres": "{json}",
    "catalog_rating": "{float}",
    "catalog_votes": "INTEGER",
}


def m007_catalog(conn: Connection) -> None:
    """Titles' catalog fields (external id, original name, years, runtime, genres, the
    catalog's rating), the people a catalog names and each title's principal cast and crew
    (critica.catalog)."""
    columns = {c["name"] for c in inspect(conn).get_columns("titles")}
    pg = conn.dialect.name == "postgresql"
    for name, kind in _CATALOG_COLUMNS.items():
        if name not in columns:
            kind = kind.format(json="JSON", float="DOUBLE PRECISION" if pg else "FLOAT")
            conn.exec_driver_sql(f"ALTER TABLE titles ADD COLUMN {name} {kind}")
    conn.exec_driver_sql(
        "CREATE UNIQUE INDEX IF NOT EXISTS ix_titles_external_id ON titles (external_id)"
    )
    schema.people.create(conn, checkfirst=True)
    schema.title_people.create(conn, checkfirst=True)


def m008_reviewer(conn: Connection) -> None:
    """reviews.reviewer: "critic" (every review stored so far) or "audience"."""
    columns = {c["name"] for c in inspect(conn).get_columns("reviews")}
    if "reviewer" not in columns:
        conn.exec_driver_sql(
            "ALTER TABLE reviews ADD COLUMN reviewer VARCHAR(16) NOT NULL DEFAULT 'critic'"
        )


def m009_audience_signals(conn: Connection) -> None:
    """reviews.fingerprint (a SimHash of the text) and analyses.off_topic (why a review is
    not about its title), which the audience guards read; filled in for the audience
    reviews already stored (critics' reviews get them when next stored or re-analysed)."""
    from critica.signals import fingerprint, off_topic

    if "fingerprint" not in {c["name"] for c in inspect(conn).get_columns("reviews")}:
        conn.exec_driver_sql("ALTER TABLE reviews ADD COLUMN fingerprint BIGINT")
    if "off_topic" not in {c["name"] for c in inspect(conn).get_columns("analyses")}:
        conn.exec_driver_sql("ALTER TABLE analyses ADD COLUMN off_topic TEXT")
    r, a, after = schema.reviews.c, schema.analyses.c, 0
    query = (
        select(r.id, r.text, a.data)
        .select_from(schema.reviews.outerjoin(schema.analyses))
        .where(r.reviewer == "audience")
        .order_by(r.id)
        .limit(1000)
    )
    while batch := conn.execute(query.where(r.id > after)).all():
        prints, topics = [], []
        for rid, body, data in batch:
            prints.append({"rid": rid, "fp": fingerprint(body)})
            if data is not None:
                found = json.loads(data)
                mentions = sum(len(s.get("aspects") or []) for s in found.get("sentences") or [])
                reason = off_topic(body, mentions, len(found.get("credits") or []))
                topics.append({"rid": rid, "why": reason})
        conn.execute(
            update(schema.reviews)
            .where(r.id == bindparam("rid"))
            .values(fingerprint=bindparam("fp")),
            prints,
        )
        if topics:
            conn.execute(
                update(schema.analyses)
                .where(a.review_id == bindparam("rid"))
                .values(off_topic=bindparam("why")),
                topics,
            )
        after = batch[-1][0]


def m010_sources(conn: Connection) -> None:
    """The sources `critica collect` follows, and an index to find a review by its address."""
    schema.sources.create(conn, checkfirst=True)
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_reviews_url ON reviews (url)")


def m011_title_matches(conn: Connection) -> None:
    """The queue of reviews whose title was a guess (critica titles unmatched)."""
    schema.title_matches.create(conn, checkfirst=True)


def m012_analyzed_at_index(conn: Connection) -> None:
    """An index on analyses.analyzed_at: the history stamp (the page caches' key) reads its
    newest value on every home page and titles index."""
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_analyses_analyzed_at ON analyses (analyzed_at)"
    )


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_full_text,
    m003_rating_score,
    m004_fresh_evidence,
    m005_credit_mentions,
    m006_review_identity,
    m007_catalog,
    m008_reviewer,
    m009_audience_signals,
    m010_sources,
    m011_title_matches,
    m012_analyzed_at_index,
]


def applied(conn: Connection) -> set[str]:
    """Names of the migrations already recorded in this database."""
    return set(conn.scalars(select(schema.migrations.c.name)))


def migrate(engine: Engine) -> list[str]:
    """Apply the pending migrations in one transaction; returns their names (none: up to date)."""
    with engine.execution_options(sqlite_immediate=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes opening a fresh database at once must not both create the tables.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        schema.migrations.create(conn, checkfirst=True)
        done = applied(conn)
        names = []
        for migration in MIGRATIONS:
            if migration.__name__ in done:
                continue
            migration(conn)
            conn.execute(
                insert(schema.migrations),
                {"name": migration.__name__, "applied_at": schema.utcnow()},
            )
            names.append(migration.__name__)
        return names
