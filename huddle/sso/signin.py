"""Signing in by the organisation's identity provider (OpenID Connect through django-allauth),
and the password login that refuses people whose organisation requires SSO.

allauth speaks the protocol (discovery, the authorization code flow with PKCE, the ID token's
signature, issuer, audience, expiry and replay checks). Huddle decides who the person is:
``HuddleSocialAccountAdapter.pre_social_login`` takes over once allauth has a verified login and
signs the person in itself (allauth stores no social accounts). Every refusal is shown with a
clear message and recorded as an ``sso.refused`` event of the organisation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect import views as openid_connect_views
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.views import LogoutView
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts.login import HuddleLoginView, LockoutAuthenticationForm
from huddle.core.crypto import decrypt
from huddle.core.errors import HuddleError
from huddle.core.http import host_key
from huddle.sso import queries, services
from huddle.sso.models import SsoConfig
from huddle.sso.outbound import RequestException, Session, requests_session

PROVIDER = "openid_connect"
SAML = "saml"
SAML_PREFIX = "saml."  # a dot never occurs in a slug
# SAML attributes as URIs (the names most IdPs send with the URI name format).
_OID_MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
_OID_GIVEN = "urn:oid:2.5.4.42"
_OID_SN = "urn:oid:2.5.4.4"
BACKEND = "django.contrib.auth.backends.ModelBackend"
# In the session after an OpenID Connect sign-in: where logging out of Huddle continues.
END_SESSION = "_huddle_sso_end_session"
# On the callback's request: the provider's raw ID token (an attribute name, not a secret).
_ID_TOKEN = "_huddle_oidc_id_token"  # noqa: S105
# Where the person sits, as SAML IdPs name it: plain names (Okta's and Entra ID's custom
# attributes), Entra ID's claim URIs, and the LDAP OIDs (departmentNumber; stateOrProvinceName,
# which SCIM's address region is).
_SAML_ATTRIBUTES = {
    "department": (
        "department",
        "departmentNumber",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/department",
        "urn:oid:2.16.840.1.113730.3.1.2",
    ),
    "division": ("division",),
    "cost_center": ("costCenter",),
    "region": ("region", "st", "urn:oid:2.5.4.8"),
}


def _refuse(
    request: HttpRequest, config: SsoConfig | None, reason: str, message: str
) -> HttpResponse:
    if config is not None:
        services.sso_refusal_record(organization=config.organization, reason=reason)
    response = render(
        request,
        "sso/refused.html",
        {"message": message, "organization": config.organization if config else None},
        status=403,
    )
    return response


class HuddleSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Apps come from each organisation's ``SsoConfig`` (the provider id is the organisation's
    slug); the secret is decrypted only here, when allauth needs it."""

    def list_apps(
        self, request: HttpRequest, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        configs = SsoConfig.objects.select_related("organization")
        if provider and provider not in (PROVIDER, SAML):
            slug = provider.removeprefix(SAML_PREFIX)
            configs = configs.filter(organization__slug=slug)
        apps = []
        for config in configs:
            if config.oidc_ready:
                apps.append(_app(config))
            if config.saml_ready:
                apps.append(_saml_app(config))
        return [
            app
            for app in apps
            if provider in (None, app.provider, app.provider_id)
            and client_id in (None, app.client_id)
        ]

    def get_requests_session(self) -> Session:
        """Every call allauth makes to an issuer goes through Huddle's outbound client; the
        organisation's issuer host may be private only if its owner said so."""
        return requests_session(_allowed_issuer_hosts(self.request or context.request))

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        config = _config(sociallogin.account.provider)
        if sociallogin.account.provider.startswith(SAML_PREFIX):
            # A SAML assertion signed by the organisation's IdP vouches for the address itself.
            attributes = sociallogin.account.extra_data or {}

            def first(*keys: str) -> str:
                for key in keys:
                    values = attributes.get(key)
                    if values:
                        return str(values[0] if isinstance(values, list) else values)
                return ""

            email = first("email", "mail", _OID_MAIL) or sociallogin.user.email or ""
            verified = True
            name = f"{first('givenName', _OID_GIVEN)} {first('sn', _OID_SN)}".strip()
            attributes = {field: first(*names) for field, names in _SAML_ATTRIBUTES.items()}
        else:
            claims = _claims(sociallogin)
            email = str(claims.get("email") or "")
            verified = claims.get("email_verified") in (True, "true", "True")
            name = str(claims.get("name") or "")
            attributes = _oidc_attributes(claims)
        try:
            user = services.sso_sign_in_resolve(
                organization=config.organization if config else None,
                email=email,
                email_verified=verified,
                name=name,
                attributes=attributes,
            )
        except services.SsoRefused as error:
            raise ImmediateHttpResponse(
                _refuse(request, config, error.reason, error.message)
            ) from None
        login(request, user, backend=BACKEND)
        if not sociallogin.account.provider.startswith(SAML_PREFIX) and config is not None:
            _remember_end_session(request, config)
        raise ImmediateHttpResponse(
            redirect("organization_home", org_slug=config.organization.slug)
        )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        # The provider class's id is "openid_connect"; its app's id is the organisation's slug.
        config = _config(getattr(getattr(provider, "app", None), "provider_id", None))
        reason, message = _explain(
            error, exception, (extra_context or {}).get("saml_last_error_reason")
        )
        raise ImmediateHttpResponse(_refuse(request, config, reason, message))


def _remember_end_session(request: HttpRequest, config: SsoConfig) -> None:
    """Keep in the session where to end the provider's session at logout (OpenID Connect
    RP-initiated logout): its ``end_session_endpoint`` with the ID token of this sign-in as
    ``id_token_hint`` (which says whose session it is: Okta requires it, Keycloak and others
    then log out without asking again), the client id and the way back to Huddle's login page.
    Nothing when the provider has none or cannot be asked now."""
    adapter = openid_connect_views.OpenIDConnectOAuth2Adapter(request, config.organization.slug)
    try:
        endpoint = adapter.openid_config.get("end_session_endpoint")
    except (RequestException, ValueError):
        return
    if not isinstance(endpoint, str) or urlsplit(endpoint).scheme not in ("http", "https"):
        return
    hint = getattr(request, _ID_TOKEN, None)
    query = urlencode(
        {
            **({"id_token_hint": hint} if isinstance(hint, str) and hint else {}),
            "client_id": config.oidc_client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    request.session[END_SESSION] = {
        "url": f"{endpoint}{'&' if '?' in endpoint else '?'}{query}",
        "organization": config.organization.name,
    }


@require_POST
def sso_logout(request: HttpRequest) -> HttpResponse:
    """Log out of Huddle; after an OpenID Connect sign-in, then out of the provider too (a page
    that moves on to its ``end_session_endpoint``: a redirect there would break the logout
    form's CSP ``form-action``)."""
    end_session = request.session.get(END_SESSION)
    response = LogoutView.as_view()(request)
    if not isinstance(end_session, dict) or response.status_code != 302:
        return response
    return render(
        request,
        "sso/signed_out.html",
        {"end_session": end_session["url"], "organization_name": end_session["organization"]},
    )


def _allowed_issuer_hosts(request: HttpRequest | None) -> list[str]:
    """The discovery URL's host:port when the organisation signing in allowed a private issuer
    (found from the sign-in URL, ``/sso/<slug>/login/...``); nothing otherwise."""
    match = getattr(request, "resolver_match", None)
    config = _config(match.kwargs.get("provider_id") if match else None)
    if config is None or not config.oidc_private_network or not config.oidc_discovery_url:
        return []
    return [host_key(config.oidc_discovery_url)]


class _OidcAdapter(openid_connect_views.OpenIDConnectOAuth2Adapter):
    """allauth's adapter, keeping the provider's raw ID token on the callback's request (allauth
    keeps only its claims) for the logout's ``id_token_hint``."""

    def complete_login(
        self, request: HttpRequest, app: SocialApp, token: Any, **kwargs: Any
    ) -> SocialLogin:
        login = super().complete_login(request, app, token, **kwargs)
        setattr(request, _ID_TOKEN, (kwargs.get("response") or {}).get("id_token"))
        return login


@login_not_required
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's callback view, with the adapter above."""
    try:
        view = OAuth2CallbackView.adapter_view(_OidcAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's sign-in start, with an unreachable or refused issuer shown as a refusal (allauth
    lets the discovery fetch's error through as a server error)."""
    try:
        return openid_connect_views.login(request, provider_id)
    except RequestException as error:
        return _refuse(
            request,
            _config(provider_id),
            "issuer_unreachable",
            f"Huddle could not reach your identity provider: {error}. Ask an owner to check the "
            "discovery URL in the single sign-on settings.",
        )


def _app(config: SsoConfig) -> SocialApp:
    secret = ""
    if config.oidc_secret_encrypted:
        try:
            secret = decrypt(config.oidc_secret_encrypted)
        except HuddleError:
            secret = ""  # unreadable: the provider refuses the client, and says so
    return SocialApp(
        provider=PROVIDER,
        provider_id=config.organization.slug,
        name=config.organization.name,
        client_id=config.oidc_client_id,
        secret=secret,
        settings={"server_url": config.oidc_discovery_url, "oauth_pkce_enabled": True},
    )


def _saml_app(config: SsoConfig) -> SocialApp:
    slug = config.organization.slug
    return SocialApp(
        provider=SAML,
        # allauth finds a SAML app by client_id (the slug in its URLs); the provider id keeps it
        # apart from the same organisation's OIDC app.
        provider_id=SAML_PREFIX + slug,
        client_id=slug,
        name=config.organization.name,
        settings={
            "idp": {
                "entity_id": config.saml_idp_entity_id,
                "sso_url": config.saml_idp_sso_url,
                "x509cert": config.saml_idp_x509cert,
            },
            "attribute_mapping": {
                "uid": "email",
                "email": "email",
                "first_name": "givenName",
                "last_name": "sn",
            },
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "want_message_signed": False,
                "reject_idp_initiated_sso": True,
            },
        },
    )


def _config(provider_id: str | None) -> SsoConfig | None:
    if not provider_id:
        return None
    provider_id = provider_id.removeprefix(SAML_PREFIX)
    return (
        SsoConfig.objects.select_related("organization")
        .filter(organization__slug=provider_id)
        .first()
    )


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    claims = dict(data.get("id_token") or {})
    claims.update(data.get("userinfo") or {})
    return claims


def _oidc_attributes(claims: dict[str, Any]) -> dict[str, str]:
    """Department (and division, cost center) from custom claims of those names; the region from
    a ``region`` claim or the standard ``address`` claim's region."""
    address = claims.get("address")
    region = claims.get("region") or (address.get("region") if isinstance(address, dict) else "")
    return {
        "department": str(claims.get("department") or ""),
        "division": str(claims.get("division") or ""),
        "cost_center": str(claims.get("cost_center") or claims.get("costCenter") or ""),
        "region": str(region or ""),
    }


def _explain(
    error: str | None, exception: BaseException | None, saml_reason: str | None = None
) -> tuple[str, str]:
    """A reason code and a message people can act on, from what allauth caught."""
    cause = exception.__cause__ if exception is not None else None
    saml_reason = (saml_reason or "").lower()
    if "audience" in saml_reason:
        cause = jwt.InvalidAudienceError()
    elif "expired" in saml_reason or "notonorafter" in saml_reason:
        cause = jwt.ExpiredSignatureError()
    elif saml_reason:
        return (
            "invalid_assertion",
            f"Your identity provider's SAML response was refused: {saml_reason}",
        )
    if isinstance(cause, jwt.InvalidAudienceError):
        return (
            "wrong_audience",
            "The identity provider's sign-in token was issued for another application (wrong "
            "audience). An owner should check the client ID in Huddle's single sign-on settings.",
        )
    if isinstance(cause, jwt.ExpiredSignatureError):
        return (
            "expired",
            "The sign-in token from your identity provider had expired. Check that the clocks "
            "of both servers are right, then sign in again.",
        )
    if isinstance(cause, jwt.InvalidIssuerError):
        return ("wrong_issuer", "The sign-in token came from another issuer than configured.")
    if isinstance(cause, jwt.PyJWTError):
        return ("invalid_token", "The identity provider's sign-in token is not valid.")
    if error == "cancelled":
        return ("cancelled", "Sign-in was cancelled at the identity provider.")
    return (
        "provider_error",
        "Signing in with your identity provider failed. Try again, or ask an owner to check the "
        "single sign-on settings.",
    )


# --- pages -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    """Ask for the work e-mail and find its organisation; then offer the button that starts
    allauth's sign-in (a POST, so no other site can start one for you)."""
    email = (request.POST.get("email") or "").strip().lower()
    error = ""
    config = None
    if request.method == "POST":
        config = queries.sso_config_for_email(email)
        if config is None:
            error = (
                f"{email or 'That address'} does not belong to an organisation that signs in "
                "with single sign-on. Use your password instead."
            )
    response = render(
        request,
        "sso/start.html",
        {"email": email, "error": error, "config": config},
        status=400 if error else 200,
    )
    if config is not None:
        # The button's form posts here and is redirected to the provider: the page's CSP must
        # let that form go there (form-action applies to redirects too).
        target = config.oidc_discovery_url if config.oidc_ready else config.saml_idp_sso_url
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(target))
        policy = dict(settings.SECURE_CSP)
        policy["form-action"] = [*policy.get("form-action", []), origin]
        response._csp_config = policy  # type: ignore[attr-defined]
    return response


class SsoAwareLoginForm(LockoutAuthenticationForm):
    """The password login, refusing people whose organisation requires single sign-on (its
    owners excepted: their break-glass account)."""

    sso_message: str = ""

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        organization = queries.password_login_refused_by(email)
        if organization is not None:
            self.sso_message = (
                f"{organization.name} signs in with single sign-on: use “Sign in with single "
                "sign-on” below."
            )
            raise ValidationError(self.sso_message, code="sso_required")
        return super().clean()


class SsoAwareLoginView(HuddleLoginView):
    form_class = SsoAwareLoginForm


def saml_finish(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's end of a SAML sign-in, with one more refusal made readable: a response whose
    request is not pending in this session (a replayed assertion, or one Huddle never asked for)
    makes allauth raise ``PermissionDenied``."""
    from allauth.socialaccount.providers.saml.views import finish_acs

    try:
        return finish_acs(request, organization_slug=organization_slug)
    except DjangoPermissionDenied:
        return _refuse(
            request,
            _config(organization_slug),
            "replayed",
            "This sign-in response was already used, or Huddle never asked for it (a replayed "
            "assertion). Start the sign-in again.",
        )
