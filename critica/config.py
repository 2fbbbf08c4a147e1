"""Settings in one place: name, default, help. Each can be set by environment variable.

``CRITICA_<NAME>`` (upper case) overrides the default; a bad value fails at
start-up with a message naming the variable and what it accepts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from critica.errors import ConfigError
from critica.rules import yes_no


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"CRITICA_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "max_input_bytes", 50_000_000, "Largest review input accepted, in bytes (text or HTML)."
    ),
    Setting(
        "max_analyzed_chars",
        200_000,
        "Cleaned text longer than this is cut, with a warning, before analysis.",
    ),
    Setting("fetch_timeout", 10.0, "Seconds to wait for a review URL before giving up."),
    Setting(
        "fetch_private_hosts",
        False,
        "Allow fetching URLs on loopback or private network addresses.",
    ),
    Setting(
        "max_request_bytes",
        10_000_000,
        "Largest HTTP request body the API and web forms accept, in bytes (413 beyond).",
    ),
    Setting(
        "request_timeout",
        120.0,
        "Seconds an API or web request may take before it is answered with 503.",
    ),
    Setting(
        "cors_origins",
        "",
        "Comma-separated origins allowed to call the API from a browser (empty: CORS off).",
    ),
    Setting("threads", 0, "Threads for model inference (0: all cores)."),
    Setting("batch_size", 64, "Reviews analysed per batch by analyze_many."),
    Setting(
        "min_english_confidence",
        0.5,
        "Below this language-ID confidence for English a text is left unscored.",
    ),
    Setting(
        "fresh_threshold",
        60.0,
        "Score at or above which a review with an explicit rating counts as fresh.",
    ),
    Setting(
        "database_url",
        "",
        "Store URL (sqlite:///path or postgresql://...); "
        "empty: critica.db in the user data directory.",
    ),
    Setting("min_reviews_for_percent", 5, "Reviews a title needs before its % positive is shown."),
    Setting(
        "bayes_min_reviews",
        10,
        "m in IMDb's weighted rating: reviews a title needs to count fully when ranking.",
    ),
    Setting(
        "bayes_prior_score",
        0.0,
        "C in IMDb's weighted rating (0: the mean score of all stored reviews, the same on "
        "every page, list, API and CLI view; in `critica aggregate`, of all the reviews "
        "aggregated).",
    ),
    Setting(
        "calibrated_scores",
        False,
        "Title scores use per-critic calibration and publication leniency offsets "
        "(docs/aggregator.md).",
    ),
    Setting(
        "calibration_min_history",
        10,
        "Rated reviews (for the score map) or titles shared with other outlets (for the "
        "leniency offset) a critic or publication needs before calibration is fitted for it.",
    ),
    Setting(
        "calibration_prior_strength",
        10.0,
        "Pseudo-reviews pulling a fitted score map toward the global map "
        "and a leniency offset toward 0.",
    ),
    Setting("badge_fresh_percent", 75.0, "Certified-Fresh-style badge: minimum % positive."),
    Setting(
        "badge_fresh_min_reviews_film",
        80,
        "Certified-Fresh-style badge: minimum reviews for a film.",
    ),
    Setting(
        "badge_fresh_min_reviews_season",
        20,
        "Certified-Fresh-style badge: minimum reviews for a TV season or series.",
    ),
    Setting(
        "badge_fresh_min_top_critics", 5, "Certified-Fresh-style badge: minimum top-critic reviews."
    ),
    Setting("badge_must_see_score", 81.0, "Must-See-style badge: minimum weighted score."),
    Setting(
        "badge_must_see_min_publications",
        15,
        "Must-See-style badge: minimum distinct publications.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: str) -> Any:
    kind = type(setting.default)
    try:
        if kind is bool:
            if (flag := yes_no(raw)) is None:
                raise ValueError(raw)
            return flag
        return kind(raw)
    except ValueError:
        raise ConfigError(
            f"{setting.env}={raw!r} is not a valid {kind.__name__}; {setting.help} "
            f"Unset it to use the default ({setting.default!r})."
        ) from None


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """Current settings: defaults overridden by ``CRITICA_*`` environment variables."""
    values = {}
    for s in SETTINGS:
        raw = os.environ.get(s.env)
        values[s.name] = s.default if raw is None else _coerce(s, raw)
    return values


def get(name: str) -> Any:
    """One setting's current value."""
    if name not in _BY_NAME:
        raise ConfigError(f"unknown setting {name!r}; known settings: {sorted(_BY_NAME)}")
    return settings()[name]
