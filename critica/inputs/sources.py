"""Getting review input from the outside world: standard input, files and URLs."""

from __future__ import annotations

import ipaddress
import re
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from critica import config
from critica.errors import FetchError, InputError

if TYPE_CHECKING:  # httpx is imported when a URL is fetched: it costs ~0.2 s at start-up
    import httpx

MAX_REDIRECTS = 5
USER_AGENT = "critica/0.1 (critic-review analyzer)"
_SAVE_HINT = "check the address or save the page and pass the file"

# Leading bytes of formats people pass by mistake (a PDF of the review, a screenshot ...).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/EPUB document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x7fELF", "a program"),
    (b"RIFF", "a media file"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control bytes other than tab, newline, form feed and carriage return.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|\?xml)", re.I | re.S)
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|span|a|article|body|head|title|h[1-6]|li|ul|ol|em|strong|i|b|meta)\b[^>]*>",
    re.I,
)
_TEXT_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


def _binary_error(what: str) -> InputError:
    return InputError(
        f"the input looks like binary data ({what}), not review text; "
        "pass a text or HTML file with the review"
    )


def _check_binary(data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _binary_error(what)
    head = data[:8192]
    if b"\x00" in head:
        raise _binary_error("it contains NUL bytes")
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > 0.05 * len(head):
        raise _binary_error("many control characters")


def _check_size(size: int, cap: int | None = None) -> None:
    limit = int(config.get("max_input_bytes"))
    if cap is not None and cap < limit and size > cap:
        raise InputError(
            f"the page is over {cap:,} bytes, more than a review page needs here; save the "
            "review's text and paste it, or use `critica analyze URL`"
        )
    if size > limit:
        raise InputError(
            f"the input is {size:,} bytes, over the limit of {limit:,}; pass a shorter review "
            "or raise the limit with CRITICA_MAX_INPUT_BYTES"
        )


def _empty_error() -> InputError:
    return InputError("the review is empty (the input holds no text); pass a file, URL or - ")


def decode_bytes(
    data: bytes, *, warnings: list[str] | None = None, charset: str | None = None
) -> str:
    """Check raw input bytes (empty, binary, too large) and decode them to text."""
    if not data.strip():
        raise _empty_error()
    _check_size(len(data))
    if data.startswith(_UTF16_BOMS):  # Windows "Unicode" text files; NULs are expected here
        text = data.decode("utf-16", errors="replace")
    else:
        _check_binary(data)
        text = _decode_text(data, charset, warnings if warnings is not None else [])
    if not text.strip(" \t\r\n\f\v\ufeff\u00a0\u200b"):
        raise _empty_error()
    return text


def _decode_text(data: bytes, charset: str | None, warnings: list[str]) -> str:
    if charset and charset.lower().replace("_", "-") not in {"utf-8", "utf8"}:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header charset is common; fall through to UTF-8 and friends
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        warnings.append(
            f"the input is not valid UTF-8 (bad byte at offset {bad_at}); decoded it as "
            f"{encoding}, so some characters may be wrong — save the review as UTF-8 to avoid this"
        )
        return text
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def looks_like_html(text: str) -> bool:
    """Whether the text is an HTML document or fragment rather than plain text."""
    head = text[:5000]
    return bool(_HTML_START.match(head)) or len(_HTML_TAG.findall(head)) >= 2


def read_source(source: str, *, stdin: BinaryIO | None = None) -> tuple[str, dict[str, Any]]:
    """Read a review from ``-`` (standard input), an http(s) URL or a file path."""
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        # One byte past the limit is enough to know the input is too large.
        data = stream.read(int(config.get("max_input_bytes")) + 1)
        return _from_bytes(data, {})
    if re.match(r"https?://", source, re.I):
        return fetch_url(source)
    return _read_file(source)


def _from_bytes(
    data: bytes, meta: dict[str, Any], kind: str | None = None
) -> tuple[str, dict[str, Any]]:
    warnings: list[str] = []
    text = decode_bytes(data, warnings=warnings, charset=meta.pop("charset", None))
    meta["content_type"] = kind or ("html" if looks_like_html(text) else "text")
    meta["warnings"] = warnings
    return text, meta


def _read_file(source: str) -> tuple[str, dict[str, Any]]:
    path = Path(source).expanduser()
    try:
        if path.is_dir():
            raise InputError(f"{source} is a directory; pass a review file (text or HTML)")
        _check_size(path.stat().st_size)
        # A device or FIFO reports size 0 and may never end: read one byte past the limit.
        limit = int(config.get("max_input_bytes"))
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
        _check_size(len(data))
    except FileNotFoundError:
        raise InputError(
            f"no such file: {source}; check the path, or pass - to read standard input"
        ) from None
    except PermissionError:
        raise InputError(f"cannot read {source}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None
    kind = "html" if path.suffix.lower() in {".html", ".htm", ".xhtml"} else None
    return _from_bytes(data, {"path": str(path)}, kind)


# Where IPv6 addresses carry an IPv4 address inside them: NAT64 (RFC 6052, RFC 8215) and
# the deprecated IPv4-compatible form. IPv4-mapped, 6to4 and Teredo have their own
# properties in ``ipaddress``.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_V4_COMPATIBLE = ipaddress.ip_network("::/96")
# The name lookup, one seam for tests that need a name to resolve somewhere on purpose.
_resolve = socket.getaddrinfo


def embedded_ipv4(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64, compatible)."""
    if ip.version == 4:
        return None
    assert isinstance(ip, ipaddress.IPv6Address)
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64) or (ip in _V4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(ip.packed[-4:])
    return None


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global unicast address, and so is any IPv4 address inside it."""
    inner = embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    return ip.is_global and not ip.is_multicast


def _checked_address(url: httpx.URL) -> str:
    """Resolve the URL's host once and return the address to connect to: every address
    the name has must be public (unless private hosts are allowed), so the connection
    goes to an address that was checked, not to a second lookup's answer."""
    host = url.host
    if not host:
        raise FetchError(f"{url} has no host name; {_SAVE_HINT}")
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
        infos = _resolve(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise FetchError(f"could not reach {host}: {reason}; {_SAVE_HINT}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(f"could not reach {host}: no address; {_SAVE_HINT}")
    if not config.get("fetch_private_hosts"):
        for ip in addresses:
            if not is_public(ip):
                inner = embedded_ipv4(ip)
                shown = f"{ip}, which carries {inner}" if inner else str(ip)
                raise FetchError(
                    f"refusing to fetch {host}: it resolves to a private, loopback or "
                    f"link-local address ({shown}); set CRITICA_FETCH_PRIVATE_HOSTS=1 to allow "
                    "it, or save the page and pass the file"
                )
    return str(addresses[0])


def _pinned(url: httpx.URL, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The request for ``url`` sent to ``address``: the URL with the address as its host,
    the original Host header, and TLS told the original name (SNI and certificate check)."""
    host = url.host
    default = 443 if url.scheme == "https" else 80
    header = host if url.port in (None, default) else f"{host}:{url.port}"
    return url.copy_with(host=address), {"Host": header}, {"sni_hostname": host}


def fetch_url(url: str, max_bytes: int | None = None) -> tuple[str, dict[str, Any]]:
    """Fetch a review page over http(s), with timeouts, size and address checks; the body
    is streamed and dropped past ``max_bytes`` (when lower than CRITICA_MAX_INPUT_BYTES)."""
    import httpx

    timeout = float(config.get("fetch_timeout"))
    deadline = time.monotonic() + timeout * 3  # a slow drip must not hold us forever
    try:
        with httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}) as client:
            return _fetch(client, httpx.URL(url), deadline, max_bytes)
    except httpx.TimeoutException:
        raise FetchError(
            f"{url} did not answer within {timeout:g} s; try again later, raise "
            "CRITICA_FETCH_TIMEOUT, or save the page and pass the file"
        ) from None
    except httpx.ConnectError as exc:
        host = httpx.URL(url).host
        raise FetchError(f"could not reach {host}: {exc}; {_SAVE_HINT}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"fetching {url} failed: {exc}; {_SAVE_HINT}") from None


def _fetch(
    client: httpx.Client, url: httpx.URL, deadline: float, cap: int | None
) -> tuple[str, dict[str, Any]]:
    for _ in range(MAX_REDIRECTS + 1):
        if url.scheme not in ("http", "https"):
            raise FetchError(f"cannot fetch {url}: only http and https addresses are supported")
        # Every hop is checked, so a redirect cannot lead to a private address either.
        target, headers, extensions = _pinned(url, _checked_address(url))
        request = client.build_request("GET", target, headers=headers, extensions=extensions)
        response = client.send(request, stream=True)
        try:
            if response.is_redirect and "location" in response.headers:
                url = url.join(response.headers["location"])
                continue
            return _read_response(response, deadline, url, cap)
        finally:
            response.close()
    raise FetchError(f"{url} redirected more than {MAX_REDIRECTS} times; {_SAVE_HINT}")


def _content_kind(response: httpx.Response, url: httpx.URL) -> str | None:
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not ctype:
        return None  # unlabelled: sniff the text
    if ctype in _TEXT_TYPES:
        return _TEXT_TYPES[ctype]
    if ctype.startswith("text/"):
        return "text"
    raise FetchError(
        f"{url} is {ctype}, not a web page or text; critica reads HTML or plain-text "
        "reviews, so save the review's text and pass the file"
    )


def _read_response(
    response: httpx.Response, deadline: float, url: httpx.URL, cap: int | None
) -> tuple[str, dict[str, Any]]:
    if not response.is_success:
        raise FetchError(
            f"{url} answered HTTP {response.status_code} {response.reason_phrase}; {_SAVE_HINT}"
        )
    kind = _content_kind(response, url)
    declared = response.headers.get("content-length", "")
    if declared.isdigit():
        _check_size(int(declared), cap)
    limit, chunks, size = int(config.get("max_input_bytes")), [], 0
    if cap is not None:
        limit = min(limit, cap)
    for chunk in response.iter_bytes():
        size += len(chunk)
        chunks.append(chunk)
        if size > limit:
            _check_size(size, cap)
        if time.monotonic() > deadline:
            raise FetchError(f"{url} took too long to download; {_SAVE_HINT}")
    meta = {"url": str(url), "charset": response.charset_encoding}
    return _from_bytes(b"".join(chunks), meta, kind)
