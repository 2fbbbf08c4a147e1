"""The titles index at /titles and its CSV and JSON downloads, over a real SQLite store."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from critica.service import pages
from critica.service.ingest import ingest
from critica.store import open_store
from critica.store.records import TitleIn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('index') / 'c.db'}")
    ingest(s, [ROOT / "critica" / "demo" / "reviews.jsonl"])
    s.get_or_add_title(TitleIn(name="No Reviews Yet", kind="film", year=2024))
    yield s
    s.close()


@pytest.fixture(scope="module")
def rows(store):
    return pages.title_index(store)


def test_every_reviewed_film_and_series_is_listed_once(store, rows):
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)) and "No Reviews Yet" not in names
    reviewed = {
        t.name
        for kind in ("film", "series")
        for t in store.list_titles(kind, 1000)
        if store.review_facts(t.id)
    }
    assert set(names) == reviewed and len(names) >= 4
    assert all(r["kind"] in ("film", "series") for r in rows)  # seasons roll up into series


def test_index_figures_are_the_title_pages(client, rows):
    for r in rows[:5]:
        page = client.get(f"/api/v1/titles/{r['id']}").json()
        for key in ("reviews", "percent_positive", "score_weighted", "band", "badges"):
            assert r[key] == page[key], key


@pytest.mark.parametrize("sort", list(pages.INDEX_SORTS))
def test_each_sort_orders_the_rows(rows, sort):
    field, descending, _ = pages.INDEX_SORTS[sort]
    got = pages.select_titles(rows, sort)
    known = [r[field] for r in got if r[field] is not None]
    if field == "name":
        known = [k.casefold() for k in known]
    assert known == sorted(known, reverse=descending)
    first_missing = next((i for i, r in enumerate(got) if r[field] is None), len(got))
    assert all(r[field] is None for r in got[first_missing:])  # no figure: last


def test_filters_by_kind_year_and_badge(rows):
    films = pages.select_titles(rows, kind="film")
    assert films and all(r["kind"] == "film" for r in films)
    year = next(r["year"] for r in rows if r["year"])
    assert all(r["year"] == year for r in pages.select_titles(rows, year=year))
    for badge in pages.BADGE_NAMES:
        assert all(badge in r["badges"] for r in pages.select_titles(rows, badge=badge))


def test_index_page_sorts_filters_and_pages(client, rows):
    r = client.get("/titles?sort=name")
    assert r.status_code == 200
    first = min(rows, key=lambda x: (x["name"].casefold(), x["id"]))["name"]
    assert first in r.text and "All titles" in r.text
    one = client.get("/titles?sort=reviews&kind=film&year=&badge=")  # empty form values
    assert one.status_code == 200
    assert "Films and series" in one.text


def test_paging(store):
    total = len(pages.title_index(store))
    first = pages.titles_page(store, sort="name", per_page=2)
    second = pages.titles_page(store, sort="name", page=2, per_page=2)
    assert first["pages"] == -(-total // 2) and first["total"] == total
    assert [r["id"] for r in first["rows"]] != [r["id"] for r in second["rows"]]
    beyond = pages.titles_page(store, page=10_000, per_page=2)
    assert beyond["page"] == beyond["pages"]  # past the end: the last page


def test_unknown_values_mean_no_filter_not_an_error(client):
    for query in ("sort=nonsense", "kind=documentary", "year=19x9", "badge=golden"):
        assert client.get(f"/titles?{query}").status_code == 200
    assert client.get("/titles?page=0").status_code == 422
    assert client.get("/titles?sort=" + "x" * 50).status_code == 422


def test_csv_download_is_the_filtered_sorted_list(client, rows):
    r = client.get("/titles.csv?sort=name&kind=film")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == list(pages.INDEX_COLUMNS)
    expected = pages.select_titles(rows, "name", kind="film")
    assert [t["name"] for t in table] == [e["name"] for e in expected]


def test_json_download(client, rows):
    body = client.get("/titles.json?sort=score").json()
    assert body["total"] == len(rows) and body["sort"] == "score"
    assert [r["id"] for r in body["rows"]] == [r["id"] for r in pages.select_titles(rows)]
    assert client.get("/titles.xml").status_code in (400, 422)


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    from critica.web.views import csv_text

    text = csv_text([{"name": "=HYPERLINK(\"x\")", "badges": ["a", "b"], "year": None}],
                    ["name", "badges", "year"])  # fmt: skip
    assert text.splitlines()[1] == '"\'=HYPERLINK(""x"")",a;b,'


def test_index_is_rebuilt_when_the_store_changes(store):
    before = pages.title_index(store)
    assert pages.title_index(store) is before  # cached for the same store state
    from critica.core import analyze
    from critica.store.records import ReviewIn

    title, _ = store.get_or_add_title(TitleIn(name="A Late Arrival", kind="film", year=2025))
    text = "A gorgeous, moving film with a superb cast."
    store.add_review(ReviewIn(title_id=title.id, text=text), analyze(text))
    after = pages.title_index(store)
    assert "A Late Arrival" in {r["name"] for r in after}
