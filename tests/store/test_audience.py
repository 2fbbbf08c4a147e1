"""Critics and audience apart: a review's reviewer kind is stored, the title's figures are
the critics' alone, and the audience gets its own, by the same code."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from critica.api import create_app
from critica.service.ingest import ingest
from critica.store.records import TitleIn

PRAISE = "A superb, moving film with a magnificent lead performance and a perfect ending."
PAN = "A dreadful, tedious mess: the acting is wooden and the script is lazy and dull."
PANS = [  # eight people, eight different pans (copies of one would be flagged and left out)
    PAN,
    "Awful from start to finish, I nearly walked out after the first hour of this bore.",
    "The worst film I have seen this year; a boring, stupid plot and flat performances.",
    "Terrible. The ending makes no sense and the dialogue is painfully bad throughout.",
    "What a waste of a great cast: a lifeless, dull script and direction without any energy.",
    "Tedious and overlong, with an irritating score and characters I could not care about.",
    "I hated it. Clumsy action, a ridiculous story and a lead who seems bored in every scene.",
    "A mess of a film: ugly to look at, badly edited, and duller than it has any right to be.",
]


@pytest.fixture
def title_with_both(store):  # type: ignore[no-untyped-def]
    title = store.add_title(TitleIn(name="Heat", kind="film", year=1995))
    client = TestClient(create_app(store))
    token = {"Authorization": f"Bearer {store.create_token('t')}"}
    for i in range(6):  # critics: all fresh
        body = {"title_id": title.id, "text": f"{PRAISE} ({i})", "critic": f"Critic {i}"}
        assert client.post("/api/v1/reviews", json=body, headers=token).status_code == 201
    for i, text in enumerate(PANS):  # the audience: all rotten
        body = {"title_id": title.id, "text": text, "reviewer": "audience", "critic": f"u{i}"}
        assert client.post("/api/v1/reviews", json=body, headers=token).status_code == 201
    return title, client


def test_the_critics_figures_leave_the_audience_out(title_with_both):
    title, client = title_with_both
    page = client.get(f"/api/v1/titles/{title.id}").json()
    assert page["reviews"] == 6 and page["percent_positive"] == 100.0
    audience = page["audience"]
    assert audience["reviews"] == 8 and audience["percent_positive"] == 0.0
    assert audience["score_mean"] < 40 < page["score_mean"]
    assert sum(b["count"] for b in audience["histogram"]) == 8
    gap = page["gap"]
    assert gap["percent_positive"] == 100.0 and gap["split"] is True
    low, high = gap["interval"]
    assert 0 < low < 100 and high == 100.0  # all fresh against all rotten, on 6 and 8 reviews
    assert "critics and audience split" in page["badges"]
    html = client.get(f"/titles/{title.id}").text
    assert 'id="h-audience"' in html and "8 reviews" in html
    assert "Critics are <strong>100 points above</strong> the audience" in html


PRAISES = [
    PRAISE,
    "Loved every minute: thrilling action, a great cast and a story that kept me guessing.",
    "A wonderful, funny film with a warm heart and the best soundtrack of the year.",
    "Brilliant. The performances are superb and the ending left the whole cinema cheering.",
    "Gorgeous to look at and genuinely moving; I will be watching it again this weekend.",
]


def test_the_home_page_lists_the_largest_gaps_either_way(title_with_both, store):
    from critica.service.pages import home_page

    _, client = title_with_both
    other = store.add_title(TitleIn(name="Ronin", kind="film", year=1998))
    token = {"Authorization": f"Bearer {store.create_token('t2')}"}
    posts = [{"text": t, "critic": f"Critic {i}"} for i, t in enumerate(PANS[:5])]
    posts += [{"text": t, "critic": f"u{i}", "reviewer": "audience"} for i, t in enumerate(PRAISES)]
    for body in posts:
        body["title_id"] = other.id
        assert client.post("/api/v1/reviews", json=body, headers=token).status_code == 201
    page = home_page(store)
    (above,) = page["critics_above"]
    (below,) = page["audience_above"]
    assert (above["name"], above["gap"], above["split"]) == ("Heat", 100.0, True)
    assert below["name"] == "Ronin" and below["gap"] < -60
    html = client.get("/").text
    assert 'id="h-critics_above"' in html and 'id="h-audience_above"' in html
    assert "+100 points" in html


def test_the_gap_lists_are_rebuilt_in_the_background(title_with_both, store, monkeypatch):
    import time

    from critica.service import pages

    title, client = title_with_both
    assert pages.home_page(store)["critics_above"][0]["gap"] == 100.0  # built in full
    token = {"Authorization": f"Bearer {store.create_token('t3')}"}
    for i, text in enumerate(PANS[:4]):  # four critics now pan it: the gap narrows
        body = {"title_id": title.id, "text": text, "critic": f"Late critic {i}"}
        assert client.post("/api/v1/reviews", json=body, headers=token).status_code == 201
    monkeypatch.setattr(pages, "GAP_TTL", 0.0)
    assert pages.home_page(store)["critics_above"][0]["gap"] == 100.0  # the last lists, at once
    for _ in range(200):  # the rebuild runs in a thread
        if store.url not in pages._gaps_building:
            break
        time.sleep(0.05)
    assert pages.home_page(store)["critics_above"][0]["gap"] == 60.0  # 6 of 10 critics


def test_the_gap_and_when_it_is_a_split():
    from critica.figures.audience import gap as critics_audience_gap

    near = critics_audience_gap(
        {"percent_positive": 60.0, "percent_positive_interval": [45.0, 73.0]},
        {"percent_positive": 50.0, "percent_positive_interval": [35.0, 65.0]},
    )
    assert near["percent_positive"] == 10.0 and near["split"] is False
    assert near["interval"][0] < 0 < near["interval"][1]  # could be no gap at all
    wide_but_unsure = critics_audience_gap(
        {"percent_positive": 80.0, "percent_positive_interval": [38.0, 96.0]},
        {"percent_positive": 50.0, "percent_positive_interval": [19.0, 81.0]},
    )
    assert wide_but_unsure["percent_positive"] == 30.0 and wide_but_unsure["split"] is False
    assert critics_audience_gap({"percent_positive": None}, {"percent_positive": 50.0}) is None
    assert critics_audience_gap({"percent_positive": 50.0}, None) is None


def test_a_title_without_audience_reviews_has_no_audience_figures(store):
    title = store.add_title(TitleIn(name="Ronin", kind="film"))
    client = TestClient(create_app(store))
    page = client.get(f"/api/v1/titles/{title.id}").json()
    assert page["audience"] is None and page["gap"] is None
    assert 'id="h-audience"' not in client.get(f"/titles/{title.id}").text


def test_calibration_and_the_prior_use_critics_only(title_with_both, store):
    assert store.rating_history() == []  # no review has a rating
    mean = store.mean_score()
    assert mean is not None and mean > 60  # the critics' raves, not the audience's pans


def test_ingest_takes_the_reviewer_from_a_column_or_the_option(store, tmp_path):
    rows = [
        {"title": "Heat", "text": PRAISE, "reviewer": "audience"},
        {"title": "Heat", "text": PAN},
        {"title": "Heat", "text": PAN + " Truly.", "reviewer": "bot"},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = ingest(store, [path])
    assert done.added == 2
    assert [r.reason for r in done.rejected] == ["reviewer 'bot': use critic or audience"]
    (title,) = store.find_titles("Heat")
    assert len(store.review_facts(title.id)) == 1
    assert len(store.review_facts(title.id, reviewer="audience")) == 1


def test_the_cli_option_marks_a_whole_file_as_audience(tmp_path):
    from typer.testing import CliRunner

    from critica.cli.commands import app
    from critica.store import open_store

    db = f"sqlite:///{tmp_path / 'a.db'}"
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"title": "Heat", "text": PRAISE}) + "\n")
    done = CliRunner().invoke(app, ["ingest", str(path), "--reviewer", "audience", "--db", db])
    assert done.exit_code == 0, done.output
    store = open_store(db)
    (title,) = store.find_titles("Heat")
    assert store.review_facts(title.id) == []
    assert len(store.review_facts(title.id, reviewer="audience")) == 1


def test_bare_number_ratings_read_on_the_given_scale(store, tmp_path):
    from critica.inputs.readers import ReadOptions

    path = tmp_path / "imdb.jsonl"
    rows = [{"title_id": "tt0111161", "rating": 9, "text": PRAISE},
            {"title_id": "tt0111161", "rating": "3", "text": PAN}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    unscaled = ingest(store, [path])
    assert unscaled.added == 2 and len(unscaled.notes) == 2  # "9": no scale, text score
    scaled_store_path = tmp_path / "scaled.jsonl"
    scaled_store_path.write_text(path.read_text().replace("tt0111161", "tt0499537"))
    options = ReadOptions(defaults={"reviewer": "audience"}, rating_scale=10)
    scaled = ingest(store, [scaled_store_path], options)
    assert scaled.added == 2 and scaled.notes == []
    title = store.get_title_by_external_id("tt0499537")
    scores = sorted(f.rating_score for f in store.review_facts(title.id, reviewer="audience"))
    assert scores == [30.0, 90.0]  # 3/10 and 9/10 on 0-100, as any x/10 rating


def test_the_home_page_is_built_once_per_store_state(title_with_both, store, monkeypatch):
    from critica.service import pages

    title, client = title_with_both
    first = pages.home_page(store)
    reads = []
    real = store.review_facts
    monkeypatch.setattr(store, "review_facts", lambda *a, **k: reads.append(a) or real(*a, **k))
    assert pages.home_page(store) == first and reads == []  # the same store state: no reads
    pub = store.add_title(TitleIn(name="Collateral", kind="film", year=2004))  # any write
    assert pub.id and pages.home_page(store)["recent"] == first["recent"]
    assert reads  # rebuilt after the write
    token = {"Authorization": f"Bearer {store.create_token('t4')}"}
    body = {"title_id": title.id, "text": PANS[1], "critic": "New critic"}
    assert client.post("/api/v1/reviews", json=body, headers=token).status_code == 201
    assert pages.home_page(store)["recent"][0]["reviews"] == 7  # a new review: new figures
