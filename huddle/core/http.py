"""The one outbound HTTP client: every request Huddle makes to another server goes through here.

``outbound_client()`` returns an ``httpx2.Client`` (the HTTP library the official ``openai`` and
``anthropic`` SDKs are built on; they refuse clients of the older ``httpx`` package) that is safe
to point at an address typed by a person:

- only ``http`` and ``https``; no proxies from the environment;
- the host is resolved **once**, here, and every resolved address is checked: private, loopback,
  link-local, multicast, reserved, unspecified, shared (100.64/10) and any other non-global
  address is refused, also when it hides inside an IPv6 address (IPv4-mapped ``::ffff:a.b.c.d``,
  IPv4-compatible, NAT64 ``64:ff9b::/96``, 6to4, Teredo). Odd IPv4 spellings (``0177.0.0.1``,
  ``2130706433``, ``0x7f.1``) are read the way the C library reads them;
- the connection goes to the checked address, so a second DNS answer can't swap in another one
  (DNS rebinding); the ``Host`` header and TLS SNI keep the name;
- the check happens for every connection, so a redirect to a private address fails too (the client
  follows no redirects itself; the SDKs may ask it to, and each hop is checked again);
- response bodies are capped (``MAX_RESPONSE_BYTES``).

An admin may allow one host explicitly (``host:port``, exact match, e.g. a self-hosted Ollama at
``localhost:11434``): only then may its addresses be private.

Errors are ``OutboundError`` subclasses of ``HuddleError`` with messages meant for people; they
name the host, never a key, a header or a body.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpcore2
import httpx2

from huddle.core.errors import HuddleError

DEFAULT_TIMEOUT = 30.0
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(HuddleError):
    """A request to another server could not be made or completed."""

    status = 502

    def __init__(self, message: str, *, code: str = "outbound_failed") -> None:
        super().__init__(code, message)


class OutboundBlocked(OutboundError):
    """The address is not one Huddle may reach (scheme, private address, bad host)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="outbound_blocked")


class ResponseTooLarge(OutboundError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The server's answer was larger than {limit // (1024 * 1024)} MB and was cut off.",
            code="response_too_large",
        )


# --- addresses -------------------------------------------------------------------------------


def parse_ip(host: str) -> IPAddress | None:
    """The address ``host`` spells, or None for a name.

    Beyond the standard forms this accepts what the C library's ``inet_aton`` does, which is what
    ``getaddrinfo`` would connect to: ``0177.0.0.1`` (octal), ``2130706433``, ``0x7f.1``, ``127.1``.
    """
    text = host.strip().removeprefix("[").removesuffix("]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, UnicodeError, ValueError):
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries, which a gateway may end up connecting to."""
    found = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    # IPv4-compatible (deprecated ::a.b.c.d); :: and ::1 themselves are checked as IPv6.
    if int(address) >> 32 == 0 and int(address) > 1:
        found.append(ipaddress.IPv4Address(int(address)))
    return found


def _own_reason(address: IPAddress) -> str | None:
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("shared", address.version == 4 and address in _SHARED),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` may not be reached (``"loopback"``, ``"private"`` …), or None if public."""
    reason = _own_reason(address)
    if reason is None and address.version == 6:
        for inner in _embedded_ipv4(address):  # type: ignore[arg-type]
            reason = _own_reason(inner)
            if reason is not None:
                break
    return reason


def _normal_host(host: str) -> str:
    return host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()


def host_key(url: str) -> str:
    """``host:port`` of a URL, the form admins allow hosts in (``localhost:11434``)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        raise OutboundBlocked("The address has an invalid port.") from None
    return f"{_normal_host(parts.hostname or '')}:{port}"


def _key(host: str, port: int | str) -> str:
    return f"{_normal_host(host)}:{port}"


def _allowed(host: str, port: int, allowed_hosts: Iterable[str]) -> bool:
    """Exact ``host:port`` match against what an admin allowed (``[::1]:11434`` works too)."""
    wanted = _key(host, port)
    return any(_key(*entry.rsplit(":", 1)) == wanted for entry in allowed_hosts if ":" in entry)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (one DNS look-up), or an ``OutboundError``."""
    literal = parse_ip(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundError(
            f"Couldn't find the server {host!r}: check the address.", code="host_not_found"
        ) from None
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_destination(host: str, port: int, allowed_hosts: Iterable[str] = ()) -> list[IPAddress]:
    """Resolve ``host`` and return its addresses if Huddle may connect to them.

    Raises ``OutboundBlocked`` when any address is not public and ``host:port`` is not one an admin
    allowed: a name with one private answer among public ones is refused as a whole.
    """
    addresses = resolve(host, port)
    if _allowed(host, port, allowed_hosts):
        return addresses
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            raise OutboundBlocked(
                f"Huddle doesn't connect to {host} ({reason} address {address}). If this is a "
                "self-hosted model server on your own network, an admin can allow this host "
                "explicitly in the provider's settings."
            )
    return addresses


def check_url(url: str, allowed_hosts: Iterable[str] = ()) -> str:
    """Check a URL typed by a person without connecting: scheme, host, and a literal address.

    Names are not resolved here (that happens, and is checked again, on every connection).
    Returns the URL stripped; raises ``OutboundBlocked`` with a readable reason.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise OutboundBlocked("The address must start with https:// (or http://).")
    if not parts.hostname:
        raise OutboundBlocked("The address has no host name.")
    if parts.username or parts.password:
        raise OutboundBlocked("Don't put a user name or password in the address.")
    key = host_key(url)
    host, port = key.rsplit(":", 1)
    literal = parse_ip(host)
    if literal is not None and not _allowed(host, int(port), allowed_hosts):
        reason = blocked_reason(literal)
        if reason is not None:
            raise OutboundBlocked(
                f"Huddle doesn't connect to {reason} addresses ({literal}) unless an admin "
                "allows this host explicitly."
            )
    return url


# --- transport -------------------------------------------------------------------------------


class _CheckedBackend(httpcore2.SyncBackend):
    """Connects only to addresses ``check_destination`` approved, by address, never by name."""

    def __init__(self, allowed_hosts: frozenset[str]) -> None:
        self._allowed_hosts = allowed_hosts

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        addresses = check_destination(host, port, self._allowed_hosts)
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # noqa: S101 - resolve() never returns an empty list silently
        raise error


class _CappedStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise ResponseTooLarge(self._limit)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class SafeTransport(httpx2.HTTPTransport):
    """``HTTPTransport`` whose connections go through ``_CheckedBackend`` and whose bodies are
    capped. Schemes other than http/https are refused before anything else happens."""

    def __init__(self, *, allowed_hosts: frozenset[str], max_response_bytes: int) -> None:
        super().__init__(trust_env=False)
        # httpx2 offers no network-backend option, so the pool is rebuilt with ours.
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False),
            network_backend=_CheckedBackend(allowed_hosts),
            http1=True,
            http2=False,
        )
        self._max_response_bytes = max_response_bytes

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.scheme not in ALLOWED_SCHEMES:
            raise OutboundBlocked("The address must start with https:// (or http://).")
        response = super().handle_request(request)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._max_response_bytes:
            response.close()
            raise ResponseTooLarge(self._max_response_bytes)
        assert isinstance(response.stream, httpx2.SyncByteStream)  # noqa: S101
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self._max_response_bytes),
            extensions=response.extensions,
            request=request,
        )


def outbound_client(
    *,
    allowed_hosts: Iterable[str] = frozenset(),
    timeout: float = DEFAULT_TIMEOUT,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
) -> httpx2.Client:
    """A new client for requests to other servers; close it (``with``) when done.

    ``allowed_hosts`` are ``host:port`` strings an admin allowed explicitly; only their addresses
    may be private. ``timeout`` (seconds) applies to connecting and to each read.
    """
    return httpx2.Client(
        transport=SafeTransport(
            allowed_hosts=frozenset(allowed_hosts), max_response_bytes=max_response_bytes
        ),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": "Huddle"},
    )
