"""FastAPI application: JSON endpoints under /api/v1, built on the page builders."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from critica import __version__, config
from critica.analysis import Analysis
from critica.api.limits import FailedAuth, Guard, TrailingSlash
from critica.api.schemas import (
    AnalyzeIn,
    CalibrationOut,
    CriticList,
    Health,
    MatchSettle,
    MatchSettled,
    PublicationList,
    PublicationOut,
    PublicationUpdate,
    Ready,
    ReviewCreate,
    ReviewCreated,
    ReviewPage,
    ReviewsPage,
    SearchPage,
    TitleCreate,
    TitleCreated,
    TitleList,
    TitlePage,
    Unmatched,
)
from critica.errors import AuthError, CriticaError, InputError, NotFoundError, http_status
from critica.figures import calibration
from critica.models import shipped_version
from critica.models.encoder import shared_encoder
from critica.params import IdPath, OffsetQuery
from critica.service import pages
from critica.service.analysis_pool import AnalysisPool, shutdown_workers
from critica.store import open_store
from critica.store.base import Store
from critica.store.records import ReviewIn, Title, TitleIn
from critica.web import install as install_web


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the analysis workers (models loaded) before the first request; stop them,
    and every analysis still waiting, when the server stops."""
    pool: AnalysisPool = app.state.analysis
    await asyncio.get_running_loop().run_in_executor(None, pool.warm_up)
    try:
        yield
    finally:
        pool.close()
        shutdown_workers()


def create_app(store: Store | None = None, database_url: str | None = None) -> FastAPI:
    """The API app over ``store`` (or one opened from ``database_url`` / the settings)."""
    app = FastAPI(
        redirect_slashes=False,  # TrailingSlash redirects without echoing the Host header
        title="critica",
        version=__version__,
        docs_url=None,  # served from the package by critica.web (no CDN, under the CSP)
        redoc_url=None,
        lifespan=lifespan,
        description="Critic-review analysis and aggregation. Reads are public; writes need a "
        "token from `critica token create`, sent as `Authorization: Bearer <token>`.",
    )
    calibration.options()  # a bad calibration setting stops start-up, not a later request
    app.state.store = store or open_store(database_url)
    app.state.failed_auth = FailedAuth()
    app.state.analysis = AnalysisPool()
    install_error_handlers(app)
    app.include_router(meta)
    app.include_router(router)
    app.add_middleware(
        Guard, max_bytes=config.get("max_request_bytes"), timeout=config.get("request_timeout")
    )
    origins = [o.strip() for o in str(config.get("cors_origins")).split(",") if o.strip()]
    if origins:  # off unless asked for: browsers on other sites cannot call the API
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(TrailingSlash)
    install_web(app)  # adds the security headers, outermost, so every answer carries them
    return app


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with a message saying what to do."""

    @app.exception_handler(CriticaError)
    async def critica_error(_: Request, exc: CriticaError) -> JSONResponse:
        wait = getattr(exc, "retry_after", None)
        return JSONResponse(
            {"error": type(exc).__name__, "message": str(exc)},
            http_status(exc),
            headers={"Retry-After": str(wait)} if wait else None,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        hints = {
            400: "; send a JSON object as documented at /docs",
            404: "; see /docs for the API's addresses",
            405: "; see /docs for the methods each address takes",
        }
        message = f"{exc.detail}{hints.get(exc.status_code, '')}"
        return JSONResponse(
            {"error": "InputError" if exc.status_code < 500 else "ServerError", "message": message},
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(
            {
                "error": "InputError",
                "message": "the request is invalid: "
                + "; ".join(problems)
                + " (see /docs for the schema)",
            },
            422,
        )


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


StoreDep = Annotated[Store, Depends(get_store)]


def client_key(request: Request) -> str:
    """Who is asking, for per-client limits: the peer address."""
    return request.client.host if request.client else "unknown"


def check_token(request: Request, store: Store, token: str) -> bool:
    """Whether ``token`` is live; a client with too many recent failures is refused
    first (429), before the store is asked."""
    failures: FailedAuth = request.app.state.failed_auth
    client = client_key(request)
    failures.check(client)
    if token and store.verify_token(token):
        return True
    failures.failed(client)
    return False


def require_token(
    request: Request, store: StoreDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Writes need ``Authorization: Bearer <token>``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not check_token(request, store, token.strip()):
        raise AuthError(
            "this needs a valid API token: create one with `critica token create NAME` "
            "and send it as `Authorization: Bearer <token>`"
        )


Writer = Depends(require_token)
CalibrationQuery = Query(False, description="Add each one's fitted calibration (see /calibration).")


# The API's routes, at module level as FastAPI recommends: `meta` (health) at the root, the
# rest under /api/v1.
meta = APIRouter(tags=["meta"])
router = APIRouter(prefix="/api/v1")


@meta.get("/healthz", tags=["meta"], response_model=Health)
async def healthz() -> dict[str, Any]:
    """Liveness: the server answers (constant time, no store or model work)."""
    return {"status": "ok", "version": __version__}


@meta.get("/readyz", tags=["meta"], response_model=Ready, responses={503: {"model": Ready}})
def readyz(request: Request, store: StoreDep) -> JSONResponse:
    """Readiness: the store answers a query and the models load (503 naming what fails)."""
    problems: list[str] = []
    try:
        store.get_title(1)
    except CriticaError as exc:
        problems.append(f"store: {exc}")
    version = None
    try:
        shared_encoder(config.get("threads"))  # the one the pipeline loaded
        version = shipped_version()
    except CriticaError as exc:
        problems.append(f"models: {exc}")
    pool: AnalysisPool = request.app.state.analysis
    body = {
        "status": "not ready" if problems else "ready",
        "model_version": version,
        "analyses_pending": pool.pending,
        "problems": problems,
    }
    return JSONResponse(body, 503 if problems else 200)


@router.post("/analyze", tags=["analyze"], response_model=Analysis)
async def analyze_text(body: AnalyzeIn, request: Request) -> dict[str, Any]:
    """Analyse a review without storing it (on an analysis worker; 503 when all are busy)."""
    pool: AnalysisPool = request.app.state.analysis
    async with pool.slot():
        found = await pool.analyze(body.text, title=body.title, rating=body.rating)
    return found.to_dict()


@router.get("/titles", tags=["titles"], response_model=TitleList)
def list_titles(
    store: StoreDep,
    q: str | None = Query(None, max_length=500),
    kind: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = OffsetQuery,
) -> dict[str, Any]:
    """Titles, optionally those whose name matches ``q`` (exact, then prefix, then
    containing), a page of ``limit`` from ``offset``."""
    items = (
        store.find_titles(q, limit, offset, kind) if q else store.list_titles(kind, limit, offset)
    )
    return {"items": [pages.title_dict(t) for t in items]}


@router.post(
    "/titles",
    tags=["titles"],
    status_code=201,
    dependencies=[Writer],
    response_model=TitleCreated,
)
def create_title(body: TitleCreate, store: StoreDep) -> dict[str, Any]:
    """Create a title (or return the existing one with the same name and kind)."""
    if body.parent_id is not None:
        pages.get_title_or_404(store, body.parent_id)
    title, created = store.get_or_add_title(TitleIn(**body.model_dump()))
    return {**pages.title_dict(title), "created": created}


@router.get("/titles/unmatched", tags=["titles"], response_model=Unmatched)
def list_unmatched(store: StoreDep, limit: int = Query(100, ge=1, le=500)) -> dict[str, Any]:
    """Reviews whose title was a guess (a name several catalog titles share), oldest
    first, each with the titles it could be."""
    items, total = store.unmatched(limit)
    return {"total": total, "items": items}


@router.post(
    "/titles/unmatched/{review_id}",
    tags=["titles"],
    dependencies=[Writer],
    response_model=MatchSettled,
)
def settle_unmatched(
    review_id: Annotated[int, IdPath], body: MatchSettle, store: StoreDep
) -> dict[str, Any]:
    """A person's answer: the review stays where it is ("confirmed") or moves to
    ``title_id`` ("moved"; "duplicate" when that title holds the same review already)."""
    if store.get_review(review_id) is None:
        raise NotFoundError(f"no review with id {review_id}; see GET /api/v1/titles/unmatched")
    pages.get_title_or_404(store, body.title_id)
    return {"review_id": review_id, "title_id": body.title_id,
            "result": store.confirm_match(review_id, body.title_id)}  # fmt: skip


@router.get(
    "/titles/{title_id}",
    tags=["titles"],
    response_model=TitlePage,
    response_model_exclude_unset=True,
)
def get_title(
    title_id: Annotated[int, IdPath],
    store: StoreDep,
    calibrated: bool | None = Query(
        None,
        description="Adjust scores by critics' calibration and leniency fitted on the "
        "store's history (default: the calibrated_scores setting).",
    ),
) -> dict[str, Any]:
    """A title's figures: % positive, scores, aspects, consensus, histogram, badges."""
    return pages.title_page(store, title_id, calibrated=calibrated)


@router.get(
    "/catalog/{external_id}",
    tags=["titles"],
    status_code=307,
    response_class=RedirectResponse,
    responses={307: {"description": "To the title's page, `/api/v1/titles/{id}`."}},
)
def title_by_catalog_id(
    external_id: Annotated[str, Path(pattern=r"^tt\d{7,12}$", examples=["tt0111161"])],
    store: StoreDep,
) -> RedirectResponse:
    """The title with this catalog (IMDb) id, after `critica catalog import`: a redirect to
    its page (404 when no title has the id)."""
    found = pages.title_by_catalog_id_or_404(store, external_id)
    return RedirectResponse(f"/api/v1/titles/{found.id}", status_code=307)


@router.get("/titles/{title_id}/reviews", tags=["titles"], response_model=ReviewsPage)
def title_reviews(
    title_id: Annotated[int, IdPath],
    store: StoreDep,
    fresh: bool | None = None,
    top_critic: bool | None = None,
    aspect: str | None = None,
    limit: int = Query(20, ge=1, le=200),
    offset: int = OffsetQuery,
) -> dict[str, Any]:
    """A title's reviews, newest first, filterable by fresh/rotten, top critic and aspect."""
    return pages.reviews_page(
        store,
        title_id,
        fresh=fresh,
        top_critic=top_critic,
        aspect=aspect,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/reviews",
    tags=["reviews"],
    status_code=201,
    dependencies=[Writer],
    response_model=ReviewCreated,
)
async def create_review(body: ReviewCreate, request: Request, store: StoreDep) -> dict[str, Any]:
    """Analyse and store a review (on an analysis worker; 503 when all are busy); the same
    review twice is stored once, a changed one updated."""
    pool: AnalysisPool = request.app.state.analysis
    async with pool.slot():
        title = await pool.in_thread(_title_of, body.title_id, store)
        analysis = await pool.analyze(body.text, title=title.name, rating=body.rating)
        return await pool.in_thread(_store_review, body, analysis, store)


def _title_of(title_id: int, store: Store) -> Title:
    """The title a review is posted for (404 when there is none)."""
    return pages.get_title_or_404(store, title_id)


def _store_review(body: ReviewCreate, analysis: Analysis, store: Store) -> dict[str, Any]:
    (stored,) = store.store_reviews([(ReviewIn(**body.model_dump(), source="api"), analysis)])
    if stored.id is None:
        raise InputError(f"review not stored: {stored.reason}")
    page = pages.review_page(store, stored.id)
    return {**page, "created": stored.status == "created", "status": stored.status}


@router.get("/reviews/{review_id}", tags=["reviews"], response_model=ReviewPage)
def get_review(review_id: Annotated[int, IdPath], store: StoreDep) -> dict[str, Any]:
    """A stored review with its full analysis."""
    return pages.review_page(store, review_id)


@router.get("/search", tags=["search"], response_model=SearchPage)
def search(
    store: StoreDep, q: str = Query(..., max_length=500), limit: int = Query(20, ge=1, le=100)
) -> dict[str, Any]:
    """Full-text search over reviews and titles; any text is a safe query."""
    return pages.search_page(store, q, limit)


@router.get(
    "/critics", tags=["critics"], response_model=CriticList, response_model_exclude_unset=True
)
def critics(
    store: StoreDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = OffsetQuery,
    calibration: bool = CalibrationQuery,
) -> dict[str, Any]:
    """Critics with stored reviews (and their fitted calibration with ``calibration=true``)."""
    items = [asdict(c) for c in store.list_critics(limit, offset)]
    return {"items": pages.with_calibration(store, items, "critics") if calibration else items}


@router.get(
    "/publications",
    tags=["publications"],
    response_model=PublicationList,
    response_model_exclude_unset=True,
)
def publications(
    store: StoreDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = OffsetQuery,
    calibration: bool = CalibrationQuery,
) -> dict[str, Any]:
    """Publications with their weight, top-critic flag and, asked for, fitted calibration."""
    items = [asdict(p) for p in store.list_publications(limit, offset)]
    return {"items": pages.with_calibration(store, items, "publications") if calibration else items}


@router.get("/calibration", tags=["critics"], response_model=CalibrationOut)
def calibration_fit(
    store: StoreDep,
    critic: str | None = Query(None, max_length=500),
    publication: str | None = Query(None, max_length=500),
    limit: int = Query(100, ge=1, le=10000),
) -> dict[str, Any]:
    """Per-critic and per-publication score maps and leniency offsets fitted on the store."""
    return pages.calibration_page(store, critic, publication, limit)


@router.patch(
    "/publications/{publication_id}",
    tags=["publications"],
    dependencies=[Writer],
    response_model=PublicationOut,
    response_model_exclude_unset=True,
)
def update_publication(
    publication_id: Annotated[int, IdPath], body: PublicationUpdate, store: StoreDep
) -> dict[str, Any]:
    """Change a publication's weight or top-critic flag."""
    return asdict(store.update_publication(publication_id, body.weight, body.top_critic))
