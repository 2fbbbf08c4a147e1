"""The store interface: one contract, implemented for SQLite and PostgreSQL in ``sql.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from critica.analysis import Analysis
from critica.store.records import (
    Critic,
    Publication,
    RatedReview,
    Review,
    ReviewFacts,
    ReviewIn,
    Source,
    SourceIn,
    Title,
    TitleIn,
)
from critica.store.writes import Stored


class Store(Protocol):
    """Titles, critics, publications, reviews with analyses, tokens, full-text search."""

    url: str
    writes: int  # write transactions run through this object (part of the page caches' keys)

    # titles
    def add_title(self, title: TitleIn) -> Title: ...
    def get_or_add_title(self, title: TitleIn) -> tuple[Title, bool]:
        """Find a title by (name, kind, parent, season, year when given) or create it."""

    def get_title(self, title_id: int) -> Title | None: ...
    def get_title_by_external_id(self, external_id: str) -> Title | None: ...
    def find_titles(
        self, name: str, limit: int = 50, offset: int = 0, kind: str | None = None
    ) -> list[Title]:
        """Titles whose name matches, case-insensitively (exact matches first), a page at
        a time, optionally of one kind."""

    def list_titles(
        self, kind: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[Title]: ...
    def seasons(self, series_id: int) -> list[Title]: ...

    # critics and publications
    def get_publication(self, name: str) -> Publication | None: ...
    def list_publications(self, limit: int = 100, offset: int = 0) -> list[Publication]: ...
    def update_publication(
        self, publication_id: int, weight: float | None = None, top_critic: bool | None = None
    ) -> Publication: ...
    def list_critics(self, limit: int = 100, offset: int = 0) -> list[Critic]: ...
    def publication(self, publication_id: int) -> Publication | None: ...
    def publication_reviews(
        self, publication_id: int, limit: int = 20, offset: int = 0
    ) -> tuple[list[Review], int]: ...
    def publication_critics(self, publication_id: int, limit: int = 20) -> list[dict[str, Any]]:
        """The critics who wrote a publication's reviews, most reviews first."""

    def publication_summaries(
        self,
        limit: int = 50,
        offset: int = 0,
        name: str | None = None,
        publication_id: int | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Publications with their reviews, fresh calls and mean score (like critics')."""

    def get_critic(self, critic_id: int) -> Critic | None: ...
    def critic_reviews(
        self, critic_id: int, limit: int = 20, offset: int = 0
    ) -> tuple[list[Review], int]: ...
    def critic_summaries(
        self,
        limit: int = 50,
        offset: int = 0,
        name: str | None = None,
        critic_id: int | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Critics by name with their review counts and mean score; ``name`` filters."""

    # reviews
    def add_review(self, review: ReviewIn, analysis: Analysis) -> tuple[int, bool]:
        """Store a review and its analysis; ``(id, created)``; the same review is stored once."""

    def add_reviews(self, items: list[tuple[ReviewIn, Analysis]]) -> list[tuple[int, bool]]:
        """``add_review`` for a batch, in one transaction."""

    def store_reviews(self, items: list[tuple[ReviewIn, Analysis]]) -> list[Stored]:
        """Create, update or keep each review; a refused one says why (``Stored.reason``)."""

    def get_review(self, review_id: int) -> Review | None: ...
    def reviews_for_title(
        self,
        title_id: int,
        *,
        fresh: bool | None = None,
        top_critic: bool | None = None,
        aspect: str | None = None,
        include_seasons: bool = True,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[Review], int]:
        """One page of a title's reviews (newest first) and the total matching."""

    def review_facts(
        self, title_id: int, include_seasons: bool = True, reviewer: str = "critic"
    ) -> list[ReviewFacts]:
        """What the aggregate needs for each of a title's reviews by ``reviewer`` ("critic",
        the default, or "audience"): the two are never mixed."""

    def title_credits(self, title_id: int, include_seasons: bool = True) -> list[dict[str, Any]]:
        """Who a title's reviews credit: person, role, character, reviews, praised, faulted."""

    def reviewer_counts(self) -> list[tuple[int, str, int, int]]:
        """(title id, reviewer, scored reviews, fresh ones) per title, a season's reviews
        under its series."""

    def catalog_candidates(self, name: str, kind: str, year: int | None = None) -> list[Title]:
        """Catalog titles of this name (or original name), kind and year when given,
        top-level, most voted first."""

    # sources that `critica collect` follows
    def add_source(self, source: SourceIn) -> Source: ...
    def get_source(self, key: int | str) -> Source | None: ...
    def list_sources(self) -> list[Source]: ...
    def remove_source(self, key: int | str) -> bool: ...
    def record_pass(self, source_id: int, state: dict[str, Any]) -> None: ...
    def review_by_url(self, urls: list[str]) -> int | None: ...

    # titles put right by a person
    def queue_matches(self, items: list[tuple[int, list[int], str]]) -> None: ...
    def unmatched(self, limit: int = 100) -> tuple[list[dict[str, Any]], int]: ...
    def confirm_match(self, review_id: int, title_id: int) -> str: ...
    def merge_titles(self, keep: int, gone: int) -> dict[str, int]: ...

    def count_reviews(self) -> int: ...
    def mean_score(self) -> float | None:
        """The mean score of every scored review (C in the Bayesian score); may lag writes by
        up to ``MEAN_SCORE_TTL`` seconds."""

    # calibration history
    def rating_history(self) -> list[RatedReview]:
        """Every review with an explicit rating: title, critic, publication, rating, text score."""

    def history_stamp(self) -> tuple[int, str]:
        """A value that changes whenever an analysis is added, replaced or removed."""

    # re-analysis
    def stale_reviews(
        self, model_version: str, batch: int = 500
    ) -> Iterator[list[tuple[int, str, dict[str, Any]]]]:
        """Batches of (review id, text, metadata) whose analysis is not ``model_version``."""

    def update_analysis(self, review_id: int, analysis: Analysis) -> None: ...

    # search
    def search(self, query: str, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """``{"titles": [...], "reviews": [...]}``; any user text is a safe query."""

    # API tokens (stored hashed)
    def create_token(self, name: str) -> str: ...
    def verify_token(self, token: str) -> bool: ...
    def list_tokens(self) -> list[dict[str, Any]]: ...
    def revoke_token(self, token_id: int) -> bool: ...

    def integrity_check(self) -> list[str]:
        """Problems found (empty when healthy)."""

    def close(self) -> None: ...
