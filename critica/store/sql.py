"""``SQLStore``: the store contract on SQLAlchemy Core, one code path for SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, case, func, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from critica.analysis import Analysis
from critica.errors import StoreError
from critica.store import checks, collection, matching, reads, search, tokens, writes
from critica.store.base import Store
from critica.store.connect import connect, describe
from critica.store.migrations import migrate
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
from critica.store.schema import analyses, critics, publications, reviews, titles, utcnow

TITLE_KINDS = ("film", "series", "season", "episode")


MEAN_SCORE_TTL = 60.0  # seconds a read of the mean score over all reviews is reused


class SQLStore:
    """Titles, critics, publications, reviews with analyses, tokens and search in one database."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = connect(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        try:
            migrate(self.engine)
        except DBAPIError as error:  # unreachable, missing database, no rights on the schema
            self.engine.dispose()
            raise StoreError(describe(self.url, error, opening=True)) from None
        # Writers take SQLite's write lock up front instead of failing to upgrade a read lock.
        self._writer = self.engine.execution_options(sqlite_immediate=True)
        self._mean: tuple[float, float | None] | None = None  # (when read, mean score)
        self.writes = 0  # write transactions this store object has run

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as error:
            raise StoreError(describe(self.url, error)) from error

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self._mean = None  # this store's own writes are seen at once; others' within the TTL
        try:
            with self._writer.begin() as conn:
                yield conn
        except OperationalError as error:
            raise StoreError(describe(self.url, error)) from error
        finally:
            self.writes += 1  # a cache key: any write of this store (a weight, a title name)

    def write(self) -> AbstractContextManager[Connection]:
        """One write transaction, for bulk importers (``critica.catalog``) that batch their own
        statements; store errors are ``StoreError``s."""
        return self._write()

    # titles

    def add_title(self, title: TitleIn) -> Title:
        """Create a title (a season or episode names its parent in ``parent_id``)."""
        with self._write() as conn:
            return self._insert_title(conn, title)

    def _insert_title(self, conn: Connection, title: TitleIn) -> Title:
        if title.kind not in TITLE_KINDS:
            raise StoreError(f"unknown title kind {title.kind!r}; use one of {TITLE_KINDS}")
        if title.parent_id is not None and reads.title(conn, title.parent_id) is None:
            raise StoreError(
                f"no title with id {title.parent_id} to be the parent of {title.name!r}"
            )
        row = {
            "name": title.name,
            "name_key": reads.name_key(title.name),
            "kind": title.kind,
            "year": title.year,
            "network": title.network,
            "parent_id": title.parent_id,
            "season": title.season,
            "credits": title.credits,
            "external_id": title.external_id,
            "created_at": utcnow(),
        }
        new_id = conn.execute(insert(titles).returning(titles.c.id), row).scalar_one()
        found = reads.title(conn, new_id)
        assert found is not None
        return found

    def get_or_add_title(self, title: TitleIn) -> tuple[Title, bool]:
        """Find a title by (name, kind, parent, season, year when given) or create it."""
        with self._write() as conn:
            key = reads.name_key(title.name)
            if conn.dialect.name == "postgresql":
                # No unique key fits nullable parent/season/year, so serialise finders by name.
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
            query = select(titles.c.id).where(
                titles.c.name_key == key,
                titles.c.kind == title.kind,
                titles.c.parent_id == title.parent_id,  # None compiles to IS NULL
                titles.c.season == title.season,
            )
            if title.year is not None:
                query = query.where(titles.c.year == title.year)
            found_id = conn.scalar(query.order_by(titles.c.id).limit(1))
            if found_id is not None:
                found = reads.title(conn, found_id)
                assert found is not None
                return found, False
            return self._insert_title(conn, title), True

    def catalog_candidates(self, name: str, kind: str, year: int | None = None) -> list[Title]:
        """Catalog titles (those with an external id) of this name or original name and
        kind, and year when given: top-level only, most voted first."""
        key, t = reads.name_key(name), titles.c
        query = reads.title_select().where(
            or_(t.name_key == key, func.lower(t.original_name) == key),
            t.external_id.is_not(None),
            t.kind == kind,
            t.parent_id.is_(None),
        )
        if year is not None:
            query = query.where(t.year == year)
        query = query.order_by(t.catalog_votes.desc().nulls_last(), t.id).limit(20)
        with self._read() as conn:
            return [reads.to_title(row) for row in conn.execute(query)]

    # sources (critica.collect)

    def add_source(self, source: SourceIn) -> Source:
        """Follow a feed, sitemap or review-list page; its address must be new."""
        with self._write() as conn:
            return collection.add_source(conn, source)

    def get_source(self, key: int | str) -> Source | None:
        """A source by id or address."""
        with self._read() as conn:
            return collection.get_source(conn, key)

    def list_sources(self) -> list[Source]:
        with self._read() as conn:
            return collection.list_sources(conn)

    def remove_source(self, key: int | str) -> bool:
        """Stop following a source (its reviews stay); False when there was none."""
        with self._write() as conn:
            return collection.remove_source(conn, key)

    def record_pass(self, source_id: int, state: dict[str, Any]) -> None:
        with self._write() as conn:
            collection.record_pass(conn, source_id, state)

    def review_by_url(self, urls: list[str]) -> int | None:
        """A stored review at any of these addresses, or None."""
        with self._read() as conn:
            return collection.review_by_url(conn, urls)

    # titles put right by a person (critica.store.matching)

    def queue_matches(self, items: list[tuple[int, list[int], str]]) -> None:
        """Queue reviews whose title was a guess: (review id, candidate ids, reason)."""
        if items:
            with self._write() as conn:
                matching.queue(conn, items)

    def unmatched(self, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
        """Guessed matches waiting for a person, oldest first, and how many wait."""
        with self._read() as conn:
            return matching.unmatched(conn, limit)

    def confirm_match(self, review_id: int, title_id: int) -> str:
        """A person's answer for a review: "confirmed", "moved" or "duplicate"."""
        with self._write() as conn:
            found = matching.confirm(conn, review_id, title_id)
        self._mean = None
        return found

    def merge_titles(self, keep: int, gone: int) -> dict[str, int]:
        """Join title ``gone`` into ``keep`` without losing a review."""
        with self._write() as conn:
            found = matching.merge(conn, keep, gone)
        self._mean = None
        return found

    def get_title_by_external_id(self, external_id: str) -> Title | None:
        """The title with this catalog id (``tt0111161``), or None."""
        with self._read() as conn:
            row = conn.execute(
                reads.title_select().where(titles.c.external_id == external_id)
            ).first()
            return reads.to_title(row) if row else None

    def get_title(self, title_id: int) -> Title | None:
        """The title with this id, or None."""
        with self._read() as conn:
            return reads.title(conn, title_id)

    def find_titles(
        self, name: str, limit: int = 50, offset: int = 0, kind: str | None = None
    ) -> list[Title]:
        """Titles whose name matches, case-insensitively (exact matches first), a page at
        a time (``limit`` from ``offset``), optionally of one kind."""
        with self._read() as conn:
            return reads.find_titles(conn, name, limit, offset, kind)

    def list_titles(self, kind: str | None = None, limit: int = 50, offset: int = 0) -> list[Title]:
        """Titles by name, optionally of one kind."""
        query = reads.title_select()
        if kind is not None:
            query = query.where(titles.c.kind == kind)
        with self._read() as conn:
            query = query.order_by(titles.c.name_key, titles.c.id).limit(limit).offset(offset)
            return [reads.to_title(row) for row in conn.execute(query)]

    def seasons(self, series_id: int) -> list[Title]:
        """A series' seasons in season order."""
        query = reads.title_select().where(
            titles.c.parent_id == series_id, titles.c.kind == "season"
        )
        with self._read() as conn:
            rows = conn.execute(query.order_by(titles.c.season.nulls_last(), titles.c.id))
            return [reads.to_title(row) for row in rows]

    # critics and publications

    def get_publication(self, name: str) -> Publication | None:
        """The publication of this name (whitespace-insensitive), or None."""
        with self._read() as conn:
            row = conn.execute(
                select(publications).where(publications.c.name == writes.clean_name(name))
            ).first()
            return None if row is None else reads.to_publication(row)

    def list_publications(self, limit: int = 100, offset: int = 0) -> list[Publication]:
        """Publications by name."""
        query = select(publications).order_by(publications.c.name).limit(limit).offset(offset)
        with self._read() as conn:
            return [reads.to_publication(row) for row in conn.execute(query)]

    def update_publication(
        self, publication_id: int, weight: float | None = None, top_critic: bool | None = None
    ) -> Publication:
        """Change a publication's weight or top-critic flag (its reviews that inherit follow)."""
        if weight is not None and not 0.0 <= weight < float("inf"):
            raise StoreError(f"publication weight must be a finite number >= 0, not {weight}")
        values: dict[str, Any] = {}
        if weight is not None:
            values["weight"] = float(weight)
        if top_critic is not None:
            values["top_critic"] = bool(top_critic)
        with self._write() as conn:
            if values:
                conn.execute(
                    update(publications).where(publications.c.id == publication_id).values(values)
                )
            row = conn.execute(
                select(publications).where(publications.c.id == publication_id)
            ).first()
            if row is None:
                raise StoreError(f"no publication with id {publication_id}")
            return reads.to_publication(row)

    def get_critic(self, critic_id: int) -> Critic | None:
        """The critic with this id, or None."""
        with self._read() as conn:
            row = conn.execute(select(critics).where(critics.c.id == critic_id)).first()
            return None if row is None else Critic(id=row.id, name=row.name)

    def critic_reviews(
        self, critic_id: int, limit: int = 20, offset: int = 0
    ) -> tuple[list[Review], int]:
        """One page of a critic's reviews (newest first) and how many there are."""
        with self._read() as conn:
            return reads.reviews_page(conn, reviews.c.critic_id == critic_id, limit, offset)

    def critic_summaries(
        self,
        limit: int = 50,
        offset: int = 0,
        name: str | None = None,
        critic_id: int | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Critics by name, each with how many reviews, scored reviews and fresh calls they
        have and their mean score; ``name`` keeps those whose name holds every word of it."""
        return self._summaries(critics, limit, offset, name, critic_id)

    def publication_summaries(
        self,
        limit: int = 50,
        offset: int = 0,
        name: str | None = None,
        publication_id: int | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """``critic_summaries`` for publications, with their weight and top-critic flag."""
        return self._summaries(publications, limit, offset, name, publication_id)

    def _summaries(
        self, table: Table, limit: int, offset: int, name: str | None, one: int | None
    ) -> tuple[list[dict[str, Any]], int]:
        conditions = []
        if one is not None:
            conditions.append(table.c.id == one)
        for word in (name or "").lower().split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(func.lower(table.c.name).like(f"%{escaped}%", escape="\\"))
        own = [c for c in table.c if c.name in ("id", "name", "weight", "top_critic")]
        query = (
            select(
                *own,
                func.count(reviews.c.id).label("reviews"),
                func.count(analyses.c.score).label("scored"),
                func.avg(analyses.c.score).label("mean_score"),
                func.sum(case((analyses.c.fresh.is_(True), 1), else_=0)).label("fresh"),
            )
            .select_from(table.outerjoin(reviews).outerjoin(analyses))
            .where(*conditions)
            .group_by(*own)
        )
        with self._read() as conn:
            total = int(
                conn.scalar(select(func.count()).select_from(table).where(*conditions)) or 0
            )
            rows = conn.execute(
                query.order_by(table.c.name, table.c.id).limit(limit).offset(offset)
            )
            out = []
            for row in rows:
                item = dict(row._mapping)
                item["fresh"] = int(item["fresh"] or 0)
                mean = item["mean_score"]
                item["mean_score"] = None if mean is None else round(float(mean), 1)
                if "top_critic" in item:
                    item["top_critic"] = bool(item["top_critic"])
                out.append(item)
            return out, total

    def publication(self, publication_id: int) -> Publication | None:
        """The publication with this id, or None."""
        with self._read() as conn:
            row = conn.execute(
                select(publications).where(publications.c.id == publication_id)
            ).first()
            return None if row is None else reads.to_publication(row)

    def publication_reviews(
        self, publication_id: int, limit: int = 20, offset: int = 0
    ) -> tuple[list[Review], int]:
        """One page of a publication's reviews (newest first) and how many there are."""
        with self._read() as conn:
            where = reviews.c.publication_id == publication_id
            return reads.reviews_page(conn, where, limit, offset)

    def publication_critics(self, publication_id: int, limit: int = 20) -> list[dict[str, Any]]:
        """The critics who wrote a publication's reviews, most reviews first."""
        count = func.count(reviews.c.id)
        query = (
            select(critics.c.id, critics.c.name, count.label("reviews"))
            .join(reviews, reviews.c.critic_id == critics.c.id)
            .where(reviews.c.publication_id == publication_id)
            .group_by(critics.c.id, critics.c.name)
            .order_by(count.desc(), critics.c.name)
            .limit(limit)
        )
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def list_critics(self, limit: int = 100, offset: int = 0) -> list[Critic]:
        """Critics by name."""
        query = select(critics.c.id, critics.c.name).order_by(critics.c.name)
        with self._read() as conn:
            rows = conn.execute(query.limit(limit).offset(offset))
            return [Critic(id=row.id, name=row.name) for row in rows]

    # reviews

    def add_review(self, review: ReviewIn, analysis: Analysis) -> tuple[int, bool]:
        """Store a review and its analysis; ``(id, created)``. The same review is stored once."""
        return self.add_reviews([(review, analysis)])[0]

    def add_reviews(self, items: list[tuple[ReviewIn, Analysis]]) -> list[tuple[int, bool]]:
        """``add_review`` for a batch, in one transaction."""
        with self._write() as conn:
            return writes.add_reviews(conn, items)

    def store_reviews(self, items: list[tuple[ReviewIn, Analysis]]) -> list[writes.Stored]:
        """Create, update or keep each review (``critica.store.identity``), in one
        transaction; a refused one says why and stops nothing else."""
        with self._write() as conn:
            return writes.store_reviews(conn, items)

    def get_review(self, review_id: int) -> Review | None:
        """One review with its current analysis, or None."""
        with self._read() as conn:
            row = conn.execute(reads.review_select().where(reviews.c.id == review_id)).first()
            return None if row is None else reads.to_review(row)

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
        where = reads.review_filter(title_id, include_seasons, fresh, top_critic, aspect)
        with self._read() as conn:
            return reads.reviews_page(conn, where, limit, offset)

    def title_credits(self, title_id: int, include_seasons: bool = True) -> list[dict[str, Any]]:
        """The people a title's reviews credit (``reads.title_credits``), most named first."""
        with self._read() as conn:
            return reads.title_credits(conn, title_id, include_seasons)

    def review_facts(
        self, title_id: int, include_seasons: bool = True, reviewer: str = "critic"
    ) -> list[ReviewFacts]:
        """What the aggregate needs for every review of a title (and its seasons) by
        ``reviewer`` ("critic", the default, or "audience")."""
        with self._read() as conn:
            return reads.review_facts(conn, title_id, include_seasons, reviewer)

    def reviewer_counts(self) -> list[tuple[int, str, int, int]]:
        """(title id, reviewer, scored, fresh) per title, seasons under their series."""
        with self._read() as conn:
            return reads.reviewer_counts(conn)

    def rating_history(self) -> list[RatedReview]:
        """Every review with an explicit rating, for fitting calibration."""
        with self._read() as conn:
            return reads.rating_history(conn)

    def history_stamp(self) -> tuple[int, str]:
        """A value that changes whenever an analysis is added, replaced or removed."""
        with self._read() as conn:
            return reads.history_stamp(conn)

    def mean_score(self) -> float | None:
        """The mean score of every scored review: C in every title's Bayesian score. It moves
        slowly, and at a million reviews reading it costs about 0.15 s, so it is reread after
        this store's own writes and otherwise at most every ``MEAN_SCORE_TTL`` seconds."""
        now, found = time.monotonic(), self._mean  # one read: a writer may reset it meanwhile
        if found is None or now - found[0] > MEAN_SCORE_TTL:
            with self._read() as conn:
                found = (now, reads.mean_score(conn))
            self._mean = found
        return found[1]

    def count_reviews(self) -> int:
        """How many reviews are stored."""
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).select_from(reviews)) or 0)

    # re-analysis

    def stale_reviews(
        self, model_version: str, batch: int = 500
    ) -> Iterator[list[tuple[int, str, dict[str, Any]]]]:
        """Batches of (review id, text, metadata) whose analysis is not ``model_version``."""
        after = 0
        while True:
            # A short read per batch, so the caller may write between batches (SQLite locks).
            with self._read() as conn:
                page = reads.stale_batch(conn, model_version, after, batch)
            if not page:
                return
            yield page
            after = page[-1][0]

    def update_analysis(self, review_id: int, analysis: Analysis) -> None:
        """Replace a review's analysis (after re-analysis with a newer model)."""
        with self._write() as conn:
            writes.replace_analysis(conn, review_id, analysis)

    # search

    def search(self, query: str, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
        """``{"titles": [...], "reviews": [...]}``; any user text is a safe query."""
        with self._read() as conn:
            return search.search(conn, query, limit)

    # API tokens (stored hashed)

    def create_token(self, name: str) -> str:
        """A new API token; shown once, stored only as a hash."""
        with self._write() as conn:
            return tokens.create(conn, name)

    def verify_token(self, token: str) -> bool:
        """True for a live token (and its last use is recorded). An unknown token is
        turned away by a read alone, so a flood of bad ones never takes the write lock."""
        with self._read() as conn:
            token_id = tokens.find(conn, token)
        if token_id is None:
            return False
        with self._write() as conn:
            tokens.record_use(conn, token_id)
        return True

    def list_tokens(self) -> list[dict[str, Any]]:
        """Tokens' ids, names and dates; never the token or its hash."""
        with self._read() as conn:
            return tokens.listing(conn)

    def revoke_token(self, token_id: int) -> bool:
        """Revoke a token; False when it does not exist or was already revoked."""
        with self._write() as conn:
            return tokens.revoke(conn, token_id)

    def integrity_check(self) -> list[str]:
        """Problems found (empty when healthy)."""
        with self._read() as conn:
            return checks.integrity(conn)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


if TYPE_CHECKING:
    # mypy checks here that SQLStore keeps to the contract in base.py.
    def _conforms(store: SQLStore) -> Store:
        return store
