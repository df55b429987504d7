"""YAML export and import: readable files, safe reading, all-or-nothing checks."""

from __future__ import annotations

import pytest
import yaml

from huddle.core.errors import ValidationFailed
from huddle.library import portable, services
from huddle.library.models import Workflow
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


def _plan_error(actor, path) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as error:
        portable.plan_import(actor, path)
    return error.value


def test_export_is_short_readable_yaml(member):
    workflow = make_workflow(
        member,
        title="Brief chain",
        kind="chain",
        steps=[
            {"name": "ideas", "template": "Ideas on {{ topic }}"},
            {"name": "brief", "template": "Brief:\n{{ steps.ideas.output }}\n"},
        ],
        inputs=[{"name": "topic"}],
        content={"system": "You are\nour copywriter."},
    )
    text = portable.dump([portable.export_document(workflow)])
    assert "system: |-\n  You are\n  our copywriter.\n" in text
    assert "  template: |\n    Brief:\n    {{ steps.ideas.output }}\n" in text
    # Defaults (type text, required, empty label/help …) are left out.
    assert "inputs:\n- name: topic\n" in text
    assert "required" not in text
    assert "manual_edits" not in text


def test_a_document_reads_back_to_the_same_content(member, tmp_path):
    workflow = make_workflow(
        member,
        inputs=[{"name": "product", "type": "choice", "choices": ["A", "B"], "required": False}],
        content={"baseline_minutes": 20, "negative_constraints": "No emojis"},
    )
    path = tmp_path / "post.yaml"
    path.write_text(portable.dump([portable.export_document(workflow)]))
    (doc,) = portable.load_docs(member.actor, path)
    from huddle.library.rendering import content_of

    assert doc.content == content_of(services.latest_version(workflow))
    assert (doc.slug, doc.title, doc.kind, doc.visibility) == (
        workflow.slug,
        workflow.title,
        "prompt",
        "private",
    )


def test_history_is_replayed_as_versions(member, outsider, tmp_path):
    workflow = make_workflow(member, slug="post")
    for text in ("Second {{ product }}", "Third {{ product }}"):
        services.workflow_save_version(
            actor=member.actor,
            workflow=workflow,
            content=services.VersionContent.from_data(
                {"steps": [text], "inputs": [{"name": "product"}]}
            ),
            changelog=text.split()[0],
        )
    out = tmp_path / "one.yaml"
    portable.write_export([workflow], out, all_versions=True)
    portable.apply_import(outsider.actor, portable.plan_import(outsider.actor, out))
    copy = Workflow.objects.get(organization=outsider.org, slug="post")
    assert list(copy.versions.order_by("number").values_list("changelog", flat=True)) == [
        "First version",
        "Second",
        "Third",
    ]


def test_several_documents_in_one_file_are_named_by_position(member, tmp_path):
    path = tmp_path / "all.yaml"
    path.write_text("title: One\nsteps: [a]\n---\ntitle: Two\nkind: chain\nsteps: [a]\n")
    error = _plan_error(member.actor, path)
    assert list(error.fields) == ["all.yaml#2: steps"]
    assert error.fields["all.yaml#2: steps"] == ["A chain needs at least two steps."]


def test_aliases_are_refused(member, tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text('a: &a ["lol","lol"]\nb: [*a,*a]\ntitle: x\nsteps: [x]\n')
    error = _plan_error(member.actor, path)
    (key,) = error.fields
    assert key == "laughs.yaml: line 2"
    assert "aliases" in error.fields[key][0]


def test_python_tags_are_not_executed(member, tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("title: !!python/object/apply:os.system ['true']\nsteps: [x]\n")
    error = _plan_error(member.actor, path)
    assert "Not valid YAML" in next(iter(error.fields.values()))[0]


def test_files_over_the_size_limit_are_refused(member, tmp_path, monkeypatch):
    monkeypatch.setattr(portable, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "huge.yaml"
    path.write_text("title: x\nsteps: [x]\n" + "# padding\n" * 120_000)
    error = _plan_error(member.actor, path)
    assert error.fields == {"huge.yaml": ["The file is 1.1 MB; the limit is 1 MB."]}


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("- a list\n", "", "Each document must be a mapping"),
        ("title: ''\nsteps: [x]\n", "title", "Give the workflow a title."),
        ("title: T\nslug: Bad Slug\nsteps: [x]\n", "slug", "Use lowercase letters"),
        ("title: T\nvisibility: team\nsteps: [x]\n", "team", "Team visibility needs"),
        ("title: T\nteam: nope\nsteps: [x]\n", "team", "No team 'nope' in acme."),
        ("title: T\ntags: {a: 1}\nsteps: [x]\n", "tags", "Tags are a list of words."),
        ("title: T\nhuddle: 7\nsteps: [x]\n", "huddle", "Unknown format 7"),
        ("title: T\nsteps: [x]\nbaseline_minutes: lots\n", "baseline_minutes", "whole number"),
        (
            "title: T\nsteps: ['{{ x }}']\nhistory:\n  - steps: ['{{ y }}']\n",
            "history.0.steps.0.template",
            "'y' is used but not declared",
        ),
    ],
)
def test_problems_name_the_file_and_the_field(member, tmp_path, text, field, message):
    path = tmp_path / "w.yaml"
    path.write_text(text)
    error = _plan_error(member.actor, path)
    key = f"w.yaml: {field}" if field else "w.yaml"
    assert key in error.fields, error.fields
    assert any(message in m for m in error.fields[key])


def test_the_same_slug_twice_is_a_problem(member, tmp_path):
    (tmp_path / "a.yaml").write_text("title: A\nslug: post\nsteps: [x]\n")
    (tmp_path / "b.yaml").write_text("title: B\nslug: post\nsteps: [y]\n")
    error = _plan_error(member.actor, tmp_path)
    assert error.fields == {"b.yaml: slug": ["'post' is also in a.yaml."]}


def test_a_slug_someone_else_owns_is_not_overwritten(member, editor, tmp_path):
    make_workflow(member, slug="post")  # private: the editor can't see it, let alone change it
    (tmp_path / "post.yaml").write_text("title: Mine now\nslug: post\nsteps: [x]\n")
    error = _plan_error(editor.actor, tmp_path)
    assert error.fields == {
        "post.yaml: slug": ["'post' exists and editor@acme.test may not change it."]
    }


def test_status_and_owner_in_a_file_grant_nothing(member, tmp_path):
    (tmp_path / "w.yaml").write_text(
        "title: T\nsteps: [x]\nstatus: endorsed\nowner: boss@acme.test\n"
    )
    error = _plan_error(member.actor, tmp_path)
    assert set(error.fields) == {"w.yaml: status", "w.yaml: owner"}


def test_viewers_cannot_import(viewer, tmp_path):
    (tmp_path / "w.yaml").write_text("title: T\nsteps: [x]\n")
    with pytest.raises(portable.HuddleError, match="member role"):
        portable.plan_import(viewer.actor, tmp_path)


def test_a_missing_path_is_a_clear_error(member, tmp_path):
    with pytest.raises(portable.HuddleError, match="does not exist"):
        portable.plan_import(member.actor, tmp_path / "nope.yaml")


def test_unchanged_and_updated_are_told_apart(member, tmp_path):
    workflow = make_workflow(member, slug="post", tags=["a"])
    path = tmp_path / "post.yaml"
    portable.write_export([workflow], path)
    plan = portable.plan_import(member.actor, path)
    assert (len(plan.create), len(plan.update), len(plan.unchanged)) == (0, 0, 1)
    path.write_text(path.read_text().replace("- a", "- b"))
    plan = portable.plan_import(member.actor, path)
    assert len(plan.update) == 1
    portable.apply_import(member.actor, plan)
    # Only the tags changed: they are updated, and no new version is made for them.
    assert list(workflow.tags.values_list("name", flat=True)) == ["b"]
    assert workflow.versions.count() == 1


def test_dump_loads_back_with_safe_load(member):
    text = portable.dump([portable.export_document(make_workflow(member))])
    assert yaml.safe_load(text)["slug"] == "launch-post"
