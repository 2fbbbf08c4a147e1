"""Analyses in worker processes (CRITICA_ANALYSIS_PROCESSES, the default): results equal
to the library's, errors that cross back intact, workers at a lower priority that follow
the server's settings, a dead worker replaced, and no worker left behind when the server
is killed (docs/reliability.md)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import critica
from critica import config
from critica.api import create_app
from critica.service.analysis_pool import shutdown_workers
from critica.store import open_store
from tests.live import wait_until_up

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import free_port

pytestmark = pytest.mark.slow

REVIEW = (
    "The cast is excellent and the lead is magnetic, but the script wanders badly in the "
    "middle hour and the ending falls flat."
)


def workers() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.is_alive()]


@pytest.fixture
def app_client(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CRITICA_ANALYSIS_PROCESSES", "true")
    monkeypatch.setenv("CRITICA_ANALYSIS_WORKERS", "1")
    config.settings.cache_clear()
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    with TestClient(create_app(store)) as client:  # the lifespan starts the workers
        client.store = store  # type: ignore[attr-defined]
        yield client
    config.settings.cache_clear()


def test_an_analysis_runs_in_a_worker_process_and_equals_the_librarys(app_client):
    assert workers(), "the server's start should have started a worker process"
    found = app_client.post("/api/v1/analyze", json={"text": REVIEW}).json()
    assert found == critica.analyze(REVIEW).to_dict()


def test_errors_from_a_worker_are_the_usual_answers(app_client):
    # analysed in the worker, refused there: the InputError crosses back as a 422
    r = app_client.post("/api/v1/analyze", json={"text": REVIEW, "rating": "banana"})
    assert r.status_code == 422 and r.json()["error"] == "RatingError"
    # store work stays on the server: an unknown title is a 404 before any analysis
    token = {"Authorization": f"Bearer {app_client.store.create_token('t')}"}
    r = app_client.post("/api/v1/reviews", json={"title_id": 999, "text": REVIEW}, headers=token)
    assert r.status_code == 404


def test_a_stored_review_is_analysed_in_a_worker(app_client):
    token = {"Authorization": f"Bearer {app_client.store.create_token('t')}"}
    title = app_client.post("/api/v1/titles", json={"name": "Heat"}, headers=token).json()
    body = {"title_id": title["id"], "text": REVIEW, "critic": "A. Critic", "rating": "3/4"}
    stored = app_client.post("/api/v1/reviews", json=body, headers=token)
    assert stored.status_code == 201
    assert stored.json()["analysis"]["score"] == 75.0
    assert stored.json()["analysis"]["text"] == REVIEW
    # the web form stores through the same worker
    form = {"token": token["Authorization"][7:], "title": "Heat", "text": REVIEW + " Yes."}
    web = app_client.post("/analyze/store", data=form, follow_redirects=False)
    assert web.status_code == 303 and web.headers["location"].startswith("/reviews/")


def test_workers_follow_the_servers_settings(app_client, monkeypatch):
    long = " ".join([REVIEW] * 5)
    assert not app_client.post("/api/v1/analyze", json={"text": long}).json()["warnings"]
    monkeypatch.setenv("CRITICA_MAX_ANALYZED_CHARS", "200")
    config.settings.cache_clear()
    warned = app_client.post("/api/v1/analyze", json={"text": long}).json()["warnings"]
    assert any("CRITICA_MAX_ANALYZED_CHARS" in w for w in warned), warned


@pytest.mark.skipif(sys.platform != "linux", reason="process priorities as Linux reports them")
def test_workers_run_at_a_lower_cpu_priority(app_client):
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert [os.getpriority(os.PRIO_PROCESS, p.pid) for p in workers()] == [
        min(19, mine + int(config.get("analysis_nice")))
    ]


def test_a_worker_that_dies_is_replaced(app_client):
    for p in workers():
        os.kill(p.pid, signal.SIGKILL)
        p.join(10)
    time.sleep(0.5)
    first = app_client.post("/api/v1/analyze", json={"text": REVIEW})
    # the request that finds the pool broken is told to retry; the retry is analysed
    assert first.status_code in (200, 503)
    if first.status_code == 503:
        assert first.headers["Retry-After"] and "restarted" in first.json()["message"]
    again = app_client.post("/api/v1/analyze", json={"text": REVIEW})
    assert again.status_code == 200 and again.json()["score"] is not None


def test_threads_when_processes_are_off(tmp_path, monkeypatch):
    shutdown_workers()
    monkeypatch.setenv("CRITICA_ANALYSIS_PROCESSES", "false")
    config.settings.cache_clear()
    try:
        with TestClient(create_app(open_store(f"sqlite:///{tmp_path / 't.db'}"))) as client:
            found = client.post("/api/v1/analyze", json={"text": REVIEW}).json()
            assert found == critica.analyze(REVIEW).to_dict()
            assert not workers()
    finally:
        config.settings.cache_clear()


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_no_worker_outlives_a_killed_server(tmp_path):
    db, port = f"sqlite:///{tmp_path / 'k.db'}", free_port()
    env = {**os.environ, "CRITICA_ANALYSIS_PROCESSES": "true", "CRITICA_ANALYSIS_WORKERS": "2"}
    server = subprocess.Popen(
        [sys.executable, "-m", "critica", "serve", "--port", str(port), "--db", db],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
        spawned = {c for c in children(server.pid) if "spawn_main" in cmdline(c)}
        assert len(spawned) == 2, "two analysis workers, started before the server answered"
    finally:
        server.kill()
        server.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(c) for c in spawned) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(c) for c in spawned), "a worker outlived the killed server"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""
