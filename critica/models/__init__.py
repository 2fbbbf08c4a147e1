"""Runtime for the model files critica ships (ONNX Runtime + tokenizers; no torch)."""

from __future__ import annotations

from pathlib import Path

SENTENCE_MODEL = "sentence-v2"
ASPECTS_MODEL = "aspects-v5"
VERDICT_MODEL = "verdict-v3"
ASPECT_HEAD = "aspect-polarity-v1"

FILES = Path(__file__).parent / "files"


def shipped_version(folder: Path = FILES) -> str:
    """The version string the shipped models stamp on every analysis, read from their
    manifests after checking every model file's checksum (about 0.1 s; no model is loaded),
    so a coordinator finds a corrupt install before it starts any worker."""
    from critica.models.manifest import load_manifest

    sentence, aspects, head, verdict = (
        load_manifest(name, folder)["version"]
        for name in (SENTENCE_MODEL, ASPECTS_MODEL, ASPECT_HEAD, VERDICT_MODEL)
    )
    return f"sentence-{sentence}+aspects-{aspects}+polarity-{head}+verdict-{verdict}"
