"""Memory of `critica serve` under a burst of web-form URL fetches of a large page.

    .venv/bin/python bench/fetch_memory.py [--posts 12] [--page-mb 50]

Serves a --page-mb MB HTML page from a local server, starts `critica serve` with
CRITICA_FETCH_PRIVATE_HOSTS=1 (the page is on loopback), warms it up with one
pasted review, then sends --posts concurrent POST /analyze {url} and prints the
server's resident memory (VmRSS) before the burst, at its peak during the burst
(sampled every 50 ms) and 2 s after, with the status codes the posts got.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import critica, free_port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def page_server(size: int) -> tuple[ThreadingHTTPServer, str]:
    body = b"<html><body><article><p>" + b"A fine film. " * (size // 13) + b"</p></article>"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the reader must stop on its own
            for i in range(0, len(body), 1 << 16):
                self.wfile.write(body[i : i + (1 << 16)])

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/page"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=12)
    ap.add_argument("--page-mb", type=int, default=50)
    args = ap.parse_args()
    httpd, page = page_server(args.page_mb << 20)
    port = free_port()
    db = f"sqlite:///{tempfile.mkdtemp()}/m.db"
    env = {
        **os.environ,
        "CRITICA_FETCH_PRIVATE_HOSTS": "1",
        "CRITICA_MAX_INPUT_BYTES": str(60 << 20),
    }
    proc = subprocess.Popen(critica("serve", "--port", str(port), "--db", db), env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        httpx.post(base + "/analyze", data={"text": "A taut, gripping film."}, timeout=120)
        before = rss_mb(proc.pid)
        peak, done = before, threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        with ThreadPoolExecutor(args.posts) as pool:
            codes = Counter(
                pool.map(
                    lambda _: (
                        httpx.post(base + "/analyze", data={"url": page}, timeout=300).status_code
                    ),
                    range(args.posts),
                )
            )
        done.set()
        sampler.join()
        time.sleep(2)
        after = rss_mb(proc.pid)
        print(
            f"{args.posts} concurrent URL posts of a {args.page_mb} MB page: status {dict(codes)}"
        )
        print(f"server RSS: before {before:.0f} MB, peak {peak:.0f} MB, 2 s after {after:.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        httpd.shutdown()


if __name__ == "__main__":
    main()
