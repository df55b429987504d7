"""Insights speak to analysts (issue 19 item 6): links only to what the viewer may open."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from huddle.accounts import policy
from huddle.accounts.models import Team, Visibility
from huddle.core.numbers import hours_text
from huddle.insights.metrics.phases import PhaseWeek, phase_spans
from huddle.insights.metrics.summary import concentration, summary, window_text
from huddle.insights.metrics.window import Window
from huddle.insights.views import week_labels
from huddle.library.models import Workflow
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"


def _share_with_another_team(org, slug: str) -> Workflow:
    team = Team.objects.create(organization=org, slug="field", name="Field marketing")
    workflow = Workflow.objects.get(slug=slug)
    workflow.visibility = Visibility.TEAM
    workflow.team = team
    workflow.save()
    return workflow


def test_visible_pks_leaves_out_a_workflow_shared_with_another_team(org, admin):
    standard_team(org)
    hidden = _share_with_another_team(org, "pat-0")
    open_one = Workflow.objects.get(slug="pat-1")
    pks = policy.visible_pks(admin.actor, Workflow)
    assert hidden.pk not in pks
    assert open_one.pk in pks


def test_a_workflow_the_viewer_cannot_open_is_text_not_a_link(org, admin, login):
    standard_team(org)
    _share_with_another_team(org, "pat-0")
    client = login(admin)
    page = client.get(f"/o/acme/insights/workflows/{PERIOD}").content.decode()
    title = Workflow.objects.get(slug="pat-0").title
    assert title in page  # its figures stay
    assert "/o/acme/library/pat-0/" not in page
    assert client.get("/o/acme/library/pat-0/").status_code == 404  # the link would have been
    assert "/o/acme/library/pat-1/" in page  # one they can open stays a link
    assert client.get("/o/acme/library/pat-1/").status_code == 200


# --- (b) a plain-language summary ---------------------------------------------------------


def test_the_summary_names_the_few_who_do_most_of_the_work():
    # 100 runs by 12 people: the top two make 40 + 15 = 55, the first reach past half.
    runs = [40, 15, 10, 5, 5, 5, 5, 5, 5, 5, 0, 0]
    assert concentration(runs) == (2, 0.55)
    text = summary(runs=runs, solo_workflows=3, minutes_saved=17955, period="the 8 weeks to x")
    assert text == (
        "2 of 12 people do 55% of the AI work; 2 have not used AI; "
        "3 workflows only their author uses. About 299 hours saved in the 8 weeks to x."
    )


def test_the_summary_speaks_in_the_singular_for_one():
    text = summary(runs=[9, 1, 0], solo_workflows=1, minutes_saved=45, period="p")
    assert text == (
        "1 of 3 people does 90% of the AI work; 1 has not used AI; "
        "1 workflow only its author uses. About 45 minutes saved in p."
    )
    assert summary(runs=[3], solo_workflows=0, minutes_saved=120, period="p") == (
        "1 person does all the AI work. About 2.0 hours saved in p."
    )


def test_the_summary_of_an_empty_organisation_says_so():
    assert summary(runs=[], solo_workflows=None, minutes_saved=0, period="p") == (
        "Nobody is here yet: no members in p."
    )
    assert summary(runs=[0, 0], solo_workflows=0, minutes_saved=0, period="p") == (
        "None of the 2 people here recorded an AI run in p."
    )
    assert concentration([0, 0]) == (0, 0.0)


def test_the_window_is_named_in_words():
    assert window_text(date(2026, 10, 4), 8) == "the 8 weeks to 4 Oct 2026"
    assert window_text(date(2026, 10, 4), 1) == "the 1 week to 4 Oct 2026"


def test_the_overview_leads_with_the_summary_and_keeps_the_maths_behind_a_disclosure(
    org, admin, login
):
    standard_team(org)
    response = login(admin).get(f"/o/acme/insights/{PERIOD}")
    page = response.content.decode()
    report = response.context["report"]
    assert report.summary in page
    assert "of the AI work" in report.summary
    assert report.summary.endswith("saved in the 8 weeks to 4 Oct 2026.")
    summary_at = page.index('id="summary"')
    details_at = page.index('<details class="card" id="how-computed">')
    assert summary_at < details_at < page.index("Gini coefficient") < page.index("robust z-score")
    assert page.index("Gini") > details_at  # no Gini before the disclosure


# --- (c) hours, and the window each figure covers -------------------------------------------


def test_insights_speak_in_hours_and_name_their_window(org, admin, login):
    standard_team(org)
    client = login(admin)
    response = client.get(f"/o/acme/insights/{PERIOD}")
    page = response.content.decode()
    report = response.context["report"]
    assert report.institution.minutes > 600  # enough to be said in hours
    saved = hours_text(report.institution.minutes)
    assert saved.endswith(" hours")
    assert f"<strong>{saved}</strong> saved" in page
    assert "minutes saved" not in page.lower()
    chart = response.context["chart"]
    assert sum(chart["hours"]) == pytest.approx(report.institution.minutes / 60, abs=1)
    for tab in ("", "workflows/", "phases/"):
        text = client.get(f"/o/acme/insights/{tab}{PERIOD}").content.decode()
        assert "every figure here covers the 8 weeks to 4 Oct 2026" in text, tab
        assert "Mon 10 Aug to Sun 4 Oct 2026" in text, tab


# --- (d) the week in progress, and a phase timeline that shows change -------------------------


def _week(start: str, phase: str) -> PhaseWeek:
    zeros = dict.fromkeys(
        ("breadth", "gini", "trend", "reuse", "reach", "top_reuse", "sharing"), 0.0
    )
    counts = dict.fromkeys(
        ("top_group", "runs", "shares", "asks", "gap_weeks", "divergent_weeks"), 0
    )
    return PhaseWeek(week_start=start, phase=phase, **zeros, **counts)


def test_weeks_of_the_same_phase_collapse_into_one_span_with_its_dates():
    weeks = [
        _week("2026-09-07", "exploration"),
        _week("2026-09-14", "exploration"),
        _week("2026-09-21", "exploration"),
        _week("2026-09-28", "divergence"),
        _week("2026-10-05", "divergence"),
    ]
    spans = phase_spans(weeks, date(2026, 10, 8))  # a Thursday: the last week is in progress
    assert [(s.phase, s.start, s.end, s.weeks) for s in spans] == [
        ("exploration", date(2026, 9, 7), date(2026, 9, 27), 3),
        ("divergence", date(2026, 9, 28), date(2026, 10, 8), 2),
    ]
    assert phase_spans([], date(2026, 10, 8)) == []


def test_the_week_in_progress_is_labelled_partial():
    assert Window(date(2026, 10, 8), 8).days_in_last_week == 4  # Monday to Thursday
    assert Window(date(2026, 10, 4), 8).days_in_last_week == 7  # a Sunday: complete
    labels = week_labels(Window(date(2026, 10, 8), 2))
    assert labels == ["2026-09-28", "2026-10-05, 4 of 7 days so far"]
    assert week_labels(Window(date(2026, 10, 4), 1)) == ["2026-09-28"]


def test_the_overview_marks_the_partial_week_and_lists_phase_changes(org, admin, login):
    standard_team(org)
    client = login(admin)
    thursday = client.get("/o/acme/insights/?as_of=2026-10-01&weeks=8")
    chart = thursday.context["chart"]
    assert chart["partial"] is True
    assert chart["weeks"][-1] == "2026-09-28, 4 of 7 days so far"
    sunday = client.get(f"/o/acme/insights/{PERIOD}")
    assert sunday.context["chart"]["partial"] is False
    spans = sunday.context["chart"]["phase_spans"]
    assert sum(s["weeks"] for s in spans) == 8
    assert all(a["phase"] != b["phase"] for a, b in itertools.pairwise(spans))
    page = sunday.content.decode()
    listed = page[page.index('id="phase-spans"') :]
    assert listed.count("<li>") >= len(spans)
    assert f"({spans[-1]['weeks']} week" in listed
    assert "4 Oct 2026" in listed


def test_the_api_gives_the_summary_and_the_phase_spans(org, admin, member, api_client):
    standard_team(org)
    data = api_client(member).get(f"/api/v1/insights?as_of={AS_OF}").json()
    assert "of the AI work" in data["summary"]
    assert data["period"] == "the 8 weeks to 4 Oct 2026"
    assert sum(s["weeks"] for s in data["phase_spans"]) == 8
    assert data["phase_spans"][-1]["end"] == "2026-10-04"
