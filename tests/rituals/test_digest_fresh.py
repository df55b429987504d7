"""Issue 19, item 2: the digest is never stale. Its draft is computed again whenever it is read
and when it is sent, it names the picked win, counts in the right number ("1 vote"), and says
when its figures cover a week that has not ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huddle.core.models import Event
from huddle.rituals import digest, services
from huddle.rituals.delivery import digest_send, subject_of
from huddle.rituals.models import Digest, DigestStatus
from tests.rituals.conftest import IN_WEEK, WEEK, run, shared_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(frozen_week, org, editor, member):
    report = shared_workflow(editor, title="Monthly report")
    run(member, report, spent=10, baseline=40)
    win = services.win_nominate(actor=editor.actor, story="Done by lunch", workflow=report)
    return {"report": report, "win": win}


def test_a_draft_opened_before_a_run_and_a_pick_sends_the_run_and_the_pick(
    week, org, admin, member
):
    draft = digest.digest_draft(org, WEEK)
    assert "over 1 timed run." in draft.markdown
    assert "This week's candidates" in draft.markdown
    assert "(0 votes)" in draft.markdown

    run(member, week["report"], spent=5, baseline=35)
    services.win_vote(actor=member.actor, win=week["win"])
    services.win_choose(actor=admin.actor, win=week["win"])
    digest_send(actor=admin.actor, digest=draft)

    sent = Digest.objects.get(pk=draft.pk)
    assert sent.status == DigestStatus.SENT
    assert "## 🏆 The Win of the Week: Monthly report" in sent.markdown
    assert "with 1 vote." in sent.markdown
    assert "over 2 timed runs." in sent.markdown
    assert "This week's candidates" not in sent.markdown
    assert (
        subject_of(sent)
        == "AI Win of the Week — Week 10, 2 Mar 2026: Monthly report (Acme Marketing)"
    )


def test_reading_the_draft_again_refreshes_its_figures(week, org, member):
    first = digest.digest_draft(org, WEEK)
    run(member, week["report"], spent=5, baseline=125)
    again = digest.digest_draft(org, WEEK)
    assert again.pk == first.pk
    assert again.content["timed_runs"] == 2
    assert again.content["minutes_saved"] == first.content["minutes_saved"] + 120


def test_an_edited_draft_keeps_its_words_and_says_when_the_data_moved_on(week, org, admin, member):
    draft = digest.digest_draft(org, WEEK)
    digest.digest_edit(actor=admin.actor, digest=draft, markdown="# By hand")
    assert digest.digest_stale(Digest.objects.get(pk=draft.pk)) is False
    run(member, week["report"])
    edited = digest.digest_draft(org, WEEK)
    assert edited.markdown == "# By hand"
    assert digest.digest_stale(edited) is True

    redrafted = digest.digest_redraft(actor=admin.actor, digest=edited)
    assert redrafted.edited_by is None
    assert "over 2 timed runs." in redrafted.markdown
    assert digest.digest_stale(redrafted) is False
    assert Event.objects.filter(kind="digest.redrafted", object_id=str(draft.public_id)).exists()


def test_only_ritual_managers_redraft(week, org, member):
    from huddle.core.errors import PermissionDenied

    draft = digest.digest_draft(org, WEEK)
    with pytest.raises(PermissionDenied):
        digest.digest_redraft(actor=member.actor, digest=draft)


def test_a_week_in_progress_says_so_and_its_trend_point_is_partial(week, org, monkeypatch):
    monkeypatch.setattr(digest.timezone, "now", lambda: IN_WEEK + timedelta(hours=1))
    content = digest.digest_content(org, WEEK)
    assert content["in_progress"] is True
    assert [t["partial"] for t in content["trend"]] == [False, False, False, True]
    markdown = digest.to_markdown(content)
    assert "saved so far this week" in markdown
    assert "it ends on Sunday 8 March" in markdown
    assert markdown.count("(so far)") == 1


def test_a_finished_week_has_no_so_far(week, org):
    assert timezone.now() > IN_WEEK + timedelta(days=7)
    content = digest.digest_content(org, WEEK)
    assert content["in_progress"] is False
    assert "so far" not in digest.to_markdown(content)


def test_the_digest_page_shows_fresh_figures_and_offers_a_redraft(week, org, admin, member, login):
    client = login(admin)
    url = f"/o/acme/wins/digest/{WEEK}/"
    assert client.get(f"/o/acme/wins/digest/?week={WEEK}").status_code == 302
    assert "over 1 timed run." in client.get(url).content.decode()
    run(member, week["report"])
    assert "over 2 timed runs." in client.get(url).content.decode()

    client.post(url, {"action": "save", "markdown": "# Mine"})
    services.win_choose(actor=admin.actor, win=week["win"])
    page = client.get(url).content.decode()
    assert "figures changed since this draft was edited" in page
    assert client.post(url, {"action": "redraft"}).status_code == 302
    page = client.get(url).content.decode()
    assert "figures changed" not in page
    assert "The Win of the Week: Monthly report" in page

    response = client.post(f"{url}send/", follow=True)
    assert "Sent: " in response.content.decode()


def test_an_edited_draft_is_sent_as_written_with_a_line_giving_the_new_figures(
    week, org, admin, member
):
    draft = digest.digest_draft(org, WEEK)
    digest.digest_edit(actor=admin.actor, digest=draft, markdown="# By hand\n\nA great week.")
    run(member, week["report"], spent=5, baseline=125)
    services.win_choose(actor=admin.actor, win=week["win"])
    digest_send(actor=admin.actor, digest=Digest.objects.get(pk=draft.pk))

    sent = Digest.objects.get(pk=draft.pk)
    assert sent.markdown.startswith("# By hand\n\nA great week.\n\n")
    assert sent.markdown.rstrip().endswith(
        "_Updated when sent: the pick is now “Monthly report”; 2 timed runs saved 2.5 hours "
        "(was 1 and 30 minutes)._"
    )
    assert sent.content["timed_runs"] == 2  # the figures stored are the ones sent


def test_an_edited_draft_whose_figures_held_is_sent_untouched(week, org, admin):
    draft = digest.digest_draft(org, WEEK)
    digest.digest_edit(actor=admin.actor, digest=draft, markdown="# By hand")
    digest_send(actor=admin.actor, digest=Digest.objects.get(pk=draft.pk))
    assert Digest.objects.get(pk=draft.pk).markdown == "# By hand"


def test_the_update_line_names_each_figure_that_moved():
    seen = {"win": None, "timed_runs": 3, "minutes_saved": 90, "open_asks_total": 2}
    assert digest.figures_update(seen, dict(seen)) == ""
    now = {**seen, "open_asks_total": 1, "win": {"title": "Launch *post*"}}
    assert digest.figures_update(seen, now) == (
        "_Updated when sent: the pick is now “Launch \\*post\\*”; 1 ask open (was 2)._"
    )
    assert "no win is picked" in digest.figures_update(now, seen)
