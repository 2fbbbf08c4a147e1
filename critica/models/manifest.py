"""Model manifests: each shipped model file has a JSON twin recording its version and checksum."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from critica.errors import ModelError
from critica.models import FILES


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(name: str, folder: Path = FILES) -> dict[str, Any]:
    """Read ``<name>.json`` and check that every file it lists is present and intact."""
    path = folder / f"{name}.json"
    if not path.exists():
        raise ModelError(
            f"model manifest {path} is missing; reinstall critica, or rebuild the models "
            "with `make train DATA=../shared/datasets`"
        )
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"model manifest {path} is unreadable ({exc}); reinstall critica") from exc
    for filename, expected in manifest.get("files", {}).items():
        file = folder / filename
        if not file.exists():
            raise ModelError(f"model file {file} is missing; reinstall critica")
        if sha256(file) != expected:
            raise ModelError(
                f"model file {file} is corrupt (checksum mismatch); reinstall critica "
                "or rebuild it with `make train`"
            )
    return manifest
