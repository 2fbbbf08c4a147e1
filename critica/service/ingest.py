"""Ingest reviews in bulk: read, analyse in batches, store idempotently, report what happened."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from critica.analysis import Analysis
from critica.catalog.match import by_credits
from critica.core import analyze_many
from critica.errors import InputError, RatingError
from critica.inputs.readers import ReadOptions, Record, Rejected, as_bool, read
from critica.pipeline.rating import parse_rating
from critica.store.base import Store
from critica.store.records import ReviewIn, Title, TitleIn

Progress = Callable[[int], None]


@dataclass
class IngestSummary:
    """What an ingest did: counts, and each rejected row with its reason."""

    added: int = 0
    updated: int = 0  # stored reviews a copy changed (same source id, or a rating added …)
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.duplicates + len(self.rejected)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip()[:4]) if value not in (None, "") else None
    except ValueError:
        return None


class TitleResolver:
    """Finds or creates the title a record belongs to, remembering what it has seen."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[tuple[Any, ...], int] = {}
        self.names: dict[int, str | None] = {}  # catalog titles' names (None: not named yet)
        self.shared: dict[tuple[Any, ...], list[Title]] = {}  # catalog titles sharing a name
        self.guesses: list[str] = []  # shared names no credit decided (ingest's notes)
        # The last ``decide`` that guessed: (candidate title ids, why), for the match queue.
        self.guessed: tuple[list[int], str] | None = None

    def __call__(self, f: dict[str, Any], analysis: Analysis | None = None) -> int:
        """The title's id; a name several catalog titles share is decided by the people
        ``analysis`` credits (see ``target``)."""
        self.guessed = None
        found = self.target(f)
        if isinstance(found, int):
            return found
        return self.decide(f, found, analysis)

    def target(self, f: dict[str, Any]) -> int | list[Title]:
        """The title's id, or the catalog titles its name could mean when there are
        several (decide between them with ``decide`` once the review is analysed)."""
        if catalog_id := f.get("catalog_id"):
            return self._catalog_title(str(catalog_id).strip(), f)
        name, season = str(f["title"]).strip(), _int(f.get("season"))
        kind = str(f.get("kind") or ("series" if season is not None else "film")).lower()
        key = (name.lower(), kind, season, _int(f.get("year")))
        if key not in self.cache:
            top = "series" if season is not None else kind
            year = _int(f.get("year")) if season is None else None
            shared = self.shared.get((name.lower(), top, year))
            if shared is None:
                shared = self.store.catalog_candidates(name, top, year)
                self.shared[(name.lower(), top, year)] = shared
            if len(shared) > 1:
                return shared
            self.cache[key] = self._named(f, None)
        return self.cache[key]

    def decide(
        self,
        f: dict[str, Any],
        candidates: list[Title],
        analysis: Analysis | None,
        source: str = "",
    ) -> int:
        """The candidate whose people the review names (``critica.catalog.match``); a guess
        (the most voted) is noted, with what would settle it."""
        credited = [c.person for c in analysis.credits] if analysis is not None else []
        day = _date(f.get("date"))
        match = by_credits(
            candidates, credited, str(f.get("text") or ""), day.year if day else None
        )
        self.guessed = None
        if not match.certain:
            t = match.title
            why = "the review names no one the catalog credits: the most voted was taken"
            self.guessed = ([c.id for c in candidates], why)
            self.guesses.append(
                f"{source}: {f['title']!r} could be {len(candidates)} catalog titles and the "
                f"review names no one to tell them apart: filed under {t.external_id}"
                f"{f' ({t.year})' if t.year else ''}, the most voted; give a year or a "
                "catalog_id column"
            )
        return self._named(f, match.title)

    def _named(self, f: dict[str, Any], parent: Title | None) -> int:
        """The title (or its season) by name, under the catalog title ``parent`` when the
        name was shared."""
        name, season = str(f["title"]).strip(), _int(f.get("season"))
        kind = str(f.get("kind") or ("series" if season is not None else "film")).lower()
        if parent is None:
            title, _ = self.store.get_or_add_title(
                TitleIn(
                    name,
                    "series" if season is not None else kind,  # type: ignore[arg-type]
                    year=_int(f.get("year")) if season is None else None,
                    network=f.get("network"),
                )
            )
        else:
            title = parent
        if season is not None:
            child = TitleIn(
                f"{title.name} season {season}" if parent else f"{name} season {season}",
                "season",
                year=_int(f.get("year")),
                network=f.get("network"),
                parent_id=title.id,
                season=season,
            )
            title, _ = self.store.get_or_add_title(child)
        return title.id

    def _catalog_title(self, catalog_id: str, f: dict[str, Any]) -> int:
        """The title with this catalog id; made when new, named by the record's title or,
        until `critica catalog import` names it, by the id itself."""
        key = ("catalog", catalog_id)
        if key not in self.cache:
            found = self.store.get_title_by_external_id(catalog_id)
            if found is None:
                kind = str(f.get("kind") or "film").lower()
                found = self.store.add_title(
                    TitleIn(
                        str(f.get("title") or catalog_id).strip()[:500],
                        kind if kind in ("film", "series") else "film",  # type: ignore[arg-type]
                        year=_int(f.get("year")),
                        external_id=catalog_id,
                    )
                )
            self.cache[key] = found.id
            self.names[found.id] = found.name if found.name != catalog_id else None
        return self.cache[key]


def _rating(
    f: dict[str, Any], summary: IngestSummary, source: str, scale: float | None = None
) -> str | None:
    raw = f.get("rating")
    if raw in (None, ""):
        return None
    if scale and re.fullmatch(r"\d+(?:\.\d+)?", str(raw).strip()):
        raw = f"{str(raw).strip()}/{scale:g}"  # the file's bare numbers are out of `scale`
    try:
        parse_rating(str(raw))
    except RatingError:
        summary.notes.append(f"{source}: rating {raw!r} not understood; scored from the text")
        return None
    return str(raw)


def ingest(
    store: Store,
    paths: Iterable[Path],
    options: ReadOptions | None = None,
    *,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> IngestSummary:
    """Read every review under ``paths``, analyse in batches and store each once."""
    summary, start = IngestSummary(), time.perf_counter()
    titles = TitleResolver(store)
    options = options or ReadOptions()
    records = _records(read(list(paths), options), summary, progress)
    while batch := list(islice(records, batch_size)):
        inputs: list[dict[str, Any]] = []
        ready: list[Analysis | None] = []  # analyses a batch run already made
        # (record, its fields, rating, title id or the catalog titles its name could mean)
        pending: list[tuple[Record, dict[str, Any], str | None, int | list[Title]]] = []
        for rec in batch:
            f = rec.fields
            try:
                ready.append(Analysis.from_dict(f["analysis"]) if "analysis" in f else None)
            except InputError as exc:
                summary.rejected.append(Rejected(rec.source, str(exc)))
                continue
            rating = _rating(f, summary, rec.source, options.rating_scale)
            target = titles.target(f)
            named = titles.names.get(target) if isinstance(target, int) else None
            inputs.append({"text": f["text"], "title": f.get("title") or named, "rating": rating,
                           "content_type": f.get("content_type")})  # fmt: skip
            pending.append((rec, f, rating, target))
        fresh = analyze_many([i for i, a in zip(inputs, ready, strict=True) if a is None])
        analyses = [a if a is not None else next(fresh) for a in ready]
        reviews: list[ReviewIn] = []
        queued: dict[int, tuple[list[int], str]] = {}  # review's place -> a guessed title
        for (rec, f, rating, target), a in zip(pending, analyses, strict=True):
            if not isinstance(target, int):
                target = titles.decide(f, target, a, rec.source)
                if titles.guessed:
                    queued[len(reviews)] = titles.guessed
            reviews.append(
                ReviewIn(
                    title_id=target,
                    text=str(f["text"]),
                    critic=f.get("critic"),
                    publication=f.get("publication"),
                    top_critic=as_bool(f.get("top_critic")),
                    date=_date(f.get("date")),
                    url=f.get("url"),
                    rating=rating,
                    source=rec.source,
                    external_id=_source_id(f.get("id")),
                    reviewer=f.get("reviewer") or "critic",
                )
            )
        summary.notes.extend(titles.guesses)
        titles.guesses.clear()
        stored = store.store_reviews(list(zip(reviews, analyses, strict=True)))
        store.queue_matches([(found.id, *queued[i]) for i, found in enumerate(stored)
                             if i in queued and found.id is not None])  # fmt: skip
        for review, result in zip(reviews, stored, strict=True):
            if result.status == "conflict":
                summary.rejected.append(Rejected(review.source or "?", result.reason))
            else:
                summary.added += result.status == "created"
                summary.updated += result.status == "updated"
                summary.duplicates += result.status == "unchanged"
        if progress:
            progress(len(batch))
    summary.seconds = time.perf_counter() - start
    return summary


# `critica batch` writes a row's position (`file.jsonl:12`, `file.parquet:row 3`) as its id
# when the input had none: a position is not the review's identity.
_POSITION = re.compile(r"\.(?:jsonl|ndjson|json|csv|parquet|txt|html?):(?:row )?\d+$")


def _source_id(value: Any) -> str | None:
    """A row's own id as text (JSON numbers too); blank or a batch position means none."""
    if value is None or isinstance(value, bool):
        return None
    text = " ".join(str(value).split())[:200]
    return None if not text or _POSITION.search(text) else text


def _records(
    items: Iterator[Record | Rejected], summary: IngestSummary, progress: Progress | None
) -> Iterator[Record]:
    for item in items:
        if isinstance(item, Rejected):
            summary.rejected.append(item)
            if progress:
                progress(1)
        else:
            yield item
