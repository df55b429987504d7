from django.urls import path, re_path

from huddle.sso import views
from huddle.sso.scim.endpoint import scim_view

scim_patterns = [
    re_path(r"^(?P<path>.*)$", scim_view, name="scim"),
]

org_patterns = [
    path("settings/sso/", views.sso_settings, name="sso_settings"),
    path("settings/sso/scim-token/", views.scim_token_create, name="scim_token_create"),
    path(
        "settings/sso/scim-token/<uuid:token_id>/revoke/",
        views.scim_token_revoke,
        name="scim_token_revoke",
    ),
    path("settings/sso/oidc/", views.oidc_save, name="sso_oidc_save"),
    path("settings/sso/saml/", views.saml_save, name="sso_saml_save"),
    path("settings/sso/domains/", views.domain_add, name="sso_domain_add"),
    path(
        "settings/sso/domains/<uuid:domain_id>/remove/",
        views.domain_remove,
        name="sso_domain_remove",
    ),
    path("settings/sso/groups/<uuid:group_id>/role/", views.group_role, name="scim_group_role"),
]
