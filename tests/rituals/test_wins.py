"""Wins: nominating, voting (one vote per member per week), picking, the vote deciding, and the
suggestions found in planted data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.library import services as library_services
from huddle.rituals import services, suggestions
from huddle.rituals.models import Vote, Win
from tests.factories import make_workflow
from tests.rituals.conftest import IN_WEEK, WEEK, run, shared_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(frozen_week, editor):
    workflow = shared_workflow(editor)
    return services.win_nominate(actor=editor.actor, story="6 h to 40 min", workflow=workflow)


def test_member_nominates_a_shared_workflow_for_this_week(candidate, editor):
    assert candidate.iso_week == WEEK
    assert candidate.nominated_by == editor.user
    assert candidate.story == "6 h to 40 min"
    assert not candidate.suggested


def test_a_private_workflow_cannot_be_nominated(frozen_week, editor):
    workflow = make_workflow(editor, title="Secret sauce")
    with pytest.raises(ValidationFailed, match="Share the workflow"):
        services.win_nominate(actor=editor.actor, story="", workflow=workflow)


def test_only_your_own_run_can_be_nominated(frozen_week, editor, member):
    workflow = shared_workflow(editor)
    theirs = run(editor, workflow)
    with pytest.raises(NotFound):
        services.win_nominate(actor=member.actor, story="", run=theirs)
    mine = run(member, workflow)
    assert services.win_nominate(actor=member.actor, story="", run=mine).run == mine


def test_the_same_subject_is_nominated_once_a_week(candidate, member):
    with pytest.raises(HuddleError, match="already a candidate"):
        services.win_nominate(actor=member.actor, story="again", workflow=candidate.workflow)


def test_viewers_vote_but_do_not_nominate(candidate, viewer):
    with pytest.raises(PermissionDenied):
        services.win_nominate(actor=viewer.actor, story="", workflow=candidate.workflow)
    assert services.win_vote(actor=viewer.actor, win=candidate).vote_count == 1


def test_one_vote_per_member_per_week_and_voting_again_moves_it(candidate, editor, member):
    other = services.win_nominate(
        actor=editor.actor, story="", workflow=shared_workflow(editor, title="Ad copy")
    )
    services.win_vote(actor=member.actor, win=candidate)
    services.win_vote(actor=member.actor, win=candidate)  # the same again: nothing changes
    services.win_vote(actor=member.actor, win=other)
    candidate.refresh_from_db()
    other.refresh_from_db()
    assert (candidate.vote_count, other.vote_count) == (0, 1)
    assert Vote.objects.filter(voter=member.user).count() == 1


def test_the_database_refuses_a_second_vote_in_a_week(candidate, editor, member):
    other = services.win_nominate(
        actor=editor.actor, story="", workflow=shared_workflow(editor, title="Ad copy")
    )
    services.win_vote(actor=member.actor, win=candidate)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            win=other, organization=other.organization, iso_week=WEEK, voter=member.user
        )


def test_outsiders_cannot_vote(candidate, outsider):
    with pytest.raises(NotFound):
        services.win_vote(actor=outsider.actor, win=candidate)


def test_voting_closes_when_the_win_is_picked(candidate, admin, member):
    with pytest.raises(PermissionDenied):
        services.win_choose(actor=member.actor, win=candidate)
    services.win_choose(actor=admin.actor, win=candidate)
    with pytest.raises(HuddleError, match="voting is over"):
        services.win_vote(actor=member.actor, win=candidate)


def test_voting_for_a_past_week_is_refused(candidate, member):
    Win.objects.filter(pk=candidate.pk).update(iso_week="2026-W09")
    candidate.refresh_from_db()
    with pytest.raises(HuddleError, match="over"):
        services.win_vote(actor=member.actor, win=candidate)


def test_the_vote_decides_a_finished_week_and_ties_go_to_a_nomination(
    candidate, org, editor, member, viewer
):
    suggested = Win.objects.create(
        organization=org, iso_week=WEEK, workflow=shared_workflow(editor, title="Ad copy"),
        suggested=True, reason="x",
    )  # fmt: skip
    services.win_vote(actor=member.actor, win=suggested)
    services.win_vote(actor=viewer.actor, win=candidate)
    winner = services.week_close(org, WEEK)
    assert winner == candidate
    assert winner.chosen
    assert winner.chosen_by is None
    assert services.week_close(org, WEEK) == candidate  # closing again changes nothing


def test_a_week_without_votes_has_no_winner(candidate, org):
    assert services.week_close(org, WEEK) is None


def test_suggestions_from_planted_data(org, editor, member, admin):
    report = shared_workflow(editor, title="Monthly report")
    ads = shared_workflow(editor, title="Search ads")
    private = make_workflow(admin, title="Private thing")
    run(member, report, spent=40, baseline=360)  # saves 320: the biggest
    run(admin, private, spent=1, baseline=600)  # bigger, but private: never on stage
    run(member, ads, spent=20, baseline=30, rating=5)
    run(admin, ads, spent=20, baseline=30)
    run(editor, ads, spent=20, baseline=30)  # the owner's own runs don't count as reuse
    run(member, report, spent=50, baseline=60, when=IN_WEEK - timedelta(weeks=2))
    # Both were published "now", not in WEEK: move the events into the week.
    from huddle.core.models import Event

    Event.objects.filter(kind="workflow.published", object_id=str(ads.public_id)).update(
        created_at=IN_WEEK
    )
    found = {s.reason: s for s in suggestions.suggest(org, WEEK)}
    assert found[suggestions.TIME_SAVED].run.workflow == report
    assert found[suggestions.TIME_SAVED].run.minutes_saved == 320
    assert found[suggestions.BEST_RATED].workflow == ads
    assert found[suggestions.MOST_REUSED].workflow == report  # ads is already suggested


def test_suggestions_become_candidates_once(org, editor, member):
    report = shared_workflow(editor)
    run(member, report, spent=40, baseline=360)
    assert len(services.wins_suggest(org, WEEK)) == 2  # biggest saving, most reused
    assert services.wins_suggest(org, WEEK) == []
    assert Win.objects.filter(organization=org, suggested=True).count() == 2


def test_nominating_a_suggestion_turns_it_into_a_nomination(frozen_week, org, editor, member):
    report = shared_workflow(editor)
    run(member, report, spent=40, baseline=360)
    services.wins_suggest(org, WEEK)
    win = services.win_nominate(actor=member.actor, story="Loved it", workflow=report)
    assert not win.suggested
    assert win.nominated_by == member.user
    assert Win.objects.filter(organization=org, workflow=report).count() == 1


def test_archived_workflows_are_not_suggested(org, editor, member):
    report = shared_workflow(editor)
    run(member, report, spent=40, baseline=360)
    library_services.workflow_archive(actor=editor.actor, workflow=report)
    assert suggestions.suggest(org, WEEK) == []
