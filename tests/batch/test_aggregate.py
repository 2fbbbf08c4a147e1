"""`critica aggregate`: per-title figures from partial sums agree with the store's title pages."""

from __future__ import annotations

import json
from collections import defaultdict

import pyarrow.parquet as pq
import pytest

from critica.aggregate import title_figures
from critica.batch import aggregate
from critica.errors import InputError
from critica.store.records import ReviewFacts

from .conftest import read_out


def _facts(rows: list[dict]) -> dict[str, list[ReviewFacts]]:
    by_title: dict[str, list[ReviewFacts]] = defaultdict(list)
    for n, row in enumerate(rows):
        analysis = json.loads(row["analysis"])
        mentions = [
            (m["name"], m["polarity"], s["text"])
            for s in analysis["sentences"]
            for m in s["aspects"]
        ]
        by_title[row["title"]].append(
            ReviewFacts(
                review_id=n,
                title_id=0,
                score=row["score"],
                fresh=row["fresh"],
                top_critic=bool(row["top_critic"]),
                weight=1.0,
                publication=row["publication"],
                critic=row["critic"],
                date=None,
                season=None,
                quote=row["quote"],
                aspects=mentions,
            )
        )
    return by_title


def test_figures_match_the_store_formulas_title_by_title(local_run):
    rows = [r for r in read_out(local_run[0]).to_pylist() if r["title"]]
    scores = [r["score"] for r in rows if r["score"] is not None]
    prior = sum(scores) / len(scores)
    table = aggregate(local_run[0], settings={"min_reviews_for_percent": 3})
    assert table.num_rows == 4
    facts = _facts(rows)
    for got in table.to_pylist():
        want = title_figures(
            facts[got["title"]],
            kind=got["kind"],
            title=got["title"],
            settings={"min_reviews_for_percent": 3},
            prior_mean=prior,
        )
        assert got["reviews"] == want["reviews"]
        assert got["percent_positive"] == want["percent_positive"]
        assert [got["percent_positive_low"], got["percent_positive_high"]] == want[
            "percent_positive_interval"
        ]
        for key in ("score_mean", "score_weighted", "band", "score_bayes", "publications"):
            assert got[key] == want[key], key
        assert got["controversy"] == pytest.approx(want["controversy"], abs=0.002)
        assert got["histogram"] == [b["count"] for b in want["histogram"]]
        assert got["top_critics_reviews"] == want["top_critics"]["reviews"]
        assert got["top_critics_percent_positive"] == want["top_critics"]["percent_positive"]
        assert got["badges"] == want["badges"]
        assert [(a["name"], a["mentions"], a["percent_positive"]) for a in got["aspects"]] == [
            (a["name"], a["mentions"], a["percent_positive"]) for a in want["aspects"]
        ]


def test_partitioning_does_not_change_the_figures(local_run, tmp_path):
    folder = tmp_path / "one-part"
    folder.mkdir()
    pq.write_table(read_out(local_run[0]), folder / "part-00000.parquet")
    assert aggregate(folder).equals(aggregate(local_run[0]))


def test_the_figures_file_is_written(local_run, tmp_path):
    table = aggregate(local_run[0], tmp_path / "titles.parquet")
    assert pq.read_table(tmp_path / "titles.parquet").equals(table)
    with pytest.raises(InputError, match="is a folder"):
        aggregate(local_run[0], tmp_path)


def test_a_folder_without_analyses_or_titles_is_a_clear_error(tmp_path, local_run):
    with pytest.raises(InputError, match="run `critica batch` first"):
        aggregate(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        aggregate(tmp_path / "nope")
    untitled = tmp_path / "untitled"
    untitled.mkdir()
    table = read_out(local_run[0])
    pq.write_table(table.filter(table.column("title").is_null()), untitled / "part-00000.parquet")
    with pytest.raises(InputError, match="--map title=COLUMN"):
        aggregate(untitled)
