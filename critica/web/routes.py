"""HTML pages: each renders the dict of one page builder in ``critica.service.pages``."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from critica import __version__, config
from critica.analysis import Analysis
from critica.errors import (
    AuthError,
    BusyError,
    CriticaError,
    InputError,
    TooLargeError,
    http_status,
)
from critica.inputs.sources import fetch_url
from critica.params import MAX_OFFSET, IdPath
from critica.service import pages
from critica.store.base import Store
from critica.store.records import ReviewIn, Title, TitleIn, TitleKind
from critica.web import views

HERE = Path(__file__).parent
PAGE_SIZE = 10
MAX_FORM_BYTES = 2_000_000  # a pasted review is at most 200k characters, even url-encoded
MAX_TEXT = 200_000
# A review page fetched for the analyze form: its HTML may be larger than the 200k
# characters of text the form accepts, but not 50 MB; and few are fetched at once.
WEB_FETCH_BYTES = 5_000_000
WEB_FETCHES = threading.BoundedSemaphore(4)

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def make_templates() -> Jinja2Templates:
    """Jinja2 templates with autoescaping on for every file, and the view helpers as globals."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.globals.update(
        version=__version__, aspect_label=views.aspect_label, score_tone=views.score_tone,
        whole=views.whole, safe_url=views.safe_url, query=views.query,
    )  # fmt: skip
    return Jinja2Templates(env=env)


templates = make_templates()


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render a template with the request in its context."""
    return templates.TemplateResponse(request, name, context, status_code=status)


def store_of(request: Request) -> Store:
    """The app's store."""
    return request.app.state.store  # type: ignore[no-any-return]


def flag(value: str | None) -> bool | None:
    """'true' / 'false' from a query string; anything else means "no filter"."""
    return {"true": True, "false": False}.get((value or "").lower())


@router.api_route("/", methods=["GET", "HEAD"])
def home(request: Request) -> Response:
    """Search box, recently reviewed, best reviewed and most divisive titles."""
    page = pages.home_page(store_of(request))
    min_reviews = config.get("min_reviews_for_percent")
    return render(request, "home.html", {"page": page, "min_reviews": min_reviews})


@router.api_route("/search", methods=["GET", "HEAD"])
def search(request: Request, q: Annotated[str, Query(max_length=500)] = "") -> Response:
    """Titles and reviews matching ``q``, matches highlighted."""
    page = pages.search_page(store_of(request), q, limit=30) if q.strip() else None
    hits = [
        {**hit, "pieces": views.highlight_pieces(hit["snippet_text"], hit["highlights"])}
        for hit in (page or {}).get("reviews", [])
    ]
    return render(request, "search.html", {"q": q, "page": page, "hits": hits})


def index_query(
    sort: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    year: Annotated[str | None, Query(max_length=10)] = None,
    badge: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """The titles index's query string, read leniently as the filter forms send it: an
    empty or unknown value means no filter (and the default sort)."""
    return {
        "sort": sort if sort in pages.INDEX_SORTS else "score",
        "kind": kind if kind in ("film", "series") else None,
        "year": int(year) if year and year.strip().isdigit() and len(year.strip()) == 4 else None,
        "badge": badge if badge in pages.BADGE_NAMES else None,
    }


IndexQuery = Annotated[dict[str, Any], Depends(index_query)]


@router.api_route("/titles", methods=["GET", "HEAD"])
def titles(
    request: Request, chosen: IndexQuery, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    """Every film and series: sort by score, % positive, reviews, year or name; filter by
    kind, year and badge; 50 a page; the same list as CSV or JSON."""
    index = pages.titles_page(store_of(request), **chosen, page=page)
    context = {
        "index": index,
        "sorts": [(k, label) for k, (_, _, label) in pages.INDEX_SORTS.items()],
        "min_reviews": config.get("min_reviews_for_percent"),
    }
    return render(request, "titles.html", context)


@router.api_route("/titles.{fmt}", methods=["GET", "HEAD"])
def titles_download(request: Request, fmt: str, chosen: IndexQuery) -> Response:
    """The whole filtered, sorted titles index as ``.csv`` or ``.json`` (every page)."""
    _check_format(fmt, "/titles")
    rows = pages.select_titles(pages.title_index(store_of(request)), **chosen)
    about = {"sort": chosen["sort"], "filters": {k: v for k, v in chosen.items() if k != "sort"}}
    return download(rows, pages.INDEX_COLUMNS, fmt, "titles", about)


def _check_format(fmt: str, page: str) -> None:
    if fmt not in ("csv", "json"):
        raise InputError(f"no {page}.{fmt}: use {page}.csv or {page}.json")


def download(
    rows: list[dict[str, Any]],
    columns: tuple[str, ...],
    fmt: str,
    name: str,
    about: dict[str, Any] | None = None,
) -> Response:
    """A list as CSV (a download named ``name``.csv) or JSON (``total``, ``about``, ``rows``)."""
    if fmt == "json":
        body = {"total": len(rows), **(about or {}), "rows": rows}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")
    return Response(
        views.csv_text(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


@router.api_route("/titles/{title_id}/reviews.{fmt}", methods=["GET", "HEAD"])
def title_reviews_download(
    request: Request,
    title_id: Annotated[int, IdPath],
    fmt: str,
    top_critic: str | None = None,
    fresh: str | None = None,
    aspect: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Every review of a title, with the title page's filters, as ``.csv`` or ``.json``."""
    _check_format(fmt, f"/titles/{title_id}/reviews")
    verdict, top, about = flag(fresh), flag(top_critic) or None, aspect or None
    filters = {"fresh": verdict, "top_critic": top, "aspect": about}
    rows = pages.review_rows(
        store_of(request), title_id=title_id, fresh=verdict, top_critic=top, aspect=about
    )
    return download(rows, pages.REVIEW_COLUMNS, fmt, f"title-{title_id}-reviews",
                    {"title_id": title_id, "filters": filters})  # fmt: skip


@router.api_route("/critics/{critic_id}.{fmt}", methods=["GET", "HEAD"])
def critic_download(request: Request, critic_id: Annotated[int, IdPath], fmt: str) -> Response:
    """Every review by a critic, newest first, as ``.csv`` or ``.json``."""
    _check_format(fmt, f"/critics/{critic_id}")
    rows = pages.review_rows(store_of(request), critic_id=critic_id)
    return download(rows, pages.REVIEW_COLUMNS, fmt, f"critic-{critic_id}-reviews",
                    {"critic_id": critic_id})  # fmt: skip


@router.api_route("/critics", methods=["GET", "HEAD"])
def critics(
    request: Request,
    name: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Critics by name, each with their reviews, fresh share and mean score."""
    found = pages.critics_page(store_of(request), name.strip() or None, page)
    return render(request, "critics.html", {"found": found})


@router.api_route("/critics/{critic_id}", methods=["GET", "HEAD"])
def critic(
    request: Request,
    critic_id: Annotated[int, IdPath],
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """A critic's figures, leniency and reviews."""
    page = pages.critic_page(store_of(request), critic_id, PAGE_SIZE, offset)
    return render(request, "critic.html", {"page": page})


@router.api_route("/publications", methods=["GET", "HEAD"])
def publications(
    request: Request,
    name: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Publications by name, each with its reviews, fresh share, mean score and weight."""
    found = pages.publications_page(store_of(request), name.strip() or None, page)
    return render(request, "publications.html", {"found": found})


@router.api_route("/publications/{publication_id}.{fmt}", methods=["GET", "HEAD"])
def publication_download(
    request: Request, publication_id: Annotated[int, IdPath], fmt: str
) -> Response:
    """Every review a publication ran, newest first, as ``.csv`` or ``.json``."""
    _check_format(fmt, f"/publications/{publication_id}")
    rows = pages.review_rows(store_of(request), publication_id=publication_id)
    return download(rows, pages.REVIEW_COLUMNS, fmt, f"publication-{publication_id}-reviews",
                    {"publication_id": publication_id})  # fmt: skip


@router.api_route("/publications/{publication_id}", methods=["GET", "HEAD"])
def publication(
    request: Request,
    publication_id: Annotated[int, IdPath],
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """A publication's figures, weight, leniency, critics and reviews."""
    page = pages.publication_page(store_of(request), publication_id, PAGE_SIZE, offset)
    return render(request, "publication.html", {"page": page})


@router.api_route("/unmatched", methods=["GET", "HEAD"])
def unmatched(request: Request) -> Response:
    """Reviews whose title was a guess, with the titles each could be: the queue a person
    settles (`critica titles confirm`, or POST /api/v1/titles/unmatched/{review_id})."""
    items, total = store_of(request).unmatched(limit=100)
    return render(request, "unmatched.html", {"items": items, "total": total})


@router.get("/catalog/{external_id}")
def title_by_catalog_id(request: Request, external_id: str) -> Response:
    """A title by its catalog (IMDb) id: a redirect to its page."""
    found = pages.title_by_catalog_id_or_404(store_of(request), external_id)
    return RedirectResponse(f"/titles/{found.id}", status_code=307)


@router.api_route("/titles/{title_id}", methods=["GET", "HEAD"])
def title(
    request: Request,
    title_id: Annotated[int, IdPath],
    top_critic: str | None = None,
    fresh: str | None = None,
    aspect: str | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """A title's scores, consensus, charts, aspects and filtered reviews."""
    store = store_of(request)
    page = pages.title_page(store, title_id)
    chosen = aspect if aspect in {a["name"] for a in page["aspects"]} else None
    top, verdict = flag(top_critic) or None, flag(fresh)
    reviews = pages.reviews_page(store, title_id, fresh=verdict, top_critic=top, aspect=chosen,
                                 limit=PAGE_SIZE, offset=offset)  # fmt: skip
    filters = {"top_critic": top, "fresh": verdict, "aspect": chosen}
    context = {
        "page": page, "reviews": reviews, "filters": filters,
        "figures": page["top_critics"] if filters["top_critic"] else page,
        "histogram": views.histogram_chart(page["histogram"]),
        "seasons": views.season_chart(page["seasons"]),
        "consensus_pieces": views.consensus_pieces(page["consensus"]),
        "min_reviews": config.get("min_reviews_for_percent"),
    }  # fmt: skip
    return render(request, "title.html", context)


@router.api_route("/reviews/{review_id}", methods=["GET", "HEAD"])
def review(request: Request, review_id: Annotated[int, IdPath]) -> Response:
    """One review: tinted sentences, pull quote, aspects, credits and why this score."""
    page = pages.review_page(store_of(request), review_id)
    return render(request, "review.html", {"page": page, **analysis_context(page["analysis"])})


def analysis_context(analysis: dict[str, Any]) -> dict[str, Any]:
    """What the analysis partial needs beyond the analysis dict itself."""
    return {"analysis": analysis, "paragraphs": views.paragraphs(analysis),
            "chips": views.aspect_chips(analysis)}  # fmt: skip


@router.api_route("/analyze", methods=["GET", "HEAD"])
def analyze_form(request: Request) -> Response:
    """Paste a review or give its address."""
    return render(request, "analyze.html", {"form": {}})


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form body as plain strings (no multipart, bounded size)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise InputError("send the form as application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():  # stop reading at the limit, not after the whole body
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise TooLargeError(
                f"the form is over {MAX_FORM_BYTES:,} bytes; paste a shorter review"
            )
    fields = parse_qs(bytes(body).decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0].strip() for k, v in fields.items()}


def _input_text(form: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The pasted text, or the page at the given http(s) address, with its metadata."""
    text, meta = form.get("text", ""), dict[str, Any]()
    if not text and form.get("url"):
        text, meta = _fetch_for_form(form["url"])
    if not text:
        raise InputError("paste a review's text or give its web address")
    if len(text) > MAX_TEXT:
        raise InputError(f"the review is over {MAX_TEXT:,} characters; use `critica ingest`")
    return text, meta


def _fetch_for_form(url: str) -> tuple[str, dict[str, Any]]:
    """Fetch a page for the analyze form: never a local file (no read_source), at most
    ``WEB_FETCH_BYTES``, and at most four at once (the rest are told to retry)."""
    if not WEB_FETCHES.acquire(blocking=False):
        raise BusyError(
            "other visitors' pages are being fetched right now; try again in a few seconds, "
            "or paste the review's text"
        )
    try:
        return fetch_url(url, max_bytes=WEB_FETCH_BYTES)
    finally:
        WEB_FETCHES.release()


@router.post("/analyze")
async def analyze_page(request: Request) -> Response:
    """The same review view as a stored review, for text that is not stored."""
    form = await read_form(request)
    try:
        pool = request.app.state.analysis
        async with pool.slot():
            text, meta = await pool.in_thread(_input_text, form)
            found = await pool.analyze(text, title=form.get("title") or None,
                                       rating=form.get("rating") or None, **meta)  # fmt: skip
        analysis = found.to_dict()
    except InputError as exc:
        return render(request, "analyze.html", {"form": form, "error": str(exc)}, 422)
    except BusyError as exc:
        response = render(request, "analyze.html", {"form": form, "error": str(exc)}, 503)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return render(request, "analyze.html", {"form": form, **analysis_context(analysis)})


def _title_for_review(store: Store, form: dict[str, str]) -> Title:
    """Check the token and the form, then the title the review is for (added if new)."""
    if not store.verify_token(form.get("token", "")):
        raise AuthError("that API token is not valid; create one with `critica token create NAME`")
    name, text = form.get("title", ""), form.get("text", "")
    if not name or not text:
        raise InputError("storing a review needs its text and the title it reviews")
    kind: TitleKind = "series" if form.get("kind") == "series" else "film"
    title, _ = store.get_or_add_title(TitleIn(name=name[:500], kind=kind))
    return title


def _store_review(store: Store, form: dict[str, str], title: Title, analysis: Analysis) -> int:
    """Store the analysed review; its id."""
    review = ReviewIn(title_id=title.id, text=form["text"][:MAX_TEXT],
                      critic=form.get("critic") or None,
                      publication=form.get("publication") or None,
                      rating=form.get("rating") or None, source="web")  # fmt: skip
    review_id, _ = store.add_review(review, analysis)
    return review_id


@router.post("/analyze/store")
async def store_page(request: Request) -> Response:
    """Store an analysed review (needs an API token), then show it."""
    form = await read_form(request)
    # The API's per-client limit on failed token checks (critica.api.limits.FailedAuth).
    failures, client = request.app.state.failed_auth, request.client.host if request.client else ""
    try:
        failures.check(client)
        pool, store = request.app.state.analysis, store_of(request)
        async with pool.slot():
            title = await pool.in_thread(_title_for_review, store, form)
            analysis = await pool.analyze(form["text"][:MAX_TEXT], title=title.name,
                                          rating=form.get("rating") or None)  # fmt: skip
            review_id = await pool.in_thread(_store_review, store, form, title, analysis)
    except CriticaError as exc:
        if isinstance(exc, AuthError):
            failures.failed(client)
        context = {"form": form, "store_error": str(exc)}
        response = render(request, "analyze.html", context, http_status(exc))
        if wait := getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(wait)
        return response
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)
