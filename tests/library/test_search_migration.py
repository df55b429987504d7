"""Migration ``library/0004`` on PostgreSQL: an existing library stays searchable across it.

The migration moves each workflow's tsvector from a generated column into its own table; the
rows already there are copied in by the migration itself, which an empty test database never
exercises. So: back to 0003, a search row written as 0003 knew it, forward again.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huddle.library.queries import LibraryFilter, search_workflows
from tests.factories import make_workflow

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL migration"),
]

BEFORE, AFTER = ("library", "0003_workflow_org_updated"), ("library", "0004_search_document")


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def test_workflows_indexed_before_the_migration_are_found_after_it(member):
    workflow = make_workflow(member, title="Quarterly recap", visibility="org")
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT document @@ to_tsquery('english', 'recap') FROM library_workflowsearch "
                "WHERE workflow_id = %s",
                [workflow.pk],
            )
            assert cursor.fetchone() == (True,)  # 0003's generated column
    finally:
        _migrate(AFTER)
    found = search_workflows(member.actor, LibraryFilter(q="recap"))
    assert [w.pk for w in found] == [workflow.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM library_workflowdocument")
        assert cursor.fetchone() == (1,)
