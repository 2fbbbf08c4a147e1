"""Crash safety of ingest: kill -9 at random moments, re-run, every review stored exactly once,
the store intact. The long form is bench/crash.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from crash import crash_ingest


def test_ingest_killed_at_random_stores_each_review_once(store_url, tmp_path):
    report = crash_ingest(tmp_path, store_url, n=1000, rounds=3, seed=11, span=(1, 4))
    assert report["killed"] >= 1, report  # at least one kill landed mid-run
    assert report["stored"] == report["expected"] == 1000
    assert report["checksum_ok"], report
    assert report["integrity"] == []
