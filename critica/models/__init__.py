"""Runtime for the model files critica ships (ONNX Runtime + tokenizers; no torch)."""

from __future__ import annotations

from pathlib import Path

FILES = Path(__file__).parent / "files"


def shipped_version(folder: Path = FILES) -> str:
    """The version string the shipped models stamp on every analysis, read from their
    manifests without loading the models (cheap: a coordinator can call it)."""
    import json

    from critica.errors import ModelError

    try:
        versions = [
            json.loads((folder / f"{name}-v1.json").read_text(encoding="utf-8"))["version"]
            for name in ("sentence", "verdict")
        ]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"cannot read the model manifests in {folder} ({exc}); reinstall critica"
        ) from None
    return f"sentence-{versions[0]}+verdict-{versions[1]}"
