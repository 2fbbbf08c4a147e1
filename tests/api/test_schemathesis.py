"""Schemathesis against the OpenAPI schema: generated requests to every operation (with a
valid token, so writes are exercised too) must never get a server error."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402

from critica.api import create_app  # noqa: E402
from critica.store import open_store  # noqa: E402

EXAMPLES = int(os.environ.get("CRITICA_FUZZ_EXAMPLES", "25"))  # per operation


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'c.db'}")
    app = create_app(store)
    yield schemathesis.openapi.from_asgi("/openapi.json", app), store.create_token("fuzz")
    store.close()


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_survives_generated_requests(api):
    schema, token = api
    seen, calls = [], []
    for operation in operations(schema):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            calls.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])

        run()
        seen.append(operation.label)
    assert len(seen) >= 10, seen
    assert len(calls) >= 5 * len(seen)  # hypothesis really generated requests
    print(f"{len(seen)} operations, {len(calls)} generated requests, no server error")
