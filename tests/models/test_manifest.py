from __future__ import annotations

import json

import pytest

from critica.errors import ModelError
from critica.models.manifest import load_manifest, sha256


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "m.bin").write_bytes(b"weights")
    manifest = {"version": "v9", "files": {"m.bin": sha256(tmp_path / "m.bin")}}
    (tmp_path / "thing-v9.json").write_text(json.dumps(manifest))
    return tmp_path


def test_intact_model_loads(folder):
    assert load_manifest("thing-v9", folder)["version"] == "v9"


def test_missing_manifest(tmp_path):
    with pytest.raises(ModelError, match="missing"):
        load_manifest("thing-v9", tmp_path)


def test_corrupt_file_is_caught_at_load(folder):
    (folder / "m.bin").write_bytes(b"weightz")
    with pytest.raises(ModelError, match="corrupt"):
        load_manifest("thing-v9", folder)


def test_missing_file(folder):
    (folder / "m.bin").unlink()
    with pytest.raises(ModelError, match="missing"):
        load_manifest("thing-v9", folder)


def test_unreadable_manifest(folder):
    (folder / "thing-v9.json").write_text("{not json")
    with pytest.raises(ModelError, match="unreadable"):
        load_manifest("thing-v9", folder)


def test_serve_refuses_to_start_on_a_corrupt_model(tmp_path):
    """`critica serve` loads and checksums the models before it listens: a corrupt file is a
    clear error at start-up (exit code 3), never a server that answers with wrong scores."""
    import subprocess
    import sys

    code = (
        "import critica.models.manifest as m; m.sha256 = lambda path: 'tampered'; "
        "from critica.cli.commands import app; "
        f"app(['serve', '--port', '0', '--db', 'sqlite:///{tmp_path / 'c.db'}'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "corrupt" in done.stderr and "reinstall critica" in done.stderr
    assert "serving" not in done.stdout
