"""The audience guards: copies, rating bursts (review bombing) and off-topic reviews are
flagged, left out of the audience's figures and listed apart with the reason; and a
bombing run injected into a real title's IMDb reviews moves its score by under 2 points."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from critica import config
from critica.api import create_app
from critica.figures import audience
from critica.inputs.readers import ReadOptions
from critica.service.ingest import ingest
from critica.service.pages import title_page
from critica.signals import NOT_FILM, SERVICE, distance, fingerprint, off_topic
from critica.store import SQLStore
from critica.store.records import ReviewFacts

LONG = (
    "The film drags through its middle hour, and a subplot about the brother's debts goes "
    "nowhere, but the two leads are wonderful together, the harbour town is shot with real "
    "love, and the final scene in the lighthouse, wordless and patient, is worth every "
    "minute of the wait. I came out of it moved and a little annoyed, which is better than "
    "most films of its kind manage."
)


def fact(i: int, score: float | None = 70.0, when: date | None = None, **kw: object) -> ReviewFacts:
    found = {"date": when, "posted": date(2026, 12, 1), "fingerprint": None, "off_topic": None}
    found.update(kw)
    return ReviewFacts(
        review_id=i, title_id=1, score=score, fresh=None if score is None else score >= 60,
        top_critic=False, weight=1.0, publication=None, critic=None, season=None, quote=None,
        aspects=[], reviewer="audience", **found,  # type: ignore[arg-type]
    )  # fmt: skip


def unguarded_audience(store, title_id, monkeypatch):  # type: ignore[no-untyped-def]
    """The title's audience figures with the guards off (setting audience_guards)."""
    monkeypatch.setenv("CRITICA_AUDIENCE_GUARDS", "false")
    config.settings.cache_clear()
    try:
        return title_page(store, title_id)["audience"]
    finally:
        monkeypatch.delenv("CRITICA_AUDIENCE_GUARDS")
        config.settings.cache_clear()


def test_fingerprints_of_near_copies_are_close_and_of_other_texts_far():
    a = fingerprint(LONG)
    assert a is not None and -(1 << 63) <= a < 1 << 63  # fits a signed BIGINT
    assert fingerprint(LONG.upper().replace(",", " ,")) == a  # case and punctuation aside
    assert distance(a, fingerprint(LONG.replace("wonderful", "great")) or 0) <= audience.NEAR_BITS
    other = "A tense, beautifully shot thriller about a submarine crew losing their nerve."
    assert distance(a, fingerprint(other) or 0) > 12
    assert fingerprint("Great movie, loved it!") is None  # too short to call a copy


def test_copies_keep_the_earliest():
    texts = [
        LONG,
        LONG.replace("wonderful", "great"),
        "Something else entirely said here at length.",
    ]
    facts = [fact(i, fingerprint=fingerprint(t)) for i, t in enumerate([*texts, LONG], 1)]
    flags = audience.copies(facts)
    assert [(f.review_id, f.reason, f.detail) for f in flags] == [
        (2, "copy", "a copy of review 1"),
        (4, "copy", "a copy of review 1"),
        (1, "copy", "posted 3 times (this and 2 copies)"),  # a campaign's: all three go
    ]
    pair = [fact(i, fingerprint=fingerprint(t)) for i, t in enumerate([LONG, LONG], 1)]
    assert [f.review_id for f in audience.copies(pair)] == [2]  # posted twice: the first stays


def test_a_day_of_extreme_ratings_is_a_burst_and_its_moderate_reviews_are_kept():
    start = date(2026, 1, 1)
    ordinary = [fact(i, 40 + 5 * (i % 10), start + timedelta(days=i)) for i in range(60)]
    bomb_day = start + timedelta(days=100)
    bombs = [fact(100 + i, 10.0, bomb_day) for i in range(30)]
    honest = [fact(200 + i, 70.0, bomb_day) for i in range(5)]
    flags = audience.bursts(ordinary + bombs + honest)
    assert sorted(f.review_id for f in flags) == [100 + i for i in range(30)]
    assert flags[0].detail == (
        "one of 30 low ratings on 2026-04-11, 35 reviews against a usual 1 a day"
    )


def test_a_run_too_slow_for_any_day_is_caught_by_the_week():
    start = date(2025, 1, 6)  # a Monday
    ordinary = [fact(i, 40 + 5 * (i % 10), start + timedelta(days=7 * i)) for i in range(60)]
    trickle = [fact(100 + i, 0.0, start + timedelta(days=500 + i // 5)) for i in range(140)]
    flags = audience.bursts(ordinary + trickle)
    assert {f.review_id for f in flags} == {100 + i for i in range(140)}
    assert "in the week of" in flags[0].detail and "a week" in flags[0].detail


def test_a_run_over_several_days_is_caught_and_a_loved_release_day_is_not():
    start = date(2026, 1, 1)
    loved = (100.0, 100.0, 90.0, 80.0)  # three in four rate it 9 or 10 out of 10
    fans = [fact(i, loved[i % 4], start + timedelta(days=i // 3)) for i in range(90)]
    release = [fact(100 + i, 100.0, start) for i in range(12)]  # a busy first day, of fans
    run = [fact(300 + i, 0.0, start + timedelta(days=40 + i // 50)) for i in range(150)]
    flags = audience.bursts(fans + release + run)
    assert {f.review_id for f in flags} == {300 + i for i in range(150)}
    assert audience.bursts(fans + release) == []
    # A loved title's reviews imported in bulk, all stored on one day (a day of raves),
    # then a run of pans: the raves are the ordinary day the pans stand out from.
    bulk = [fact(i, loved[i % 4], None) for i in range(20)]
    assert {f.review_id for f in audience.bursts(bulk + run)} == {300 + i for i in range(150)}
    undated_rush = [fact(i, 10.0, None) for i in range(50)]  # one stored day: no baseline
    assert audience.bursts(undated_rush) == []


def test_off_topic_reviews_are_about_the_delivery_not_the_title():
    parcel = (
        "The seller shipped the wrong region code and the package arrived two weeks late. "
        "Customer service never answered, so I asked for a refund."
    )
    assert off_topic(parcel, 0, 0) == SERVICE
    assert off_topic(LONG, 2, 0) is None
    assert (
        off_topic("Bought the DVD on Amazon; the film itself is a masterpiece of acting.", 1, 1)
        is None
    )
    garden = " ".join(["My garden tomatoes grew well this year despite all the rain we had"] * 2)
    assert off_topic(garden, 0, 0) == NOT_FILM


def test_flagged_reviews_leave_the_figures_and_are_listed(store, tmp_path, monkeypatch):
    from critica.store.records import TitleIn

    title = store.add_title(TitleIn(name="Heat", kind="film", year=1995))
    said = [
        ("A superb heist film with a great cast, Pacino and De Niro at their best.", 9),
        ("Too long by an hour, the story sags, though the downtown shootout is stunning.", 6),
        ("A moody, gorgeous crime drama with a cast at the top of its game.", 8),
        (LONG, 8),
        (LONG.replace("wonderful", "great").upper(), 1),  # pasted again, shouted, one word off
        ("The seller shipped the wrong disc and the package arrived late; customer service "
         "refused a refund.", 1),
    ]  # fmt: skip
    rows = [{"title": "Heat", "text": t, "reviewer": "audience", "rating": f"{r}/10",
             "critic": f"user{i}"} for i, (t, r) in enumerate(said)]  # fmt: skip
    path = tmp_path / "heat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert ingest(store, [path]).added == 6
    page = title_page(store, title.id)["audience"]
    assert page["reviews"] == 4 and page["score_mean"] == 77.5  # 9, 6, 8 and 8 out of 10
    flagged = page["flagged"]
    assert flagged["reviews"] == 2 and flagged["excluded"] is True
    assert flagged["reasons"] == {"copy": 1, "off topic": 1}
    (copy, parcel) = flagged["items"]
    assert copy["detail"].startswith("a copy of review ") and parcel["detail"] == SERVICE
    client = TestClient(create_app(store))
    html = client.get(f"/titles/{title.id}").text
    assert 'id="audience-flagged"' in html and "2 audience reviews flagged" in html
    assert "a copy of review" in html
    api = client.get(f"/api/v1/titles/{title.id}").json()["audience"]
    assert api["flagged"]["reasons"] == {"copy": 1, "off topic": 1}
    assert api["consensus"]["text"]
    unguarded = unguarded_audience(store, title.id, monkeypatch)
    assert unguarded["reviews"] == 6 and unguarded["flagged"]["excluded"] is False


def test_old_audience_reviews_get_their_signals_when_the_store_migrates(tmp_path):
    from sqlalchemy import create_engine, text

    from critica.store.migrations import MIGRATIONS, m009_audience_signals, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = SQLStore(url)
    ingest_path = tmp_path / "a.jsonl"
    ingest_path.write_text(
        json.dumps({"title": "Heat", "text": LONG, "reviewer": "audience"}) + "\n"
    )
    assert ingest(store, [ingest_path]).added == 1
    store.close()
    engine = create_engine(url)
    later = [m.__name__ for m in MIGRATIONS][MIGRATIONS.index(m009_audience_signals) :]
    with engine.begin() as conn:  # as a store from before m009 left it
        conn.execute(text("UPDATE reviews SET fingerprint = NULL"))
        conn.execute(text("UPDATE analyses SET off_topic = 'stale'"))
        for name in later:
            conn.execute(text("DELETE FROM migrations WHERE name = :n"), {"n": name})
    assert migrate(engine) == later
    with engine.connect() as conn:
        assert conn.execute(text("SELECT fingerprint FROM reviews")).scalar() == fingerprint(LONG)
        assert conn.execute(text("SELECT off_topic FROM analyses")).scalar() is None
    engine.dispose()


# The bombing test: a real title's IMDb user reviews, then a run of extreme ratings.

BOMB_TEXTS = [
    "Worst movie ever made. Total garbage.",
    "Woke propaganda, avoid at all costs!!!",
    "Boring. Terrible. One star is too many.",
    "Don't waste your money on this trash.",
    "Zero stars if I could. Awful.",
    "Absolute rubbish from start to finish, the worst thing I have ever had to sit through",
]


def _imdb_title(datasets: Path, least: int = 25) -> tuple[str, list[dict[str, object]]]:
    with gzip.open(datasets / "imdb" / "train.jsonl.gz", "rt") as lines:
        rows = [json.loads(line) for line in lines]
    counts = Counter(str(r["title_id"]) for r in rows)
    # A title with many reviews, mostly positive: a bombing run has somewhere to pull it from.
    chosen = sorted(
        (t for t, n in counts.items() if n >= least),
        key=lambda t: (-sum(1 for r in rows if r["title_id"] == t and r["label"] == 1), t),
    )[0]
    return chosen, [r for r in rows if r["title_id"] == chosen]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_bombing_run_moves_a_real_titles_audience_score_by_under_two_points(
    store, datasets, tmp_path, monkeypatch
):
    tt, real = _imdb_title(datasets)
    path = tmp_path / "real.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in real))
    options = ReadOptions(defaults={"reviewer": "audience"}, rating_scale=10)
    assert ingest(store, [path], options).added == len(real)
    title = store.get_title_by_external_id(tt)
    before = title_page(store, title.id)["audience"]
    assert before["flagged"]["reviews"] == 0  # real reviews: nothing flagged

    run_start = date.today() - timedelta(days=10)
    bombs = [
        {
            "title_id": tt,
            "reviewer": "audience",
            "critic": f"user{i}",
            "rating": "1" if i % 4 else "2",
            "date": (run_start + timedelta(days=i // 80)).isoformat(),  # 240 over 3 days
            "text": f"{BOMB_TEXTS[i % len(BOMB_TEXTS)]} #{i // len(BOMB_TEXTS)}",
        }
        for i in range(240)
    ]
    path = tmp_path / "bombs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in bombs))
    assert ingest(store, [path], options).added == 240
    after = title_page(store, title.id)["audience"]
    for figure in ("percent_positive", "score_mean"):
        assert abs(after[figure] - before[figure]) < 2, (figure, before[figure], after[figure])
    assert after["flagged"]["reviews"] >= 240 and after["reviews"] == before["reviews"]

    unguarded = unguarded_audience(store, title.id, monkeypatch)  # the run would sink it
    assert before["percent_positive"] - unguarded["percent_positive"] > 40
