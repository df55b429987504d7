"""Helpers for the import tests: run the CLI and read its JSON report."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from huddle.cli import run


@pytest.fixture
def cli(capsys):
    """``cli(*args)`` → (exit status, parsed stdout JSON or text, stderr as one line)."""

    def _cli(*args: str) -> tuple[int, Any, str]:
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        out: Any = captured.out
        with contextlib.suppress(ValueError):
            out = json.loads(out)
        return code, out, " ".join(captured.err.split())

    return _cli


@pytest.fixture(autouse=True)
def media(settings, tmp_path_factory):
    """Uploaded exports go to a temporary media root."""
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root
