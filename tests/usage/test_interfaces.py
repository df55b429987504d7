"""The usage import from the CLI, the admin upload page (through the worker) and the API."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.usage.models import ImportStatus, UsageImport, UsageWeek
from tests.imports.conftest import work
from tests.usage import reports

MONDAY = date(2026, 9, 7)


def chatgpt_file(people: dict[str, int] | None = None) -> bytes:
    rows = reports.chatgpt_week(MONDAY, people or {"admin@acme.test": 12, "new@else.test": 4})
    return reports.to_csv(reports.CHATGPT_COLUMNS, rows)


def test_the_cli_imports_a_report_and_prints_a_json_report(admin, cli, tmp_path):
    path = tmp_path / "chatgpt.csv"
    path.write_bytes(chatgpt_file())
    code, out, _err = cli("usage", "import", path, "--org", "acme", "--source", "chatgpt", "--json")
    assert code == 0
    assert out["status"] == "done"
    assert out["report"]["matched"] == 1
    assert out["report"]["unknown"] == ["new@else.test"]
    code, out, _err = cli(
        "usage", "import", path, "--org", "acme", "--source", "chatgpt", "--create-members"
    )
    assert code == 0
    assert "2 of 2 people matched, 1 added as members" in out
    assert UsageWeek.objects.filter(user__email="new@else.test").get().messages == 4


def test_the_cli_refuses_a_bad_report_in_one_line_with_exit_status_2(admin, cli, tmp_path):
    path = tmp_path / "copilot.csv"
    path.write_bytes(chatgpt_file())
    code, _out, err = cli("usage", "import", path, "--org", "acme", "--source", "copilot")
    assert code == 2
    assert "User Principal Name" in err
    assert "Traceback" not in err
    assert not UsageWeek.objects.exists()
    code, _out, err = cli("usage", "import", path, "--org", "acme", "--source", "gemini")
    assert code == 2
    assert "chatgpt, claude, copilot or generic" in err
    code, _out, err = cli(
        "usage", "import", tmp_path / "nope.csv", "--org", "acme", "--source", "generic"
    )
    assert code == 2
    assert "No such file" in err


def test_an_admin_uploads_a_report_and_the_worker_imports_it(admin, login):
    client = login(admin)
    page = client.get("/o/acme/usage/imports/")
    assert page.status_code == 200
    upload = SimpleUploadedFile("week.csv", chatgpt_file(), content_type="text/csv")
    response = client.post("/o/acme/usage/imports/", {"source": "chatgpt", "file": upload})
    assert response.status_code == 302
    record = UsageImport.objects.get()
    assert record.status == ImportStatus.QUEUED
    assert work() == 1
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert not record.file  # the upload is not kept
    page = client.get(response["Location"]).content.decode()
    assert "1 of 2 people matched" in page
    assert "new@else.test" in page
    csv_text = client.get(response["Location"] + "?format=csv").content.decode()
    assert csv_text.splitlines() == ["email", "new@else.test"]


def test_an_upload_of_the_wrong_report_is_refused_on_the_page_naming_the_columns(admin, login):
    upload = SimpleUploadedFile("week.csv", chatgpt_file(), content_type="text/csv")
    response = login(admin).post("/o/acme/usage/imports/", {"source": "claude", "file": upload})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Missing column: date" in text
    assert not UsageImport.objects.exists()


def test_an_upload_over_the_row_cap_is_refused_by_the_worker_with_nothing_written(admin, login):
    """500,000 rows: more than an upload may hold (the CLI imports it)."""
    day = "2026-09-07"
    body = "email,date,tool,messages,active_minutes\r\n" + (
        f"admin@acme.test,{day},chatgpt,1,2\r\n" * 500_000
    )
    upload = SimpleUploadedFile("big.csv", body.encode(), content_type="text/csv")
    client = login(admin)
    response = client.post("/o/acme/usage/imports/", {"source": "generic", "file": upload})
    assert response.status_code == 302
    work()
    record = UsageImport.objects.get()
    assert record.status == ImportStatus.REFUSED
    assert "more than 200,000 rows" in record.error
    assert "huddle usage import" in record.error
    assert not UsageWeek.objects.exists()
    assert "more than 200,000 rows" in client.get(response["Location"]).content.decode()


def test_members_and_editors_may_not_import_usage(member, editor, login, api_client):
    for persona in (member, editor):
        assert login(persona).get("/o/acme/usage/imports/").status_code == 403
        upload = SimpleUploadedFile("week.csv", chatgpt_file(), content_type="text/csv")
        response = api_client(persona).post(
            "/api/v1/usage/imports", {"source": "chatgpt", "file": upload}
        )
        assert response.status_code == 403
    assert not UsageImport.objects.exists()


def test_the_api_queues_an_upload_and_reports_it(owner, api_client):
    client = api_client(owner)
    data = chatgpt_file({"owner@acme.test": 12, "new@else.test": 4})
    upload = SimpleUploadedFile("week.csv", data, content_type="text/csv")
    response = client.post(
        "/api/v1/usage/imports", {"source": "chatgpt", "file": upload, "create_members": "true"}
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    work()
    detail = client.get(f"/api/v1/usage/imports/{body['id']}").json()
    assert detail["status"] == "done"
    assert detail["report"]["created"] == 1
    listed = client.get("/api/v1/usage/imports").json()
    assert ([i["id"] for i in listed["items"]], listed["next_cursor"]) == ([body["id"]], None)


def test_the_api_refuses_a_wrong_report_with_a_422_naming_the_missing_columns(owner, api_client):
    upload = SimpleUploadedFile("x.csv", b"name,count\r\nann,3\r\n", content_type="text/csv")
    response = api_client(owner).post(
        "/api/v1/usage/imports", {"source": "generic", "file": upload}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert "email" in error["message"]
    assert error["fields"]["file"]
    upload = SimpleUploadedFile("x.csv", "email,date,messages\r\nzoé@x,1,1\r\n".encode("latin-1"))
    response = api_client(owner).post(
        "/api/v1/usage/imports", {"source": "generic", "file": upload}
    )
    assert response.status_code == 202  # the header is ASCII: the worker finds the rest
    work()
    assert UsageImport.objects.get(file_name="x.csv", status="refused").error.startswith(
        "The file is not UTF-8"
    )


def test_an_outsider_sees_no_import_of_another_organisation(owner, outsider, api_client):
    record = UsageImport.objects.create(organization=owner.org, source="generic")
    response = api_client(outsider).get(f"/api/v1/usage/imports/{record.public_id}")
    assert response.status_code == 404


def test_settings_lead_admins_to_the_usage_reports_and_not_members(admin, member, login):
    page = login(admin).get("/o/acme/settings/").content.decode()
    assert 'href="/o/acme/usage/imports/"' in page
    page = login(member).get("/o/acme/settings/").content.decode()
    assert "/usage/imports/" not in page


def test_the_upload_page_names_an_unknown_source_and_imports_nothing(admin, login):
    upload = SimpleUploadedFile("report.csv", chatgpt_file(), content_type="text/csv")
    response = login(admin).post("/o/acme/usage/imports/", {"source": "myspace", "file": upload})
    assert response.status_code == 422
    assert "Select a valid choice. myspace is not one of the available choices." in (
        response.content.decode()
    )
    assert not UsageImport.objects.exists()
