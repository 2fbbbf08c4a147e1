"""A review's identity: its source id when given, else title + critic + publication +
normalised text; a changed copy updates it, an exact copy changes nothing (both stores)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from critica.service.ingest import ingest
from critica.store import SQLStore
from critica.store.identity import identity_name, identity_text, review_key
from critica.store.migrations import migrate
from critica.store.records import ReviewIn, TitleIn
from critica.store.schema import migrations, reviews
from tests.store.conftest import make_analysis

GOOD = "The acting is superb. The plot never drags."
BAD = "A dull, joyless slog. Even the score is forgettable."


@pytest.fixture
def film(store: SQLStore) -> int:
    return store.add_title(TitleIn("Heat")).id


def put(store: SQLStore, film: int, text: str, score: float = 80.0, **fields):  # type: ignore[no-untyped-def]
    review = ReviewIn(film, text, **{"critic": "Anna Vale", **fields})
    return store.store_reviews([(review, make_analysis(text, score=score))])[0]


def count(store: SQLStore) -> int:
    return store.count_reviews()


def test_the_same_source_id_with_new_text_updates_the_review(store: SQLStore, film: int) -> None:
    first = put(store, film, GOOD, 80.0, external_id="rt-1")
    again = put(store, film, BAD, 20.0, external_id="rt-1")
    assert (first.status, again.status, again.id) == ("created", "updated", first.id)
    assert count(store) == 1
    stored = store.get_review(first.id)
    assert stored is not None and stored.text == BAD and stored.score == 20.0
    assert [f.score for f in store.review_facts(film)] == [20.0]  # one critic, counted once
    assert store.integrity_check() == []


def test_a_rating_added_to_the_same_text_is_an_update(store: SQLStore, film: int) -> None:
    first = put(store, film, GOOD)
    rated = put(store, film, GOOD, 90.0, rating="4/4")
    assert rated.status == "updated" and rated.id == first.id and count(store) == 1
    stored = store.get_review(first.id)
    assert stored is not None and stored.rating == "4/4" and stored.score == 90.0
    assert put(store, film, GOOD, 90.0, rating="4/4").status == "unchanged"


@pytest.mark.parametrize(
    "fields",
    [
        {"critic": "\u0410nna Vale"},  # a Cyrillic А
        {"critic": "ANNA  VALE"},
        {"critic": "Ａｎｎａ Vale"},  # full-width
        {"text": GOOD + "\u200b"},  # a trailing zero-width space
        {"text": "\ufeff" + GOOD.replace(" ", "\u00a0", 2)},  # BOM, no-break spaces
    ],
)
def test_lookalike_copies_are_the_same_review(store: SQLStore, film: int, fields) -> None:  # type: ignore[no-untyped-def]
    first = put(store, film, GOOD)
    copy = put(store, film, fields.pop("text", GOOD), **fields)
    assert copy.id == first.id and copy.status in ("unchanged", "updated")
    assert count(store) == 1


def test_a_source_id_naming_another_critics_review_is_refused(store: SQLStore, film: int) -> None:
    first = put(store, film, GOOD, external_id="rt-1")
    other = put(store, film, BAD, critic="Someone Else", external_id="rt-1")
    assert other.id is None and other.status == "conflict"
    assert "already names another review" in other.reason and "give each review" in other.reason
    stored = store.get_review(first.id)
    assert stored is not None and stored.text == GOOD and count(store) == 1  # nothing lost


def test_copies_within_one_batch_apply_in_order(store: SQLStore, film: int) -> None:
    items = [
        (ReviewIn(film, text, critic="Anna Vale", external_id="rt-9"), make_analysis(text, score=s))
        for text, s in [(GOOD, 80.0), (BAD, 20.0), (BAD, 20.0)]
    ]
    results = store.store_reviews(items)
    assert [r.status for r in results] == ["created", "updated", "unchanged"]
    assert len({r.id for r in results}) == 1 and count(store) == 1
    stored = store.get_review(results[0].id)  # type: ignore[arg-type]
    assert stored is not None and stored.text == BAD


def test_a_copy_without_its_id_is_the_same_review(store: SQLStore, film: int) -> None:
    items = [
        (ReviewIn(film, GOOD, critic="Anna Vale", external_id="rt-2"), make_analysis(GOOD)),
        (ReviewIn(film, GOOD, critic="Anna Vale"), make_analysis(GOOD)),
    ]
    first, copy = store.store_reviews(items)
    assert (first.status, copy.status, copy.id) == ("created", "unchanged", first.id)


def test_the_migration_rekeys_and_keeps_both_of_a_colliding_pair(
    store: SQLStore, film: int
) -> None:
    """Two stored reviews that the new key calls one (as the old keys let "Anna" and a
    Cyrillic "Аnna" coexist; planted here directly) are both kept after the re-key, and a
    later copy is then recognised as a duplicate."""
    one = put(store, film, GOOD).id
    two = put(store, film, BAD).id
    with store.engine.begin() as conn:  # plant the pair as the old keys let it exist
        conn.execute(
            update(reviews).where(reviews.c.id == two).values(text=GOOD, content_hash="x" * 64)
        )
        conn.execute(delete(migrations).where(migrations.c.name == "m006_review_identity"))
    assert migrate(store.engine) == ["m006_review_identity"]
    with store.engine.connect() as conn:
        hashes = dict(conn.execute(select(reviews.c.id, reviews.c.content_hash)).all())
        assert conn.scalar(select(func.count()).select_from(reviews)) == 2
    assert hashes[one] == review_key(film, "Anna Vale", None, GOOD) and hashes[two] != hashes[one]
    assert put(store, film, GOOD).status == "unchanged"
    assert store.integrity_check() == []


def test_ingest_counts_updates_and_reports_conflicts(store: SQLStore, tmp_path: Path) -> None:
    rows = [
        {"id": 7, "title": "Heat", "critic": "Anna Vale", "text": GOOD},
        {"id": 7, "title": "Heat", "critic": "Anna Vale", "text": BAD},
        {"id": 8, "title": "Heat", "critic": "Bo Lin", "text": GOOD, "rating": "3/4"},
        {"id": 8, "title": "Heat", "critic": "Cy Park", "text": BAD},
        {"title": "Heat", "critic": "Bo Lin", "text": GOOD},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    summary = ingest(store, [path])
    assert (summary.added, summary.updated, summary.duplicates) == (2, 1, 1)
    assert [r.source.rsplit(":", 1)[1] for r in summary.rejected] == ["4"]
    assert "already names another review" in summary.rejected[0].reason
    assert count(store) == 2


def test_identity_normalisation() -> None:
    assert identity_name("\u0410NNA\u200b  Vale") == identity_name("anna vale") == "anna vale"
    assert identity_text("Ｇreat\u00a0film.\u200d") == "great film."
    assert identity_name("José") != identity_name("Jose")  # accents are part of a name


def test_the_same_text_under_another_id_is_a_copy(store: SQLStore, film: int) -> None:
    """A re-scrape that numbered the review anew, or another source's copy: one review."""
    first = put(store, film, GOOD, external_id="site-a-1")
    copy = put(store, film, GOOD, external_id="site-b-77")
    assert (copy.status, copy.id) == ("unchanged", first.id) and count(store) == 1
    items = [
        (ReviewIn(film, BAD, critic="Anna Vale", external_id=f"x-{n}"), make_analysis(BAD))
        for n in range(3)
    ]
    assert [r.status for r in store.store_reviews(items)] == ["created", "unchanged", "unchanged"]
    assert count(store) == 2


def test_a_batch_position_is_not_a_source_id(store: SQLStore, tmp_path: Path) -> None:
    rows = [
        {"id": "reviews.jsonl:3", "title": "Heat", "critic": "Anna Vale", "text": GOOD},
        {"id": "reviews.jsonl:3", "title": "Heat", "critic": "Bo Lin", "text": BAD},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    summary = ingest(store, [path])
    assert (summary.added, len(summary.rejected)) == (2, 0)
