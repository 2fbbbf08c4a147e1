"""`critica serve` closes connections whose request headers arrive too slowly (slowloris)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from load import critica, free_port

from tests.live import wait_until_up

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path_factory.mktemp('slow') / 's.db'}"
    port = free_port()
    env = {**os.environ, "CRITICA_HEADER_TIMEOUT": "1.5"}
    proc = subprocess.Popen(critica("serve", "--port", str(port), "--db", db), cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, 120)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def read_until_closed(sock: socket.socket, seconds: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and when it closed (from now)."""
    start = time.monotonic()
    sock.settimeout(seconds)
    got = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            return got, float("inf")
        if not chunk:
            return got, time.monotonic() - start
        got += chunk


def test_dripped_headers_get_408_and_the_connection_closes(server: int) -> None:
    sock = socket.create_connection(("127.0.0.1", server))
    start = time.monotonic()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
    closed = False
    for _ in range(20):  # one header byte every 0.25 s: 5 s of drip if the server let it
        time.sleep(0.25)
        try:
            sock.sendall(b"X")
        except OSError:
            closed = True
            break
    answer, _ = read_until_closed(sock, 5)
    sock.close()
    assert closed or answer, "the server kept a dripping client for 5 s"
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert time.monotonic() - start < 4.5


def test_a_silent_connection_is_closed(server: int) -> None:
    sock = socket.create_connection(("127.0.0.1", server))
    answer, after = read_until_closed(sock, 6)
    sock.close()
    assert answer == b""  # nothing was asked, so nothing is answered
    assert after < 4


def test_prompt_requests_and_keep_alive_are_unaffected(server: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{server}") as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(1.0)  # idle on the kept-alive connection, within uvicorn's 5 s
        assert client.get("/healthz").status_code == 200
        time.sleep(2.0)  # past the header timeout, between requests: not a slow request
        assert client.get("/api/v1/titles").status_code == 200


def test_a_slow_body_is_not_a_slow_header(server: int) -> None:
    """Headers on time, then a body sent slowly: the request is answered normally."""
    sock = socket.create_connection(("127.0.0.1", server))
    body = b"text=" + b"a" * 20
    sock.sendall(
        b"POST /api/v1/titles HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    for i in range(0, len(body), 5):  # 4 pieces over 2.4 s: past the header timeout
        time.sleep(0.6)
        sock.sendall(body[i : i + 5])
    sock.settimeout(10)
    answer = sock.recv(4096)
    sock.close()
    assert not answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
