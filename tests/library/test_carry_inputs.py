"""Issue 19, item 5: inputs typed once follow from "Use it" to "Run it" to "Assembly preview"
(and back) in the query string; a direct run starts in one click with them."""

from __future__ import annotations

import pytest

from huddle.library.content import InputSpec
from huddle.library.rendering import input_values
from huddle.runs.models import Run
from huddle.runs.providers.fake import FakeProvider
from huddle.runs.providers.registry import override_provider
from huddle.runs.providers.services import ProviderFields, provider_create
from tests.factories import make_workflow

SPECS = (InputSpec(name="product", default="Huddle"), InputSpec(name="audience", default=""))


def test_the_first_source_with_the_input_wins_then_the_default():
    assert input_values(SPECS, {"in_product": "Orbit"}, {"in_product": "Nimbus"}) == {
        "product": "Orbit",
        "audience": "",
    }
    assert input_values(SPECS, {}, {"in_audience": "CFOs"}) == {
        "product": "Huddle",
        "audience": "CFOs",
    }


@pytest.fixture
def post(editor):
    return make_workflow(editor, title="Launch post", visibility="org")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["", "run/", "assembly/"], ids=["use", "run", "assembly"])
def test_every_page_starts_from_the_carried_inputs(post, member, login, path):
    page = login(member).get(f"/o/acme/library/{post.slug}/{path}", {"in_product": "Orbit CRM"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Orbit CRM"' in html


@pytest.mark.django_db
def test_the_assembly_shows_at_once_with_carried_inputs(post, member, login):
    html = (
        login(member)
        .get(f"/o/acme/library/{post.slug}/assembly/", {"in_product": "Orbit CRM"})
        .content.decode()
    )
    assert "Write a LinkedIn post announcing Orbit CRM." in html


@pytest.mark.django_db
def test_links_between_the_pages_carry_the_inputs(post, member, login):
    client = login(member)
    detail = client.get(f"/o/acme/library/{post.slug}/").content.decode()
    assert detail.count('data-carry-inputs="#run-form"') == 2  # Run it, Assembly preview
    assembly = client.get(f"/o/acme/library/{post.slug}/assembly/").content.decode()
    assert assembly.count('data-carry-inputs="#assembly-form"') == 2  # Use it, Run it
    manual = client.get(f"/o/acme/library/{post.slug}/run/").content.decode()
    assert 'data-carry-inputs="#run-form">Assembly preview' in manual


@pytest.mark.django_db
def test_a_direct_run_starts_in_one_click_from_the_workflow_page(post, admin, member, login):
    config = provider_create(
        actor=admin.actor,
        fields=ProviderFields(
            name="Team GPT", kind="openai_compatible", base_url="https://api.example.test/v1",
            model="gpt-test",
        ),
        api_key="sk-test-0000000000",
    )  # fmt: skip
    client = login(member)
    detail = client.get(f"/o/acme/library/{post.slug}/").content.decode()
    assert "Run it with Team GPT" in detail
    assert f'name="provider" value="{config.public_id}"' in detail
    start = client.get(f"/o/acme/library/{post.slug}/run/direct/", {"in_product": "Orbit CRM"})
    assert 'value="Orbit CRM"' in start.content.decode()
    with override_provider(lambda config, timeout: FakeProvider().enqueue("ok")):
        response = client.post(
            f"/o/acme/library/{post.slug}/run/direct/",
            {"provider": str(config.public_id), "in_product": "Orbit CRM"},
        )
    assert response.status_code == 302
    run = Run.objects.get(mode="direct")
    assert run.inputs["product"] == "Orbit CRM"
