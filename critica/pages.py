"""Page builders: one function per page, returning a JSON-ready dict.

The REST API returns these dicts as they are; the web UI renders the very same
dicts into HTML, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from critica.aggregate import title_figures
from critica.consensus import consensus
from critica.errors import NotFoundError
from critica.store.base import Store
from critica.store.records import Review, Title


def title_dict(t: Title) -> dict[str, Any]:
    """A title's own fields."""
    return asdict(t)


def review_summary(r: Review) -> dict[str, Any]:
    """A review in a list: who, when, verdict and pull quote (not the whole analysis)."""
    return {
        "id": r.id, "title_id": r.title_id, "critic": r.critic, "publication": r.publication,
        "top_critic": r.top_critic, "date": r.date.isoformat() if r.date else None,
        "url": r.url, "rating": r.rating, "score": r.score, "fresh": r.fresh,
        "confidence": r.confidence, "band": r.band, "quote": r.quote,
    }


def get_title_or_404(store: Store, title_id: int) -> Title:
    title = store.get_title(title_id)
    if title is None:
        raise NotFoundError(f"no title with id {title_id}; find ids with GET /api/v1/titles?q=NAME")
    return title


def title_page(store: Store, title_id: int) -> dict[str, Any]:
    """Everything shown about a title: figures, consensus, seasons, the first page of reviews."""
    title = get_title_or_404(store, title_id)
    facts = store.review_facts(title_id)
    figures = title_figures(facts, kind=title.kind, title=title.name)
    figures["consensus"] = consensus(facts, figures, title.name)
    reviews, total = store.reviews_for_title(title_id, limit=20)
    return {
        **figures,
        "id": title.id,
        "info": title_dict(title),
        "parent": title_dict(p) if title.parent_id and (p := store.get_title(title.parent_id)) else None,
        "season_titles": [title_dict(s) for s in store.seasons(title.id)] if title.kind == "series" else [],
        "latest_reviews": {"items": [review_summary(r) for r in reviews], "total": total},
    }


def reviews_page(
    store: Store, title_id: int, *, fresh: bool | None = None, top_critic: bool | None = None,
    aspect: str | None = None, limit: int = 20, offset: int = 0,
) -> dict[str, Any]:
    """One page of a title's reviews with the filters applied."""
    get_title_or_404(store, title_id)
    items, total = store.reviews_for_title(
        title_id, fresh=fresh, top_critic=top_critic, aspect=aspect, limit=limit, offset=offset
    )
    return {"title_id": title_id, "total": total, "limit": limit, "offset": offset,
            "items": [review_summary(r) for r in items]}


def review_page(store: Store, review_id: int) -> dict[str, Any]:
    """One review with its full analysis."""
    review = store.get_review(review_id)
    if review is None:
        raise NotFoundError(f"no review with id {review_id}")
    title = store.get_title(review.title_id)
    return {**review_summary(review), "title": title_dict(title) if title else None,
            "model_version": review.model_version, "analysis": review.analysis}


def search_page(store: Store, query: str, limit: int = 20) -> dict[str, Any]:
    """Titles and reviews matching a plain-words query."""
    return {"query": query, **store.search(query, limit=limit)}
