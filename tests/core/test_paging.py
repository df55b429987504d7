"""Long lists count at most a thousand rows: past that the page says "1000+" and stops paging."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huddle.core import paging
from huddle.core.paging import CappedPaginator
from huddle.library.models import Workflow
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db


def test_a_short_list_is_counted_exactly(member):
    for i in range(3):
        make_workflow(member, title=f"Flow {i}")
    paginator = CappedPaginator(Workflow.objects.all(), 2, cap=5)
    assert (paginator.count, paginator.num_pages, paginator.capped) == (3, 2, False)


def test_a_long_list_counts_up_to_the_cap_and_pages_only_that_far(member):
    for i in range(7):
        make_workflow(member, title=f"Flow {i}")
    paginator = CappedPaginator(Workflow.objects.order_by("pk"), 2, cap=5)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.capped) == (5, True)
    assert "LIMIT" in queries.captured_queries[0]["sql"].upper()  # the database stops early
    assert paginator.num_pages == 3
    last = paginator.get_page(99)
    assert last.number == 3
    assert not last.has_next()


def test_the_library_page_says_more_and_how_to_narrow(member, login, monkeypatch):
    monkeypatch.setattr(paging, "CAP", 30)
    for i in range(32):
        make_workflow(member, title=f"Newsletter draft {i}")
    client = login(member)
    first = client.get(f"/o/{member.org.slug}/library/").content.decode()
    assert "30+ workflows" in first
    assert "Page 1 of 2+" in first
    last = client.get(f"/o/{member.org.slug}/library/?page=2").content.decode()
    assert "These are the first 30; search or filter to narrow the rest." in last
    narrowed = client.get(f"/o/{member.org.slug}/library/?q=draft+31").content.decode()
    assert "+ workflows" not in narrowed


def test_the_activity_log_pages_the_newest_events_and_says_there_are_more(
    admin, member, login, monkeypatch
):
    monkeypatch.setattr(paging, "CAP", 3)
    for i in range(5):
        make_workflow(member, title=f"Flow {i}")  # each records an event
    page = login(admin).get(f"/o/{admin.org.slug}/activity/?page=9").content.decode()
    assert "Page 1 of 1+" in page
    assert "These are the newest 3 events; pick a period or a member to see older ones." in page


def test_the_count_leaves_out_the_joins_of_select_related(member):
    for i in range(3):
        make_workflow(member, title=f"Flow {i}")
    rows = Workflow.objects.select_related("owner", "team").order_by("-updated_at")
    with CaptureQueriesContext(connection) as queries:
        assert CappedPaginator(rows, 2, cap=5).count == 3
    assert "JOIN" not in queries.captured_queries[0]["sql"].upper()


def test_a_searched_count_does_not_rank_the_rows_it_counts(member):
    from huddle.library.queries import LibraryFilter, search_workflows

    for i in range(3):
        make_workflow(member, title=f"Launch {i}", visibility="org")
    rows = search_workflows(member.actor, LibraryFilter(q="launch"))
    with CaptureQueriesContext(connection) as queries:
        assert CappedPaginator(rows, 2).count == 3
    sql = queries.captured_queries[0]["sql"].lower()
    assert "bm25" not in sql
    assert "ts_rank" not in sql
