"""Runtime for the model files critica ships (ONNX Runtime + tokenizers; no torch)."""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).parent / "files"
