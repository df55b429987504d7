"""The library page's cards (``library.listing``): what each card shows, paging and the count."""

from __future__ import annotations

import pytest
from django.db import connection

from huddle.core.paging import CappedPaginator
from huddle.library import listing
from huddle.library.queries import LibraryFilter, search_workflows
from tests.factories import TeamFactory, make_workflow

pytestmark = pytest.mark.django_db


def test_a_card_shows_labels_owner_team_counts_and_tags_in_name_order(member):
    team = TeamFactory(organization=member.org, name="Social", slug="social")
    member.membership.teams.add(team)
    workflow = make_workflow(
        member,
        title="Launch thread",
        kind="chain",
        steps=["Outline {{ product }}.", "Write the thread from the outline."],
        summary="Short summary",
        tags=["social", "launch", "ads"],
        visibility="team",
        team=team,
    )
    page = listing.page_of_cards(member.org, search_workflows(member.actor, LibraryFilter()), 1)
    (card,) = page.object_list
    assert card.url == f"/o/acme/library/{workflow.slug}/"
    assert (card.title, card.summary, card.team) == ("Launch thread", "Short summary", "Social")
    assert (card.kind, card.kind_label) == ("chain", "Prompt chain")
    assert card.visibility_label == workflow.get_visibility_display()
    assert card.status_label == workflow.get_status_display()
    assert card.owner == member.user.display_name
    assert card.tags == ("ads", "launch", "social")
    assert (card.stars, card.uses) == (0, 0)


def test_long_summaries_are_cut_with_an_ellipsis_short_ones_are_kept(member):
    make_workflow(member, title="Long", summary="word " * 100)
    make_workflow(member, title="Exact", summary="x" * listing.SUMMARY_CHARS)
    page = listing.page_of_cards(member.org, search_workflows(member.actor, LibraryFilter()), 1)
    summaries = {card.title: card.summary for card in page.object_list}
    assert len(summaries["Long"]) == listing.SUMMARY_CHARS
    assert summaries["Long"].endswith("…")
    assert summaries["Exact"] == "x" * listing.SUMMARY_CHARS


def test_pages_keep_the_queryset_order_and_count(member):
    for n in range(listing.PER_PAGE + 3):
        make_workflow(member, title=f"Workflow {n:02d}")
    workflows = search_workflows(member.actor, LibraryFilter(sort="recent"))
    first = listing.page_of_cards(member.org, workflows, 1)
    second = listing.page_of_cards(member.org, workflows, 2)
    assert first.paginator.count == listing.PER_PAGE + 3
    assert [c.title for c in first.object_list] == [w.title for w in workflows[: listing.PER_PAGE]]
    assert [c.title for c in second.object_list] == ["Workflow 02", "Workflow 01", "Workflow 00"]
    assert listing.page_of_cards(member.org, workflows, "junk").number == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_searched_count_reads_the_full_text_index_first(member):
    """Without the ORDER BY of a page, SQLite used to loop over every workflow of the
    organisation and run the full-text MATCH once per row: counting the results of one search
    on the library page took 2 to 20 s at 100k workflows (docs/performance.md)."""
    make_workflow(member, title="Launch post", visibility="org")
    workflows = search_workflows(member.actor, LibraryFilter(q="launch"))
    counted = workflows.order_by()[: CappedPaginator(workflows, 25).cap + 1]
    sql, params = counted.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        steps = [row[3] for row in cursor.fetchall()]
    assert steps[0].startswith("SCAN library_workflow_fts"), steps
    assert CappedPaginator(workflows, 25).count == 1
