"""One outbound client (docs/ARCHITECTURE.md): every request to another server goes through
``core.http.outbound_client``, which refuses private and internal addresses at connect time.

The scan reads every module under ``huddle/`` (``ast``) and fails on what would open a
connection another way: importing another HTTP library (requests, urllib3, aiohttp,
http.client, urllib.request), an httpx client or transport built directly, a module-level
``requests``/``httpx`` call, ``urlopen``, a raw socket, or an LLM SDK client not handed Huddle's
``http_client``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = "huddle/core/http.py"  # the one place allowed to build clients and sockets
FORBIDDEN = frozenset(
    {
        *(f"{lib}.{name}" for lib in ("httpx", "httpx2") for name in (
            "Client", "AsyncClient", "get", "post", "put", "patch", "delete", "request", "stream",
        )),
        *(f"requests.{name}" for name in (
            "Session", "session", "get", "post", "put", "patch", "delete", "head", "request",
        )),
        "urlopen", "urllib.request.urlopen", "request.urlopen",
        "http.client.HTTPConnection", "http.client.HTTPSConnection",
        "HTTPConnection", "HTTPSConnection",
        "socket.socket", "socket.create_connection",
        "httpx.HTTPTransport", "httpx2.HTTPTransport",
        "httpx.AsyncHTTPTransport", "httpx2.AsyncHTTPTransport",
    }
)  # fmt: skip
# HTTP libraries other than the outbound client's own: importing one is the first step around it.
OTHER_LIBRARIES = frozenset({"requests", "urllib3", "aiohttp", "http.client", "urllib.request"})
SDK_CLIENTS = frozenset(
    {
        *(f"{prefix}{name}" for prefix in ("", "openai.") for name in (
            "OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI",
        )),
        *(f"{prefix}{name}" for prefix in ("", "anthropic.") for name in (
            "Anthropic", "AsyncAnthropic",
        )),
    }
)  # fmt: skip
# (module, call): allowed, with the reason.
ALLOWED = {
    ("huddle/sso/outbound.py", "requests.Session"): (
        "allauth needs a requests session; its http(s) adapters are replaced by one that sends "
        "through outbound_client"
    ),
    ("huddle/sso/outbound.py", "import requests"): "the adapter above",
}


def outbound_calls(source: str) -> list[tuple[int, str]]:
    """``(line, call)`` of each call in ``source`` that connects outside the outbound client."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                library = next(
                    (lib for lib in OTHER_LIBRARIES if name == lib or name.startswith(lib + ".")),
                    None,
                )
                if library:
                    found.append((node.lineno, f"import {library.split('.')[0]}"))
                    break
            continue
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name in FORBIDDEN:
            found.append((node.lineno, name))
        elif name in SDK_CLIENTS and not any(k.arg == "http_client" for k in node.keywords):
            found.append((node.lineno, f"{name} without http_client"))
    return found


def test_the_scan_finds_each_way_around_the_client():
    source = """
import httpx2, socket, openai
from urllib.request import urlopen
requests.get("http://10.0.0.1")
httpx2.Client()
urlopen("http://169.254.169.254")
socket.create_connection(("10.0.0.1", 80))
openai.OpenAI(api_key="k")
openai.OpenAI(api_key="k", http_client=http)
session.get("https://example.com")
"""
    assert [name for _, name in outbound_calls(source)] == [
        "import urllib",
        "requests.get",
        "httpx2.Client",
        "urlopen",
        "socket.create_connection",
        "openai.OpenAI without http_client",
    ]


def test_only_the_outbound_client_connects_to_other_servers():
    offenders = []
    for path in sorted((ROOT / "huddle").rglob("*.py")):
        module = path.relative_to(ROOT).as_posix()
        if module == HOME:
            continue
        for line, name in outbound_calls(path.read_text()):
            if (module, name) not in ALLOWED:
                offenders.append(f"{module}:{line} {name}")
    assert not offenders, (
        "Connect through core.http.outbound_client (or add the call to ALLOWED with the reason):\n"
        + "\n".join(offenders)
    )


def test_every_allowed_call_still_exists():
    for module, name in ALLOWED:
        calls = {call for _, call in outbound_calls((ROOT / module).read_text())}
        assert name in calls, f"{module} no longer calls {name}: drop it from ALLOWED"
