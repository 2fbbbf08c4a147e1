"""A title's figures from its reviews: % positive, scores, histogram, aspects, badges, trends.

Functions over ``ReviewFacts``; the store loads the facts and the API and web
pages serve the dict this returns, so both show the same numbers. They read the
configured settings (``critica.config``) unless a ``settings`` dict overrides them,
so the same facts under other settings give other figures; nothing else is read.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from critica import config
from critica.figures.calibration import Calibration
from critica.rules import band_for, is_fresh, rounded, sigmoid
from critica.store.records import ReviewFacts

Z95 = 1.959964  # normal quantile for a two-sided 95% interval
EVIDENCE_PER_SIDE = 3
ESTIMATE_PRIOR = 2.0  # pseudo-reviews in the estimated share, split as the counted share
LEAN_LIMIT = 0.01  # ... which is kept within 1-99% for that split
EVIDENCE_CLIP = 20.0  # a text's log Bayes factor counts at most this much
SMALL_GROUP = 64  # up to this many reviews the estimate runs on plain floats
DEFAULT_PRIOR = 60.0  # C before any review is scored
SEASON_KINDS = frozenset({"series", "season"})  # episodes are never certified, as on RT


def _settings(overrides: dict[str, Any] | None) -> dict[str, Any]:
    return {**config.settings(), **(overrides or {})}


_r = rounded  # every figure's rounding, shared with the home list and batch


def wilson_interval(positive: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion, in percent."""
    if n <= 0:
        return (0.0, 100.0)
    p = positive / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def weighted_mean(scores: list[float], weights: list[float]) -> float | None:
    """Mean of scores by weight; the plain mean when no weight is positive (``Counts``)."""
    clean = _clean_weights(weights)
    return Counts(
        scored=len(scores),
        score_sum=sum(scores),
        weighted_sum=sum(s * w for s, w in zip(scores, clean, strict=True)),
        weight_total=sum(clean),
        score_min=min(scores, default=math.inf),
        score_max=max(scores, default=-math.inf),
    ).weighted


def _clean_weights(weights: list[float]) -> list[float]:
    """Publication weights as used: negative or non-finite ones count as 0."""
    return [max(0.0, w) if math.isfinite(w) else 0.0 for w in weights]


def population_std(scores: list[float]) -> float | None:
    """The scores' population standard deviation (two passes); None under two scores."""
    if len(scores) < 2:
        return None
    mean = sum(scores) / len(scores)
    return math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))


def estimated_share(
    known_fresh: int, known_rotten: int, evidence: Iterable[float], lean: float = 0.5
) -> float | None:
    """The share of a title's reviews that are fresh, estimated rather than counted (0-1).

    Reviews whose fresh/rotten is known (an explicit rating) count as they are;
    for a review called from its text alone, what the text tells is its
    ``fresh_evidence`` - a log Bayes factor, calibrated and free of any prior.
    The share is the prior that makes the reviews most likely, the fixed point
    of Saerens, Latinne and Decaestecker's EM ("Adjusting the outputs of a
    classifier to new a priori probabilities", 2002), found by bracketed Newton
    steps on the log-odds (the log-likelihood is concave in the share). A weak
    prior keeps a handful of text-called reviews from swinging it to 0% or 100%:
    ``ESTIMATE_PRIOR`` pseudo-reviews split as ``lean`` (the counted share; kept
    within 1-99%), so a small title's estimate leans toward its count, and with
    no review called from its text the estimate is the count itself (between 1%
    and 99%; just inside them beyond).

    Counting text calls is biased toward the middle: a mild pan that reads
    fresh-ish is called fresh at any title, so a title most critics disliked
    counts too many fresh reviews, and one they loved too few. The estimate
    weighs every review by how sure its text is, and moves toward the share
    that best explains all of them together.
    """
    given = evidence if isinstance(evidence, np.ndarray) else list(evidence)
    found = np.clip(np.asarray(given, dtype=np.float64), -EVIDENCE_CLIP, EVIDENCE_CLIP)
    if known_fresh + known_rotten + len(found) == 0:
        return None
    lean = min(1 - LEAN_LIMIT, max(LEAN_LIMIT, lean))
    fresh = known_fresh + ESTIMATE_PRIOR * lean
    rotten = known_rotten + ESTIMATE_PRIOR * (1 - lean)
    slope: Callable[[float], tuple[float, float]]
    if len(found) <= SMALL_GROUP:  # a month, a season: plain floats beat numpy's call cost

        def slope(pi: float) -> tuple[float, float]:
            first, second = fresh / pi - rotten / (1 - pi), -fresh / pi**2 - rotten / (1 - pi) ** 2
            for g in gains:
                ratio = g / (pi * g + 1.0)
                first += ratio
                second -= ratio * ratio
            return first, second

        gains = (np.exp(found) - 1.0).tolist()
        above, total = int((found > 0).sum()), len(found)
    else:
        # Stored evidence is rounded, so a big title has far fewer distinct values than reviews.
        values, counts = np.unique(found, return_counts=True)
        gain = np.exp(values) - 1.0

        def slope(pi: float) -> tuple[float, float]:  # d/dpi of the log-likelihood, d2/dpi2
            ratio = gain / (pi * gain + 1.0)
            first = fresh / pi - rotten / (1 - pi) + float(counts @ ratio)
            second = -fresh / pi**2 - rotten / (1 - pi) ** 2 - float(counts @ (ratio * ratio))
            return first, second

        above, total = int(counts @ (values > 0)), len(found)

    # Newton's method on the log-odds t = logit(pi), where the slope times pi(1 - pi) runs
    # smoothly from +fresh to -rotten with a single root: quadratic steps while they stay
    # inside a bracket that shrinks with every evaluation, bisection when one does not.
    lo, hi = -40.0, 40.0
    pi = (fresh + above) / (fresh + rotten + total)
    t = math.log(pi / (1 - pi))
    for _ in range(200):
        pi = sigmoid(t)
        first, second = slope(pi)
        if first > 0:
            lo = t
        else:
            hi = t
        turn = (1 - 2 * pi) * first + pi * (1 - pi) * second  # d/dt of pi(1-pi)*slope, / pi(1-pi)
        step = t - first / turn if turn < 0 else (lo + hi) / 2
        if abs(step - t) < 1e-10 or hi - lo < 1e-10:  # converged (a share to ~1e-11)
            t = step
            break
        t = step if lo < step < hi else (lo + hi) / 2
    return sigmoid(t)


@dataclass
class Counts:
    """What every headline figure is computed from: the sums a group of reviews reduces to.

    ``Counts.of`` builds them from stored facts (title pages, the home lists, API, CLI);
    ``critica aggregate`` builds them from summed batch partitions; both then go through
    ``headline``, so one title cannot show two sets of figures.
    """

    reviews: int = 0
    scored: int = 0
    positive: int = 0
    score_sum: float = 0.0
    weighted_sum: float = 0.0  # scores times their publications' weights (clean: >= 0)
    weight_total: float = 0.0
    score_min: float = math.inf
    score_max: float = -math.inf
    score_std: float | None = None  # population standard deviation; None under two scores
    known: int = 0  # scored reviews whose call is known (a rating, or stored without evidence)
    known_positive: int = 0
    evidence: np.ndarray = field(default_factory=lambda: np.zeros(0))  # the rest's evidence
    histogram: list[int] = field(default_factory=lambda: [0] * 10)

    @classmethod
    def of(cls, facts: list[ReviewFacts], threshold: float) -> Counts:
        scored = [f for f in facts if f.score is not None]
        scores = [float(f.score) for f in scored if f.score is not None]
        weights = _clean_weights([f.weight for f in scored])
        # Rated reviews (and analyses stored before there was evidence) count as called.
        by_text = [f for f in scored if f.rating_score is None and f.fresh_evidence is not None]
        known = [f for f in scored if f.rating_score is not None or f.fresh_evidence is None]
        return cls(
            reviews=len(facts),
            scored=len(scored),
            positive=sum(is_fresh(f, threshold) for f in scored),
            score_sum=sum(scores),
            weighted_sum=sum(s * w for s, w in zip(scores, weights, strict=True)),
            weight_total=sum(weights),
            score_min=min(scores, default=math.inf),
            score_max=max(scores, default=-math.inf),
            score_std=population_std(scores),
            known=len(known),
            known_positive=sum(is_fresh(f, threshold) for f in known),
            evidence=np.asarray([float(f.fresh_evidence or 0) for f in by_text], dtype=np.float64),
            histogram=bin_counts(scores),
        )

    @property
    def mean(self) -> float | None:
        return self.score_sum / self.scored if self.scored else None

    @property
    def weighted(self) -> float | None:
        """Mean score by publication weight; the plain mean when no weight is positive."""
        if not self.scored:
            return None
        if self.weight_total <= 0:
            return self.score_sum / self.scored
        value = self.weighted_sum / self.weight_total
        if self.score_min > self.score_max:
            return value  # no bounds known (summed batch partitions)
        # Float error can push the mean a hair outside [min, max]; a mean never leaves it.
        return min(max(value, self.score_min), self.score_max)


def core(c: Counts, min_reviews: int) -> dict[str, Any]:
    """Count, % positive (counted and estimated) with its interval, and mean score: the
    figures any group of reviews gets (a title, its top critics, a season, a month)."""
    n = c.scored
    shown = n >= max(1, min_reviews)
    lo, hi = wilson_interval(c.positive, n)
    estimate = None
    if shown:
        estimate = estimated_share(
            c.known_positive, c.known - c.known_positive, c.evidence, lean=c.positive / n
        )
    return {
        "reviews": c.reviews,
        "unscored": c.reviews - n,
        "percent_positive": _r(100 * c.positive / n) if shown else None,
        "percent_positive_interval": [_r(lo), _r(hi)] if shown else None,
        "percent_positive_estimated": _r(100 * estimate) if estimate is not None else None,
        "score_mean": _r(c.mean),
    }


def headline(c: Counts, settings: dict[str, Any], prior_mean: float | None) -> dict[str, Any]:
    """The headline figures of a title from its counts: ``core`` plus the weighted score, its
    band, the Bayesian score (C from ``bayes_prior``), the controversy index and the
    histogram's counts. The one place these are computed."""
    figures = core(c, int(settings["min_reviews_for_percent"]))
    weighted = c.weighted
    prior = bayes_prior(settings, prior_mean)
    # R is the weighted mean: the headline score, so the ranking agrees with the band.
    bayes = bayes_score(weighted, c.scored, float(settings["bayes_min_reviews"]), prior)
    pct = figures["percent_positive"]
    figures.update(
        score_weighted=_r(weighted),
        band=band_for(weighted) if weighted is not None else None,
        score_bayes=_r(bayes),
        controversy=controversy_from_std(c.score_std, pct)
        if pct is not None and c.score_std is not None
        else None,
        histogram_counts=list(c.histogram),
    )
    return figures


def core_figures(facts: list[ReviewFacts], min_reviews: int, threshold: float) -> dict[str, Any]:
    """``core`` over a list of facts."""
    return core(Counts.of(facts, threshold), min_reviews)


def histogram(scores: Iterable[float]) -> list[dict[str, Any]]:
    """Ten bins, 0-9 up to 90-100 (a perfect 100 falls in the last)."""
    return bins(bin_counts(scores))


def bin_counts(scores: Iterable[float]) -> list[int]:
    """How many scores fall in each of the ten bins (the one binning rule)."""
    counts = [0] * 10
    for s in scores:
        counts[min(9, max(0, int(s // 10)))] += 1
    return counts


def bins(counts: list[int]) -> list[dict[str, Any]]:
    """The histogram's ten counts as labelled bins."""
    return [
        {"bin": f"{10 * i}-{10 * i + (10 if i == 9 else 9)}", "lo": 10 * i, "count": c}
        for i, c in enumerate(counts)
    ]


def controversy(scores: list[float], percent_positive: float | None) -> float | None:
    """How split critics are, 0-1: sqrt(spread * balance).

    spread = population standard deviation of the scores / 50 (50 is the largest
    possible on a 0-100 scale); balance = 1 - |percent_positive - 50| / 50. The
    geometric mean needs both: scores bunched near the fresh line give a 50%
    split but no real disagreement, and a wide spread with 95% positive is a
    few outliers, not a divided press.
    """
    std = population_std(scores)
    return (
        None
        if percent_positive is None or std is None
        else controversy_from_std(std, percent_positive)
    )


def controversy_from_std(std: float, percent_positive: float) -> float:
    """The controversy index from the scores' population standard deviation (see above)."""
    spread = min(1.0, std / 50)
    balance = 1 - abs(percent_positive - 50) / 50
    return round(math.sqrt(spread * balance), 3)


def bayes_prior(settings: dict[str, Any], mean_score: float | None) -> float:
    """C in the Bayesian score: the ``bayes_prior_score`` setting, or when that is 0 the mean
    score of all reviews (the store's, or the batch's), or 60 before any review is scored.
    Every path that shows a ``score_bayes`` takes C from here."""
    given = float(settings["bayes_prior_score"])
    return given or (DEFAULT_PRIOR if mean_score is None else mean_score)


def bayes_score(mean: float | None, votes: int, m: float, prior: float) -> float | None:
    """IMDb's weighted rating (v/(v+m))·R + (m/(v+m))·C; None without a scored review."""
    if mean is None or votes <= 0:
        return None
    return (votes * mean + m * prior) / (votes + m)


def _review_polarity(fact: ReviewFacts) -> dict[str, float]:
    """Each aspect's mean polarity in one review, so a chatty review counts once."""
    found: dict[str, list[float]] = defaultdict(list)
    for name, polarity, _ in fact.aspects:
        found[name].append(max(-1.0, min(1.0, polarity)))
    return {name: sum(p) / len(p) for name, p in found.items()}


Mention = tuple[float, str, ReviewFacts]  # (polarity, sentence, review)


def _evidence(mentions: list[Mention], sign: int) -> list[dict[str, Any]]:
    """The strongest sentences of one sign on an aspect, one per review."""
    best: dict[int, Mention] = {}
    for polarity, text, f in mentions:
        strength = sign * polarity
        current = best.get(f.review_id)
        if strength > 0 and (current is None or strength > current[0]):
            best[f.review_id] = (strength, text, f)
    ranked = heapq.nsmallest(
        EVIDENCE_PER_SIDE, best.values(), key=lambda t: (-t[0], t[2].review_id)
    )
    return [
        {"review_id": f.review_id, "critic": f.critic, "text": text, "polarity": round(sign * s, 3)}
        for s, text, f in ranked
    ]


def aspect_figures(facts: list[ReviewFacts]) -> list[dict[str, Any]]:
    """Per aspect: mentions, share, % positive, mean polarity, evidence; most discussed first."""
    # One pass groups everything by aspect, so the cost grows with mentions, not aspects x mentions.
    per_review: dict[str, list[float]] = defaultdict(list)
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for f in facts:
        for name, value in _review_polarity(f).items():
            per_review[name].append(value)
        for name, polarity, text in f.aspects:
            mentions[name].append((polarity, text, f))
    out = []
    for name, values in per_review.items():
        out.append(
            {
                "name": name,
                "mentions": len(values),
                "share": round(len(values) / len(facts), 3),
                "percent_positive": round(100 * sum(v > 0 for v in values) / len(values), 1),
                "polarity": round(sum(values) / len(values), 3),
                "evidence": {
                    "positive": _evidence(mentions[name], 1),
                    "negative": _evidence(mentions[name], -1),
                },
            }
        )
    return sorted(out, key=lambda a: (-a["mentions"], a["name"]))


def badges(kind: str, figures: dict[str, Any], publications: int, s: dict[str, Any]) -> list[str]:
    """Badge names the figures earn under the configured rules."""
    earned = []
    pct, top = figures["percent_positive"], figures["top_critics"]
    scored = figures["reviews"] - figures["unscored"]
    needed = (
        s["badge_fresh_min_reviews_film"] if kind == "film" else s["badge_fresh_min_reviews_season"]
    )
    if (
        (kind == "film" or kind in SEASON_KINDS)
        and pct is not None
        and pct >= s["badge_fresh_percent"]
        and scored >= needed
        and top["reviews"] - top["unscored"] >= s["badge_fresh_min_top_critics"]
    ):
        earned.append("certified_fresh")
    weighted = figures["score_weighted"]
    if (
        weighted is not None
        and weighted >= s["badge_must_see_score"]
        and publications >= s["badge_must_see_min_publications"]
    ):
        earned.append("must_see")
    return earned


def _grouped(
    facts: list[ReviewFacts],
    key: Callable[[ReviewFacts], Hashable | None],
    label: str,
    s: dict[str, Any],
) -> list[dict[str, Any]]:
    """Core figures per group (season, month), in key order; facts without a key are left out."""
    groups: dict[Any, list[ReviewFacts]] = defaultdict(list)
    for f in facts:
        k = key(f)
        if k is not None:
            groups[k].append(f)
    threshold, least = s["fresh_threshold"], s["min_reviews_for_percent"]
    return [{label: k, **core_figures(groups[k], least, threshold)} for k in sorted(groups)]


def calibrated(
    facts: list[ReviewFacts], fitted: Calibration
) -> tuple[list[ReviewFacts], dict[str, Any]]:
    """Facts with leniency-adjusted / calibrated scores, and what the adjustment did."""
    adjusted = fitted.apply(facts)
    changed = sum(a.score != f.score for a, f in zip(adjusted, facts, strict=True))
    scored = [f for f in facts if f.score is not None]
    raw = weighted_mean([float(f.score or 0.0) for f in scored], [f.weight for f in scored])
    summary = {**fitted.to_dict(), "adjusted_reviews": changed, "score_weighted_raw": _r(raw)}
    return adjusted, summary


def title_figures(
    facts: list[ReviewFacts],
    *,
    kind: str,
    title: str,
    settings: dict[str, Any] | None = None,
    prior_mean: float | None = None,
    calibration: Calibration | None = None,
) -> dict[str, Any]:
    """Every figure a title page shows, as a JSON-ready dict.

    ``settings`` overrides the configured values; ``prior_mean`` is the mean score of all
    reviews (``Store.mean_score``), C in the Bayesian score unless ``bayes_prior_score``
    sets it (see ``bayes_prior``).
    With ``calibration`` every score figure uses the adjusted scores (% positive
    keeps the reviews' own fresh calls) and a ``calibration`` key says what changed.
    """
    summary = None
    if calibration is not None:
        facts, summary = calibrated(facts, calibration)
    s = _settings(settings)
    threshold, least = float(s["fresh_threshold"]), int(s["min_reviews_for_percent"])
    scored = [f for f in facts if f.score is not None]
    figures: dict[str, Any] = {
        "title": title,
        "kind": kind,
        **headline(Counts.of(facts, threshold), s, prior_mean),
    }
    top = [f for f in facts if f.top_critic]
    figures.update(
        top_critics=core_figures(top, least, threshold),
        histogram=bins(figures.pop("histogram_counts")),
        aspects=aspect_figures(facts),
    )
    publications = len({f.publication for f in scored if f.publication})
    figures["publications"] = publications
    figures["badges"] = badges(kind, figures, publications, s)
    figures["seasons"] = (
        _grouped(facts, lambda f: f.season, "season", s) if kind == "series" else []
    )
    figures["trend"] = _grouped(
        facts, lambda f: f.date.strftime("%Y-%m") if f.date else None, "month", s
    )
    if summary is not None:
        figures["calibration"] = summary
    return figures
