"""Calibration from a real store (SQLite and PostgreSQL): history, migration, pages, API, CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, text
from typer.testing import CliRunner

from critica import config
from critica.api import create_app
from critica.cli.commands import app as cli
from critica.figures import calibration
from critica.service import pages
from critica.store import SQLStore
from critica.store.migrations import migrate
from critica.store.records import ReviewIn, TitleIn
from critica.store.schema import migrations
from tests.store.conftest import make_analysis

HISTORY = 12  # films every outlet rated; the default minimum history is 10
# publication: (critic, points its ratings sit above the others, its text score minus rating)
OUTLETS = {
    "Kind Weekly": ("Kim", 10.0, 0.0),
    "Plain Post": ("Pat", 0.0, -5.0),
    "Fair Daily": ("Fay", 0.0, 0.0),
}


def review(
    store: SQLStore, title_id: int, pub: str, score: float, rating: float | None = None, **kw: Any
) -> None:
    critic = kw.pop("critic", OUTLETS.get(pub, (pub,))[0])
    body = f"{critic} on film {title_id}: it is what it is."
    analysis = make_analysis(body, score=score, rating=rating, **kw)
    store.add_review(ReviewIn(title_id, body, critic=critic, publication=pub), analysis)


@pytest.fixture
def target(store: SQLStore) -> int:
    """12 rated films (Kind Weekly +10 on each; Pat's text reads 5 low), then a target film."""
    for t in range(HISTORY):
        film = store.add_title(TitleIn(f"History {t}", year=2000 + t)).id
        for pub, (_, lean, text_gap) in OUTLETS.items():
            rating = 40 + 3 * t + lean
            review(store, film, pub, rating, rating, text_score=40 + 3 * t + text_gap)
    film = store.add_title(TitleIn("Target", year=2024)).id
    review(store, film, "Kind Weekly", 90.0, 90.0, text_score=80.0)
    review(store, film, "Plain Post", 60.0)  # no rating: Pat's calibrated score applies
    review(store, film, "New Gazette", 50.0, critic="Newbie")  # no history: unchanged
    return film


def test_history_carries_rating_and_text_score(store: SQLStore, target: int) -> None:
    history = store.rating_history()
    assert len(history) == 3 * HISTORY + 1
    kim = [r for r in history if r.title_id == target]
    assert [(r.critic, r.publication, r.rating, r.text_score) for r in kim] == [
        ("Kim", "Kind Weekly", 90.0, 80.0)
    ]
    facts = {f.critic: f for f in store.review_facts(target)}
    assert (facts["Pat"].rating_score, facts["Pat"].text_score) == (None, 60.0)


def test_migration_backfills_rating_score(store: SQLStore, target: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE analyses DROP COLUMN rating_score"))
        conn.execute(delete(migrations).where(migrations.c.name == "m003_rating_score"))
    assert migrate(store.engine) == ["m003_rating_score"]
    assert sorted(r.rating for r in store.rating_history() if r.title_id == target) == [90.0]
    assert len(store.rating_history()) == 3 * HISTORY + 1


def test_fit_on_the_store(store: SQLStore, target: int) -> None:
    fitted = calibration.for_store(store)
    kind = fitted.publications["Kind Weekly"]
    assert (kind.shared_titles, kind.leniency) == (HISTORY, pytest.approx(10 * 12 / 22))
    assert fitted.critics["Pat"].leniency == pytest.approx(-5 * 12 / 22)
    pat = fitted.critics["Pat"].score_map
    assert pat is not None and pat(60.0) == pytest.approx(65.0, abs=1.5)  # Pat's text reads low
    assert "Newbie" not in fitted.critics
    assert calibration.for_store(store) is fitted  # cached while the history is unchanged
    review(store, target, "Fair Daily", 70.0, 70.0)
    assert calibration.for_store(store) is not fitted


def test_title_page_calibrated_and_default(
    store: SQLStore, target: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = pages.title_page(store, target)
    assert plain["score_weighted"] == pytest.approx(66.7) and "calibration" not in plain
    assert pages.title_page(store, target, calibrated=False) == plain
    fitted = calibration.for_store(store)
    adjusted = [fitted.adjusted(f) or 0.0 for f in store.review_facts(target)]
    got = pages.title_page(store, target, calibrated=True)
    assert got["score_weighted"] == round(sum(adjusted) / 3, 1)
    # Kim 90 - 5.5 = 84.5, Pat 60 -> about 65 + 2.7, Newbie 50 as it was.
    assert got["score_weighted"] == pytest.approx(67.4, abs=0.6)
    assert got["calibration"]["adjusted_reviews"] == 2
    assert got["calibration"]["score_weighted_raw"] == plain["score_weighted"]
    assert got["percent_positive"] == plain["percent_positive"]
    monkeypatch.setenv("CRITICA_CALIBRATED_SCORES", "true")
    config.settings.cache_clear()
    try:
        assert pages.title_page(store, target)["score_weighted"] == got["score_weighted"]
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()


def test_home_lists_follow_the_calibration_setting(store: SQLStore, target: int) -> None:
    def row(page: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in page["recent"] if r["id"] == target)

    plain = row(pages.home_page(store))
    calibrated = row(pages.home_page(store, calibrated=True))
    assert plain["score_weighted"] == pages.title_page(store, target)["score_weighted"]
    title = pages.title_page(store, target, calibrated=True)
    assert calibrated["score_weighted"] == title["score_weighted"] != plain["score_weighted"]
    assert calibrated["percent_positive"] == plain["percent_positive"]


def test_api_exposes_calibration(store: SQLStore, target: int) -> None:
    client = TestClient(create_app(store))
    default = client.get(f"/api/v1/titles/{target}").json()
    calibrated = client.get(f"/api/v1/titles/{target}", params={"calibrated": "true"}).json()
    assert "calibration" not in default and calibrated["calibration"]["adjusted_reviews"] == 2
    assert calibrated["score_weighted"] != default["score_weighted"]
    pubs = client.get("/api/v1/publications", params={"calibration": "true"}).json()["items"]
    by_name = {p["name"]: p["calibration"] for p in pubs}
    assert by_name["Kind Weekly"]["leniency"] == pytest.approx(5.45)
    assert by_name["New Gazette"] is None  # no rated review: nothing fitted
    assert "calibration" not in client.get("/api/v1/publications").json()["items"][0]
    critics = client.get("/api/v1/critics", params={"calibration": "true"}).json()["items"]
    by_name = {c["name"]: c["calibration"] for c in critics}
    assert by_name["Kim"]["rated_reviews"] == HISTORY + 1 and by_name["Newbie"] is None
    fit = client.get("/api/v1/calibration", params={"critic": "Pat"}).json()
    assert [c["name"] for c in fit["critics"]] == ["Pat"] and fit["publications"] == []
    assert fit["min_history"] == 10 and fit["prior_strength"] == 10.0


def test_cli_shows_calibration(store: SQLStore, store_url: str, target: int) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["calibration", "--db", store_url])
    assert shown.exit_code == 0, shown.output
    assert "Kind Weekly" in shown.output and "+5.5" in shown.output
    fit = json.loads(runner.invoke(cli, ["calibration", "--db", store_url, "--json"]).output)
    assert fit["critics"][0]["name"] == "Kim"  # most history first
    title = runner.invoke(cli, ["title", "Target", "--db", store_url, "--calibrated", "--json"])
    assert json.loads(title.output)["calibration"]["adjusted_reviews"] == 2
    plain = runner.invoke(cli, ["title", "Target", "--db", store_url, "--json"])
    assert "calibration" not in json.loads(plain.output)


def test_nonsense_setting_stops_the_api(store: SQLStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRITICA_CALIBRATION_MIN_HISTORY", "0")
    config.settings.cache_clear()
    try:
        with pytest.raises(config.ConfigError, match="CRITICA_CALIBRATION_MIN_HISTORY"):
            create_app(store)
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()
