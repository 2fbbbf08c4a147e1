"""Soft labels from the teacher, for distilling it into the shipped sentence model.

The teacher is all-mpnet-base-v2 (``training.teacher_base``) fine-tuned by the
same code and data as the student (``training.train_sentence --base …``). It is
too large and slow to ship (110M parameters, ~5× the student's time per
sentence), so what it knows reaches the product through its outputs: the raw
logits of every head on every training text, on every labelled phrase inside
the SST training sentences, and on unlabelled review sentences from IMDb slice
A (the n-gram model's training reviews; slices B and C, the scale data, the
Rotten Tomatoes lists and every dev set are never used).

    python -m training.teacher_labels --data ../shared/datasets \\
        --checkpoint build/teacher/checkpoint.pt --base build/teacher-base/all-mpnet-base-v2

writes ``training/teacher/soft-labels-v1.npz`` (float16, compressed) and a JSON
manifest beside it. Texts are keyed by a 64-bit hash of their normalised form,
so the file holds no dataset text; ``unlabelled_sentences`` rebuilds the
unlabelled texts from the datasets in the same order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from critica.evaluation.datasets import file_sha256, imdb_splits, norm_key
from training.data import Example, SentenceData, load_sentence_data

OUT = Path(__file__).resolve().parent / "teacher"
LABELS = OUT / "soft-labels-v1.npz"
# Column layout of the logits: the heads of training.train_sentence in order.
TEXT_COLUMNS = {"pol": slice(0, 2), "fine": slice(2, 7), "subj": slice(7, 9)}
SPAN_COLUMNS = {"pol": slice(0, 2), "fine": slice(2, 7)}
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


def text_hash(text: str) -> int:
    """A text's 64-bit key: the normalised form's MD5, first 8 bytes."""
    return int.from_bytes(hashlib.md5(norm_key(text).encode()).digest()[:8], "little")


def unlabelled_sentences(root: Path, n: int, exclude: set[str] | None = None) -> list[str]:
    """``n`` review sentences from IMDb slice A: 6–40 words, deterministic, de-duplicated.

    Chosen by hash order so the same folder always gives the same list;
    ``exclude`` holds normalised keys to leave out (labelled training texts).
    """
    if n <= 0:
        return []
    exclude = exclude or set()
    found: dict[str, str] = {}
    for review in imdb_splits(root)["A"]:
        for sent in _SPLIT.split(review["text"]):
            sent = " ".join(sent.split())
            words = len(sent.split())
            key = norm_key(sent)
            if 6 <= words <= 40 and key and key not in exclude and "<" not in sent:
                found.setdefault(key, sent)
    ranked = sorted(found, key=lambda k: hashlib.md5(k.encode()).digest())
    return [found[k] for k in ranked[:n]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--checkpoint", type=Path, default=Path("build/teacher/checkpoint.pt"))
    ap.add_argument(
        "--adapter",
        type=Path,
        default=None,
        help="a LoRA teacher's committed adapters and heads (train_sentence --adapter-out), "
        "used instead of --checkpoint",
    )
    ap.add_argument("--base", type=Path, default=Path("build/teacher-base/all-mpnet-base-v2"))
    ap.add_argument("--unlabelled", type=int, default=16000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=LABELS)
    ap.add_argument("--limit", type=int, default=0, help="smoke test: this many labelled texts")
    ap.add_argument(
        "--transfer-chunk",
        type=int,
        default=None,
        help="label only unlabelled sentences: chunk K of --chunk-size, in the hash order of "
        "unlabelled_sentences, written to training/teacher/transfer-K.npz (committed one by one)",
    )
    ap.add_argument("--chunk-size", type=int, default=10000)
    args = ap.parse_args()
    if args.transfer_chunk is not None:
        label_transfer(args)
    else:
        label(args)


def transfer_path(chunk: int) -> Path:
    """Where chunk ``chunk`` of the transfer set's soft labels is kept."""
    return OUT / f"transfer-{chunk:02d}.npz"


def label_transfer(args: argparse.Namespace) -> None:
    """The teacher's logits on one chunk of unlabelled review sentences (no spans).

    Distillation learns most from many texts the teacher reads and the labels never
    cover; chunks keep each labelling run short enough to end in a commit.
    """
    import torch

    from training.train_sentence import HEADS, encode, load_adapter, make_tokenizer

    if args.adapter is None:
        raise SystemExit("--transfer-chunk needs --adapter (the committed teacher)")
    torch.set_num_threads(args.threads)
    data = load_sentence_data(args.data, subj_fold=0, phrases=True)
    known = {norm_key(e.text) for e in data.train}
    first = args.transfer_chunk * args.chunk_size
    texts = unlabelled_sentences(args.data, first + args.chunk_size, known)[first:]
    if not texts:
        raise SystemExit(f"chunk {args.transfer_chunk}: no unlabelled sentences left")
    tok = make_tokenizer(64, args.base)
    model, meta = load_adapter(args.base, args.adapter)
    model.eval()
    logits = np.zeros((len(texts), 9), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    t0 = time.time()
    with torch.inference_mode():
        for b in range(0, len(order), args.batch_size):
            idx = order[b : b + args.batch_size]
            ids, mask = encode(tok, [texts[i] for i in idx])
            out = model(ids, mask)
            logits[idx] = torch.cat([out[h] for h in HEADS], -1).numpy()
            if (b // args.batch_size) % 40 == 0:
                print(f"{b + len(idx)}/{len(texts)} {time.time() - t0:.0f}s", flush=True)
    path = transfer_path(args.transfer_chunk)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        text_hash=np.array([text_hash(t) for t in texts], dtype=np.uint64),
        text_logits=logits.astype(np.float16),
    )
    manifest = {
        "teacher": args.adapter.name,
        "teacher_sha256": file_sha256(args.adapter),
        "teacher_dev": meta.get("dev"),
        "chunk": args.transfer_chunk,
        "first_rank": first,
        "texts": len(texts),
        "source": "IMDb slice A sentences, 6-40 words, hash order (unlabelled_sentences)",
        "positive_share": round(float((logits[:, 1] > logits[:, 0]).mean()), 4),
        "opinion_share": round(float((logits[:, 8] > logits[:, 7]).mean()), 4),
        "seconds": round(time.time() - t0),
    }
    path.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


def label(args: argparse.Namespace) -> None:
    import torch

    from training.train_sentence import (
        HEADS,
        SentenceModel,
        encode_with_offsets,
        load_adapter,
        make_tokenizer,
        span_weights,
    )

    torch.set_num_threads(args.threads)
    data = load_sentence_data(args.data, subj_fold=0, phrases=True)
    known = {norm_key(e.text) for e in data.train}
    if args.limit:
        data.train = data.train[: args.limit]
    extra = unlabelled_sentences(args.data, args.unlabelled, known)
    texts: list[Example] = data.train + [Example(t) for t in extra]
    tok = make_tokenizer(64, args.base)
    if args.adapter is not None:
        model, meta = load_adapter(args.base, args.adapter)
        state = {
            "args": {"adapter": args.adapter.name, "lr": meta.get("lr")},
            "history": [meta["dev"]],
        }
    else:
        model = SentenceModel(args.base)
        state = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
        model.load_state_dict(state.get("model", state))
    model.eval()

    text_logits = np.zeros((len(texts), 9), dtype=np.float32)
    span_logits: list[np.ndarray] = [np.zeros((0, 7), np.float32)] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i].text))
    t0 = time.time()
    with torch.inference_mode():
        for b in range(0, len(order), args.batch_size):
            idx = order[b : b + args.batch_size]
            ids, mask, offsets = encode_with_offsets(tok, [texts[i].text for i in idx])
            hidden = model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-6)
            text_logits[idx] = torch.cat([model.heads[h](pooled) for h in HEADS], -1).numpy()
            for row, i in enumerate(idx):
                spans = texts[i].spans[1:]
                if not spans:
                    continue
                out = np.zeros((len(spans), 7), np.float32)
                for s, (a, z, _label) in enumerate(spans):
                    toks = span_weights(offsets[row], a, z)
                    if not toks:
                        out[s] = np.nan  # no token inside: the student skips it too
                        continue
                    h = hidden[row, toks].mean(0)
                    out[s] = torch.cat([model.heads["pol"](h), model.heads["fine"](h)]).numpy()
                span_logits[i] = out
            if (b // args.batch_size) % 100 == 0:
                print(f"{b + len(idx)}/{len(texts)} {time.time() - t0:.0f}s", flush=True)

    counts = np.array([len(s) for s in span_logits], dtype=np.int64)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        text_hash=np.array([text_hash(e.text) for e in texts], dtype=np.uint64),
        text_logits=text_logits.astype(np.float16),
        span_offsets=np.concatenate([[0], np.cumsum(counts)]),
        span_logits=np.concatenate(span_logits).astype(np.float16),
    )
    agree = {
        head: _agreement(data.train, text_logits[: len(data.train)], head) for head in TEXT_COLUMNS
    }
    manifest = {
        "teacher": args.base.name,
        "checkpoint_args": state.get("args", {}),
        "teacher_dev": (state.get("history") or [{}])[-1],
        "texts": len(texts),
        "labelled_texts": len(data.train),
        "unlabelled_texts": len(extra),
        "unlabelled_source": "IMDb slice A sentences (critica.evaluation.datasets.imdb_splits)",
        "spans": int(counts.sum()),
        "train_agreement": agree,
        "sources": data.sources,
        "seconds": round(time.time() - t0),
    }
    args.out.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest | {"sources": "…"}, indent=2))


def attach(
    data: SentenceData, root: Path, path: Path = LABELS, transfer: Sequence[Path] = ()
) -> dict[str, int]:
    """Give each training example its soft labels and add the unlabelled sentences: those
    of ``path`` and of each ``transfer`` chunk (``label_transfer``; a sentence in both
    takes the chunk's labels).

    Raises when a file was made from different data (a labelled text with no
    soft label, or a different unlabelled list): distilling from labels that
    belong to other texts would be silently wrong.
    """
    with np.load(path) as z:
        hashes, logits = z["text_hash"], z["text_logits"].astype(np.float32)
        offsets, spans = z["span_offsets"], z["span_logits"].astype(np.float32)
    manifest = json.loads(path.with_suffix(".json").read_text())
    row_of = {int(h): r for r, h in enumerate(hashes)}
    known = {norm_key(e.text) for e in data.train}
    parts = []
    for chunk in transfer:
        with np.load(chunk) as z:
            part = (z["text_logits"].astype(np.float32), [int(h) for h in z["text_hash"]])
        parts.append(
            (chunk, int(json.loads(chunk.with_suffix(".json").read_text())["first_rank"]), *part)
        )
    # One pass over IMDb slice A gives v1's unlabelled list and every chunk's (prefixes and
    # slices of the same hash-ordered list).
    ends = [manifest["unlabelled_texts"], *(first + len(h) for _, first, _, h in parts)]
    ranked = unlabelled_sentences(root, max(ends), known)
    extra = ranked[: manifest["unlabelled_texts"]]
    missing = 0
    for ex in data.train:
        r = row_of.get(text_hash(ex.text))
        if r is None:
            missing += 1
            continue
        ex.soft = logits[r]
        if offsets[r + 1] > offsets[r]:
            ex.soft_spans = spans[offsets[r] : offsets[r + 1]]
            if len(ex.soft_spans) != len(ex.spans) - 1:
                raise SystemExit(f"{path}: span labels do not match the trees; re-run labelling")
    chunks = {}
    for chunk, first, chunk_logits, chunk_hashes in parts:
        texts = ranked[first : first + len(chunk_hashes)]
        if [text_hash(t) for t in texts] != chunk_hashes:
            raise SystemExit(f"{chunk}: its sentences are not these datasets'; re-run labelling")
        chunks.update({t: chunk_logits[i] for i, t in enumerate(texts)})
        data.sources[f"teacher:{chunk.name}"] = file_sha256(chunk)
    added = 0
    for text in extra:
        r = row_of.get(text_hash(text))
        if r is None:
            missing += 1
            continue
        if text not in chunks:
            data.train.append(Example(text, soft=logits[r]))
            added += 1
    for text, soft in chunks.items():
        data.train.append(Example(text, soft=soft))
        added += 1
    if missing:
        raise SystemExit(
            f"{path}: {missing} training texts have no soft label (made from other data?); "
            "re-run python -m training.teacher_labels"
        )
    data.sources[f"teacher:{path.name}"] = file_sha256(path)
    return {"labelled": len(data.train) - added, "unlabelled": added}


def _agreement(train: list[Example], logits: np.ndarray, head: str) -> float:
    """How often the teacher's argmax matches the training label (in-sample)."""
    gold = np.array([getattr(e, head) for e in train])
    pred = logits[:, TEXT_COLUMNS[head]].argmax(1)
    known = gold >= 0
    return round(float((pred[known] == gold[known]).mean()), 4)


if __name__ == "__main__":
    main()
