"""Carry a pretrained encoder in about a quarter of its size, for a lent GPU machine.

    python -m training.compact_weights pack SRC_DIR DEST_DIR     # here (int8 per row)
    python -m training.compact_weights unpack DEST_DIR OUT_DIR   # there (fp32 again)

The device tool moves at most 64 MiB, and all-MiniLM-L6-v2 is 90 MB in fp32.
Matrices are stored as int8 with one fp32 scale per row (round-trip error
below 0.4% of each row's largest weight), vectors as fp16; config and
tokenizer files are copied as they are. Only for training runs that start
from the pretrained weights (cross-validation): the shipped model starts
from the fp32 originals.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import torch

KEEP = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def pack(src: Path, dest: Path) -> None:
    from safetensors.torch import load_file

    dest.mkdir(parents=True, exist_ok=True)
    state = load_file(str(src / "model.safetensors"))
    packed: dict[str, object] = {}
    for name, w in state.items():
        if w.ndim == 2 and w.is_floating_point():
            scale = w.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127.0
            packed[name] = ("int8", torch.round(w / scale).to(torch.int8), scale.float())
        elif w.is_floating_point():
            packed[name] = ("fp16", w.half())
        else:
            packed[name] = ("raw", w)
    torch.save(packed, dest / "weights.pt")
    for f in KEEP:
        if (src / f).exists():
            shutil.copy(src / f, dest / f)


def unpack(src: Path, out: Path) -> None:
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    packed = torch.load(src / "weights.pt")
    state = {}
    for name, entry in packed.items():
        kind = entry[0]
        if kind == "int8":
            state[name] = (entry[1].float() * entry[2]).contiguous()
        elif kind == "fp16":
            state[name] = entry[1].float().contiguous()
        else:
            state[name] = entry[1].contiguous()
    save_file(state, str(out / "model.safetensors"))
    for f in KEEP:
        if (src / f).exists():
            shutil.copy(src / f, out / f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("action", choices=["pack", "unpack"])
    ap.add_argument("src", type=Path)
    ap.add_argument("dest", type=Path)
    args = ap.parse_args()
    (pack if args.action == "pack" else unpack)(args.src, args.dest)


if __name__ == "__main__":
    main()
