"""Crash safety of batch: kill -9 the coordinator and its workers at random moments, resume,
and every review is written exactly once. The long form is bench/crash.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from crash import crash_batch


def test_batch_killed_at_random_writes_each_review_once(tmp_path):
    report = crash_batch(tmp_path, n=1500, rounds=3, seed=5, span=(1.5, 5))
    assert report["killed"] >= 1, report
    assert report["written"] == report["distinct"] == report["expected"] == 1500
    assert report["ids_ok"] and report["complete"] is True
    assert report["leftover_tmp"] == 0
