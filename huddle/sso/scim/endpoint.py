"""The Django view of ``/scim/v2/…``: the bearer token names the organisation, a body over
``MAX_BODY_BYTES`` is refused before it is read, scim2-server's answer becomes the response."""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import SCIMException, UnauthorizedException
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse

from huddle.accounts.models import Organization
from huddle.sso import services
from huddle.sso.models import ScimToken
from huddle.sso.scim.protocol import SERVICE
from huddle.sso.scim.storage import OrganizationStorage

# The largest body a provider sends is a group with its members: 1 MiB holds ~10,000 of them.
MAX_BODY_BYTES = 1024 * 1024


def _authenticate(request: HttpRequest) -> ScimToken:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    token = services.scim_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise UnauthorizedException(detail="A valid SCIM bearer token is required.")
    return token


def _django_response(response: ScimResponse) -> HttpResponse:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    result = HttpResponse(body, status=int(response.status))
    for name, value in response.headers.items():
        result[name] = value
    return result


@csrf_exempt
def scim_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Serve one SCIM request for the organisation of the bearer token."""
    base_url = request.build_absolute_uri("/scim/v2").rstrip("/")
    try:
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return _django_response(
                ScimResponse(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    {
                        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                        "status": "413",
                        "detail": f"The body is over {MAX_BODY_BYTES} bytes.",
                    },
                )
            )
        scim_request = ScimRequest(
            method=request.method or "GET",
            base_url=base_url,
            path="/" + path,
            query=request.GET.dict(),
            headers=list(request.headers.items()),
            body=request.body,
        )
        if SERVICE.match(scim_request).operation.value != "service_provider_config":
            scim_request.subject = _authenticate(request)
            storage = OrganizationStorage(scim_request.subject.organization)
        else:
            storage = OrganizationStorage(Organization())  # discovery reads no rows
        response = ScimHandler(SERVICE, storage).handle(scim_request)
    except SCIMException as error:
        response = SERVICE.error_response(error)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
    response.headers.setdefault("Cache-Control", "no-cache")
    return _django_response(response)
