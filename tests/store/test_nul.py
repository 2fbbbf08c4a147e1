"""NUL characters: PostgreSQL cannot store them and SQLite can, so one rule at the edge makes
both stores behave the same. A NUL in a query parameter is a 422 (it was a 500 on PostgreSQL,
unauthenticated reads included); a NUL in a name, critic, publication or URL to store is
removed, and one in a review's text is refused as binary input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from critica.api import create_app
from critica.store.sql import SQLStore


@pytest.fixture
def client(store: SQLStore) -> TestClient:
    return TestClient(create_app(store), raise_server_exceptions=False)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/titles?q=%00",
        "/api/v1/titles?kind=%00",
        "/api/v1/titles/1/reviews?aspect=%00",
        "/api/v1/search?q=a%00b",
        "/titles/1?aspect=%00",
        "/search?q=%00",
    ],
)
def test_a_nul_in_a_query_parameter_is_a_422(client, path):
    r = client.get(path)
    assert r.status_code == 422 and "NUL" in r.text


def test_a_nul_in_a_stored_field_is_removed(client, store):
    auth = {"Authorization": f"Bearer {store.create_token('nul')}"}
    title = client.post(
        "/api/v1/titles", json={"name": "Night\x00 Shift", "network": "N\x00BC"}, headers=auth
    )
    assert title.status_code == 201, title.text
    assert (title.json()["name"], title.json()["network"]) == ("Night Shift", "NBC")
    review = client.post(
        "/api/v1/reviews",
        json={"title_id": title.json()["id"], "text": "A tender, funny film.",
              "critic": "Ann\x00 Lee", "publication": "The\x00 Post",
              "url": "https://example.org/\x00r"},
        headers=auth,
    )  # fmt: skip
    assert review.status_code == 201, review.text
    got = review.json()
    assert (got["critic"], got["publication"], got["url"]) == (
        "Ann Lee",
        "The Post",
        "https://example.org/r",
    )
    assert store.find_titles("Night Shift")[0].name == "Night Shift"
    # A NUL in the review text itself is refused, on both stores, as binary input.
    binary = client.post(
        "/api/v1/reviews", json={"title_id": title.json()["id"], "text": "A\x00B"}, headers=auth
    )
    assert binary.status_code == 422 and "NUL" in binary.json()["message"]
