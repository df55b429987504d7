"""``huddle mcp``: who it acts as is checked before anything is served (the protocol itself is
tested over stdio in test_live.py)."""

from __future__ import annotations

import pytest

from huddle.cli import run

pytestmark = pytest.mark.django_db


def test_an_unknown_organisation_is_one_clear_line(capsys):
    assert run(["mcp", "--org", "nope", "--user", "a@b.test"]) == 2
    assert capsys.readouterr().err.strip() == (
        "Error: No organisation 'nope'. Create it with: huddle org create nope --name …"
    )


def test_someone_who_is_not_a_member_is_refused(capsys, member, outsider):
    assert run(["mcp", "--org", "acme", "--user", outsider.user.email]) == 2
    assert "is not a member of acme" in capsys.readouterr().err


def test_a_deactivated_member_is_refused(capsys, member):
    member.user.is_active = False
    member.user.save()
    assert run(["mcp", "--org", "acme", "--user", member.user.email]) == 2
    assert capsys.readouterr().err.strip() == f"Error: {member.user.email} is deactivated."


def test_help_says_what_it_is_for(capsys):
    assert run(["mcp", "--help"]) == 0
    assert "Serve the MCP server over stdio" in capsys.readouterr().out
