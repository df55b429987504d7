"""Reads for the single sign-on page, always inside one organisation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from huddle.accounts.models import Membership, Organization, Role
from huddle.core.errors import NotFound
from huddle.sso.models import ScimGroup, ScimToken, ScimUser, SsoConfig, SsoDomain


def active_scim_token(organization: Organization) -> ScimToken | None:
    return ScimToken.objects.filter(organization=organization, revoked_at=None).first()


def scim_token(organization: Organization, public_id: str | UUID) -> ScimToken:
    token = ScimToken.objects.filter(organization=organization, public_id=public_id).first()
    if token is None:
        raise NotFound()
    return token


def scim_groups(organization: Organization) -> QuerySet[ScimGroup]:
    return (
        ScimGroup.objects.filter(organization=organization)
        .select_related("team")
        .annotate(member_count=Count("members", filter=Q(members__active=True)))
        .order_by("display_name")
    )


def scim_group(organization: Organization, public_id: str | UUID) -> ScimGroup:
    group = ScimGroup.objects.filter(organization=organization, public_id=public_id).first()
    if group is None:
        raise NotFound()
    return group


def scim_people_counts(organization: Organization) -> dict[str, int]:
    counts = ScimUser.objects.filter(organization=organization).aggregate(
        on=Count("pk", filter=Q(active=True)), off=Count("pk", filter=Q(active=False))
    )
    return {"active": counts["on"] or 0, "inactive": counts["off"] or 0}


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def sso_config(organization: Organization) -> SsoConfig | None:
    return SsoConfig.objects.filter(organization=organization).first()


def sso_domains(organization: Organization) -> QuerySet[SsoDomain]:
    return SsoDomain.objects.filter(organization=organization)


def sso_config_for_email(email: str) -> SsoConfig | None:
    """The single sign-on of the organisation the address's domain is mapped to, if it has
    OpenID Connect or SAML configured."""
    domain = SsoDomain.objects.filter(domain=_domain_of(email)).first()
    if domain is None:
        return None
    config = (
        SsoConfig.objects.select_related("organization")
        .filter(organization_id=domain.organization_id)
        .first()
    )
    return config if config is not None and config.ready else None


def password_login_refused_by(email: str) -> Organization | None:
    """The organisation that forbids this address a password login (its domain is mapped there
    and SSO is required), or None. Owners of that organisation keep their password."""
    config = sso_config_for_email(email)
    if config is None or not config.sso_required:
        return None
    is_owner = Membership.objects.filter(
        organization=config.organization, user__email__iexact=email, role=Role.OWNER
    ).exists()
    return None if is_owner else config.organization


def sso_domain(organization: Organization, public_id: str | UUID) -> SsoDomain:
    domain = SsoDomain.objects.filter(organization=organization, public_id=public_id).first()
    if domain is None:
        raise NotFound()
    return domain


def sso_status(organization: Organization) -> dict[str, Any]:
    """What ``huddle sso status`` shows: the sign-in settings (whether a secret is set, never
    the secret), the mapped domains and the state of provisioning."""
    config = sso_config(organization)
    token = active_scim_token(organization)
    return {
        "organization": organization.slug,
        "oidc": {
            "discovery_url": config.oidc_discovery_url,
            "client_id": config.oidc_client_id,
            "secret_set": bool(config.oidc_secret_encrypted),
            "private_network": config.oidc_private_network,
        }
        if config is not None and config.oidc_ready
        else None,
        "saml": {"entity_id": config.saml_idp_entity_id, "sso_url": config.saml_idp_sso_url}
        if config is not None and config.saml_ready
        else None,
        "sso_required": bool(config and config.sso_required),
        "domains": list(sso_domains(organization).values_list("domain", flat=True)),
        "scim": {
            "token": {
                "prefix": token.prefix,
                "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            }
            if token is not None
            else None,
            "people": scim_people_counts(organization),
            "groups": ScimGroup.objects.filter(organization=organization).count(),
        },
    }
