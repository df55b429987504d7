"""Full-text search over ``library_workflowsearch``, maintained by the database itself.

SQLite: an FTS5 external-content table (porter stemming, unicode) kept in sync by triggers.
PostgreSQL: a generated, weighted tsvector column (title A, tags B, summary C, body D) + GIN index.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE library_workflow_fts USING fts5(
        title, tags, summary, body,
        content='library_workflowsearch', content_rowid='workflow_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER library_workflow_fts_ai AFTER INSERT ON library_workflowsearch BEGIN
        INSERT INTO library_workflow_fts(rowid, title, tags, summary, body)
        VALUES (new.workflow_id, new.title, new.tags, new.summary, new.body);
    END""",
    """CREATE TRIGGER library_workflow_fts_ad AFTER DELETE ON library_workflowsearch BEGIN
        INSERT INTO library_workflow_fts(library_workflow_fts, rowid, title, tags, summary, body)
        VALUES ('delete', old.workflow_id, old.title, old.tags, old.summary, old.body);
    END""",
    """CREATE TRIGGER library_workflow_fts_au AFTER UPDATE ON library_workflowsearch BEGIN
        INSERT INTO library_workflow_fts(library_workflow_fts, rowid, title, tags, summary, body)
        VALUES ('delete', old.workflow_id, old.title, old.tags, old.summary, old.body);
        INSERT INTO library_workflow_fts(rowid, title, tags, summary, body)
        VALUES (new.workflow_id, new.title, new.tags, new.summary, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS library_workflow_fts_au",
    "DROP TRIGGER IF EXISTS library_workflow_fts_ad",
    "DROP TRIGGER IF EXISTS library_workflow_fts_ai",
    "DROP TABLE IF EXISTS library_workflow_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE library_workflowsearch ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(tags, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(summary, '')), 'C') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'D')
    ) STORED""",
    "CREATE INDEX library_workflowsearch_document ON library_workflowsearch USING GIN (document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS library_workflowsearch_document",
    "ALTER TABLE library_workflowsearch DROP COLUMN IF EXISTS document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
