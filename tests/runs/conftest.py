from __future__ import annotations

import socket

import pytest

from tests.runs.servers import FakeServer


@pytest.fixture
def fake_server():
    """A local HTTP server on 127.0.0.1 with queued replies (``fake_server.queue(Reply(...))``)."""
    with FakeServer() as server:
        yield server


@pytest.fixture
def connections(monkeypatch):
    """Every outgoing TCP connection attempt, as ``(host, port)``; only loopback ones go through.

    Blocked addresses must be refused before any attempt, so tests assert this stays empty.
    """
    attempts: list[tuple[str, int]] = []
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        attempts.append((address[0], address[1]))
        if address[0] not in {"127.0.0.1", "::1"}:
            raise AssertionError(f"a test tried to connect to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return attempts


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    """Name look-ups never leave the machine in these tests: only names put in this table
    (``fake_dns["evil.test"] = "127.0.0.1"``, or a list of addresses) and ``localhost`` resolve.
    """
    table: dict[str, str | list[str]] = {"localhost.": "127.0.0.1"}
    real = socket.getaddrinfo

    def lookup(host, port, *args, **kwargs):
        if host in table:
            answers = table[host]
            answers = [answers] if isinstance(answers, str) else answers
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port or 0, 0, 0) if ":" in a else (a, port or 0),
                )
                for a in answers
            ]
        if host not in {"127.0.0.1", "::1", "localhost"}:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (test)")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return table


@pytest.fixture
def fake_provider():
    """Every ``provider_for(config)`` returns this ``FakeProvider``; ``.enqueue()`` answers."""
    from huddle.runs.providers.fake import FakeProvider
    from huddle.runs.providers.registry import override_provider

    fake = FakeProvider()
    with override_provider(lambda config, timeout: fake):
        yield fake


def beside(page: str, field: str) -> str:
    """The field named ``field`` and what follows it inside its ``.field`` box: its errors."""
    start = page.index(f'name="{field}"')
    return page[start : page.index("</div>", start)]
