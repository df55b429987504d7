"""The ``huddle`` command: runs in-process against the same settings and services as the web app.

Errors print one clear line on stderr and exit with status 2; ``--help`` works everywhere.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from huddle.accounts.cli import org_app, token_app, user_app
from huddle.brand.cli import brand_app
from huddle.capture.cli import capture_app
from huddle.capture.import_cli import import_app, mine_app
from huddle.cli_support import Json, Org, console, err_console, organization_by_slug
from huddle.context.cli import context_app
from huddle.insights.cli import insights, rollup
from huddle.library.cli import workflows_app
from huddle.mcp.stdio import mcp_command
from huddle.rituals.cli import digest_app, wins_app
from huddle.runs.cli import runs_app
from huddle.sso.cli import sso_app
from huddle.usage.cli import usage_app

app = typer.Typer(
    name="huddle",
    help="Huddle: your team's AI know-how, shared. Commands run against HUDDLE_DATABASE_URL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(workflows_app, name="workflows")
app.add_typer(runs_app, name="runs")
app.add_typer(context_app, name="context")
app.add_typer(capture_app, name="capture")
app.add_typer(brand_app, name="brand")
app.command(name="insights")(insights)
app.command(name="rollup")(rollup)
app.add_typer(digest_app, name="digest")
app.add_typer(wins_app, name="wins")
app.add_typer(import_app, name="import")
app.add_typer(mine_app, name="mine")
app.add_typer(usage_app, name="usage")
app.add_typer(sso_app, name="sso")
app.command(name="mcp")(mcp_command)


@app.callback()
def _setup() -> None:
    import django

    django.setup()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
    dev: Annotated[bool, typer.Option("--dev", help="Django's auto-reloading dev server.")] = False,
) -> None:
    """Serve the web app and API (gunicorn; static files served by whitenoise)."""
    from django.core.management import call_command

    if dev:
        call_command("runserver", f"{host}:{port}")
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "huddle.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # Without secret links, and without the requests of anonymous asks (core/accesslog.py).
        "--logger-class",
        "huddle.core.accesslog.AccessLogger",
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    console.print(f"Huddle is serving on http://{host}:{port}/")
    sys.stdout.flush()
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with gunicorn


@app.command()
def worker(
    batch: Annotated[
        bool, typer.Option("--batch", help="Process what is queued, then exit.")
    ] = False,
) -> None:
    """Run the background task worker (imports, pattern mining, digests, webhooks, the insights
    roll-up, housekeeping); it logs and outlasts failures of its queue."""
    from huddle.core.worker import serve

    if not batch:
        from huddle.accounts.tasks import ensure_oauth_prune
        from huddle.core.tasks import ensure_prune, ensure_sweep
        from huddle.insights.tasks import ensure_rollup
        from huddle.rituals.tasks import ensure_tick

        # Periodic work while a worker runs: the ritual's schedule ticks every few minutes, the
        # insights roll-up is caught up for every organisation, jobs whose worker stopped
        # (imports, uploads, usage imports) are swept every minute, and old rate-limit buckets
        # and abandoned OAuth client registrations are pruned every hour.
        ensure_tick()
        ensure_rollup()
        ensure_sweep()
        ensure_prune()
        ensure_oauth_prune()
    serve(batch=batch)


@app.command()
def stats(
    org: Org,
    as_json: Json = False,
) -> None:
    """Counts of an organisation's main objects."""
    from huddle.core.stats import organization_stats

    organization = organization_by_slug(org)
    counts = organization_stats(organization)
    if as_json:
        typer.echo(json.dumps(counts, sort_keys=True))
        return
    from rich.table import Table

    table = Table(title=f"{organization.name} ({organization.slug})")
    table.add_column("objects")
    table.add_column("count", justify="right")
    for name, count in sorted(counts.items()):
        table.add_row(name, str(count))
    console.print(table)


@app.command()
def demo() -> None:
    """Load the demo organisation 'acme' (safe to run again) and print how to log in."""
    from django.conf import settings

    from huddle.demo import load_demo

    login = load_demo()
    console.print(
        Text.assemble(
            "Demo organisation ",
            (login.organization.slug, "bold"),
            f" is ready.\nLog in at {settings.SITE_URL}/ as ",
            (login.owner_email, "bold"),
            " with password ",
            (login.password, "bold"),
        ),
        soft_wrap=True,
    )


@app.command()
def backup(
    out: Annotated[Path, typer.Argument(help="The archive to write (a .zip).")],
    org: Org,
) -> None:
    """Write an organisation (its data and files, no secrets) as one archive."""
    from huddle.backup import backup_write

    organization = organization_by_slug(org)
    manifest = backup_write(organization, out)
    rows = sum(manifest["counts"].values())
    console.print(
        f"Wrote {organization.slug} to {out}: {rows:,} rows, {manifest['users']} people, "
        f"{len(manifest['files'])} files.",
        soft_wrap=True,
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by 'huddle backup'.")],
    as_slug: Annotated[
        str | None,
        typer.Option("--as", help="Slug of the new organisation (default: the original's)."),
    ] = None,
    link_existing_users: Annotated[
        bool,
        typer.Option(
            "--link-existing-users",
            help="People in the archive who already have an account here become members of "
            "the restored organisation with their roles in the archive, owners included "
            "(without it, such an archive is refused, naming them).",
        ),
    ] = False,
) -> None:
    """Restore an archive into a new, empty organisation (nothing is written if it is refused).

    People without an account here get one with no usable password; nobody is made staff."""
    from huddle.backup import backup_restore

    organization, counts = backup_restore(
        archive, slug=as_slug, link_existing_users=link_existing_users
    )
    console.print(f"Restored {organization.slug}: {sum(counts.values()):,} rows.", soft_wrap=True)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status instead of exiting (used by ``main`` and tests)."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError

    from huddle.core.errors import HuddleError

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huddle.settings")
    try:
        # Standalone mode: Typer prints usage errors (exit 2) and always ends in SystemExit.
        app(args=argv, prog_name="huddle")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except (HuddleError, ImproperlyConfigured, CommandError) as error:
        message = error.message if isinstance(error, HuddleError) else str(error)
        err_console.print(f"Error: {message}", soft_wrap=True)
        return 2
    return 0


def main() -> None:
    sys.exit(run())
