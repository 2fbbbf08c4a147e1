"""One title, one set of figures: the home list, the title page, the API, ``critica title
--json`` and ``critica aggregate`` show the same numbers for the same reviews.

Before they shared ``bayes_prior``, C in the Bayesian score was 60 on title pages, the API and
the CLI, the mean of the titles scanned on the home list, and the mean of all reviews in batch,
so one title showed two ``score_bayes``, and the home list's was unrounded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from critica.api import create_app
from critica.batch import BatchOptions, run_batch
from critica.batch.aggregate import aggregate
from critica.cli.commands import app
from critica.service import pages
from critica.service.ingest import ingest
from critica.store import open_store

DEMO = Path(__file__).resolve().parents[2] / "critica" / "demo" / "reviews.jsonl"
SHOWN = ("reviews", "percent_positive", "percent_positive_estimated", "score_mean",
         "score_weighted", "score_bayes", "band", "controversy")  # fmt: skip
BATCH = ("reviews", "percent_positive", "percent_positive_estimated", "score_mean",
         "score_weighted", "score_bayes", "band")  # fmt: skip


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """Each surface's figures per top-level title name, all over the demo reviews."""
    folder = tmp_path_factory.mktemp("agree")
    db = f"sqlite:///{folder / 'c.db'}"
    store = open_store(db)
    ingest(store, [DEMO])
    titles = [t for kind in ("film", "series") for t in store.list_titles(kind, 100)]
    client = TestClient(create_app(store))
    runner = CliRunner()
    found: dict[str, dict[str, dict]] = {"page": {}, "api": {}, "cli": {}}
    for t in titles:
        found["page"][t.name] = pages.title_page(store, t.id)
        found["api"][t.name] = client.get(f"/api/v1/titles/{t.id}").json()
        shown = runner.invoke(app, ["title", str(t.id), "--db", db, "--json"])
        found["cli"][t.name] = json.loads(shown.output)
    home = pages.home_page(store)
    found["home"] = {r["name"]: r for r in home["recent"]}
    out = folder / "analyses"
    run_batch([DEMO], out, BatchOptions(workers=1))
    found["batch"] = {row["title"]: row for row in aggregate(out).to_pylist()}
    store.close()
    return found


def test_every_store_surface_agrees_title_by_title(surfaces):
    names = sorted(surfaces["page"])
    assert len(names) == 4 and sorted(surfaces["home"]) == names
    for name in names:
        page = surfaces["page"][name]
        assert page["score_bayes"] is not None
        for surface in ("api", "cli", "home"):
            got = surfaces[surface][name]
            assert {k: got[k] for k in SHOWN} == {k: page[k] for k in SHOWN}, (surface, name)


def test_batch_aggregate_agrees_with_the_store(surfaces):
    """The same reviews through `critica batch` + `critica aggregate`: the same figures (the
    demo's publications all weigh 1, so the weighted score is the mean in both)."""
    assert sorted(surfaces["batch"]) == sorted(surfaces["page"])
    for name, row in surfaces["batch"].items():
        page = surfaces["page"][name]
        assert {k: row[k] for k in BATCH} == {k: page[k] for k in BATCH}, name


def test_the_prior_is_the_mean_of_all_stored_reviews(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    ingest(store, [DEMO])
    (title,) = store.find_titles("Quiet Engines")
    page = pages.title_page(store, title.id)
    scored = [f.score for t in store.list_titles(None, 100) if t.parent_id is None
              for f in store.review_facts(t.id) if f.score is not None]  # fmt: skip
    c = sum(scored) / len(scored)
    n, m = page["reviews"] - page["unscored"], 10  # bayes_min_reviews
    want = (n * page["score_weighted"] + m * c) / (n + m)
    assert page["score_bayes"] == pytest.approx(want, abs=0.06)  # R is shown rounded
    assert store.mean_score() == pytest.approx(c)
    store.close()
