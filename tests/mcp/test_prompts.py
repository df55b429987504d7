"""Prompts are the workflows a member can see, endorsed first; getting one renders it as the
copy-paste run does and opens a run of mode ``mcp``."""

from __future__ import annotations

import pytest

from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.models import Event
from huddle.library import services as library_services
from huddle.library.rendering import render_version
from huddle.mcp import prompts
from huddle.runs.models import Mode, Run, RunStatus
from tests.factories import make_workflow
from tests.mcp.helpers import small_library


@pytest.fixture
def library(editor, member):
    return small_library(editor, member)


def names(result) -> list[str]:
    return [prompt.name for prompt in result.prompts]


def test_each_member_lists_exactly_the_workflows_they_can_see_endorsed_first(
    library, editor, member, viewer, outsider
):
    launch, endorsed, private = library["launch"], library["endorsed"], library["private"]
    assert names(prompts.list_prompts(member.actor)) == [endorsed.slug, private.slug, launch.slug]
    assert names(prompts.list_prompts(viewer.actor)) == [endorsed.slug, launch.slug]
    assert names(prompts.list_prompts(editor.actor)) == [endorsed.slug, launch.slug]
    assert names(prompts.list_prompts(outsider.actor)) == []


def test_a_prompt_carries_the_workflows_inputs_as_arguments(library, member):
    listed = {p.name: p for p in prompts.list_prompts(member.actor).prompts}
    launch = listed[library["launch"].slug]
    assert launch.title == "Launch post"
    assert launch.description == "A LinkedIn post for a launch."
    [argument] = launch.arguments
    assert (argument.name, argument.required) == ("product", True)
    assert argument.description == "Product. What we launch."
    assert listed[library["endorsed"].slug].description.startswith("Endorsed by the team.")


def test_archived_workflows_are_not_prompts(library, editor, member):
    from huddle.library import services

    services.workflow_archive(actor=editor.actor, workflow=library["launch"], archived=True)
    assert library["launch"].slug not in names(prompts.list_prompts(member.actor))


def test_pages_follow_the_cursor_through_endorsed_then_the_rest(library, editor, member):
    from huddle.library import services

    for i in range(3):
        make_workflow(member, title=f"Mine {i}", inputs=[], steps=["Go."])
    newer = make_workflow(editor, title="Newer", inputs=[], steps=["Go."], visibility="org")
    newer = services.workflow_endorse(actor=editor.actor, workflow=newer)
    everything = names(prompts.list_prompts(member.actor, limit=100))
    assert everything[:2] == [newer.slug, library["endorsed"].slug]
    seen, cursor = [], None
    while True:
        page = prompts.list_prompts(member.actor, cursor, limit=2)
        seen += names(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything
    assert len(seen) == 7


def test_a_tampered_cursor_is_a_clear_error(member):
    with pytest.raises(ValidationFailed, match="cursor is not valid"):
        prompts.list_prompts(member.actor, "made-up")


def test_getting_a_prompt_renders_it_with_context_and_opens_an_mcp_run(library, member):
    launch = library["launch"]
    got = prompts.get_prompt(member.actor, launch.slug, {"product": "Widget"})
    [message] = got.messages
    assert message.role == "user"
    # Exactly what the copy-paste run shows for the same inputs, context included.
    version = library_services.latest_version(launch)
    expected = render_version(member.actor, version, {"product": "Widget"}).steps[0].text
    assert message.content.text == expected
    assert "Plain words, short sentences." in expected
    assert expected.endswith("Write about Widget.")
    run = Run.objects.get(public_id=got.meta["huddle/run"])
    assert (run.mode, run.status, run.user, run.workflow) == (
        Mode.MCP,
        RunStatus.RUNNING,
        member.user,
        launch,
    )
    assert run.inputs == {"product": "Widget"}
    assert run.steps.get().prompt == message.content.text
    assert Event.objects.filter(kind="run.recorded", object_id=str(run.public_id)).exists()
    launch.refresh_from_db()
    assert launch.use_count == 1


def test_a_chain_comes_back_as_system_text_then_its_ordered_steps(editor, member):
    chain = make_workflow(
        editor,
        title="Blog chain",
        kind="chain",
        inputs=[{"name": "topic"}],
        steps=[
            {"name": "outline", "template": "Outline {{ topic }}."},
            {"name": "draft", "template": "Draft from: {{ steps.outline.output }}"},
        ],
        content={"system": "You are our editor."},
        visibility="org",
    )
    got = prompts.get_prompt(member.actor, chain.slug, {"topic": "AI"})
    assert [m.content.text for m in got.messages] == [
        "You are our editor.",
        "Outline AI.",
        "Draft from: [output of step 'outline']",
    ]
    assert "A chain of 2 steps" in got.description


def test_a_viewer_gets_the_text_but_records_no_run(library, viewer):
    got = prompts.get_prompt(viewer.actor, library["launch"].slug, {"product": "Widget"})
    assert got.messages
    assert got.meta is None
    assert not Run.objects.exists()


def test_bad_arguments_name_the_input_and_record_nothing(library, member):
    with pytest.raises(ValidationFailed) as caught:
        prompts.get_prompt(member.actor, library["launch"].slug, {"produkt": "Widget"})
    assert caught.value.message == "Check these inputs: product, produkt."
    assert caught.value.fields["produkt"] == ["'produkt' is not an input of this workflow."]
    assert not Run.objects.exists()


def test_a_workflow_the_member_cannot_see_is_not_found(library, editor, outsider):
    with pytest.raises(NotFound):
        prompts.get_prompt(editor.actor, library["private"].slug, {})
    with pytest.raises(NotFound):
        prompts.get_prompt(outsider.actor, library["launch"].slug, {"product": "x"})


def test_context_the_member_may_not_use_is_named(editor, member):
    from huddle.context import services as context_services

    context_services.asset_create(
        actor=editor.actor,
        organization=editor.org,
        kind="other",
        slug="secret_plan",
        title="Secret plan",
        data={"text": "Only editors."},
        visibility="private",
    )
    workflow = make_workflow(
        editor, title="Uses secret", inputs=[], steps=["{{ context.secret_plan }}"]
    )
    from huddle.library import services

    services.workflow_publish(actor=editor.actor, workflow=workflow, visibility="org")
    with pytest.raises(HuddleError, match="Context 'secret_plan' does not exist or you can't"):
        prompts.get_prompt(member.actor, workflow.slug, {})


def test_a_page_of_prompts_takes_one_query_per_part(
    library, editor, member, django_assert_num_queries
):
    # Endorsed first, then the rest: two queries, each with the latest version's inputs.
    with django_assert_num_queries(2):
        listed = prompts.list_prompts(member.actor)
    assert listed.prompts[0].name == library["endorsed"].slug
    assert [a.name for a in listed.prompts[2].arguments] == ["product"]
    # A page filled by endorsed workflows, with more to come, asks nothing of the rest.
    library_services.workflow_endorse(actor=editor.actor, workflow=library["launch"])
    with django_assert_num_queries(1):
        page = prompts.list_prompts(member.actor, limit=1)
    assert page.next_cursor is not None
