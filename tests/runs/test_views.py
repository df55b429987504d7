"""The copy-paste run over HTTP, the runs pages, and who sees what."""

from __future__ import annotations

import pytest

from huddle.runs.models import Run
from huddle.runs.services import Figures, StepRecord, run_record
from tests.factories import make_workflow
from tests.runs.conftest import beside

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(editor):
    return make_workflow(
        editor,
        title="Blog from notes",
        kind="chain",
        visibility="org",
        steps=[
            {"name": "outline", "template": "Outline a post about {{ topic }}."},
            {"name": "draft", "template": "Write the post from:\n{{ steps.outline.output }}"},
        ],
        inputs=["topic"],
        content={"baseline_minutes": 120, "system": "You write for Acme."},
    )


def test_manual_run_of_a_two_step_chain_end_to_end(chain, member, login):
    client = login(member)
    url = f"/o/acme/library/{chain.slug}/run/"
    page = client.get(url)
    assert b"Prepare the prompt" in page.content
    step1 = client.post(url, {"action": "start", "in_topic": "AI rituals"})
    assert b"Outline a post about AI rituals." in step1.content
    assert b"You write for Acme." in step1.content
    not_yet = client.post(url, {"action": "next", "in_topic": "AI rituals", "out_0": ""})
    assert b"Paste the AI&#x27;s answer to step 1 first." in not_yet.content
    step2 = client.post(
        url, {"action": "next", "in_topic": "AI rituals", "out_0": "1. Why\n2. How"}
    )
    assert b"Write the post from:\n1. Why\n2. How" in step2.content
    final = client.post(
        url,
        {
            "action": "next",
            "in_topic": "AI rituals",
            "out_0": "1. Why\n2. How",
            "out_1": "The post.",
        },
    )
    assert b"Minutes it used to take" in final.content
    assert b'value="120"' in final.content  # baseline prefilled from the workflow
    saved = client.post(
        url,
        {
            "action": "save",
            "in_topic": "AI rituals",
            "out_0": "1. Why\n2. How",
            "out_1": "The post.",
            "final_text": "The post, edited.",
            "minutes_spent": "25",
            "baseline_minutes": "120",
            "rating": "5",
            "share_text": "on",
        },
    )
    assert saved.status_code == 302
    run = Run.objects.get()
    assert run.user == member.user
    assert [s.prompt for s in run.steps.all()] == [
        "Outline a post about AI rituals.",
        "Write the post from:\n1. Why\n2. How",
    ]
    assert run.system_prompt == "You write for Acme."
    assert (run.minutes_saved, run.rating, run.share_text) == (95, 5, True)
    detail = client.get(saved["Location"])
    assert b"The post, edited." in detail.content
    workflow_page = client.get(f"/o/acme/library/{chain.slug}/")
    assert b"4.8\xc3\x97 faster" in workflow_page.content


def test_saving_with_bad_minutes_keeps_everything_typed(chain, member, login):
    response = login(member).post(
        f"/o/acme/library/{chain.slug}/run/",
        {
            "action": "save",
            "in_topic": "x",
            "out_0": "a",
            "out_1": "b",
            "final_text": "kept",
            "minutes_spent": "a while",
        },
    )
    assert response.status_code == 200
    assert b"Time spent must be a number of minutes." in response.content
    assert b"kept" in response.content
    assert not Run.objects.exists()


def test_viewers_cannot_run_and_outsiders_get_404(chain, viewer, outsider, login):
    assert login(viewer).get(f"/o/acme/library/{chain.slug}/run/").status_code == 403
    assert login(outsider).get(f"/o/acme/library/{chain.slug}/run/").status_code == 404
    assert login(outsider).get("/o/acme/runs/").status_code == 404


def _run(persona, workflow, share):
    return run_record(
        actor=persona.actor,
        workflow=workflow,
        version=None,
        inputs={"topic": "secret topic"},
        steps=[StepRecord("outline", "prompt text", "AI said SECRET-OUTPUT")],
        final_text="FINAL-SECRET",
        figures=Figures(minutes_spent=5, baseline_minutes=50),
        share_text=share,
    )


def test_run_pages_show_texts_only_to_the_author_or_owner_when_shared(
    chain, member, editor, admin, outsider, login
):
    shared, private = _run(member, chain, True), _run(member, chain, False)
    editor_client = login(editor)
    assert b"FINAL-SECRET" in editor_client.get(f"/o/acme/runs/{shared.public_id}/").content
    hidden = editor_client.get(f"/o/acme/runs/{private.public_id}/")
    assert hidden.status_code == 200
    assert b"FINAL-SECRET" not in hidden.content
    assert b"private to" in hidden.content
    assert login(admin).get(f"/o/acme/runs/{shared.public_id}/").status_code == 404
    assert login(outsider).get(f"/o/acme/runs/{shared.public_id}/").status_code == 404
    admin_index = login(admin).get("/o/acme/runs/")
    assert b"minutes saved by 1 person (2 runs)" in admin_index.content
    assert b"FINAL-SECRET" not in admin_index.content


def test_runs_index_lists_my_runs_and_time_saved(chain, member, login):
    _run(member, chain, False)
    page = login(member).get("/o/acme/runs/")
    assert b"Blog from notes" in page.content
    assert b"<strong>45</strong> minutes you saved" in page.content


# --- bad input: named next to its field, what was typed stays, nothing is written (issue 20) ---


FINAL = {
    "action": "save", "in_topic": "AI rituals", "out_0": "1. Why", "out_1": "The post.",
    "final_text": "The post, edited.", "minutes_spent": "25", "baseline_minutes": "120",
}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rating", "6", "The rating is 1 to 5 stars."),
        ("rating", "five", "The rating is 1 to 5 stars."),
        ("baseline_minutes", "-3", "Time without AI must be between 0 and 10080 minutes."),
        ("minutes_spent", "1" * 31, "Ensure this value has at most 30 characters (it has 31)."),
        ("rating_note", "n" * 501, "Ensure this value has at most 500 characters (it has 501)."),
    ],
)
def test_bad_figures_are_named_next_to_their_field(chain, member, login, field, value, message):
    response = login(member).post(f"/o/acme/library/{chain.slug}/run/", {**FINAL, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check the run." in page
    assert message.replace("'", "&#x27;") in beside(page, field)
    assert "The post, edited." in page  # what was typed stays
    assert not Run.objects.exists()


def test_an_unknown_action_says_so_and_saves_nothing(chain, member, login):
    response = login(member).post(
        f"/o/acme/library/{chain.slug}/run/", {**FINAL, "action": "publish"}
    )
    assert "Select a valid choice. publish is not one of the available choices." in (
        response.content.decode()
    )
    assert not Run.objects.exists()


def test_good_figures_still_save_the_run(chain, member, login):
    response = login(member).post(
        f"/o/acme/library/{chain.slug}/run/",
        {**FINAL, "final_text": "Line one\r\nLine two", "rating_note": "  handy  "},
    )
    assert response.status_code == 302
    run = Run.objects.get()
    assert (run.final_text, run.rating_note, run.minutes_saved) == (
        "Line one\nLine two", "handy", 95,
    )  # fmt: skip
