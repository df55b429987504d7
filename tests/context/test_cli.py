"""``huddle context add / list / pack``, run in-process."""

from __future__ import annotations

import json
import zipfile

import pytest

from huddle.cli import run
from huddle.context import pack_services
from huddle.context.models import ContextAsset, Status
from tests.context import hostile
from tests.context.helpers import CAMPAIGN_CSV, make_asset

pytestmark = pytest.mark.django_db


def test_add_a_campaign_csv_then_list_as_json(tmp_path, capsys, owner):
    path = tmp_path / "q3.csv"
    path.write_text(CAMPAIGN_CSV)
    code = run(
        [
            "context",
            "add",
            "--org",
            "acme",
            "--kind",
            "campaign_data",
            "--slug",
            "q3_results",
            "--file",
            str(path),
            "--title",
            "Q3 results",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Added q3_results (Campaign data, 4 rows, approved)" in out
    asset = ContextAsset.objects.get(slug="q3_results")
    assert (asset.owner, asset.title) == (owner.user, "Q3 results")
    assert run(["context", "list", "--org", "acme", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["slug"] == "q3_results"
    assert rows[0]["approved_version"] == 1


def test_add_structured_yaml_as_a_chosen_member_and_draft(tmp_path, capsys, owner, member):
    path = tmp_path / "cmo.yaml"
    path.write_text("role: CMO\ngoals:\n  - Growth\n")
    code = run(
        [
            "context",
            "add",
            "--org",
            "acme",
            "--kind",
            "persona",
            "--slug",
            "persona_cmo",
            "--file",
            str(path),
            "--user",
            member.user.email,
            "--draft",
        ]
    )
    assert code == 0
    asset = ContextAsset.objects.get(slug="persona_cmo")
    assert (asset.owner, asset.status) == (member.user, Status.DRAFT)
    assert asset.versions.get().data["goals"] == ["Growth"]


def test_bad_file_is_a_one_line_error_naming_the_row(tmp_path, capsys, owner):
    path = tmp_path / "q3.csv"
    path.write_text("channel,clicks\nEmail,1,2,3\n")
    code = run(
        [
            "context",
            "add",
            "--org",
            "acme",
            "--kind",
            "campaign_data",
            "--slug",
            "q3",
            "--file",
            str(path),
        ]
    )
    assert code == 2
    assert "Error: Row 2 has 4 values" in capsys.readouterr().err
    assert not ContextAsset.objects.exists()


@pytest.mark.parametrize(
    ("name", "build", "says"),
    [
        ("guide.docx", lambda: hostile.zip_bomb("docx"), "guide.docx would inflate to 1.5 GB"),
        (
            "q3.xlsx",
            hostile.xlsx_huge_dimension,
            "The sheet 'Sheet1' of q3.xlsx has 16,384 columns; the limit is 200.",
        ),
    ],
    ids=["refused-before-reading", "refused-by-the-parsing-process"],
)
def test_a_hostile_file_is_a_one_line_error(tmp_path, capsys, owner, name, build, says):
    path = tmp_path / name
    path.write_bytes(build())
    kind = "campaign_data" if name.endswith(".xlsx") else "other"
    code = run(["context", "add", "--org", "acme", "--kind", kind, "--slug", "x", "--file", path])
    assert code == 2
    err = capsys.readouterr().err
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert not ContextAsset.objects.exists()


def test_a_taken_slug_is_refused_before_the_file_is_read(
    tmp_path, capsys, owner, editor, monkeypatch
):
    from huddle.context.parsing import upload

    make_asset(editor, kind="other", slug="notes")
    monkeypatch.setattr(upload, "parse_here", lambda *a, **k: pytest.fail("read the file"))
    path = tmp_path / "notes.md"
    path.write_text("# Notes")
    code = run(
        ["context", "add", "--org", "acme", "--kind", "other", "--slug", "notes", "--file", path]
    )
    assert code == 2
    assert "There is already a context asset 'notes'." in capsys.readouterr().err


def test_unknown_org_and_user(tmp_path, capsys, owner):
    path = tmp_path / "a.md"
    path.write_text("# Hi")
    assert run(["context", "list", "--org", "nope"]) == 2
    assert "No organisation 'nope'" in capsys.readouterr().err
    code = run(
        [
            "context",
            "add",
            "--org",
            "acme",
            "--kind",
            "other",
            "--slug",
            "a",
            "--file",
            str(path),
            "--user",
            "who@else.test",
        ]
    )
    assert code == 2
    assert "who@else.test is not a member of acme" in capsys.readouterr().err


def test_pack_export_md_and_zip(tmp_path, capsys, editor):
    brand = make_asset(editor, slug="brand_voice")
    glossary = make_asset(editor, kind="glossary", slug="glossary")
    pack_services.pack_create(
        actor=editor.actor, organization=editor.org, name="Brand basics", assets=[brand, glossary]
    )
    md = tmp_path / "pack.md"
    assert (
        run(
            [
                "context",
                "pack",
                "Brand basics",
                "--org",
                "acme",
                "--out",
                str(md),
                "--target",
                "chatgpt",
            ]
        )
        == 0
    )
    text = md.read_text()
    assert text.startswith("# Brand basics")
    assert "- leverage → use" in text
    assert "of 1,500 (ChatGPT custom instructions)" in capsys.readouterr().out
    archive_path = tmp_path / "pack.zip"
    assert (
        run(
            [
                "context",
                "pack",
                "Brand basics",
                "--org",
                "acme",
                "--out",
                str(archive_path),
                "--target",
                "claude_project",
            ]
        )
        == 0
    )
    names = zipfile.ZipFile(archive_path).namelist()
    assert names == [
        "instructions.md",
        "knowledge/brand_voice.md",
        "knowledge/glossary.md",
        "README.txt",
    ]


def test_pack_missing(capsys, owner):
    assert run(["context", "pack", "Nope", "--org", "acme", "--out", "x.md"]) == 2
    assert "No context pack called 'Nope'" in capsys.readouterr().err


def test_help_lists_the_context_commands(capsys):
    assert run(["context", "--help"]) == 0
    out = capsys.readouterr().out
    for command in ("add", "list", "pack"):
        assert command in out
