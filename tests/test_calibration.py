"""Calibration fitted from rated history: score maps, leniency offsets, shrinkage, settings."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from critica import config
from critica.errors import ConfigError
from critica.figures.aggregate import title_figures
from critica.figures.calibration import (
    IDENTITY,
    Calibration,
    Options,
    Profile,
    ScoreMap,
    fit,
    options,
)
from critica.store.records import RatedReview, ReviewFacts

EXACT = {"calibration_min_history": 10, "calibration_prior_strength": 0.0}


def rated(title: int, rating: float, text: float | None, critic: str = "C", pub: str = "P"):
    return RatedReview(title, critic, pub, rating, text)


def line(critic: str, intercept: float, slope: float, n: int = 40) -> list[RatedReview]:
    """A critic whose ratings lie exactly on a line of the text score, one title each."""
    xs = [20 + 60 * i / (n - 1) for i in range(n)]
    pub = f"{critic} Post"
    return [rated(1000 + i, intercept + slope * x, x, critic, pub) for i, x in enumerate(xs)]


def fact(i: int, score: float | None, **fields: object) -> ReviewFacts:
    base = ReviewFacts(i, 1, score, None, False, 1.0, f"P{i}", f"C{i}", None, None, None, [])
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("intercept", "slope"), [(10.0, 0.8), (-5.0, 1.2), (30.0, 0.5)])
def test_fit_recovers_a_critics_line(intercept: float, slope: float) -> None:
    fitted = fit(line("Harsh", intercept, slope) + line("Other", 0.0, 1.0), EXACT)
    got = fitted.critics["Harsh"].score_map
    assert got is not None
    assert (got.intercept, got.slope) == (pytest.approx(intercept), pytest.approx(slope))
    assert fitted.publications["Harsh Post"].score_map == got  # one critic per publication here


def test_fit_recovers_a_publications_leniency() -> None:
    # 30 films; three outlets agree, "Kind Weekly" prints 8 points more on every one.
    history = [
        rated(t, 50 + t + (8 if p == "Kind Weekly" else 0), None, f"{p} critic", p)
        for t in range(30)
        for p in ("Kind Weekly", "A", "B", "C")
    ]
    fitted = fit(history, {"calibration_min_history": 10, "calibration_prior_strength": 10.0})
    kind = fitted.publications["Kind Weekly"]
    assert kind.shared_titles == 30
    assert kind.leniency == pytest.approx(8 * 30 / (30 + 10))  # shrunk by 10 pseudo-titles
    assert fitted.publications["A"].leniency == pytest.approx(-8 / 3 * 30 / 40)
    assert fitted.critics["Kind Weekly critic"].leniency == kind.leniency
    assert kind.score_map is None  # no text scores: nothing to map


def test_little_history_is_pulled_toward_the_global_map() -> None:
    crowd = line("Crowd", 0.0, 1.0, n=200)  # the global map is about the identity
    few = [rated(t, x + 20, x, "New", "New Post") for t, x in enumerate([30.0, 50.0, 70.0] * 4)]
    k = 12.0
    fitted = fit(crowd + few, {"calibration_min_history": 10, "calibration_prior_strength": k})
    new = fitted.critics["New"].score_map
    assert new is not None
    # At the critic's mean text score (50) the fit is (n·70 + k·global(50)) / (n + k).
    prior = fitted.global_map(50.0)
    assert prior == pytest.approx(50.0, abs=2.0)
    assert new(50.0) == pytest.approx((12 * 70 + k * prior) / (12 + k))
    assert new.slope == pytest.approx(1.0, abs=0.05)
    loose = fit(crowd + few, {"calibration_min_history": 10, "calibration_prior_strength": 0.0})
    assert loose.critics["New"].score_map(50.0) == pytest.approx(70.0)  # type: ignore[misc]


def test_below_the_minimum_history_nothing_is_fitted() -> None:
    few = [rated(t, x + 20, x, "New", "New Post") for t, x in enumerate([30.0, 50.0, 70.0])]
    fitted = fit(line("Crowd", 0.0, 1.0) + few, EXACT)
    assert fitted.critics["New"] == Profile(3, 0, None, None)
    review = fact(1, 40.0, critic="New", publication="New Post", text_score=40.0)
    assert fitted.adjusted(review) == 40.0  # the text's score as it was


def test_no_history_is_the_identity() -> None:
    fitted = fit([])
    assert fitted.global_map == IDENTITY and fitted.critics == {} and fitted.publications == {}
    facts = [fact(1, 70.0, text_score=70.0), fact(2, 30.0, rating_score=30.0), fact(3, None)]
    assert fitted.apply(facts) == facts


def test_adjusted_scores() -> None:
    fitted = Calibration(
        Options(10, 10.0),
        IDENTITY,
        100,
        critics={"Mapped": Profile(40, 0, ScoreMap(10.0, 0.5), None)},
        publications={
            "Lenient": Profile(0, 20, None, 10.0),
            "Mapped Post": Profile(0, 20, None, -4.0),
        },
    )
    cases = [
        (fact(1, 90.0, publication="Lenient", rating_score=90.0), 80.0),  # rating minus leniency
        (fact(2, 5.0, publication="Lenient", rating_score=5.0), 0.0),  # kept within 0-100
        (fact(3, 60.0, critic="Mapped", publication="Mapped Post", text_score=60.0), 44.0),
        (fact(4, 60.0, publication="Lenient", text_score=60.0), 60.0),  # no map: text as is
    ]
    for review, expected in cases:
        assert fitted.adjusted(review) == pytest.approx(expected)


def test_title_figures_use_calibration_only_when_asked() -> None:
    fitted = Calibration(
        Options(10, 10.0), IDENTITY, 100, critics={},
        publications={"Lenient": Profile(0, 20, None, 10.0)},
    )  # fmt: skip
    facts = [
        fact(1, 90.0, fresh=True, publication="Lenient", rating_score=90.0),
        fact(2, 70.0, fresh=True, rating_score=70.0),
        fact(3, 40.0, fresh=False, text_score=40.0),
    ]
    plain = title_figures(facts, kind="film", title="T")
    again = title_figures(facts, kind="film", title="T", calibration=None)
    assert plain == again and "calibration" not in plain
    assert plain["score_weighted"] == pytest.approx(200 / 3, abs=0.05)
    adjusted = title_figures(facts, kind="film", title="T", calibration=fitted)
    assert adjusted["score_weighted"] == pytest.approx(190 / 3, abs=0.05)
    assert adjusted["calibration"]["adjusted_reviews"] == 1
    assert adjusted["calibration"]["score_weighted_raw"] == plain["score_weighted"]
    assert adjusted["percent_positive"] == plain["percent_positive"]  # fresh calls stay


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("calibration_min_history", 1),
        ("calibration_min_history", "ten"),
        ("calibration_min_history", True),
        ("calibration_min_history", 2.5),
        ("calibration_prior_strength", -1.0),
        ("calibration_prior_strength", math.nan),
        ("calibration_prior_strength", math.inf),
        ("calibration_prior_strength", "strong"),
    ],
)
def test_nonsense_settings_are_refused_by_name(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=name):
        options({name: value})
    with pytest.raises(ConfigError, match=name):
        fit([], {name: value})


def test_nonsense_environment_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRITICA_CALIBRATION_PRIOR_STRENGTH", "-3")
    config.settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="CRITICA_CALIBRATION_PRIOR_STRENGTH"):
            options()
        monkeypatch.delenv("CRITICA_CALIBRATION_PRIOR_STRENGTH")
        monkeypatch.setenv("CRITICA_CALIBRATION_MIN_HISTORY", "lots")
        config.settings.cache_clear()
        with pytest.raises(ConfigError, match="CRITICA_CALIBRATION_MIN_HISTORY"):
            options()
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()
