"""``critica eval``: benchmarks from files and folders, the baselines, the table, bad input."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from critica.cli.commands import app
from critica.errors import CriticaError
from critica.evaluation import benchmarks as ev

runner = CliRunner()

RAVES = [
    "A triumph: moving, funny and beautifully acted.",
    "One of the best films of the year, a joy from start to finish.",
    "Brilliant, heartfelt and superbly directed.",
    "A delightful, warm and wonderfully written comedy.",
    "Gorgeous to look at and a pleasure to watch.",
    "An unforgettable, gripping and deeply rewarding drama.",
]
PANS = [
    "Dull, overlong and badly acted.",
    "A tedious mess with a lazy script and no laughs.",
    "The worst film I have seen in years, boring and stupid.",
    "Clumsy, joyless and painfully slow.",
    "An ugly, witless and forgettable sequel.",
    "Terrible dialogue and a plot that makes no sense.",
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def polarity_file(tmp_path):
    rows = [{"text": t, "label": 1} for t in RAVES] + [{"text": t, "label": 0} for t in PANS]
    return write_jsonl(tmp_path / "polarity.jsonl", rows * 2)


@pytest.fixture
def quotes_file(tmp_path):
    path = tmp_path / "critic_reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["quote", "reviewState", "movieId"])
        for t in RAVES * 2:
            w.writerow([t, "fresh", "m1"])
        for t in PANS * 2:
            w.writerow([t, "rotten", "m1"])
        w.writerow(["", "fresh", "m1"])  # no quote: skipped, as in the real lists
    return path


def test_measure_accuracy_counts_unscored_as_wrong():
    assert ev._measure("polarity", [1.0, None, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]).value == 0.5


def test_measure_rating_mae_and_pearson():
    r = ev._measure("rating", [0.2, 0.4, 0.9], [0.1, 0.5, 0.8])
    assert r.value == pytest.approx(0.1)
    assert r.pearson == pytest.approx(0.9477, abs=1e-3)  # by hand: 0.24 / sqrt(0.26 * 0.2467)


def test_fine_bins_cover_the_scale():
    assert [ev._fine_bins(s) for s in (-1.0, -0.5, 0.0, 0.5, 1.0)] == [0, 1, 2, 3, 4]


def test_lexicon_scores_mapped_onto_ratings_by_training_data_only():
    b = ev.Benchmark("rating", "t", ["x"] * 2, [0.5, 0.5], ["y"] * 3, [0.0, 0.5, 1.0])
    # train: score -1 -> 0, 0 -> 0.5, 1 -> 1; the test gold plays no part
    assert ev._on_scale(b, [0.5, -0.5], [-1.0, 0.0, 1.0]) == pytest.approx([0.75, 0.25])


def test_folds_by_critic_when_groups_given():
    b = ev.Benchmark("rating", "t", list("abcd"), [0.0] * 4, groups=["x", "y", "x", "y"])
    folds = ev._folds(b)
    assert len(folds) == 2 and [f.tolist() for f in folds] == [
        [True, False, True, False],
        [False, True, False, True],
    ]


def test_limited_keeps_both_classes(polarity_file):
    b = ev.file_benchmark("polarity", polarity_file).limited(6)
    assert len(b.texts) == 6 and set(b.gold) == {0.0, 1.0}


def test_every_system_on_a_polarity_file(polarity_file):
    row = ev.run_benchmark(ev.file_benchmark("polarity", polarity_file))
    assert set(row.results) == set(ev.SYSTEMS)
    assert row.results["critica"].value == 1.0  # plain raves and pans
    for name in ev.SYSTEMS:
        r = row.results[name]
        assert r.value is not None and 0 <= r.value <= 1 and r.per_second > 0, name
    data = row.to_dict()
    assert data["n"] == 24 and data["systems"]["VADER"]["reviews_per_second"] > 0


def test_rt_quotes_file(quotes_file):
    b = ev.file_benchmark("rt-quotes", quotes_file)
    assert len(b.texts) == 24 and sum(b.gold) == 12
    row = ev.run_benchmark(b, systems=("critica", "VADER"))
    assert row.results["critica"].value >= 0.9


def test_rating_file_cross_validates_by_critic(tmp_path):
    rows = [
        {"critic": c, "text": t, "rating": r}
        for c in ("a", "b")
        for t, r in [(RAVES[0], 0.9), (PANS[0], 0.1), (RAVES[1], 0.8), (PANS[1], 0.2)]
    ]
    b = ev.file_benchmark("rating", write_jsonl(tmp_path / "scale.jsonl", rows))
    assert b.groups == ["a"] * 4 + ["b"] * 4
    row = ev.run_benchmark(b)
    assert row.results["critica"].value < 0.3
    assert row.results["VADER"].pearson > 0.5


def test_subjectivity_vader_marked_not_applicable(tmp_path):
    rows = [{"text": "The film follows a man who moves to Paris.", "label": 0}] * 3 + [
        {"text": "A gorgeous, moving film.", "label": 1}
    ] * 3
    row = ev.run_benchmark(
        ev.file_benchmark("subjectivity", write_jsonl(tmp_path / "s.jsonl", rows))
    )
    assert row.results["VADER"].value is None and "subjectivity" in row.results["VADER"].missing
    assert row.results["critica"].value is not None


def test_markdown_table(polarity_file):
    rows = [ev.run_benchmark(ev.file_benchmark("polarity", polarity_file), ("critica",))]
    md = ev.markdown(rows)
    assert md.splitlines()[0].startswith("| task | dataset | n | metric | critica")
    assert "| polarity | polarity.jsonl | 24 | accuracy | 100.0% |" in md


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "not JSON Lines"),
        ('{"text": "fine"}\n', "has no label"),
        ('{"text": "fine", "label": 7}\n', r"expected one of \[0, 1\]"),
        ("", "holds no examples"),
    ],
)
def test_bad_polarity_files(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CriticaError, match=message):
        ev.file_benchmark("polarity", path)


def test_bad_rating_value(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", [{"text": "ok", "rating": 7}])
    with pytest.raises(CriticaError, match="from 0 to 1"):
        ev.file_benchmark("rating", path)


def test_csv_without_quotes(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("title,score\nx,1\n", encoding="utf-8")
    with pytest.raises(CriticaError, match=r"critic_reviews\.csv"):
        ev.file_benchmark("rt-quotes", path)


def test_unknown_task_and_missing_paths(tmp_path):
    with pytest.raises(CriticaError, match="unknown task"):
        ev.file_benchmark("sarcasm", tmp_path / "x.jsonl")
    with pytest.raises(CriticaError, match="does not exist"):
        ev.file_benchmark("polarity", tmp_path / "missing.jsonl")
    with pytest.raises(CriticaError, match="none of the datasets"):
        ev.folder_benchmarks(tmp_path)


def test_cli_table_and_json(polarity_file):
    result = runner.invoke(app, ["eval", "--task", "polarity", str(polarity_file)])
    assert result.exit_code == 0, result.output
    assert "VADER" in result.output and "TF-IDF + LR" in result.output
    result = runner.invoke(app, ["eval", "--task", "polarity", str(polarity_file), "--json"])
    data = json.loads(result.stdout)
    assert data[0]["systems"]["critica"]["value"] == 1.0


def test_cli_writes_markdown(polarity_file, tmp_path):
    out = tmp_path / "accuracy.md"
    result = runner.invoke(
        app, ["eval", "--task", "polarity", str(polarity_file), "--markdown", str(out)]
    )
    assert result.exit_code == 0 and out.read_text().startswith("| task |")


def test_cli_unwritable_markdown(polarity_file, tmp_path):
    target = tmp_path / "no-such-dir" / "accuracy.md"
    result = runner.invoke(
        app, ["eval", "--task", "polarity", str(polarity_file), "--markdown", str(target)]
    )
    assert result.exit_code != 0 and "choose a writable path" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --data"),
        (["x.jsonl"], "--task"),
        (["--task", "polarity", "missing.jsonl"], "does not exist"),
    ],
)
def test_cli_bad_arguments(args, message):
    result = runner.invoke(app, ["eval", *args])
    assert result.exit_code != 0 and message in result.output


def test_folder_finds_every_benchmark(datasets):
    benchmarks, skipped = ev.folder_benchmarks(datasets)
    names = [b.dataset for b in benchmarks]
    assert not skipped
    assert names == [
        "SST-2 dev",
        "SST-5 dev",
        "MR (10-fold CV)",
        "subjectivity, held-out fold",
        "IMDb held-out slice",
        "scale data (leave one critic out)",
        "Rotten Tomatoes quotes, pixar list",
        "Rotten Tomatoes quotes, dreamworks list",
    ]
    imdb = benchmarks[4]
    assert len(imdb.texts) == 2500 and not set(imdb.texts) & set(imdb.train_texts)
    subj = benchmarks[3]
    assert not set(subj.texts) & set(subj.train_texts)


def test_cli_on_the_datasets_folder(datasets):
    result = runner.invoke(app, ["eval", "--data", str(datasets), "--limit", "30", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data) == 8 and all(r["systems"]["critica"]["value"] is not None for r in data)
