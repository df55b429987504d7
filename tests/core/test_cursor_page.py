"""``cursor_page``: the one pager of the API's lists (runs, captures, workflows)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huddle.core.errors import ValidationFailed
from huddle.core.paging import MAX_LIMIT, cursor_page
from huddle.runs.models import Run
from huddle.runs.services import Figures, StepRecord, run_record

pytestmark = pytest.mark.django_db


def _run(persona, minutes_ago):
    return run_record(
        actor=persona.actor, workflow=None, version=None, inputs={},
        steps=[StepRecord("s", "p", "o")], final_text="o", figures=Figures(),
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def test_keyset_pages_cover_every_row_once_even_when_rows_arrive_meanwhile(member):
    made = [_run(member, minutes_ago=m) for m in range(5)]  # newest first: made[0]
    keyset = ("-started_at", "-id")
    first, cursor = cursor_page(Run.objects.all(), cursor=None, limit=2, keyset=keyset)
    assert [r.pk for r in first] == [made[0].pk, made[1].pk]
    _run(member, minutes_ago=-1)  # a newer run: with offsets it would shift the next page
    second, cursor = cursor_page(Run.objects.all(), cursor=cursor, limit=2, keyset=keyset)
    third, last = cursor_page(Run.objects.all(), cursor=cursor, limit=2, keyset=keyset)
    assert [r.pk for r in second + third] == [r.pk for r in made[2:]]
    assert last is None


def test_without_a_keyset_the_cursor_keeps_the_queryset_order(member):
    made = [_run(member, minutes_ago=m) for m in range(3)]
    rows = Run.objects.order_by("started_at")
    first, cursor = cursor_page(rows, cursor=None, limit=2)
    rest, last = cursor_page(rows, cursor=cursor, limit=2)
    assert [r.pk for r in first + rest] == [r.pk for r in reversed(made)]
    assert last is None


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_a_limit_out_of_range_is_refused_naming_it(limit):
    with pytest.raises(ValidationFailed) as error:
        cursor_page(Run.objects.all(), cursor=None, limit=limit)
    assert error.value.status == 422
    assert "limit" in error.value.fields


def test_a_cursor_not_issued_here_or_of_another_kind_is_refused(member):
    for _ in range(3):
        _run(member, minutes_ago=1)
    _rows, offset_cursor = cursor_page(Run.objects.order_by("id"), cursor=None, limit=1)
    for cursor in ("garbage", offset_cursor + "x"):
        with pytest.raises(ValidationFailed) as error:
            cursor_page(Run.objects.all(), cursor=cursor, limit=1, keyset=("-id",))
        assert "cursor" in error.value.fields
    with pytest.raises(ValidationFailed):  # an offset cursor given to a keyset list
        cursor_page(Run.objects.all(), cursor=offset_cursor, limit=1, keyset=("-id",))


def test_the_runs_api_refuses_a_bad_cursor_and_limit(member, api_client):
    client = api_client(member)
    assert client.get("/api/v1/runs", {"cursor": "garbage"}).status_code == 422
    assert client.get("/api/v1/runs", {"limit": 0}).status_code == 422
    assert client.get("/api/v1/runs", {"limit": 500}).status_code == 422
    assert client.get("/api/v1/runs", {"limit": 100}).status_code == 200
