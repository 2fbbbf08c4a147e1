"""Teach the sentence model's token states the polarity of each aspect's own words.

    python -m training.tune_aspect_spans --data ../shared/datasets \
        --checkpoint build/sentence/final.pt --out build/sentence/aspects.pt

Starts from the phrase-trained sentence model and trains one short epoch on
the aspect corpus's *training third* (``training/aspects/labels.jsonl``):
for each labelled pos/neg aspect, the span the runtime scores for it (the
phrase around its cue word, as ``critica.pipeline.aspects.aspect_span``
finds it) is pooled from the sentence's token states and the polarity heads
must give the aspect's label. SST's training trees and a sample of its
phrases are mixed in at the same time so the model keeps what it knew. The
test third is never seen; ``training.train_aspects`` measures on it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import torch

from critica.pipeline.aspects import aspect_span
from training.data import Example, load_sentence_data
from training.train_aspects import load
from training.train_sentence import (
    SentenceModel,
    base_model_path,
    bucketed_order,
    evaluate,
    make_tokenizer,
    train_step,
)

# An aspect's label as an SST-5 class: praised = positive, faulted = negative.
_CLASS = {"pos": 3, "neg": 1}


def aspect_examples(root: Path) -> list[Example]:
    """One example per training-third sentence, each labelled aspect as a span."""
    out = []
    for r in load(root):
        if r["split"] != "train":
            continue
        text = r["text"]
        spans = [(0, len(text), 2)]  # the root: skipped by the span loss
        for a in r["aspects"]:
            if a["polarity"] in _CLASS:
                start, end = aspect_span(a["name"], text)
                spans.append((start, end, _CLASS[a["polarity"]]))
        if len(spans) > 1:
            out.append(Example(text, spans=tuple(spans)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--checkpoint", type=Path, default=Path("build/sentence/final.pt"))
    ap.add_argument("--out", type=Path, default=Path("build/sentence/aspects.pt"))
    ap.add_argument("--phrases", type=int, default=8000, help="SST examples mixed in")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = load_sentence_data(args.data, phrases=True)
    rng = random.Random(args.seed)
    trees = [e for e in data.train if e.spans]
    rest = rng.sample([e for e in data.train if not e.spans], args.phrases)
    aspects = aspect_examples(args.data)
    train = aspects + trees + rest
    print(f"{len(aspects)} aspect sentences, {len(trees)} trees, {len(rest)} SST examples")
    tok = make_tokenizer(64)
    model = SentenceModel(base_model_path())
    model.load_state_dict(torch.load(args.checkpoint))
    steps = math.ceil(len(train) / 32) * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
    model.train()
    step, t0 = 0, time.time()
    for epoch in range(args.epochs):
        for idx in bucketed_order(train, 32, args.seed, epoch):
            loss = train_step(model, tok, [train[i] for i in idx], opt, sched)
            step += 1
            if step % 50 == 0:
                print(
                    f"step {step}/{steps} loss {loss.item():.4f} {time.time() - t0:.0f}s",
                    flush=True,
                )
    metrics = evaluate(model, tok, data)
    print(json.dumps(metrics), flush=True)
    torch.save(model.state_dict(), args.out)


if __name__ == "__main__":
    main()
