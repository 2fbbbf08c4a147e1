from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critica.figures.aggregate import controversy, histogram, title_figures, wilson_interval
from critica.store.records import ReviewFacts

Aspects = list[tuple[str, float, str]]


def fact(
    i: int,
    score: float | None,
    *,
    fresh: bool | None = None,
    top: bool = False,
    weight: float = 1.0,
    pub: str | None = None,
    season: int | None = None,
    when: date | None = None,
    aspects: Aspects | None = None,
) -> ReviewFacts:
    return ReviewFacts(
        i, 1, score, fresh, top, weight, pub or f"Pub {i}", f"Critic {i}", when, season, None,
        aspects or [],
    )  # fmt: skip


def figures(facts: list[ReviewFacts], kind: str = "film", **overrides: object) -> dict:
    return title_figures(facts, kind=kind, title="T", settings=dict(overrides))


@pytest.mark.parametrize(
    ("positive", "n", "lo", "hi"),
    [(8, 10, 49.0, 94.3), (0, 10, 0.0, 27.8), (10, 10, 72.2, 100.0), (50, 100, 40.4, 59.6)],
)
def test_wilson_interval_known_values(positive, n, lo, hi):
    got = wilson_interval(positive, n)
    assert got == (pytest.approx(lo, abs=0.05), pytest.approx(hi, abs=0.05))


def test_interval_reported_rounded():
    facts = [fact(i, 80 if i < 8 else 20) for i in range(10)]
    assert figures(facts)["percent_positive_interval"] == [49.0, 94.3]


@pytest.mark.parametrize(
    ("scores", "percent"),
    [
        ([80, 80, 80, 80], None),  # four scored reviews: too few to show
        ([80, 80, 80, 80, 20], 80.0),
        ([80, 80, 80, 80, None, None, None], None),  # unscored reviews do not count
        ([80, 80, 80, 20, 20, None], 60.0),
    ],
)
def test_percent_needs_min_reviews(scores, percent):
    got = figures([fact(i, s) for i, s in enumerate(scores)])
    assert got["percent_positive"] == percent
    assert got["reviews"] == len(scores)
    assert got["unscored"] == scores.count(None)
    assert (got["percent_positive_interval"] is None) == (percent is None)


def test_fresh_flag_beats_score():
    facts = [fact(i, 90, fresh=False) for i in range(5)]
    assert figures(facts)["percent_positive"] == 0.0


@pytest.mark.parametrize(
    ("scores", "weights", "mean", "weighted"),
    [
        ([90, 50], [3, 1], 70.0, 80.0),
        ([90, 50], [1, 1], 70.0, 70.0),
        ([90, 50], [0, 0], 70.0, 70.0),  # no usable weight: plain mean
        ([90, 50, 10], [1, 1, 0], 50.0, 70.0),
    ],
)
def test_weighted_vs_plain_mean(scores, weights, mean, weighted):
    got = figures(
        [fact(i, s, weight=w) for i, (s, w) in enumerate(zip(scores, weights, strict=True))]
    )
    assert (got["score_mean"], got["score_weighted"]) == (mean, weighted)


@pytest.mark.parametrize(
    ("score", "bin_index"),
    [(0, 0), (9.9, 0), (10, 1), (59.5, 5), (89.9, 8), (90, 9), (100, 9)],
)
def test_histogram_edges(score, bin_index):
    bins = histogram([score])
    assert [b["count"] for b in bins] == [int(i == bin_index) for i in range(10)]
    assert bins[0]["bin"] == "0-9" and bins[9]["bin"] == "90-100"


def test_band_of_weighted_score():
    got = figures([fact(1, 95, weight=9), fact(2, 20, weight=1)])
    assert got["score_weighted"] == 87.5 and got["band"] == "universal acclaim"


@pytest.mark.parametrize(
    ("prior_setting", "prior_mean", "expected"),
    [(70.0, 60.0, 75.0), (0.0, 60.0, 70.0), (0.0, 50.0, 65.0)],
)
def test_bayes_formula(prior_setting, prior_mean, expected):
    facts = [fact(i, 80) for i in range(10)]
    got = title_figures(
        facts, kind="film", title="T", prior_mean=prior_mean,
        settings={"bayes_min_reviews": 10, "bayes_prior_score": prior_setting},
    )  # fmt: skip
    assert got["score_bayes"] == expected  # (10·80 + 10·C) / 20


def fresh_title(n: int, top: int, fresh_share: float = 1.0) -> list[ReviewFacts]:
    fresh = round(n * fresh_share)
    return [fact(i, 90 if i < fresh else 30, top=i < top) for i in range(n)]


@pytest.mark.parametrize(
    ("kind", "n", "top", "share", "certified"),
    [
        ("film", 80, 5, 1.0, True),
        ("film", 79, 5, 1.0, False),
        ("film", 80, 4, 1.0, False),
        ("film", 80, 5, 0.75, True),  # exactly the % threshold
        ("film", 80, 5, 0.7375, False),
        ("season", 20, 5, 1.0, True),
        ("season", 19, 5, 1.0, False),
        ("series", 20, 5, 1.0, True),
        ("episode", 100, 10, 1.0, False),
    ],
)
def test_certified_fresh_thresholds(kind, n, top, share, certified):
    got = figures(fresh_title(n, top, share), kind=kind)
    assert ("certified_fresh" in got["badges"]) is certified


@pytest.mark.parametrize(
    ("score", "publications", "must_see"),
    [(81, 15, True), (81, 14, False), (80.9, 15, False), (95, 30, True)],
)
def test_must_see_thresholds(score, publications, must_see):
    facts = [fact(i, score, pub=f"P{i % publications}") for i in range(30)]
    assert ("must_see" in figures(facts)["badges"]) is must_see


def test_badge_rules_are_configurable():
    rules = {"badge_fresh_min_reviews_film": 3, "badge_fresh_min_top_critics": 1}
    got = figures(fresh_title(3, 1), min_reviews_for_percent=3, **rules)
    assert "certified_fresh" in got["badges"]


def test_top_critics_figures():
    facts = [fact(i, 90 if i < 4 else 20, top=i % 2 == 0) for i in range(10)]
    top = figures(facts)["top_critics"]
    assert top["reviews"] == 5 and top["percent_positive"] == 40.0 and top["score_mean"] == 48.0


def test_aspect_figures_and_evidence_order():
    facts = [
        fact(1, 80, aspects=[("acting", 0.9, "a"), ("acting", 0.2, "a2"), ("story", -0.4, "s1")]),
        fact(2, 70, aspects=[("acting", 0.5, "b")]),
        fact(3, 60, aspects=[("acting", 0.7, "c")]),
        fact(4, 50, aspects=[("acting", 0.3, "d")]),
        fact(5, 40, aspects=[("acting", -0.8, "e"), ("story", -0.9, "s2")]),
        fact(6, 30),
    ]
    by_name = {a["name"]: a for a in figures(facts)["aspects"]}
    acting = by_name["acting"]
    assert acting["mentions"] == 5 and acting["share"] == pytest.approx(5 / 6, abs=1e-3)
    assert acting["percent_positive"] == 80.0
    assert acting["polarity"] == pytest.approx((0.55 + 0.5 + 0.7 + 0.3 - 0.8) / 5, abs=1e-3)
    assert [e["text"] for e in acting["evidence"]["positive"]] == ["a", "c", "b"]  # one per review
    assert [e["review_id"] for e in by_name["story"]["evidence"]["negative"]] == [5, 1]
    assert figures(facts)["aspects"][0]["name"] == "acting"  # most discussed first


def test_seasons_for_a_series():
    facts = [fact(i, 80, season=1) for i in range(5)] + [
        fact(10 + i, 40, season=2) for i in range(5)
    ]
    facts.append(fact(99, 70))  # no season: left out of the trend
    seasons = figures(facts, kind="series")["seasons"]
    assert [
        (s["season"], s["reviews"], s["percent_positive"], s["score_mean"]) for s in seasons
    ] == [
        (1, 5, 100.0, 80.0),
        (2, 5, 0.0, 40.0),
    ]
    assert figures(facts, kind="film")["seasons"] == []


def test_trend_by_month():
    facts = [fact(i, 80, when=date(2024, 1, 1 + i)) for i in range(5)]
    facts += [
        fact(10, 20, when=date(2024, 2, 3)),
        fact(11, None, when=date(2024, 2, 4)),
        fact(12, 50),
    ]
    trend = figures(facts)["trend"]
    assert [(t["month"], t["reviews"], t["percent_positive"], t["score_mean"]) for t in trend] == [
        ("2024-01", 5, 100.0, 80.0),
        ("2024-02", 2, None, 20.0),
    ]


@pytest.mark.parametrize(
    ("scores", "percent", "expected"),
    [([60] * 10, 100.0, 0.0), ([0] * 5 + [100] * 5, 50.0, 1.0), ([50, 70], None, None)],
)
def test_controversy(scores, percent, expected):
    assert controversy(scores, percent) == expected


def test_no_reviews():
    got = figures([])
    assert got["reviews"] == 0 and got["percent_positive"] is None and got["score_bayes"] is None
    assert got["band"] is None and got["badges"] == [] and got["aspects"] == []


scores = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40)
flags = st.lists(st.booleans(), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(flags)
def test_percent_in_range_and_interval(fresh):
    got = figures([fact(i, 50, fresh=f) for i, f in enumerate(fresh)])
    pct, interval = got["percent_positive"], got["percent_positive_interval"]
    if pct is not None:
        assert 0 <= interval[0] <= pct <= interval[1] <= 100


@settings(max_examples=60, deadline=None)
@given(flags)
def test_adding_a_fresh_review_never_lowers_percent(fresh):
    facts = [fact(i, 50, fresh=f) for i, f in enumerate(fresh)]
    before = figures(facts)["percent_positive"]
    after = figures([*facts, fact(999, 90, fresh=True)])["percent_positive"]
    assert before is None or after >= before


@settings(max_examples=60, deadline=None)
@given(scores, st.lists(st.floats(0, 10, allow_nan=False), min_size=40, max_size=40))
def test_weighted_mean_between_min_and_max(values, weights):
    got = figures(
        [
            fact(i, s, weight=w)
            for i, (s, w) in enumerate(zip(values, weights[: len(values)], strict=True))
        ]
    )
    # Figures are rounded to one decimal for display.
    assert min(values) - 0.05 <= got["score_weighted"] <= max(values) + 0.05
