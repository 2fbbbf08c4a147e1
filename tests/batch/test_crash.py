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


def test_ctrl_c_keeps_finished_parts_and_says_how_to_resume(tmp_path):
    import os
    import signal
    import subprocess
    import time

    from crash import critica, make_reviews, write_jsonl

    path = write_jsonl(tmp_path / "r.jsonl", make_reviews(3000))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        critica("batch", str(path), "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(5)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    done = subprocess.run(
        critica("batch", str(path), "--out", str(out), "--resume"), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    import pyarrow.parquet as pq

    ids = [i for p in out.glob("part-*.parquet") for i in pq.read_table(p)["id"].to_pylist()]
    assert len(ids) == len(set(ids)) == 3000
