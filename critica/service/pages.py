"""Page builders: one function per page, returning a JSON-ready dict.

The REST API returns these dicts as they are; the web UI renders the very same
dicts into HTML, so the two cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import partial
from typing import Any

from critica import config
from critica.errors import NotFoundError
from critica.figures import audience, calibration
from critica.figures.aggregate import Counts, badges, core_figures, headline, title_figures
from critica.figures.consensus import consensus
from critica.store.base import Store
from critica.store.records import Review, ReviewFacts, Title

log = logging.getLogger(__name__)

HOME_SCAN = 100  # titles of each kind the home page looks at, so it stays fast on a big store
HOME_LIST = 6  # titles per home-page list


def title_dict(t: Title) -> dict[str, Any]:
    """A title's own fields."""
    return asdict(t)


def review_summary(r: Review) -> dict[str, Any]:
    """A review in a list: who, when, verdict and pull quote (not the whole analysis)."""
    return {
        "id": r.id,
        "title_id": r.title_id,
        "critic": r.critic,
        "critic_id": r.critic_id,
        "publication": r.publication,
        "publication_id": r.publication_id,
        "top_critic": r.top_critic,
        "date": r.date.isoformat() if r.date else None,
        "url": r.url,
        "rating": r.rating,
        "score": r.score,
        "fresh": r.fresh,
        "confidence": r.confidence,
        "band": r.band,
        "quote": r.quote,
    }


def get_title_or_404(store: Store, title_id: int) -> Title:
    title = store.get_title(title_id)
    if title is None:
        raise NotFoundError(f"no title with id {title_id}; find ids with GET /api/v1/titles?q=NAME")
    return title


def title_by_catalog_id_or_404(store: Store, external_id: str) -> Title:
    title = store.get_title_by_external_id(external_id)
    if title is None:
        raise NotFoundError(
            f"no title has catalog id {external_id}; import the catalog with "
            "`critica catalog import`, or find titles by name"
        )
    return title


def title_page(store: Store, title_id: int, calibrated: bool | None = None) -> dict[str, Any]:
    """Everything shown about a title: figures, consensus, seasons, the first page of reviews.

    ``calibrated`` (default: the ``calibrated_scores`` setting) adjusts the score
    figures by the critics' calibration and leniency fitted on the store's history.
    """
    title = get_title_or_404(store, title_id)
    facts = store.review_facts(title_id)
    if calibrated is None:
        calibrated = bool(config.get("calibrated_scores"))
    fitted = calibration.for_store(store) if calibrated else None
    figures = title_figures(
        facts, kind=title.kind, title=title.name, calibration=fitted, prior_mean=store.mean_score()
    )
    people = [str(c["person"]) for c in title.credits if c.get("person")] or None
    figures["consensus"] = consensus(facts, figures, title.name, kind=title.kind, people=people)
    _name_cited(figures["consensus"], facts)
    for season in figures.get("seasons", []):  # a series: each season gets its own line
        mine = [f for f in facts if f.season == season["season"]]
        name = f"Season {season['season']} of {title.name}"
        found = consensus(mine, season, name, kind="season", people=people)
        _name_cited(found, mine)
        season["consensus"] = found
    figures["audience"] = audience_page(store, title, people)
    figures["gap"] = audience.gap(figures, figures["audience"])
    if figures["gap"] and figures["gap"]["split"]:
        figures["badges"] = [*figures["badges"], audience.SPLIT_BADGE]
    reviews, total = store.reviews_for_title(title_id, limit=20)
    return {
        **figures,
        "id": title.id,
        "info": title_dict(title),
        "parent": title_dict(p)
        if title.parent_id and (p := store.get_title(title.parent_id))
        else None,
        "season_titles": [title_dict(s) for s in store.seasons(title.id)]
        if title.kind == "series"
        else [],
        "latest_reviews": {"items": [review_summary(r) for r in reviews], "total": total},
        "people": title_people(store.title_credits(title_id), len(facts), title.credits),
    }


def audience_page(store: Store, title: Title, people: list[str] | None) -> dict[str, Any] | None:
    """The audience's figures for a title (None without audience reviews): guarded (see
    ``critica.figures.audience``), with their own consensus line."""
    facts = store.review_facts(title.id, reviewer="audience")
    if not facts:
        return None
    figures, counted = audience.audience_figures(facts, title.kind, title.name)
    line = consensus(counted, figures, title.name, kind=title.kind, people=people,
                     who="audiences")  # fmt: skip
    _name_cited(line, counted)
    figures["consensus"] = line
    return figures


CAST_SHOWN, CREW_SHOWN = 12, 8


def title_people(
    credits: list[dict[str, Any]], reviews: int, catalog: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """Cast and crew: the catalog's principals in billing order (``catalog``, the title's own
    ``credits``), each with what the reviews say of them, then the people only the reviews
    credit, most credited first (a crew member's roles on one line); a performer is singled
    out when two reviews or more judge the performance (one, under ten reviews)."""
    need = 1 if reviews < 10 else 2
    if catalog:
        said = {(c["person"].casefold(), c["role"]): c for c in credits}
        billed = []
        for c in catalog:
            found = said.pop((str(c["person"]).casefold(), c["role"]), None)
            billed.append(
                {
                    "person": c["person"],
                    "role": c["role"],
                    "character": c.get("character") or (found or {}).get("character"),
                    "reviews": found["reviews"] if found else 0,
                    "praised": found["praised"] if found else 0,
                    "faulted": found["faulted"] if found else 0,
                    "polarity": found["polarity"] if found else None,
                }
            )
        credits = billed + list(said.values())
    cast = [
        {**c, "singled_out": c["praised"] + c["faulted"] >= need}
        for c in credits
        if c["role"] == "actor"
    ]
    crew: dict[str, dict[str, Any]] = {}  # one line a person: "director, writer"
    for c in credits:
        if c["role"] != "actor":
            if (found := crew.get(c["person"])) is None:
                crew[c["person"]] = {**c, "singled_out": False}
            else:
                found["role"] += f", {c['role']}"
                found["reviews"] = max(found["reviews"], c["reviews"])
    return {"cast": cast[:CAST_SHOWN], "crew": list(crew.values())[:CREW_SHOWN]}


def _name_cited(found: dict[str, Any], facts: list[ReviewFacts]) -> None:
    """Give each consensus claim the critic and publication of the reviews it cites."""
    by_id = {f.review_id: f for f in facts}
    for claim in found["claims"]:
        cited = (by_id[i] for i in claim["review_ids"] if i in by_id)
        claim["reviews"] = [
            {"id": f.review_id, "critic": f.critic, "publication": f.publication, "fresh": f.fresh}
            for f in cited
        ]
        for quote in claim.get("quotes", []):
            f = by_id.get(quote["review_id"])
            quote["critic"] = f.critic if f else None
            quote["publication"] = f.publication if f else None


def reviews_page(
    store: Store,
    title_id: int,
    *,
    fresh: bool | None = None,
    top_critic: bool | None = None,
    aspect: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """One page of a title's reviews with the filters applied."""
    get_title_or_404(store, title_id)
    items, total = store.reviews_for_title(
        title_id, fresh=fresh, top_critic=top_critic, aspect=aspect, limit=limit, offset=offset
    )
    return {
        "title_id": title_id,
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [review_summary(r) for r in items],
    }


REVIEW_COLUMNS = (
    "id", "title_id", "title", "critic", "publication", "top_critic", "date", "url", "rating",
    "score", "fresh", "confidence", "band", "quote",
)  # fmt: skip
DOWNLOAD_BATCH = 1000


def review_rows(
    store: Store,
    *,
    title_id: int | None = None,
    critic_id: int | None = None,
    publication_id: int | None = None,
    fresh: bool | None = None,
    top_critic: bool | None = None,
    aspect: str | None = None,
) -> list[dict[str, Any]]:
    """Every review of a title (with the title page's filters), a critic or a publication,
    newest first, as download rows (``REVIEW_COLUMNS``), read a bounded batch at a time."""
    fetch: Callable[..., tuple[list[Review], int]]  # fetch(offset=N): one batch and the total
    if title_id is not None:
        get_title_or_404(store, title_id)
        fetch = partial(store.reviews_for_title, title_id, fresh=fresh, top_critic=top_critic,
                        aspect=aspect, limit=DOWNLOAD_BATCH)  # fmt: skip
    elif critic_id is not None and store.get_critic(critic_id) is not None:
        fetch = partial(store.critic_reviews, critic_id, DOWNLOAD_BATCH)
    elif publication_id is not None:
        get_publication_or_404(store, publication_id)
        fetch = partial(store.publication_reviews, publication_id, DOWNLOAD_BATCH)
    else:
        raise NotFoundError(f"no critic with id {critic_id}; find critics at /critics?name=NAME")
    rows: list[dict[str, Any]] = []
    names: dict[int, str | None] = {}
    while True:
        batch, total = fetch(offset=len(rows))
        for r in batch:
            if r.title_id not in names:
                names[r.title_id] = t.name if (t := store.get_title(r.title_id)) else None
            rows.append({**review_summary(r), "title": names[r.title_id]})
        if not batch or len(rows) >= total:
            return rows


def review_page(store: Store, review_id: int) -> dict[str, Any]:
    """One review with its full analysis."""
    review = store.get_review(review_id)
    if review is None:
        raise NotFoundError(f"no review with id {review_id}")
    title = store.get_title(review.title_id)
    return {
        **review_summary(review),
        "title": title_dict(title) if title else None,
        "model_version": review.model_version,
        "analysis": review.analysis,
    }


def search_page(store: Store, query: str, limit: int = 20) -> dict[str, Any]:
    """Titles, critics and reviews matching a plain-words query."""
    found = store.search(query, limit=limit)
    critics = store.critic_summaries(limit=limit, name=query)[0] if query.split() else []
    return {"query": query, **found, "critics": critics}


def critics_page(store: Store, name: str | None = None, page: int = 1) -> dict[str, Any]:
    """Critics by name (those whose name holds every word of ``name``), 50 a page."""
    return _name_index(store.critic_summaries, name, page)


def publications_page(store: Store, name: str | None = None, page: int = 1) -> dict[str, Any]:
    """Publications by name (those whose name holds every word of ``name``), 50 a page."""
    return _name_index(store.publication_summaries, name, page)


def _name_index(
    summaries: Callable[..., tuple[list[dict[str, Any]], int]], name: str | None, page: int
) -> dict[str, Any]:
    items, total = summaries(INDEX_PAGE, (page - 1) * INDEX_PAGE, name or None)
    return {
        "name": name or "",
        "total": total,
        "page": page,
        "pages": max(1, math.ceil(total / INDEX_PAGE)),
        "items": [_with_percent(c) for c in items],
    }


def _with_percent(c: dict[str, Any]) -> dict[str, Any]:
    scored = c["scored"]
    return {**c, "percent_fresh": round(100 * c["fresh"] / scored, 1) if scored else None}


def critic_page(store: Store, critic_id: int, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """A critic: how many reviews, how often fresh, their mean score, how lenient their
    ratings run against other critics' of the same titles (the fitted calibration), and
    one page of their reviews, newest first."""
    critic = store.get_critic(critic_id)
    if critic is None:
        raise NotFoundError(f"no critic with id {critic_id}; find critics at /critics?name=NAME")
    summary = _with_percent(store.critic_summaries(critic_id=critic_id)[0][0])
    items, total = store.critic_reviews(critic_id, limit, offset)
    profile = calibration.for_store(store).critics.get(critic.name)
    return {
        **summary,
        "calibration": profile.to_dict() if profile else None,
        "reviews": _titled_reviews(store, items, total, limit, offset),
    }


def _titled_reviews(
    store: Store, items: list[Review], total: int, limit: int, offset: int
) -> dict[str, Any]:
    """One page of reviews across titles, each with its title's name."""
    names = {i: t.name for i in {r.title_id for r in items} if (t := store.get_title(i))}
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [{**review_summary(r), "title": names.get(r.title_id)} for r in items],
    }


def get_publication_or_404(store: Store, publication_id: int) -> None:
    if store.publication(publication_id) is None:
        raise NotFoundError(
            f"no publication with id {publication_id}; find publications at /publications?name=NAME"
        )


def publication_page(
    store: Store, publication_id: int, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """A publication: its weight and top-critic flag, how often its reviews are fresh and
    their mean score, how lenient its ratings run against other publications' of the same
    titles (the fitted calibration), its critics, and one page of its reviews."""
    get_publication_or_404(store, publication_id)
    summary = _with_percent(store.publication_summaries(publication_id=publication_id)[0][0])
    items, total = store.publication_reviews(publication_id, limit, offset)
    profile = calibration.for_store(store).publications.get(summary["name"])
    return {
        **summary,
        "calibration": profile.to_dict() if profile else None,
        "critics": store.publication_critics(publication_id),
        "reviews": _titled_reviews(store, items, total, limit, offset),
    }


def title_summary(title: Title, facts: list[ReviewFacts], prior: float | None) -> dict[str, Any]:
    """A title's headline figures for a list (the title page's, from the same ``headline``)
    and its last review's date; ``prior`` is the mean score of all stored reviews."""
    s = config.settings()
    figures = headline(Counts.of(facts, float(s["fresh_threshold"])), s, prior)
    del figures["histogram_counts"]
    dates = [f.date for f in facts if f.date]
    return {**title_dict(title), **figures, "latest": max(dates).isoformat() if dates else None}


# The titles index (/titles): every film and series with its headline figures.
INDEX_SORTS: dict[str, tuple[str, bool, str]] = {  # key: (field, descending, label)
    "score": ("score_weighted", True, "Score"),
    "positive": ("percent_positive", True, "% positive"),
    "reviews": ("reviews", True, "Most reviewed"),
    "year": ("year", True, "Newest"),
    "name": ("name", False, "Name"),
}
INDEX_COLUMNS = (
    "id", "name", "kind", "year", "network", "reviews", "percent_positive",
    "percent_positive_estimated", "score_weighted", "score_bayes", "band", "controversy",
    "badges", "latest",
)  # fmt: skip
INDEX_PAGE = 50
BADGE_NAMES = ("certified_fresh", "must_see")
_INDEX_SCAN = 500  # titles read per query while building the index
_index_cache: dict[tuple[Any, ...], list[dict[str, Any]]] = {}


def title_index(store: Store, calibrated: bool | None = None) -> list[dict[str, Any]]:
    """Every film and series that has reviews, with the figures a title page heads with
    and its badges. Built once per store state (``history_stamp``) and settings."""
    if calibrated is None:
        calibrated = bool(config.get("calibrated_scores"))
    s = config.settings()
    key = (store.url, store.writes, store.history_stamp(), calibrated, json.dumps(s, default=str))
    if key in _index_cache:
        return _index_cache[key]
    fitted = calibration.for_store(store) if calibrated else None
    prior = store.mean_score()
    threshold, least = float(s["fresh_threshold"]), int(s["min_reviews_for_percent"])
    rows = []
    for kind in ("film", "series"):
        offset = 0
        while batch := store.list_titles(kind, _INDEX_SCAN, offset):
            for t in batch:
                facts = store.review_facts(t.id)
                if not facts:
                    continue
                if fitted is not None:
                    facts = fitted.apply(facts)
                row = title_summary(t, facts, prior)
                top = core_figures([f for f in facts if f.top_critic], least, threshold)
                pubs = len({f.publication for f in facts if f.score is not None and f.publication})
                row["badges"] = badges(kind, {**row, "top_critics": top}, pubs, s)
                rows.append({k: row.get(k) for k in INDEX_COLUMNS})
            offset += len(batch)
    _index_cache.clear()  # one store state at a time
    _index_cache[key] = rows
    return rows


def select_titles(
    rows: list[dict[str, Any]],
    sort: str = "score",
    kind: str | None = None,
    year: int | None = None,
    badge: str | None = None,
) -> list[dict[str, Any]]:
    """The index rows that pass the filters, sorted (titles without the figure last; ties
    by name)."""
    field, descending, _ = INDEX_SORTS[sort]
    chosen = [
        r
        for r in rows
        if (kind is None or r["kind"] == kind)
        and (year is None or r["year"] == year)
        and (badge is None or badge in r["badges"])
    ]
    chosen.sort(key=lambda r: (r["name"].casefold(), r["id"]))
    known = [r for r in chosen if r[field] is not None]
    known.sort(
        key=lambda r: r[field].casefold() if field == "name" else r[field], reverse=descending
    )
    return known + [r for r in chosen if r[field] is None]


def titles_page(
    store: Store,
    sort: str = "score",
    kind: str | None = None,
    year: int | None = None,
    badge: str | None = None,
    page: int = 1,
    per_page: int = INDEX_PAGE,
) -> dict[str, Any]:
    """One page of the titles index, with what the filters can offer."""
    rows = title_index(store)
    matching = select_titles(rows, sort, kind, year, badge)
    pages = max(1, math.ceil(len(matching) / per_page))
    page = min(max(1, page), pages)
    return {
        "total": len(matching),
        "page": page,
        "pages": pages,
        "per_page": per_page,
        "sort": sort,
        "filters": {"kind": kind, "year": year, "badge": badge},
        "years": sorted({r["year"] for r in rows if r["year"]}, reverse=True),
        "badge_names": list(BADGE_NAMES),
        "rows": matching[(page - 1) * per_page : page * per_page],
    }


def home_page(store: Store, calibrated: bool | None = None) -> dict[str, Any]:
    """The front page: recently reviewed, best reviewed and most divisive films and series.

    ``calibrated`` (default: the ``calibrated_scores`` setting) puts the scores on the
    critics' common scale, as the title pages do, so a list and a page agree.
    """
    if calibrated is None:
        calibrated = bool(config.get("calibrated_scores"))
    fitted = calibration.for_store(store) if calibrated else None
    prior = store.mean_score()  # C as on every title page
    stamp = store.history_stamp()
    key = (store.url, store.writes, stamp, calibrated, json.dumps(config.settings(), default=str))
    if key not in _home_cache:  # built once per store state: 200 titles' reviews are read
        _home_cache.clear()
        _home_cache[key] = _home_lists(store, fitted, prior)
    return {**_home_cache[key], **gap_lists(store, fitted, prior, stamp)}


_home_cache: dict[tuple[Any, ...], dict[str, Any]] = {}


def _home_lists(
    store: Store, fitted: calibration.Calibration | None, prior: float | None
) -> dict[str, Any]:
    scanned = [t for kind in ("film", "series") for t in store.list_titles(kind, HOME_SCAN)]
    facts = {t.id: store.review_facts(t.id) for t in scanned}
    if fitted is not None:
        facts = {tid: fitted.apply(fs) for tid, fs in facts.items()}
    rows = [title_summary(t, facts[t.id], prior) for t in scanned if facts[t.id]]
    recent = sorted(rows, key=lambda r: (r["latest"] or "", r["id"]), reverse=True)
    best = [r for r in rows if r["score_bayes"] is not None]
    best.sort(key=lambda r: (-r["score_bayes"], r["id"]))
    split = [r for r in rows if r["controversy"] is not None]
    split.sort(key=lambda r: (-r["controversy"], r["id"]))
    return {
        "titles": len(rows),
        "reviews": store.count_reviews(),
        "recent": recent[:HOME_LIST],
        "best": best[:HOME_LIST],
        "divisive": split[:HOME_LIST],
    }


GAP_CANDIDATES = 3  # titles read per list place, picked by the raw counts' gap
# The gap lists need one grouped count over every review (about 7 s at a million reviews
# on SQLite), so after the first build they are rebuilt in the background, at most once
# a GAP_TTL, when the store has changed; meanwhile the home page shows the last ones.
GAP_TTL = 60.0
_gaps: dict[str, tuple[float, tuple[Any, ...], dict[str, list[dict[str, Any]]]]] = {}
_gaps_lock = threading.Lock()
_gaps_building: set[str] = set()


def gap_lists(
    store: Store,
    fitted: calibration.Calibration | None,
    prior: float | None,
    stamp: tuple[int, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The titles critics like far more than the audience does (``critics_above``) and far
    less (``audience_above``), by the title pages' own figures and gap. Built in full the
    first time for a store, then refreshed in the background (see ``GAP_TTL``); ``stamp``
    is the store's ``history_stamp`` when the caller has read it."""
    stamp = stamp or store.history_stamp()
    key = (stamp, fitted is not None, json.dumps(config.settings(), default=str))
    found = _gaps.get(store.url)
    if found is None:
        lists = build_gap_lists(store, fitted, prior)
        _gaps[store.url] = (time.monotonic(), key, lists)
        return lists
    built, made_for, lists = found
    if made_for != key and time.monotonic() - built > GAP_TTL:
        with _gaps_lock:
            start = store.url not in _gaps_building
            _gaps_building.add(store.url)
        if start:
            threading.Thread(
                target=_rebuild_gaps, args=(store, fitted, prior, key), daemon=True
            ).start()
    return lists


def _rebuild_gaps(
    store: Store, fitted: calibration.Calibration | None, prior: float | None, key: Any
) -> None:
    try:
        _gaps[store.url] = (time.monotonic(), key, build_gap_lists(store, fitted, prior))
    except Exception:  # a store closed meanwhile: the old lists stay until the next try
        log.warning("rebuilding the home page's gap lists failed", exc_info=True)
    finally:
        with _gaps_lock:
            _gaps_building.discard(store.url)


def build_gap_lists(
    store: Store, fitted: calibration.Calibration | None, prior: float | None
) -> dict[str, list[dict[str, Any]]]:
    """One grouped count over the store picks the candidates (the largest raw gaps either
    way); only they are read in full and figured as their title pages are."""
    least = int(config.get("min_reviews_for_percent"))
    counts: dict[int, dict[str, tuple[int, int]]] = {}
    for title_id, who, scored, fresh in store.reviewer_counts():
        counts.setdefault(title_id, {})[who] = (scored, fresh)
    raw = []
    for title_id, sides in counts.items():
        (cn, cf), (an, af) = sides.get("critic", (0, 0)), sides.get("audience", (0, 0))
        if cn >= least and an >= least:
            raw.append((100 * cf / cn - 100 * af / an, title_id))
    reach = GAP_CANDIDATES * HOME_LIST
    chosen = {t for _, t in sorted(raw)[:reach]} | {t for _, t in sorted(raw)[-reach:]}
    rows = []
    for title_id in sorted(chosen):
        title = store.get_title(title_id)
        facts = store.review_facts(title_id)
        if title is None or not facts:
            continue
        critics = title_summary(title, fitted.apply(facts) if fitted else facts, prior)
        heard = store.review_facts(title_id, reviewer="audience")
        crowd, _ = audience.audience_figures(heard, title.kind, title.name)
        found = audience.gap(critics, crowd)
        if found is not None:
            rows.append({**critics, "audience_percent_positive": crowd["percent_positive"],
                         "gap": found["percent_positive"], "split": found["split"]})  # fmt: skip
    above = sorted((r for r in rows if r["gap"] > 0), key=lambda r: (-r["gap"], r["id"]))
    below = sorted((r for r in rows if r["gap"] < 0), key=lambda r: (r["gap"], r["id"]))
    return {"critics_above": above[:HOME_LIST], "audience_above": below[:HOME_LIST]}


def calibration_page(
    store: Store, critic: str | None = None, publication: str | None = None, limit: int = 100
) -> dict[str, Any]:
    """Fitted calibration: the global map, then critics and publications, most history first."""
    fitted = calibration.for_store(store)

    def rows(table: dict[str, calibration.Profile], name: str | None) -> list[dict[str, Any]]:
        chosen = {name: table[name]} if name in table else {} if name else table
        ranked = sorted(chosen.items(), key=lambda kv: (-kv[1].rated, -kv[1].shared_titles, kv[0]))
        return [{"name": n, **p.to_dict()} for n, p in ranked[:limit]]

    both = critic is None and publication is None
    return {
        **fitted.to_dict(),
        "critics": rows(fitted.critics, critic) if both or critic else [],
        "publications": rows(fitted.publications, publication) if both or publication else [],
    }


def with_calibration(store: Store, items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Critic or publication records, each with its fitted calibration (None without history)."""
    fitted = calibration.for_store(store)
    table = fitted.critics if kind == "critics" else fitted.publications
    return [
        {**item, "calibration": p.to_dict() if (p := table.get(item["name"])) else None}
        for item in items
    ]
