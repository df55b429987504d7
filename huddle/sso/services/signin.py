"""The sign-in decision: which account an SSO sign-in is for; refusals recorded."""

from __future__ import annotations

from django.db import transaction

from huddle.accounts import services as accounts
from huddle.accounts.models import Membership, Organization, Role, User
from huddle.accounts.policy import Actor
from huddle.core.services import System, event_record
from huddle.sso.models import (
    ScimUser,
    SsoDomain,
)
from huddle.sso.services.attributes import member_attributes_set
from huddle.sso.services.errors import SsoRefused


@transaction.atomic
def sso_refusal_record(*, organization: Organization, reason: str) -> None:
    """Record a refused SSO sign-in (the person is unknown: no actor)."""
    event_record(System(organization), "sso.refused", reason=reason)


@transaction.atomic
def sso_sign_in_resolve(
    *,
    organization: Organization | None,
    email: str,
    email_verified: bool,
    name: str,
    attributes: dict[str, str] | None = None,
) -> User:
    """The account an SSO sign-in of ``organization`` is for, made or joined if needed.

    Linking is by verified e-mail of a domain mapped to the organisation, never by name: an
    unverified or unmapped address raises ``SsoRefused``. A person without a membership joins as
    a member, unless provisioning deactivated them there. ``attributes`` the assertion carried
    (department, region …) are stored for the member, the fields given only.
    """
    if organization is None:
        raise SsoRefused("unknown_organization", "This sign-in is for no organisation here.")
    email = (email or "").strip().lower()
    domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    if not SsoDomain.objects.filter(organization=organization, domain=domain).exists():
        raise SsoRefused(
            "unmapped_domain",
            f"{email or 'Your address'} is not in a domain of {organization.name}. An owner can "
            "map the domain in the single sign-on settings.",
        )
    if not email_verified:
        raise SsoRefused(
            "unverified_email",
            f"Your identity provider did not confirm that {email} is verified, so Huddle cannot "
            "link it to an account.",
        )
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = accounts.user_create(email=email, password=None, name=name)
    elif not user.is_active:
        raise SsoRefused("inactive_account", "This account is disabled.")
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        if ScimUser.objects.filter(organization=organization, user=user, active=False).exists():
            raise SsoRefused(
                "deactivated",
                f"Your access to {organization.name} was removed by your identity provider.",
            )
        membership = accounts.membership_add(
            actor=None, organization=organization, user=user, role=Role.MEMBER
        )
    changed = member_attributes_set(
        organization=organization, user=user, attributes=attributes or {}, complete=False
    )
    event_record(
        Actor(membership),
        "sso.signed_in",
        user,
        label=email,
        **({"changed": changed} if changed else {}),
    )
    return user
