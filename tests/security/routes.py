"""The route inventory (Django's URL resolver and the OpenAPI schema) and the matrix that says how
to aim each route at an organisation's objects.

``PAGES`` and ``API`` map every route to a builder ``ids -> path kwargs`` (ids of the target
organisation, see ``seed.World.ids``); ``EXCLUDED`` lists the routes left out, each with why. The
meta-test in ``test_inventory.py`` fails when a route appears in neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

Ids = dict[str, Any]


@dataclass(frozen=True)
class PageRoute:
    name: str
    pattern: str
    converters: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str


def page_routes() -> list[PageRoute]:
    """Every named page route, walking includes; the API namespace is left to ``api_operations``."""
    found: list[PageRoute] = []

    def converters_of(item: URLPattern | URLResolver) -> tuple[str, ...]:
        return tuple(type(c).__name__ for c in getattr(item.pattern, "converters", {}).values())

    def walk(patterns: list, prefix: str, namespace: str, converters: tuple[str, ...]) -> None:
        for item in patterns:
            here = converters + converters_of(item)
            if isinstance(item, URLResolver):
                ns = item.namespace or namespace
                walk(item.url_patterns, prefix + str(item.pattern), ns, here)
            elif isinstance(item, URLPattern):
                name = f"{namespace}:{item.name}" if namespace and item.name else item.name
                pattern = prefix + str(item.pattern)
                found.append(PageRoute(name or f"<unnamed {pattern}>", pattern, here))

    walk(get_resolver().url_patterns, "/", "", ())
    return [r for r in found if not r.name.startswith("api:")]


def api_operations() -> list[Operation]:
    from huddle.api import api

    schema = api.get_openapi_schema()
    return [
        Operation(method.upper(), path, op["operationId"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


# --- pages: route name -> kwargs besides org_slug ----------------------------------------------


def _none(ids: Ids) -> dict[str, Any]:
    return {}


def _wf(ids: Ids) -> dict[str, Any]:
    return {"workflow_slug": ids["workflow_slug"]}


PAGES: dict[str, Callable[[Ids], dict[str, Any]]] = {
    # accounts
    "organization_home": _none,
    "organization_settings": _none,
    "tokens": _none,
    "token_revoke": lambda i: {"token_id": i["token"]},
    "connection_revoke": lambda i: {"token_id": i["oauth_token"]},
    "access": _none,
    "access_token_revoke": lambda i: {"token_id": i["token"]},
    "access_connection_revoke": lambda i: {"token_id": i["oauth_token"]},
    "members": _none,
    "member_role": lambda i: {"member_id": i["member"]},
    "member_remove": lambda i: {"member_id": i["member"]},
    "invitation_revoke": lambda i: {"invitation_id": i["invitation"]},
    "teams": _none,
    "team": lambda i: {"team_id": i["team"]},
    "team_delete": lambda i: {"team_id": i["team"]},
    "activity": _none,
    # single sign-on and provisioning
    "sso_settings": _none,
    "scim_token_create": _none,
    "scim_token_revoke": lambda i: {"token_id": i["scim_token"]},
    "scim_group_role": lambda i: {"group_id": i["scim_group"]},
    "sso_oidc_save": _none,
    "sso_saml_save": _none,
    "sso_domain_add": _none,
    "sso_domain_remove": lambda i: {"domain_id": i["sso_domain"]},
    # library
    "library_index": _none,
    "workflow_new": _none,
    "workflow_new_paste": _none,
    "workflow_validate": _none,
    "workflow_detail": _wf,
    "workflow_render": _wf,
    "workflow_edit": _wf,
    "workflow_assembly": _wf,
    "workflow_diff": _wf,
    "workflow_version": lambda i: {**_wf(i), "number": 1},
    "workflow_rollback": lambda i: {**_wf(i), "number": 1},
    "workflow_publish": _wf,
    "workflow_endorse": _wf,
    "workflow_archive": _wf,
    "workflow_fork": _wf,
    "workflow_star": _wf,
    # runs and providers
    "run_manual": _wf,
    "run_direct_start": _wf,
    "runs_index": _none,
    "run_direct": lambda i: {"run_id": i["run"]},
    "run_direct_step": lambda i: {"run_id": i["run"], "index": 0},
    "run_detail": lambda i: {"run_id": i["run"]},
    "run_rate": lambda i: {"run_id": i["run"]},
    "providers": _none,
    "provider_edit": lambda i: {"provider_id": i["provider"]},
    "provider_test": lambda i: {"provider_id": i["provider"]},
    "provider_delete": lambda i: {"provider_id": i["provider"]},
    # brand
    "brand_check": _none,
    # insights
    "insights_overview": _none,
    "insights_members": _none,
    "insights_member": lambda i: {"membership_id": i["member"]},
    "insights_me": _none,
    "insights_workflows": _none,
    "insights_flow": _none,
    "insights_phases": _none,
    "insights_settings": _none,
    "insights_spotlight": _none,
    "insights_nudge": lambda i: {"workflow_id": i["workflow"]},
    # context
    "context_index": _none,
    "context_new": lambda i: {"kind": "other"},
    "context_packs": _none,
    "context_pack": lambda i: {"pack_id": i["pack"]},
    "context_pack_download": lambda i: {"pack_id": i["pack"], "fmt": "md"},
    "context_pack_delete": lambda i: {"pack_id": i["pack"]},
    "context_asset": lambda i: {"asset_id": i["asset"]},
    "context_edit": lambda i: {"asset_id": i["asset"]},
    "context_versions": lambda i: {"asset_id": i["asset"]},
    "context_approve": lambda i: {"asset_id": i["asset"]},
    "context_archive": lambda i: {"asset_id": i["asset"]},
    "context_sharing": lambda i: {"asset_id": i["asset"]},
    "context_preview": lambda i: {"asset_id": i["asset"]},
    "context_table_csv": lambda i: {"asset_id": i["asset"]},
    "context_upload_job": lambda i: {"job_id": i["upload_job"]},
    # captures and imports
    "capture_index": _none,
    "capture_new": _none,
    "capture_detail": lambda i: {"capture_id": i["capture"]},
    "capture_edit": lambda i: {"capture_id": i["capture"]},
    "capture_share": lambda i: {"capture_id": i["capture"]},
    "capture_delete": lambda i: {"capture_id": i["capture"]},
    "capture_promote": lambda i: {"capture_id": i["capture"]},
    "capture_promote_preview": lambda i: {"capture_id": i["capture"]},
    "import_new": _none,
    "import_job": lambda i: {"job_id": i["job"]},
    "pattern_index": _none,
    "pattern_mine": _none,
    "pattern_mining": lambda i: {"job_id": i["mining"]},
    "pattern_detail": lambda i: {"pattern_id": i["pattern"]},
    "pattern_promote": lambda i: {"pattern_id": i["pattern"]},
    # usage reports
    "usage_imports": _none,
    "usage_import": lambda i: {"import_id": i["usage_import"]},
    # rituals
    "wins_index": _none,
    "win_nominate": _none,
    "win_vote": lambda i: {"win_id": i["win"]},
    "win_choose": lambda i: {"win_id": i["win"]},
    "ritual_settings": _none,
    "digest_current": _none,
    "digest_detail": lambda i: {"week": i["week"]},
    "digest_send": lambda i: {"week": i["week"]},
    "delivery_retry": lambda i: {"week": i["week"], "delivery_id": i["delivery"]},
    "asks_index": _none,
    "ask_solve_link": lambda i: {"token": "not-a-real-token"},
    "ask_answer": lambda i: {"ask_id": i["ask"]},
    "ask_solve": lambda i: {"ask_id": i["ask"]},
}

# Routes outside any organisation: they hold nothing of a tenant, or are tested elsewhere.
EXCLUDED: dict[str, str] = {
    "home": "lists only the visitor's own organisations (tests/accounts/test_views.py)",
    "healthz": "no data, public on purpose",
    "login": "public; lockout in tests/core/test_ratelimit.py",
    "logout": "ends one's own session",
    "password_change": "one's own account",
    "password_change_done": "static page",
    "password_reset": "public; same answer for known and unknown addresses (Django)",
    "password_reset_done": "static page",
    "password_reset_confirm": "Django's signed token",
    "password_reset_complete": "static page",
    "organization_new": "creates a new organisation, touches no existing one",
    "invitation_accept": "a secret token is the access (tests/accounts/test_views.py)",
    "<unnamed /^api/>": "the 404 catch-all under /api/",
    "sso_start": "public: finds the organisation of an e-mail domain (tests/sso/test_oidc.py)",
    "openid_connect_login": "allauth's OIDC start; the organisation's slug names a public "
    "sign-in, nothing of it is shown (tests/sso/test_oidc.py)",
    "sso_oidc_login": "the same URL as openid_connect_login, an unreachable issuer refused "
    "readably (tests/sso/test_outbound.py)",
    "openid_connect_callback": "allauth's OIDC callback, bound to the session's state "
    "(tests/sso/test_oidc.py)",
    "sso_oidc_callback": "the same URL as openid_connect_callback, keeping the ID token for the "
    "provider's logout (tests/sso/test_oidc.py)",
    "saml_login": "allauth's SAML start for an organisation's public sign-in "
    "(tests/sso/test_saml.py)",
    "saml_acs": "allauth's SAML assertion consumer: a signed response is the access "
    "(tests/sso/test_saml.py)",
    "saml_finish_acs": "allauth's end of the SAML sign-in, bound to the session's pending "
    "request (tests/sso/test_saml.py)",
    "sso_saml_finish": "the same URL as saml_finish_acs, refusing replays readably "
    "(tests/sso/test_saml.py)",
    "saml_sls": "SAML single logout of one's own session",
    "saml_metadata": "Huddle's public SP metadata for an organisation's sign-in",
    "scim": "SCIM 2.0: the bearer token names the organisation; every operation with another "
    "organisation's token and ids in tests/security/test_isolation_scim.py",
    "mcp": "the MCP server: bearer tokens only, every method aimed at the other organisation "
    "(tests/security/test_mcp_isolation.py)",
    # OAuth for /mcp (huddle/mcp/oauth.py): django-oauth-toolkit's endpoints, no organisation's
    # data; the token's organisation in tests/mcp/test_oauth.py.
    "oauth2_provider:oauth-server-metadata": "public RFC 8414 metadata, no data",
    "oauth2_provider:oauth-server-metadata-issuer": "public RFC 8414 metadata, no data",
    "oauth2_provider:oauth-resource-metadata": "public RFC 9728 metadata, no data",
    "oauth2_provider:oauth-resource-metadata-path": "public RFC 9728 metadata, no data",
    "oauth2_provider:authorize": "the consent page: only the signed-in user's own organisations "
    "can be chosen (tests/mcp/test_oauth.py)",
    "oauth2_provider:token": "OAuth token endpoint: a code or refresh token is the access; the "
    "organisation stays the consented one (tests/mcp/test_oauth.py)",
    "oauth2_provider:revoke-token": "RFC 7009 revocation by the client holding the token",
    "oauth2_provider:dcr-register": "open dynamic client registration (RFC 7591): creates a "
    "client, no organisation's data",
    "oauth2_provider:dcr-register-management": "RFC 7592: the client's registration token is "
    "the access",
}

# --- API: operation id -> path kwargs --------------------------------------------------------

API: dict[str, Callable[[Ids], dict[str, Any]]] = {
    "huddle_library_api_get_workflow": lambda i: {"id": i["workflow"]},
    "huddle_library_api_patch_workflow": lambda i: {"id": i["workflow"]},
    "huddle_library_api_endorse_workflow": lambda i: {"id": i["workflow"]},
    "huddle_library_api_list_versions": lambda i: {"id": i["workflow"]},
    "huddle_library_api_create_version": lambda i: {"id": i["workflow"]},
    "huddle_library_api_get_version": lambda i: {"id": i["workflow"], "number": 1},
    "huddle_library_api_render_workflow": lambda i: {"id": i["workflow"]},
    "huddle_library_api_fork_workflow": lambda i: {"id": i["workflow"]},
    "huddle_library_api_star_workflow": lambda i: {"id": i["workflow"]},
    "huddle_library_api_unstar_workflow": lambda i: {"id": i["workflow"]},
    "huddle_runs_api_workflow_run": lambda i: {"workflow_id": i["workflow"]},
    "huddle_context_api_asset_detail": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_asset_archive": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_version_list": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_version_create": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_version_upload": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_version_detail": lambda i: {"asset_id": i["asset"], "number": 1},
    "huddle_context_api_approve": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_render": lambda i: {"asset_id": i["asset"]},
    "huddle_context_api_upload_detail": lambda i: {"job_id": i["upload_job"]},
    "huddle_capture_api_capture_detail": lambda i: {"capture_id": i["capture"]},
    "huddle_capture_api_capture_promote": lambda i: {"capture_id": i["capture"]},
    "huddle_rituals_api_wins_vote": lambda i: {"win_id": i["win"]},
    "huddle_rituals_api_wins_choose": lambda i: {"win_id": i["win"]},
    "huddle_rituals_api_asks_answer": lambda i: {"ask_id": i["ask"]},
    "huddle_rituals_api_asks_solve": lambda i: {"ask_id": i["ask"]},
    "huddle_capture_import_api_import_detail": lambda i: {"job_id": i["job"]},
    "huddle_usage_api_usage_import_detail": lambda i: {"import_id": i["usage_import"]},
    "huddle_accounts_api_access_token_revoke": lambda i: {"token_id": i["token"]},
    "huddle_accounts_api_access_connection_revoke": lambda i: {"connection_id": i["oauth_token"]},
    # The organisation is the token's: these take no id of another tenant in their path. They
    # are checked with a wrong-org token for what they return (canary) and with body references.
    "huddle_accounts_api_me": _none,
    "huddle_accounts_api_stats": _none,
    "huddle_accounts_api_access": _none,
    "huddle_library_api_list_workflows": _none,
    "huddle_library_api_create_workflow": _none,
    "huddle_runs_api_run_create": _none,
    "huddle_runs_api_run_list": _none,
    "huddle_context_api_asset_list": _none,
    "huddle_context_api_asset_create": _none,
    "huddle_context_api_asset_upload": _none,
    "huddle_capture_api_capture_create": _none,
    "huddle_capture_api_capture_list": _none,
    "huddle_brand_api_brand_check": _none,
    "huddle_insights_api_insights": _none,
    "huddle_rituals_api_wins_list": _none,
    "huddle_rituals_api_wins_nominate": _none,
    "huddle_rituals_api_asks_list": _none,
    "huddle_rituals_api_asks_create": _none,
    "huddle_rituals_api_digests_detail": lambda i: {"week": i["week"]},
    "huddle_capture_import_api_import_create": _none,
    "huddle_usage_api_usage_import_create": _none,
    "huddle_usage_api_usage_import_list": _none,
}

API_EXCLUDED: dict[str, str] = {}


def has_object(builder: Callable[[Ids], dict[str, Any]]) -> bool:
    """Does the route point at an object (an id in its path)?"""
    sample = builder(_SAMPLE)
    return any(key not in {"kind", "fmt", "week", "token"} for key in sample)


class _Sample(dict):
    def __missing__(self, key: str) -> str:
        return "x"


_SAMPLE: Ids = _Sample()
