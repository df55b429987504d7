"""Search relevance on a fixed corpus (run on SQLite FTS5 and on PostgreSQL full-text search)."""

from __future__ import annotations

import pytest
from django.db import connection

from huddle.library import services
from huddle.library.content import VersionContent
from huddle.library.queries import LibraryFilter, search_workflows
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db

CORPUS = [
    ("LinkedIn launch post", "Announce a product launch on LinkedIn", ["social", "launch"],
     "Write a LinkedIn post announcing {{ product }} for {{ audience }}."),
    ("Nurture email sequence", "Three emails that warm up new leads", ["email", "nurture"],
     "Draft a 3-email nurture sequence for leads who downloaded {{ product }}."),
    ("Campaign brief", "One-page brief for a new campaign", ["planning"],
     "Write a campaign brief: objective, audience, channels, budget for {{ product }}."),
    ("SEO blog outline", "Outline a search-optimised article", ["seo", "blog"],
     "Create an SEO outline with H2s and keywords for {{ product }}."),
    ("Google ad variants", "Headlines and descriptions for search ads", ["ads", "ppc"],
     "Write 10 responsive search ad headlines for {{ product }}."),
    ("Persona interview summary", "Turn interview notes into a persona", ["research"],
     "Summarise these customer interview notes into pain points for {{ product }}."),
    ("Monthly performance report", "Turn campaign numbers into a report", ["reporting"],
     "Explain the month's CTR, CPL and conversions for {{ product }} to executives."),
    ("Press release", "A launch press release in AP style", ["pr", "launch"],
     "Write a press release for the launch of {{ product }} with a quote."),
    ("Webinar invitation email", "Invite prospects to a webinar", ["email", "events"],
     "Write an invitation email for a webinar about {{ product }}."),
    ("Customer case study", "Success story from a happy customer", ["content"],
     "Write a case study about how a customer used {{ product }} to save time."),
    ("Tweet thread", "A thread of short posts for X", ["social"],
     "Write a thread of 6 tweets about {{ product }}."),
    ("Landing page copy", "Hero, benefits and CTA for a landing page", ["web", "conversion"],
     "Write landing page copy for {{ product }}: hero, 3 benefits, CTA."),
]  # fmt: skip

EXPECTED_TOP = {
    "linkedin": "LinkedIn launch post",
    "nurture": "Nurture email sequence",
    "press release": "Press release",
    "seo outline": "SEO blog outline",
    "ad headlines": "Google ad variants",
    "interview": "Persona interview summary",
    "performance report": "Monthly performance report",
    "webinar": "Webinar invitation email",
    "case study": "Customer case study",
    "landing": "Landing page copy",
}


@pytest.fixture
def corpus(member):
    for title, summary, tags, step in CORPUS:
        make_workflow(
            member,
            title=title,
            summary=summary,
            tags=tags,
            steps=[step],
            visibility="org",
            inputs=["product", "audience"] if "audience" in step else ["product"],
        )
    return member


@pytest.mark.parametrize(("query", "expected"), EXPECTED_TOP.items())
def test_expected_top_result(corpus, query, expected):
    results = list(search_workflows(corpus.actor, LibraryFilter(q=query)))
    assert results, f"nothing found for {query!r}"
    assert results[0].title == expected


def test_prefixes_match_while_typing(corpus):
    titles = [w.title for w in search_workflows(corpus.actor, LibraryFilter(q="webin"))]
    assert titles == ["Webinar invitation email"]


def test_every_word_must_match(corpus):
    titles = {w.title for w in search_workflows(corpus.actor, LibraryFilter(q="launch email"))}
    assert titles == set()


def test_search_syntax_in_the_query_is_plain_text(corpus):
    for query in ['"unbalanced', "launch OR", "NEAR(a b)", "title:launch", "*", "a:* & !b", "'"]:
        list(search_workflows(corpus.actor, LibraryFilter(q=query)))  # never a database error


def test_search_finds_text_of_the_latest_version_only(corpus):
    workflow = search_workflows(corpus.actor, LibraryFilter(q="tweet")).first()
    services.workflow_save_version(
        actor=corpus.actor,
        workflow=workflow,
        content=VersionContent.from_data(
            {"steps": ["Write a Mastodon thread about {{ product }}."], "inputs": ["product"]}
        ),
    )
    assert [w.title for w in search_workflows(corpus.actor, LibraryFilter(q="mastodon"))] == [
        "Tweet thread"
    ]


def test_filters_combine_with_search(corpus):
    results = search_workflows(corpus.actor, LibraryFilter(q="product", tag="email"))
    assert {w.title for w in results} == {"Nurture email sequence", "Webinar invitation email"}


def test_search_never_returns_what_the_user_may_not_see(corpus, editor, outsider):
    make_workflow(editor, title="Secret launch plan", steps=["launch {{ product }}"])
    make_workflow(outsider, title="Globex launch", steps=["launch {{ product }}"], visibility="org")
    titles = {w.title for w in search_workflows(corpus.actor, LibraryFilter(q="launch"))}
    assert titles == {"LinkedIn launch post", "Press release"}


def test_equally_relevant_workflows_come_newest_first(member):
    older = make_workflow(member, title="Quarterly recap", steps=["Recap {{ product }}."])
    newer = make_workflow(member, title="Quarterly recap", steps=["Recap {{ product }}."])
    older.save()  # updated last, created first: creation decides among ties
    found = list(search_workflows(member.actor, LibraryFilter(q="quarterly recap")))
    assert [w.pk for w in found] == [newer.pk, older.pk]


def _documents() -> dict[int, int]:
    """PostgreSQL's search documents: workflow id → organisation id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT workflow_id, organization_id FROM library_workflowdocument")
        return dict(cursor.fetchall())


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's document table (migration 0004)"
)
def test_the_document_table_follows_every_write_to_the_search_rows(member):
    from huddle.library.models import Workflow, WorkflowSearch

    first = make_workflow(member, title="Quarterly recap", steps=["Recap {{ product }}."])
    second = make_workflow(member, title="Event follow-up", steps=["Thank {{ product }} guests."])
    assert _documents() == {first.pk: member.org.pk, second.pk: member.org.pk}
    services.workflow_update_details(actor=member.actor, workflow=first, title="Yearly review")

    def titles(query: str) -> list[str]:
        return [w.title for w in search_workflows(member.actor, LibraryFilter(q=query))]

    assert titles("yearly") == ["Yearly review"]
    assert titles("quarterly") == []  # the old words went with the update
    Workflow.objects.filter(pk=second.pk).delete()
    assert _documents() == {first.pk: member.org.pk}
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks left pending
        cursor.execute("TRUNCATE library_workflowsearch")  # what the test runner's flush does
    assert WorkflowSearch.objects.count() == 0
    assert _documents() == {}
