"""The library page's cards: a page of workflows read as plain rows, not model instances.

The library list is the most viewed page. Building 25 ``Workflow`` models with their owner and
team, prefetching ``WorkflowTag`` models, then having the template call ``get_kind_display``,
``truncatechars`` and ``{% url %}`` per card took 5.4 ms of queries and 2.9 ms of template for
the cards of a 100k-workflow library (docs/performance.md). Here the page's rows come as
``values()`` from the same visible-and-filtered queryset, tags come in one ``values_list``
query, and each card is a small frozen record the template only prints.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import Truncator

from huddle.accounts.models import Organization, Visibility, display_name
from huddle.core.paging import CappedPaginator
from huddle.library.models import Kind, Status, Workflow, WorkflowTag

PER_PAGE = 25
SUMMARY_CHARS = 180

_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "kind",
    "status",
    "visibility",
    "star_count",
    "use_count",
    "owner__name",
    "owner__email",
    "team__name",
)
_KIND_LABELS = dict(Kind.choices)
_STATUS_LABELS = dict(Status.choices)
_VISIBILITY_LABELS = dict(Visibility.choices)


@dataclass(frozen=True, slots=True)
class Card:
    """What one workflow's card on the library page shows."""

    url: str
    title: str
    summary: str  # cut to SUMMARY_CHARS with an ellipsis
    kind: str
    kind_label: str
    status: str
    status_label: str
    visibility_label: str
    owner: str
    team: str
    stars: int
    uses: int
    tags: tuple[str, ...]


def page_of_cards(organization: Organization, workflows: QuerySet[Workflow], number: Any) -> Page:
    """Page ``number`` of ``workflows`` (already filtered to what the actor may see and
    ordered) with its ``object_list`` as ``Card``s; counted at most to the paginator's cap."""
    # Counted on the queryset itself: a count over the values() form would carry the owner and
    # team joins into its subquery, and SQLite then plans the full-text join badly (30 s on
    # 100k workflows, against 1 ms).
    page = CappedPaginator(workflows, PER_PAGE).get_page(number)
    page.object_list = cards(organization, page.object_list.values(*_FIELDS))
    return page


def cards(organization: Organization, rows: Iterable[dict[str, Any]]) -> list[Card]:
    """Cards for workflow rows (``values()`` with the fields above), tags in name order."""
    rows = list(rows)
    tags: dict[int, list[str]] = defaultdict(list)
    found = WorkflowTag.objects.filter(workflow_id__in=[row["id"] for row in rows])
    for workflow_id, name in found.order_by("name").values_list("workflow_id", "name"):
        tags[workflow_id].append(name)
    return [
        Card(
            url=reverse("workflow_detail", args=[organization.slug, row["slug"]]),
            title=row["title"],
            summary=_cut(row["summary"]),
            kind=row["kind"],
            kind_label=_KIND_LABELS.get(row["kind"], row["kind"]),
            status=row["status"],
            status_label=_STATUS_LABELS.get(row["status"], row["status"]),
            visibility_label=_VISIBILITY_LABELS.get(row["visibility"], row["visibility"]),
            owner=display_name(row["owner__name"], row["owner__email"]),
            team=row["team__name"] or "",
            stars=row["star_count"],
            uses=row["use_count"],
            tags=tuple(tags.get(row["id"], ())),
        )
        for row in rows
    ]


def _cut(text: str) -> str:
    # Truncator walks the text character by character; a text no longer than the limit (most
    # summaries) is already short enough, since combining characters only shorten the count.
    if len(text) <= SUMMARY_CHARS:
        return text
    return Truncator(text).chars(SUMMARY_CHARS)
