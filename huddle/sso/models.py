"""Provisioning from a company's identity provider (SCIM 2.0): the organisation's token, the
people and groups the provider manages, and the sign-in sessions to end when it deactivates one.

Sits just above ``accounts``: a SCIM user is a membership the provider manages, a SCIM group is
a team.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from huddle.accounts.models import Organization, Role, Team, User
from huddle.core.models import PublicModel

# A group may grant any role but owner: owners are named by hand, and keep the break-glass.
GROUP_ROLES = [(role.value, role.label) for role in Role if role != Role.OWNER]


class ScimToken(PublicModel):
    """The bearer token an identity provider uses for one organisation. Stored as SHA-256."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SCIM token {self.prefix}…"


class ScimUser(PublicModel):
    """A person the identity provider manages in one organisation.

    ``public_id`` is the SCIM ``id``. ``data`` keeps the resource as the provider last sent it
    (less ``id``, ``meta`` and ``groups``), so that it reads back what it wrote; the columns are
    what Huddle acts on. An inactive one has no membership (and so no access) until reactivated.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_users"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scim_identities")
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="scim_user_once"),
            models.UniqueConstraint(
                "organization", Lower("user_name"), name="scim_user_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(PublicModel):
    """A group of the identity provider: it is one team of the organisation, and may grant a
    role to its members (``role``, set by an owner on the SSO page; blank grants none)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scim_groups"
    )
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="scim_group")
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=16, choices=GROUP_ROLES, blank=True)
    members = models.ManyToManyField(ScimUser, blank=True, related_name="groups")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["", *(value for value, _ in GROUP_ROLES)]),
                name="scim_group_role_valid",
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class MemberAttributes(models.Model):
    """Where a person sits in the company, as the identity provider says: department (and the
    enterprise extension's division and cost center) and region. Insights divide by them.

    One row per person and organisation. SCIM writes every field on each create, PUT and PATCH
    (it is the full truth); a SAML or OIDC sign-in fills only the fields its assertion carries.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="member_attributes"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="member_attributes")
    department = models.CharField(max_length=255, blank=True)
    division = models.CharField(max_length=255, blank=True)
    cost_center = models.CharField(max_length=255, blank=True)
    region = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS = ("department", "division", "cost_center", "region")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="member_attributes_once")
        ]
        indexes = [
            models.Index(fields=["organization", "department"]),
            models.Index(fields=["organization", "region"]),
        ]

    def __str__(self) -> str:
        return f"attributes of {self.user_id}"


class SignedInSession(models.Model):
    """Which session keys belong to whom, so that deactivating a person ends their sessions at
    once without decoding every session in the store."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of {self.user_id}"


class SessionsEnded(models.Model):
    """When a person's sessions were last ended (``sessions.sessions_end``): a session started
    before sessions were recorded is signed out at its next request when there is such a row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"sessions of {self.user_id} ended at {self.at}"


class SsoConfig(PublicModel):
    """How an organisation signs in with its identity provider (OpenID Connect or SAML).

    The client secret is stored Fernet-encrypted (``core.crypto``, as provider API keys are);
    pages show whether one is set, never the secret. ``sso_required``: people whose e-mail domain
    is mapped to the organisation cannot sign in with a password, except its owners (their
    break-glass account). allauth's calls to the issuer go through ``core.http``'s outbound
    client (``sso.outbound``), never to a private address unless ``oidc_private_network``.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sso_config"
    )
    oidc_discovery_url = models.URLField(max_length=500, blank=True)
    oidc_client_id = models.CharField(max_length=255, blank=True)
    oidc_secret_encrypted = models.TextField(blank=True)
    # The owner says the issuer lives on the company's private network: only the discovery URL's
    # host:port may then resolve to a private address (core.http's allow-list, as for providers).
    oidc_private_network = models.BooleanField(default=False)
    # SAML: what the owner's IdP metadata said (the metadata itself is kept as pasted).
    saml_metadata = models.TextField(blank=True)
    saml_idp_entity_id = models.CharField(max_length=500, blank=True)
    saml_idp_sso_url = models.URLField(max_length=500, blank=True)
    saml_idp_x509cert = models.TextField(blank=True)
    sso_required = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"SSO of {self.organization}"

    @property
    def saml_ready(self) -> bool:
        return bool(self.saml_idp_entity_id and self.saml_idp_sso_url and self.saml_idp_x509cert)

    @property
    def ready(self) -> bool:
        return self.oidc_ready or self.saml_ready

    @property
    def oidc_ready(self) -> bool:
        return bool(self.oidc_discovery_url and self.oidc_client_id)


class SsoDomain(PublicModel):
    """An e-mail domain that belongs to one organisation: its people sign in by its SSO, and an
    SSO sign-in may link an existing account only through a verified address of such a domain."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sso_domains"
    )
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
