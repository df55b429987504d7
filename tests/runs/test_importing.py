"""``huddle runs import``: good, bad and duplicate lines; members created on request."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail

from huddle.accounts.models import Invitation, Membership
from huddle.cli import run
from huddle.runs.models import Run
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


def line(**fields):
    data = {
        "user": "member@acme.test",
        "workflow": None,
        "started_at": "2026-11-02T09:30:00Z",
        "minutes_spent": 20,
        "baseline_minutes": 90,
        "rating": 4,
        "output": "AI text",
        "final_text": "AI text, edited",
        "model": "gpt-5",
    }
    data.update(fields)
    return json.dumps(data)


@pytest.fixture
def jsonl(tmp_path):
    def write(*lines):
        path = tmp_path / "runs.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    return write


def test_good_bad_and_duplicate_lines(member, jsonl, capsys):
    make_workflow(member, title="Launch post", visibility="org")
    path = jsonl(
        line(),
        line(workflow="launch-post", started_at="2026-11-03T10:00:00+01:00"),
        "{not json",
        line(user="ghost@acme.test"),
        line(workflow="no-such-flow"),
        line(rating=9),
        line(started_at="yesterday"),
        line(minutes_spent=None),
        "[1, 2]",
        line(),  # the first line again
    )
    assert run(["runs", "import", path, "--org", "acme", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 2
    assert report["duplicates"] == 1
    assert [(e["line"], e["reason"]) for e in report["errors"]] == [
        (3, "not valid JSON (Expecting property name enclosed in double quotes)"),
        (4, "unknown member ghost@acme.test (use --create-members to add them)"),
        (5, "unknown workflow 'no-such-flow'"),
        (6, "'rating' must be 1 to 5 or null"),
        (7, "'started_at' is not an ISO-8601 date-time: 'yesterday'"),
        (8, "'minutes_spent' is required"),
        (9, "each line must be a JSON object"),
    ]
    imported = Run.objects.order_by("started_at")
    assert [r.mode for r in imported] == ["imported", "imported"]
    assert imported[0].minutes_saved == 70
    assert imported[1].workflow.slug == "launch-post"
    assert imported[0].edit_ratio is not None


def test_reimporting_the_same_file_adds_nothing(member, jsonl, capsys):
    path = jsonl(line(), line(started_at="2026-11-04T09:00:00Z"))
    run(["runs", "import", path, "--org", "acme", "--json"])
    capsys.readouterr()
    run(["runs", "import", path, "--org", "acme", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["duplicates"]) == (0, 2)
    assert Run.objects.count() == 2


def test_create_members_adds_unknown_people_without_writing_to_them(
    org, jsonl, capsys, django_capture_on_commit_callbacks
):
    path = jsonl(
        line(user="new@acme.test"), line(user="new@acme.test", started_at="2026-11-05T09:00:00Z")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run(["runs", "import", path, "--org", "acme", "--create-members", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] == 2
    membership = Membership.objects.get(user__email="new@acme.test")
    assert membership.role == "member"
    assert not membership.user.has_usable_password()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_mails_each_new_member_a_link_to_choose_a_password(
    org, jsonl, capsys, django_capture_on_commit_callbacks
):
    path = jsonl(line(user="new@acme.test"), line(user="other@acme.test"))
    with django_capture_on_commit_callbacks(execute=True):
        code = run(["runs", "import", path, "--org", "acme", "--create-members", "--invite"])
    assert code == 0
    assert "2 member(s) added and invited" in capsys.readouterr().out
    assert sorted(m.to[0] for m in mail.outbox) == ["new@acme.test", "other@acme.test"]
    assert all("/accounts/reset/" in m.body for m in mail.outbox)
    assert Invitation.objects.filter(accepted_at=None).count() == 2


def test_create_members_never_adds_an_existing_account_of_another_organisation(
    org, outsider, jsonl, capsys
):
    usage = jsonl(line(user=outsider.user.email))
    assert run(["runs", "import", usage, "--org", "acme", "--create-members", "--json"]) == 1
    (error,) = json.loads(capsys.readouterr().out)["errors"]
    assert error["reason"] == (
        "outsider@globex.test has a Huddle account but is not a member of acme; "
        "add them with 'huddle user add' or invite them first"
    )
    assert not Membership.objects.filter(organization=org, user=outsider.user).exists()
    assert not Run.objects.exists()


def test_invite_needs_create_members(org, jsonl, capsys):
    assert run(["runs", "import", jsonl(line()), "--org", "acme", "--invite"]) == 2
    assert "--invite only applies with --create-members" in capsys.readouterr().err


def test_a_member_created_by_import_chooses_a_password_from_the_mailed_link(
    org, jsonl, capsys, client, django_capture_on_commit_callbacks
):
    usage = jsonl(line(user="new@acme.test"))
    with django_capture_on_commit_callbacks(execute=True):
        run(["runs", "import", usage, "--org", "acme", "--create-members", "--invite", "--json"])
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body)[1]
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-good-long-passphrase", "new_password2": "a-good-long-passphrase"},
    )
    assert client.login(username="new@acme.test", password="a-good-long-passphrase")
    assert client.get("/o/acme/runs/").status_code == 200


def test_missing_file_and_unknown_org_are_clear_errors(org, capsys, tmp_path):
    assert run(["runs", "import", str(tmp_path / "nope.jsonl"), "--org", "acme"]) == 2
    assert "No such file" in capsys.readouterr().err
    assert run(["runs", "import", str(tmp_path), "--org", "nowhere"]) == 2


def test_plain_output_lists_errors_by_line(member, jsonl, capsys):
    assert run(["runs", "import", jsonl(line(), "oops"), "--org", "acme"]) == 0
    out = capsys.readouterr().out
    assert "Imported 1 run(s); 0 already there; 1 line(s) with errors." in out
    assert "line 2: not valid JSON" in out
