"""Full-text search: user text becomes plain words, never query syntax."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)

from critica.store import schema

# Bounds the work one request can cause, whatever is pasted into the box.
MAX_WORDS = 16
MAX_WORD_CHARS = 64
# Control characters mark highlights inside the database so that a literal "<mark>" in a
# review can never be mistaken for one; they become offsets and <mark> tags here.
START, STOP = "\x02", "\x03"
# Matches ranked per query: the best of the newest this many (docs/aggregator.md).
CANDIDATES = 1000
_WORD = re.compile(r"\w+")
_MARKS = re.compile(f"([{START}{STOP}])")

reviews, titles = schema.reviews, schema.titles
reviews_fts = table("reviews_fts", column("rowid"), column("rank"))
titles_fts = table("titles_fts", column("rowid"), column("rank"))


def words(query: str) -> list[str]:
    """The plain words of a query, lower-cased; punctuation and operators are dropped."""
    return [w[:MAX_WORD_CHARS].lower() for w in _WORD.findall(query)[:MAX_WORDS]]


def fts5_query(terms: list[str], prefix: bool = False) -> str:
    """An FTS5 MATCH string in which every word is a quoted phrase (so no operators)."""
    star = "*" if prefix else ""
    return " AND ".join('"' + t.replace('"', '""') + '"' + star for t in terms)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(conn: Connection, query: str, limit: int) -> dict[str, list[dict[str, Any]]]:
    """Titles whose name has words starting with the query's words, and reviews matching them."""
    terms = words(query)
    if not terms or limit <= 0:
        return {"titles": [], "reviews": []}
    sqlite = conn.dialect.name == "sqlite"
    title_query = _titles_sqlite(terms) if sqlite else _titles_pg(terms)
    exact = case((titles.c.name_key == " ".join(terms), 0), else_=1)
    title_rows = conn.execute(title_query.order_by(exact, titles.c.name_key).limit(limit))
    review_query = _reviews_sqlite(terms, limit) if sqlite else _reviews_pg(terms, limit)
    return {
        "titles": [dict(row._mapping) for row in title_rows],
        "reviews": [_hit(dict(row._mapping)) for row in conn.execute(review_query)],
    }


def _title_columns() -> Select[Any]:
    t = titles.c
    return select(t.id, t.name, t.kind, t.year, t.season, t.parent_id)


def _titles_sqlite(terms: list[str]) -> Select[Any]:
    match = text("titles_fts MATCH :match").bindparams(match=fts5_query(terms, prefix=True))
    return _title_columns().join(titles_fts, titles_fts.c.rowid == titles.c.id).where(match)


def _titles_pg(terms: list[str]) -> Select[Any]:
    key = titles.c.name_key
    # A word prefix: at the start of the name or after a space (name_key is lower-case).
    conditions = [
        or_(
            key.like(f"{_escape_like(t)}%", escape="\\"),
            key.like(f"% {_escape_like(t)}%", escape="\\"),
        )
        for t in terms
    ]
    return _title_columns().where(and_(*conditions))


def _hit_query(*extra: Any) -> Select[Any]:
    r, a = reviews.c, schema.analyses.c
    return (
        select(r.id, r.title_id, titles.c.name.label("title"))
        .add_columns(schema.critics.c.name.label("critic"))
        .add_columns(schema.publications.c.name.label("publication"), a.score, a.fresh, *extra)
        .select_from(reviews)
        .join(titles, titles.c.id == r.title_id)
        .outerjoin(schema.critics)
        .outerjoin(schema.publications)
        .outerjoin(schema.analyses)
    )


def _reviews_sqlite(terms: list[str], limit: int) -> Select[Any]:
    snippet = func.snippet(literal_column("reviews_fts"), 0, START, STOP, "…", 24)
    match = text("reviews_fts MATCH :match").bindparams(match=fts5_query(terms))
    # FTS5 ranks every match before the first page comes out; a common word matches a
    # large share of a million reviews. Rank only the newest CANDIDATES matches: FTS5
    # walks its index in rowid order and honours a rowid range without sorting.
    newest = (
        select(reviews_fts.c.rowid)
        .where(match)
        .order_by(reviews_fts.c.rowid.desc())
        .limit(1)
        .offset(CANDIDATES - 1)
        .scalar_subquery()
    )
    return (
        _hit_query(snippet.label("raw"))
        .join(reviews_fts, reviews_fts.c.rowid == reviews.c.id)
        .where(match, reviews_fts.c.rowid >= func.coalesce(newest, 0))
        .order_by(reviews_fts.c.rank)
        .limit(limit)
    )


def _reviews_pg(terms: list[str], limit: int) -> Select[Any]:
    tsquery = func.plainto_tsquery("english", " ".join(terms))
    vector: ColumnElement[Any] = literal_column("reviews.search_vector")
    rank = func.ts_rank(vector, tsquery).label("rank")
    newest = (  # rank only the newest CANDIDATES matches (see _reviews_sqlite)
        select(reviews.c.id)
        .where(vector.op("@@")(tsquery))
        .order_by(reviews.c.id.desc())
        .limit(CANDIDATES)
        .subquery()
    )
    best = (
        select(reviews.c.id, rank)
        .join(newest, newest.c.id == reviews.c.id)
        .order_by(rank.desc(), reviews.c.id)
        .limit(limit)
        .subquery()
    )
    # Headlines are costly, so only the page of best matches gets one.
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2"
    headline = func.ts_headline("english", reviews.c.text, tsquery, options).label("raw")
    return (
        _hit_query(headline)
        .join(best, best.c.id == reviews.c.id)
        .order_by(best.c.rank.desc(), reviews.c.id)
    )


def _hit(row: dict[str, Any]) -> dict[str, Any]:
    raw = row.pop("raw") or ""
    plain, highlights, position, opened = [], [], 0, None
    for piece in _MARKS.split(raw):
        if piece == START:
            opened = position
        elif piece == STOP and opened is not None:
            highlights.append((opened, position))
            opened = None
        elif piece not in (START, STOP):
            plain.append(piece)
            position += len(piece)
    # HTML-safe: the review's own text escaped, only the match marks left as tags.
    row["snippet"] = "".join(
        "<mark>" if piece == START else "</mark>" if piece == STOP else html.escape(piece)
        for piece in _MARKS.split(raw)
        if piece
    )
    row["snippet_text"] = "".join(plain)
    row["highlights"] = highlights
    return row
