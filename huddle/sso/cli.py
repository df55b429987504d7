"""``huddle sso``: the operator's commands for an organisation's single sign-on, on the host.

Owners map only the domain of their own address on the SSO page; the operator maps any domain
here (``huddle sso domain add``), through the same service and with the same event.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from huddle.cli_support import Json, Org, console, explained, fail, organization_by_slug

sso_app = typer.Typer(help="Single sign-on and provisioning.", no_args_is_help=True)
domain_app = typer.Typer(help="E-mail domains mapped to an organisation.", no_args_is_help=True)
sso_app.add_typer(domain_app, name="domain")

Domain = Annotated[str, typer.Argument(help="The e-mail domain, e.g. acme-corp.com.")]


@domain_app.command("add")
def domain_add(domain: Domain, org: Org) -> None:
    """Map a domain to the organisation: its people sign in by the organisation's SSO. Refused
    when another organisation holds it."""
    from huddle.sso import services

    organization = organization_by_slug(org)
    with explained():
        mapped = services.sso_domain_add(actor=None, domain=domain, organization=organization)
    console.print(f"{mapped.domain} now signs in to {organization.slug}.")


@domain_app.command("remove")
def domain_remove(domain: Domain, org: Org) -> None:
    """Unmap a domain from the organisation."""
    from huddle.sso import queries, services

    organization = organization_by_slug(org)
    name = domain.strip().lower().lstrip("@")
    mapped = queries.sso_domains(organization).filter(domain=name).first()
    if mapped is None:
        fail(f"{name} is not mapped to {organization.slug}.")
    services.sso_domain_remove(actor=None, domain=mapped)
    console.print(f"{name} is no longer mapped to {organization.slug}.")


@domain_app.command("list")
def domain_list(org: Org, as_json: Json = False) -> None:
    """The domains mapped to the organisation, one a line."""
    from huddle.sso import queries

    organization = organization_by_slug(org)
    domains = list(queries.sso_domains(organization).values_list("domain", flat=True))
    if as_json:
        typer.echo(json.dumps(domains))
    elif not domains:
        console.print(f"No domain is mapped to {organization.slug}.")
    else:
        for name in domains:
            typer.echo(name)


@sso_app.command("status")
def status(org: Org, as_json: Json = False) -> None:
    """How the organisation signs in: OIDC and SAML settings (never the secret), SSO required,
    mapped domains, the SCIM token and how many people and groups it provisioned."""
    from huddle.sso import queries

    summary = queries.sso_status(organization_by_slug(org))
    if as_json:
        typer.echo(json.dumps(summary, sort_keys=True))
        return
    for line in _status_lines(summary):
        console.print(line, soft_wrap=True)


def _status_lines(summary: dict[str, Any]) -> list[str]:
    oidc, saml, scim = summary["oidc"], summary["saml"], summary["scim"]
    lines = [f"Organisation: {summary['organization']}"]
    if oidc:
        private = ", private network" if oidc["private_network"] else ""
        secret = "secret set" if oidc["secret_set"] else "no secret"
        lines.append(
            f"OIDC: {oidc['discovery_url']} (client {oidc['client_id']}, {secret}{private})"
        )
    else:
        lines.append("OIDC: not configured")
    lines.append(
        f"SAML: {saml['entity_id']} ({saml['sso_url']})" if saml else "SAML: not configured"
    )
    lines.append(f"SSO required: {'yes' if summary['sso_required'] else 'no'}")
    lines.append(f"Domains: {', '.join(summary['domains']) or 'none'}")
    if scim["token"]:
        used = scim["token"]["last_used_at"] or "never"
        lines.append(f"SCIM token: {scim['token']['prefix']}… (last used {used})")
    else:
        lines.append("SCIM token: none (provisioning is off)")
    lines.append(
        f"Provisioned: {scim['people']['active']} active, {scim['people']['inactive']} "
        f"deactivated, {scim['groups']} groups"
    )
    return lines
