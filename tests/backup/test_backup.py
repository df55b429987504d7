"""Backup and restore: a round trip of the demo organisation, no secrets in the archive, and
hostile or tampered archives refused whole."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from huddle.accounts.models import ApiToken, Invitation, Membership, Organization, User
from huddle.accounts.policy import Actor
from huddle.accounts.services import invitation_create, token_create
from huddle.backup import archive as backup_archive
from huddle.backup import backup_restore, backup_write
from huddle.backup.dump import row_record
from huddle.backup.graph import (
    SECRET_FIELDS,
    foreign_keys,
    organization_models,
    selected_rows,
)
from huddle.cli import run
from huddle.core import crypto
from huddle.core.models import Event
from huddle.demo import load_demo
from huddle.rituals.models import Ask, RitualSettings
from huddle.rituals.services import ask_create
from huddle.runs.providers.models import ProviderConfig

pytestmark = pytest.mark.django_db

PROVIDER_KEY = "sk-PROVIDER-KEY-never-in-a-backup-0123456789"
SLACK_URL = "https://hooks.slack.com/services/T000/B000/SLACK-SECRET-PATH"


@pytest.fixture
def acme() -> Organization:
    return load_demo().organization


@pytest.fixture
def secrets(acme) -> list[str]:
    """Seed every kind of secret the organisation can hold; return strings that must not leak."""
    owner = Membership.objects.get(organization=acme, role="owner")
    actor = Actor(owner)
    _token, raw_token = token_create(actor=actor, name="backup test")
    _invitation, link = invitation_create(
        actor=actor, organization=acme, email="new@acme.test", role="member"
    )
    _ask, solve_token = ask_create(actor=actor, text="Is there a workflow for X?", anonymous=True)
    ciphertext = crypto.encrypt(PROVIDER_KEY)
    ProviderConfig.objects.create(
        organization=acme,
        name="Secret provider",
        kind="openai_compatible",
        base_url="https://api.example.test/v1",
        model="gpt-test",
        encrypted_key=ciphertext,
        key_last4=PROVIDER_KEY[-4:],
    )
    slack_cipher = crypto.encrypt(SLACK_URL)
    RitualSettings.objects.update_or_create(
        organization=acme,
        defaults={"slack_url_encrypted": slack_cipher, "slack_url_hint": SLACK_URL[-4:]},
    )
    values = [raw_token, link.rsplit("/", 2)[-2] if link.endswith("/") else link, solve_token]
    values += [PROVIDER_KEY, ciphertext, SLACK_URL, slack_cipher]
    values += list(ApiToken.objects.filter(organization=acme).values_list("token_hash", flat=True))
    values += list(Invitation.objects.values_list("token_hash", flat=True))
    values += [h for h in Ask.objects.values_list("solve_token_hash", flat=True) if h]
    values += list(
        User.objects.filter(memberships__organization=acme).values_list("password", flat=True)
    )
    return [v for v in values if v]


def canonical(organization: Organization) -> dict[str, list[dict[str, Any]]]:
    """Every row of the organisation with ids replaced by what survives a restore: users by
    email, rows by their position in their model, public ids by the row they name."""
    nodes = list(selected_rows(organization))
    ordinal: dict[type[models.Model], dict[Any, str]] = {Organization: {organization.pk: "ORG"}}
    names: dict[str, str] = {str(organization.public_id): "ORG"}
    for node, rows in nodes:
        ordinal[node.model] = {row.pk: f"{node.label}#{i}" for i, row in enumerate(rows)}
        for i, row in enumerate(rows):
            if getattr(row, "public_id", None):
                names[str(row.public_id)] = f"{node.label}#{i}"
    emails = dict(User.objects.values_list("pk", "email"))

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return names.get(value, value)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    result: dict[str, list[dict[str, Any]]] = {}
    for node, rows in nodes:
        keys = {f.attname: f for f in foreign_keys(node.model)}
        out = []
        for row in rows:
            if node.model is Event and row.kind == "organization.restored":
                continue  # the one row a restore adds
            record = row_record(node, row)
            fields = {}
            for name, value in record["fields"].items():
                key = keys.get(name)
                if key is not None and value is not None:
                    target = key.related_model
                    value = emails[value] if target is User else ordinal[target][value]
                elif name == "import_key":
                    value = value is not None  # a global dedup key: changes when taken
                else:
                    value = swap(value)
                fields[name] = value
            fields["m2m"] = {
                name: [ordinal[node.model._meta.get_field(name).related_model][pk] for pk in pks]
                for name, pks in record["m2m"].items()
            }
            out.append(fields)
        result[node.label] = out
    return result


def test_round_trip_of_the_demo_organisation_has_zero_differences(acme, secrets, tmp_path):
    archive = tmp_path / "acme.zip"
    manifest = backup_write(acme, archive)
    assert manifest["counts"]["library.workflow"] > 0
    restored, counts = backup_restore(archive, slug="acme2", link_existing_users=True)
    assert restored.slug == "acme2"
    assert restored.name == acme.name
    assert counts == manifest["counts"]
    before, after = canonical(acme), canonical(restored)
    assert sorted(before) == sorted(after)
    differences = [
        (label, i)
        for label in before
        for i, (a, b) in enumerate(zip(before[label], after[label], strict=True))
        if a != b
    ]
    assert differences == []
    assert sum(len(rows) for rows in before.values()) > 200


def test_a_restored_library_is_searchable_like_the_original(acme, tmp_path):
    """The full-text index is the database's own (FTS5 on SQLite, the document table on
    PostgreSQL), kept by triggers on the restored search rows."""
    from huddle.library.queries import LibraryFilter, search_workflows

    archive = tmp_path / "acme.zip"
    backup_write(acme, archive)
    restored, _counts = backup_restore(archive, slug="acme2", link_existing_users=True)

    def found(organization: Organization, query: str) -> list[str]:
        owner = Membership.objects.filter(organization=organization, role="owner").first()
        results = search_workflows(Actor(owner), LibraryFilter(q=query))
        return sorted(w.title for w in results)

    for query in ("launch", "email", "brief"):
        assert found(restored, query) == found(acme, query) != []


def test_restore_without_secrets_leaves_provider_keys_and_webhooks_empty(acme, secrets, tmp_path):
    archive = tmp_path / "acme.zip"
    backup_write(acme, archive)
    restored, _ = backup_restore(archive, slug="acme2", link_existing_users=True)
    provider = ProviderConfig.objects.get(organization=restored, name="Secret provider")
    assert provider.encrypted_key == ""
    assert provider.key_hint == ""
    ritual = RitualSettings.objects.get(organization=restored)
    assert ritual.slack_url_encrypted == ""
    assert not ApiToken.objects.filter(organization=restored).exists()
    assert not Invitation.objects.filter(organization=restored).exists()


def test_the_archive_holds_no_secret(acme, secrets, tmp_path):
    archive = tmp_path / "acme.zip"
    backup_write(acme, archive)
    with zipfile.ZipFile(archive) as opened:
        contents = b"".join(opened.read(name) for name in opened.namelist())
    contents += archive.read_bytes()
    assert len(secrets) >= 10
    leaked = [s for s in secrets if s.encode() in contents]
    assert leaked == []
    assert b"password" not in contents


def test_fields_that_look_secret_are_either_blanked_or_known_harmless():
    harmless = {
        ("capture.prompt", "text_hash"),  # a hash of a prompt's text, for repeats
        ("capture.importeditem", "key"),
        ("runs.run", "import_key"),
        ("core.ratebucket", "key"),
    }
    suspicious = []
    for node in organization_models():
        for field in node.model._meta.concrete_fields:
            name = field.name
            looks_secret = any(w in name for w in ("hash", "encrypted", "token", "secret", "key"))
            if isinstance(field, models.ForeignKey) or name.endswith("_tokens"):
                continue
            blanked = name in SECRET_FIELDS.get(node.label, ())
            if looks_secret and not blanked and (node.label, name) not in harmless:
                suspicious.append(f"{node.label}.{name}")
    assert suspicious == []


def test_users_are_matched_by_email_or_created_without_a_usable_password(acme, tmp_path):
    archive = tmp_path / "acme.zip"
    backup_write(acme, archive)
    olivia = User.objects.get(email="olivia@acme.test")
    User.objects.filter(email="victor@acme.test").delete()
    restored, _ = backup_restore(archive, slug="acme2", link_existing_users=True)
    assert Membership.objects.get(organization=restored, role="owner").user == olivia
    victor = User.objects.get(email="victor@acme.test")
    assert not victor.has_usable_password()
    assert not victor.is_staff


def test_cli_backup_then_restore_with_as(acme, tmp_path, capsys):
    archive = tmp_path / "out" / "acme.zip"
    assert run(["backup", "--org", "acme", str(archive)]) == 0
    assert "Wrote acme" in capsys.readouterr().out
    assert run(["restore", str(archive), "--as", "acme-copy", "--link-existing-users"]) == 0
    assert "Restored acme-copy" in capsys.readouterr().out
    assert Organization.objects.filter(slug="acme-copy").exists()


def _refused(archive: Path, capsys, *args: str) -> str:
    organizations, events = Organization.objects.count(), Event.objects.count()
    users = User.objects.count()
    assert run(["restore", str(archive), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith("Error: ")
    assert Organization.objects.count() == organizations
    assert Event.objects.count() == events
    assert User.objects.count() == users
    return err


@pytest.fixture
def small(db, tmp_path) -> Path:
    """A backup of a small organisation (fast to rewrite in many ways)."""
    from tests.factories import MembershipFactory, OrganizationFactory

    organization = OrganizationFactory(slug="small", name="Small")
    MembershipFactory(organization=organization)
    path = tmp_path / "small.zip"
    backup_write(organization, path)
    return path


def _rewrite(source: Path, target: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(source) as original:
        members = {name: original.read(name) for name in original.namelist()}
    members = change(members)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


def _with_manifest(members: dict[str, bytes], edit) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    manifest = json.loads(members["manifest.json"])
    edit(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def _add_listed(members: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    members[name] = data

    def edit(manifest: dict[str, Any]) -> None:
        manifest["members"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    return _with_manifest(members, edit)


def test_an_existing_slug_is_refused(small, capsys):
    assert "exists" in _refused(small, capsys)


def test_a_tampered_entry_is_refused(small, tmp_path, capsys):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        members["organization.json"] = members["organization.json"].replace(b"Small", b"Evil!")
        return members

    err = _refused(_rewrite(small, tmp_path / "t.zip", change), capsys, "--as", "other")
    assert "SHA-256" in err


def test_an_unlisted_entry_is_refused(small, tmp_path, capsys):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        members["data/extra.json"] = b"[]"
        return members

    err = _refused(_rewrite(small, tmp_path / "t.zip", change), capsys, "--as", "other")
    assert "manifest" in err


@pytest.mark.parametrize(
    "name", ["../evil.json", "/etc/passwd", "files/../../x", "C:/x", "files\\..\\x"]
)
def test_zip_slip_names_are_refused(small, tmp_path, capsys, name):
    path = _rewrite(small, tmp_path / "t.zip", lambda m: _add_listed(m, name, b"x"))
    assert "entry" in _refused(path, capsys, "--as", "other")


def test_a_wrong_format_version_is_refused(small, tmp_path, capsys):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        return _with_manifest(members, lambda m: m.update(format_version=99))

    err = _refused(_rewrite(small, tmp_path / "t.zip", change), capsys, "--as", "other")
    assert "format version 99" in err


def test_a_newer_migration_is_refused(small, tmp_path, capsys):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        return _with_manifest(members, lambda m: m["migrations"]["core"].append("9999_future"))

    err = _refused(_rewrite(small, tmp_path / "t.zip", change), capsys, "--as", "other")
    assert "newer Huddle" in err


def test_a_decompression_bomb_is_refused(small, tmp_path, capsys):
    bomb = b"\0" * (8 * 1024 * 1024)
    path = _rewrite(small, tmp_path / "t.zip", lambda m: _add_listed(m, "files/bomb", bomb))
    assert "zip bomb" in _refused(path, capsys, "--as", "other")


def test_too_many_entries_are_refused(small, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backup_archive, "MAX_ENTRIES", 5)
    assert "entries" in _refused(small, capsys, "--as", "other")


def test_an_oversized_archive_is_refused(small, capsys, monkeypatch):
    monkeypatch.setattr(backup_archive, "MAX_ARCHIVE_BYTES", 100)
    assert "limit" in _refused(small, capsys, "--as", "other")


def test_an_archive_inflating_past_the_limit_is_refused(small, capsys, monkeypatch):
    monkeypatch.setattr(backup_archive, "MAX_BYTES", 100)
    assert "inflate" in _refused(small, capsys, "--as", "other")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path, db, capsys):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip at all")
    assert "not a zip" in _refused(path, capsys)


def test_a_failure_half_way_writes_nothing(small, tmp_path, monkeypatch):
    from huddle.backup import load

    def boom(self) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(load._Restorer, "fill_deferred", boom)
    before = Organization.objects.count(), Membership.objects.count(), Event.objects.count()
    with pytest.raises(RuntimeError):
        backup_restore(small, slug="other", link_existing_users=True)
    assert (Organization.objects.count(), Membership.objects.count(), Event.objects.count()) == (
        before
    )
    assert timezone.now()


def test_files_in_media_storage_travel_with_their_rows(small, tmp_path, settings):
    from django.core.files.base import ContentFile

    from huddle.capture.models import ImportJob

    settings.MEDIA_ROOT = tmp_path / "media"
    organization = Organization.objects.get(slug="small")
    owner = Membership.objects.get(organization=organization).user
    job = ImportJob(organization=organization, owner=owner, source="chatgpt")
    job.file.save("export.zip", ContentFile(b"the uploaded export"), save=True)
    gone = ImportJob.objects.create(
        organization=organization, owner=owner, source="claude", file="imports/deleted.zip"
    )
    archive = tmp_path / "with-files.zip"
    manifest = backup_write(organization, archive)
    assert manifest["files"] == [job.file.name]
    assert manifest["missing_files"] == [gone.file.name]
    restored, _ = backup_restore(archive, slug="copy", link_existing_users=True)
    copy = ImportJob.objects.get(organization=restored, source="chatgpt")
    assert copy.file.name != job.file.name  # the original still holds its name
    with copy.file.open("rb") as handle:
        assert handle.read() == b"the uploaded export"


def test_rows_that_dont_match_the_manifest_counts_are_refused(small, tmp_path, capsys):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        return _with_manifest(members, lambda m: m["counts"].update({"accounts.membership": 7}))

    err = _refused(_rewrite(small, tmp_path / "t.zip", change), capsys, "--as", "other")
    assert "accounts.membership rows don't match" in err


def test_rows_that_dont_fit_are_refused_even_with_matching_hashes(small, tmp_path, capsys):
    def change(members: dict[str, bytes]) -> dict[str, bytes]:
        rows = json.loads(members["data/accounts.membership.json"])
        rows[0]["fields"]["role"] = None  # NOT NULL in the database
        data = json.dumps(rows).encode()
        members = _add_listed(members, "data/accounts.membership.json", data)
        return members

    err = _refused(
        _rewrite(small, tmp_path / "t.zip", change),
        capsys,
        "--as",
        "other",
        "--link-existing-users",
    )
    assert "can't be restored" in err
