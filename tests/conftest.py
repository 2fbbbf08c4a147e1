"""Shared fixtures: the worked example, the datasets folder, a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples every run (no flaky red builds); local runs keep exploring
# new ones, which is how the property tests found the cleaner's bugs.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"
EXAMPLE = SHARED / "examples" / "seven-seconds-review.txt"


def need(path: Path, what: str) -> Path:
    """Skip when shared data is absent, except in CI where that is a failure."""
    if not path.exists():
        message = f"{what} not found at {path}; put ../shared beside the clone"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def example_text() -> str:
    return need(EXAMPLE, "the worked example").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def datasets() -> Path:
    return need(DATASETS, "the datasets")


@pytest.fixture(scope="module")
def client(store):  # type: ignore[no-untyped-def]
    """An in-process API/web client over the module's ``store`` fixture."""
    from fastapi.testclient import TestClient

    from critica.api import create_app

    return TestClient(create_app(store))


@pytest.fixture(scope="module")
def auth(store):  # type: ignore[no-untyped-def]
    """Headers with a fresh API token for the module's store."""
    return {"Authorization": f"Bearer {store.create_token('tests')}"}


# Modules that start worker processes, Dask clusters or Chromium, or run load and crash
# loops; `make test-fast` leaves them out (`-m "not slow"`), `make test` runs everything.
SLOW_MODULES = (
    "tests/batch/",  # worker processes and Dask clusters on loopback
    "tests/store/test_crash.py",  # ingest killed at random, many times
    "tests/store/test_load.py",  # concurrent writers and readers
    "tests/api/test_serve_workers.py",  # two server processes, each loading the models
    "tests/api/test_schemathesis.py",  # generated requests against every operation
    "tests/web/test_browser.py",  # Chromium
    "tests/test_eval.py",  # every system over the datasets folder
    "tests/test_readme.py",  # every README command, each a fresh process
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW_MODULES):
            item.add_marker(pytest.mark.slow)
