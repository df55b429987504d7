from django.contrib.auth.views import PasswordResetView
from django.urls import include, path, re_path

from huddle.accounts import views as accounts_views
from huddle.accounts.forms import PasswordLinkForm
from huddle.accounts.urls import org_patterns
from huddle.api import api
from huddle.brand.urls import org_patterns as brand_patterns
from huddle.capture.urls import org_patterns as capture_patterns
from huddle.core import views as core_views
from huddle.insights.urls import org_patterns as insights_patterns
from huddle.library.urls import org_patterns as library_patterns
from huddle.mcp.http import mcp_endpoint
from huddle.rituals.urls import org_patterns as rituals_patterns
from huddle.runs.providers.urls import org_patterns as provider_patterns
from huddle.runs.urls import org_patterns as runs_patterns
from huddle.sso.signin import (
    SsoAwareLoginView,
    oidc_callback,
    oidc_login,
    saml_finish,
    sso_logout,
    sso_start,
)
from huddle.sso.urls import org_patterns as sso_patterns
from huddle.sso.urls import scim_patterns
from huddle.usage.urls import org_patterns as usage_patterns

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", SsoAwareLoginView.as_view(), name="login"),
    path("accounts/sso/", sso_start, name="sso_start"),
    # Before Django's own: the same URL, and after an OIDC sign-in out of the provider too.
    path("accounts/logout/", sso_logout, name="logout"),
    # Before allauth's own: the same URL, with an unreachable issuer refused readably.
    path("sso/oidc/<str:provider_id>/login/", oidc_login, name="sso_oidc_login"),
    # Before allauth's own: the same URL, keeping the ID token for the provider's logout.
    path("sso/oidc/<str:provider_id>/login/callback/", oidc_callback, name="sso_oidc_callback"),
    path("sso/", include("allauth.socialaccount.providers.openid_connect.urls")),
    # Before allauth's own: the same URL, with replayed assertions refused readably.
    path("sso/saml/<str:organization_slug>/acs/finish/", saml_finish, name="sso_saml_finish"),
    path("sso/", include("allauth.socialaccount.providers.saml.urls")),
    # Before Django's own: a reset link also reaches people who never had a password.
    path(
        "accounts/password_reset/",
        PasswordResetView.as_view(form_class=PasswordLinkForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("orgs/new/", accounts_views.organization_new, name="organization_new"),
    path("invite/<str:token>/", accounts_views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("o/<slug:org_slug>/", include(library_patterns)),
    path("o/<slug:org_slug>/", include(runs_patterns)),
    path("o/<slug:org_slug>/", include(brand_patterns)),
    path("o/<slug:org_slug>/", include(insights_patterns)),
    path("o/<slug:org_slug>/", include(usage_patterns)),
    path("o/<slug:org_slug>/context/", include("huddle.context.urls")),
    path("o/<slug:org_slug>/", include(capture_patterns)),
    path("o/<slug:org_slug>/", include(provider_patterns)),
    path("o/<slug:org_slug>/", include(rituals_patterns)),
    path("o/<slug:org_slug>/", include(sso_patterns)),
    path("scim/v2/", include(scim_patterns)),
    path("api/v1/", api.urls),
    path("mcp", mcp_endpoint, name="mcp"),
    # OAuth for /mcp: the .well-known metadata at the root, the endpoints under /oauth/.
    path("", include("huddle.mcp.oauth")),
    re_path(r"^api/", core_views.page_not_found),
]

handler400 = "huddle.core.views.bad_request"
handler404 = "huddle.core.views.page_not_found"
handler403 = "huddle.core.views.permission_denied"
handler500 = "huddle.core.views.server_error"
