"""Load: N concurrent clients mixing review posts and reads against `critica serve` on
loopback for T seconds (locust, headless), then count and checksum what was stored.

    .venv/bin/python bench/load.py --users 50 --seconds 60                       # SQLite
    .venv/bin/python bench/load.py --users 50 --seconds 60 --db postgresql://postgres@127.0.0.1/test

Prints requests, failures, requests/s and p50/p99 per endpoint, and whether every
accepted review is stored exactly once. tests/test_load.py runs a short form.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def critica(*args: str) -> list[str]:
    return [sys.executable, "-m", "critica", *args]


def serve(db: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        critica("serve", "--port", str(port), "--db", db),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"critica serve did not start; see {log}")


def run_load(db: str, users: int, seconds: int, work: Path) -> dict[str, Any]:
    """Serve ``db``, load it, stop, and check the stored reviews against what was accepted."""
    from critica.store import open_store

    store = open_store(db)
    token = store.create_token("load")
    before = store.count_reviews()
    store.close()
    port = free_port()
    server = serve(db, port, work / "serve.log")
    try:
        base = f"http://127.0.0.1:{port}"
        title = httpx.post(
            f"{base}/api/v1/titles",
            json={"name": f"Load Test {port}", "kind": "film"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()["id"]
        sent = work / "sent.jsonl"
        env = {
            **os.environ,
            "CRITICA_LOAD_TOKEN": token,
            "CRITICA_LOAD_TITLE": str(title),
            "CRITICA_LOAD_SENT": str(sent),
        }
        prefix = work / "stats"
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base,
             "--csv", str(prefix), "--only-summary", "--stop-timeout", "30"],
            env=env, check=False, capture_output=True, timeout=seconds + 120,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    failures: dict[str, int] = {}
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", newline="") as fh:
            for r in csv.DictReader(fh):  # why requests failed, by status code
                found = re.search(r"\b([1-5]\d\d)\b", r["Error"])
                code = found.group(1) if found else r["Error"][:60]
                failures[code] = failures.get(code, 0) + int(r["Occurrences"])
    accepted = [json.loads(line) for line in sent.read_text().splitlines()] if sent.exists() else []
    store = open_store(db)
    try:
        stored = []
        while True:
            page, total = store.reviews_for_title(title, limit=500, offset=len(stored))
            stored += page
            if not page or len(stored) >= total:
                break
        report = {
            "users": users,
            "seconds": seconds,
            "endpoints": {
                r["Name"]: {
                    "requests": int(r["Request Count"]),
                    "failures": int(r["Failure Count"]),
                    "rps": round(float(r["Requests/s"]), 1),
                    "p50_ms": _ms(r["50%"]),
                    "p99_ms": _ms(r["99%"]),
                }
                for r in rows
            },
            "failures_by_status": failures,
            "accepted": len(accepted),
            "stored": len(stored),
            "distinct_ids": len({a["id"] for a in accepted}),
            "checksum_ok": _digest(a["text"] for a in accepted) == _digest(r.text for r in stored),
            "new_in_store": store.count_reviews() - before,
            "integrity": store.integrity_check(),
        }
    finally:
        store.close()
    return report


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def _digest(texts: Any) -> str:
    return hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--db", default=None, help="store URL (default: a fresh SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        db = args.db or f"sqlite:///{work / 'load.db'}"
        report = run_load(db, args.users, args.seconds, work)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
