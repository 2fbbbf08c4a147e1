"""Do reads stay fast while the server analyses? (docs/reliability.md)

    .venv/bin/python bench/reads_under_analysis.py [--clients 30] [--seconds 30]

Starts `critica serve` on a fresh SQLite store holding the demo reviews, then for
--seconds: --clients threads post /api/v1/analyze back to back (a review of
about 120 words), while one prober asks /healthz and a title page in turn every
100 ms. Prints the probes' p50/p99 (ms) and the analyses' status codes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()
    db = f"sqlite:///{tempfile.mkdtemp()}/r.db"
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

        threads = [threading.Thread(target=post) for _ in range(args.clients)]
        threads.append(threading.Thread(target=probe))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"{args.clients} clients posting /api/v1/analyze for {args.seconds} s: {dict(codes)}")
        for name, values in probes.items():
            print(
                f"{name}: {len(values)} probes, p50 {percentile(values, 0.5):.0f} ms, "
                f"p99 {percentile(values, 0.99):.0f} ms"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
