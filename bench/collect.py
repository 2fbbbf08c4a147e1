"""`critica collect` against a loopback site built from the Rotten Tomatoes lists: pages
per second with politeness off and on, and title-match precision and recall.

    .venv/bin/python bench/collect.py ../shared/datasets --reviews 240 --polite-pages 30

Each review (its pull quote, critic, publication, date and printed score) becomes a page,
in two shapes: with schema.org Review JSON-LD (the film's name and year, the critic, the
publication, the rating), and without any structured data (a headline naming the film,
as review pages have, and the quote). A sitemap lists them. The store holds the lists'
films as titles (name and year) before collecting, so a match is right when the review
lands on its own film. ``decoys``: each film also has a same-name title from 20 years
earlier in the catalog, stored first. Politeness on uses the default 2 s per-host
delay; off, none.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import random
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from critica import config
from critica.collect import collect
from critica.store import SQLStore
from critica.store.records import SourceIn, TitleIn


def load(datasets: Path, n: int) -> tuple[list[dict[str, str]], dict[str, tuple[str, int]]]:
    films: dict[str, tuple[str, int]] = {}
    rows: list[dict[str, str]] = []
    for name in ("pixar", "dreamworks"):
        folder = datasets / "rt_critics" / name
        with open(folder / "movies.csv", newline="", encoding="utf-8") as f:
            for m in csv.DictReader(f):
                films[m["movieId"]] = (m["movieTitle"], int(m["movieYear"]))
        with open(folder / "critic_reviews.csv", newline="", encoding="utf-8") as f:
            rows += [r for r in csv.DictReader(f) if len(r["quote"].split()) >= 12]
    random.Random(5).shuffle(rows)
    return rows[:n], films


def page(row: dict[str, str], film: tuple[str, int], structured: bool) -> str:
    name, year = film
    quote = html.escape(row["quote"])
    head = f"<title>{html.escape(name)} review | {html.escape(row['publicationName'])}</title>"
    if structured:
        review = {"@context": "https://schema.org", "@type": "Review",
                  "itemReviewed": {"@type": "Movie", "name": name, "dateCreated": str(year)},
                  "author": {"@type": "Person", "name": row["criticName"] or "Staff"},
                  "publisher": {"@type": "Organization", "name": row["publicationName"]},
                  "datePublished": row["creationDate"]}  # fmt: skip
        score = row["originalScore"]
        if "/" in score:
            value, best = score.split("/", 1)
            review["reviewRating"] = {"ratingValue": value, "bestRating": best}
        head += f'<script type="application/ld+json">{json.dumps(review)}</script>'
    return (f"<html><head>{head}</head><body><article><h1>Review: “{html.escape(name)}”</h1>"
            f"<p>{quote}</p></article></body></html>")  # fmt: skip


def serve(pages: dict[str, str]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path)
            data = (body or "not found").encode()
            self.send_response(200 if body else 404)
            ctype = "application/xml" if self.path.endswith(".xml") else "text/html"
            self.send_header("Content-Type", f"{ctype}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def run(rows: list[dict[str, str]], films: dict[str, tuple[str, int]], structured: bool,
        polite: bool, decoys: bool = False) -> tuple[float, int, int, int, int]:  # fmt: skip
    """(seconds, pages stored, right matches, matched, queued for a person)."""
    pages: dict[str, str] = {}
    server, base = serve(pages)
    for i, row in enumerate(rows):
        pages[f"/reviews/{i}"] = page(row, films[row["movieId"]], structured)
    locs = "".join(f"<url><loc>{base}/reviews/{i}</loc></url>" for i in range(len(rows)))
    pages["/sitemap.xml"] = f'<?xml version="1.0"?><urlset>{locs}</urlset>'
    os.environ["CRITICA_COLLECT_ITEMS"] = str(len(rows))
    config.settings.cache_clear()
    with tempfile.TemporaryDirectory() as folder:
        store = SQLStore(f"sqlite:///{folder}/c.db")
        ids = {}
        for n, (name, year) in enumerate(films.values()):  # same names, 20 years earlier,
            if decoys:  # in the catalog first (so the most voted, all unvoted, is theirs)
                store.add_title(TitleIn(name, "film", year=year - 20, external_id=f"tt9{n:06d}"))
        for n, (key, (name, year)) in enumerate(films.items()):
            ids[key] = store.add_title(
                TitleIn(name, "film", year=year, external_id=f"tt8{n:06d}" if decoys else None)
            ).id
        store.add_source(SourceIn(f"{base}/sitemap.xml"))
        start = time.perf_counter()
        summary = collect(store, polite=polite)
        seconds = time.perf_counter() - start
        right = matched = 0
        for i, row in enumerate(rows):
            found = store.review_by_url([f"{base}/reviews/{i}"])
            if found is None:
                continue
            review = store.get_review(found)
            matched += 1
            right += review is not None and review.title_id == ids[row["movieId"]]
        stored = summary.results[0].added + summary.results[0].updated
        queued = store.unmatched()[1]
        store.close()
    server.shutdown()
    return seconds, stored, right, matched, queued


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("datasets", type=Path)
    ap.add_argument("--reviews", type=int, default=240)
    ap.add_argument("--polite-pages", type=int, default=30)
    args = ap.parse_args()
    os.environ["CRITICA_FETCH_PRIVATE_HOSTS"] = "1"
    rows, films = load(args.datasets, args.reviews)
    print(f"{len(rows)} reviews of {len({r['movieId'] for r in rows})} films")
    for decoys in (False, True):
        for structured in (True, False):
            seconds, stored, right, matched, queued = run(rows, films, structured, False, decoys)
            shape = "with JSON-LD" if structured else "no structured data"
            print(f"{shape:18s}{' + decoys' if decoys else '         '} politeness off: "
                  f"{len(rows)} pages in {seconds:.1f} s ({len(rows) / seconds:.1f} pages/s); "
                  f"stored {stored}; matched {matched}, right {right}: precision "
                  f"{right / max(matched, 1):.3f}, recall {right / len(rows):.3f}; "
                  f"{queued} queued for a person")  # fmt: skip
    few = rows[: args.polite_pages]
    seconds, *_ = run(few, films, True, True)
    off, *_ = run(few, films, True, False)
    print(f"{len(few)} pages, politeness on (delay {config.get('collect_delay'):g} s): "
          f"{seconds:.1f} s ({len(few) / seconds:.2f} pages/s); off: {off:.1f} s "
          f"({len(few) / off:.1f} pages/s)")  # fmt: skip


if __name__ == "__main__":
    main()
