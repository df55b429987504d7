"""Full-text search over the library: one interface, two backends (SQLite FTS5, PostgreSQL).

``index(workflow, version)`` writes the searchable row; the database keeps its index in sync
(SQLite: the FTS5 table ``library_workflow_fts``; PostgreSQL: the weighted tsvector in
``library_workflowdocument``, a narrow table of its own so that ranking reads no text; both kept
by triggers, migrations 0002 and 0004).
``rank(queryset, query)`` narrows a workflow queryset to the matches and annotates ``score``
(higher is more relevant) inside the same SQL statement, so visibility filters, sorting and
pagination all happen in the database. ``match(organization_id, query)`` is the bare full-text
query, ``(workflow_id, score)`` pairs best first (the benchmark's yardstick). Every word of the
query must match, as a prefix, so results appear while someone is still typing.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

from huddle.library.models import Workflow, WorkflowSearch, WorkflowVersion

MAX_MATCHES = 1000
_WORD = re.compile(r"\w+", re.UNICODE)


def index(workflow: Workflow, version: WorkflowVersion) -> None:
    body = "\n".join(
        [version.system, *(step.get("template", "") for step in version.steps)]
        + [f"{i.get('label', '')} {i.get('name', '')}" for i in version.inputs]
    )
    tags = " ".join(workflow.tags.values_list("name", flat=True))
    WorkflowSearch.objects.update_or_create(
        workflow=workflow,
        defaults={
            "organization_id": workflow.organization_id,
            "title": workflow.title,
            "summary": workflow.summary,
            "tags": tags,
            "body": body,
        },
    )


def words(query: str) -> list[str]:
    """The query's words, lowercased, at most 12 (longer queries add noise, not precision)."""
    return [w.lower() for w in _WORD.findall(query)][:12]


def _fts_query(terms: list[str]) -> str:
    # Each word is quoted (so FTS5 operators in user input are plain text) and used as a prefix.
    return " AND ".join('"' + term.replace('"', "") + '"*' for term in terms)


def _ts_query(terms: list[str]) -> str:
    # to_tsquery with ':*' prefix matching; words are \w+ only, so no tsquery syntax gets through.
    return " & ".join(f"{term}:*" for term in terms)


def rank(queryset: QuerySet[Workflow], query: str) -> QuerySet[Workflow]:
    """The workflows of ``queryset`` that match ``query``, annotated with ``score``."""
    terms = words(query)
    if not terms:
        return queryset.none()
    if connection.vendor == "postgresql":
        # ``extra`` joins the document row; the GIN index answers the @@ condition.
        return queryset.extra(
            select={
                "score": "ts_rank_cd(library_workflowdocument.document, "
                "to_tsquery('english', %s), 32)"
            },
            select_params=[_ts_query(terms)],
            tables=["library_workflowdocument"],
            where=[
                "library_workflowdocument.workflow_id = library_workflow.id",
                "library_workflowdocument.document @@ to_tsquery('english', %s)",
            ],
            params=[_ts_query(terms)],
        )
    return queryset.extra(
        select={"score": "-bm25(library_workflow_fts, 10.0, 5.0, 3.0, 1.0)"},
        tables=["library_workflow_fts"],
        where=[
            "+library_workflow_fts.rowid = library_workflow.id",
            "library_workflow_fts MATCH %s",
        ],
        params=[_fts_query(terms)],
    )


def match(organization_id: int, query: str, *, limit: int = MAX_MATCHES) -> list[tuple[int, float]]:
    terms = words(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _match_postgres(organization_id, terms, limit)
    return _match_sqlite(organization_id, terms, limit)


def _match_sqlite(organization_id: int, terms: list[str], limit: int) -> list[tuple[int, float]]:
    fts_query = _fts_query(terms)
    sql = """
        SELECT s.workflow_id, -bm25(library_workflow_fts, 10.0, 5.0, 3.0, 1.0) AS score
        FROM library_workflow_fts
        JOIN library_workflowsearch s ON s.workflow_id = library_workflow_fts.rowid
        WHERE library_workflow_fts MATCH %s AND s.organization_id = %s
        ORDER BY bm25(library_workflow_fts, 10.0, 5.0, 3.0, 1.0)
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts_query, organization_id, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def _match_postgres(organization_id: int, terms: list[str], limit: int) -> list[tuple[int, float]]:
    ts_query = _ts_query(terms)
    sql = """
        SELECT workflow_id, ts_rank_cd(document, query, 32) AS score
        FROM library_workflowdocument, to_tsquery('english', %s) AS query
        WHERE organization_id = %s AND document @@ query
        ORDER BY score DESC, workflow_id DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [ts_query, organization_id, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]
