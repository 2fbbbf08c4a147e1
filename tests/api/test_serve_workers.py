"""`critica serve --workers 2`: two server processes over one store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import critica, free_port

from tests.live import wait_until_up

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_with_two_worker_processes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    port = free_port()
    proc = subprocess.Popen(critica("serve", "--port", str(port), "--db", db, "--workers", "2"),
                            cwd=ROOT, env={**os.environ})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, 120, "/readyz")
        assert httpx.get(base + "/api/v1/titles").status_code == 200
        assert len(children(proc.pid)) >= 2  # uvicorn's supervisor runs two worker processes
    finally:
        proc.terminate()
        proc.wait(timeout=30)
