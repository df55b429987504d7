"""How an organisation signs in: its OpenID Connect issuer, its SAML identity provider, and the
e-mail domains mapped to it (owners on the SSO page, the operator by ``huddle sso domain``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import DomainNameValidator
from django.db import transaction
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from huddle.accounts import policy
from huddle.accounts.models import Organization
from huddle.accounts.policy import Action, Actor
from huddle.core.crypto import EncryptionUnavailable, encrypt
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.http import OutboundBlocked, check_url, host_key
from huddle.core.services import System, event_record
from huddle.sso.models import (
    SsoConfig,
    SsoDomain,
)
from huddle.sso.services.errors import Conflict
from huddle.sso.services.signin import sso_refusal_record


def _local_http(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in {"localhost", "127.0.0.1", "::1"}


@transaction.atomic
def sso_config_save(
    *,
    actor: Actor,
    discovery_url: str,
    client_id: str,
    client_secret: str | None,
    sso_required: bool,
    private_network: bool = False,
) -> SsoConfig:
    """Set the organisation's OpenID Connect issuer (owners only). ``client_secret=None`` keeps
    the stored one; it is stored encrypted. Raises ``ValidationFailed`` for a URL that is not
    HTTPS (plain HTTP only on this machine, for development), for a private, loopback or
    link-local address unless ``private_network`` (the owner says the issuer is on the company's
    network; only that host:port is then allowed one), and when no key can encrypt the secret.
    Every call to the issuer is checked again when it connects (``sso.outbound``)."""
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    discovery_url = discovery_url.strip()
    client_id = client_id.strip()
    if discovery_url and not (
        discovery_url.startswith("https://")
        or (discovery_url.startswith("http://") and _local_http(discovery_url))
    ):
        raise ValidationFailed(
            "The discovery URL must start with https://.",
            fields={"discovery_url": ["Use the issuer's https:// address."]},
        )
    if discovery_url:
        allowed = [host_key(discovery_url)] if private_network else []
        try:
            check_url(discovery_url, allowed)
        except OutboundBlocked as error:
            raise ValidationFailed(
                error.message,
                fields={
                    "discovery_url": [
                        error.message
                        + ' Tick "The identity provider is on our private network" if it is.'
                    ]
                },
            ) from None
    if bool(discovery_url) != bool(client_id):
        raise ValidationFailed(
            "Give both the discovery URL and the client ID (or neither, to turn SSO off).",
            fields={"client_id" if discovery_url else "discovery_url": ["Required."]},
        )
    config, _created = SsoConfig.objects.get_or_create(organization=actor.organization)
    changed = []
    for name, value in (
        ("oidc_discovery_url", discovery_url),
        ("oidc_client_id", client_id),
        ("sso_required", sso_required),
        ("oidc_private_network", private_network and bool(discovery_url)),
    ):
        if getattr(config, name) != value:
            setattr(config, name, value)
            changed.append(name)
    if client_secret:
        try:
            config.oidc_secret_encrypted = encrypt(client_secret.strip())
        except EncryptionUnavailable as error:
            raise ValidationFailed(
                error.message, fields={"client_secret": [error.message]}
            ) from None
        changed.append("client_secret")
    if sso_required and not config.ready:
        raise ValidationFailed(
            "Set up the identity provider before requiring single sign-on.",
            fields={"sso_required": ["Needs a discovery URL and client ID."]},
        )
    config.save()
    event_record(actor, "sso.config_changed", config, changed=changed)
    return config


@transaction.atomic
def sso_domain_add(
    *, actor: Actor | None, domain: str, organization: Organization | None = None
) -> SsoDomain:
    """Map an e-mail domain to an organisation.

    An owner (``actor``) maps to their own organisation, and only the domain of their own
    address. The server's operator (``actor=None``, the ``huddle`` CLI) names the
    ``organization`` and may map any well-formed domain. Either way a domain belongs to one
    organisation at most (``Conflict``): nobody can claim another company's people. Raises
    ``ValidationFailed`` for a domain that is not a host name.
    """
    domain = domain.strip().lower().lstrip("@").rstrip(".")
    if actor is not None:
        policy.require(actor, Action.MANAGE_ORGANIZATION)
        organization = actor.organization
        own = actor.user.email.rsplit("@", 1)[-1].lower()
        if domain != own:
            raise ValidationFailed(
                f"You can map only the domain of your own address ({own}).",
                fields={"domain": [f"Use {own}, or ask an owner whose address is at {domain}."]},
            )
    elif organization is None:
        raise ValidationFailed("Name the organisation to map the domain to.")
    try:
        DomainNameValidator()(domain)
    except DjangoValidationError:
        raise ValidationFailed(
            f"{domain or 'An empty name'} is not an e-mail domain.",
            fields={"domain": ["Give the part after @, e.g. example.com."]},
        ) from None
    if "." not in domain:
        raise ValidationFailed(
            f"{domain} is not an e-mail domain.",
            fields={"domain": ["Give the part after @, e.g. example.com."]},
        )
    holder = SsoDomain.objects.filter(domain=domain).select_related("organization").first()
    if holder is not None:
        if holder.organization_id == organization.pk:
            raise Conflict(f"{domain} is already mapped to {organization.slug}.")
        if actor is None:  # the operator may know which organisation holds it
            raise Conflict(
                f"{domain} is mapped to another organisation, {holder.organization.slug}; remove "
                f"it there first (huddle sso domain remove --org {holder.organization.slug} "
                f"{domain})."
            )
        raise Conflict(f"{domain} is already mapped to an organisation.")
    mapped = SsoDomain.objects.create(organization=organization, domain=domain)
    event_record(actor or System(organization), "sso.domain_added", mapped)
    return mapped


@transaction.atomic
def sso_domain_remove(*, actor: Actor | None, domain: SsoDomain) -> None:
    """Unmap a domain: an owner of its organisation, or the operator (``actor=None``)."""
    if actor is not None:
        policy.require(actor, Action.MANAGE_ORGANIZATION)
        if domain.organization_id != actor.organization.pk:
            raise NotFound()
    event_record(actor or System(domain.organization), "sso.domain_removed", domain)
    domain.delete()


def sso_saml_save(*, actor: Actor, metadata_xml: str) -> SsoConfig:
    """Set the organisation's SAML identity provider from its metadata (owners only); empty
    metadata turns SAML off.

    Metadata that cannot be read, or that names no single sign-on URL or signing certificate,
    raises ``ValidationFailed`` and is recorded as an ``sso.refused`` event (``bad_metadata``)."""
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    metadata_xml = metadata_xml.strip()
    idp: dict[str, Any] = {}
    if metadata_xml:
        try:
            idp = OneLogin_Saml2_IdPMetadataParser.parse(metadata_xml).get("idp", {})
        except Exception:  # noqa: BLE001 - the parser raises anything from lxml to its own errors
            idp = {}
        if not (idp.get("entityId") and idp.get("singleSignOnService", {}).get("url")) or not (
            idp.get("x509cert") or idp.get("x509certMulti", {}).get("signing")
        ):
            sso_refusal_record(organization=actor.organization, reason="bad_metadata")
            raise ValidationFailed(
                "That is not usable SAML metadata: it must be the identity provider's XML "
                "metadata with an entity ID, a single sign-on URL and a signing certificate.",
                fields={"saml_metadata": ["Paste the IdP's metadata XML."]},
            )
    return _saml_store(actor=actor, metadata_xml=metadata_xml, idp=idp)


@transaction.atomic
def _saml_store(*, actor: Actor, metadata_xml: str, idp: dict[str, Any]) -> SsoConfig:
    config, _created = SsoConfig.objects.get_or_create(organization=actor.organization)
    certificate = idp.get("x509cert") or (idp.get("x509certMulti", {}).get("signing") or [""])[0]
    config.saml_metadata = metadata_xml
    config.saml_idp_entity_id = idp.get("entityId", "")
    config.saml_idp_sso_url = idp.get("singleSignOnService", {}).get("url", "")
    config.saml_idp_x509cert = certificate
    if config.sso_required and not config.ready:
        config.sso_required = False
    config.save()
    event_record(
        actor, "sso.config_changed", config, changed=["saml"], entity_id=config.saml_idp_entity_id
    )
    return config
