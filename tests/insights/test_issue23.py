"""Planted truth for issue 23: know-how latency, "is it closing?", the divide by source."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from huddle.accounts.models import Membership, Organization, User
from huddle.core.models import Event
from huddle.insights import rollup
from huddle.library.models import Visibility, Workflow
from huddle.runs.models import Run
from tests.insights.simulate import AS_OF, Spec, constant, simulate


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _people(org: Organization, n: int, prefix: str = "p") -> list[User]:
    users = User.objects.bulk_create([User(email=f"{prefix}{i}@plant.test") for i in range(n)])
    Membership.objects.bulk_create([Membership(organization=org, user=u) for u in users])
    return users


def _run(org, user, workflow, day):
    return Run(
        organization=org,
        user=user,
        workflow=workflow,
        started_at=_at(day),
        minutes_spent=10,
        baseline_minutes=60,
    )


# --- know-how latency ------------------------------------------------------------------------


def test_a_pattern_adopted_after_9_days_and_one_never_adopted_are_found(org, report_for):
    people = _people(org, 12)
    author = people[0]
    start = AS_OF - timedelta(days=40)
    adopted = Workflow.objects.create(
        organization=org, owner=author, slug="adopted", title="Adopted", visibility=Visibility.ORG
    )
    hoarded = Workflow.objects.create(organization=org, owner=author, slug="kept", title="Kept")
    Workflow.objects.filter(pk__in=[adopted.pk, hoarded.pk]).update(created_at=_at(start, 10))
    runs = [_run(org, author, adopted, start), _run(org, author, hoarded, start)]
    runs += [_run(org, author, hoarded, start + timedelta(days=d)) for d in (3, 10, 20)]
    # Colleague i first runs it on day 9 + 2i: the 1st after 9 days, the 3rd after 13, the
    # 10th after 27; the first colleague runs it again (not a new person).
    runs += [_run(org, people[i], adopted, start + timedelta(days=7 + 2 * i)) for i in range(1, 11)]
    runs += [_run(org, people[1], adopted, start + timedelta(days=10))]
    Run.objects.bulk_create(runs)
    rollup.invalidate(org)
    latency = report_for(org, weeks=8).latency
    assert latency.workflows == 2
    assert latency.median_days == {1: 9.0, 3: 13.0, 10: 27.0}
    assert latency.reached == {1: 1, 3: 1, 10: 1}
    assert [w.slug for w in latency.never_left] == ["kept"]
    # Time saved: 50 minutes a run; the adopted workflow's runs in the window over all runs.
    window_start = AS_OF - timedelta(weeks=8)
    in_window = [r for r in runs if r.started_at.date() > window_start]
    shared = [r for r in in_window if r.workflow_id == adopted.pk]
    assert latency.shared_minutes_share == round(len(shared) / len(in_window), 3)


# --- is it closing? --------------------------------------------------------------------------


def _ritual_team(org, *, voters_change: bool):
    """20 members: 2 power users at 15 runs a week, 18 at 1 a week on their own workflows. From
    week 10 a weekly win is chosen and 12 of the 18 vote; when ``voters_change`` they then run
    the winners' shared workflows 4 times a week."""
    start_week = 10
    rise = (lambda w: 1 if w < start_week + 1 else 5) if voters_change else constant(1)
    specs = [Spec(f"power{i}@sim.test", constant(15), owns=2, shared_from=0) for i in range(2)]
    specs += [
        Spec(f"voter{i}@sim.test", rise, owns=1, reuse=0.8 if voters_change else 0.0)
        for i in range(12)
    ]
    specs += [Spec(f"quiet{i}@sim.test", constant(1), owns=1) for i in range(6)]
    sim = simulate(org, specs, weeks=24)
    first_week = AS_OF - timedelta(days=AS_OF.weekday()) - timedelta(weeks=23)
    events = []
    for week in range(start_week, 24):
        monday = first_week + timedelta(weeks=week)
        events.append(Event(organization=org, kind="win.chosen", created_at=_at(monday, 16)))
        for i in range(12):
            events.append(
                Event(
                    organization=org,
                    actor=sim.users[f"voter{i}@sim.test"],
                    kind="win.voted",
                    object_id=f"win-{week}",
                    created_at=_at(monday + timedelta(days=1)),
                )
            )
    Event.objects.bulk_create(events)
    return first_week + timedelta(weeks=start_week)


def test_a_divide_that_closes_after_the_weekly_win_starts_is_found(org, report_for):
    started = _ritual_team(org, voters_change=True)
    report = report_for(org, weeks=12)
    closing = report.closing
    win = next(e for e in closing.effects if e.kind == "win")
    assert win.exposed == 12
    assert win.comparison == 8
    assert win.runs > 2  # about +4 runs a week
    assert win.runs_interval[0] > 0  # and the interval excludes 0
    assert win.reuse > 1
    assert win.reuse_interval[0] > 0
    assert "narrowed" in closing.verdict
    assert f"since the weekly win started ({started:%Y-%m})" in closing.verdict
    assert closing.months[-1].gini < closing.months[0].gini - 0.05
    assert closing.caveats


def test_a_divide_that_does_not_close_is_not_called_closing(org, report_for):
    _ritual_team(org, voters_change=False)
    closing = report_for(org, weeks=12).closing
    win = next(e for e in closing.effects if e.kind == "win")
    assert win.exposed == 12
    low, high = win.runs_interval
    assert low <= 0 <= high  # no effect: the interval holds zero
    assert "narrowed" not in closing.verdict
    assert "held" in closing.verdict


def test_a_divide_that_closes_in_the_usage_reports_is_found_there(org, report_for):
    """Nobody records runs in Huddle, but ChatGPT's report shows it: 2 heavy users at 100
    messages a week, 18 at 5; from week 10 twelve of them vote for the weekly win and their
    messages rise to 60 a week. The usage reading finds the effect and the narrowing."""
    from huddle.usage.services import usage_import

    sim = simulate(org, [Spec(f"p{i}@sim.test", constant(0)) for i in range(20)], weeks=24)
    emails = sorted(sim.users)
    heavy, voters = emails[:2], emails[2:14]
    first_week = AS_OF - timedelta(days=AS_OF.weekday()) - timedelta(weeks=23)
    lines, events = ["email,date,tool,messages,active_minutes"], []
    for week in range(24):
        monday = first_week + timedelta(weeks=week)
        for email in emails:
            weekly = 100 if email in heavy else (60 if email in voters and week > 10 else 5)
            lines += [f"{email},{monday + timedelta(days=d)},chatgpt,{weekly // 5},20"
                      for d in range(5)]  # fmt: skip
        if week >= 10:
            events += [
                Event(organization=org, actor=sim.users[email], kind="win.voted",
                      object_id=f"win-{week}", created_at=_at(monday + timedelta(days=1)))
                for email in voters
            ]  # fmt: skip
    Event.objects.bulk_create(events)
    usage_import(
        actor=None, organization=org, source="generic",
        stream=io.BytesIO(("\n".join(lines) + "\n").encode()),
    )  # fmt: skip
    closing = report_for(org, weeks=12).closing
    assert "Not enough months" in closing.verdict  # on runs: nobody ran anything
    on_usage = closing.usage
    win = next(e for e in on_usage.effects if e.kind == "win")
    assert win.exposed == 12
    assert win.runs > 40  # +55 messages a week against the not-yet-exposed
    assert win.runs_interval[0] > 0
    assert win.reuse is None  # reports know no workflows
    assert "narrowed" in on_usage.verdict
    assert on_usage.months[-1].gini < on_usage.months[0].gini - 0.05
    assert report_for(org, weeks=12).as_dict()["is_it_closing"]["on_usage_reports"]["verdict"]


def test_without_usage_reports_there_is_no_usage_reading(org, report_for):
    _ritual_team(org, voters_change=True)
    assert report_for(org, weeks=12).closing.usage is None


def test_answered_asks_expose_the_person_who_asked_not_anonymous_askers(org, report_for):
    people = _people(org, 3)
    simulate(org, [Spec("x@sim.test", constant(2), owns=1)], weeks=20)
    when = _at(AS_OF - timedelta(weeks=10))
    Event.objects.bulk_create(
        [
            Event(organization=org, actor=people[0], kind="ask.created", object_id="a1",
                  created_at=when),
            Event(organization=org, actor=None, kind="ask.created", object_id="a2",
                  created_at=when),
            Event(organization=org, actor=people[2], kind="ask.answered", object_id="a1",
                  created_at=when + timedelta(hours=1)),
            Event(organization=org, actor=people[2], kind="ask.answered", object_id="a2",
                  created_at=when + timedelta(hours=1)),
        ]
    )  # fmt: skip
    answer = next(e for e in report_for(org, weeks=12).closing.effects if e.kind == "answer")
    assert answer.exposed == 1
    assert answer.runs_interval is None  # one person: no interval is given


# --- the divide by source ----------------------------------------------------------------------


def test_the_divide_is_measured_on_usage_runs_or_both_and_the_page_says_which(
    org, admin, login, report_for
):
    from huddle.usage.services import usage_import

    sim = simulate(
        org,
        [Spec("heavy@sim.test", constant(10), owns=1)]
        + [Spec(f"light{i}@sim.test", constant(0)) for i in range(5)],
        weeks=8,
    )
    # In ChatGPT, everyone works alike: 20 messages a day, 5 days a week.
    monday = AS_OF - timedelta(days=AS_OF.weekday())
    lines = ["email,date,tool,messages,active_minutes"]
    for email in sim.users:
        for week in range(8):
            for day in range(5):
                when = monday - timedelta(weeks=week) + timedelta(days=day)
                lines.append(f"{email},{when},chatgpt,20,30")
    data = ("\n".join(lines) + "\n").encode()
    usage_import(actor=None, organization=org, source="generic", stream=io.BytesIO(data))
    sources = report_for(org).sources
    assert sources.has_usage
    assert sources.tools == ["chatgpt"]
    runs, usage, both = (sources.by_basis[b] for b in ("runs", "usage", "both"))
    assert runs.gini > 0.7  # one person runs everything in Huddle
    # …but in ChatGPT they all work alike (the 7th member, the admin, uses neither: 1/7)
    assert usage.gini == round(1 / 7, 3)
    assert 0 < both.gini < runs.gini
    assert usage.segments["power_user"] == 6  # 5 active days a week, every week
    assert runs.segments["skeptic"] == 6
    page = login(admin).get(f"/o/acme/insights/?as_of={AS_OF}&weeks=8").content.decode()
    assert "The divide by source" in page
    assert "Usage reports cover these weeks (chatgpt)" in page
    assert "The rest of this page is computed on runs." in page
    assert 'data-basis="usage"' in page
    assert "Is it closing?" in page
    assert 'id="closing-usage"' in page  # the same question asked of the usage reports
    assert "Know-how latency" in page


def test_without_a_usage_report_the_page_says_it_is_runs_only(org, admin, login):
    simulate(org, [Spec("a@sim.test", constant(3), owns=1)], weeks=8)
    page = login(admin).get(f"/o/acme/insights/?as_of={AS_OF}&weeks=8").content.decode()
    assert "No usage report covers these weeks" in page
    assert "/o/acme/usage/imports/" in page


def test_the_api_and_cli_report_carries_the_new_figures(org, capsys):
    import json

    from huddle.cli import run

    simulate(org, [Spec("a@sim.test", constant(3), owns=1)], weeks=8)
    assert run(["insights", "--org", "acme", "--as-of", str(AS_OF), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["divide_by_source"]) >= {"has_usage", "runs", "usage", "both"}
    assert data["is_it_closing"]["verdict"]
    assert "median_days_to_1" in data["know_how_latency"]


def test_workflows_that_never_left_their_author_link_only_where_the_viewer_may_open_them(
    org, admin, login
):
    author = _people(org, 3)[0]
    start = AS_OF - timedelta(days=20)
    private = Workflow.objects.create(organization=org, owner=author, slug="kept", title="Kept")
    shared = Workflow.objects.create(
        organization=org, owner=author, slug="open", title="Open one", visibility=Visibility.ORG
    )
    Run.objects.bulk_create(
        [_run(org, author, w, start + timedelta(days=d)) for w in (private, shared) for d in (0, 5)]
    )
    rollup.invalidate(org)
    page = login(admin).get(f"/o/acme/insights/?as_of={AS_OF}&weeks=8").content.decode()
    assert "Workflows whose know-how never left their author" in page
    assert 'href="/o/acme/library/open/"' in page
    assert ">Kept</span>" in page
    assert 'href="/o/acme/library/kept/"' not in page
    assert login(admin).get("/o/acme/library/kept/").status_code == 404


def test_a_team_view_counts_latency_within_the_team(org, report_for, admin, login):
    """A workflow adopted by the rest of the organisation but never by the author's own team:
    org-wide its know-how left the author on day 2; for the team it never did."""
    from huddle.accounts.models import Team

    people = _people(org, 6)
    author, teammate, *outside = people
    team = Team.objects.create(organization=org, name="Content", slug="content")
    team.memberships.add(*Membership.objects.filter(user__in=[author, teammate]))
    start = AS_OF - timedelta(days=30)
    spread = Workflow.objects.create(
        organization=org, owner=author, slug="spread", title="Spread", visibility=Visibility.ORG
    )
    Workflow.objects.filter(pk=spread.pk).update(created_at=_at(start))
    runs = [_run(org, author, spread, start)]
    runs += [_run(org, u, spread, start + timedelta(days=2 + i)) for i, u in enumerate(outside)]
    Run.objects.bulk_create(runs)
    rollup.invalidate(org)

    whole = report_for(org, weeks=8).latency
    assert whole.median_days[1] == 2.0
    assert whole.never_left_count == 0
    within = report_for(org, weeks=8, team=team).latency
    assert within.workflows == 1
    assert within.median_days[1] is None
    assert [w.slug for w in within.never_left] == ["spread"]

    _run(org, teammate, spread, start + timedelta(days=5)).save()
    rollup.invalidate(org)
    assert report_for(org, weeks=8, team=team).latency.median_days[1] == 5.0
    page = login(admin).get(f"/o/acme/insights/?team=content&as_of={AS_OF}&weeks=8")
    assert "Medians over the workflows of Content's members" in page.content.decode()
