"""Every door that records a completed run stores its on-brand score (issue 20, item 1).

The brand check used to run only from the copy-paste page; runs logged through the API, imported
with ``huddle runs import`` or finished as a direct run had no score. The runs services now call
the hook whatever the door, so each of the four gets the same score for the same text.
"""

from __future__ import annotations

import json

import pytest

from huddle.cli import run as cli
from huddle.runs.models import Run
from huddle.runs.providers.services import ProviderFields, provider_create
from tests.brand.helpers import brand_context
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db

TEXT = "Synergy rocks."  # a banned term (-20) and a missing call to action (-5)
SCORE = 100 - 20 - 5


@pytest.fixture
def post(editor):
    brand_context(editor)
    return make_workflow(editor, title="Post", visibility="org", inputs=[],
                         steps=["Write a post."],
                         content={"required_elements": ["cta"]})  # fmt: skip


def only_run():
    run = Run.objects.select_related("brand_check").get()
    assert run.status == "completed"
    return run


def test_a_run_saved_on_the_page_gets_its_brand_score(member, post, login):
    login(member).post(
        f"/o/acme/library/{post.slug}/run/",
        {"action": "save", "out_0": TEXT, "final_text": TEXT},
    )
    assert only_run().brand_check.score == SCORE


def test_a_run_logged_through_the_api_gets_its_brand_score(member, post, api_client):
    response = api_client(member).post(
        "/api/v1/runs",
        {"workflow": post.slug, "output": TEXT, "final_text": TEXT},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert only_run().brand_check.score == SCORE


def test_a_run_imported_from_the_cli_gets_its_brand_score(member, post, tmp_path, capsys):
    path = tmp_path / "runs.jsonl"
    line = {"user": member.user.email, "workflow": post.slug, "output": TEXT, "final_text": TEXT,
            "started_at": "2026-11-02T09:30:00Z", "minutes_spent": 5}  # fmt: skip
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert cli(["runs", "import", str(path), "--org", "acme", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == 1
    run = only_run()
    # An imported line names no version, so the workflow's required elements are not checked.
    assert run.brand_check.score == 100 - 20
    assert run.brand_check.blocking


def test_a_direct_run_gets_its_brand_score(admin, member, post, fake_provider, api_client):
    provider_create(
        actor=admin.actor,
        fields=ProviderFields(name="Local", kind="openai_compatible",
                              base_url="https://api.example.test/v1", model="test-model"),
        api_key="sk-test-key-123456",
    )  # fmt: skip
    fake_provider.enqueue(TEXT)
    response = api_client(member).post(
        f"/api/v1/workflows/{post.slug}/run", {}, content_type="application/json"
    )
    assert response.status_code == 201
    assert only_run().brand_check.score == SCORE


def test_a_run_still_in_progress_has_no_brand_score_yet(admin, member, post, fake_provider, login):
    config = provider_create(
        actor=admin.actor,
        fields=ProviderFields(name="Local", kind="openai_compatible",
                              base_url="https://api.example.test/v1", model="test-model"),
        api_key="sk-test-key-123456",
    )  # fmt: skip
    start = login(member).post(
        f"/o/acme/library/{post.slug}/run/direct/", {"provider": str(config.public_id)}
    )
    assert start.status_code == 302
    run = Run.objects.get()
    assert run.status == "running"
    assert not hasattr(run, "brand_check")
