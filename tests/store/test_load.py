"""Concurrency: locust clients posting reviews and reading figures against a real `critica
serve` on loopback, on SQLite and PostgreSQL. Zero errors; every accepted review stored
exactly once. The long form (50 clients, 60 s) is bench/load.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import run_load

# Not importorskip: importing locust here would monkey-patch this process with gevent.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="locust is not installed (test extra)"
)


def test_concurrent_writes_and_reads_lose_nothing(store_url, tmp_path):
    report = run_load(store_url, users=20, seconds=10, work=tmp_path)
    total = report["endpoints"]["Aggregated"]
    assert total["requests"] > 50, report
    assert total["failures"] == 0, report
    assert report["accepted"] > 0
    assert report["accepted"] == report["stored"] == report["distinct_ids"], report
    assert report["new_in_store"] == report["accepted"]
    assert report["checksum_ok"] and report["integrity"] == []
