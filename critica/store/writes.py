"""Writing reviews and analyses: idempotency hashes, get-or-create, analysis rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from critica.analysis import Analysis
from critica.errors import StoreError
from critica.signals import fingerprint, off_topic
from critica.store import schema
from critica.store.identity import identity_name, review_key
from critica.store.records import ReviewIn

# Keeps IN (...) lists well under SQLite's bound-parameter limit.
CHUNK = 500


def clean_name(name: str | None) -> str | None:
    """A critic or publication name with whitespace collapsed; None when blank."""
    collapsed = " ".join((name or "").split())
    return collapsed or None


def content_hash(title_id: int, critic: str | None, publication: str | None, text: str) -> str:
    """The idempotency key of a review without a source id (``identity.review_key``)."""
    return review_key(title_id, critic, publication, text)


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


@dataclass
class Stored:
    """What storing one incoming review did: ``created``, ``updated`` (a stored review
    changed: its text under the same source id, or its rating, date, address, flag),
    ``unchanged`` (an exact copy) or ``conflict`` (refused; ``reason`` says why)."""

    id: int | None
    status: str
    reason: str = ""


_STORED_FIELDS = (
    "id", "title_id", "critic", "publication", "external_id", "content_hash", "text",
    "rating", "date", "url", "top_critic",
)  # fmt: skip


def _stored(conn: Connection, where: Any) -> list[Any]:
    r = schema.reviews.c
    query = (
        select(r.id, r.title_id, schema.critics.c.name.label("critic"))
        .add_columns(schema.publications.c.name.label("publication"), r.external_id)
        .add_columns(r.content_hash, r.text, r.rating, r.date, r.url, r.top_critic)
        .select_from(schema.reviews.outerjoin(schema.critics).outerjoin(schema.publications))
        .where(where)
    )
    return list(conn.execute(query))


def _existing(
    conn: Connection, keys: list[str], ids: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Stored reviews by identity key and by source id."""
    r = schema.reviews.c
    by_key: dict[str, Any] = {}
    by_id: dict[str, Any] = {}
    for part in chunks(sorted(set(keys))):
        by_key.update({row.content_hash: row for row in _stored(conn, r.content_hash.in_(part))})
    for part in chunks(sorted(set(ids))):
        by_id.update({row.external_id: row for row in _stored(conn, r.external_id.in_(part))})
    return by_key, by_id


def _changes(row: Any, review: ReviewIn, key: str) -> dict[str, Any]:
    """What an incoming copy changes in a stored review (given values only)."""
    found: dict[str, Any] = {}
    if review.text != row.text or key != row.content_hash:
        found |= {"text": review.text, "content_hash": key, "fingerprint": fingerprint(review.text)}
    for name in ("rating", "date", "url", "top_critic"):
        value = getattr(review, name)
        if value is not None and value != getattr(row, name):
            found[name] = value
    if review.external_id and row.external_id is None:
        found["external_id"] = review.external_id
    publication = clean_name(review.publication)
    if publication and identity_name(publication) != identity_name(row.publication):
        found["publication"] = publication
    return found


def store_reviews(conn: Connection, items: Sequence[tuple[ReviewIn, Analysis]]) -> list[Stored]:
    """Store reviews with their analyses, each once (see ``critica.store.identity``): a
    new review is created, a changed one updated (analysis replaced), an exact copy left
    alone; a source id already naming another title's or critic's review is refused.
    Copies of one review within a batch apply in order, as if sent one after another."""
    if not items:
        return []
    check_titles(conn, {review.title_id for review, _ in items})
    keys = [
        content_hash(r.title_id, clean_name(r.critic), clean_name(r.publication), r.text)
        for r, _ in items
    ]
    results: dict[int, Stored] = {}
    pending = list(range(len(items)))
    while pending:  # each pass stores the first copy of each review; later copies wait
        seen: set[str] = set()
        now: list[int] = []
        later: list[int] = []
        for i in pending:
            review = items[i][0]
            identity = "id:" + review.external_id if review.external_id else "key:" + keys[i]
            (later if identity in seen else now).append(i)
            seen.add(identity)
        deferred = _store_pass(conn, items, keys, now, results)
        pending = sorted(later + deferred)
    return [results[i] for i in range(len(items))]


def _store_pass(
    conn: Connection,
    items: Sequence[tuple[ReviewIn, Analysis]],
    keys: list[str],
    chosen: list[int],
    results: dict[int, Stored],
) -> list[int]:
    """Store ``chosen`` (one copy per review); the indices to retry in the next pass."""
    by_key, by_id = _existing(
        conn, [keys[i] for i in chosen], [e for i in chosen if (e := items[i][0].external_id)]
    )
    creating: dict[str, int] = {}  # key -> index of the item to create
    deferred = []
    for i in chosen:
        review, key = items[i][0], keys[i]
        row = by_id.get(review.external_id) if review.external_id else None
        if row is not None and (
            row.title_id != review.title_id
            or identity_name(row.critic) != identity_name(clean_name(review.critic))
        ):
            results[i] = Stored(None, "conflict", (
                f"id {review.external_id!r} already names another review (review {row.id}: "
                f"title {row.title_id}, critic {row.critic or 'none'}); give each review "
                "its own id"
            ))  # fmt: skip
            continue
        same_text = by_key.get(key)
        if row is None and same_text is not None:
            # Stored already, under another id or none: the same review from another
            # source (or a re-scrape that numbered it anew) is a copy, not a second review.
            changes = _changes(same_text, review, key)
            if changes:
                update_review(conn, same_text.id, changes, items[i][1])
            results[i] = Stored(same_text.id, "updated" if changes else "unchanged")
            continue
        if row is not None and same_text is not None and same_text.id != row.id:
            results[i] = Stored(None, "conflict", (
                f"id {review.external_id!r} names review {row.id}, but this text is stored "
                f"as review {same_text.id}; one of the two ids is wrong"
            ))  # fmt: skip
            continue
        target = row if row is not None else same_text
        if target is None:
            if key not in creating:
                creating[key] = i
            else:
                deferred.append(i)  # the same review again (another id or none): after it
            continue
        changes = _changes(target, review, key)
        if changes:
            update_review(conn, target.id, changes, items[i][1])
            results[i] = Stored(target.id, "updated")
        else:
            results[i] = Stored(target.id, "unchanged")
    created = insert_reviews(conn, new_rows(conn, items, creating))
    write_analyses(
        conn,
        [(created[k], items[i][1], items[i][0].text) for k, i in creating.items() if k in created],
    )
    raced = existing_hashes(conn, set(creating) - set(created))  # a concurrent writer's
    for key, i in creating.items():
        if key in created:
            results[i] = Stored(created[key], "created")
        elif key in raced:
            results[i] = Stored(raced[key], "unchanged")
        else:
            results[i] = Stored(None, "conflict", "stored concurrently under another id; retry")
    return deferred


def update_review(
    conn: Connection, review_id: int, changes: dict[str, Any], analysis: Analysis
) -> None:
    """Apply ``changes`` to a stored review and replace its analysis with ``analysis``."""
    values = dict(changes)
    if "publication" in values:
        name = values.pop("publication")
        values["publication_id"] = get_or_create(conn, schema.publications, {name})[name].id
    reviews = schema.reviews
    conn.execute(update(reviews).where(reviews.c.id == review_id).values(**values))
    for table in (schema.analyses, schema.aspect_mentions, schema.credit_mentions):
        conn.execute(delete(table).where(table.c.review_id == review_id))
    text = conn.scalar(select(reviews.c.text).where(reviews.c.id == review_id))
    write_analyses(conn, [(review_id, analysis, str(text))])


def add_reviews(
    conn: Connection, items: Sequence[tuple[ReviewIn, Analysis]]
) -> list[tuple[int, bool]]:
    """``store_reviews`` as ``(id, created)`` pairs; a refused review raises ``StoreError``."""
    out = []
    for stored in store_reviews(conn, items):
        if stored.id is None:
            raise StoreError(f"review not stored: {stored.reason}")
        out.append((stored.id, stored.status == "created"))
    return out


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
        "external_id": review.external_id,
        "source": review.source,
        "reviewer": review.reviewer,
        "created_at": schema.utcnow(),
        "fingerprint": fingerprint(review.text),
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
        "off_topic": off_topic(
            analysis.text or review_text,
            sum(len(s.aspects) for s in analysis.sentences),
            len(analysis.credits),
        ),
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
