"""Every command the README shows, run in order as a newcomer would right after `make demo`.

Each shell line of the README's code blocks runs in a fresh shell, in a scratch folder
that sees the repository's files (``critica/``) and ``../shared`` as the README assumes,
with the project's virtual environment first on PATH (as after ``source
.venv/bin/activate``) and a private home folder (so the default store is a fresh one).
A line is left out only for a reason listed in ``NOT_RUN``; every other line must exit 0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SHARED, need

# What a line holds -> why this test does not run it.
NOT_RUN = {
    "make ": "the quick start itself (this test runs after it)",
    "critica serve": "serves until stopped",
    "https://": "needs the network",
    "tcp://host": "needs a Dask scheduler at that address",
    "pip install": "installs packages",
    "critica eval --data": "several minutes over every dataset",
    "my-reviews.jsonl": "stands for the reader's own file",
    "reviews/": "stands for the reader's own files",
}


def readme_lines() -> list[str]:
    """The shell lines of the README's code blocks (``python`` blocks excluded), in order."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)
    lines = []
    for language, body in blocks:
        if language:
            continue
        for line in body.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                lines.append(command)
    return lines


def test_the_readme_names_few_commands_it_cannot_run():
    lines = readme_lines()
    skipped = [line for line in lines if any(key in line for key in NOT_RUN)]
    assert len(lines) >= 20 and len(skipped) <= 10, skipped


def test_every_readme_command_works_in_order(tmp_path):
    need(SHARED / "examples", "the worked example")
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    (work / "critica").symlink_to(ROOT / "critica")
    (tmp_path / "shared").symlink_to(SHARED)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
    }
    env.pop("CRITICA_DATABASE_URL", None)
    ran = 0
    for line in readme_lines():
        if any(key in line for key in NOT_RUN):
            continue
        done = subprocess.run(
            ["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert done.stdout.strip() or done.stderr.strip(), f"{line} printed nothing"
        ran += 1
    assert ran >= 14
