"""The one outbound HTTP client: SSRF refusals before any connection, caps, redirects."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import httpx2
import pytest

from huddle.core.http import (
    OutboundBlocked,
    OutboundError,
    ResponseTooLarge,
    blocked_reason,
    check_url,
    host_key,
    outbound_client,
    parse_ip,
)
from tests.runs.servers import Reply

BLOCKED_URLS = [
    "http://127.0.0.1/",
    "http://127.9.9.9:8080/",
    "http://[::1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:127.0.0.1]:11434/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:7f00:1::]/",
    "http://[::7f00:1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://0.0.0.0/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://localhost:11434/",
    "http://LOCALHOST./",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_private_and_local_addresses_are_refused_before_connecting(url, connections):
    with outbound_client() as client, pytest.raises(OutboundBlocked) as caught:
        client.get(url)
    assert "an admin can allow this host" in caught.value.message
    assert connections == []


LITERAL_URLS = [url for url in BLOCKED_URLS if "localhost" not in url.lower()]


@pytest.mark.parametrize("url", [*LITERAL_URLS, "http://0177.0.0.1/", "http://[::]/"])
def test_check_url_refuses_literal_private_addresses_without_resolving(url):
    with pytest.raises(OutboundBlocked):
        check_url(url)


def test_octal_spelling_of_loopback_is_read_like_the_c_library():
    assert parse_ip("0177.0.0.1") == ipaddress.ip_address("127.0.0.1")
    assert parse_ip("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert parse_ip("0x7f.1") == ipaddress.ip_address("127.0.0.1")
    assert parse_ip("[::ffff:7f00:1]") == ipaddress.ip_address("::ffff:7f00:1")
    assert parse_ip("api.openai.com") is None
    assert parse_ip("cafe") is None


def test_octal_spelling_in_a_request_is_refused_without_connecting(connections):
    with outbound_client() as client, pytest.raises((OutboundBlocked, httpx2.InvalidURL)):
        client.get("http://0177.0.0.1/")
    assert connections == []


def test_a_name_resolving_to_a_private_address_is_refused(fake_dns, connections):
    fake_dns["rebind.example"] = "169.254.169.254"
    with outbound_client() as client, pytest.raises(OutboundBlocked) as caught:
        client.get("https://rebind.example/v1/models")
    assert "169.254.169.254" in caught.value.message
    assert connections == []


def test_a_name_with_one_private_answer_among_public_ones_is_refused(fake_dns, connections):
    fake_dns["mixed.example"] = ["93.184.216.34", "10.1.2.3"]
    with outbound_client() as client, pytest.raises(OutboundBlocked):
        client.get("https://mixed.example/")
    assert connections == []


def test_public_addresses_are_not_blocked():
    for text in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"]:
        assert blocked_reason(ipaddress.ip_address(text)) is None
    assert blocked_reason(ipaddress.ip_address("::ffff:10.0.0.1")) == "private"
    assert blocked_reason(ipaddress.ip_address("100.64.1.1")) == "shared"


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    fake_dns, fake_server, connections
):
    """DNS rebinding: the name is resolved once; the socket connects to that address."""
    fake_dns["ollama.internal"] = "127.0.0.1"
    fake_server.queue(Reply(body=b"ok"))
    key = f"ollama.internal:{fake_server.port}"
    with outbound_client(allowed_hosts={key}) as client:
        response = client.get(f"http://ollama.internal:{fake_server.port}/ping")
    assert response.text == "ok"
    assert connections == [("127.0.0.1", fake_server.port)]
    assert fake_server.requests[0].headers["host"] == key


def test_an_allowed_host_must_match_host_and_port_exactly(fake_server, connections):
    fake_server.queue(Reply(body=b"ok"))
    with outbound_client(allowed_hosts={"127.0.0.1:1"}) as client, pytest.raises(OutboundBlocked):
        client.get(fake_server.url)
    by_name = outbound_client(allowed_hosts={f"localhost:{fake_server.port}"})
    with by_name, pytest.raises(OutboundBlocked):
        by_name.get(fake_server.url)  # 127.0.0.1 is not "localhost"
    assert connections == []
    with outbound_client(allowed_hosts={fake_server.host_key}) as client:
        assert client.get(fake_server.url).text == "ok"


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/", "http://127.0.0.1:9/"])
def test_a_redirect_to_a_private_address_fails(fake_server, connections, target):
    fake_server.queue(Reply(status=302, headers={"Location": target}))
    with outbound_client(allowed_hosts={fake_server.host_key}) as client:
        response = client.get(fake_server.url)
        assert response.status_code == 302  # the client follows nothing by itself
        with pytest.raises(OutboundBlocked):
            client.get(fake_server.url, follow_redirects=True)  # as the SDKs ask
    assert connections == [("127.0.0.1", fake_server.port)] * 2


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https_are_spoken(url, connections):
    with outbound_client() as client, pytest.raises((OutboundBlocked, httpx2.UnsupportedProtocol)):
        client.get(url)
    with pytest.raises(OutboundBlocked):
        check_url(url)
    assert connections == []


def test_check_url_refuses_credentials_in_the_address():
    with pytest.raises(OutboundBlocked, match="user name or password"):
        check_url("https://user:secret@api.example.com/v1")


def test_check_url_allows_a_private_literal_when_its_host_is_allowed():
    assert check_url(" http://127.0.0.1:11434/v1 ", {"127.0.0.1:11434"}) == (
        "http://127.0.0.1:11434/v1"
    )


def test_host_key_uses_default_ports_and_lower_case():
    assert host_key("https://API.example.com/v1") == "api.example.com:443"
    assert host_key("http://[::1]:11434/") == "::1:11434"
    assert host_key("http://localhost:11434/v1") == "localhost:11434"


def test_response_bodies_are_capped(fake_server):
    fake_server.queue(Reply(body=b"x" * 5000))
    client = outbound_client(allowed_hosts={fake_server.host_key}, max_response_bytes=1000)
    with client, pytest.raises(ResponseTooLarge):
        client.get(fake_server.url)


def test_streamed_bodies_without_a_length_are_capped_too(fake_server):
    fake_server.queue(Reply(chunks=[b"y" * 600, b"y" * 600]))
    client = outbound_client(allowed_hosts={fake_server.host_key}, max_response_bytes=1000)
    with client, pytest.raises(ResponseTooLarge):
        client.get(fake_server.url)


def test_an_unknown_name_is_a_readable_error(connections):
    with outbound_client() as client, pytest.raises(OutboundError) as caught:
        client.get("https://no-such-host.invalid/")
    assert "Couldn't find the server" in caught.value.message
    assert connections == []


def test_proxies_from_the_environment_are_ignored(monkeypatch, fake_server):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    fake_server.queue(Reply(body=b"direct"))
    with outbound_client(allowed_hosts={fake_server.host_key}) as client:
        assert client.get(fake_server.url).text == "direct"


# --- one client for the whole code base ------------------------------------------------------

FORBIDDEN = [
    (re.compile(r"^\s*(import|from)\s+requests\b", re.M), "requests"),
    (re.compile(r"^\s*(import|from)\s+urllib3\b", re.M), "urllib3"),
    (re.compile(r"urllib\.request|from urllib import request"), "urllib.request"),
    (re.compile(r"http\.client|aiohttp"), "http.client / aiohttp"),
    (
        re.compile(r"\bhttpx2?\.(Client|AsyncClient|get|post|put|patch|delete|request|stream)\("),
        "httpx clients",
    ),
    (re.compile(r"\bhttpx2?\.(HTTPTransport|AsyncHTTPTransport)\("), "httpx transports"),
    (re.compile(r"\bsocket\.(create_connection|socket)\("), "raw sockets"),
]
SDK_CLIENT = re.compile(
    r"\b(OpenAI|AzureOpenAI|Anthropic|AsyncOpenAI|AsyncAnthropic)\(([^)]*)\)", re.S
)


def test_no_other_http_client_is_used_in_the_code_base():
    root = Path(__file__).resolve().parents[2] / "huddle"
    problems = []
    for path in root.rglob("*.py"):
        # sso/outbound.py is the bridge that makes allauth's requests go through core.http.
        if path in (root / "core" / "http.py", root / "sso" / "outbound.py"):
            continue
        text = path.read_text()
        for pattern, name in FORBIDDEN:
            if pattern.search(text):
                problems.append(f"{path.relative_to(root)} uses {name}")
        for match in SDK_CLIENT.finditer(text):
            if "http_client=" not in match.group(2):
                problems.append(
                    f"{path.relative_to(root)} builds an SDK client without http_client="
                )
    assert problems == []
