"""Forms for the owner's single sign-on page. The services check what the values mean (an
https issuer, the owner's own domain, usable SAML metadata); the forms check their shape."""

from __future__ import annotations

from django import forms

from huddle.sso.models import GROUP_ROLES

# Real IdP metadata is a few kilobytes (a large federation's, a few hundred); past this it is
# not one provider's metadata.
MAX_METADATA_CHARS = 1_000_000


class GroupRoleForm(forms.Form):
    """The role a pushed group grants; empty for none (owner is never one of them)."""

    role = forms.ChoiceField(choices=[("", "No role"), *GROUP_ROLES], required=False)


class OidcForm(forms.Form):
    """The OpenID Connect issuer; both empty turns sign-in by the provider off."""

    discovery_url = forms.CharField(max_length=500, required=False, label="Discovery URL")
    client_id = forms.CharField(max_length=255, required=False, label="Client ID")
    # Empty keeps the stored secret.
    client_secret = forms.CharField(max_length=1000, required=False, label="Client secret")
    private_network = forms.BooleanField(required=False)
    sso_required = forms.BooleanField(required=False)


class DomainForm(forms.Form):
    domain = forms.CharField(
        max_length=253,
        label="Domain",
        error_messages={"required": "Give the part after @, e.g. example.com."},
    )


class SamlForm(forms.Form):
    """The identity provider's metadata XML; empty turns SAML off."""

    saml_metadata = forms.CharField(
        max_length=MAX_METADATA_CHARS, required=False, label="Identity provider metadata"
    )
