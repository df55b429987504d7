"""Hostile restore archives (their hashes recomputed, so only the content is hostile): media paths
that escape, people who already have an account, and users that ask for trust. Each is refused
whole with one line, or restored without the trust it asks for."""

from __future__ import annotations

import json
from typing import Any

import pytest

from huddle.accounts.models import Membership, Organization, User
from huddle.backup import backup_restore, backup_write
from huddle.capture.models import ImportJob
from huddle.core.models import Event
from tests.backup.test_backup import _add_listed, _refused, _rewrite
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_of(tmp_path, settings):
    """``archive_of(organization)`` → the path of its backup (media in a temporary root)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def write(organization: Organization):  # type: ignore[no-untyped-def]
        path = tmp_path / f"{organization.slug}.zip"
        backup_write(organization, path)
        return path

    return write


@pytest.fixture
def with_job(db) -> Organization:
    organization = OrganizationFactory(slug="jobs", name="Jobs")
    membership = MembershipFactory(organization=organization, role="owner")
    ImportJob.objects.create(
        organization=organization, owner=membership.user, source="chatgpt", file="imports/x.zip"
    )
    return organization


def _edit_rows(members: dict[str, bytes], label: str, edit) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    rows = json.loads(members[f"data/{label}.json"])
    edit(rows)
    return _add_listed(members, f"data/{label}.json", json.dumps(rows).encode())


@pytest.mark.parametrize("name", ["files//tmp/x", "files/./x", "files/a//b", "files/"])
def test_an_entry_with_an_empty_or_dot_segment_is_refused(
    archive_of, with_job, tmp_path, capsys, name
):
    path = _rewrite(archive_of(with_job), tmp_path / "t.zip", lambda m: _add_listed(m, name, b"x"))
    err = _refused(path, capsys, "--as", "other", "--link-existing-users")
    assert f"The archive has an entry with an empty or '.' part in its name: {name!r}." in err


ESCAPING = ["/tmp/x", "../../etc/passwd", "imports/../../x", "imports//x", "C:/x", "a\\b", "./x"]  # noqa: S108


@pytest.mark.parametrize("file", ESCAPING)
def test_a_row_whose_media_path_escapes_is_refused(archive_of, with_job, tmp_path, capsys, file):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        return _edit_rows(
            members, "capture.importjob", lambda rows: rows[0]["fields"].update(file=file)
        )

    path = _rewrite(archive_of(with_job), tmp_path / "t.zip", change)
    err = _refused(path, capsys, "--as", "other", "--link-existing-users")
    assert f"capture.importjob names the file {file!r}, which is not a path inside media" in err


def _owner_is(members: dict[str, bytes], email: str) -> dict[str, bytes]:
    """The archive's one person (its owner) renamed to ``email``."""
    users = json.loads(members["users.json"])
    users[0]["email"] = email
    return _add_listed(members, "users.json", json.dumps(users).encode())


def test_an_archive_cannot_make_someone_elses_account_a_member(
    archive_of, with_job, outsider, tmp_path, capsys
):
    """An archive naming the owner of another organisation is refused unless the operator
    links existing accounts on purpose; then they join with the archive's role, as asked."""
    path = _rewrite(
        archive_of(with_job), tmp_path / "t.zip", lambda m: _owner_is(m, outsider.user.email)
    )
    err = _refused(path, capsys, "--as", "other")
    assert err == (
        "Error: 1 person in the archive already has an account here (outsider@globex.test); "
        "restore with --link-existing-users to make them members of the restored organisation "
        "with their roles in the archive (owner: outsider@globex.test)."
    )
    assert not Membership.objects.filter(user=outsider.user).exclude(organization=outsider.org)
    restored, _ = backup_restore(path, slug="other", link_existing_users=True)
    assert Membership.objects.get(organization=restored).user == outsider.user


def test_people_without_an_account_are_created_without_trust(archive_of, with_job, tmp_path):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        users: list[dict[str, Any]] = json.loads(members["users.json"])
        users[0].update(
            email="New.Person@Example.TEST",
            is_staff=True,
            is_superuser=True,
            password="pbkdf2_sha256$1$salt$hash",
        )
        return _add_listed(members, "users.json", json.dumps(users).encode())

    path = _rewrite(archive_of(with_job), tmp_path / "t.zip", change)
    restored, _ = backup_restore(path, slug="other")
    person = User.objects.get(email="new.person@example.test")
    assert not person.has_usable_password()
    assert (person.is_staff, person.is_superuser, person.is_active) == (False, False, True)
    assert Membership.objects.get(organization=restored).user == person
    assert Event.objects.filter(organization=restored, kind="organization.restored").exists()


@pytest.mark.parametrize("entry", ["data/capture.importjob.json", "users.json"])
def test_a_number_of_5001_digits_is_refused(archive_of, with_job, tmp_path, capsys, entry):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        rows = json.loads(members[entry])
        rows[0]["pk"] = 0
        data = json.dumps(rows).replace('"pk": 0', '"pk": ' + "9" * 5001).encode()
        return _add_listed(members, entry, data)

    path = _rewrite(archive_of(with_job), tmp_path / "t.zip", change)
    err = _refused(path, capsys, "--as", "other", "--link-existing-users")
    assert f"The archive entry {entry!r} is not a JSON list of rows" in err
    assert "a number of more than 4,300 digits" in err
