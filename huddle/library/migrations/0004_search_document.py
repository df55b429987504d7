"""PostgreSQL: the weighted tsvector moves to its own narrow table, kept in sync by triggers.

The generated ``document`` column sat beside the texts it was computed from, so a search read
every matching row's title, tags, summary and body only to rank its tsvector: for a one-word
query matching 17k of 100k workflows, 6,300 heap pages. ``library_workflowdocument`` holds
(workflow, organisation, tsvector) and nothing else, like SQLite's FTS5 table beside the same
rows: the search's scan reads half the pages and the query is ~20% faster
(docs/performance.md). Triggers on ``library_workflowsearch`` keep it equal to its rows on
insert, update, delete and truncate (what Django's test flush does), whoever writes them.

Nothing changes on SQLite.
"""

from django.db import migrations

WEIGHTED = """
    setweight(to_tsvector('english', coalesce({row}title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce({row}tags, '')), 'B') ||
    setweight(to_tsvector('english', coalesce({row}summary, '')), 'C') ||
    setweight(to_tsvector('english', coalesce({row}body, '')), 'D')
"""

POSTGRES_FORWARD = [
    """CREATE TABLE library_workflowdocument (
        workflow_id bigint PRIMARY KEY,
        organization_id bigint NOT NULL,
        document tsvector NOT NULL
    )""",
    f"""CREATE FUNCTION library_workflowdocument_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.workflow_id <> OLD.workflow_id) THEN
            DELETE FROM library_workflowdocument WHERE workflow_id = OLD.workflow_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO library_workflowdocument (workflow_id, organization_id, document)
            VALUES (NEW.workflow_id, NEW.organization_id, {WEIGHTED.format(row="NEW.")})
            ON CONFLICT (workflow_id) DO UPDATE
            SET organization_id = EXCLUDED.organization_id, document = EXCLUDED.document;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION library_workflowdocument_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE library_workflowdocument;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER library_workflowdocument_sync
    AFTER INSERT OR UPDATE OR DELETE ON library_workflowsearch
    FOR EACH ROW EXECUTE FUNCTION library_workflowdocument_sync()""",
    """CREATE TRIGGER library_workflowdocument_truncate
    AFTER TRUNCATE ON library_workflowsearch
    FOR EACH STATEMENT EXECUTE FUNCTION library_workflowdocument_truncate()""",
    """INSERT INTO library_workflowdocument (workflow_id, organization_id, document)
    SELECT workflow_id, organization_id, document FROM library_workflowsearch""",
    "CREATE INDEX library_workflowdocument_document ON library_workflowdocument USING GIN "
    "(document)",
    "DROP INDEX IF EXISTS library_workflowsearch_document",
    "ALTER TABLE library_workflowsearch DROP COLUMN document",
    "ANALYZE library_workflowdocument",
]
POSTGRES_BACKWARD = [
    f"""ALTER TABLE library_workflowsearch ADD COLUMN document tsvector GENERATED ALWAYS AS (
        {WEIGHTED.format(row="")}
    ) STORED""",
    "CREATE INDEX library_workflowsearch_document ON library_workflowsearch USING GIN (document)",
    "DROP TRIGGER IF EXISTS library_workflowdocument_truncate ON library_workflowsearch",
    "DROP TRIGGER IF EXISTS library_workflowdocument_sync ON library_workflowsearch",
    "DROP FUNCTION IF EXISTS library_workflowdocument_truncate()",
    "DROP FUNCTION IF EXISTS library_workflowdocument_sync()",
    "DROP TABLE IF EXISTS library_workflowdocument",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0003_workflow_org_updated")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
