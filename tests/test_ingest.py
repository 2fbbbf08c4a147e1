"""Ingest end to end: readers, the real analyzer, a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from critica.cli.commands import app
from critica.inputs.readers import ReadOptions
from critica.service.ingest import ingest
from critica.store import open_store

DEMO = Path(__file__).resolve().parents[1] / "critica" / "demo" / "reviews.jsonl"
runner = CliRunner()


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    yield s
    s.close()


def test_demo_reviews_ingest_once(store):
    rows = [json.loads(line) for line in DEMO.read_text().splitlines() if line.strip()]
    first = ingest(store, [DEMO])
    assert first.added == len(rows) and not first.rejected
    again = ingest(store, [DEMO])
    assert again.added == 0 and again.duplicates == len(rows)
    assert store.count_reviews() == len(rows)
    series = next(t for t in store.find_titles("Harbor Lights") if t.kind == "series")
    assert sorted(s.season for s in store.seasons(series.id)) == [1, 2]


def test_bad_rows_are_reported_and_good_ones_kept(store, tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = {"text": "A sharp, funny and moving film.", "title": "Film A", "critic": "Ann"}
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{broken",
                json.dumps({"title": "No text"}),
                json.dumps({**good, "critic": "Bob", "rating": "lots"}),
            ]
        )
        + "\n"
    )
    summary = ingest(store, [path])
    assert summary.added == 2 and len(summary.rejected) == 2
    assert any("rating 'lots'" in n for n in summary.notes)
    assert store.count_reviews() == 2


def test_cli_ingest_and_title(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = runner.invoke(app, ["ingest", str(DEMO), "--db", db])
    assert result.exit_code == 0 and "added" in result.output
    result = runner.invoke(app, ["title", "Quiet Engines", "--db", db, "--json"])
    data = json.loads(result.output)
    assert data["title"] == "Quiet Engines" and data["reviews"] == 4
    shown = runner.invoke(app, ["title", "Quiet Engines", "--db", db]).output
    assert data["consensus"]["text"].split()[0] in shown  # the line, then each claim and quote
    for claim in data["consensus"]["claims"]:
        assert f"{claim['text']} ({claim['support']} review" in " ".join(shown.split())
    missing = runner.invoke(app, ["title", "No Such Film", "--db", db])
    assert missing.exit_code != 0 and "no title" in missing.output


def test_ingest_with_title_option_for_plain_files(store, tmp_path):
    (tmp_path / "r1.txt").write_text("A gorgeous, tender film; the cast is superb.")
    (tmp_path / "r2.txt").write_text("A dull, lifeless slog with a lazy script.")
    summary = ingest(store, [tmp_path], ReadOptions(defaults={"title": "Film B", "critic": "Cy"}))
    assert summary.added == 2
    (title,) = store.find_titles("Film B")
    assert store.reviews_for_title(title.id)[1] == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"score": 1e9}, "score is 1000000000.0, outside 0..100"),
        ({"score": float("nan")}, "score is nan"),
        ({"score": "abc"}, "score: "),
        ({"confidence": 7}, "confidence is 7"),
        ({"model_version": ""}, "no model_version"),
    ],
)
def test_a_precomputed_analysis_is_checked_like_any_input(store, tmp_path, change, reason):
    """A bad `analysis` is a rejected row with its reason; the good rows are stored."""
    import critica

    good = critica.analyze("A tender, funny film; the cast is superb.").to_dict()
    rows = [
        {"id": "ok", "title": "Film A", "text": "A tender, funny film; the cast is superb.",
         "analysis": good},
        {"id": "bad", "title": "Film A", "text": "A dull, lifeless slog.",
         "analysis": {**good, **change}},
    ]  # fmt: skip
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = ingest(store, [path])
    assert summary.added == 1 and len(summary.rejected) == 1
    assert reason in summary.rejected[0].reason and ":2" in summary.rejected[0].source
    assert store.count_reviews() == 1
