"""The estimated share of fresh reviews (``figures.aggregate.estimated_share``) and its figures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critica.figures.aggregate import ESTIMATE_PRIOR, core_figures, estimated_share
from critica.store.records import ReviewFacts


def calibrated_evidence(rng: np.random.Generator, fresh: np.ndarray, strength: float) -> np.ndarray:
    """Log Bayes factors of a calibrated but weak classifier: N(+-s, 2s) is exactly its own LLR."""
    sign = np.where(fresh, 1.0, -1.0)
    return rng.normal(sign * strength, math.sqrt(2 * strength))


@pytest.mark.parametrize("share", [0.15, 0.3, 0.5, 0.8, 0.95])
def test_recovers_the_share_that_counting_calls_misses(share: float) -> None:
    rng = np.random.default_rng(7)
    fresh = rng.random(4000) < share
    evidence = calibrated_evidence(rng, fresh, 1.0)
    true_share = float(fresh.mean())
    estimate = estimated_share(0, 0, evidence)
    counted = float((evidence > 0).mean())  # each review called on its own evidence
    assert estimate == pytest.approx(true_share, abs=0.03)
    if abs(share - 0.5) > 0.2:  # far from even, counting pulls toward 50%
        assert abs(counted - true_share) > 0.1
        assert abs(estimate - true_share) < abs(counted - true_share) / 3


def test_known_reviews_alone_give_the_count() -> None:
    assert estimated_share(8, 2, [], lean=0.8) == pytest.approx(0.8)
    # All fresh: the prior's 1% share of a rotten pseudo-review keeps it a hair below 1.
    assert 0.99 < estimated_share(5, 0, [], lean=1.0) < 1.0
    assert estimated_share(0, 0, []) is None


def test_evidence_that_says_nothing_leaves_the_known_share_and_prior() -> None:
    assert estimated_share(3, 1, [0.0] * 50) == pytest.approx(
        (3 + ESTIMATE_PRIOR / 2) / (4 + ESTIMATE_PRIOR)
    )
    assert estimated_share(0, 0, [0.0] * 50) == pytest.approx(0.5)
    assert estimated_share(0, 0, [0.0] * 50, lean=0.8) == pytest.approx(0.8)


def test_overwhelming_evidence_counts_like_known_reviews() -> None:
    got = estimated_share(0, 0, [50.0] * 9 + [-50.0] * 3, lean=0.75)  # beyond the clip
    assert got == pytest.approx(0.75, abs=1e-6)


def test_few_reviews_never_reach_0_or_100() -> None:
    assert 0.0 < estimated_share(0, 0, [-8.0] * 5) < 0.2
    assert 0.8 < estimated_share(0, 0, [8.0] * 5) < 1.0


def test_a_small_title_leans_toward_its_count() -> None:
    # Three mildly rotten-leaning texts that were all called fresh: the evidence alone
    # would say 0%; the prior split as the count keeps the estimate from swinging there.
    weak = [-0.3] * 3
    assert estimated_share(0, 0, weak, lean=1.0) > estimated_share(0, 0, weak, lean=0.5)
    assert estimated_share(0, 0, weak, lean=1.0) > 0.5
    many = [-0.3] * 3000  # with many reviews the evidence decides, whatever the lean
    assert estimated_share(0, 0, many, lean=1.0) < 0.05


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-12, 12, allow_nan=False), max_size=30),
    st.integers(0, 5),
    st.integers(0, 5),
    st.floats(0, 12),
)
def test_more_evidence_for_fresh_never_lowers_the_estimate(evidence, fresh, rotten, extra):
    before = estimated_share(fresh, rotten, evidence)
    after = estimated_share(fresh, rotten, [*evidence, extra])
    assert after is not None and 0.0 < after < 1.0
    if before is not None:
        assert after >= before - 1e-9


def fact(
    i: int, fresh: bool, *, evidence: float | None, rating: float | None = None
) -> ReviewFacts:
    return ReviewFacts(
        review_id=i, title_id=1, score=75.0 if fresh else 40.0, fresh=fresh, top_critic=False,
        weight=1.0, publication=None, critic=None, date=None, season=None, quote=None, aspects=[],
        rating_score=rating, fresh_evidence=evidence,
    )  # fmt: skip


def test_core_figures_estimate_from_evidence_and_known_reviews() -> None:
    text = [fact(i, True, evidence=0.4) for i in range(6)] + [fact(6, False, evidence=-0.3)]
    rated = [fact(10, False, evidence=3.0, rating=40.0)]  # its rating decides, not its text
    stored_before_evidence = [fact(11, True, evidence=None)]
    got = core_figures(text + rated + stored_before_evidence, 5, 60.0)
    expected = estimated_share(1, 1, [0.4] * 6 + [-0.3], lean=7 / 9)
    assert got["percent_positive"] == round(100 * 7 / 9, 1)
    assert got["percent_positive_estimated"] == round(100 * expected, 1)
    # Weak evidence: the estimate sits nearer even than the counted calls.
    assert 50 < got["percent_positive_estimated"] < got["percent_positive"]


def test_core_figures_estimate_hidden_below_minimum() -> None:
    got = core_figures([fact(i, True, evidence=2.0) for i in range(4)], 5, 60.0)
    assert got["percent_positive"] is None and got["percent_positive_estimated"] is None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-30, 30, allow_nan=False).map(lambda e: round(e, 3)), max_size=120),
    st.integers(0, 4),
    st.integers(0, 4),
)
def test_small_and_large_group_paths_agree(evidence, fresh, rotten):
    import critica.figures.aggregate as aggregate

    small, large = aggregate.SMALL_GROUP, None
    try:
        aggregate.SMALL_GROUP = 10**9  # every group on plain floats
        on_floats = estimated_share(fresh, rotten, evidence)
        aggregate.SMALL_GROUP = -1  # every group through numpy
        large = estimated_share(fresh, rotten, evidence)
    finally:
        aggregate.SMALL_GROUP = small
    if on_floats is None:
        assert large is None
    else:
        assert large == pytest.approx(on_floats, abs=1e-9)
