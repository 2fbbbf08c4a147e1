"""The REST API in-process, over a real SQLite store, with the real analyzer."""

from __future__ import annotations

import sys

import pytest

from critica.store import open_store

RAVE = "A tender, funny and gorgeously acted film; the cast is superb and the ending moving."
PAN = "A tedious mess: the script is lazy, the jokes fall flat and it drags on forever."


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('api') / 'c.db'}")
    yield s
    s.close()


def test_health(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["version"]
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["model_version"] and ready.json()["problems"] == []


def test_openapi_documents_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in [
        "/api/v1/analyze",
        "/api/v1/titles",
        "/api/v1/titles/{title_id}",
        "/api/v1/titles/{title_id}/reviews",
        "/api/v1/reviews",
        "/api/v1/reviews/{review_id}",
        "/api/v1/search",
        "/healthz",
    ]:
        assert path in paths


def test_analyze_does_not_store(client, store):
    before = store.count_reviews()
    body = client.post("/api/v1/analyze", json={"text": RAVE}).json()
    assert body["fresh"] is True and body["quote"]["text"]
    assert store.count_reviews() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/titles", {"name": "X"}),
        ("post", "/api/v1/reviews", {"title_id": 1, "text": RAVE}),
        ("patch", "/api/v1/publications/1", {"weight": 2}),
    ],
)
def test_writes_need_a_token(client, method, path, body):
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}]:
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 401 and "critica token create" in response.json()["message"]


def test_title_review_flow(client, auth):
    title = client.post(
        "/api/v1/titles", json={"name": "Harbor Lights", "kind": "series"}, headers=auth
    )
    assert title.status_code == 201
    tid = title.json()["id"]
    ids = []
    for i, text in enumerate(
        [RAVE, PAN, RAVE + " Truly.", RAVE + " Again.", PAN + " Sadly.", RAVE + " Yes."]
    ):
        r = client.post(
            "/api/v1/reviews",
            headers=auth,
            json={
                "title_id": tid,
                "text": text,
                "critic": f"Critic {i}",
                "publication": f"Paper {i % 3}",
            },
        )
        assert r.status_code == 201 and r.json()["created"] is True
        ids.append(r.json()["id"])
    again = client.post(
        "/api/v1/reviews",
        headers=auth,
        json={"title_id": tid, "text": RAVE, "critic": "Critic 0", "publication": "Paper 0"},
    )
    assert again.json()["created"] is False and again.json()["id"] == ids[0]
    page = client.get(f"/api/v1/titles/{tid}").json()
    for key in [
        "title",
        "kind",
        "reviews",
        "percent_positive",
        "percent_positive_interval",
        "score_mean",
        "score_weighted",
        "band",
        "top_critics",
        "aspects",
        "consensus",
        "histogram",
        "badges",
    ]:
        assert key in page
    assert page["reviews"] == 6 and page["percent_positive"] == pytest.approx(400 / 6, abs=0.1)
    assert (
        set(page["consensus"]["review_ids"]) <= set(ids)
        if "review_ids" in page["consensus"]
        else True
    )
    rotten = client.get(f"/api/v1/titles/{tid}/reviews", params={"fresh": False}).json()
    assert rotten["total"] == 2 and all(r["fresh"] is False for r in rotten["items"])
    review = client.get(f"/api/v1/reviews/{ids[0]}").json()
    assert review["analysis"]["text"] and review["title"]["name"] == "Harbor Lights"
    found = client.get("/api/v1/search", params={"q": "tedious"}).json()
    assert {r["id"] for r in found["reviews"]} >= {ids[1]}


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/titles/999999", 404), ("/api/v1/reviews/999999", 404), ("/api/v1/titles/abc", 422)],
)
def test_errors_are_json_with_a_message(client, path, status):
    response = client.get(path)
    assert response.status_code == status and response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "x" * 200_001}, {"text": RAVE, "rating": "lots"}],
)
def test_bad_analyze_bodies(client, body):
    response = client.post("/api/v1/analyze", json=body)
    assert response.status_code == 422 and response.json()["message"]


@pytest.mark.parametrize("q", ['"', "*", "NEAR(", "') OR 1=1 --", "title:", "ünïcode", "x" * 400])
def test_hostile_search_is_safe(client, q):
    assert client.get("/api/v1/search", params={"q": q}).status_code == 200


def test_openapi_describes_the_list_and_record_responses(client):
    """The typed responses are in /openapi.json, so clients can be generated from it."""
    spec = client.get("/openapi.json").json()

    def response_ref(path: str, method: str, status: str = "200") -> str:
        content = spec["paths"][path][method]["responses"][status]["content"]
        return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    assert response_ref("/healthz", "get") == "Health"
    assert response_ref("/api/v1/analyze", "post") == "Analysis"
    assert response_ref("/api/v1/titles", "get") == "TitleList"
    assert response_ref("/api/v1/titles", "post", "201") == "TitleCreated"
    assert response_ref("/api/v1/titles/{title_id}/reviews", "get") == "ReviewsPage"
    assert response_ref("/api/v1/titles/{title_id}", "get") == "TitlePage"
    assert response_ref("/api/v1/critics", "get") == "CriticList"
    assert response_ref("/api/v1/publications", "get") == "PublicationList"
    assert response_ref("/api/v1/calibration", "get") == "CalibrationOut"
    profile = spec["components"]["schemas"]["ProfileOut"]["properties"]
    assert {"rated_reviews", "shared_titles", "score_map", "leniency"} == set(profile)
    fields = spec["components"]["schemas"]["ReviewSummary"]["properties"]
    assert {"score", "fresh", "quote", "band"} <= set(fields)


def test_a_trailing_slash_redirects_without_echoing_the_host(client):
    r = client.get("/titles/?sort=name", headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/titles?sort=name"
    r = client.post("/api/v1/analyze/", json={"text": "x"}, follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/api/v1/analyze"
    assert "evil.example" not in str(r.headers)
    assert client.get("/titles/", follow_redirects=True).status_code == 200


def test_title_search_pages_reach_every_match(tmp_path):
    """A name matched by 120 titles: pages of 50 reach all 120, each once, in order."""
    from fastapi.testclient import TestClient

    from critica.api import create_app
    from critica.store import open_store
    from critica.store.records import TitleIn

    store = open_store(f"sqlite:///{tmp_path / 'many.db'}")
    for i in range(120):
        store.add_title(TitleIn(name=f"Night Shift {i:03d}", kind="film" if i % 2 else "series"))
    with TestClient(create_app(store)) as client:
        seen = []
        for offset in (0, 50, 100, 150):
            page = client.get("/api/v1/titles", params={"q": "night shift", "offset": offset})
            seen += [t["name"] for t in page.json()["items"]]
        many = client.get("/api/v1/titles", params={"q": "night", "limit": 500}).json()["items"]
        films = client.get("/api/v1/titles", params={"q": "night", "kind": "film", "limit": 500})
    assert seen == [f"Night Shift {i:03d}" for i in range(120)]
    assert len(many) == 120 and len(films.json()["items"]) == 60
    store.close()


def test_failed_token_checks_are_limited_per_client(tmp_path):
    from fastapi.testclient import TestClient

    from critica.api import create_app
    from critica.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'auth.db'}")
    good = {"Authorization": f"Bearer {store.create_token('ok')}"}
    bad = {"Authorization": "Bearer crt_guessing"}
    body = {"name": "Heat", "kind": "film"}
    with TestClient(create_app(store)) as client:
        assert client.post("/api/v1/titles", json=body, headers=good).status_code == 201
        codes = [
            client.post("/api/v1/titles", json=body, headers=bad).status_code for _ in range(20)
        ]
        assert codes == [401] * 20
        blocked = client.post("/api/v1/titles", json=body, headers=good)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert "too many requests with an invalid token" in blocked.json()["message"]
        web = client.post("/analyze/store", data={"text": "A fine film.", "title": "Heat",
                                                  "token": "crt_guessing"})  # fmt: skip
        assert web.status_code == 429 and "retry-after" in web.headers
        assert client.get("/api/v1/titles").status_code == 200  # reads are never limited
    store.close()


def test_failures_leave_the_window():
    import time

    from critica.api.limits import FailedAuth
    from critica.errors import RateLimitError

    limits = FailedAuth(limit=2, window=0.3, clients=2)
    limits.failed("a")
    limits.failed("a")
    with pytest.raises(RateLimitError):
        limits.check("a")
    limits.check("b")  # another client is not affected
    time.sleep(0.35)
    limits.check("a")  # the failures have left the window
    for name in ("c", "d", "e"):
        limits.failed(name)
    assert len(limits._failures) == 2  # bounded memory: the least recent client dropped


def test_an_unknown_token_does_not_wait_for_the_write_lock(tmp_path):
    """A flood of bad tokens must not queue behind (or block) writers: a bad token is
    refused by a read while another connection holds SQLite's write lock."""
    import sqlite3
    import time

    from critica.store import open_store

    path = tmp_path / "lock.db"
    store = open_store(f"sqlite:///{path}")
    good = store.create_token("ok")
    writer = sqlite3.connect(path, timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        start = time.perf_counter()
        assert store.verify_token("crt_guessing") is False
        assert time.perf_counter() - start < 1.0
    finally:
        writer.rollback()
        writer.close()
    assert store.verify_token(good) is True
    store.close()


def test_a_review_posted_again_under_its_id_is_updated(client, auth):
    tid = client.post("/api/v1/titles", json={"name": "Id Test", "kind": "film"}, headers=auth)
    body = {"title_id": tid.json()["id"], "text": RAVE, "critic": "Ida", "external_id": "src-1"}
    first = client.post("/api/v1/reviews", json=body, headers=auth).json()
    again = client.post("/api/v1/reviews", json={**body, "text": PAN}, headers=auth).json()
    assert (first["status"], again["status"], again["id"]) == ("created", "updated", first["id"])
    assert again["created"] is False and again["fresh"] is False  # the pan's verdict now
    other = client.post("/api/v1/reviews", json={**body, "critic": "Someone Else"}, headers=auth)
    assert other.status_code == 422 and "already names another review" in other.json()["message"]


def test_the_analysis_pool_bounds_work_and_reads_stay_open(client):
    """Full pool: analyses and stores get 503 + Retry-After at once; reads still answer."""
    pool = client.app.state.analysis
    saved = pool.pending
    pool.pending = pool.workers + pool.queue
    try:
        r = client.post("/api/v1/analyze", json={"text": RAVE})
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        assert "analyses are running or waiting" in r.json()["message"]
        web = client.post("/analyze", data={"text": RAVE})
        assert web.status_code == 503 and web.headers["retry-after"] == "5"
        assert client.get("/api/v1/titles").status_code == 200
        assert client.get("/healthz").status_code == 200
    finally:
        pool.pending = saved
    assert client.post("/api/v1/analyze", json={"text": RAVE}).status_code == 200


def test_analysis_pool_runs_at_most_its_workers():
    import asyncio
    import threading

    from critica.errors import BusyError
    from critica.service.analysis_pool import AnalysisPool

    pool = AnalysisPool(workers=1, queue=1)
    release = threading.Event()
    running = []

    def work(n: int) -> int:
        running.append(n)
        release.wait(5)
        return n

    async def scenario() -> list[int]:
        first = asyncio.ensure_future(pool.run(work, 1))
        second = asyncio.ensure_future(pool.run(work, 2))  # waits for the one worker
        await asyncio.sleep(0.2)
        assert running == [1] and pool.pending == 2
        with pytest.raises(BusyError):
            await pool.run(work, 3)
        release.set()
        return [await first, await second]

    assert asyncio.run(scenario()) == [1, 2] and pool.pending == 0
    pool.close()


@pytest.mark.skipif(sys.platform != "linux", reason="threads have priorities of their own on Linux")
def test_analyses_run_at_a_lower_cpu_priority_than_reads(monkeypatch):
    """Reads get a core first while both are busy analysing (docs/reliability.md): the
    pool's threads are niced by CRITICA_ANALYSIS_NICE; 0 leaves them as they were."""
    import asyncio
    import os
    import threading

    from critica import config
    from critica.service.analysis_pool import AnalysisPool

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    base = priority()
    for nice, expected in (("7", min(19, base + 7)), ("0", base)):
        monkeypatch.setenv("CRITICA_ANALYSIS_NICE", nice)
        config.settings.cache_clear()
        pool = AnalysisPool(workers=1, queue=0)
        assert asyncio.run(pool.run(priority)) == expected
        pool.close()
    config.settings.cache_clear()
    assert priority() == base  # the caller's own thread is untouched
