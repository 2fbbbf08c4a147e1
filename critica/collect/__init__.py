"""``critica collect``: follow outlets' feeds, sitemaps and review-list pages, fetch each
new review politely, read what its page states, match it to its title, store it once.

One pass visits every source that is due. A source that fails is recorded (its error,
how many passes in a row it failed) and tried again later, after a backoff that grows
with its failures; it never stops the others. A review already stored at the same
address (or its canonical address) is not fetched again; a page seen again under a new
address but with the same outlet and text is an update (``critica.store.identity``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from critica import config
from critica.analysis import Analysis
from critica.collect.fetch import Deferred, Disallowed, Fetcher, Page
from critica.collect.structured import PageFacts, item_links, read_page
from critica.errors import CriticaError, FetchError, InputError
from critica.inputs.sources import decode_bytes
from critica.service.ingest import TitleResolver, _date
from critica.store.base import Store
from critica.store.records import ReviewIn, Source

# A page whose text is this short and asks the reader to subscribe or sign in is a paywall.
PAYWALL_WORDS = 60
PAYWALL = re.compile(
    r"\b(?:subscribe|subscription|subscribers?|sign[ -]?in|log[ -]?in|members? only|"
    r"(?:continue|keep) reading|already a member|register to read)\b",
    re.IGNORECASE,
)
log = logging.getLogger(__name__)
BACKOFF = timedelta(minutes=5)  # a failing source waits this, doubled for each failure
BACKOFF_MAX = timedelta(days=1)


@dataclass
class SourceResult:
    source: Source
    status: str  # "ok", "not modified", "failed", "waiting" (backing off), "deferred"
    kind: str = ""  # feed, sitemap, sitemap index, page
    items: int = 0  # addresses the source listed
    added: int = 0
    updated: int = 0
    known: int = 0  # stored already: not fetched again
    errors: list[str] = field(default_factory=list)  # one line per item that failed
    error: str | None = None  # why the source itself failed


@dataclass
class CollectSummary:
    results: list[SourceResult] = field(default_factory=list)
    pages: int = 0  # review pages fetched
    requests: int = 0  # HTTP requests sent, robots.txt and retries included
    seconds: float = 0.0

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0: every source answered (or was not due); 1: at least one failed."""
        return 1 if self.failed else 0


def backoff(failures: int) -> timedelta:
    return min(BACKOFF_MAX, BACKOFF * float(2 ** max(0, failures - 1)))


def collect(
    store: Store,
    *,
    polite: bool = True,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> CollectSummary:
    """One pass over every source that is due."""
    summary, start = CollectSummary(), time.perf_counter()
    fetcher = Fetcher(polite=polite)
    titles = TitleResolver(store)
    try:
        for source in store.list_sources():
            result = _one_source(store, source, fetcher, titles, now or datetime.now(UTC))
            summary.results.append(result)
            summary.pages += result.added + result.updated + len(result.errors)
            if progress:
                progress(f"{source.url}: {result.status}")
    finally:
        fetcher.close()
    summary.requests = fetcher.requests
    summary.seconds = time.perf_counter() - start
    return summary


def _one_source(
    store: Store, source: Source, fetcher: Fetcher, titles: TitleResolver, now: datetime
) -> SourceResult:
    if source.not_before is not None and source.not_before > now:
        return SourceResult(source, "waiting", error=source.last_error)
    result = SourceResult(source, "ok")
    state: dict[str, Any] = {"last_fetch_at": now}
    try:
        page = fetcher.get(source.url, source.etag, source.last_modified)
        if page.status == 304:
            result.status = "not modified"
        else:
            result.kind, links = item_links(page.body, page.url, page.content_type)
            if result.kind == "sitemap index":
                links = _sitemaps(fetcher, links)
            result.items = len(links)
            _read_items(store, source, fetcher, titles, links, result)
            state |= {"etag": page.etag, "last_modified": page.last_modified}
        state |= {"last_status": result.status, "last_error": None, "failures": 0,
                  "not_before": None, "items_seen": source.items_seen + result.items,
                  "reviews_added": source.reviews_added + result.added}  # fmt: skip
    except Deferred as exc:
        result.status, result.error = "deferred", str(exc)
        state |= {"last_status": "deferred", "last_error": str(exc), "not_before": exc.until}
    except CriticaError as exc:
        result.status, result.error = "failed", str(exc)
        failures = source.failures + 1
        state |= {"last_status": "failed", "last_error": str(exc), "failures": failures,
                  "not_before": now + backoff(failures)}  # fmt: skip
    store.record_pass(source.id, state)
    return result


def _sitemaps(fetcher: Fetcher, maps: list[str]) -> list[str]:
    """The pages of a sitemap index's sitemaps (one level deep)."""
    links: list[str] = []
    for url in maps:
        page = fetcher.get(url)
        links += item_links(page.body, page.url, page.content_type)[1]
    return links


def _read_items(
    store: Store,
    source: Source,
    fetcher: Fetcher,
    titles: TitleResolver,
    links: list[str],
    result: SourceResult,
) -> None:
    budget = int(config.get("collect_items"))
    for link in links:
        if store.review_by_url([link]) is not None:
            result.known += 1
            continue
        if budget <= 0:
            break
        budget -= 1
        try:
            page = fetcher.get(link)
            status = _store_page(store, source, titles, page)
        except Disallowed as exc:
            result.errors.append(str(exc))
            continue
        except (FetchError, InputError) as exc:
            result.errors.append(f"{link}: {exc}")
            continue
        if status == "created":
            result.added += 1
        elif status == "updated":
            result.updated += 1
        else:
            result.known += 1


def _store_page(store: Store, source: Source, titles: TitleResolver, page: Page) -> str:
    """Analyse one review page and store it; "created", "updated" or "unchanged"."""
    from critica.core import analyze

    html = decode_bytes(page.body)
    facts = read_page(html, page.url)
    canonical = facts.canonical or page.url
    if canonical != page.url and store.review_by_url([canonical]) is not None:
        return "unchanged"
    analysis = analyze(html, title=facts.title, rating=facts.rating, content_type="html",
                       url=page.url)  # fmt: skip
    name = facts.title or (analysis.title.name if analysis.title else None)
    if not name:
        raise InputError(
            "neither the page's structured data nor its text names the title reviewed; "
            "ingest it with `critica ingest --title`"
        )
    if len(analysis.text.split()) < PAYWALL_WORDS and PAYWALL.search(analysis.text):
        raise InputError(
            f"no review text to read, only {analysis.text[:80]!r}: a paywall; ingest the "
            "review from a copy you may read"
        )
    analysis.warnings.extend(disagreements(facts, analysis))
    record = _record(facts, name, analysis.text)
    title_id = titles(record, analysis)
    guessed, titles.guessed = titles.guessed, None
    review = ReviewIn(
        title_id=title_id,
        text=analysis.text,
        critic=facts.critic or source.critic,
        publication=facts.publication or source.publication or source.name,
        top_critic=source.top_critic or None,
        date=_date(facts.date),
        url=canonical,
        rating=facts.rating,
        source=page.url,
        external_id=canonical,
        reviewer=source.reviewer,
    )
    (stored,) = store.store_reviews([(review, analysis)])
    if stored.status == "conflict":
        raise InputError(stored.reason or "stored concurrently; collect again")
    if guessed and stored.id is not None:
        store.queue_matches([(stored.id, *guessed)])
    return stored.status


RATING_APART = 30.0  # a stated rating this far from the text's own score is a disagreement


def disagreements(facts: PageFacts, analysis: Analysis) -> list[str]:
    """Where what the page states and what the text says part ways; both are kept (the
    page's word counts) and these lines, stored as the analysis's warnings, say so."""
    from critica.pipeline.title import guess_title

    found = []
    if facts.title:
        own = guess_title(analysis.text, list(analysis.entities))
        if own is not None and not _same_name(own.name, facts.title):
            found.append(
                f"the page's structured data names the title {facts.title!r}, its text "
                f"{own.name!r}: filed under {facts.title!r}"
            )
    if facts.rating and analysis.rating and analysis.text_score is not None:
        stated, text = analysis.rating.normalized, analysis.text_score
        if abs(stated - text) >= RATING_APART:
            found.append(
                f"the page's rating ({facts.rating}: {stated:.0f}/100) and the text's own "
                f"score ({text:.0f}) disagree; the rating counts"
            )
    return found


def _same_name(a: str, b: str) -> bool:
    x, y = (" ".join(re.findall(r"\w+", n.casefold())) for n in (a, b))
    return bool(x) and bool(y) and (x in y or y in x)


def _record(facts: PageFacts, name: str, text: str) -> dict[str, Any]:
    """The fields the title resolver reads: name, kind, year, season, and a text that
    also names the people the page's structured data credits."""
    return {
        "title": name,
        "kind": facts.kind or ("series" if facts.season else None),
        "year": facts.year if not facts.season else None,
        "season": facts.season,
        "date": facts.date,
        "text": " ".join([text, *facts.people]),
    }


def background(database_url: str, every: float) -> threading.Event:
    """Collect from every source every ``every`` seconds in a daemon thread of this process
    (``critica serve --collect-every``), with a store of its own; set the returned event to
    stop it. A pass that fails is logged and the next one comes as planned."""
    from critica.store import open_store

    stop = threading.Event()

    def loop() -> None:
        store = open_store(database_url)
        try:
            while not stop.is_set():
                try:
                    found = collect(store).results
                    said = ", ".join(f"{r.source.url} {r.status} (+{r.added})" for r in found)
                    log.info("collected: %s", said)
                except Exception:
                    log.exception("a collection pass failed; the next comes as planned")
                stop.wait(every)
        finally:
            store.close()

    threading.Thread(target=loop, name="critica-collect", daemon=True).start()
    return stop
