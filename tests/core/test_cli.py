"""The ``huddle`` command, run in-process as ``huddle.cli.run`` (what the console script calls)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from huddle.accounts.models import ApiToken, Membership, Organization, User
from huddle.accounts.services import token_authenticate
from huddle.cli import run
from huddle.cli_support import console
from huddle.demo import DEMO_PASSWORD, DEMO_PEOPLE
from huddle.library import services
from huddle.library.models import Workflow
from huddle.runs.models import Run

pytestmark = pytest.mark.django_db


def test_help_lists_the_commands(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    commands = ("migrate", "serve", "worker", "rollup", "stats", "demo", "org", "user", "token")
    for command in commands:
        assert command in out


@pytest.mark.parametrize("group", ["org", "user", "token"])
def test_every_group_has_help(capsys, group):
    assert run([group, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_org_create_then_user_add_with_a_password_from_stdin(capsys, monkeypatch):
    assert run(["org", "create", "northwind", "--name", "Northwind Traders"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    code = run(
        [
            "user",
            "add",
            "Ann@Northwind.test",
            "--org",
            "northwind",
            "--role",
            "admin",
            "--password-stdin",
        ]
    )
    assert code == 0
    user = User.objects.get(email="ann@northwind.test")
    assert user.check_password("a-long-enough-passphrase")
    assert Membership.objects.get(user=user).role == "admin"
    assert "Created and added ann@northwind.test to northwind as admin" in capsys.readouterr().out


def test_user_add_again_changes_the_role(org, member, capsys):
    assert run(["user", "add", member.user.email, "--org", "acme", "--role", "editor"]) == 0
    member.membership.refresh_from_db()
    assert member.membership.role == "editor"


def test_errors_are_one_line_on_stderr_with_exit_2(org, capsys):
    assert run(["user", "add", "not-an-email", "--org", "acme"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "Error: not-an-email is not a valid email address."
    assert "Traceback" not in err


def test_unknown_organisation_is_a_clear_error(db, capsys):
    assert run(["stats", "--org", "nowhere", "--json"]) == 2
    assert "No organisation 'nowhere'" in capsys.readouterr().err


def test_bad_role_names_the_choices(org, capsys):
    assert run(["user", "add", "x@acme.test", "--org", "acme", "--role", "boss"]) == 2
    assert "use one of owner, admin, editor, member, viewer" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert run(["stats"]) == 2


def test_token_create_prints_only_a_working_token(org, member, capsys):
    assert run(["token", "create", "--org", "acme", "--user", member.user.email]) == 0
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("hud_")
    assert "\n" not in raw
    actor = token_authenticate(raw)
    assert actor.user == member.user
    assert ApiToken.objects.get(user=member.user).token_hash != raw


def test_token_create_for_a_non_member_fails(org, outsider, capsys):
    assert run(["token", "create", "--org", "acme", "--user", outsider.user.email]) == 2
    assert "is not a member of acme" in capsys.readouterr().err


def test_stats_prints_the_counts_as_json(org, owner, member, capsys):
    assert run(["stats", "--org", "acme", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts == {
        "members": 2,
        "teams": 0,
        "context_assets": 0,
        "context_packs": 0,
        "workflows": 0,
        "runs": 0,
        "captures": 0,
        "wins": 0,
        "asks": 0,
        "conversations": 0,
        "prompts": 0,
        "patterns": 0,
    }


def test_demo_is_idempotent_and_prints_a_working_login(capsys):
    assert run(["demo"]) == 0
    assert run(["demo"]) == 0
    out = capsys.readouterr().out
    assert "olivia@acme.test" in out
    assert DEMO_PASSWORD in out
    acme = Organization.objects.get(slug="acme")
    assert Membership.objects.filter(organization=acme).count() == len(DEMO_PEOPLE)
    roles = set(Membership.objects.filter(organization=acme).values_list("role", flat=True))
    assert roles == {"owner", "admin", "editor", "member", "viewer"}
    assert User.objects.get(email="olivia@acme.test").check_password(DEMO_PASSWORD)
    assert Organization.objects.filter(memberships__user__email="olivia@acme.test").count() == 2
    workflows = Workflow.objects.filter(organization=acme)
    assert workflows.count() == 12
    assert workflows.filter(visibility="private").exists()
    assert workflows.exclude(visibility="private").count() >= 8
    assert len(owners := set(workflows.values_list("owner__email", flat=True))) >= 5, owners
    chain = workflows.get(kind="chain")
    assert len(services.latest_version(chain).steps) == 3
    runs = Run.objects.filter(organization=acme)
    assert runs.count() >= 250
    per_person = dict(runs.values_list("user__email").annotate(n=Count("id")))
    heavy = per_person["erin@acme.test"] + per_person["adam@acme.test"]
    assert heavy > runs.count() / 2  # a few power users do most of the work
    assert per_person["mia@acme.test"] < 10  # and a long tail barely starts
    assert runs.filter(started_at__lt=timezone.now() - timedelta(weeks=11)).exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its database connections
def test_worker_batch_processes_the_queue_and_exits(capsys):
    assert run(["worker", "--batch"]) == 0


@pytest.mark.django_db
def test_a_long_running_worker_starts_the_periodic_tasks_once(monkeypatch):
    """``huddle worker`` queues the ritual's tick, the insights roll-up, the sweep of import jobs
    whose worker stopped, the pruning of rate limits and of abandoned OAuth registrations
    (unless one of each is waiting) before it serves the queues; ``--batch`` (cron, tests)
    queues none."""
    from django_tasks_db.models import DBTaskResult

    from huddle.accounts.tasks import oauth_prune_task
    from huddle.capture.tasks import sweep_task
    from huddle.core import worker
    from huddle.core.tasks import prune_task
    from huddle.insights.tasks import rollup_task
    from huddle.rituals.tasks import tick_task

    served = []
    monkeypatch.setattr(worker, "serve", lambda **options: served.append(options))

    def waiting() -> list[str]:
        ready = DBTaskResult.objects.filter(status="READY")
        return sorted(ready.values_list("task_path", flat=True))

    assert run(["worker", "--batch"]) == 0
    assert waiting() == []
    assert run(["worker"]) == 0
    assert run(["worker"]) == 0  # a second worker starting doubles nothing
    periodic = [rollup_task, tick_task, sweep_task, prune_task, oauth_prune_task]
    assert waiting() == sorted(task.module_path for task in periodic)
    assert served == [{"batch": True}, {"batch": False}, {"batch": False}]


def test_peoples_words_are_printed_as_text_never_as_rich_markup(org, owner, capsys, monkeypatch):
    # A "[/draft]" made Rich raise, so one title broke the listing for everyone; a "[link=…]"
    # printed a hidden hyperlink in the operator's terminal.
    title = "Q3 launch [/draft] [link=https://evil.test]notes[/link]"
    added = run(
        ["workflows", "add", "--org", "acme", "--owner", owner.user.email, "--title", title,
         "--kind", "prompt", "--step", "Write it."]
    )  # fmt: skip
    assert added == 0
    assert run(["capture", "add", "--org", "acme", "--user", owner.user.email, "--title", title,
                "--step", "Summarise it."]) == 0  # fmt: skip
    capsys.readouterr()
    monkeypatch.setattr(console, "width", 250)  # a wide terminal: no title wrapped in its cell
    assert run(["workflows", "list", "--org", "acme"]) == 0
    assert run(["capture", "list", "--org", "acme"]) == 0
    out = capsys.readouterr().out
    assert out.count("[/draft]") == 2
    assert out.count("[link=https://evil.test]notes[/link]") == 2
    assert "\x1b]8;" not in out  # no terminal hyperlink
