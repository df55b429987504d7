"""``huddle capture add / list / promote``, in-process."""

from __future__ import annotations

import json

import pytest

from huddle.capture.models import Capture
from huddle.cli import run
from huddle.library.models import Workflow
from tests.capture.helpers import TWO_EXAMPLES, make_capture

pytestmark = pytest.mark.django_db


def _err(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())


def test_add_with_steps_examples_and_minutes(member, capsys):
    code = run(
        [
            "capture", "add", "--org", "acme", "--user", member.user.email,
            "--title", "Ad copy", "--tool", "claude",
            "--step", "Write 3 ads for our CRM aimed at CFOs",
            "--step", "Make them shorter",
            "--example", "1=Write 3 ads for our webinar aimed at marketers",
            "--minutes-before", "60", "--minutes-after", "15",
            "--avoid", "No exclamation marks", "--context-slug", "brand_voice",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    capture = Capture.objects.get()
    assert capture.owner == member.user
    assert capture.visibility == "private"
    assert capture.steps[0]["examples"] == ["Write 3 ads for our webinar aimed at marketers"]
    assert (capture.minutes_before, capture.minutes_after, capture.tool) == (60, 15, "claude")
    assert capture.negative_constraints == "No exclamation marks"
    assert capture.context_slugs == ["brand_voice"]
    assert "Captured Ad copy" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--example", "3=x"], "the step must be a number from 1 to 1"),
        (["--example", "nope"], "is not STEP=TEXT"),
        (["--tool", "notepad"], "tool: Use one of chatgpt"),
        (["--minutes-before", "-5"], "minutes_before: Give a whole number"),
    ],
)
def test_add_problems_are_one_line_and_write_nothing(member, capsys, extra, message):
    base = ["capture", "add", "--org", "acme", "--user", member.user.email, "--title", "T"]
    assert run([*base, "--step", "Hello", *extra]) == 2
    assert message in _err(capsys)
    assert not Capture.objects.exists()


def test_viewers_and_outsiders_cannot_add(viewer, outsider, org, capsys):
    args = ["capture", "add", "--org", "acme", "--title", "T", "--step", "x", "--user"]
    assert run([*args, viewer.user.email]) == 2
    assert "member role or higher" in _err(capsys)
    assert run([*args, outsider.user.email]) == 2
    assert "is not a member of acme" in _err(capsys)


def test_add_from_a_yaml_file(member, tmp_path, capsys):
    path = tmp_path / "capture.yaml"
    path.write_text(
        "title: Webinar follow-up\ntool: copilot\nvisibility: org\nsteps:\n"
        "  - text: 'Thank {{ attendees }} for coming'\n    examples: ['Thank everyone']\n"
        "minutes_before: 40\n",
        encoding="utf-8",
    )
    args = ["capture", "add", "--org", "acme", "--user", member.user.email, "--file", str(path)]
    assert run([*args, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["visibility"] == "org"
    assert body["steps"][0] == {
        "text": "Thank {{ attendees }} for coming",
        "examples": ["Thank everyone"],
    }
    path.write_text("title: x\nsteps: [a]\nowner: someone@else\n", encoding="utf-8")
    assert run(args) == 2
    assert "unknown keys owner" in _err(capsys)


def test_list_operator_sees_all_and_a_member_what_they_may(member, editor, capsys):
    make_capture(member, title="Member private")
    make_capture(editor, title="Editor shared", visibility="org")
    make_capture(editor, title="Editor private")
    assert run(["capture", "list", "--org", "acme", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert run(["capture", "list", "--org", "acme", "--user", member.user.email, "--json"]) == 0
    titles = {c["title"] for c in json.loads(capsys.readouterr().out)}
    assert titles == {"Member private", "Editor shared"}
    assert run(["capture", "list", "--org", "acme"]) == 0
    assert "Captures of acme (3)" in capsys.readouterr().out


def test_promote_with_spans_from_the_command_line(member, capsys):
    capture = make_capture(member, steps=[TWO_EXAMPLES, "Add a hook for the CRM"])
    base = ["capture", "promote", str(capture.public_id), "--org", "acme"]
    assert run([*base, "--user", member.user.email, "--span", "2:subject=CRM", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Add a hook for the {{ subject }}" in out
    assert not Workflow.objects.exists()
    assert run([*base, "--user", member.user.email, "--span", "product=CRM", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    workflow = Workflow.objects.get()
    assert body["workflow"]["slug"] == workflow.slug
    assert body["preview"]["steps"][1]["template"] == "Add a hook for the {{ product }}"
    assert workflow.kind == "chain"


def test_promote_problems_and_invisible_captures(member, editor, capsys):
    capture = make_capture(member)
    base = ["capture", "promote", str(capture.public_id), "--org", "acme", "--user"]
    assert run([*base, member.user.email, "--span", "1:x=absent"]) == 2
    assert "spans.0: “absent” is not in step 1" in _err(capsys)
    assert run([*base, member.user.email, "--span", "bad"]) == 2
    assert "is not [STEP:]NAME=TEXT" in _err(capsys)
    assert run([*base, editor.user.email]) == 2
    assert "Not found" in _err(capsys)
    assert not Workflow.objects.exists()
