"""The text's fresh evidence in a real store (SQLite, PostgreSQL): stored, read, migrated, used."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, text
from typer.testing import CliRunner

from critica.cli.commands import app as cli
from critica.figures.aggregate import estimated_share
from critica.service import pages
from critica.store import SQLStore
from critica.store.migrations import migrate
from critica.store.records import ReviewIn, TitleIn
from critica.store.schema import migrations
from tests.store.conftest import make_analysis

# (fresh call, evidence, explicit rating)
REVIEWS = [(True, 0.6, None)] * 5 + [(False, -1.5, None)] * 2 + [(True, -2.0, 80.0)]


@pytest.fixture
def film(store: SQLStore) -> int:
    title = store.add_title(TitleIn("Evidence", year=2024)).id
    for i, (fresh, evidence, rating) in enumerate(REVIEWS):
        body = f"Review {i} of the film. It is what it is."
        analysis = make_analysis(
            body, score=75.0 if fresh else 35.0, fresh=fresh, rating=rating, evidence=evidence
        )
        store.add_review(ReviewIn(title, body, critic=f"Critic {i}"), analysis)
    return title


def test_evidence_reaches_the_facts(store: SQLStore, film: int) -> None:
    facts = store.review_facts(film)
    assert [f.fresh_evidence for f in facts] == [e for _, e, _ in REVIEWS]
    assert [f.rating_score for f in facts] == [r for _, _, r in REVIEWS]


def test_title_page_gives_counted_and_estimated(store: SQLStore, film: int) -> None:
    page = pages.title_page(store, film)
    assert page["percent_positive"] == round(100 * 6 / 8, 1)
    # The rated review is known fresh; the prior leans as the counted share.
    expected = estimated_share(1, 0, [0.6] * 5 + [-1.5] * 2, lean=6 / 8)
    assert page["percent_positive_estimated"] == round(100 * expected, 1)


def test_migration_backfills_evidence(store: SQLStore, film: int) -> None:
    before = pages.title_page(store, film)["percent_positive_estimated"]
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE analyses DROP COLUMN fresh_evidence"))
        conn.execute(delete(migrations).where(migrations.c.name == "m004_fresh_evidence"))
    assert migrate(store.engine) == ["m004_fresh_evidence"]
    assert [f.fresh_evidence for f in store.review_facts(film)] == [e for _, e, _ in REVIEWS]
    assert pages.title_page(store, film)["percent_positive_estimated"] == before


def test_analyses_without_evidence_count_as_called(store: SQLStore) -> None:
    title = store.add_title(TitleIn("Older", year=2020)).id
    for i in range(6):
        body = f"An older review {i}. Stored before there was evidence."
        store.add_review(
            ReviewIn(title, body, critic=f"Old {i}"),
            make_analysis(body, fresh=i < 4, evidence=None),
        )
    page = pages.title_page(store, title)
    assert page["percent_positive"] == round(100 * 4 / 6, 1)
    assert page["percent_positive_estimated"] == page["percent_positive"]  # all known: the count


def test_cli_title_shows_the_estimate(store: SQLStore, store_url: str, film: int) -> None:
    page = pages.title_page(store, film)
    shown = CliRunner().invoke(cli, ["title", "Evidence", "--db", store_url])
    assert shown.exit_code == 0, shown.output
    assert f"{page['percent_positive_estimated']:.0f}% of critics positive" in shown.output
    data = json.loads(
        CliRunner().invoke(cli, ["title", "Evidence", "--db", store_url, "--json"]).output
    )
    assert data["percent_positive_estimated"] == page["percent_positive_estimated"]
