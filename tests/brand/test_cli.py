"""``huddle brand check``: findings per line, exit 1 on blocking, 0 otherwise, 2 on errors."""

from __future__ import annotations

import io
import json

import pytest

from huddle.cli import run
from tests.brand.helpers import brand_context
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(owner, editor):
    brand_context(editor)


def test_a_banned_term_prints_line_rule_and_replacement_and_exits_1(context, tmp_path, capsys):
    path = tmp_path / "post.md"
    path.write_text("# Launch\n\nOur synergy-driven team.\n")
    assert run(["brand", "check", "--org", "acme", str(path)]) == 1
    out = capsys.readouterr().out
    assert "line 3: [banned] “synergy” is on the banned list (glossary). → working together" in out
    assert "Score 80/100 · 1 blocking" in out


def test_warnings_only_exit_0(context, tmp_path, capsys):
    path = tmp_path / "post.md"
    path.write_text("Great news!\n")
    assert run(["brand", "check", "--org", "acme", str(path)]) == 0
    assert "line 1: [exclamation]" in capsys.readouterr().out


def test_stdin_json_workflow_and_channel(context, editor, monkeypatch, capsys):
    workflow = make_workflow(editor, visibility="org", content={"required_elements": ["cta"]})
    monkeypatch.setattr("sys.stdin", io.StringIO("Hello there."))
    code = run(
        ["brand", "check", "--org", "acme", "--workflow", workflow.slug, "--channel", "sms",
         "--user", "editor@acme.test", "--json", "-"]
    )  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["findings"]] == ["required"]


@pytest.mark.parametrize(
    "args",
    [
        ["--org", "nope", "FILE"],
        ["--org", "acme", "--channel", "fax", "FILE"],
        ["--org", "acme", "--workflow", "missing", "FILE"],
        ["--org", "acme", "--user", "stranger@x.test", "FILE"],
        ["--org", "acme", "MISSING"],
    ],
)
def test_errors_exit_2_with_one_line(context, tmp_path, capsys, args):
    path = tmp_path / "post.md"
    path.write_text("Hello.")
    args = [str(path) if a == "FILE" else str(tmp_path / "nope.md") if a == "MISSING" else a
            for a in args]  # fmt: skip
    assert run(["brand", "check", *args]) == 2
    assert capsys.readouterr().err.startswith("Error: ")
