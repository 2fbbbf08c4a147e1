"""Title figures and search latency with a million stored reviews (synthetic), SQLite or PostgreSQL.

    python bench/store_load.py --db sqlite:///build/load.db --reviews 1000000
    python bench/store_load.py --db postgresql://postgres@127.0.0.1:5432/test --reviews 1000000
    python bench/store_load.py --db sqlite:///build/load.db --reviews 1000000 --audience 0.5

Fills a fresh store through its own tables (analysis JSON kept small), then
times ``pages.title_page`` (the API's title figures, consensus included) for
random titles and ``store.search`` for random words, and prints p50/p95; each
title is timed a second time with the estimated % positive skipped, for its cost,
and its critics' consensus is timed alone on top of its loaded figures.

``--audience F`` stores that share of the reviews as audience reviews (fingerprints,
stored days spread over a year), so each title page also builds the audience's guarded
figures, consensus and the gap; each title is then also timed with the audience part
skipped, and the home page (with its gap lists) is timed cold and warm.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select

from critica.figures import aggregate
from critica.figures.consensus import consensus
from critica.models.aspects import ASPECTS
from critica.service import pages
from critica.store import open_store
from critica.store.schema import analyses, aspect_mentions, critics, publications, reviews, titles

WORDS = (
    "gripping", "tender", "lazy", "dazzling", "tedious", "moving", "clumsy", "witty", "bleak",
    "luminous", "overlong", "sharp", "hollow", "heartfelt", "stilted", "vivid", "brisk",
    "plodding", "daring", "formulaic", "haunting", "shallow",
)  # fmt: skip
NOUNS = (
    "film", "script", "cast", "ending", "score", "pacing", "story", "visuals", "humor",
    "direction", "characters", "themes",
)  # fmt: skip


def sentence(rng: random.Random) -> str:
    noun, word = rng.choice(NOUNS), rng.choice(WORDS)
    return f"The {noun} is {word} and the {rng.choice(NOUNS)} {rng.choice(WORDS)}."


def fill(store, n: int, n_titles: int, audience: float = 0.0, chunk: int = 20_000) -> float:  # type: ignore[no-untyped-def]
    rng, now, start = random.Random(7), datetime.now(UTC), time.perf_counter()
    with store.engine.begin() as conn:
        for table in (aspect_mentions, analyses, reviews, titles, critics, publications):
            conn.execute(delete(table))
        conn.execute(
            publications.insert(),
            [
                {"id": i + 1, "name": f"Paper {i}", "weight": 1 + i % 3, "top_critic": i % 5 == 0}
                for i in range(300)
            ],
        )
        conn.execute(critics.insert(), [{"id": i + 1, "name": f"Critic {i}"} for i in range(5000)])
        conn.execute(
            titles.insert(),
            [
                {
                    "id": i + 1,
                    "name": f"Title {i}",
                    "name_key": f"title {i}",
                    "kind": "film",
                    "year": 1990 + i % 35,
                    "credits": [],
                    "created_at": now,
                }
                for i in range(n_titles)
            ],
        )
    for lo in range(0, n, chunk):
        revs, anas, asps = [], [], []
        for rid in range(lo + 1, min(n, lo + chunk) + 1):
            score = max(0.0, min(100.0, rng.gauss(62, 20)))
            text = " ".join(sentence(rng) for _ in range(3))
            crowd = rng.random() < audience
            revs.append(
                {
                    "reviewer": "audience" if crowd else "critic",
                    "fingerprint": rng.getrandbits(64) - (1 << 63) if crowd else None,
                    "id": rid,
                    "title_id": rng.randrange(n_titles) + 1,
                    "critic_id": rng.randrange(5000) + 1,
                    "publication_id": rng.randrange(300) + 1,
                    "top_critic": None,
                    "date": None if crowd else date(2020, 1, 1) + timedelta(days=rid % 1500),
                    "text": text,
                    "content_hash": f"{rid:064d}",
                    "created_at": now - timedelta(days=rid % 365) if crowd else now,
                }
            )
            anas.append(
                {
                    "review_id": rid,
                    "model_version": "synthetic",
                    "score": score,
                    "text_score": score,
                    # Every review called from its text: the estimated share has work to do.
                    "fresh_evidence": round((score - 55) / 12 + rng.gauss(0, 0.5), 3),
                    "fresh": score >= 60,
                    "confidence": 0.8,
                    "band": "mixed or average",
                    "quote": text[:80],
                    "language": "en",
                    "data": json.dumps({"score": score}),
                    "analyzed_at": now,
                }
            )
            for k, aspect in enumerate(rng.sample(ASPECTS, 2)):
                asps.append(
                    {
                        "review_id": rid,
                        "sentence_index": k,
                        "aspect": aspect,
                        "polarity": rng.uniform(-1, 1),
                        "sentence": text[:60],
                    }
                )
        with store.engine.begin() as conn:
            conn.execute(reviews.insert(), revs)
            conn.execute(analyses.insert(), anas)
            conn.execute(aspect_mentions.insert(), asps)
        print(f"  {min(n, lo + chunk):,} reviews", flush=True)
    # A bulk load leaves the planner's statistics stale until autovacuum runs; refresh them
    # now, as an operator would after an import (PostgreSQL chose seq scans without this).
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - start


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms (n={len(samples)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--reviews", type=int, default=1_000_000)
    ap.add_argument("--titles", type=int, default=2000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--reuse", action="store_true", help="Measure an already filled store.")
    ap.add_argument("--audience", type=float, default=0.0, help="Share of audience reviews.")
    args = ap.parse_args()
    store = open_store(args.db)
    if not args.reuse:
        print(f"filling {args.db} with {args.reviews:,} reviews over {args.titles} titles ...")
        print(f"filled in {fill(store, args.reviews, args.titles, args.audience):.0f} s")
    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(reviews)).scalar_one()
    from fastapi.testclient import TestClient

    from critica.api import create_app

    client = TestClient(create_app(store))
    rng = random.Random(1)
    title_times, search_times, html_times, weights = [], [], [], []
    consensus_times: list[float] = []  # the consensus alone, on top of the loaded figures
    plain_times: list[float] = []  # the same title, same moment, the estimated share skipped
    critics_only: list[float] = []  # the same title, the audience's part skipped
    estimate, audience_page = aggregate.estimated_share, pages.audience_page
    for n in range(args.samples):
        tid = rng.randrange(args.titles) + 1
        # Which goes first alternates, so neither gets the warmer cache every time.
        for with_estimate in (True, False) if n % 2 else (False, True):
            if not with_estimate:
                aggregate.estimated_share = lambda *_args, **_kw: None  # type: ignore[assignment]
            try:
                start = time.perf_counter()
                pages.title_page(store, tid)
                (title_times if with_estimate else plain_times).append(time.perf_counter() - start)
            finally:
                aggregate.estimated_share = estimate
        pages.audience_page = lambda *_args: None  # type: ignore[assignment]
        try:
            start = time.perf_counter()
            pages.title_page(store, tid)
            critics_only.append(time.perf_counter() - start)
        finally:
            pages.audience_page = audience_page
        facts = store.review_facts(tid)
        figures = aggregate.title_figures(facts, kind="film", title=f"Title {tid - 1}")
        start = time.perf_counter()
        consensus(facts, figures, f"Title {tid - 1}")
        consensus_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        page = client.get(f"/titles/{tid}")
        html_times.append(time.perf_counter() - start)
        weights.append(len(page.content))
        query = f"{rng.choice(WORDS)} {rng.choice(NOUNS)}"
        start = time.perf_counter()
        store.search(query, limit=20)
        search_times.append(time.perf_counter() - start)
    print(f"stored reviews: {stored:,} ({stored // args.titles} per title)")
    print(f"title figures (title_page): {percentiles(title_times)}")
    ratio = statistics.median(title_times) / statistics.median(plain_times)
    print(
        f"  ... without the estimated % positive: {percentiles(plain_times)}; "
        f"with it {ratio:.2f}x the time (medians)"
    )
    print(f"consensus alone (on top of the figures): {percentiles(consensus_times)}")
    ratio = statistics.median(title_times) / statistics.median(critics_only)
    print(
        f"  ... the audience's part skipped: {percentiles(critics_only)}; "
        f"with it {ratio:.2f}x the time (medians)"
    )
    pages._gaps.clear()
    start = time.perf_counter()
    home = pages.home_page(store)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    pages.build_gap_lists(store, None, store.mean_score())
    build = time.perf_counter() - start
    start = time.perf_counter()
    pages.home_page(store)
    warm = time.perf_counter() - start
    print(
        f"home page: first {cold * 1000:.0f} ms, then {warm * 1000:.0f} ms; the gap lists "
        f"alone {build * 1000:.0f} ms to build ({len(home['critics_above'])} + "
        f"{len(home['audience_above'])} titles)"
    )
    print(f"search (20 results):         {percentiles(search_times)}")
    print(f"HTML title page (in-process): {percentiles(html_times)}")
    css, js = (len(client.get(f"/static/{f}").content) for f in ("style.css", "app.js"))
    print(
        f"title page weight: {statistics.median(weights) / 1024:.1f} KiB HTML (median), "
        f"+ {css / 1024:.1f} KiB CSS + {js / 1024:.1f} KiB optional JS, uncompressed"
    )


if __name__ == "__main__":
    main()
