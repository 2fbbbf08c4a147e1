"""`critica aggregate --calibrated`: batch figures on the common scale match the store's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from critica.batch import aggregate
from critica.batch.aggregate import CALIBRATION_KEY
from critica.cli.commands import app
from critica.figures import calibration
from critica.figures.aggregate import title_figures
from critica.store import SQLStore, open_store
from critica.store.records import ReviewIn, TitleIn
from tests.store.conftest import make_analysis

from .conftest import read_out
from .test_aggregate import _facts

runner = CliRunner()
# Three of the demo's critics, none of whom prints a rating there: (publication, critic,
# points their ratings sit above the others', their text score minus their rating).
HISTORY = [
    ("Lumen Film Journal", "Hannah Brandt", 10.0, 0.0),
    ("The Open Screen", "Daniela Ruiz", 0.0, -8.0),
    ("Staticline", "Tobias Lindgren", 0.0, 0.0),
]
FILMS = 12
SETTINGS = {"min_reviews_for_percent": 3}


@pytest.fixture
def store(tmp_path: Path) -> SQLStore:
    """A store whose rated history fits score maps and leniency for the three critics."""
    opened = open_store(f"sqlite:///{tmp_path / 'history.db'}")
    for t in range(FILMS):
        film = opened.add_title(TitleIn(f"Earlier {t}", year=2000 + t)).id
        for pub, critic, lean, gap in HISTORY:
            rating = 40.0 + 4 * t + lean
            body = f"{critic} on earlier film {t}: it is what it is."
            analysis = make_analysis(body, score=rating, rating=rating, text_score=rating + gap)
            opened.add_review(ReviewIn(film, body, critic=critic, publication=pub), analysis)
    return opened


def test_calibrated_batch_figures_equal_the_store_formulas(local_run, store):
    fitted = calibration.for_store(store)
    assert fitted.critics["Hannah Brandt"].leniency == pytest.approx(
        10 * FILMS / (FILMS + 10)  # gap to the others, shrunk by k = 10
    )
    table = aggregate(local_run[0], settings=SETTINGS, calibration=fitted)
    rows = [r for r in read_out(local_run[0]).to_pylist() if r["title"]]
    facts = _facts(rows)
    every = [f for fs in facts.values() for f in fs]
    adjusted = [fitted.adjusted(f) for f in every]
    scored = [s for s in adjusted if s is not None]
    changed = sum(a != f.score for a, f in zip(adjusted, every, strict=True))
    assert changed >= 3 * 3  # the three critics' demo reviews, each three times over
    summary = json.loads(table.schema.metadata[CALIBRATION_KEY])
    assert summary["adjusted_reviews"] == changed and summary["rated_reviews"] == 3 * FILMS
    plain = {r["title"]: r for r in aggregate(local_run[0], settings=SETTINGS).to_pylist()}
    moved = 0
    for got in table.to_pylist():
        want = title_figures(
            facts[got["title"]],
            kind=got["kind"],
            title=got["title"],
            settings=SETTINGS,
            prior_mean=sum(scored) / len(scored),
            calibration=fitted,
        )
        for key in ("score_mean", "band", "score_bayes", "percent_positive"):
            assert got[key] == want[key], key
        assert got["percent_positive_estimated"] == want["percent_positive_estimated"]
        assert got["histogram"] == [b["count"] for b in want["histogram"]]
        assert got["controversy"] == pytest.approx(want["controversy"], abs=0.002)
        # % positive keeps the reviews' own calls; the scores move.
        assert got["percent_positive"] == plain[got["title"]]["percent_positive"]
        moved += got["score_mean"] != plain[got["title"]]["score_mean"]
    assert moved >= 2


def test_cli_calibrated_aggregate(local_run, store):
    result = runner.invoke(
        app, ["aggregate", str(local_run[0]), "--calibrated", "--db", store.url, "--json"]
    )
    assert result.exit_code == 0, result.output
    got = [json.loads(line) for line in result.output.splitlines()]
    want = aggregate(local_run[0], calibration=calibration.for_store(store)).to_pylist()
    assert got == want
    shown = runner.invoke(app, ["aggregate", str(local_run[0]), "--calibrated", "--db", store.url])
    assert (
        shown.exit_code == 0
        and "review scores adjusted (history: 36 rated reviews)" in shown.output
    )
    refused = runner.invoke(app, ["aggregate", str(local_run[0]), "--db", store.url])
    assert refused.exit_code != 0 and "--calibrated" in refused.output


def test_an_empty_history_changes_nothing(local_run, tmp_path):
    empty = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    fitted = calibration.for_store(empty)
    assert (
        aggregate(local_run[0], calibration=fitted).to_pylist()
        == aggregate(local_run[0]).to_pylist()
    )


def test_an_unopenable_history_store_is_a_clear_error(local_run, tmp_path):
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"
    result = runner.invoke(app, ["aggregate", str(local_run[0]), "--calibrated", "--db", missing])
    assert result.exit_code != 0 and "cannot open the store" in result.output
