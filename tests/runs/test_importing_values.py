"""``huddle runs import`` with hostile values: a number too long to read, NUL characters (which
PostgreSQL can't store) and a 30 MB line. Each line is refused with its reason; the others go
in. The suite runs on both databases, so the NUL lines prove PostgreSQL is never asked."""

from __future__ import annotations

import io
import json

import pytest

from huddle.cli import run
from huddle.runs.importing import MAX_LINE_BYTES, lines_of
from huddle.runs.models import Run
from tests.runs.test_importing import line

pytestmark = pytest.mark.django_db


def _import(tmp_path, capsys, *lines: str) -> dict:
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["runs", "import", str(path), "--org", "acme", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_hostile_values_refuse_their_line_only(member, tmp_path, capsys):
    digits = line(started_at="2026-11-03T09:00:00Z").replace(
        '"minutes_spent": 20', '"minutes_spent": ' + "9" * 5001
    )
    report = _import(
        tmp_path,
        capsys,
        digits,
        line(output="before\x00after", started_at="2026-11-04T09:00:00Z"),
        line(final_text="\x00", started_at="2026-11-05T09:00:00Z"),
        line(user="member\x00@acme.test"),
        line(workflow="launch\x00post"),
        line(model="gpt\x00"),
        line(output="x" * (30 * 1024 * 1024), started_at="2026-11-06T09:00:00Z"),
        line(minutes_spent=10**4000, started_at="2026-11-07T09:00:00Z"),
        line(),
    )
    assert report["imported"] == 1
    nul = "holds a NUL character (\\u0000), which can't be stored"
    assert [(e["line"], e["reason"]) for e in report["errors"]] == [
        (1, "not valid JSON (a number of more than 4,300 digits)"),
        (2, f"'output' {nul}"),
        (3, f"'final_text' {nul}"),
        (4, f"'user' {nul}"),
        (5, f"'workflow' {nul}"),
        (6, f"'model' {nul}"),
        (7, f"the line is longer than {MAX_LINE_BYTES:,} bytes"),
        (8, "'minutes_spent' is too large a number"),
    ]
    assert list(Run.objects.values_list("output", flat=True)) == ["AI text"]


def test_a_long_line_is_never_held_whole():
    stream = io.BytesIO(b"x" * (5 * MAX_LINE_BYTES) + b"\n" + b"next\n")
    lines = list(lines_of(stream))
    assert [len(raw) for raw in lines] == [MAX_LINE_BYTES + 1, 5]
    assert lines[1] == b"next\n"
