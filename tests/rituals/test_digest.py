"""The digest: content on a fixed dataset (figures agree with ``runs.queries.time_saved``),
Markdown, editing, and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from huddle.core.errors import HuddleError, PermissionDenied
from huddle.insights.models import SpotlightOptOut
from huddle.library import services as library_services
from huddle.rituals import digest, services
from huddle.rituals.delivery import digest_send
from huddle.rituals.models import DigestStatus
from huddle.runs.models import Run
from huddle.runs.queries import time_saved
from tests.rituals.conftest import IN_WEEK, WEEK, run, shared_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(frozen_week, org, editor, member, admin):
    report = shared_workflow(editor, title="Monthly report")
    library_services.workflow_endorse(actor=editor.actor, workflow=report)
    run(member, report, spent=40, baseline=360, rating=5)
    run(member, report, spent=30, baseline=60)
    run(admin, report, spent=20, baseline=45)
    run(editor, None, spent=5, baseline=15)
    for back in (1, 2, 3):
        run(member, report, spent=10, baseline=10 + 20 * back, when=IN_WEEK - timedelta(weeks=back))
    win = services.win_nominate(actor=editor.actor, story="6 h to 40 min", workflow=report)
    services.win_vote(actor=member.actor, win=win)
    services.ask_create(actor=member.actor, text="Is there a workflow for webinar emails?")
    return {"report": report, "win": win}


def test_minutes_saved_agree_with_time_saved(dataset, org):
    content = digest.digest_content(org, WEEK)
    week_runs = Run.objects.filter(
        organization=org,
        started_at__gte=IN_WEEK - timedelta(days=2),
        started_at__lt=IN_WEEK + timedelta(days=5),
    )
    assert content["minutes_saved"] == time_saved(week_runs).minutes_saved == 385
    assert content["timed_runs"] == 4
    assert [t["week"] for t in content["trend"]] == ["2026-W07", "2026-W08", "2026-W09", WEEK]
    assert [t["minutes_saved"] for t in content["trend"]] == [60, 40, 20, 385]


def test_the_digest_shows_candidates_until_a_win_is_picked(dataset, org, admin):
    content = digest.digest_content(org, WEEK)
    assert content["win"] is None
    assert content["candidates"][0]["title"] == "Monthly report"
    assert content["candidates"][0]["votes"] == 1
    services.win_choose(actor=admin.actor, win=dataset["win"])
    content = digest.digest_content(org, WEEK)
    assert content["win"]["story"] == "6 h to 40 min"


def test_digest_sections(dataset, org):
    content = digest.digest_content(org, WEEK)
    assert content["spotlight"]["name"] == "Member Person"  # saved 350 minutes this week
    assert content["try_this"]["title"] == "Monthly report"
    assert [a["text"] for a in content["open_asks"]] == ["Is there a workflow for webinar emails?"]
    assert [a["minutes"] for a in content["agenda"]] == [3, 5, 5, 2]
    assert sum(a["minutes"] for a in content["agenda"]) == 15
    markdown = digest.to_markdown(content)
    assert "## The 15-minute agenda" in markdown
    assert "6.4 hours" in markdown  # 385 minutes
    assert "Power-user spotlight" in markdown


def test_spotlight_respects_opt_outs(dataset, org, member):
    SpotlightOptOut.objects.create(membership=member.membership)
    assert digest.digest_content(org, WEEK)["spotlight"]["name"] == "Admin Person"


def test_draft_edit_and_redraft_keep_edits(dataset, org, admin, member):
    draft = digest.digest_draft(org, WEEK)
    assert draft.status == DigestStatus.DRAFT
    with pytest.raises(PermissionDenied):
        digest.digest_edit(actor=member.actor, digest=draft, markdown="x")
    digest.digest_edit(actor=admin.actor, digest=draft, markdown="# Edited by hand")
    again = digest.digest_draft(org, WEEK)
    assert again.markdown == "# Edited by hand"
    digest_send(actor=admin.actor, digest=again)
    with pytest.raises(HuddleError, match="has been sent"):
        digest.digest_edit(actor=admin.actor, digest=again, markdown="late")


def test_members_read_sent_digests_only(dataset, org, admin, member, outsider, login):
    draft = digest.digest_draft(org, WEEK)
    url = f"/o/acme/wins/digest/{WEEK}/"
    assert login(member).get(url).status_code == 404
    assert login(admin).get(url).status_code == 200
    assert login(outsider).get(url).status_code == 404
    digest_send(actor=admin.actor, digest=draft)
    page = login(member).get(url)
    assert page.status_code == 200
    assert "The 15-minute agenda" in page.content.decode()
    assert "Edit before sending" not in page.content.decode()


def test_admin_edits_the_draft_on_the_page(dataset, org, admin, login):
    digest.digest_draft(org, WEEK)
    client = login(admin)
    url = f"/o/acme/wins/digest/{WEEK}/"
    response = client.post(url, {"markdown": "# Our week\n\nGreat **work**.", "action": "save"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<strong>work</strong>" in page
