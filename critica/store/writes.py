"""Writing reviews and analyses: idempotency hashes, get-or-create, analysis rows."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from critica.analysis import Analysis
from critica.errors import StoreError
from critica.store import schema
from critica.store.records import ReviewIn

# Keeps IN (...) lists well under SQLite's bound-parameter limit.
CHUNK = 500


def clean_name(name: str | None) -> str | None:
    """A critic or publication name with whitespace collapsed; None when blank."""
    collapsed = " ".join((name or "").split())
    return collapsed or None


def content_hash(title_id: int, critic: str | None, publication: str | None, text: str) -> str:
    """The idempotency key: the same review of the same title by the same critic hashes alike."""
    parts = [str(title_id), (critic or "").casefold(), (publication or "").casefold()]
    parts.append(" ".join(text.split()))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_ignoring(conn: Connection, table: Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in this connection's dialect."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def get_or_create(conn: Connection, table: Table, names: set[str]) -> dict[str, Any]:
    """Rows of ``table`` (critics or publications) by name, creating the missing ones."""
    if not names:
        return {}
    ordered = sorted(names)
    # Insert-then-select is safe against a concurrent writer creating the same name.
    conn.execute(insert_ignoring(conn, table), [{"name": n} for n in ordered])
    found = {}
    for part in chunks(ordered):
        for row in conn.execute(select(table).where(table.c.name.in_(part))):
            found[row.name] = row
    return found


def existing_hashes(conn: Connection, hashes: Iterable[str]) -> dict[str, int]:
    """Review ids already stored under these content hashes."""
    reviews = schema.reviews
    found: dict[str, int] = {}
    for part in chunks(sorted(set(hashes))):
        query = select(reviews.c.content_hash, reviews.c.id).where(reviews.c.content_hash.in_(part))
        found.update({h: i for h, i in conn.execute(query)})
    return found


def check_titles(conn: Connection, title_ids: set[int]) -> None:
    """Raise ``StoreError`` naming any title id that does not exist."""
    titles = schema.titles
    known = set(conn.scalars(select(titles.c.id).where(titles.c.id.in_(sorted(title_ids)))))
    if missing := sorted(title_ids - known):
        raise StoreError(f"no title with id {missing}; add the title before its reviews")


def add_reviews(
    conn: Connection, items: Sequence[tuple[ReviewIn, Analysis]]
) -> list[tuple[int, bool]]:
    """Store new reviews with their analyses; ``(id, created)`` for each item, in order."""
    if not items:
        return []
    check_titles(conn, {review.title_id for review, _ in items})
    hashes = [
        content_hash(r.title_id, clean_name(r.critic), clean_name(r.publication), r.text)
        for r, _ in items
    ]
    ids = existing_hashes(conn, hashes)
    first: dict[str, int] = {}  # hash -> index of its first new occurrence in the batch
    for index, digest in enumerate(hashes):
        if digest not in ids:
            first.setdefault(digest, index)
    created = insert_reviews(conn, new_rows(conn, items, first))
    # A hash missing from ``created`` was stored by a concurrent writer in the meantime.
    ids.update(existing_hashes(conn, set(first) - set(created)))
    ids.update(created)
    write_analyses(
        conn,
        [(created[h], items[i][1], items[i][0].text) for h, i in first.items() if h in created],
    )
    return [(ids[h], h in created and first[h] == i) for i, h in enumerate(hashes)]


def new_rows(
    conn: Connection, items: Sequence[tuple[ReviewIn, Analysis]], first: dict[str, int]
) -> list[dict[str, Any]]:
    """``reviews`` rows for the new items (hash -> index), creating critics and publications."""
    # Only new reviews may create critics and publications: a duplicate changes nothing.
    new = [items[i][0] for i in first.values()]
    critics = get_or_create(conn, schema.critics, {n for r in new if (n := clean_name(r.critic))})
    pubs = get_or_create(
        conn, schema.publications, {n for r in new if (n := clean_name(r.publication))}
    )
    rows = []
    for digest, index in first.items():
        review = items[index][0]
        critic = critics.get(clean_name(review.critic) or "")
        pub = pubs.get(clean_name(review.publication) or "")
        rows.append(
            review_row(review, digest, critic.id if critic else None, pub.id if pub else None)
        )
    return rows


def review_row(
    review: ReviewIn, digest: str, critic_id: int | None, pub_id: int | None
) -> dict[str, Any]:
    """The ``reviews`` row for one incoming review."""
    return {
        "title_id": review.title_id,
        "critic_id": critic_id,
        "publication_id": pub_id,
        "top_critic": review.top_critic,  # None: inherit the publication's flag when read
        "date": review.date,
        "url": review.url,
        "rating": review.rating,
        "text": review.text,
        "content_hash": digest,
        "source": review.source,
        "created_at": schema.utcnow(),
    }


def insert_reviews(conn: Connection, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert review rows, skipping hashes already present; new ids by content hash."""
    if not rows:
        return {}
    reviews = schema.reviews
    statement = insert_ignoring(conn, reviews).returning(reviews.c.content_hash, reviews.c.id)
    return {h: i for h, i in conn.execute(statement, rows)}


def write_analyses(conn: Connection, items: list[tuple[int, Analysis, str]]) -> None:
    """Insert the analyses and aspect mentions of freshly stored reviews."""
    if not items:
        return
    conn.execute(schema.analyses.insert(), [analysis_row(i, a, text) for i, a, text in items])
    mentions = [m for i, a, _ in items for m in mention_rows(i, a)]
    if mentions:
        conn.execute(schema.aspect_mentions.insert(), mentions)
    credits = [c for i, a, _ in items for c in credit_rows(i, _credit_view(a))]
    if credits:
        conn.execute(schema.credit_mentions.insert(), credits)


def replace_analysis(conn: Connection, review_id: int, analysis: Analysis) -> None:
    """Swap a review's analysis and aspect mentions for ``analysis``."""
    text = conn.scalar(select(schema.reviews.c.text).where(schema.reviews.c.id == review_id))
    if text is None:
        raise StoreError(f"no review with id {review_id}; nothing to update")
    for table in (schema.analyses, schema.aspect_mentions, schema.credit_mentions):
        conn.execute(delete(table).where(table.c.review_id == review_id))
    write_analyses(conn, [(review_id, analysis, text)])


def _number(value: Any) -> float | None:
    # Model outputs may be numpy scalars, which database drivers refuse.
    return None if value is None else float(value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in an analysis")


def analysis_row(review_id: int, analysis: Analysis, review_text: str) -> dict[str, Any]:
    """The ``analyses`` row: searchable columns plus the full ``to_dict()`` JSON."""
    data = analysis.to_dict()
    if data.get("text") == review_text:
        # Stored once in reviews.text; ``load_analysis`` puts it back.
        del data["text"]
    return {
        "review_id": review_id,
        "model_version": analysis.model_version,
        "score": _number(analysis.score),
        "text_score": _number(analysis.text_score),
        "rating_score": _number(analysis.rating.normalized) if analysis.rating else None,
        "fresh_evidence": _number(analysis.fresh_evidence),
        "fresh": None if analysis.fresh is None else bool(analysis.fresh),
        "confidence": _number(analysis.confidence) or 0.0,
        "band": analysis.band,
        "quote": analysis.quote.text if analysis.quote else None,
        "language": analysis.language,
        "data": json.dumps(data, default=_json_default, ensure_ascii=False),
        "analyzed_at": schema.utcnow(),
    }


def load_analysis(data: str | None, review_text: str) -> dict[str, Any]:
    """The stored ``Analysis.to_dict()``, with the review text restored."""
    if data is None:
        return {}
    loaded: dict[str, Any] = json.loads(data)
    loaded.setdefault("text", review_text)
    return loaded


def mention_rows(review_id: int, analysis: Analysis) -> list[dict[str, Any]]:
    """One ``aspect_mentions`` row per (sentence, aspect); repeats in a sentence keep the first."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for index, sentence in enumerate(analysis.sentences):
        for mention in sentence.aspects:
            rows.setdefault(
                (index, mention.name),
                {
                    "review_id": review_id,
                    "sentence_index": index,
                    "aspect": mention.name,
                    "polarity": float(mention.polarity),
                    "sentence": sentence.text,
                },
            )
    return list(rows.values())


def credit_rows(review_id: int, data: dict[str, Any]) -> list[dict[str, Any]]:
    """One ``credit_mentions`` row per (person, role) an analysis credits (``to_dict()`` form).

    A performer's ``polarity`` is the mean performances polarity of the sentences that
    name them (full name or surname); None when no such sentence judges a performance.
    """
    sentences = data.get("sentences") or []
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for credit in data.get("credits") or []:
        person = " ".join(str(credit.get("person") or "").split())[:200]
        role = str(credit.get("role") or "actor")[:32]
        if not person or (person, role) in rows:
            continue
        polarity = _performance(person, sentences) if role == "actor" else None
        character = credit.get("character")
        rows[(person, role)] = {
            "review_id": review_id,
            "person": person,
            "role": role,
            "character": " ".join(str(character).split())[:200] if character else None,
            "polarity": polarity,
        }
    return list(rows.values())


def _credit_view(analysis: Analysis) -> dict[str, Any]:
    """The part of ``analysis.to_dict()`` that ``credit_rows`` reads, without copying the rest."""
    return {
        "credits": [vars(c) for c in analysis.credits],
        "sentences": [
            {"text": s.text, "aspects": [vars(m) for m in s.aspects]} for s in analysis.sentences
        ],
    }


def _performance(person: str, sentences: list[dict[str, Any]]) -> float | None:
    names = {person, person.split()[-1]}
    named = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    found = [
        float(m["polarity"])
        for s in sentences
        if named.search(str(s.get("text") or ""))
        for m in s.get("aspects") or []
        if m.get("name") == "performances"
    ]
    return round(sum(found) / len(found), 3) if found else None
