"""Every ``--json`` command prints JSON alone on standard output: mail written by the console
mailer (the default ``HUDDLE_EMAIL_URL``) and log lines go to standard error."""

from __future__ import annotations

import json

import pytest
from django.core import mail

import huddle.settings as production
from huddle.accounts.models import Membership
from huddle.capture.models import Capture
from huddle.cli import run
from huddle.core.env import env_email
from huddle.demo import load_demo
from huddle.library.models import Workflow
from tests.imports.builders import chatgpt_zip, simple_chat

pytestmark = pytest.mark.django_db

OWNER = "olivia@acme.test"


@pytest.fixture
def console_mail(settings, monkeypatch):
    """The mailer a fresh install has: ``console://``, as the settings build it."""
    monkeypatch.delenv("HUDDLE_EMAIL_URL", raising=False)
    settings.MAILERS = {"default": env_email("HUDDLE_EMAIL_URL", "console://")}


def _json_alone(capsys, argv: list[str], *, code: int = 0) -> tuple[object, str]:
    assert run(argv) == code, argv
    captured = capsys.readouterr()
    try:
        return json.loads(captured.out), captured.err
    except ValueError:
        pytest.fail(f"huddle {' '.join(argv)} printed more than JSON:\n{captured.out[:2000]}")


def _usage(tmp_path, *emails: str) -> str:
    path = tmp_path / "usage.jsonl"
    lines = [
        {"user": email, "started_at": f"2026-11-0{n}T09:00:00Z", "minutes_spent": 5,
         "output": "Draft"}
        for n, email in enumerate(emails, start=1)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


# The command runs outside any transaction, as on a server: mail goes out as each member's
# transaction commits, in the middle of the command.
@pytest.mark.django_db(transaction=True)
def test_runs_import_creating_and_inviting_members_prints_json_alone(
    org, tmp_path, capsys, console_mail
):
    usage = _usage(tmp_path, "p1@acme.test", "p2@acme.test", "p3@acme.test")
    argv = ["runs", "import", usage, "--org", "acme", "--create-members", "--invite", "--json"]
    report, err = _json_alone(capsys, argv)
    assert report == {"imported": 3, "duplicates": 0, "errors": []}
    # The three invitations were written, on standard error.
    assert err.count("Subject: An administrator invited you to Acme Marketing") == 3
    assert Membership.objects.filter(organization=org).count() == 3


@pytest.mark.django_db(transaction=True)
def test_runs_import_does_not_mail_the_members_it_creates_without_invite(
    org, tmp_path, capsys, console_mail
):
    usage = _usage(tmp_path, "p@acme.test")
    _report, err = _json_alone(
        capsys, ["runs", "import", usage, "--org", "acme", "--create-members", "--json"]
    )
    assert "Subject:" not in err
    assert mail.outbox == []


def test_every_json_command_prints_json_alone(tmp_path, capsys, console_mail):
    load_demo()
    workflow = Workflow.objects.filter(organization__slug="acme", visibility="org").first()
    inputs = workflow.versions.order_by("-number").first().inputs
    variables = [arg for spec in inputs for arg in ("--var", f"{spec['name']}=x")]
    text = tmp_path / "post.md"
    text.write_text("Our new product helps marketing teams share what works.\n")
    topics = ["Huddle", "Rituals", "the CRM", "Insights"]
    export = chatgpt_zip(
        tmp_path / "export.zip",
        [simple_chat(f"c{n}", f"Write a post about {t} for CFOs, no emojis") for n, t in
         enumerate(topics)],
    )  # fmt: skip
    library = tmp_path / "library"
    assert run(["workflows", "export", "--org", "acme", "--out", str(library)]) == 0
    capsys.readouterr()
    mine = set(Workflow.objects.filter(owner__email=OWNER).values_list("slug", flat=True))
    for exported in library.iterdir():  # re-import only what the owner may change
        if exported.stem not in mine:
            exported.unlink()

    as_owner = ["--org", "acme", "--user", OWNER, "--json"]
    commands = [
        ["stats", "--org", "acme", "--json"],
        ["token", "list", "--org", "acme", "--json"],
        ["insights", "--org", "acme", "--json"],
        ["context", "list", "--org", "acme", "--json"],
        ["workflows", "list", "--org", "acme", "--json"],
        ["workflows", "render", workflow.slug, *variables, *as_owner],
        ["workflows", "import", str(library), "--org", "acme", "--owner", OWNER, "--dry-run",
         "--json"],
        ["brand", "check", str(text), "--org", "acme", "--json"],
        ["wins", "list", "--org", "acme", "--json"],
        ["digest", "--org", "acme", "--format", "json"],
        ["capture", "add", "--title", "Report", "--step", "Summarise {{ notes }}", *as_owner],
        ["capture", "list", "--org", "acme", "--json"],
        ["import", "chatgpt", str(export), *as_owner],
    ]  # fmt: skip
    for argv in commands:
        _json_alone(capsys, argv)
    capture = Capture.objects.get(title="Report")
    _json_alone(capsys, ["capture", "promote", str(capture.public_id), "--dry-run", *as_owner])
    patterns, _err = _json_alone(capsys, ["mine", *as_owner])
    assert patterns, "the export holds one pattern to promote"
    _json_alone(capsys, ["mine", "promote", patterns[0]["id"], *as_owner])


def test_log_lines_go_to_standard_error():
    handler = production.LOGGING["handlers"]["console"]
    assert handler["class"] == "logging.StreamHandler"
    assert handler.get("stream", "ext://sys.stderr") == "ext://sys.stderr"


def test_the_help_of_runs_import_says_members_are_not_mailed_without_invite(capsys):
    assert run(["runs", "import", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--invite" in out
    assert "without an e-mail" in out


def test_the_console_mailer_writes_to_standard_error(capsys, console_mail):
    mail.send_mail("Hello", "Body", None, ["x@example.test"])
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Subject: Hello" in captured.err
