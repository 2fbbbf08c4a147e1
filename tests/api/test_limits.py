"""Every request is bounded: body size (413), time (503), CORS off, and a clean 500 with the
security headers when something unexpected breaks. Hostile bodies get 4xx JSON, never 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from critica import config
from critica.api import create_app
from critica.store import open_store


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    yield s
    s.close()


@pytest.fixture
def app_with(store, monkeypatch):
    """An app built under the given CRITICA_* settings."""

    def build(**settings: str) -> TestClient:
        for name, value in settings.items():
            monkeypatch.setenv(f"CRITICA_{name.upper()}", value)
        config.settings.cache_clear()
        return TestClient(create_app(store))

    yield build
    monkeypatch.undo()
    config.settings.cache_clear()


def test_a_declared_oversized_body_is_refused_before_it_is_read(app_with):
    client = app_with(max_request_bytes="1000")
    r = client.post("/api/v1/analyze", json={"text": "A fine film. " * 200})
    assert r.status_code == 413
    assert "CRITICA_MAX_REQUEST_BYTES" in r.json()["message"]


def test_a_streamed_oversized_body_is_refused_too(app_with):
    client = app_with(max_request_bytes="1000")
    chunks = (b'{"text": "' + b"x" * 400 for _ in range(5))  # no Content-Length: chunked
    r = client.post("/api/v1/analyze", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_web_form_over_the_limit_gets_a_page_with_the_headers(app_with):
    client = app_with(max_request_bytes="1000")
    r = client.post("/analyze", data={"text": "word " * 1000})
    assert r.status_code == 413 and "text/html" in r.headers["content-type"]
    assert "content-security-policy" in r.headers


def test_a_slow_request_is_stopped_with_a_clear_503(app_with):
    client = app_with(request_timeout="0.000001")
    r = client.post("/api/v1/analyze", json={"text": "A tender and funny film."})
    assert r.status_code == 503
    assert "CRITICA_REQUEST_TIMEOUT" in r.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # nested past Python's recursion limit
        '{"text": ' * 50_000 + '"x"' + "}" * 50_000,
        '{"text": "unterminated',
        '{"text": "nul \\u0000 byte"}',
        '{"text": "\\ud800 lone surrogate"}',
        '{"text": 12345}',
        "\xff\xfe not utf-8",
    ],
)
def test_hostile_json_bodies_get_a_4xx_json_answer(app_with, body):
    client = app_with()
    raw = body.encode("utf-8", "surrogateescape") if "\xff" not in body else b"\xff\xfe x"
    r = client.post("/api/v1/analyze", content=raw, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["message"]


def test_control_characters_and_huge_lines_are_handled(app_with):
    client = app_with()
    noisy = "A fine\x07 film\x1b[31m with\x0b a superb cast. " + "word" * 20_000
    r = client.post("/api/v1/analyze", json={"text": noisy})
    assert r.status_code == 200
    assert "\x1b" not in r.json()["text"] and "\x07" not in r.json()["text"]


class Broken:
    """A store whose every call fails unexpectedly."""

    def __getattr__(self, name: str):
        def fail(*_, **__):
            raise RuntimeError("SECRET internal detail")

        return fail


def test_an_unexpected_error_is_a_clean_500_with_the_security_headers():
    client = TestClient(create_app(Broken()))  # type: ignore[arg-type]
    api = client.get("/api/v1/titles")  # /healthz touches no store any more
    assert api.status_code == 500 and api.json()["error"] == "ServerError"
    assert "SECRET" not in api.text and "Traceback" not in api.text
    page = client.get("/")
    assert page.status_code == 500 and "text/html" in page.headers["content-type"]
    assert "SECRET" not in page.text
    for r in (api, page):
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_cors_is_off_by_default_and_on_only_for_named_origins(app_with):
    origin = {"Origin": "https://evil.example"}
    r = app_with().get("/healthz", headers=origin)
    assert "access-control-allow-origin" not in r.headers
    client = app_with(cors_origins="https://critica.example")
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers
    ok = client.get("/healthz", headers={"Origin": "https://critica.example"})
    assert ok.headers["access-control-allow-origin"] == "https://critica.example"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "../../etc/passwd",
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "gopher://localhost/",
    ],
)
def test_the_analyze_page_cannot_read_files_or_internal_addresses(app_with, url):
    client = app_with()
    r = client.post("/analyze", data={"url": url})
    assert r.status_code in (400, 422)
    assert "root:" not in r.text


def test_api_writes_without_a_token_change_nothing(app_with, store):
    client = app_with()
    before = store.count_reviews()
    for path, body in (
        ("/api/v1/titles", {"name": "X", "kind": "film"}),
        ("/api/v1/reviews", {"title_id": 1, "text": "A fine film."}),
    ):
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
            r = client.post(path, content=json.dumps(body), headers=headers)
            assert r.status_code == 401, r.text
    assert store.count_reviews() == before and not store.find_titles("X")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/titles/99999999999999999999999",
        "/api/v1/reviews/-1",
        "/api/v1/titles?offset=99999999999999999999",
        "/titles/99999999999999999999999",
        "/reviews/0",
        "/titles/1?offset=-5",
    ],
)
def test_out_of_range_ids_are_4xx_not_500(app_with, path):
    r = app_with().get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])


def test_no_read_reaches_the_tokens(app_with, store):
    from critica.store.tokens import token_hash

    client = app_with()
    secret = store.create_token("SECRETNAME-editor")
    writes = {"Authorization": f"Bearer {secret}"}
    title = client.post("/api/v1/titles", json={"name": "Token Film"}, headers=writes).json()
    client.post(
        "/api/v1/reviews",
        json={"title_id": title["id"], "text": "A fine film with a superb cast."},
        headers=writes,
    )
    reads = [
        "/healthz",
        "/openapi.json",
        "/api/v1/titles",
        f"/api/v1/titles/{title['id']}",
        f"/api/v1/titles/{title['id']}/reviews",
        "/api/v1/reviews/1",
        "/api/v1/search?q=editor",
        "/api/v1/search?q=token",
        "/api/v1/critics",
        "/api/v1/publications",
        "/",
        "/search?q=editor",
        f"/titles/{title['id']}",
    ]
    for path in reads:
        body = client.get(path).text
        for leak in (secret, token_hash(secret), "SECRETNAME", "token_hash"):
            assert leak not in body, (path, leak)
