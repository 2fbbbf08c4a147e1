"""`critica aggregate`: per-title figures from partial sums agree with the store's title pages."""

from __future__ import annotations

import json
from collections import defaultdict

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critica.batch import aggregate
from critica.batch.aggregate import (
    ASPECT_KEYS,
    ASPECT_SUMS,
    COLUMNS,
    EVIDENCE_KEYS,
    EVIDENCE_SUMS,
    KEYS,
    SUMS,
    figures_from_sums,
    partial,
    sum_partials,
)
from critica.batch.partition import SCHEMA
from critica.errors import InputError
from critica.figures.aggregate import estimated_share, title_figures
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
                rating_score=row["rating_score"],
                fresh_evidence=row["fresh_evidence"],
                text_score=row["text_score"],
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
        assert got["percent_positive_estimated"] == want["percent_positive_estimated"]
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


ROW_FIELDS = COLUMNS  # the columns a part's figures are read from
# Property: the figures do not depend on how the reviews were cut into parts, and stay in range.
ROW = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["A", "B", "C"]),
        "kind": st.just("film"),
        "reviewer": st.sampled_from([None, "critic", "audience"]),
        "publication": st.sampled_from([None, "P1", "P2", "P3"]),
        "top_critic": st.sampled_from([None, True, False]),
        "score": st.none() | st.floats(0, 100, allow_nan=False),
        "fresh": st.sampled_from([None, True, False]),
        "rating_score": st.none() | st.sampled_from([20.0, 80.0]),
        "fresh_evidence": st.none() | st.floats(-8, 8).map(lambda e: round(e, 3)),
        "aspects": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["acting", "story"]), "polarity": st.floats(-1, 1)}
            ),
            max_size=2,
            unique_by=lambda a: a["name"],
        ),
    }
)


PARTIAL_SCHEMA = pa.schema([SCHEMA.field(name) for name in ROW_FIELDS])


def _figures(chunks: list[list[dict]]) -> list[dict]:
    partials = [partial(pa.Table.from_pylist(c, schema=PARTIAL_SCHEMA), 60.0) for c in chunks]
    main = sum_partials(pa.concat_tables([p[0] for p in partials]), KEYS, SUMS)
    aspects = sum_partials(pa.concat_tables([p[1] for p in partials]), ASPECT_KEYS, ASPECT_SUMS)
    evidence = sum_partials(
        pa.concat_tables([p[2] for p in partials]), EVIDENCE_KEYS, EVIDENCE_SUMS
    )
    return figures_from_sums(main, aspects, evidence, {"min_reviews_for_percent": 1}).to_pylist()


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=40), st.integers(1, 8))
def test_figures_are_the_same_however_the_parts_are_cut(rows, size):
    whole = _figures([rows])
    cut = _figures([rows[i : i + size] for i in range(0, len(rows), size)])
    for a, b in zip(whole, cut, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], abs=0.051), key
            else:
                assert a[key] == b[key], key
        if a["percent_positive"] is not None:
            low, high = a["percent_positive_low"], a["percent_positive_high"]
            assert 0 <= low <= a["percent_positive"] <= high <= 100
        assert sum(a["histogram"]) == a["reviews"] - a["unscored"]


def test_the_audience_is_counted_apart_and_the_gap_carried():
    def row(title: str, score: float, who: str | None) -> dict:
        blank = dict.fromkeys(
            ("publication", "top_critic", "fresh_evidence", "critic", "text_score")
        )
        return {**blank, "title": title, "kind": "film", "reviewer": who, "score": score,
                "fresh": score >= 60, "rating_score": score, "aspects": []}  # fmt: skip

    rows = [row("A", 90.0, "critic") for _ in range(6)] + [row("A", 80.0, None)]
    rows += [row("A", 10.0 * i, "audience") for i in range(10)]  # 4 of 10 at 60 or more
    rows += [row("B", 30.0, None) for _ in range(5)]  # critics only
    rows += [row("C", 95.0, "audience") for _ in range(5)]  # the audience only
    a, b, c = _figures([rows[:9], rows[9:]])
    assert (a["reviews"], a["percent_positive"], a["score_mean"]) == (
        7,
        100.0,
        pytest.approx(88.6, abs=0.05),
    )
    assert (a["audience_reviews"], a["audience_percent_positive"]) == (10, 40.0)
    assert a["audience_score_mean"] == 45.0 and sum(a["audience_histogram"]) == 10
    assert a["gap_percent_positive"] == 60.0 and a["gap_low"] < 60.0 < a["gap_high"]
    assert a["split"] is True
    assert b["audience_reviews"] is None and b["gap_percent_positive"] is None
    assert c["reviews"] == 0 and c["percent_positive"] is None and c["audience_reviews"] == 5
    assert c["gap_percent_positive"] is None  # the critics have no % positive to compare


def test_parts_written_before_the_evidence_columns_still_aggregate(local_run, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    table = read_out(local_run[0])
    table = table.drop_columns(["rating_score", "fresh_evidence"])
    pq.write_table(table, old / "part-00000.parquet")
    settings = {"min_reviews_for_percent": 1}
    for got in aggregate(old, settings=settings).to_pylist():
        rows = [r for r in table.to_pylist() if r["title"] == got["title"]]
        scored = [r for r in rows if r["score"] is not None]
        fresh = sum(bool(r["fresh"]) for r in scored)
        # No evidence: every call is taken as it is, and the estimate is the count
        # (a hair inside 0% and 100%).
        count = estimated_share(fresh, len(scored) - fresh, [], lean=fresh / len(scored))
        assert count is not None and abs(count - fresh / len(scored)) < 0.01
        assert got["percent_positive_estimated"] == round(100 * count, 1)
