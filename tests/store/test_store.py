"""The store contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from critica import config
from critica.errors import StoreError
from critica.store import SQLStore, open_store
from critica.store.migrations import MIGRATIONS, applied, migrate
from critica.store.records import ReviewIn, Title, TitleIn
from critica.store.schema import analyses, aspect_mentions, reviews, tokens
from tests.store.conftest import make_analysis

GOOD = "The acting is superb. The plot drags in the middle."
BAD = "A dull, joyless slog. Even the score is forgettable."


def add(store: SQLStore, title_id: int, body: str = GOOD, **fields: Any) -> tuple[int, bool]:
    aspects = fields.pop("aspects", {0: [("acting", 0.8)], 1: [("plot", -0.5)]})
    score, fresh = fields.pop("score", 80.0), fields.pop("fresh", True)
    analysis = make_analysis(body, score=score, fresh=fresh, aspects=aspects)
    return store.add_review(ReviewIn(title_id, body, **fields), analysis)


@pytest.fixture
def series(store: SQLStore) -> tuple[Title, Title, Title]:
    """A series with seasons 1 and 2."""
    show = store.add_title(TitleIn("Seven Seconds", "series", 2018, "Netflix"))
    one = store.add_title(TitleIn("Seven Seconds", "season", 2018, parent_id=show.id, season=1))
    two = store.add_title(TitleIn("Seven Seconds", "season", 2019, parent_id=show.id, season=2))
    return show, one, two


def test_migrations_run_once(store: SQLStore, store_url: str) -> None:
    assert migrate(store.engine) == []
    SQLStore(store_url).close()  # reopening is a no-op too
    with store.engine.connect() as conn:
        assert applied(conn) == {m.__name__ for m in MIGRATIONS}


def test_titles_seasons_and_lookup(store: SQLStore, series: tuple[Title, Title, Title]) -> None:
    show, one, _ = series
    assert [s.season for s in store.seasons(show.id)] == [1, 2]
    assert store.get_title(one.id) == one and one.parent_id == show.id
    assert store.get_title(999) is None
    store.add_title(TitleIn("Seven Seconds Later", credits=[{"person": "A", "role": "director"}]))
    found = store.find_titles("  seven SECONDS ")
    assert [t.name for t in found][-1] == "Seven Seconds Later" and found[0].name == "Seven Seconds"
    assert store.find_titles("Later")[0].credits == [{"person": "A", "role": "director"}]
    assert store.find_titles("100%_") == []
    assert [t.id for t in store.list_titles(kind="series")] == [show.id]
    assert len(store.list_titles(limit=2)) == 2


def test_get_or_add_title(store: SQLStore, series: tuple[Title, Title, Title]) -> None:
    show, one, _ = series
    assert store.get_or_add_title(TitleIn("seven  seconds", "series")) == (show, False)
    again = TitleIn("Seven Seconds", "season", parent_id=show.id, season=1)
    assert store.get_or_add_title(again) == (one, False)
    three, created = store.get_or_add_title(
        TitleIn("Seven Seconds", "season", parent_id=show.id, season=3)
    )
    assert created and three.season == 3
    assert store.get_or_add_title(TitleIn("Seven Seconds", "series", year=1999))[1]


@pytest.mark.parametrize(
    "title",
    [TitleIn("X", kind="musical"), TitleIn("X", "season", parent_id=12345, season=1)],  # type: ignore[arg-type]
)
def test_bad_titles_are_refused(store: SQLStore, title: TitleIn) -> None:
    with pytest.raises(StoreError):
        store.add_title(title)


def test_add_review_is_idempotent(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat", year=1995))
    first = add(store, film.id, critic="Ann Hornaday", publication="The Post")
    spaced = "  The acting is superb.\n\nThe plot   drags in the middle. "
    assert add(store, film.id, spaced, critic="ann  hornaday", publication="the post") == (
        first[0],
        False,
    )
    assert first[1] and store.count_reviews() == 1
    other = add(store, film.id, critic="Someone Else", publication="The Post")
    assert other[1] and other[0] != first[0]
    assert store.count_reviews() == 2
    assert [c.name for c in store.list_critics()] == ["Ann Hornaday", "Someone Else"]


def test_batch_with_duplicates_inside(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    items = [
        (ReviewIn(film.id, body, critic=critic), make_analysis(body))
        for body, critic in [(GOOD, "A"), (BAD, "B"), (GOOD, "a"), (BAD, "C")]
    ]
    results = store.add_reviews(items)
    assert [created for _, created in results] == [True, True, False, True]
    assert results[2][0] == results[0][0]
    assert len({i for i, _ in results}) == 3 == store.count_reviews()
    assert [created for _, created in store.add_reviews(items)] == [False] * 4
    assert store.add_reviews([]) == []


def test_concurrent_batches_store_each_review_once(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    items = [
        (
            ReviewIn(film.id, f"{GOOD} Take {i}.", critic=f"C{i % 3}", publication="P"),
            make_analysis(GOOD),
        )
        for i in range(30)
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(store.add_reviews, [items] * 4))
    assert sum(created for result in results for _, created in result) == 30
    assert len({tuple(i for i, _ in result) for result in results}) == 1  # the same ids
    assert store.count_reviews() == 30 and len(store.list_critics()) == 3


def test_review_for_a_missing_title_writes_nothing(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    items = [(ReviewIn(t, GOOD), make_analysis(GOOD)) for t in (film.id, 4242)]
    with pytest.raises(StoreError, match="4242"):
        store.add_reviews(items)
    assert store.count_reviews() == 0


def test_review_round_trip(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    analysis = make_analysis(GOOD, aspects={1: [("plot", -0.5)]})
    review_id, _ = store.add_review(
        ReviewIn(film.id, GOOD, "Ann", "Post", True, date(2020, 1, 2), "https://x", "3/4", "t"),
        analysis,
    )
    review = store.get_review(review_id)
    assert review is not None and store.get_review(review_id + 1) is None
    assert (review.critic, review.publication, review.top_critic) == ("Ann", "Post", True)
    assert (review.date, review.url, review.rating) == (date(2020, 1, 2), "https://x", "3/4")
    assert (review.score, review.fresh, review.band) == (75.0, True, "positive")
    assert review.quote == "The acting is superb." and review.model_version == "test-v1"
    assert review.analysis == analysis.to_dict()


def test_publications_weight_and_top_critic(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    inherited, _ = add(store, film.id, publication="The Times")
    explicit, _ = add(store, film.id, BAD, publication="The Times", top_critic=False)
    pub = store.get_publication(" The   Times ")
    assert pub is not None and (pub.weight, pub.top_critic) == (1.0, False)
    assert store.update_publication(pub.id, weight=2.5, top_critic=True).weight == 2.5
    assert store.list_publications()[0].top_critic
    flags = {f.review_id: (f.top_critic, f.weight) for f in store.review_facts(film.id)}
    assert flags == {inherited: (True, 2.5), explicit: (False, 2.5)}
    got = store.get_review(inherited)
    assert got is not None and got.top_critic
    assert store.get_publication("Nowhere") is None


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf")])
def test_bad_publication_edits(store: SQLStore, weight: float) -> None:
    add(store, store.add_title(TitleIn("Heat")).id, publication="The Times")
    pub = store.get_publication("The Times")
    assert pub is not None
    with pytest.raises(StoreError, match="weight"):
        store.update_publication(pub.id, weight=weight)
    with pytest.raises(StoreError, match="no publication"):
        store.update_publication(pub.id + 1000, weight=1.0)
    assert store.update_publication(pub.id) == pub


def _seed(store: SQLStore, series: tuple[Title, Title, Title]) -> list[int]:
    """Five reviews: two of the series, two of season 1, one of season 2."""
    show, one, two = series
    plan = [
        (show.id, GOOD, "A", True, date(2020, 1, 1), {0: [("acting", 0.9)]}),
        (show.id, BAD, "B", False, date(2020, 1, 5), {1: [("music", -0.7)]}),
        (one.id, GOOD, "C", True, None, {1: [("plot", -0.5)]}),
        (one.id, BAD, "D", False, date(2020, 1, 3), {0: [("acting", -0.4)]}),
        (two.id, GOOD, "E", True, date(2020, 1, 4), {}),
    ]
    add(store, store.add_title(TitleIn("Unrelated")).id, critic="Z", publication="Top")
    top = store.get_publication("Top")
    assert top is not None
    store.update_publication(top.id, top_critic=True)
    ids = []
    for title_id, body, critic, fresh, day, aspects in plan:
        pub = "Top" if critic in "AD" else "Minor"
        review_id, _ = add(
            store, title_id, body, critic=critic, publication=pub, date=day,
            fresh=fresh, score=80.0 if fresh else 20.0, aspects=aspects,
        )  # fmt: skip
        ids.append(review_id)
    return ids


def test_reviews_for_title_filters_and_paging(
    store: SQLStore, series: tuple[Title, Title, Title]
) -> None:
    show, one, _ = series
    ids = _seed(store, series)

    def page(title_id: int = show.id, **kw: Any) -> tuple[list[int], int]:
        found, total = store.reviews_for_title(title_id, **kw)
        return [r.id for r in found], total

    # Newest first; the undated review last.
    assert page() == ([ids[1], ids[4], ids[3], ids[0], ids[2]], 5)
    assert page(include_seasons=False) == ([ids[1], ids[0]], 2)
    assert page(one.id) == ([ids[3], ids[2]], 2)
    assert page(fresh=False) == ([ids[1], ids[3]], 2)
    assert page(top_critic=True) == ([ids[3], ids[0]], 2)
    assert page(top_critic=False, fresh=True) == ([ids[4], ids[2]], 2)
    assert page(aspect="acting") == ([ids[3], ids[0]], 2)
    assert page(aspect="nothing") == ([], 0)
    assert page(limit=2, offset=2) == ([ids[3], ids[0]], 5)
    assert page(limit=2, offset=10) == ([], 5)


def test_review_facts(store: SQLStore, series: tuple[Title, Title, Title]) -> None:
    show, one, _ = series
    ids = _seed(store, series)
    facts = {f.review_id: f for f in store.review_facts(show.id)}
    assert sorted(facts) == sorted(ids)
    assert [facts[i].season for i in ids] == [None, None, 1, 1, 2]
    assert facts[ids[0]].aspects == [("acting", 0.9, "The acting is superb.")]
    assert facts[ids[4]].aspects == []
    assert (facts[ids[3]].top_critic, facts[ids[3]].critic, facts[ids[3]].score) == (
        True,
        "D",
        20.0,
    )
    assert facts[ids[0]].quote == "The acting is superb."
    assert len(store.review_facts(show.id, include_seasons=False)) == 2
    assert [f.review_id for f in store.review_facts(one.id)] == [ids[2], ids[3]]


HOSTILE = [
    '"', "*", "NEAR(", "') OR 1=1 --", "title:", "a AND OR NOT", "^x", "%_\\", "-acting",
    "acting:*", "ünïcödé 東京 🎬", "x" * 5000, "word " * 2000, "\x00\x01",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_search_survives_hostile_queries(store: SQLStore, query: str) -> None:
    film = store.add_title(TitleIn('Say "NEAR(" *title:* 東京'))
    add(store, film.id, 'Quotes " and stars * and NEAR( and 東京 in text. The acting!')
    result = store.search(query)
    assert set(result) == {"titles", "reviews"}


def test_operators_are_plain_words(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    add(store, film.id, 'Quotes " and stars * and NEAR( in text.', aspects={})
    add(store, film.id, "Stars only.", aspects={})
    assert len(store.search('NEAR( "stars" *')["reviews"]) == 1
    # Were "-" negation, only "Stars only." would match; as punctuation it is dropped.
    (hit,) = store.search("stars -quotes")["reviews"]
    assert hit["snippet_text"].startswith("Quotes")


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "*", '""', "!?"])
def test_empty_search(store: SQLStore, query: str) -> None:
    add(store, store.add_title(TitleIn("Heat")).id)
    assert store.search(query) == {"titles": [], "reviews": []}


def test_search_finds_and_highlights(store: SQLStore) -> None:
    film = store.add_title(TitleIn("The Acting Class"))
    store.add_title(TitleIn("Heat"))
    review_id, _ = add(
        store,
        film.id,
        "Literal <mark>tags</mark> aside, she acted in brilliant scenes.",
        aspects={},
    )
    add(store, film.id, BAD)
    result = store.search("ACTING brilliant")
    assert [t["name"] for t in result["titles"]] == []  # "brilliant" is not in any title
    assert [t["name"] for t in store.search("act cla")["titles"]] == ["The Acting Class"]
    (hit,) = result["reviews"]
    assert (hit["id"], hit["title"], hit["score"], hit["fresh"]) == (
        review_id,
        "The Acting Class",
        80.0,
        True,
    )
    marked = [hit["snippet_text"][a:b] for a, b in hit["highlights"]]
    assert marked == ["acted", "brilliant"]  # stemmed matches, and the literal tags are no marks
    # PostgreSQL's headline drops tag-like text, SQLite's keeps it as text; neither marks it.
    assert "<mark>acted</mark>" in hit["snippet"] and "tags" in hit["snippet_text"]
    # The snippet is HTML-safe: only match marks are tags; the review's own markup is text.
    assert hit["snippet"].count("<mark>") == 2 and "<mark>tags" not in hit["snippet"]


def test_tokens(store: SQLStore) -> None:
    token = store.create_token("ci")
    other = store.create_token("laptop")
    assert token.startswith("crt_") and len(token) > 40 and token != other
    assert store.verify_token(token) and not store.verify_token(token + "x")
    assert not store.verify_token("") and not store.verify_token("crt_")
    listed = store.list_tokens()
    assert [t["name"] for t in listed] == ["ci", "laptop"]
    assert listed[0]["last_used_at"] is not None and listed[1]["last_used_at"] is None
    with store.engine.connect() as conn:
        stored = conn.scalar(select(tokens.c.token_hash).where(tokens.c.name == "ci"))
    assert token not in repr(listed) and str(stored) not in repr(listed)
    assert store.revoke_token(listed[0]["id"]) and not store.revoke_token(listed[0]["id"])
    assert not store.revoke_token(999)
    assert not store.verify_token(token) and store.verify_token(other)
    assert store.list_tokens()[0]["revoked"]


def test_stale_reviews_and_update(store: SQLStore, series: tuple[Title, Title, Title]) -> None:
    ids = _seed(store, series)
    batches = list(store.stale_reviews("test-v2", batch=2))
    assert [len(b) for b in batches] == [2, 2, 2]
    first_id, body, meta = batches[0][0]
    assert body == GOOD and meta["title"] == "Unrelated" and meta["publication"] == "Top"
    assert list(store.stale_reviews("test-v1")) == []
    for review_id, body, _ in (r for b in store.stale_reviews("test-v2") for r in b):
        store.update_analysis(
            review_id, make_analysis(body, aspects={0: [("pacing", 0.3)]}, version="test-v2")
        )
    assert list(store.stale_reviews("test-v2")) == []
    updated = store.get_review(ids[0])
    assert updated is not None and updated.model_version == "test-v2"
    assert store.reviews_for_title(series[0].id, aspect="acting")[1] == 0
    assert store.reviews_for_title(series[0].id, aspect="pacing")[1] == 5
    with pytest.raises(StoreError):
        store.update_analysis(999, make_analysis(GOOD))
    assert first_id < ids[0]  # the unrelated review was stored first
    assert store.integrity_check() == []


def test_integrity_check_finds_planted_problems(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    first, _ = add(store, film.id)
    second, _ = add(store, film.id, BAD)
    assert store.integrity_check() == []
    with store.engine.begin() as conn:
        conn.execute(delete(analyses).where(analyses.c.review_id == first))
        conn.execute(delete(aspect_mentions).where(aspect_mentions.c.review_id == first))
    assert store.integrity_check() == [f"review(s) without an analysis: ids {first}"]
    _delete_without_foreign_keys(store, second)
    problems = store.integrity_check()
    assert f"analysis(es) of a missing review: ids {second}" in problems
    assert f"aspect mention(s) of a missing review: ids {second}" in problems
    if store.engine.dialect.name == "sqlite":
        assert any(p.startswith("foreign key: analyses") for p in problems)


def _delete_without_foreign_keys(store: SQLStore, review_id: int) -> None:
    """Plant orphans the way a crash or a careless script would: foreign keys not enforced."""
    if store.engine.dialect.name == "sqlite":
        with sqlite3.connect(str(store.engine.url.database)) as raw:  # foreign keys off by default
            raw.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
        raw.close()
        return
    with store.engine.begin() as conn:
        # Replica mode skips the triggers that enforce foreign keys (and their cascades).
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.execute(delete(reviews).where(reviews.c.id == review_id))


def test_open_store_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / "data" / app))
    monkeypatch.delenv("CRITICA_DATABASE_URL", raising=False)
    config.settings.cache_clear()
    urls = [open_store()]
    monkeypatch.setenv("CRITICA_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    config.settings.cache_clear()
    try:
        urls += [open_store(), open_store(f"sqlite:///{tmp_path / 'arg.db'}")]
    finally:
        config.settings.cache_clear()
        for opened in urls:
            opened.close()
    assert [u.url.rsplit("/", 1)[-1] for u in urls] == ["critica.db", "env.db", "arg.db"]
    assert (tmp_path / "data" / "critica" / "critica.db").exists()


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://root@localhost/critica",
        "postgresql+asyncpg://u@h/db",
        "sqlite:////nonexistent/folder/critica.db",
        "postgresql://postgres@127.0.0.1:1/test",
    ],
)
def test_open_store_with_a_bad_url(url: str) -> None:
    with pytest.raises(StoreError, match="store") as caught:
        open_store(url)
    assert caught.value.exit_code == 4


def test_postgres_password_is_not_shown() -> None:
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://user:s3cret@127.0.0.1:1/test")
    assert "s3cret" not in str(caught.value)


def test_sqlite_pragmas(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM reviews_fts")).scalar() == 0
    store.close()


def test_search_ranks_the_best_of_the_newest_matches(store: SQLStore, monkeypatch) -> None:
    from critica.store import search

    film = store.add_title(TitleIn("Heat"))
    oldest, _ = add(
        store, film.id, "Gripping, gripping, gripping: gripping to the end.", aspects={}
    )
    add(store, film.id, "A gripping film.", aspects={})
    newest, _ = add(store, film.id, "Gripping enough, if long and rather tired.", aspects={})
    assert store.search("gripping")["reviews"][0]["id"] == oldest  # all three ranked
    monkeypatch.setattr(search, "CANDIDATES", 2)  # a common word on a big store
    hits = [h["id"] for h in store.search("gripping")["reviews"]]
    assert oldest not in hits and newest in hits and len(hits) == 2


def test_integrity_check_finds_out_of_range_scores(store: SQLStore) -> None:
    film = store.add_title(TitleIn("Heat"))
    first, _ = add(store, film.id)
    second, _ = add(store, film.id, BAD)
    assert store.integrity_check() == []
    with store.engine.begin() as conn:
        conn.execute(update(analyses).where(analyses.c.review_id == first).values(score=1e9))
        conn.execute(update(analyses).where(analyses.c.review_id == second).values(confidence=-1))
    assert store.integrity_check() == [
        f"analysis(es) with a score or confidence out of range: ids {first}, {second}"
    ]
