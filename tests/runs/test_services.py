from __future__ import annotations

import pytest

from huddle.core.errors import NotFound, PermissionDenied, ValidationFailed
from huddle.core.models import Event
from huddle.runs import queries, services
from huddle.runs.models import Run
from huddle.runs.services import Figures, StepRecord, edit_ratio
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("output", "final", "expected"),
    [
        ("Hello world", "Hello world", 0.0),
        ("Hello world", "  Hello world\n", 0.0),
        ("abcd", "abce", 0.25),
        ("abc", "xyz", 1.0),
        ("Launch day!", "Launch day.", 1 / 11),
        ("", "anything", None),
        ("something", "", None),
    ],
)
def test_edit_ratio_is_the_normalised_edit_distance(output, final, expected):
    result = edit_ratio(output, final)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, abs=1e-4)


def record(
    persona,
    workflow=None,
    *,
    spent=None,
    baseline=None,
    rating=None,
    output="AI text",
    final="AI text",
    share=False,
):
    return services.run_record(
        actor=persona.actor,
        workflow=workflow,
        version=None,
        inputs={},
        steps=[StepRecord(name="step_1", prompt="p", output=output)],
        final_text=final,
        figures=Figures(minutes_spent=spent, baseline_minutes=baseline, rating=rating),
        share_text=share,
    )


def test_time_saved_on_known_examples(member):
    workflow = make_workflow(member, visibility="org")
    record(member, workflow, spent=30, baseline=360)  # 6 h → 30 min: 12x
    record(member, workflow, spent=20, baseline=60)  # 3x
    record(member, workflow, spent=10, baseline=80)  # 8x
    record(member, workflow, spent=15)  # no baseline: not counted
    saved = queries.workflow_time_saved(workflow)
    assert saved.runs == 3
    assert saved.median_speedup == 8.0
    assert saved.minutes_saved == 330 + 40 + 70
    assert saved.median_minutes_saved == 70
    workflow.refresh_from_db()
    assert workflow.use_count == 4


def test_run_record_writes_steps_and_an_event(member):
    run = record(member, output="Draft", final="Draft, edited")
    assert run.steps.get().output == "Draft"
    assert run.output == "Draft"
    assert run.edit_ratio == pytest.approx(edit_ratio("Draft", "Draft, edited"))
    assert Event.objects.filter(kind="run.recorded", object_id=str(run.public_id)).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"minutes_spent": "soon"}, "minutes_spent"),
        ({"minutes_spent": "-5"}, "minutes_spent"),
        ({"baseline_minutes": "99999999"}, "baseline_minutes"),
        ({"rating": "6"}, "rating"),
        ({"rating": "great"}, "rating"),
    ],
)
def test_bad_figures_are_named(data, field):
    with pytest.raises(ValidationFailed) as error:
        Figures.from_data(data)
    assert field in error.value.fields


def test_viewers_cannot_record_runs(viewer):
    with pytest.raises(PermissionDenied):
        record(viewer)


def test_runs_of_a_workflow_one_cannot_see_are_refused(member, editor):
    private = make_workflow(editor)
    with pytest.raises(NotFound):
        record(member, private)
    assert not Run.objects.exists()


def test_run_visibility_by_role(owner, admin, editor, member):
    editors_workflow = make_workflow(editor, visibility="org")
    shared = record(member, editors_workflow, share=True)
    private = record(member, editors_workflow, share=False)
    mine = record(editor)
    assert set(queries.visible_runs(member.actor)) == {shared, private}
    assert set(queries.visible_runs(editor.actor)) == {shared, private, mine}
    assert set(queries.visible_runs(admin.actor)) == set()  # admins get aggregates, not runs
    from huddle.accounts import policy

    assert policy.can_read_run_text(editor.actor, shared)
    assert not policy.can_read_run_text(editor.actor, private)
    assert not policy.can_read_run_text(owner.actor, shared)
    usage = queries.organization_usage(admin.actor)
    assert (usage.runs, usage.people) == (3, 2)
    with pytest.raises(PermissionDenied):
        queries.organization_usage(editor.actor)


def test_only_the_author_rates_a_run(member, editor):
    run = record(member)
    services.run_rate(actor=member.actor, run=run, figures=Figures(rating=4))
    run.refresh_from_db()
    assert run.rating == 4
    with pytest.raises(NotFound):
        services.run_rate(actor=editor.actor, run=run, figures=Figures(rating=1))
