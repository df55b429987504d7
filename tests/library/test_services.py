from __future__ import annotations

import pytest

from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.core.models import Event
from huddle.library import queries, services
from huddle.library.content import VersionContent
from huddle.library.models import ImmutableError, Status, WorkflowVersion
from huddle.library.rendering import render_version
from tests.factories import TeamFactory, make_workflow

pytestmark = pytest.mark.django_db


def content(**data):
    return VersionContent.from_data(data)


def test_new_workflows_are_private_drafts_with_version_one(member):
    workflow = make_workflow(member)
    assert (workflow.visibility, workflow.status) == ("private", "draft")
    assert workflow.slug == "launch-post"
    assert services.latest_version(workflow).number == 1
    assert Event.objects.filter(kind="workflow.created", object_id=str(workflow.public_id)).exists()


def test_slugs_are_unique_per_organisation(member, editor, outsider):
    make_workflow(member)
    assert make_workflow(editor).slug == "launch-post-2"
    assert make_workflow(outsider).slug == "launch-post"
    with pytest.raises(ValidationFailed, match="fields") as error:
        make_workflow(member, slug="launch-post")
    assert "already used" in error.value.fields["slug"][0]


def test_viewers_cannot_create(viewer):
    with pytest.raises(PermissionDenied):
        make_workflow(viewer)


def test_undeclared_variables_are_reported_with_line_and_name(member):
    with pytest.raises(ValidationFailed) as error:
        make_workflow(member, steps=["Hello\nWrite for {{ audience }} about {{ product }}"])
    assert error.value.fields["steps.0.template"] == [
        "Line 2: 'audience' is used but not declared as an input."
    ]


def test_syntax_errors_are_reported_with_line(member):
    with pytest.raises(ValidationFailed) as error:
        make_workflow(member, steps=["ok\n{% if product %}never closed"])
    assert error.value.fields["steps.0.template"][0].startswith("Line 2:")


def test_unknown_context_reference_is_a_validation_error(member):
    with pytest.raises(ValidationFailed) as error:
        make_workflow(member, steps=["{{ context.brand_voice }} {{ product }}"])
    assert "unknown context 'brand_voice'" in error.value.fields["steps.0.template"][0]


def test_chain_steps_may_use_only_earlier_outputs(member):
    with pytest.raises(ValidationFailed) as error:
        make_workflow(
            member,
            kind="chain",
            steps=[
                {"name": "draft", "template": "{{ steps.polish.output }}"},
                {"name": "polish", "template": "Polish: {{ steps.draft.output }}"},
            ],
            inputs=[],
        )
    assert "steps.polish can't be used here" in error.value.fields["steps.0.template"][0]


def test_a_prompt_has_one_step_and_a_chain_two_or_more(member):
    with pytest.raises(ValidationFailed, match="fields"):
        make_workflow(member, steps=["a", "b"], inputs=[])
    with pytest.raises(ValidationFailed, match="fields"):
        make_workflow(member, kind="chain", steps=["a"], inputs=[])


def test_saving_makes_a_new_version_and_moves_latest(member):
    workflow = make_workflow(member)
    v2 = services.workflow_save_version(
        actor=member.actor,
        workflow=workflow,
        content=content(steps=["Announce {{ product }} on LinkedIn."], inputs=["product"]),
        changelog="Say LinkedIn",
    )
    assert v2.number == 2
    assert services.latest_version(workflow) == v2
    assert WorkflowVersion.objects.get(workflow=workflow, number=1).steps[0]["template"] == (
        "Write a LinkedIn post announcing {{ product }}."
    )


def test_versions_are_immutable(member):
    version = services.latest_version(make_workflow(member))
    version.system = "changed"
    with pytest.raises(ImmutableError):
        version.save()
    version.refresh_from_db()
    assert version.system == ""


def test_rolling_back_moves_latest_to_an_older_version(member):
    workflow = make_workflow(member)
    v1 = services.latest_version(workflow)
    services.workflow_save_version(
        actor=member.actor,
        workflow=workflow,
        content=content(steps=["Other {{ product }}"], inputs=["product"]),
    )
    services.workflow_move_label(actor=member.actor, workflow=workflow, label="latest", version=v1)
    assert services.latest_version(workflow) == v1
    assert workflow.versions.count() == 2


def test_only_editors_endorse_and_endorsing_needs_sharing(member, editor):
    workflow = make_workflow(member)
    with pytest.raises(PermissionDenied):
        services.workflow_endorse(actor=member.actor, workflow=workflow)
    with pytest.raises(NotFound):
        services.workflow_endorse(actor=editor.actor, workflow=workflow)  # private: unseen
    services.workflow_publish(actor=member.actor, workflow=workflow, visibility="org")
    services.workflow_endorse(actor=editor.actor, workflow=workflow)
    workflow.refresh_from_db()
    assert workflow.status == Status.ENDORSED
    assert queries.endorsed_version(workflow).number == 1


def test_publishing_to_a_team_needs_the_team(member):
    workflow = make_workflow(member)
    with pytest.raises(ValidationFailed, match="team"):
        services.workflow_publish(actor=member.actor, workflow=workflow, visibility="team")


def test_publishing_to_another_organisations_team_is_refused(member, outsider):
    workflow = make_workflow(member)
    with pytest.raises(NotFound):
        services.workflow_publish(
            actor=member.actor,
            workflow=workflow,
            visibility="team",
            team=TeamFactory(organization=outsider.org),
        )


def test_members_cannot_publish_someone_elses_workflow(member, editor):
    workflow = make_workflow(editor, visibility="org")
    with pytest.raises(PermissionDenied):
        services.workflow_publish(actor=member.actor, workflow=workflow, visibility="private")


def test_fork_makes_a_private_copy_pointing_back(member, editor):
    original = make_workflow(editor, visibility="org", tags=["social"])
    copy = services.workflow_fork(actor=member.actor, workflow=original)
    assert copy.owner == member.user
    assert copy.forked_from == original
    assert copy.visibility == "private"
    assert list(copy.tags.values_list("name", flat=True)) == ["social"]
    assert services.latest_version(copy).steps == services.latest_version(original).steps


def test_forking_an_unseen_workflow_is_not_found(member, editor):
    private = make_workflow(editor)
    with pytest.raises(NotFound):
        services.workflow_fork(actor=member.actor, workflow=private)


def test_stars_count_once_per_person(member, editor):
    workflow = make_workflow(editor, visibility="org")
    services.workflow_star(actor=member.actor, workflow=workflow)
    services.workflow_star(actor=member.actor, workflow=workflow)
    assert workflow.star_count == 1
    services.workflow_star(actor=member.actor, workflow=workflow, starred=False)
    assert workflow.star_count == 0


def test_archived_workflows_cannot_be_edited_until_restored(member):
    workflow = make_workflow(member)
    services.workflow_archive(actor=member.actor, workflow=workflow)
    with pytest.raises(HuddleError, match="archived"):
        services.workflow_save_version(
            actor=member.actor, workflow=workflow, content=content(steps=["x"])
        )
    services.workflow_archive(actor=member.actor, workflow=workflow, archived=False)
    assert workflow.status == Status.DRAFT


def test_diff_shows_what_changed(member):
    workflow = make_workflow(member)
    v1 = services.latest_version(workflow)
    v2 = services.workflow_save_version(
        actor=member.actor,
        workflow=workflow,
        content=content(
            steps=["Write a LinkedIn post announcing {{ product }}. Keep it short."],
            inputs=["product"],
            negative_constraints="No emojis",
        ),
    )
    diff = services.version_diff(v1, v2)
    assert ("-", "Write a LinkedIn post announcing {{ product }}.") in diff
    assert ("+", "Write a LinkedIn post announcing {{ product }}. Keep it short.") in diff
    assert ("+", "No emojis") in diff


def test_render_fills_inputs_constraints_and_chain_placeholders(member):
    workflow = make_workflow(
        member,
        kind="chain",
        steps=[
            {"name": "research", "template": "List facts about {{ product }}."},
            {"name": "post", "template": "Using {{ steps.research.output }}, write a post."},
        ],
        content={
            "system": "You write for {{ product }}.",
            "negative_constraints": "emojis\n- hype",
        },
    )
    rendered = render_version(
        member.actor, services.latest_version(workflow), {"product": "Huddle"}
    )
    assert rendered.system == "You write for Huddle.\n\nAvoid:\n- emojis\n- hype"
    assert rendered.steps[0].text == "List facts about Huddle."
    assert rendered.steps[1].text == "Using [output of step 'research'], write a post."
    again = render_version(
        member.actor,
        services.latest_version(workflow),
        {"product": "Huddle"},
        step_outputs={"research": "Fact A"},
    )
    assert again.steps[1].text == "Using Fact A, write a post."


def test_render_names_missing_and_invalid_inputs(member):
    workflow = make_workflow(
        member,
        steps=["{{ tone }} {{ words }}"],
        inputs=[
            {"name": "tone", "type": "choice", "choices": ["warm", "formal"]},
            {"name": "words", "type": "number"},
        ],
    )
    with pytest.raises(ValidationFailed) as error:
        render_version(member.actor, services.latest_version(workflow), {"tone": "rude"})
    assert error.value.fields == {
        "tone": ["Tone must be one of: warm, formal."],
        "words": ["Words is required."],
    }


def test_an_update_that_fails_half_way_changes_nothing(member):
    workflow = services.workflow_archive(actor=member.actor, workflow=make_workflow(member))
    with pytest.raises(ValidationFailed, match="Choose the team"):
        services.workflow_update(
            actor=member.actor,
            workflow=workflow,
            archived=False,
            title="Renamed",
            visibility="team",
        )
    workflow.refresh_from_db()
    assert (workflow.title, workflow.status) == ("Launch post", Status.ARCHIVED)
    assert not Event.objects.filter(kind__in=["workflow.details_changed", "workflow.restored"])


def test_an_update_restores_changes_and_shares_in_one_go(member, org):
    team = TeamFactory(organization=org, slug="content")
    workflow = services.workflow_archive(actor=member.actor, workflow=make_workflow(member))
    workflow = services.workflow_update(
        actor=member.actor,
        workflow=workflow,
        archived=False,
        tags=["social"],
        visibility="team",
        team=team,
    )
    workflow.refresh_from_db()
    assert (workflow.status, workflow.visibility, workflow.team) == (Status.SHARED, "team", team)
    assert list(workflow.tags.values_list("name", flat=True)) == ["social"]
