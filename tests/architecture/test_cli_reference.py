"""docs/cli.md is generated from every command's ``--help`` (cog); it must match the code."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_reference_is_generated_from_the_current_help(monkeypatch):
    from cogapp import Cog

    monkeypatch.chdir(ROOT)
    assert Cog().main(["cog", "--check", "-I", "scripts", "docs/cli.md"]) == 0, "run: make docs"
