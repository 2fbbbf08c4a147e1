"""Settings in one place: a pydantic-settings model with each setting's type, bounds, default
and help. Each can be set by environment variable.

``CRITICA_<NAME>`` (upper case) overrides the default; a bad value (wrong type, or out of
bounds) stops the first read of the settings with a message naming the variable, what it
accepts and how to go back to the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from critica.errors import ConfigError


class Settings(BaseSettings):
    """Every setting: type, bounds, default and help (``description``)."""

    model_config = SettingsConfigDict(env_prefix="CRITICA_", extra="ignore", frozen=True)

    max_input_bytes: int = Field(
        50000000, gt=0, description="Largest review input accepted, in bytes (text or HTML)."
    )
    max_analyzed_chars: int = Field(
        200000,
        gt=0,
        description="Cleaned text longer than this is cut, with a warning, before analysis.",
    )
    fetch_timeout: float = Field(
        10.0, gt=0, description="Seconds to wait for a review URL before giving up."
    )
    fetch_private_hosts: bool = Field(
        False, description="Allow fetching URLs on loopback or private network addresses."
    )
    collect_delay: float = Field(
        2.0,
        ge=0,
        description=(
            "`critica collect`: seconds between two requests to one host (a robots.txt "
            "Crawl-delay that asks for more wins)."
        ),
    )
    collect_contact: str = Field(
        "",
        description=(
            "`critica collect`: a URL or e-mail address where outlets can reach whoever runs "
            "this collector; it goes into the User-Agent."
        ),
    )
    collect_retries: int = Field(
        3, ge=0, description="`critica collect`: retries of a request answered 429 or 5xx."
    )
    collect_max_wait: float = Field(
        60.0,
        gt=0,
        description=(
            "`critica collect`: the longest Retry-After waited for within a pass; a source "
            "asking for more is tried again on a later pass."
        ),
    )
    collect_items: int = Field(
        50, gt=0, description="`critica collect`: new items read from one source in a pass."
    )
    max_request_bytes: int = Field(
        10000000,
        gt=0,
        description=(
            "Largest HTTP request body the API and web forms accept, in bytes (413 beyond)."
        ),
    )
    request_timeout: float = Field(
        120.0,
        gt=0,
        description="Seconds an API or web request may take before it is answered with 503.",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description=(
            "Seconds `critica serve` gives a client to send a request's headers (408 and "
            "closed beyond); a connection that sends nothing is closed after it too."
        ),
    )
    analysis_workers: int = Field(
        0,
        ge=0,
        description=(
            "Reviews `critica serve` analyses at once, in worker processes or threads of "
            "their own (0: one per core); reads never wait behind them."
        ),
    )
    analysis_processes: bool = Field(
        True,
        description=(
            "Run `critica serve`'s analyses in worker processes (one per analysis worker, "
            "each loading the models, about 400 MB), so they never hold the server's "
            "interpreter; off: on threads of the server's own process."
        ),
    )
    analysis_nice: int = Field(
        10,
        ge=0,
        le=19,
        description=(
            "How much lower (in nice steps) the CPU priority of `critica serve`'s analysis "
            "workers is than its reads' (0: the same)."
        ),
    )
    analysis_queue: int = Field(
        32,
        ge=0,
        description=(
            "Analyses that may wait for a worker; beyond that `critica serve` answers 503 "
            "with Retry-After."
        ),
    )
    cors_origins: str = Field(
        "",
        description=(
            "Comma-separated origins allowed to call the API from a browser (empty: CORS off)."
        ),
    )
    threads: int = Field(0, ge=0, description="Threads for model inference (0: all cores).")
    batch_size: int = Field(64, ge=1, description="Reviews analysed per batch by analyze_many.")
    min_english_confidence: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Below this language-ID confidence for English a text is left unscored.",
    )
    fresh_threshold: float = Field(
        60.0,
        ge=0,
        le=100,
        description="Score at or above which a review with an explicit rating counts as fresh.",
    )
    database_url: str = Field(
        "",
        description=(
            "Store URL (sqlite:///path or postgresql://...); empty: critica.db in "
            "the user data directory."
        ),
    )
    min_reviews_for_percent: int = Field(
        5, ge=1, description="Reviews a title needs before its % positive is shown."
    )
    bayes_min_reviews: int = Field(
        10,
        ge=0,
        description=(
            "m in IMDb's weighted rating: reviews a title needs to count fully when ranking."
        ),
    )
    bayes_prior_score: float = Field(
        0.0,
        ge=0,
        le=100,
        description=(
            "C in IMDb's weighted rating (0: the mean score of all stored reviews, "
            "the same on every page, list, API and CLI view; in `critica "
            "aggregate`, of all the reviews aggregated)."
        ),
    )
    audience_guards: bool = Field(
        True,
        description=(
            "Audience reviews flagged as copies, rating bursts (review bombing) or off topic "
            "are left out of the audience's figures and listed apart (docs/aggregator.md)."
        ),
    )
    calibrated_scores: bool = Field(
        False,
        description=(
            "Title scores use per-critic calibration and publication leniency "
            "offsets (docs/aggregator.md)."
        ),
    )
    calibration_min_history: int = Field(
        10,
        ge=1,
        description=(
            "Rated reviews (for the score map) or titles shared with other outlets "
            "(for the leniency offset) a critic or publication needs before "
            "calibration is fitted for it."
        ),
    )
    calibration_prior_strength: float = Field(
        10.0,
        ge=0,
        description=(
            "Pseudo-reviews pulling a fitted score map toward the global map and a "
            "leniency offset toward 0."
        ),
    )
    badge_fresh_percent: float = Field(
        75.0, ge=0, le=100, description="Certified-Fresh-style badge: minimum % positive."
    )
    badge_fresh_min_reviews_film: int = Field(
        80, ge=0, description="Certified-Fresh-style badge: minimum reviews for a film."
    )
    badge_fresh_min_reviews_season: int = Field(
        20,
        ge=0,
        description="Certified-Fresh-style badge: minimum reviews for a TV season or series.",
    )
    badge_fresh_min_top_critics: int = Field(
        5, ge=0, description="Certified-Fresh-style badge: minimum top-critic reviews."
    )
    badge_must_see_score: float = Field(
        81.0, ge=0, le=100, description="Must-See-style badge: minimum weighted score."
    )
    badge_must_see_min_publications: int = Field(
        15, ge=0, description="Must-See-style badge: minimum distinct publications."
    )


@dataclass(frozen=True)
class Setting:
    """One setting as documented (docs/settings.md): name, default, help."""

    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"CRITICA_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(name, field.default, field.description or "")
    for name, field in Settings.model_fields.items()
)
_BY_NAME = {s.name: s for s in SETTINGS}


def accepts(name: str) -> str:
    """What a setting accepts, from its type and bounds ("an integer >= 1", "yes or no")."""
    field = Settings.model_fields[name]
    kind = {bool: "yes or no", int: "an integer", float: "a number", str: "text"}[
        type(field.default)
    ]
    limits = []
    for rule in field.metadata:
        for attr, sign in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if (value := getattr(rule, attr, None)) is not None:
                limits.append(f"{sign} {value}")
    return " ".join([kind, *limits]) if limits else kind


def table() -> str:
    """The settings table of docs/settings.md, generated from the model (a test keeps the
    document equal to it)."""
    rows = [
        "| setting | environment variable | default | accepts | what it does |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{s.env}` | `{s.default}` | {accepts(s.name)} | {s.help} |")
    return "\n".join(rows) + "\n"


def _explain(error: ValidationError) -> ConfigError:
    """The first bad variable, what it accepts, and how to go back to the default."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    setting = _BY_NAME.get(name)
    if setting is None:
        return ConfigError(f"invalid settings: {first['msg']}")
    raw = os.environ.get(setting.env)
    kind = type(setting.default).__name__
    return ConfigError(
        f"{setting.env}={raw!r} is not a valid {kind} ({first['msg'].lower()}); {setting.help} "
        f"Unset it to use the default ({setting.default!r})."
    )


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """Current settings: defaults overridden by ``CRITICA_*`` environment variables."""
    try:
        return Settings().model_dump()
    except ValidationError as error:
        raise _explain(error) from None


def get(name: str) -> Any:
    """One setting's current value."""
    if name not in _BY_NAME:
        raise ConfigError(f"unknown setting {name!r}; known settings: {sorted(_BY_NAME)}")
    return settings()[name]
