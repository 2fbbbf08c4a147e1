"""A title's cast and crew from the people its reviews credit (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from critica.document import Credit
from critica.service import pages
from critica.store import SQLStore
from critica.store.migrations import migrate
from critica.store.records import ReviewIn, TitleIn
from critica.store.schema import credit_mentions, migrations
from critica.store.writes import credit_rows
from tests.store.conftest import make_analysis

KING = Credit("Regina King", "actor", "Latrice Butler", 0, 11)
KNAPP = Credit("Beau Knapp", "actor", "Peter Jablonski", 0, 10)
SUD = Credit("Veena Sud", "creator")


def _review(store: SQLStore, title_id: int, critic: str, text: str, credits, aspects) -> int:
    analysis = make_analysis(text, aspects=aspects)
    analysis.credits = credits
    review_id, _ = store.add_review(ReviewIn(title_id=title_id, text=text, critic=critic), analysis)
    return review_id


@pytest.fixture
def title(store: SQLStore) -> int:
    t = store.add_title(TitleIn(name="Seven Seconds", kind="series")).id
    _review(store, t, "Ann", "Regina King is superb. The plot drags.", [KING, SUD],
            {0: [("performances", 0.9)], 1: [("pacing", -0.8)]})  # fmt: skip
    _review(store, t, "Bo", "King gives a searing performance. Knapp is wooden.", [KING, KNAPP],
            {0: [("performances", 0.8)], 1: [("performances", -0.7)]})  # fmt: skip
    _review(store, t, "Cy", "With Regina King and Beau Knapp. A slog.", [KING, KNAPP],
            {1: [("overall", -0.9)]})  # fmt: skip
    return t


def test_credits_count_reviews_and_judged_performances(store: SQLStore, title: int) -> None:
    found = {c["person"]: c for c in store.title_credits(title)}
    assert [c["person"] for c in store.title_credits(title)][:1] == ["Regina King"]
    king, knapp, sud = found["Regina King"], found["Beau Knapp"], found["Veena Sud"]
    assert (king["reviews"], king["praised"], king["faulted"]) == (3, 2, 0)
    assert king["character"] == "Latrice Butler"
    assert king["polarity"] == pytest.approx(0.85)  # the third names her in no judged sentence
    assert (knapp["reviews"], knapp["praised"], knapp["faulted"]) == (2, 0, 1)
    assert (sud["role"], sud["reviews"], sud["polarity"]) == ("creator", 1, None)


def test_the_title_page_lists_cast_and_crew(store: SQLStore, title: int) -> None:
    people = pages.title_page(store, title)["people"]
    assert [p["person"] for p in people["cast"]] == ["Regina King", "Beau Knapp"]
    assert [p["singled_out"] for p in people["cast"]] == [True, True]  # under 10 reviews: one
    assert [(p["person"], p["role"]) for p in people["crew"]] == [("Veena Sud", "creator")]


def test_reanalysis_replaces_a_reviews_credits(store: SQLStore, title: int) -> None:
    review_id = store.reviews_for_title(title, limit=10)[0][0].id  # newest: Cy's
    again = make_analysis("With Regina King and Beau Knapp. A slog.")
    store.update_analysis(review_id, again)  # no credits found this time
    found = {c["person"]: c["reviews"] for c in store.title_credits(title)}
    assert found == {"Regina King": 2, "Beau Knapp": 1, "Veena Sud": 1}
    assert store.integrity_check() == []


def test_migration_fills_credits_from_stored_analyses(store: SQLStore, title: int) -> None:
    before = store.title_credits(title)
    with store.engine.begin() as conn:
        conn.execute(delete(credit_mentions))
        conn.execute(delete(migrations).where(migrations.c.name == "m005_credit_mentions"))
    assert store.title_credits(title) == []
    assert migrate(store.engine) == ["m005_credit_mentions"]
    assert store.title_credits(title) == before
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(credit_mentions)) == 6


def test_credit_rows_skip_blank_and_repeated_people() -> None:
    data = {
        "credits": [
            {"person": "  Regina   King ", "role": "actor", "character": None},
            {"person": "Regina King", "role": "actor", "character": "Latrice"},
            {"person": "", "role": "actor"},
            {"person": "Regina King", "role": "producer"},
        ],
        "sentences": [
            {"text": "King is great.", "aspects": [{"name": "performances", "polarity": 1}]}
        ],
    }
    rows = credit_rows(5, data)
    assert [(r["person"], r["role"], r["polarity"]) for r in rows] == [
        ("Regina King", "actor", 1.0),
        ("Regina King", "producer", None),
    ]


def test_the_title_page_shows_who_is_singled_out(store: SQLStore, title: int) -> None:
    from fastapi.testclient import TestClient

    from critica.api.app import create_app

    with TestClient(create_app(store)) as client:
        page = client.get(f"/titles/{title}").text
        people = client.get(f"/api/v1/titles/{title}").json()["people"]
    assert "Cast and crew" in page and "Regina King</span>" in page
    assert "as Latrice Butler" in page and "Singled out: praised 2, faulted 0" in page
    assert people["crew"] == [
        {"person": "Veena Sud", "role": "creator", "character": None, "reviews": 1,
         "praised": 0, "faulted": 0, "polarity": None, "singled_out": False}
    ]  # fmt: skip
