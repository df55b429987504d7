"""What migrations ``capture/0005`` (fewer indexes and constraints, the same guarantees) and
``0006`` (rows tagged with their import's run) changed."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huddle.capture.importers import writer
from huddle.capture.importers.rows import Rows, uuid4_hexes
from huddle.capture.models import Conversation, Prompt
from tests.imports.builders import simple_chat

BEFORE = ("capture", "0005_owner_indexes_covered")
AFTER = ("capture", "0006_import_runs")


def _import(member, tmp_path, *chats):
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(list(chats)))
    return writer.import_export(actor=member.actor, source="chatgpt", path=str(path))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_known_conversations_are_looked_up_by_one_index_probe_each(member):
    """With ``external_id = ANY(…)`` PostgreSQL scanned every conversation of a member it
    believed had few (a new member has no statistics) at each batch of an import: through an
    index, with the ids as a filter. (Sequential scans are off here: on the test database's tiny
    table the planner rightly prefers one.)"""
    rows = Rows(member.actor, "chatgpt", 0)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + rows.select_ids,
            [["c1", "c2"], member.org.pk, member.user.pk, "chatgpt"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Nested Loop" in plan, plan
    assert "Index Scan using conversation_identity" in plan, plan
    assert "external_id)::text = w.id" in plan, plan  # an index condition, not a filter
    assert "Filter" not in plan, plan


@pytest.mark.django_db
def test_prompts_still_go_with_their_organisation_and_their_member(member, editor, tmp_path):
    """Their foreign keys are no longer checked by the database; Django still cascades them."""
    _import(member, tmp_path, simple_chat("c1", "first", "second"))
    _import(editor, tmp_path, simple_chat("c2", "theirs"))
    member.user.delete()
    assert list(Prompt.objects.values_list("text", flat=True)) == ["theirs"]
    member.org.delete()
    assert (Conversation.objects.count(), Prompt.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_rows_imported_before_runs_existed_stay_visible_and_known(member, tmp_path):
    """Rows from before ``0006`` have no run: they count as finished, and importing the same
    conversation again adds only its new prompt. The migration also reverses."""
    executor = MigrationExecutor(connection)
    try:
        old = executor.loader.project_state([BEFORE]).apps
        executor.migrate([BEFORE])
        conversation = old.get_model("capture", "Conversation").objects.create(
            organization_id=member.org.pk, owner_id=member.user.pk, source="chatgpt",
            external_id="c1", title="before",
        )  # fmt: skip
        old.get_model("capture", "Prompt").objects.create(
            conversation_id=conversation.pk, organization_id=member.org.pk,
            owner_id=member.user.pk, external_id="c1-m1", position=0,
            text="before the migration", text_hash="x",
        )  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
    assert Prompt.objects.committed(member.org).count() == 1
    report = _import(member, tmp_path, simple_chat("c1", "before the migration", "after it"))
    assert (report.conversations, report.prompts) == (1, 1)
    texts = Prompt.objects.committed(member.org).order_by("position").values_list("text", flat=True)
    assert list(texts) == ["before the migration", "after it"]


def test_public_ids_are_random_version_4_uuids():
    hexes = uuid4_hexes(1000)
    parsed = [uuid.UUID(h) for h in hexes]
    assert {u.version for u in parsed} == {4}
    assert {u.variant for u in parsed} == {uuid.RFC_4122}
    assert len(set(hexes)) == 1000


@pytest.mark.django_db
def test_imported_conversations_get_distinct_public_ids(member, tmp_path):
    _import(member, tmp_path, *(simple_chat(f"c{n}", f"prompt {n}") for n in range(5)))
    ids = list(Conversation.objects.values_list("public_id", flat=True))
    assert len(ids) == len(set(ids)) == 5
    assert {i.version for i in ids} == {4}
