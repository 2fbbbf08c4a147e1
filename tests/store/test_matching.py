"""Titles put right by a person: a guessed match is queued with its candidates and settled
(`critica titles unmatched|confirm`), and two titles that are one are merged without
losing a review (`critica titles merge`), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from critica.cli.commands import app
from critica.errors import StoreError
from critica.service.ingest import ingest
from critica.store.records import ReviewIn, TitleIn
from tests.store.conftest import make_analysis


def add(store, title_id: int, text: str, critic: str) -> int:  # type: ignore[no-untyped-def]
    ((review_id, _),) = store.add_reviews(
        [(ReviewIn(title_id=title_id, text=text, critic=critic), make_analysis(text))]
    )
    return review_id


def test_a_guessed_title_is_queued_and_a_person_settles_it(store, tmp_path):
    old = store.add_title(TitleIn("Offside", "film", year=2006, external_id="tt0499537"))
    new = store.add_title(TitleIn("Offside", "film", year=2023, external_id="tt1234567"))
    path = tmp_path / "r.jsonl"
    rows = [{"title": "Offside", "critic": "A", "text": "A brisk, likeable film that runs out "
             "of ideas in its last half hour, though the cast is good."}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = ingest(store, [path])
    assert done.added == 1 and len(done.notes) == 1
    (item,), total = store.unmatched()
    assert total == 1 and item["title_id"] == old.id  # the first of two unvoted titles
    assert [c["id"] for c in item["candidates"]] == [old.id, new.id]
    assert "names no one" in item["reason"] and item["quote"]
    assert store.confirm_match(item["review_id"], new.id) == "moved"
    assert store.unmatched() == ([], 0)
    assert [len(store.review_facts(t.id)) for t in (old, new)] == [0, 1]
    with pytest.raises(StoreError, match="no title with id 999"):
        store.confirm_match(item["review_id"], 999)


def test_merging_two_titles_loses_no_review(store):
    keep = store.add_title(TitleIn("Heat", "series", year=1995))
    gone = store.add_title(TitleIn("Heat (1995)", "series", external_id="tt0113277"))
    s1_keep = store.add_title(TitleIn("Heat season 1", "season", parent_id=keep.id, season=1))
    s1_gone = store.add_title(TitleIn("Heat s1", "season", parent_id=gone.id, season=1))
    s2_gone = store.add_title(TitleIn("Heat s2", "season", parent_id=gone.id, season=2))
    same = "A magnificent crime epic with two superb leads and a stunning shootout."
    add(store, keep.id, same, "Ann")
    add(store, gone.id, same, "Ann")  # the same review, filed twice
    add(store, gone.id, "Overlong, but the ending on the runway is moving.", "Bo")
    add(store, s1_keep.id, "The first season sets up its world with patience.", "Cy")
    add(store, s1_gone.id, "Season one drags, though the finale is a knockout.", "Di")
    add(store, s2_gone.id, "The second season is tighter and angrier.", "Ed")
    before = store.count_reviews()
    done = store.merge_titles(keep.id, gone.id)
    assert done == {"moved": 2, "duplicate": 1, "seasons": 1}  # season 2 moves whole
    assert store.count_reviews() == before - 1  # only the second copy of one review went
    assert store.get_title(gone.id) is None and store.get_title(s1_gone.id) is None
    merged = store.get_title(keep.id)
    assert merged.external_id == "tt0113277" and merged.year == 1995  # filled, not replaced
    assert len(store.review_facts(keep.id)) == 5  # seasons included
    assert [s.season for s in store.seasons(keep.id)] == [1, 2]
    assert len(store.review_facts(s1_keep.id)) == 2
    assert store.integrity_check() == []
    with pytest.raises(StoreError, match="merged into itself"):
        store.merge_titles(keep.id, keep.id)
    with pytest.raises(StoreError, match=f"no title with id {gone.id}"):
        store.merge_titles(keep.id, gone.id)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_cli_lists_settles_and_merges(store, store_url):
    a = store.add_title(TitleIn("Ronin", "film", year=1998, external_id="tt0122690"))
    b = store.add_title(TitleIn("Ronin", "film", year=1998))
    review = add(store, b.id, "Taut and grown-up, with the best car chase in years.", "Fay")
    store.queue_matches([(review, [a.id, b.id], "a test guess")])
    runner = CliRunner()
    listed = runner.invoke(app, ["titles", "unmatched", "--db", store_url], terminal_width=200)
    assert listed.exit_code == 0 and f"review {review}" in listed.output
    assert "1 waiting" in listed.output and "tt0122690" in listed.output
    kept = runner.invoke(app, ["titles", "confirm", str(review), str(b.id), "--db", store_url])
    assert kept.exit_code == 0 and f"stays under title {b.id}" in kept.output
    merged = runner.invoke(app, ["titles", "merge", str(a.id), str(b.id), "--db", store_url])
    assert merged.exit_code == 0 and "1 reviews moved" in merged.output
    again = runner.invoke(app, ["titles", "merge", str(a.id), str(b.id), "--db", store_url])
    assert again.exit_code == 4 and f"no title with id {b.id}" in again.output


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_queue_in_the_api_and_on_the_web(store):
    from fastapi.testclient import TestClient

    from critica.api import create_app

    a = store.add_title(TitleIn("Offside", "film", year=2006, external_id="tt0499537"))
    b = store.add_title(TitleIn("Offside", "film", year=2023, external_id="tt1234567"))
    review = add(store, a.id, "Sharp, funny and quietly angry about who gets let in.", "Gil")
    store.queue_matches([(review, [a.id, b.id], "a test guess")])
    client = TestClient(create_app(store))
    listed = client.get("/api/v1/titles/unmatched").json()
    assert listed["total"] == 1 and listed["items"][0]["review_id"] == review
    assert [c["year"] for c in listed["items"][0]["candidates"]] == [2006, 2023]
    html = client.get("/unmatched").text
    assert f'id="review-{review}"' in html and "Offside</a> (2023)" in html
    assert client.get(f"/api/v1/titles/{a.id}").status_code == 200  # ids still route
    body = {"title_id": b.id}
    assert client.post(f"/api/v1/titles/unmatched/{review}", json=body).status_code == 401
    token = {"Authorization": f"Bearer {store.create_token('t')}"}
    done = client.post(f"/api/v1/titles/unmatched/{review}", json=body, headers=token)
    assert done.status_code == 200 and done.json()["result"] == "moved"
    assert client.get("/api/v1/titles/unmatched").json() == {"total": 0, "items": []}
    assert "Nothing to match" in client.get("/unmatched").text
    missing = client.post("/api/v1/titles/unmatched/99999", json=body, headers=token)
    assert missing.status_code == 404 and "no review with id 99999" in missing.text
    nowhere = client.post(
        f"/api/v1/titles/unmatched/{review}", json={"title_id": 999}, headers=token
    )
    assert nowhere.status_code == 404 and "no title with id 999" in nowhere.text
