"""A loopback review site for the collection tests: a feed (with ETags), a sitemap, review
pages in several real-world shapes, robots.txt, a redirect, a 404, a host that answers
429 with Retry-After once, and a feed that always fails. Every request is logged."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRAISE = (
    "Michael Mann's Heat is a magnificent crime epic. Al Pacino and Robert De Niro are "
    "superb, the downtown shootout is a masterpiece of staging, and Dante Spinotti's "
    "photography makes Los Angeles glow at night. The script gives every character room "
    "to breathe, and the ending, on an airport runway, is as moving as anything in the "
    "genre. It runs nearly three hours and never drags. A landmark, and a film to see on "
    "the biggest screen you can find."
)
PAN = (
    "The Salt Orchard wants to be a sweeping family saga, but the script is thin, the "
    "pacing is glacial and the lead performances are oddly flat. At 147 minutes the film "
    "tests the patience of even a sympathetic viewer, and its ending resolves nothing. "
    "There are handsome images of the coast, and the score is lovely, but the story never "
    "finds its shape. A disappointment from a director who has done far better work."
)


def jsonld_page(title: str, year: int, body: str, rating: tuple[float, float] | None) -> str:
    review = {
        "@context": "https://schema.org",
        "@type": "Review",
        "itemReviewed": {"@type": "Movie", "name": title, "dateCreated": str(year),
                         "director": {"@type": "Person", "name": "Michael Mann"}},
        "author": {"@type": "Person", "name": "Ann Hornaday"},
        "publisher": {"@type": "Organization", "name": "The Daily Loop"},
        "datePublished": "2024-03-01",
    }  # fmt: skip
    if rating:
        review["reviewRating"] = {"@type": "Rating", "ratingValue": rating[0],
                                  "bestRating": rating[1]}  # fmt: skip
    return (
        f"<html><head><title>{title} review</title>"
        f'<script type="application/ld+json">{json.dumps(review)}</script></head>'
        f"<body><nav>Home · Films</nav><article><h1>{title} review</h1><p>{body}</p>"
        "</article><footer>© The Daily Loop</footer></body></html>"
    )


MICRODATA = (
    "<html><head><title>The Salt Orchard</title></head><body>"
    '<article itemscope itemtype="https://schema.org/Review">'
    '<div itemprop="itemReviewed" itemscope itemtype="https://schema.org/Movie">'
    '<h1 itemprop="name">The Salt Orchard</h1><meta itemprop="dateCreated" content="2023"></div>'
    '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
    '<span itemprop="name">Jo Critic</span></span>'
    '<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
    '<meta itemprop="ratingValue" content="2"><meta itemprop="bestRating" content="5"></div>'
    f'<div itemprop="reviewBody"><p>{PAN}</p></div></article></body></html>'
)
PLAIN = (
    "<html><head><title>Night Harbor</title></head><body><article>"
    "<h1>Review: “Night Harbor”</h1><p>“Night Harbor” is a tense, beautifully shot thriller "
    "about a ferry crew that loses its nerve during a storm. The performances are sharp, "
    "the pacing is relentless and the final act is a knockout. One of the year's best, and "
    "proof that a small budget and a clever script can beat any blockbuster at its own "
    "game. The cast is terrific from top to bottom and the score hums with dread.</p>"
    "</article></body></html>"
)
PAYWALL = (
    "<html><head><title>Subscribe</title>"
    '<script type="application/ld+json">{"@type": "Review", "itemReviewed": '
    '{"@type": "Movie", "name": "Heat"}}</script></head>'
    "<body><p>Subscribe to keep reading.</p></body></html>"
)


class Site:
    def __init__(self) -> None:
        self.log: list[tuple[float, str, dict[str, str]]] = []  # (time, path, headers)
        self.feed_items = ["/reviews/heat", "/reviews/salt-orchard", "/reviews/night-harbor",
                           "/private/draft", "/reviews/paywalled", "/reviews/gone",
                           "/go/moved", "/reviews/busy"]  # fmt: skip
        self.feed_etag = '"v1"'
        self.busy_left = 1  # 429s still to send on /reviews/busy
        self.die_at: str | None = None  # the site goes down right after serving this path
        self.slow = 0.0  # seconds /reviews/slow takes to answer
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.log.append((time.monotonic(), self.path, dict(self.headers)))
                site.route(self)
                if self.path == site.die_at:  # the host goes away mid-pass
                    threading.Thread(target=site.close, daemon=True).start()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.closed = False
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.server.shutdown()
            self.server.server_close()

    def requests(self, path: str) -> int:
        return sum(1 for _, p, _ in self.log if p == path)

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{p}</title><link>{self.base}{p}</link></item>" for p in self.feed_items
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>The Daily Loop</title>'
            f"<link>{self.base}/</link>{items}</channel></rss>"
        )

    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            return self.send(h, 200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            if h.headers.get("If-None-Match") == self.feed_etag:
                return self.send(h, 304, "", "", {"ETag": self.feed_etag})
            return self.send(h, 200, self.feed(), "application/rss+xml", {"ETag": self.feed_etag})
        if path == "/sitemap.xml":
            body = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base}/reviews/heat</loc></url>"
                f"<url><loc>{self.base}/reviews/night-harbor</loc></url></urlset>"
            )
            return self.send(h, 200, body, "application/xml")
        if path == "/dead-feed.xml":
            return self.send(h, 500, "boom", "text/plain")
        if path == "/go/moved":
            return self.send(h, 301, "", "text/html", {"Location": "/reviews/heat-2"})
        if path in ("/reviews/heat", "/reviews/heat-2"):
            body = PRAISE if path.endswith("heat") else PRAISE.replace("magnificent", "grand")
            return self.send(h, 200, jsonld_page("Heat", 1995, body, (3.5, 4)), "text/html")
        if path == "/reviews/salt-orchard":
            return self.send(h, 200, MICRODATA, "text/html")
        if path == "/reviews/night-harbor":
            return self.send(h, 200, PLAIN, "text/html")
        if path == "/reviews/paywalled":
            return self.send(h, 200, PAYWALL, "text/html")
        if path == "/reviews/busy":
            if self.busy_left > 0:
                self.busy_left -= 1
                return self.send(h, 429, "slow down", "text/plain", {"Retry-After": "1"})
            page = jsonld_page("Ronin", 1998, PAN.replace("The Salt Orchard", "Ronin"), None)
            return self.send(h, 200, page, "text/html")
        if path == "/reviews/mismatch":  # the data says Heat, 1/4; the text raves about another
            page = PLAIN.replace("<head>", '<head><script type="application/ld+json">'
                                 '{"@type": "Review", "itemReviewed": {"@type": "Movie", '
                                 '"name": "Heat"}, "reviewRating": {"ratingValue": 1, '
                                 '"bestRating": 4}}</script>')  # fmt: skip
            return self.send(h, 200, page, "text/html")
        if path == "/reviews/slow":
            time.sleep(self.slow)
            return self.send(h, 200, jsonld_page("Heat", 1995, PRAISE, None), "text/html")
        if path == "/private/draft":
            return self.send(h, 200, jsonld_page("Secret", 2020, PRAISE, None), "text/html")
        return self.send(h, 404, "not here", "text/plain")

    @staticmethod
    def send(
        h: BaseHTTPRequestHandler, status: int, body: str, ctype: str,
        headers: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        data = body.encode()
        h.send_response(status)
        if ctype:
            h.send_header("Content-Type", f"{ctype}; charset=utf-8")
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if status != 304:
            h.wfile.write(data)
