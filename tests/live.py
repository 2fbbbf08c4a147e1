"""Helpers for tests that drive a real `critica serve` process."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest


def wait_until_up(
    base: str, proc: subprocess.Popen[bytes], seconds: float = 60, path: str = "/healthz"
) -> None:
    """Wait until the server at ``base`` answers ``path`` with 200; fail the test if it
    exits or does not answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"critica serve exited with {proc.returncode}")
        try:
            if httpx.get(base + path, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail(f"critica serve did not answer {path} within {seconds:g} s")
