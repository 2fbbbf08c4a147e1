"""Tests for critica.inputs.sources: stdin, files and URLs into text."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from critica import config
from critica.errors import FetchError, InputError
from critica.inputs.sources import decode_bytes, fetch_url, looks_like_html, read_source

REVIEW_HTML = (
    b"<html><head><title>Review</title><script>var tracker = 1;</script></head>"
    b"<body><article><p>A charming, funny film with a great cast.</p></article></body></html>"
)
SetEnv = Callable[[str, str], None]


@pytest.fixture
def set_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetEnv]:
    def setter(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        config.settings.cache_clear()

    yield setter
    config.settings.cache_clear()


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/review": (200, "text/html; charset=utf-8", REVIEW_HTML),
    "/plain": (200, "text/plain", b"A charming, funny film."),
    "/image": (200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
    "/old": (301, "text/html", b""),
    "/loop": (302, "text/html", b""),
    "/unsized": (200, "text/html", REVIEW_HTML),  # no Content-Length: the limit must hold
    "/big": (200, "text/html", REVIEW_HTML + b"<p>" + b"padding " * 20_000 + b"</p>"),
}
SEEN_HOSTS: list[str] = []  # the Host header of each request the test server answered


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        SEEN_HOSTS.append(self.headers.get("Host", ""))
        status, ctype, body = ROUTES.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if self.path != "/unsized":
            self.send_header("Content-Length", str(len(body)))
        if status in (301, 302):
            self.send_header("Location", "/review" if self.path == "/old" else "/loop")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def server(set_env: SetEnv) -> Iterator[str]:
    set_env("CRITICA_FETCH_PRIVATE_HOSTS", "1")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the review is empty"),
        (b"  \n\t\r\n ", "the review is empty"),
        (b"\xef\xbb\xbf  \n", "the review is empty"),
        (b"abc\x00def\x00" * 10, "looks like binary"),
        (b"\x89PNG\r\n\x1a\n" + b"IHDR" * 20, "PNG"),
        (b"%PDF-1.7\n", "PDF"),
        (b"PK\x03\x04rest", "ZIP"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (bytes(range(1, 9)) * 50, "looks like binary"),
    ],
)
def test_decode_rejects(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_bytes(data)


@pytest.mark.parametrize(
    ("data", "text", "warned"),
    [
        ("Café “great”".encode(), "Café “great”", False),
        (b"\xef\xbb\xbfWith a BOM", "With a BOM", False),
        ("Caf\u00e9 \u201cgreat\u201d".encode("cp1252"), "Café “great”", True),
        ("Windows text".encode("utf-16"), "Windows text", False),
    ],
)
def test_decode_bytes(data: bytes, text: str, warned: bool) -> None:
    warnings: list[str] = []
    assert decode_bytes(data, warnings=warnings) == text
    assert bool(warnings) == warned
    assert all("not valid UTF-8" in w for w in warnings)


def test_oversize_names_setting(set_env: SetEnv, tmp_path: Path) -> None:
    set_env("CRITICA_MAX_INPUT_BYTES", "100")
    with pytest.raises(InputError, match="CRITICA_MAX_INPUT_BYTES"):
        decode_bytes(b"x" * 101)
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 100)
    with pytest.raises(InputError, match="CRITICA_MAX_INPUT_BYTES"):
        read_source(str(big))
    with pytest.raises(InputError, match="CRITICA_MAX_INPUT_BYTES"):
        read_source("-", stdin=io.BytesIO(b"word " * 100))


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<!DOCTYPE html><html><body>x</body></html>", True),
        ("  <html lang='en'>", True),
        ("<p>A charming film.</p><p>Truly.</p>", True),
        ("A charming film. I <3 it.", False),
        ("Rated 4/5 <great>", False),
    ],
)
def test_looks_like_html(text: str, html: bool) -> None:
    assert looks_like_html(text) is html


def test_read_file_and_stdin(tmp_path: Path) -> None:
    page = tmp_path / "review.htm"
    page.write_bytes(REVIEW_HTML)
    text, meta = read_source(str(page))
    assert "charming" in text and meta == {
        "content_type": "html",
        "path": str(page),
        "warnings": [],
    }
    text, meta = read_source("-", stdin=io.BytesIO(b"A charming, funny film."))
    assert text == "A charming, funny film." and meta["content_type"] == "text"


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.txt", "no such file"), (".", "is a directory")],
)
def test_bad_paths(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_source(str(tmp_path / name))


def test_unreachable_url() -> None:
    with pytest.raises(FetchError, match=r"could not reach nonexistent\.invalid: .*save the page"):
        read_source("http://nonexistent.invalid/")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://[::1]:9/",
        "http://10.0.0.1/",
        # IPv6 forms that carry a private IPv4 address (Python 3.11 calls some global):
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[64:ff9b::7f00:1]/",  # NAT64
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
        "http://[2002:7f00:1::]/",  # 6to4
        "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    ],
)
def test_private_address_refused(url: str) -> None:
    with pytest.raises(FetchError, match="CRITICA_FETCH_PRIVATE_HOSTS"):
        fetch_url(url)


def test_fetch_local_server(server: str) -> None:
    text, meta = read_source(f"{server}/review")
    assert "A charming, funny film" in text
    assert meta["content_type"] == "html" and meta["url"] == f"{server}/review"
    assert fetch_url(f"{server}/plain") == (
        "A charming, funny film.",
        {"url": f"{server}/plain", "content_type": "text", "warnings": []},
    )


def test_fetch_follows_redirect(server: str) -> None:
    text, meta = fetch_url(f"{server}/old")
    assert meta["url"] == f"{server}/review" and "charming" in text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404"),
        ("/image", "image/png, not a web page"),
        ("/loop", "redirected more than 5 times"),
    ],
)
def test_fetch_errors(server: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        fetch_url(server + path)


@pytest.mark.parametrize("path", ["/review", "/unsized"])
def test_fetch_size_limit(server: str, set_env: SetEnv, path: str) -> None:
    set_env("CRITICA_MAX_INPUT_BYTES", "50")
    with pytest.raises(InputError, match="CRITICA_MAX_INPUT_BYTES"):
        fetch_url(server + path)


def test_embedded_public_addresses_pass() -> None:
    import ipaddress

    from critica.inputs.sources import embedded_ipv4, is_public

    assert is_public(ipaddress.ip_address("2002:5db8:d822::1"))  # 6to4 of 93.184.216.34
    assert embedded_ipv4(ipaddress.ip_address("64:ff9b::5db8:d822")) == ipaddress.ip_address(
        "93.184.216.34"
    )
    assert embedded_ipv4(ipaddress.ip_address("2606:4700::1111")) is None
    assert not is_public(ipaddress.ip_address("::"))


def test_the_connection_goes_to_the_address_that_was_checked(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is resolved once and that address is connected to. Here
    only critica's own lookup knows the name: a second lookup (httpx's) would fail."""
    import socket

    from critica.inputs import sources

    port = int(server.rsplit(":", 1)[1])
    looked_up: list[str] = []

    def resolve(host: str, port_: int, **kwargs: object) -> list[tuple[object, ...]]:
        looked_up.append(host)
        if host == "rebind.invalid":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]
        return socket.getaddrinfo(host, port_, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sources, "_resolve", resolve)
    SEEN_HOSTS.clear()
    text, meta = fetch_url(f"http://rebind.invalid:{port}/old")  # a redirect: two hops
    assert "charming" in text and meta["url"] == f"http://rebind.invalid:{port}/review"
    assert [f"rebind.invalid:{port}"] * 2 == SEEN_HOSTS
    assert looked_up == ["rebind.invalid"] * 2  # once per hop, by critica


def test_a_name_resolving_to_any_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    from critica.inputs import sources

    def resolve(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:10.0.0.1", port, 0, 0)),
        ]

    monkeypatch.setattr(sources, "_resolve", resolve)
    with pytest.raises(
        FetchError, match=r"link-local address \(::ffff:a00:1, which carries 10\.0\.0\.1\)"
    ):
        fetch_url("http://mixed.invalid/")


@pytest.mark.parametrize("path", ["/big", "/unsized"])
def test_a_fetch_can_be_capped_below_the_input_limit(server: str, path: str) -> None:
    """The web form's fetch stops at its own cap, well under CRITICA_MAX_INPUT_BYTES."""
    cap = 100 if path == "/unsized" else 50_000
    with pytest.raises(InputError, match=f"the page is over {cap:,} bytes"):
        fetch_url(server + path, max_bytes=cap)
    assert "charming" in fetch_url(server + "/big", max_bytes=1_000_000)[0]


def test_an_endless_file_is_read_up_to_the_limit(set_env: SetEnv, tmp_path: Path) -> None:
    """/dev/zero (or a FIFO) reports size 0: reading stops one byte past the limit."""
    set_env("CRITICA_MAX_INPUT_BYTES", "100000")
    with pytest.raises(InputError, match="over the limit of 100,000"):
        read_source("/dev/zero")
