"""``huddle workflows …`` run in-process, as an operator on the host would."""

from __future__ import annotations

import json

import pytest

from huddle.cli import run
from huddle.library import services
from huddle.library.models import Workflow
from tests.factories import TeamFactory, make_workflow

pytestmark = pytest.mark.django_db


def _stderr_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "Traceback" not in err
    return err


def test_add_with_steps_inputs_and_tags(member, capsys):
    code = run(
        [
            "workflows", "add", "--org", "acme", "--owner", member.user.email,
            "--slug", "launch", "--title", "Launch post", "--kind", "prompt",
            "--input", "product", "--input", "audience", "--tag", "Social",
            "--visibility", "org", "--step", "Announce {{ product }} to {{ audience }}.",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    assert "Added launch (prompt, org)" in capsys.readouterr().out
    workflow = Workflow.objects.get(slug="launch")
    assert workflow.owner == member.user
    assert list(workflow.tags.values_list("name", flat=True)) == ["social"]
    version = services.latest_version(workflow)
    assert [i["name"] for i in version.inputs] == ["product", "audience"]
    assert version.steps == [
        {"name": "step_1", "template": "Announce {{ product }} to {{ audience }}."}
    ]


def test_add_a_chain_with_a_team(member, org, capsys):
    team = TeamFactory(organization=org, slug="content")
    args = ["workflows", "add", "--org", "acme", "--owner", member.user.email]
    code = run(
        [
            *args, "--title", "Brief", "--kind", "chain", "--visibility", "team",
            "--team", "content", "--input", "topic",
            "--step", "Ideas on {{ topic }}", "--step", "Brief from {{ steps.step_1.output }}",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    workflow = Workflow.objects.get(slug="brief")
    assert (workflow.kind, workflow.team) == ("chain", team)
    assert len(services.latest_version(workflow).steps) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--step", "Hi {{ who }}"],
            "The workflow has problems: steps.0.template: Line 1: 'who' is used but not declared",
        ),
        (["--kind", "poem", "--step", "x"], "kind: Use one of prompt, chain, instructions."),
        ([], "Give --title, --kind and at least one --step"),
    ],
)
def test_add_problems_are_one_line_and_write_nothing(member, capsys, extra, message):
    args = ["workflows", "add", "--org", "acme", "--owner", member.user.email, "--title", "T"]
    if "--kind" not in extra and extra:
        args += ["--kind", "prompt"]
    assert run(args + extra) == 2
    line = _stderr_line(capsys)
    assert line.startswith("Error:")
    assert not Workflow.objects.exists()
    assert message in line


def test_viewers_cannot_add(viewer, capsys):
    code = run(
        [
            "workflows", "add", "--org", "acme", "--owner", viewer.user.email,
            "--title", "T", "--kind", "prompt", "--step", "Hello",
        ]
    )  # fmt: skip
    assert code == 2
    assert "member role or higher" in _stderr_line(capsys)


def test_non_members_and_unknown_orgs_are_clear_errors(outsider, org, capsys):
    assert run(["workflows", "list", "--org", "acme", "--user", outsider.user.email]) == 2
    assert "is not a member of acme" in _stderr_line(capsys)
    assert run(["workflows", "list", "--org", "nope"]) == 2
    assert "No organisation 'nope'" in _stderr_line(capsys)


def test_add_from_a_file(member, tmp_path, capsys):
    path = tmp_path / "post.yaml"
    path.write_text(
        "title: Weekly newsletter\nkind: prompt\nslug: newsletter\ntags: [email]\n"
        "inputs:\n  - name: topic\n    type: choice\n    choices: [AI, SEO]\n"
        "steps:\n  - template: |\n      Newsletter about {{ topic }}.\n"
    )
    assert run(["workflows", "add", "--org", "acme", "--owner", member.user.email,
                "--file", str(path)]) == 0  # fmt: skip
    version = services.latest_version(Workflow.objects.get(slug="newsletter"))
    assert version.inputs[0]["choices"] == ["AI", "SEO"]
    assert version.steps[0]["template"] == "Newsletter about {{ topic }}.\n"


def test_list_json_operator_sees_all_and_a_member_what_they_may(member, viewer, capsys):
    make_workflow(member, title="Private one")
    make_workflow(member, title="Shared one", visibility="org")
    assert run(["workflows", "list", "--org", "acme", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["slug"] for r in rows] == ["private-one", "shared-one"]
    assert rows[0]["owner"]["email"] == member.user.email
    assert rows[0]["latest_version"] == 1
    assert run(["workflows", "list", "--org", "acme", "--user", viewer.user.email, "--json"]) == 0
    assert [r["slug"] for r in json.loads(capsys.readouterr().out)] == ["shared-one"]
    assert run(["workflows", "list", "--org", "acme", "--q", "shared", "--json"]) == 0
    assert [r["slug"] for r in json.loads(capsys.readouterr().out)] == ["shared-one"]


def test_list_prints_a_table(member, capsys):
    make_workflow(member, title="Launch post")
    assert run(["workflows", "list", "--org", "acme"]) == 0
    out = capsys.readouterr().out
    assert "Workflows of acme (1)" in out
    assert "launch-post" in out


def test_render_prints_the_text_or_json(member, capsys):
    make_workflow(member, slug="post", content={"system": "Be brief."})
    base = ["workflows", "render", "post", "--org", "acme", "--user", member.user.email]
    assert run([*base, "--var", "product=Huddle 2 = better"]) == 0
    assert capsys.readouterr().out == (
        "Be brief.\n\n---\n\nWrite a LinkedIn post announcing Huddle 2 = better.\n"
    )
    assert run([*base, "--var", "product=Huddle", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["system"] == "Be brief."
    assert body["steps"] == [{"name": "step_1", "text": "Write a LinkedIn post announcing Huddle."}]


@pytest.mark.parametrize(
    ("var", "message"),
    [
        ("product", "--var 'product' is not NAME=VALUE"),
        ("=x", "--var '=x' is not NAME=VALUE"),
        ("colour=red", "Check these inputs: colour, product."),
    ],
)
def test_render_problems_are_one_clear_line(member, capsys, var, message):
    make_workflow(member, slug="post")
    code = run(
        ["workflows", "render", "post", "--org", "acme", "--user", member.user.email, "--var", var]
    )
    assert code == 2
    assert message in _stderr_line(capsys)


def test_render_of_an_invisible_workflow_is_not_found(member, viewer, capsys):
    make_workflow(member, slug="post")
    code = run(
        ["workflows", "render", "post", "--org", "acme", "--user", viewer.user.email,
         "--var", "product=x"]
    )  # fmt: skip
    assert code == 2
    assert "Not found" in _stderr_line(capsys)


def test_export_then_import_into_another_org_reproduces_the_library(
    member, outsider, org, other_org, tmp_path, capsys
):
    team = TeamFactory(organization=org, slug="content")
    TeamFactory(organization=other_org, slug="content")
    member.membership.teams.add(team)
    make_workflow(
        member,
        title="Launch post",
        tags=["social", "launch"],
        summary="For launches",
        visibility="org",
        inputs=[{"name": "product", "label": "Product", "help": "Its name"}],
        content={"system": "You write for Acme.\nKeep it short.", "baseline_minutes": 30},
    )
    chain = make_workflow(
        member,
        title="Brief chain",
        kind="chain",
        visibility="team",
        team=team,
        steps=[
            {"name": "ideas", "template": "Ideas on {{ topic }}"},
            {"name": "brief", "template": "Brief:\n{{ steps.ideas.output }}"},
        ],
        inputs=[{"name": "topic", "type": "choice", "choices": ["AI", "SEO"], "default": "AI"}],
        content={"negative_constraints": "No jargon", "manual_edits": "The CTA"},
    )
    services.workflow_save_version(
        actor=member.actor,
        workflow=chain,
        content=services.VersionContent.from_data(
            {
                "steps": [
                    {"name": "ideas", "template": "Five ideas on {{ topic }}"},
                    {"name": "brief", "template": "Brief:\n{{ steps.ideas.output }}"},
                ],
                "inputs": [{"name": "topic"}],
            }
        ),
        changelog="Five ideas",
    )
    out = tmp_path / "library"
    assert run(["workflows", "export", "--org", "acme", "--out", str(out), "--all-versions"]) == 0
    assert "Exported 2 workflows" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["brief-chain.yaml", "launch-post.yaml"]

    args = ["workflows", "import", str(out), "--org", "globex", "--owner", outsider.user.email]
    assert run(args) == 0
    assert "Created 2, updated 0, unchanged 0." in capsys.readouterr().out

    def snapshot(organization):
        result = {}
        for w in Workflow.objects.filter(organization=organization).order_by("slug"):
            versions = [
                (v.number, v.system, v.steps, v.inputs, v.negative_constraints, v.manual_edits,
                 v.baseline_minutes, v.changelog)
                for v in w.versions.order_by("number")
            ]  # fmt: skip
            tags = sorted(w.tags.values_list("name", flat=True))
            team = w.team.slug if w.team else None
            result[w.slug] = (w.title, w.kind, w.summary, w.visibility, team, tags, versions)
        return result

    assert snapshot(other_org) == snapshot(org)
    assert Workflow.objects.get(organization=other_org, slug="brief-chain").owner == outsider.user

    # Importing the same files again changes nothing.
    assert run(args) == 0
    assert "Created 0, updated 0, unchanged 2." in capsys.readouterr().out


def test_import_adds_a_version_when_the_content_changed(member, tmp_path, capsys):
    workflow = make_workflow(member, slug="post")
    out = tmp_path / "all.yaml"
    assert run(["workflows", "export", "--org", "acme", "--out", str(out)]) == 0
    out.write_text(out.read_text().replace("LinkedIn post", "short LinkedIn post"))
    args = ["workflows", "import", str(out), "--org", "acme", "--owner", member.user.email]
    assert run([*args, "--dry-run"]) == 0
    assert "Would create 0, update 1, leave 0 unchanged" in capsys.readouterr().out
    assert workflow.versions.count() == 1
    assert run([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "dry_run": False,
    }
    assert "short LinkedIn" in services.latest_version(workflow).steps[0]["template"]
    assert workflow.versions.count() == 2


GOOD = "title: Good one\nkind: prompt\nsteps: ['Hello']\n"


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("title: [unclosed\n", "Nothing imported: 1 problem. bad.yaml: line 2: Not valid YAML"),
        ("title: Poem\nkind: poem\nsteps: ['x']\n", "bad.yaml: kind: 'poem' is not a kind"),
        (
            "title: T\nkind: prompt\nsteps:\n  - 'Hi\n\n    {{ who }}'\n",
            "bad.yaml: steps.0.template: Line 2: 'who' is used but not declared as an input.",
        ),
        ("title: T\nkind: prompt\nstep: ['x']\n", "bad.yaml: step: Unknown key 'step'"),
    ],
)
def test_one_bad_file_imports_nothing_and_names_file_and_field(
    member, tmp_path, capsys, bad, expected
):
    (tmp_path / "a-good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(bad)
    code = run(
        ["workflows", "import", str(tmp_path), "--org", "acme", "--owner", member.user.email]
    )
    assert code == 2
    line = _stderr_line(capsys)
    assert line.startswith("Error: Nothing imported:")
    assert expected in line
    assert not Workflow.objects.exists()


def test_dry_run_writes_nothing(member, tmp_path, capsys):
    (tmp_path / "good.yaml").write_text(GOOD)
    code = run(
        ["workflows", "import", str(tmp_path), "--org", "acme", "--owner", member.user.email,
         "--dry-run"]
    )  # fmt: skip
    assert code == 0
    assert "Would create 1, update 0, leave 0 unchanged. Nothing was written." in (
        capsys.readouterr().out
    )
    assert not Workflow.objects.exists()


def test_importing_many_files_shows_progress_and_imports_them_all(member, tmp_path, capsys):
    for i in range(12):
        (tmp_path / f"w{i:02}.yaml").write_text(f"title: Workflow {i}\nsteps: ['Hello {i}']\n")
    code = run(["workflows", "import", str(tmp_path), "--org", "acme",
                "--owner", member.user.email])  # fmt: skip
    assert code == 0
    assert "Created 12, updated 0, unchanged 0." in capsys.readouterr().out
    assert Workflow.objects.count() == 12


def test_workflows_help(capsys):
    assert run(["workflows", "--help"]) == 0
    out = capsys.readouterr().out
    for command in ("add", "list", "render", "export", "import"):
        assert command in out
