"""``huddle org``, ``huddle user`` and ``huddle token``: the operator's commands on the host."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.text import Text

from huddle.cli_support import Json, Org, console, fail, member_of, organization_by_slug, to_json

org_app = typer.Typer(help="Organisations.", no_args_is_help=True)
user_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
token_app = typer.Typer(
    help="API tokens and connected AI apps: create, list, revoke.", no_args_is_help=True
)


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
    console.print(
        Text.assemble(
            "Created organisation ", (organization.slug, "bold"), f" ({organization.name})."
        )
    )


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


# The member the access commands act as: an admin or owner (a member may revoke only their own).
Acting = Annotated[
    str | None,
    typer.Option("--user", help="Email of the member acting (default: the first owner)."),
]


def _acting(org: str, user: str | None) -> Any:
    from huddle.accounts.policy import Actor

    return Actor(member_of(organization_by_slug(org), user, owner_by_default=True))


@token_app.command("list")
def token_list(org: Org, user: Acting = None, as_json: Json = False) -> None:
    """Every member's working API tokens and connected AI apps (as Settings shows admins)."""
    from huddle.accounts import queries

    access = queries.organization_access(_acting(org, user))
    if as_json:
        typer.echo(to_json(access))
        return
    # One line each, the id first and whole (what revoke and disconnect take).
    tokens, apps = access["tokens"], access["connections"]
    console.print(f"API tokens ({len(tokens)}):" if tokens else "No working API tokens.")
    for t in tokens:
        used = f"{t['last_used_at']:%Y-%m-%d %H:%M}" if t["last_used_at"] else "never"
        console.print(
            f"  {t['id']}  {t['name']} ({t['prefix']}…)  {t['member']}  "
            f"created {t['created_at']:%Y-%m-%d}, last used {used}",
            soft_wrap=True,
        )
    console.print(f"Connected AI apps ({len(apps)}):" if apps else "No connected AI apps.")
    for c in apps:
        console.print(
            f"  {c['id']}  {c['app']}  {c['member']}  connected {c['granted_at']:%Y-%m-%d %H:%M}",
            soft_wrap=True,
        )


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (huddle token list).")],
    org: Org,
    user: Acting = None,
) -> None:
    """Revoke a member's API token; it stops working at once."""
    from huddle.accounts import policy, services

    actor = _acting(org, user)
    token = policy.get_api_token(actor, token_id)
    services.token_revoke(actor=actor, token=token)
    console.print(f"Revoked {token.user.email}'s token {token.name}; it stops working at once.")


@token_app.command("disconnect")
def token_disconnect(
    connection_id: Annotated[int, typer.Argument(help="The connection's id (huddle token list).")],
    org: Org,
    user: Acting = None,
) -> None:
    """Disconnect a member's connected AI app; its access stops working at once."""
    from huddle.accounts import oauth, policy

    actor = _acting(org, user)
    connection = policy.get_oauth_connection(actor, connection_id)
    name = connection.application.name if connection.application else "The app"
    oauth.connection_revoke(actor=actor, token=connection)
    console.print(f"Disconnected {connection.user.email}'s {name}; its access stops at once.")
