"""allauth's HTTP calls (OpenID Connect discovery, tokens, keys, user info) on Huddle's one
outbound client.

allauth fetches with a ``requests`` session; an owner chooses the discovery URL, and the
document it returns names the other endpoints. Left to ``requests`` those calls could reach the
server's own network (SSRF). ``SafeRequestsAdapter`` sends every request of such a session through
``core.http.outbound_client`` instead, so the same checks apply as for LLM providers and webhooks:
every connection (and every redirect, which ``requests`` follows through the adapter again) is
checked against private, loopback and link-local addresses unless the owner allowed that host.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx2
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from huddle.core.http import OutboundError, outbound_client

TIMEOUT = 10.0  # seconds; a sign-in waits on these calls


# For the SSO views, which must not import requests themselves (tests/runs/test_http.py).
RequestException = requests.RequestException
Session = requests.Session


class SafeRequestsAdapter(BaseAdapter):
    """A ``requests`` transport adapter that sends through ``core.http.outbound_client``.

    Failures (a refused address, a timeout, a response over the size limit) are raised as
    ``requests.ConnectionError`` with Huddle's message, which allauth treats as a failed sign-in.
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        super().__init__()
        self._allowed_hosts = frozenset(allowed_hosts)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body
        try:
            with outbound_client(allowed_hosts=self._allowed_hosts, timeout=TIMEOUT) as http:
                reply = http.request(
                    request.method or "GET",
                    request.url or "",
                    headers=dict(request.headers),
                    content=body,
                )
        except OutboundError as error:
            raise requests.ConnectionError(error.message, request=request) from error
        except httpx2.HTTPError as error:
            raise requests.ConnectionError(str(error), request=request) from error
        response = requests.Response()
        response.status_code = reply.status_code
        response.reason = reply.reason_phrase
        response.headers = CaseInsensitiveDict(reply.headers.multi_items())
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = reply.content
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def requests_session(allowed_hosts: Iterable[str] = ()) -> requests.Session:
    """A ``requests`` session whose every call goes through the SSRF-safe outbound client."""
    session = requests.Session()
    session.trust_env = False  # no proxy or netrc from the environment
    adapter = SafeRequestsAdapter(allowed_hosts)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
