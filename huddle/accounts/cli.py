"""``huddle org``, ``huddle user`` and ``huddle token``: the operator's commands on the host."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from huddle.cli_support import Org, console, fail, organization_by_slug

org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
user_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="Short name used in addresses, e.g. acme.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    owner: Annotated[
        str | None, typer.Option("--owner", help="Email of an existing user to make owner.")
    ] = None,
) -> None:
    """Create an organisation."""
    from huddle.accounts import queries, services

    creator = None
    if owner:
        creator = queries.user_by_email(owner)
        if creator is None:
            fail(f"No user {owner}; add them first with: huddle user add {owner} --org …")
    organization = services.organization_create(creator=creator, slug=slug, name=name)
    console.print(f"Created organisation [bold]{organization.slug}[/] ({organization.name}).")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The person's email; they log in with it.")],
    org: Org,
    role: Annotated[
        str, typer.Option("--role", help="owner, admin, editor, member or viewer.")
    ] = "member",
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a person to an organisation (creating their account if needed), or change their role."""
    from huddle.accounts import queries, services

    organization = organization_by_slug(org)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin was given but standard input held no password.")
    user = queries.user_by_email(email)
    created = user is None
    if user is None:
        user = services.user_create(email=email, password=password, name=name)
    elif password is not None:
        fail(f"{user.email} already has an account; they can change their password in Settings.")
    membership = services.membership_add(
        actor=None, organization=organization, user=user, role=role
    )
    what = "Created and added" if created else "Added"
    console.print(f"{what} {user.email} to {organization.slug} as {membership.role}.")
    if created and password is None:
        console.print("No password set: they can choose one with 'Forgot your password?'.")


@token_app.command("create")
def token_create(
    org: Org,
    user: Annotated[str, typer.Option("--user", help="Email of the member the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
) -> None:
    """Create a personal API token and print it (it is shown only this once)."""
    from huddle.accounts import queries, services
    from huddle.accounts.policy import Actor

    organization = organization_by_slug(org)
    membership = queries.membership_by_email(organization, user)
    if membership is None:
        fail(f"{user} is not a member of {organization.slug}.")
    _token, raw = services.token_create(actor=Actor(membership), name=name)
    # Only the token on stdout, so `TOKEN=$(huddle token create …)` works.
    typer.echo(raw)
