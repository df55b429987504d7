"""OAuth 2.1 for ``/mcp`` (the MCP authorization spec): what ChatGPT's and claude.ai's connectors
use to connect to a remote MCP server. django-oauth-toolkit does the protocol:

- protected resource metadata (RFC 9728) at ``/.well-known/oauth-protected-resource``, named in
  the ``WWW-Authenticate`` header of ``/mcp``'s 401 (``http.py``);
- authorization server metadata (RFC 8414) at ``/.well-known/oauth-authorization-server``;
- dynamic client registration (RFC 7591) at ``/oauth/register/``: open, as connectors register
  themselves before anyone signs in, so limited per address (429) and pruned by the worker when
  never used (``accounts/oauth.registrations_prune``);
- the authorization code grant with PKCE (S256 only) at ``/oauth/authorize/`` and
  ``/oauth/token/``, refresh tokens, revocation (RFC 7009) at ``/oauth/revoke/``.

Huddle adds the consent page (``ConsentView``): the member signs in with Huddle's own login,
sees the client's name and picks the organisation; the code, and the tokens it buys, are bound
to that organisation (``Validator``; ``accounts/oauth.py`` reads them back).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.csp import CSP
from oauth2_provider import urls as oauth_urls
from oauth2_provider import views as oauth_views
from oauth2_provider.forms import AllowForm
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from huddle.accounts.oauth import ORG_SCOPE, organization_scope, organizations_for_consent
from huddle.core import ratelimit

ORGANIZATION = "huddle_organization"  # the consent's choice, on oauthlib's request


class Validator(OAuth2Validator):
    """django-oauth-toolkit's validator, binding each authorization code to the organisation
    chosen on the consent page (its ``org:<public id>`` scope; oauthlib copies a code's scope
    to the tokens it buys)."""

    def _create_authorization_code(self, request: Any, code: Any, expires: Any = None) -> Any:
        organization = getattr(request, ORGANIZATION, None)
        if not organization:
            # Only the consent page issues codes: never one that acts in no organisation (a
            # client asking for approval_prompt=auto, say).
            raise errors.AccessDeniedError(request=request)
        scopes = [s for s in request.scopes or [] if not s.startswith(ORG_SCOPE)]
        request.scopes = [*scopes, organization_scope(organization)]
        return super()._create_authorization_code(request, code, expires)


class RegistrationView(oauth_views.DynamicClientRegistrationView):
    """The toolkit's registration (RFC 7591), for clients of the authorization code grant only:
    a token of any other grant would act for no member (client credentials) or let a client try
    passwords past the login page's limit (password)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            ratelimit.hit("oauth_register", ratelimit.client_address(request))
        except ratelimit.RateLimited as limited:
            message = "Too many client registrations from this address; try again later."
            response = JsonResponse(
                {"error": "invalid_client_metadata", "error_description": message}, status=429
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
        try:
            metadata = json.loads(request.body)
        except ValueError:
            metadata = None  # the toolkit answers a body that is not JSON
        if isinstance(metadata, dict):
            grants = metadata.get("grant_types") or ["authorization_code"]
            if not isinstance(grants, list) or set(grants) - {
                "authorization_code",
                "refresh_token",
            }:
                message = "Huddle accepts clients of the authorization_code grant only."
                body = {"error": "invalid_client_metadata", "error_description": message}
                return JsonResponse(body, status=400)
            uris = metadata.get("redirect_uris")
            plain = [
                uri
                for uri in (uris if isinstance(uris, list) else [])
                if isinstance(uri, str) and not _https_or_loopback(uri)
            ]
            if plain:
                message = (
                    f"Redirect URIs must use https (plain http only to this device's loopback "
                    f"address, for desktop apps): {plain[0]}"
                )
                body = {"error": "invalid_redirect_uri", "error_description": message}
                return JsonResponse(body, status=400)
        return super().post(request, *args, **kwargs)


def _https_or_loopback(uri: str) -> bool:
    """RFC 9700 §2.1 / RFC 8252 §7.3: https, or http to a loopback address (a desktop app such as
    Claude Desktop's mcp-remote bridge listens there for the code)."""
    parts = urlsplit(uri)
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and (parts.hostname or "") in {"127.0.0.1", "::1", "localhost"}


class ConsentForm(AllowForm):
    organization = forms.ChoiceField(label="Organisation")

    def __init__(self, *args: Any, organizations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(o.public_id), o.name) for o in organizations]


class ConsentView(oauth_views.AuthorizationView):
    """The authorization endpoint's page: which client asks, for which organisation, allow or
    deny. Signed-out visitors go to Huddle's login first (``LOGIN_URL``)."""

    template_name = "mcp/consent.html"
    form_class = ConsentForm
    _organization: str | None = None

    def _organizations(self) -> list[Any]:
        if not hasattr(self, "_choices"):
            self._choices = organizations_for_consent(self.request.user)
        return self._choices

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "organizations": self._organizations()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "organizations": self._organizations()}

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        response = super().render_to_response(context, **kwargs)
        redirect = context.get("redirect_uri")
        if isinstance(redirect, str) and redirect:
            # Allowing sends the browser on to the client's redirect URI (validated against its
            # registration by now); browsers hold that redirect to the page's form-action.
            parts = urlsplit(redirect)
            form_action = [CSP.SELF, f"{parts.scheme}://{parts.netloc}"]
            response._csp_config = {**settings.SECURE_CSP, "form-action": form_action}
        return response

    def form_valid(self, form: ConsentForm) -> Any:
        self._organization = form.cleaned_data["organization"]
        return super().form_valid(form)

    def create_authorization_response(
        self, request: Any, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        credentials = {**credentials, ORGANIZATION: self._organization}
        return super().create_authorization_response(request, scopes, credentials, allow)


app_name = "oauth2_provider"  # the toolkit's metadata views reverse their endpoints by this name
urlpatterns = [
    *oauth_urls.metadata_urlpatterns,
    path("oauth/authorize/", ConsentView.as_view(), name="authorize"),
    path("oauth/token/", oauth_views.TokenView.as_view(), name="token"),
    path("oauth/revoke/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path(
        "oauth/register/",
        RegistrationView.as_view(),
        name="dcr-register",
    ),
    path(
        "oauth/register/<str:client_id>/",
        oauth_views.DynamicClientRegistrationManagementView.as_view(),
        name="dcr-register-management",
    ),
]
