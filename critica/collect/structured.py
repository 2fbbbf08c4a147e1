"""What a review page says about itself: schema.org ``Review`` data (JSON-LD, microdata or
RDFa, read by extruct), OpenGraph as a fallback, and the links a feed, sitemap or list
page points to.

What the page says outright beats what the text model guesses: its reviewed item's name,
kind and year name the title, its rating is the critic's rating, its author and publisher
are the critic and publication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

KINDS = {  # schema.org types of the reviewed item -> critica's title kinds
    "movie": "film", "film": "film", "tvseries": "series", "tvseason": "series",
    "tvepisode": "series", "creativeworkseries": "series",
}  # fmt: skip
REVIEW_TYPES = {"review", "criticreview", "userreview"}
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass
class PageFacts:
    """A review page's own statements (None: the page does not say)."""

    title: str | None = None  # the reviewed item's name
    kind: str | None = None  # film or series
    year: int | None = None
    season: int | None = None
    people: list[str] = field(default_factory=list)  # the item's director and actors
    critic: str | None = None
    publication: str | None = None
    date: str | None = None  # datePublished, ISO
    rating: str | None = None  # "3.5/4", from reviewRating
    canonical: str | None = None
    headline: str | None = None
    structured: str | None = None  # "json-ld", "microdata", "rdfa", "opengraph" or None


def _types(item: dict[str, Any]) -> set[str]:
    found = item.get("@type") or []
    found = found if isinstance(found, list) else [found]
    return {str(t).rsplit("/", 1)[-1].lower() for t in found}


def _walk(value: Any) -> list[dict[str, Any]]:
    """Every dict in a JSON-LD value (``@graph`` lists and nesting included)."""
    out: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            out.append(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
        if isinstance(value, list):
            value = value[0] if value else None
    text = str(value).strip() if value not in (None, "") else ""
    return text or None


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [n for n in (_name(i) for i in items) if n]


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None


def _rating(value: Any) -> str | None:
    """``reviewRating`` as "value/best", on a scale from 0 (schema.org's default scale is
    1 to 5; a worst of 1 is read as a scale from 0, as critics' stars are)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    got = _number(value.get("ratingValue"))
    best = _number(value.get("bestRating")) or 5.0
    worst = _number(value.get("worstRating")) or 0.0
    if got is None or best <= worst or not worst <= got <= best:
        return None
    if worst > 1:  # an unusual scale: put it on 0..best-worst
        got, best = got - worst, best - worst
    return f"{got:g}/{best:g}"


def read_page(html: str, url: str) -> PageFacts:
    """The review facts a page states, structured data first."""
    import extruct

    try:
        data = extruct.extract(
            html, base_url=url, syntaxes=["json-ld", "microdata", "rdfa", "opengraph"],
            uniform=True, errors="ignore",
        )  # fmt: skip
    except Exception:  # a page extruct cannot parse still has its text
        data = {}
    facts = PageFacts(canonical=_canonical(html, url))
    for syntax in ("json-ld", "microdata", "rdfa"):
        items = data.get(syntax) or []
        if syntax == "rdfa":
            items = _embedded(items)
        reviews = [d for d in _walk(items) if _types(d) & REVIEW_TYPES]
        if reviews:
            _from_review(facts, reviews[0])
            facts.structured = syntax
            break
    og = {}
    for item in data.get("opengraph") or []:
        og.update({k: v for k, v in item.items() if isinstance(v, str)})
    if og and facts.structured is None:
        facts.structured = "opengraph"
    facts.headline = facts.headline or og.get("og:title")
    facts.publication = facts.publication or og.get("og:site_name")
    facts.critic = facts.critic or og.get("article:author")
    facts.date = facts.date or og.get("article:published_time")
    facts.canonical = facts.canonical or og.get("og:url")
    return facts


_SCHEMA = re.compile(r"^https?://schema\.org/")


def _embedded(nodes: list[dict[str, Any]], depth: int = 4) -> list[dict[str, Any]]:
    """RDFa as extruct gives it (flat nodes, full property IRIs, ``{"@value": …}`` and
    ``{"@id": …}`` references) as plain nested dicts, like JSON-LD's."""
    by_id = {n.get("@id"): n for n in nodes if isinstance(n, dict)}

    def plain(node: dict[str, Any], left: int) -> dict[str, Any]:
        out: dict[str, Any] = {"@type": node.get("@type", [])}
        for key, values in node.items():
            if key.startswith("@"):
                continue
            got = [value(v, left) for v in (values if isinstance(values, list) else [values])]
            out[_SCHEMA.sub("", key)] = got[0] if len(got) == 1 else got
        return out

    def value(v: Any, left: int) -> Any:
        if isinstance(v, dict) and "@value" in v:
            return v["@value"]
        if isinstance(v, dict) and "@id" in v:
            target = by_id.get(v["@id"])
            return plain(target, left - 1) if target is not None and left > 0 else v["@id"]
        return v

    return [plain(n, depth) for n in by_id.values() if n.get("@type")]


def _from_review(facts: PageFacts, review: dict[str, Any]) -> None:
    item = review.get("itemReviewed")
    if isinstance(item, list):
        item = item[0] if item else None
    if isinstance(item, dict):
        facts.title = _name(item)
        kinds = [KINDS[t] for t in _types(item) if t in KINDS]
        facts.kind = kinds[0] if kinds else None
        for key in ("dateCreated", "datePublished", "startDate", "copyrightYear"):
            if m := YEAR.search(str(item.get(key) or "")):
                facts.year = int(m.group(1))
                break
        if "tvseason" in _types(item):
            facts.season = int(_number(item.get("seasonNumber")) or 0) or None
            series = _name(item.get("partOfSeries"))
            facts.title = series or facts.title
        facts.people = _names(item.get("director")) + _names(item.get("actor"))
    facts.critic = _name(review.get("author"))
    facts.publication = _name(review.get("publisher"))
    facts.date = str(review.get("datePublished") or "")[:10] or None
    facts.rating = _rating(review.get("reviewRating"))
    facts.headline = _name(review.get("name")) or _name(review.get("headline"))


_CANONICAL = re.compile(
    r"<link\b[^>]*\brel=[\"']?canonical[\"']?[^>]*\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE
)


def _canonical(html: str, url: str) -> str | None:
    m = _CANONICAL.search(html[:200_000])
    return urljoin(url, m.group(1)) if m else None


_SKIP = re.compile(r"\.(?:css|js|png|jpe?g|gif|svg|webp|ico|pdf|xml|rss|atom|zip)$", re.I)


def item_links(body: bytes, url: str, content_type: str = "") -> tuple[str, list[str]]:
    """(what the source is, the addresses it lists): a feed's entries, a sitemap's pages
    (one level of a sitemap index), or a list page's links to pages on its own host."""
    import feedparser

    head = body[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        locs = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", body)
        kind = "sitemap index" if b"<sitemapindex" in head else "sitemap"
        return kind, [urljoin(url, loc.decode("utf-8", "replace")) for loc in locs]
    parsed = feedparser.parse(body)
    if parsed.entries and (parsed.version or "xml" in content_type):
        links = [str(e.get("link") or "") for e in parsed.entries]
        return "feed", [urljoin(url, link) for link in links if link]
    html = body.decode("utf-8", "replace")
    host = urlsplit(url).netloc
    seen: dict[str, None] = {}
    for href in re.findall(r"<a\b[^>]*\bhref=[\"']([^\"'#]+)", html, re.IGNORECASE):
        link = urljoin(url, href)
        parts = urlsplit(link)
        same_host = parts.netloc == host and parts.scheme in ("http", "https")
        listed = parts.path not in ("", "/", urlsplit(url).path) and not _SKIP.search(parts.path)
        if same_host and listed:
            seen.setdefault(link, None)
    return "page", list(seen)
