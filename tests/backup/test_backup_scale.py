"""``huddle backup`` never writes what ``huddle restore`` refuses: a highly compressible
organisation, a large one (in memory that does not grow with it) and files that deflate "too
well" all restore; an organisation too large for restore's limits is refused by backup itself."""

from __future__ import annotations

import json
import tracemalloc
import zipfile

import pytest
from django.core.files.base import ContentFile

from bench.generate import generate
from huddle.accounts.models import Membership, Organization
from huddle.backup import BackupNotWritten, archive, backup_restore, backup_write, dump, load
from huddle.capture.importers import jsonlist
from huddle.capture.models import ImportJob
from huddle.cli import run
from huddle.library.models import Workflow, WorkflowVersion
from huddle.runs.models import Run
from tests.conftest import Persona
from tests.factories import MembershipFactory, OrganizationFactory, make_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_owner() -> Persona:
    organization = OrganizationFactory(slug="spaces", name="Spaces")
    membership = MembershipFactory(organization=organization, role="owner")
    return Persona(membership.user, membership)


def test_a_step_of_90000_spaces_restores(small_owner, tmp_path):
    template = "Write about {{ topic }}." + " " * 90_000 + "Thanks."
    make_workflow(small_owner, title="Airy", steps=[template], inputs=[{"name": "topic"}])
    path = tmp_path / "spaces.zip"
    backup_write(small_owner.org, path)
    restored, counts = backup_restore(path, slug="spaces-copy", link_existing_users=True)
    assert counts["library.workflowversion"] == 1
    version = WorkflowVersion.objects.get(workflow__organization=restored)
    assert version.steps[0]["template"] == template


def test_an_upload_that_deflates_too_well_is_stored_and_restores(small_owner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    content = b"\0" * (8 * 1024 * 1024)  # deflates about 1,000:1, like a zip bomb
    job = ImportJob(organization=small_owner.org, owner=small_owner.user, source="chatgpt")
    job.file.save("export.json", ContentFile(content), save=True)
    path = tmp_path / "files.zip"
    backup_write(small_owner.org, path)
    restored, _ = backup_restore(path, slug="files-copy", link_existing_users=True)
    copy = ImportJob.objects.get(organization=restored)
    with copy.file.open("rb") as handle:
        assert handle.read() == content


ANSWER = "Here is a draft of the launch post, in your brand's voice. " * 140  # 8 KB


def _peak(work):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_organisation_round_trips_without_holding_it_whole(tmp_path, monkeypatch):
    """Neither side holds the archive, its rows or an entry whole: the peak of Python's
    allocations stays under a quarter of what the archive inflates to (both used to hold more
    than all of it). Rows go 50 at a time and the decoder reads 32 KiB at a time here; runs carry
    an 8 KB answer, as real ones do. What grows with the number of rows is small beside that:
    16 bytes a row for the old → new keys, and here (a copy restored beside its original) the
    set of public ids the original holds. The full size is measured by ``bench.backup``."""
    monkeypatch.setattr(jsonlist, "CHUNK", 32 * 1024)
    monkeypatch.setattr(dump, "CHUNK_ROWS", 50)
    monkeypatch.setattr(load, "BATCH", 50)
    generate("big", members=20, workflows=100, runs=1_500, weeks=8, seed=3)
    organization = Organization.objects.get(slug="big")
    Run.objects.filter(organization=organization).update(output=ANSWER)
    path = tmp_path / "big.zip"
    manifest, written_peak = _peak(lambda: backup_write(organization, path))
    with zipfile.ZipFile(path) as opened:
        inflated = sum(info.file_size for info in opened.infolist())
    assert inflated > 12 * 1024 * 1024
    (restored, counts), restored_peak = _peak(
        lambda: backup_restore(path, slug="big-copy", link_existing_users=True)
    )
    assert counts == manifest["counts"]
    assert Run.objects.filter(organization=restored).count() == 1_500
    assert Workflow.objects.filter(organization=restored).count() == 100
    assert Membership.objects.filter(organization=restored).count() == 20
    assert max(written_peak, restored_peak) < inflated / 4, (written_peak, restored_peak, inflated)


def test_backup_refuses_to_write_an_archive_restore_would_refuse(
    small_owner, tmp_path, monkeypatch
):
    path = tmp_path / "out" / "spaces.zip"
    monkeypatch.setattr(archive, "MAX_BYTES", 1000)
    with pytest.raises(BackupNotWritten, match="restore accepts at most 1,000 bytes"):
        backup_write(small_owner.org, path)
    monkeypatch.undo()
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    with pytest.raises(BackupNotWritten, match="restore accepts at most 3 entries"):
        backup_write(small_owner.org, path)
    assert list(path.parent.iterdir()) == []


def test_the_backup_command_says_so_in_one_line(small_owner, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    path = tmp_path / "spaces.zip"
    assert run(["backup", "--org", "spaces", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: The archive would have more than 3 entries")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_rows_are_written_as_row_record_writes_them(tmp_path):
    """The writer reads rows as tuples, not instances; what it writes is the same."""
    from huddle.backup.dump import row_record
    from huddle.backup.graph import selected_rows
    from huddle.demo import load_demo

    organization = load_demo().organization
    path = tmp_path / "acme.zip"
    backup_write(organization, path)
    with zipfile.ZipFile(path) as opened:
        for node, rows in selected_rows(organization):
            written = json.loads(opened.read(f"data/{node.label}.json"))
            assert written == [row_record(node, row) for row in rows], node.label
