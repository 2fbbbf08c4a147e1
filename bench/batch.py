"""Batch throughput: one process vs the local engine on every core vs Dask, and PyTorch.

    .venv/bin/python bench/batch.py --data ../shared/datasets                  # engines + torch
    .venv/bin/python bench/batch.py --data ../shared/datasets --million 1000000  # scale run
    .venv/bin/python bench/batch.py --data ../shared/datasets --profile          # time per step

Every configuration runs in a fresh process (``critica batch`` as a user would
run it), so each pays its own start-up and model loads; rates are wall-clock.
Peak memory is the whole process tree's resident set, sampled every 0.2 s.

* engines: full-length reviews (IMDb train texts) and short quotes (the Rotten
  Tomatoes lists), each through 1 process (1 inference thread), 1 process
  (all threads), the local engine with 2 workers, and (same run) all-MiniLM-L6-v2
  in PyTorch over every sentence, batched, on all threads: the obvious alternative.
* dask: the same quotes through a warm local engine and a warm Dask cluster
  (scheduler and 2 workers on loopback), so the difference is the per-partition cost.
* profile: where one process's time goes, component by component, and spaCy's
  ``nlp.pipe`` batch size.
* million: N short reviews (the quotes, cycled, each with its own id) written to
  Parquet, then ``critica batch`` + ``critica aggregate``: wall time and peak memory,
  at N/50, N/10 and N to show memory stays flat.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CRITICA = [".venv/bin/python", "-m", "critica"]  # the runtime install (no torch); see --runtime


def imdb(root: Path, n: int) -> list[dict[str, Any]]:
    rows = []
    with gzip.open(root / "imdb/train.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows.append({"id": row["id"], "text": row["text"].replace("<br />", "\n")})
            if len(rows) >= n:
                break
    return rows


def quotes(root: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted((root / "rt_critics").glob("*/critic_reviews.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["quote"].strip():
                    rows.append(
                        {
                            "id": r["reviewId"],
                            "text": r["quote"],
                            "title": r["movieId"],
                            "critic": r["criticName"],
                            "publication": r["publicationName"],
                            "top_critic": r["isTopCritic"],
                        }
                    )
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    return path


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every descendant, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(kids)
        frontier += kids
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; (seconds, peak MiB of its process tree, stdout+stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{output}")
    return seconds, peak / 2**20, output


def batch(
    inputs: Path, out: Path, workers: int, threads: int | None = None, *extra: str
) -> tuple[float, float]:
    env = {"CRITICA_THREADS": str(threads)} if threads is not None else {}
    cmd = [*CRITICA, "batch", str(inputs), "--out", str(out), "--workers", str(workers), *extra]
    seconds, peak, _ = timed(cmd, env)
    return seconds, peak


def sentences_of(rows: list[dict[str, Any]]) -> list[str]:
    from critica.pipeline.clean import clean_text
    from critica.pipeline.segment import split_sentences

    out = []
    for row in rows:
        text = clean_text(row["text"])
        out += [text[a:b] for a, b in split_sentences(text)]
    return out


def torch_rate(python: str, sentences: list[str], threads: int, work: Path) -> float:
    """Sentences/s of bench/speed.py's PyTorch baseline, run by the interpreter that has torch."""
    path = work / "sentences.json"
    path.write_text(json.dumps(sentences), encoding="utf-8")
    code = (
        f"import json,sys;sys.path.insert(0,{str(HERE)!r});from speed import torch_baseline;"
        f"print(torch_baseline(json.load(open({str(path)!r})),{threads}))"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def engines(root: Path, work: Path, n_imdb: int, n_quotes: int, torch_python: str) -> None:
    cores = os.cpu_count() or 1
    sets = {
        "full-length (IMDb)": imdb(root, n_imdb),
        "short quotes (RT lists)": quotes(root)[:n_quotes],
    }
    for label, rows in sets.items():
        n = len(rows)
        path = write_jsonl(work / f"{n}.jsonl", rows)
        tiny = write_jsonl(work / f"tiny-{n}.jsonl", rows[:1])
        print(f"\n{label}: {n} reviews")
        rates = {}
        for name, workers, threads in (
            ("1 process, 1 inference thread", 1, 1),
            (f"1 process, {cores} inference threads", 1, 0),
            (f"local engine, {cores} workers x 1 thread", cores, None),
        ):
            wall, peak = batch(path, work / f"{name}-{n}", workers, threads)
            start, _ = batch(tiny, work / f"{name}-tiny-{n}", workers, threads)
            rates[name] = (n / wall, n / max(wall - start, 1e-9))
            print(
                f"  {name:36s} {rates[name][0]:7.1f} reviews/s wall, "
                f"{rates[name][1]:7.1f} after start-up ({start:.1f} s); peak {peak:.0f} MiB"
            )
        one, every, engine = rates.values()
        print(
            f"  local engine vs 1 process: {engine[0] / one[0]:.2f}x wall, "
            f"{engine[1] / one[1]:.2f}x after start-up; vs 1 process on every thread "
            f"{engine[0] / every[0]:.2f}x / {engine[1] / every[1]:.2f}x"
        )
        sentences = sentences_of(rows)
        base_sps = torch_rate(torch_python, sentences, cores, work)
        base = base_sps * n / len(sentences)
        print(
            f"  PyTorch all-MiniLM-L6-v2, {cores} threads, batched 32, embeddings only, "
            f"model already loaded: {base:.1f} reviews/s ({base_sps:.0f} sentences/s); "
            f"critica's whole pipeline on the local engine: {engine[0] / base:.2f}x wall, "
            f"{engine[1] / base:.2f}x after start-up"
        )


def dask_overhead(root: Path, work: Path, n: int, partition: int) -> None:
    from critica.batch import BatchOptions, run_batch
    from critica.batch.engines import DaskEngine, LocalEngine

    rows = quotes(root)[:n]
    path = write_jsonl(work / f"dask-{n}.jsonl", rows)
    warm = write_jsonl(work / "warm.jsonl", rows[:40])
    cores = os.cpu_count() or 1
    times = {}
    for name, engine in (
        ("local", LocalEngine(cores)),
        ("dask", DaskEngine(None, cores)),
    ):
        try:
            run_batch([warm], work / f"warm-{name}", BatchOptions(partition_size=20), engine=engine)
            out = work / f"timed-{name}"
            summary = run_batch([path], out, BatchOptions(partition_size=partition), engine=engine)
            times[name] = (summary.seconds, summary.partitions)
        finally:
            engine.close()
    (local_s, parts), (dask_s, _) = times["local"], times["dask"]
    per_worker = n / local_s / cores
    print(f"\nDask vs local engine, warm, {n} quotes in {parts} partitions of {partition}:")
    print(f"  local engine: {local_s:.1f} s ({n / local_s:.1f} reviews/s)")
    print(f"  Dask, 2 workers on loopback: {dask_s:.1f} s ({n / dask_s:.1f} reviews/s)")
    print(f"  overhead per partition: {1000 * (dask_s - local_s) / parts:.0f} ms")
    print(f"  per-worker rate: {per_worker:.1f} reviews/s per core")


def coordinator(root: Path, work: Path, n: int = 100_000) -> None:
    """How fast the client reads inputs, cuts partitions and pickles them for workers: the
    ceiling on a cluster's throughput, since every row passes through it."""
    import pickle

    from critica.batch.run import partitions
    from critica.inputs.readers import ReadOptions, read

    base = quotes(root)
    path = write_jsonl(work / "coordinator.jsonl", [
        {**base[i % len(base)], "id": f"r{i}"} for i in range(n)
    ])  # fmt: skip
    start = time.perf_counter()
    sent = 0
    for _, rows in partitions(read([path], ReadOptions(require_title=False)), 2000, []):
        sent += len(pickle.dumps(rows))
    seconds = time.perf_counter() - start
    print(
        f"\ncoordinator: {n:,} JSONL rows read, partitioned and pickled in {seconds:.1f} s "
        f"= {n / seconds:,.0f} rows/s on one core ({sent / n:.0f} bytes per row sent)"
    )


def million(root: Path, work: Path, total: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = quotes(root)
    for n in sorted({max(1000, total // 50), max(1000, total // 10), total}):
        path = work / f"m-{n}.parquet"
        schema = pa.schema([(k, pa.string()) for k in base[0]])
        with pq.ParquetWriter(path, schema) as writer:
            for lo in range(0, n, 50_000):
                chunk = [
                    {**base[i % len(base)], "id": f"r{i}"} for i in range(lo, min(n, lo + 50_000))
                ]
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
        out = work / f"m-{n}"
        seconds, peak = batch(path, out, 0, None, "--partition-size", "5000")
        agg_s, agg_peak, _ = timed(
            [*CRITICA, "aggregate", str(out), "--out", str(work / f"m-{n}-titles.parquet")]
        )
        size = sum(p.stat().st_size for p in out.glob("part-*.parquet")) / 2**20
        print(
            f"{n:>9,} short reviews: batch {seconds:7.1f} s ({n / seconds:.0f} reviews/s, "
            f"peak {peak:.0f} MiB), aggregate {agg_s:.1f} s (peak {agg_peak:.0f} MiB), "
            f"output {size:.0f} MiB",
            flush=True,
        )


def profile(root: Path, n_imdb: int, n_quotes: int) -> None:
    """Where one process's time goes, per pipeline component, on one inference thread."""
    os.environ["CRITICA_THREADS"] = "1"
    from collections import defaultdict

    from critica.core import get_pipeline, make_doc
    from critica.models.encoder import shared_encoder
    from critica.pipeline.entities import candidate_spans, load_spacy

    pipeline = get_pipeline()
    for label, rows in (
        ("full-length (IMDb)", imdb(root, n_imdb)),
        ("short quotes (RT lists)", quotes(root)[:n_quotes]),
    ):
        docs = [make_doc(r["text"]) for r in rows]
        start = time.perf_counter()
        done = list(pipeline.pipe(docs, batch_size=64))
        wall = time.perf_counter() - start
        shares: dict[str, float] = defaultdict(float)
        for d in done:
            for name, seconds in d.timings.items():
                shares[name] += seconds
        sentences = [s.text for d in done for s in d.sentences]
        start = time.perf_counter()
        shared_encoder(1).tokenizer.encode_batch(sentences)
        tokenize = time.perf_counter() - start
        print(f"\n{label}: {len(rows) / wall:.1f} reviews/s on one thread; share of the time:")
        for name, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
            print(f"  {name:10s} {100 * seconds / wall:5.1f}%")
        print(f"  (of sentiment, tokenization: {100 * tokenize / wall:.1f}% of the total)")
        spans = [d.text[a:b] for d in done for a, b in candidate_spans(d)]
        nlp = load_spacy()
        for size in (32, 128, 512):
            start = time.perf_counter()
            for _ in nlp.pipe(spans, batch_size=size):
                pass
            rate = len(spans) / (time.perf_counter() - start)
            print(f"  spaCy NER, nlp.pipe batch_size={size}: {rate:.0f} sentences/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--imdb", type=int, default=400, help="full-length reviews for --engines")
    ap.add_argument("--quotes", type=int, default=6000, help="short quotes for --engines/--dask")
    ap.add_argument("--partition", type=int, default=250, help="partition size for the Dask run")
    ap.add_argument("--million", type=int, default=0, help="run the scale test with N reviews")
    ap.add_argument("--profile", action="store_true", help="only the per-component profile")
    ap.add_argument("--skip-engines", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir)")
    ap.add_argument(
        "--runtime",
        default=".venv/bin/python",
        help="interpreter of the runtime install (no torch: thinc would import it) for critica",
    )
    ap.add_argument(
        "--torch", default=".venv-train/bin/python", help="interpreter with torch (the baseline)"
    )
    args = ap.parse_args()
    CRITICA[0] = args.runtime
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        work = Path(scratch)
        if args.million:
            million(args.data, work, args.million)
            return
        if args.profile:
            profile(args.data, args.imdb, args.quotes)
            return
        if not args.skip_engines:
            engines(args.data, work, args.imdb, args.quotes, args.torch)
        if not args.skip_dask:
            dask_overhead(args.data, work, args.quotes, args.partition)
            coordinator(args.data, work)


if __name__ == "__main__":
    main()
