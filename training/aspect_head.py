"""Train the aspect-conditioned polarity head over the sentence model's token states.

    python -m training.aspect_head --data ../shared/datasets            # fit, measure, write
    python -m training.aspect_head --data ../shared/datasets --cv       # choose settings

Each found aspect of a sentence takes its polarity from an attention pooling
of the sentence's token states: a token's weight depends on what it says
(its state against the aspect's query vector) and on where it stands (the
phrase and clause of the aspect's cue word, its distance from the cue); the
pooled polarity logits are the weighted mean of the token logits of the
sentence model's own heads, plus a small learned correction. It starts as
exactly the span rule it replaces (uniform weight over the cue's phrase) and
is trained on the hand-labelled aspect corpus's training third only; ``--cv``
picks the regularisation by 5-fold cross-validation on that third, and the
test third is read once, at the end, for the report.

Features come from the shipped int8 ONNX graph with its last hidden state
exposed (``token_states``), the same numbers the runtime sees. Writes the
head into ``critica/models/files/<ASPECT_HEAD>.json``.
"""

from __future__ import annotations

import argparse
import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from critica.models import ASPECT_HEAD, FILES
from critica.models.aspect_head import N_POSITION, AspectHead
from critica.models.aspects import ASPECTS
from critica.models.encoder import SentenceEncoder
from critica.pipeline.aspects import position_features


@dataclass
class Instance:
    key: int  # row index in the labels
    text: str
    aspect: int
    label: int  # 1 praised, 0 faulted
    split: str
    disagree: bool  # the quote praises one aspect and faults another


def collect(root: Path) -> list[Instance]:
    """One instance per (sentence, labelled pos/neg aspect) that the pipeline finds there."""
    import critica
    from training.train_aspects import load

    rows = load(root)
    if not (FILES / f"{ASPECT_HEAD}.json").exists():
        # A new head's first training: which sentences carry an aspect (all that this
        # needs) does not depend on the head, so an untrained one (the span rule) stands in
        # for the pipeline until main() writes the trained head over it.
        torch.manual_seed(0)
        AspectHead.write({"members": [Head().export()], "training_args": {}, "report": {}})
    analyses = critica.analyze_many([r["text"] for r in rows])
    out = []
    for k, (r, a) in enumerate(zip(rows, analyses, strict=True)):
        pols = {x["polarity"] for x in r["aspects"]}
        disagree = {"pos", "neg"} <= pols
        for gold in r["aspects"]:
            if gold["polarity"] not in ("pos", "neg"):
                continue
            for s in a.sentences:
                if any(m.name == gold["name"] for m in s.aspects):
                    out.append(
                        Instance(
                            k,
                            s.text,
                            ASPECTS.index(gold["name"]),
                            int(gold["polarity"] == "pos"),
                            r["split"],
                            disagree,
                        )
                    )
    return out


def states(texts: list[str]) -> dict[str, list[np.ndarray]]:
    """Token states, token logits and offsets of each text from the shipped encoder."""
    enc = SentenceEncoder()
    if "token_states" not in {o.name for o in enc.session.get_outputs()}:
        raise SystemExit(
            "the shipped sentence graph has no token_states output: run "
            "`python -m training.export_onnx --data DATA --expose-states` first"
        )
    out: dict[str, list[np.ndarray]] = {"states": [], "pol": [], "fine": [], "offsets": []}
    for i in range(0, len(texts), 256):
        _, tokens = enc.run_with_tokens(texts[i : i + 256], batch_size=32, max_tokens=768)
        for t in tokens:
            out["states"].append(t.states.astype(np.float16))  # type: ignore[union-attr]
            out["pol"].append(t.logits["pol"])
            out["fine"].append(t.logits["fine"])
            out["offsets"].append(t.offsets)
    return out


def tensors(instances: list[Instance], feats: dict[str, list[np.ndarray]], index: dict[str, int]):  # type: ignore[no-untyped-def]
    """Padded tensors for a list of instances."""
    n = len(instances)
    width = max(len(feats["offsets"][index[x.text]]) for x in instances)
    h = np.zeros((n, width, 384), dtype=np.float32)
    pol = np.zeros((n, width, 2), dtype=np.float32)
    fine = np.zeros((n, width, 5), dtype=np.float32)
    pos = np.zeros((n, width, N_POSITION), dtype=np.float32)
    mask = np.zeros((n, width), dtype=bool)
    for i, x in enumerate(instances):
        j = index[x.text]
        offs = feats["offsets"][j]
        t = len(offs)
        h[i, :t] = feats["states"][j]
        pol[i, :t] = feats["pol"][j]
        fine[i, :t] = feats["fine"][j]
        pos[i, :t] = position_features(ASPECTS[x.aspect], x.text, offs)
        mask[i, :t] = offs[:, 1] > offs[:, 0]
    return (
        torch.from_numpy(h),
        torch.from_numpy(pol),
        torch.from_numpy(fine),
        torch.from_numpy(pos),
        torch.from_numpy(mask),
        torch.tensor([x.aspect for x in instances]),
        torch.tensor([x.label for x in instances], dtype=torch.float32),
    )


class Head(torch.nn.Module):
    """The trainable twin of ``critica.models.aspect_head.AspectHead``."""

    def __init__(self) -> None:
        super().__init__()
        self.query = torch.nn.Parameter(torch.zeros(len(ASPECTS) + 1, 384))
        self.position = torch.nn.Parameter(torch.zeros(N_POSITION))
        with torch.no_grad():
            self.position[0] = 6.0  # in the cue's span: start as the span rule
        self.correction = torch.nn.Parameter(torch.zeros(len(ASPECTS) + 1, 384))
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.bias = torch.nn.Parameter(torch.zeros(len(ASPECTS)))

    def forward(self, h, pol, fine, pos, mask, aspect):  # type: ignore[no-untyped-def]
        q = self.query[-1] + self.query[aspect]  # (n, 384)
        e = torch.einsum("ntd,nd->nt", h, q) / 384**0.5 + pos @ self.position
        e = e.masked_fill(~mask, -1e4)
        alpha = torch.softmax(e, dim=1)
        pooled_h = torch.einsum("nt,ntd->nd", alpha, h)
        c = self.correction[-1] + self.correction[aspect]
        z = torch.einsum("nt,ntk->nk", alpha, pol)
        logit = self.scale * (z[:, 1] - z[:, 0]) + (pooled_h * c).sum(1) + self.bias[aspect]
        return logit

    def export(self) -> dict[str, Any]:
        return {
            "query": self.query.detach().numpy().round(5).tolist(),
            "position": self.position.detach().numpy().round(5).tolist(),
            "correction": self.correction.detach().numpy().round(5).tolist(),
            "scale": float(self.scale.item()),
            "bias": self.bias.detach().numpy().round(5).tolist(),
        }


def fit(data, epochs: int, lr: float, decay: float, seed: int = 0) -> Head:  # type: ignore[no-untyped-def]
    torch.manual_seed(seed)
    head = Head()
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    n = data[0].shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n)
        for b in range(0, n, 64):
            idx = perm[b : b + 64]
            logit = head(*(d[idx] for d in data[:6]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, data[6][idx])
            reg = decay * (head.query.pow(2).sum() + head.correction.pow(2).sum())
            opt.zero_grad()
            (loss + reg).backward()
            opt.step()
    return head


def fit_members(data, args: argparse.Namespace) -> list[Head]:  # type: ignore[no-untyped-def]
    """``args.members`` heads from different seeds: one head's accuracy moved by up to 2
    points with the seed; the runtime averages the members' log-odds."""
    return [fit(data, args.epochs, args.lr, args.decay, seed) for seed in range(args.members)]


def score(heads: list[Head], data) -> np.ndarray:  # type: ignore[no-untyped-def]
    with torch.no_grad():
        return np.mean([h(*data[:6]).numpy() for h in heads], axis=0)  # type: ignore[no-any-return]


def accuracy(heads: list[Head], data, instances: list[Instance]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Sign accuracy per (quote, aspect), averaging the quote's sentences as the evaluation
    does."""
    return grouped(score(heads, data), instances)


def grouped(score: np.ndarray, instances: list[Instance]) -> dict[str, float]:
    groups: dict[tuple[int, int], list[float]] = {}
    gold: dict[tuple[int, int], tuple[int, bool]] = {}
    for s, x in zip(score.tolist(), instances, strict=True):
        groups.setdefault((x.key, x.aspect), []).append(s)
        gold[(x.key, x.aspect)] = (x.label, x.disagree)
    right = [0, 0, 0, 0]
    for k, v in groups.items():
        ok = (np.mean(v) > 0) == bool(gold[k][0])
        right[0] += ok
        right[1] += 1
        if gold[k][1]:
            right[2] += ok
            right[3] += 1
    return {
        "all": right[0] / max(1, right[1]),
        "n": right[1],
        "disagree": right[2] / max(1, right[3]),
        "n_disagree": right[3],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("build/aspect_head/cache.pkl"))
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--decay", type=float, default=1e-4)
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.cache.exists():
        instances, feats = pickle.loads(args.cache.read_bytes())
    else:
        instances = collect(args.data)
        texts = sorted({x.text for x in instances})
        feats = states(texts)
        feats["texts"] = texts  # type: ignore[assignment]
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        args.cache.write_bytes(pickle.dumps((instances, feats)))
    index = {t: i for i, t in enumerate(feats["texts"])}  # type: ignore[arg-type]
    train = [x for x in instances if x.split == "train"]
    test = [x for x in instances if x.split == "test"]
    print(f"{len(train)} training instances, {len(test)} test instances", flush=True)
    if args.cv:
        keys = sorted({x.key for x in train})
        rng = np.random.default_rng(0)
        fold_of = dict(zip(keys, rng.integers(0, 5, len(keys)).tolist(), strict=True))
        grid = [(0, 0.01, 0.0, 1), (10, 0.01, 1e-4, 1), (30, 0.003, 1e-4, 1)]
        grid += [(10, 0.01, 1e-4, 5), (30, 0.003, 1e-4, 5)]
        for epochs, lr, decay, members in grid:
            setting = argparse.Namespace(epochs=epochs, lr=lr, decay=decay, members=members)
            scores = np.zeros(len(train))
            for f in range(5):
                tr = [x for x in train if fold_of[x.key] != f]
                ix = [i for i, x in enumerate(train) if fold_of[x.key] == f]
                heads = fit_members(tensors(tr, feats, index), setting)
                scores[ix] = score(heads, tensors([train[i] for i in ix], feats, index))
            print(vars(setting), json.dumps(grouped(scores, train)), flush=True)
        return
    heads = fit_members(tensors(train, feats, index), args)
    report = {
        "train": accuracy(heads, tensors(train, feats, index), train),
        "test": accuracy(heads, tensors(test, feats, index), test),
    }
    print(json.dumps(report, indent=2))
    AspectHead.write(
        {
            "members": [h.export() for h in heads],
            "training_args": {k: v for k, v in vars(args).items() if k not in ("data", "cache")},
            "report": report,
        }
    )


if __name__ == "__main__":
    main()
