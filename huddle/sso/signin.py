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
from urllib.parse import urlsplit

import jwt
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from huddle.accounts.login import HuddleLoginView, LockoutAuthenticationForm
from huddle.core.crypto import decrypt
from huddle.core.errors import HuddleError
from huddle.sso import queries, services
from huddle.sso.models import SsoConfig

PROVIDER = "openid_connect"
BACKEND = "django.contrib.auth.backends.ModelBackend"


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
        configs = SsoConfig.objects.select_related("organization").exclude(oidc_client_id="")
        if provider and provider != PROVIDER:
            configs = configs.filter(organization__slug=provider)
        if client_id:
            configs = configs.filter(oidc_client_id=client_id)
        return [_app(config) for config in configs if config.oidc_ready]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        config = _config(sociallogin.account.provider)
        claims = _claims(sociallogin)
        try:
            user = services.sso_sign_in_resolve(
                organization=config.organization if config else None,
                email=str(claims.get("email") or ""),
                email_verified=claims.get("email_verified") in (True, "true", "True"),
                name=str(claims.get("name") or ""),
            )
        except services.SsoRefused as error:
            raise ImmediateHttpResponse(
                _refuse(request, config, error.reason, error.message)
            ) from None
        login(request, user, backend=BACKEND)
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
        reason, message = _explain(error, exception)
        raise ImmediateHttpResponse(_refuse(request, config, reason, message))


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


def _config(provider_id: str | None) -> SsoConfig | None:
    if not provider_id:
        return None
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


def _explain(error: str | None, exception: BaseException | None) -> tuple[str, str]:
    """A reason code and a message people can act on, from what allauth caught."""
    cause = exception.__cause__ if exception is not None else None
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
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.oidc_discovery_url))
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
