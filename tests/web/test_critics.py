"""Critic pages (/critics, /critics/{id}) and finding critics by search, on real stores."""

from __future__ import annotations

import html
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from critica.service import pages
from critica.service.ingest import ingest
from critica.store import open_store
from tests.store.conftest import PG_URL, _need_postgres

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "critica" / "demo" / "reviews.jsonl"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def store(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path_factory.mktemp('critics') / 'c.db'}")
        ingest(s, [DEMO])
        yield s
        s.close()
        return
    _need_postgres()
    schema = f"critica_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    s = open_store(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        ingest(s, [DEMO])
        yield s
    finally:
        s.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.text)).split())


def test_a_critic_page_has_their_reviews_figures_and_links(client, store):
    found, total = store.critic_summaries(name="priscilla hale")
    assert total == 1 and found[0]["name"] == "Priscilla Hale" and found[0]["reviews"] == 2
    cid = found[0]["id"]
    page = pages.critic_page(store, cid)
    scores = [r["score"] for r in page["reviews"]["items"]]
    assert page["reviews"]["total"] == 2 and len(scores) == 2
    assert page["mean_score"] == pytest.approx(sum(scores) / 2, abs=0.06)
    fresh = sum(bool(r["fresh"]) for r in page["reviews"]["items"])
    assert page["percent_fresh"] == pytest.approx(100 * fresh / 2, abs=0.06)
    assert {r["title"] for r in page["reviews"]["items"]} == {
        "Harbor Lights season 1",
        "Harbor Lights season 2",
    }
    r = client.get(f"/critics/{cid}")
    assert r.status_code == 200
    words = text_of(r)
    assert "Priscilla Hale" in words and "2 reviews" in words
    for item in page["reviews"]["items"]:
        assert f'href="/reviews/{item["id"]}"' in r.text


def test_critics_index_and_name_filter(client, store):
    everyone = client.get("/critics")
    assert everyone.status_code == 200 and "Eleanor Vance" in everyone.text
    assert "Gordon Pell" in everyone.text
    one = client.get("/critics?name=VANCE")
    assert "Eleanor Vance" in one.text and "Gordon Pell" not in one.text
    none = client.get("/critics?name=" + "zz%_")  # LIKE wildcards are plain characters
    assert none.status_code == 200 and "No critic matches" in text_of(none)


def test_search_finds_critics(client, store):
    body = client.get("/api/v1/search", params={"q": "Eleanor Vance"}).json()
    assert [c["name"] for c in body["critics"]] == ["Eleanor Vance"]
    r = client.get("/search", params={"q": "eleanor"})
    assert "Eleanor Vance" in text_of(r) and "/critics/" in r.text


def test_a_review_links_to_more_by_its_critic(client, store):
    cid = store.critic_summaries(name="Gordon Pell")[0][0]["id"]
    review = store.critic_reviews(cid)[0][0]
    r = client.get(f"/reviews/{review.id}")
    assert f'<a href="/critics/{cid}">more by Gordon Pell</a>' in r.text
    pid = store.get_publication(review.publication).id
    assert f'<a href="/publications/{pid}">{review.publication}</a>' in r.text


def test_a_missing_critic_is_a_404_that_says_where_to_look(client, store):
    r = client.get("/critics/999999")
    assert r.status_code == 404 and "/critics?name=" in html.unescape(r.text)
    assert client.get("/critics/0").status_code == 422


def test_a_critics_reviews_download_as_csv_and_json(client, store):
    import csv
    import io

    found, _ = store.critic_summaries(name="priscilla hale")
    cid = found[0]["id"]
    page = client.get(f"/critics/{cid}").text
    assert f'href="/critics/{cid}.csv"' in page and f'href="/critics/{cid}.json"' in page
    r = client.get(f"/critics/{cid}.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert f'filename="critic-{cid}-reviews.csv"' in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == list(pages.REVIEW_COLUMNS)
    assert {row["critic"] for row in table} == {"Priscilla Hale"} and len(table) == 2
    body = client.get(f"/critics/{cid}.json").json()
    assert body["total"] == 2 and body["critic_id"] == cid
    assert [row["id"] for row in body["rows"]] == [int(row["id"]) for row in table]
    assert client.get("/critics/999999.csv").status_code == 404
    assert client.get(f"/critics/{cid}.xml").status_code == 422


def test_a_titles_reviews_download_with_the_pages_filters(client, store):
    import csv
    import io

    title = next(t for t in store.list_titles(limit=100) if t.name == "The Salt Orchard")
    every, total = store.reviews_for_title(title.id, limit=100)
    page = client.get(f"/titles/{title.id}?fresh=false").text
    assert f'href="/titles/{title.id}/reviews.csv?fresh=false"' in page
    r = client.get(f"/titles/{title.id}/reviews.csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [int(row["id"]) for row in table] == [rv.id for rv in every] and len(table) == total
    rotten = client.get(f"/titles/{title.id}/reviews.json?fresh=false").json()
    assert rotten["filters"] == {"fresh": False, "top_critic": None, "aspect": None}
    assert rotten["rows"] and all(row["fresh"] is False for row in rotten["rows"])
    assert rotten["total"] == sum(rv.fresh is False for rv in every)
    assert client.get("/titles/999999/reviews.csv").status_code == 404


def test_downloads_read_every_batch(store, monkeypatch):
    title = next(t for t in store.list_titles(limit=100) if t.name == "The Salt Orchard")
    whole = pages.review_rows(store, title_id=title.id)
    monkeypatch.setattr(pages, "DOWNLOAD_BATCH", 2)
    assert pages.review_rows(store, title_id=title.id) == whole and len(whole) > 2


def test_a_publication_page_has_its_figures_critics_and_reviews(client, store):
    found, total = store.publication_summaries(name="vesper courier")
    assert total == 1 and found[0]["name"] == "The Vesper Courier"
    pid = found[0]["id"]
    page = pages.publication_page(store, pid)
    items = page["reviews"]["items"]
    assert page["reviews"]["total"] == found[0]["reviews"] == len(items) > 0
    assert {r["publication"] for r in items} == {"The Vesper Courier"}
    scored = [r["score"] for r in items if r["score"] is not None]
    assert page["mean_score"] == pytest.approx(sum(scored) / len(scored), abs=0.06)
    assert sum(c["reviews"] for c in page["critics"]) == len(items)
    assert {"weight", "top_critic", "calibration"} <= set(page)
    r = client.get(f"/publications/{pid}")
    assert r.status_code == 200 and "The Vesper Courier" in text_of(r)
    for c in page["critics"]:
        assert f'href="/critics/{c["id"]}"' in r.text
    assert f'href="/publications/{pid}.csv"' in r.text
    body = client.get(f"/publications/{pid}.json").json()
    assert body["total"] == len(items) and body["publication_id"] == pid


def test_publications_index_and_missing_ones(client, store):
    r = client.get("/publications?name=courier")
    assert r.status_code == 200 and "The Vesper Courier" in text_of(r)
    everyone = pages.publications_page(store)
    assert everyone["total"] == len(store.list_publications(limit=1000)) > 1
    missing = client.get("/publications/999999")
    assert missing.status_code == 404 and "/publications?name=" in html.unescape(missing.text)
    assert client.get("/publications/999999.csv").status_code == 404
    assert client.head("/publications").status_code == 200


def test_reviews_link_their_critic_and_publication(client, store):
    title = next(t for t in store.list_titles(limit=100) if t.name == "The Salt Orchard")
    review = store.reviews_for_title(title.id, limit=1)[0][0]
    assert review.critic_id and review.publication_id
    found = client.get(f"/api/v1/titles/{title.id}/reviews").json()["items"][0]
    assert (found["critic_id"], found["publication_id"]) == (
        review.critic_id,
        review.publication_id,
    )
    assert f'href="/publications/{review.publication_id}"' in client.get(f"/titles/{title.id}").text
