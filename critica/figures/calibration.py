"""Per-critic and per-publication calibration, fitted on the reviews that carry a rating.

Two things are learnt from history (see docs/aggregator.md, "Calibration"):

- a **score map** ``rating ≈ intercept + slope · text score`` per critic and per
  publication, from its reviews that have both an explicit rating and a score
  from the text. It is a ridge fit pulled toward the global map (all rated
  reviews) by ``calibration_prior_strength`` pseudo-reviews, and only fitted
  from ``calibration_min_history`` rated reviews up; an unrated review by that
  critic then gets the rating the critic would likely have printed.
- a **leniency offset**: how many points the critic's (publication's) ratings
  sit above the mean rating that the *other* critics (publications) gave the
  same titles, shrunk toward 0 by the same pseudo-count, fitted from
  ``calibration_min_history`` shared titles up.

Pure functions over ``RatedReview`` and ``ReviewFacts``; the store loads them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from critica import config
from critica.errors import ConfigError
from critica.store.records import RatedReview, ReviewFacts

if TYPE_CHECKING:
    from critica.store.base import Store

Key = Callable[[RatedReview], str | None]


@dataclass(frozen=True)
class ScoreMap:
    """``rating ≈ intercept + slope · text score``, kept within 0-100."""

    intercept: float
    slope: float

    def __call__(self, text_score: float) -> float:
        return _clamp(self.intercept + self.slope * text_score)

    def to_dict(self) -> dict[str, float]:
        return {"intercept": round(self.intercept, 2), "slope": round(self.slope, 3)}


IDENTITY = ScoreMap(0.0, 1.0)


@dataclass(frozen=True)
class Profile:
    """What history says about one critic or publication."""

    rated: int  # rated reviews that also have a text score (the score map's history)
    shared_titles: int  # titles it rated that other critics / publications rated too
    score_map: ScoreMap | None  # None below the minimum history
    leniency: float | None  # points above the others' mean; None below the minimum history

    def to_dict(self) -> dict[str, Any]:
        return {
            "rated_reviews": self.rated,
            "shared_titles": self.shared_titles,
            "score_map": self.score_map.to_dict() if self.score_map else None,
            "leniency": None if self.leniency is None else round(self.leniency, 2),
        }


@dataclass(frozen=True)
class Options:
    """The fit's settings, checked."""

    min_history: int
    prior_strength: float


@dataclass(frozen=True)
class Calibration:
    """Fitted profiles by critic and publication name, and the global map they shrink toward."""

    options: Options
    global_map: ScoreMap
    rated: int
    critics: dict[str, Profile]
    publications: dict[str, Profile]

    def _pick(self, critic: str | None, publication: str | None, field: str) -> Any:
        """A critic's fitted value when it has one, else its publication's."""
        for table, name in ((self.critics, critic), (self.publications, publication)):
            found = table.get(name) if name else None
            if found is not None and getattr(found, field) is not None:
                return getattr(found, field)
        return None

    def adjust(
        self,
        critic: str | None,
        publication: str | None,
        score: float | None,
        rating_score: float | None,
        text_score: float | None,
    ) -> float | None:
        """One review's score on the common scale: own-scale score minus its leniency."""
        lean = self._pick(critic, publication, "leniency") or 0.0
        if rating_score is not None:
            return _clamp(rating_score - lean)
        score_map: ScoreMap | None = self._pick(critic, publication, "score_map")
        if score_map is None or text_score is None:
            return score  # no history: the text's score as it was
        return _clamp(score_map(text_score) - lean)

    def adjusted(self, fact: ReviewFacts) -> float | None:
        """The review's score on the common scale (``adjust`` for a stored review)."""
        return self.adjust(
            fact.critic, fact.publication, fact.score, fact.rating_score, fact.text_score
        )

    def apply(self, facts: list[ReviewFacts]) -> list[ReviewFacts]:
        """``facts`` with every score replaced by its adjusted score."""
        return [replace(f, score=self.adjusted(f)) for f in facts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_history": self.options.min_history,
            "prior_strength": self.options.prior_strength,
            "rated_reviews": self.rated,
            "global_map": self.global_map.to_dict(),
        }


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value))


def options(settings: dict[str, Any] | None = None) -> Options:
    """The calibration settings from ``settings`` (else the configured ones), checked."""
    s = {**config.settings(), **(settings or {})}
    least, strength = s["calibration_min_history"], s["calibration_prior_strength"]
    if isinstance(least, bool) or not isinstance(least, int) or least < 2:
        raise ConfigError(
            f"calibration_min_history must be a whole number >= 2 (a slope needs two reviews), "
            f"not {least!r}; set CRITICA_CALIBRATION_MIN_HISTORY=10 or unset it"
        )
    if (
        isinstance(strength, bool)
        or not isinstance(strength, int | float)
        or not math.isfinite(strength)
        or strength < 0
    ):
        raise ConfigError(
            f"calibration_prior_strength must be a finite number >= 0 (pseudo-reviews), "
            f"not {strength!r}; set CRITICA_CALIBRATION_PRIOR_STRENGTH=10 or unset it"
        )
    return Options(least, float(strength))


def least_squares(pairs: list[tuple[float, float]]) -> ScoreMap | None:
    """The ordinary least-squares line through (x, y) pairs; None when x does not vary."""
    n = len(pairs)
    if n < 2:
        return None
    mx, my = sum(x for x, _ in pairs) / n, sum(y for _, y in pairs) / n
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    if sxx <= 1e-9:
        return None
    slope = sum((x - mx) * (y - my) for x, y in pairs) / sxx
    return ScoreMap(my - slope * mx, slope)


def shrunk_map(
    pairs: list[tuple[float, float]], prior: ScoreMap, strength: float, spread: float
) -> ScoreMap:
    """A ridge fit of the pairs pulled toward ``prior`` by ``strength`` pseudo-reviews.

    Centred at the pairs' mean text score x̄, the fit's level there is
    (n·ȳ + k·prior(x̄)) / (n + k) and its slope (Sxy + k·s²·b₀) / (Sxx + k·s²),
    where s² (``spread``) is the text scores' variance over all rated reviews:
    the k pseudo-reviews are spread like real ones and lie on the prior line.
    """
    n = len(pairs)
    mx, my = sum(x for x, _ in pairs) / n, sum(y for _, y in pairs) / n
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    level = (n * my + strength * (prior.intercept + prior.slope * mx)) / (n + strength)
    pseudo = strength * spread
    slope = (sxy + pseudo * prior.slope) / (sxx + pseudo) if sxx + pseudo > 0 else prior.slope
    return ScoreMap(level - slope * mx, slope)


def leniency_offsets(
    history: list[RatedReview], key: Key, strength: float
) -> dict[str, tuple[int, float]]:
    """Per name: (shared titles, shrunk mean of its rating minus the others' mean rating).

    Each name's ratings of a title are averaged first, so a publication with three
    critics on one film counts once; a title counts only when another name rated it.
    """
    by_title: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in history:
        if (name := key(r)) is not None:
            by_title[r.title_id][name].append(r.rating)
    gaps: dict[str, list[float]] = defaultdict(list)
    for ratings in by_title.values():
        if len(ratings) < 2:
            continue
        means = {name: sum(v) / len(v) for name, v in ratings.items()}
        total, others = sum(means.values()), len(means) - 1
        for name, mean in means.items():
            gaps[name].append(mean - (total - mean) / others)
    return {name: (len(g), sum(g) / (len(g) + strength)) for name, g in gaps.items()}


def _profiles(
    history: list[RatedReview], key: Key, prior: ScoreMap, spread: float, opts: Options
) -> dict[str, Profile]:
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in history:
        if (name := key(r)) is not None and r.text_score is not None:
            pairs[name].append((r.text_score, r.rating))
    offsets = leniency_offsets(history, key, opts.prior_strength)
    out = {}
    for name in sorted(set(pairs) | set(offsets)):
        own = pairs.get(name, [])
        shared, lean = offsets.get(name, (0, 0.0))
        enough = len(own) >= opts.min_history
        out[name] = Profile(
            rated=len(own),
            shared_titles=shared,
            score_map=shrunk_map(own, prior, opts.prior_strength, spread) if enough else None,
            leniency=lean if shared >= opts.min_history else None,
        )
    return out


def fit(history: Iterable[RatedReview], settings: dict[str, Any] | None = None) -> Calibration:
    """Score maps and leniency offsets for every critic and publication with enough history."""
    opts = options(settings)
    rows = [r for r in history if math.isfinite(r.rating)]
    pairs = [(r.text_score, r.rating) for r in rows if r.text_score is not None]
    fitted = least_squares(pairs) if len(pairs) >= opts.min_history else None
    global_map = fitted or IDENTITY
    n = len(pairs)
    mean = sum(x for x, _ in pairs) / n if n else 0.0
    spread = sum((x - mean) ** 2 for x, _ in pairs) / n if n else 0.0
    return Calibration(
        options=opts,
        global_map=global_map,
        rated=n,
        critics=_profiles(rows, lambda r: r.critic, global_map, spread, opts),
        publications=_profiles(rows, lambda r: r.publication, global_map, spread, opts),
    )


_FITTED: dict[tuple[str, tuple[int, str], Options], Calibration] = {}
_KEEP = 8  # fitted calibrations kept (one per store and settings in practice)


def for_store(store: Store, settings: dict[str, Any] | None = None) -> Calibration:
    """The calibration fitted on ``store``'s history, refitted only when an analysis changed."""
    opts = options(settings)
    key = (store.url, store.history_stamp(), opts)
    if (found := _FITTED.get(key)) is None:
        found = fit(store.rating_history(), settings)
        if len(_FITTED) >= _KEEP:
            _FITTED.pop(next(iter(_FITTED)))
        _FITTED[key] = found
    return found
