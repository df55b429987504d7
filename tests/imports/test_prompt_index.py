"""Imported prompts are read by organisation and member through one index, with no text hash."""

from __future__ import annotations

import pytest
from django.db import connection

from huddle.capture.importers.models import Prompt

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner"),
]


def _plan(queryset) -> list[str]:
    sql, params = queryset.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[3] for row in cursor.fetchall()]


def test_counting_an_organisations_prompts_reads_the_index_alone(org):
    """A prompt row holds its text; counting by organisation without the index would read
    every row of every organisation (``huddle stats``, ``/api/v1/stats``)."""
    queryset = Prompt.objects.committed(org).order_by().values("pk")  # as count()
    assert _plan(queryset)[0] == (
        "SEARCH capture_prompt USING COVERING INDEX prompt_org_owner_run (organization_id=?)"
    )


def test_a_members_prompts_are_found_through_the_same_index(org, member):
    queryset = (
        Prompt.objects.committed(org)
        .filter(owner=member.user)
        .values_list("text", "sent_at", "text_hash")
    )
    steps = _plan(queryset)
    assert steps[0].startswith("SEARCH capture_prompt USING INDEX prompt_org_owner_run"), steps
