"""Do reads stay fast while the server analyses? (docs/reliability.md)

    .venv/bin/python bench/reads_under_analysis.py [--clients 30] [--seconds 30]
        [--postgres postgresql://postgres@127.0.0.1:5432/test] [--bad-tokens]

Starts `critica serve` on a fresh store holding the demo reviews (a SQLite file, or
a PostgreSQL schema of its own, dropped afterwards), then for --seconds: --clients
threads post /api/v1/analyze back to back (a review of about 120 words), while one
prober asks /healthz and a title page in turn every 100 ms. Prints the probes'
p50/p99 (ms), the analyses' status codes and the server's memory (with its analysis
workers). CRITICA_ANALYSIS_PROCESSES=false runs the analyses on threads instead.

With --bad-tokens the clients instead post reviews with unknown `crt_...` tokens as
fast as they can, while one writer (from another loopback address) stores reviews
with a good token; it prints the good writes' p50/p99 and the bad requests' status
codes (429 once an address has failed 20 times in a minute). `--clients 0` gives the
good writes' baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import critica, free_port

ROOT = Path(__file__).resolve().parents[1]
REVIEW = (
    "The cast is uniformly excellent, and the lead gives a quietly devastating performance "
    "that anchors every scene. The script, though, wanders badly in the middle hour, piling "
    "on subplots that go nowhere, and the pacing sags until a tense final act pulls it back "
    "together. The photography is gorgeous, the score unobtrusive, and the ending lands with "
    "real force. It is an uneven film, but the best parts are very good indeed, and the "
    "performances alone make it worth seeing on the biggest screen you can find."
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


@contextlib.contextmanager
def fresh_store(postgres: str | None) -> Iterator[str]:
    """A URL to an empty store: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if not postgres:
        yield f"sqlite:///{tempfile.mkdtemp()}/r.db"
        return
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def together(jobs: list[Callable[[], None]]) -> None:
    """Run each job on a thread of its own and wait for all of them."""
    threads = [threading.Thread(target=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--postgres", default=None, help="PostgreSQL URL (default: SQLite)")
    ap.add_argument("--bad-tokens", action="store_true", help="flood writes with unknown tokens")
    args = ap.parse_args()
    with fresh_store(args.postgres) as db:
        run(db, args)


def run(db: str, args: argparse.Namespace) -> None:
    demo = str(ROOT / "critica" / "demo" / "reviews.jsonl")
    subprocess.run(critica("ingest", demo, "--db", db), check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(critica("serve", "--port", str(port), "--db", db))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        title = httpx.get(base + "/api/v1/titles", params={"q": "Salt Orchard"}).json()
        page = f"{base}/titles/{title['items'][0]['id']}"
        if args.bad_tokens:
            token = subprocess.run(
                critica("token", "create", "bench", "--db", db),
                check=True, capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip
            flood(base, token, args)
            return
        stop = time.monotonic() + args.seconds
        codes: Counter[int] = Counter()
        probes: dict[str, list[float]] = {"healthz": [], "title page": []}

        def post() -> None:
            with httpx.Client(timeout=120) as client:
                while time.monotonic() < stop:
                    try:
                        r = client.post(base + "/api/v1/analyze", json={"text": REVIEW})
                        codes[r.status_code] += 1
                        if r.status_code == 503:
                            time.sleep(0.2)
                    except httpx.HTTPError:
                        codes[0] += 1

        def probe() -> None:
            with httpx.Client(timeout=120) as client:
                while time.monotonic() < stop:
                    for name, url in (("healthz", base + "/healthz"), ("title page", page)):
                        start = time.perf_counter()
                        client.get(url)
                        probes[name].append(1000 * (time.perf_counter() - start))
                    time.sleep(0.1)

        together([post] * args.clients + [probe])
        print(f"{args.clients} clients posting /api/v1/analyze for {args.seconds} s: {dict(codes)}")
        for name, values in probes.items():
            print(
                f"{name}: {len(values)} probes, p50 {percentile(values, 0.5):.0f} ms, "
                f"p99 {percentile(values, 0.99):.0f} ms"
            )
        if rss := resident_mb(server.pid):
            print(f"server memory (its processes' resident sets, summed): {rss:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


def resident_mb(pid: int) -> float:
    """The resident memory of a process and its children, in MB (Linux /proc; 0 elsewhere)."""
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return 0.0
    kids = [int(c) for t in (proc / "task").iterdir() for c in (t / "children").read_text().split()]
    rss = next(int(x.split()[1]) for x in (proc / "status").read_text().splitlines()
               if x.startswith("VmRSS"))  # fmt: skip
    return rss / 1024 + sum(resident_mb(k) for k in kids)


def flood(base: str, token: str, args: argparse.Namespace) -> None:
    """Unknown tokens posted as fast as possible beside one writer with a good token."""
    stop = time.monotonic() + args.seconds
    codes: Counter[int] = Counter()
    good: list[float] = []
    title = httpx.post(base + "/api/v1/titles", json={"name": "Flood Test", "kind": "film"},
                       headers={"Authorization": f"Bearer {token}"}).json()["id"]  # fmt: skip
    review = {"title_id": title, "critic": "Bench", "text": REVIEW[:200]}

    def bad() -> None:
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < stop:
                bogus = {"Authorization": f"Bearer crt_{uuid.uuid4().hex}"}
                r = client.post(base + "/api/v1/reviews", json=review, headers=bogus)
                codes[r.status_code] += 1

    def writer() -> None:
        # Another source address: failed checks are limited per client address.
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(timeout=60, transport=other) as client:
            n = 0
            while time.monotonic() < stop:
                n += 1
                body = {**review, "critic": f"Bench {n}", "text": f"{REVIEW} ({n})"}
                start = time.perf_counter()
                r = client.post(base + "/api/v1/reviews", json=body,
                                headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                if r.status_code == 201:
                    good.append(1000 * (time.perf_counter() - start))
                else:
                    codes[-r.status_code] += 1  # a good write refused: shown negative
                time.sleep(0.05)

    together([bad] * args.clients + [writer])
    total = sum(codes.values())
    print(f"{args.clients} clients posting unknown tokens for {args.seconds} s: "
          f"{total} requests ({total / args.seconds:.0f}/s), {dict(codes)}")  # fmt: skip
    print(f"good writes: {len(good)}, p50 {percentile(good, 0.5):.0f} ms, "
          f"p99 {percentile(good, 0.99):.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
