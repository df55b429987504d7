"""Every write of single sign-on and provisioning, by responsibility:

- ``provisioning``: the organisation's SCIM token, and the people and groups an identity
  provider creates, changes, deactivates and deletes;
- ``config``: how an organisation signs in (OIDC issuer, SAML IdP, mapped domains);
- ``signin``: which account an SSO sign-in is for, and its refusals;
- ``attributes``: where a person sits in the company (department, region …);
- ``errors``: ``Conflict`` and ``SsoRefused``.

Keyword-only and transactional; each records an ``Event``. Import them from here.
"""

from __future__ import annotations

from huddle.sso.services.attributes import member_attributes_set
from huddle.sso.services.config import (
    sso_config_save,
    sso_domain_add,
    sso_domain_remove,
    sso_saml_save,
)
from huddle.sso.services.errors import Conflict, SsoRefused
from huddle.sso.services.provisioning import (
    TOKEN_KIND,
    Person,
    scim_group_create,
    scim_group_delete,
    scim_group_set_role,
    scim_group_update,
    scim_token_authenticate,
    scim_token_create,
    scim_token_revoke,
    scim_user_create,
    scim_user_delete,
    scim_user_update,
)
from huddle.sso.services.signin import sso_refusal_record, sso_sign_in_resolve

__all__ = [
    "TOKEN_KIND",
    "Conflict",
    "Person",
    "SsoRefused",
    "member_attributes_set",
    "scim_group_create",
    "scim_group_delete",
    "scim_group_set_role",
    "scim_group_update",
    "scim_token_authenticate",
    "scim_token_create",
    "scim_token_revoke",
    "scim_user_create",
    "scim_user_delete",
    "scim_user_update",
    "sso_config_save",
    "sso_domain_add",
    "sso_domain_remove",
    "sso_refusal_record",
    "sso_saml_save",
    "sso_sign_in_resolve",
]
