"""Hostile context uploads (issue 18, item 3): every one is refused with a message naming the
problem (and the limit), through the service, the API and the page, and leaves nothing behind —
no asset, no job still holding its file — and never an HTML 500.

Most are refused on receipt, by the quick checks (``parsing.inspect_upload``): the API answers
422 at once and the form shows the error. The rest need the file read (a sheet's declared size,
a PDF's pages): the upload is queued, and the job fails with the message. The files are built
by ``tests/context/hostile.py``; ``python -m bench.uploads`` measures what each costs.
"""

from __future__ import annotations

import functools
import html
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.context import jobs, services
from huddle.context.models import ContextAsset, UploadJob
from huddle.context.parsing import isolated
from huddle.core.errors import ValidationFailed
from tests.context import hostile
from tests.context.helpers import pdf_bytes
from tests.imports.conftest import media, work  # noqa: F401 - media: an autouse fixture

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    name: str
    build: Callable[[], bytes]
    says: str  # in the message, as the member reads it
    on_receipt: bool = True  # refused by the quick checks, before any job


def once(build: Callable[[], bytes]) -> Callable[[], bytes]:
    return functools.cache(build)


CASES = [
    Case(
        "xlsx-dimension-A1:XFD1048576",
        "campaign_data",
        "q3.xlsx",
        hostile.xlsx_huge_dimension,
        "The sheet 'Sheet1' of q3.xlsx has 16,384 columns; the limit is 200.",
        on_receipt=False,
    ),
    Case(
        "xlsx-cell-in-row-1048576",
        "campaign_data",
        "q3.xlsx",
        hostile.xlsx_far_cell,
        "q3.xlsx has more than 200,000 rows (the limit; it has rows down to row 201,001)",
        on_receipt=False,
    ),
    Case(
        "docx-2m-empty-paragraphs",
        "other",
        "guide.docx",
        once(hostile.docx_empty_paragraphs),
        "word/document.xml inflates to 681 times its compressed size (11.4 MB); the limit is 100",
    ),
    Case(
        "docx-60k-paragraphs",
        "other",
        "guide.docx",
        once(hostile.docx_numbered_paragraphs),
        "guide.docx has more than 50,000 paragraphs (empty ones count too); the limit is 50,000.",
    ),
    Case(
        "docx-60k-paragraphs-prefix-x",
        "other",
        "guide.docx",
        once(lambda: hostile.docx_numbered_paragraphs(prefix="x")),
        "guide.docx has more than 50,000 paragraphs (empty ones count too); the limit is 50,000.",
    ),
    Case(
        "docx-2.4m-elements",
        "other",
        "guide.docx",
        once(hostile.docx_many_elements),
        "guide.docx has more than 2,000,000 elements of formatting and text in "
        "word/document.xml; the limit is 2,000,000.",
    ),
    Case(
        "docx-520k-characters",
        "other",
        "guide.docx",
        once(hostile.docx_long_text),
        "guide.docx has more than 500,000 characters of text; the limit is 500,000.",
        on_receipt=False,
    ),
    Case(
        "pdf-25-pages-one-1mb-stream",
        "brand",
        "guide.pdf",
        hostile.pdf_shared_stream,
        "guide.pdf has more than 8.0 MB of drawing instructions to read through for its text",
        on_receipt=False,
    ),
    Case(
        "pdf-600-pages",
        "brand",
        "guide.pdf",
        lambda: hostile.pdf_many_pages(600),
        "guide.pdf has 600 pages; the limit is 500.",
        on_receipt=False,
    ),
    Case(
        "pdf-encrypted",
        "brand",
        "guide.pdf",
        hostile.pdf_encrypted,
        "guide.pdf is password-protected; upload an unprotected copy.",
        on_receipt=False,
    ),
    Case(
        "pdf-garbage",
        "brand",
        "guide.pdf",
        hostile.pdf_garbage,
        "guide.pdf is not a readable PDF",
        on_receipt=False,
    ),
    Case(
        "pdf-not-a-pdf",
        "brand",
        "guide.pdf",
        lambda: b"Hello, this is not a PDF at all.",
        "guide.pdf is not a readable PDF (it does not start as a PDF does).",
    ),
    Case(
        "docx-zip-bomb-1.5gb",
        "other",
        "guide.docx",
        once(lambda: hostile.zip_bomb("docx")),
        "guide.docx would inflate to 1.5 GB; the limit is 256.0 MB.",
    ),
    Case(
        "xlsx-zip-bomb-1.5gb",
        "campaign_data",
        "q3.xlsx",
        once(lambda: hostile.zip_bomb("xlsx")),
        "q3.xlsx would inflate to 1.5 GB; the limit is 256.0 MB.",
    ),
    Case(
        "docx-zip-bomb-declaring-1mb",
        "other",
        "guide.docx",
        once(lambda: hostile.zip_bomb("docx", lie=True)),
        "guide.docx: word/media/image1.png inflates to more than the 1.0 MB it declares (a zip "
        "bomb, or a damaged file).",
    ),
    Case(
        "xlsx-zip-bomb-declaring-1mb",
        "campaign_data",
        "q3.xlsx",
        once(lambda: hostile.zip_bomb("xlsx", lie=True)),
        "q3.xlsx: xl/media/image1.png inflates to more than the 1.0 MB it declares",
    ),
    Case(
        "docx-overlapping-entries",
        "other",
        "guide.docx",
        once(lambda: hostile.zip_overlapping("docx")),
        "guide.docx is not a readable DOCX document: files inside it overlap",
    ),
    Case(
        "xlsx-2500-entries",
        "campaign_data",
        "q3.xlsx",
        once(lambda: hostile.zip_many_entries("xlsx", 2_500)),
        "q3.xlsx holds 2,505 files inside; the limit is 2,000.",
    ),
    Case(
        "docx-60000-entries",
        "other",
        "guide.docx",
        once(lambda: hostile.zip_many_entries("docx", 60_000)),
        "guide.docx lists more files inside than Huddle reads: its directory takes 3.9 MB",
    ),
    Case(
        "docx-absolute-name",
        "other",
        "guide.docx",
        lambda: hostile.zip_with_name("docx", "/etc/cron.d/evil"),
        "guide.docx holds a file named '/etc/cron.d/evil', which points outside the archive.",
    ),
    Case(
        "xlsx-dot-dot-name",
        "campaign_data",
        "q3.xlsx",
        lambda: hostile.zip_with_name("xlsx", "xl/../../evil.xml"),
        "q3.xlsx holds a file named 'xl/../../evil.xml', which points outside the archive.",
    ),
    Case(
        "docx-billion-laughs",
        "other",
        "guide.docx",
        hostile.docx_billion_laughs,
        "guide.docx: word/document.xml holds a document type declaration",
    ),
    Case(
        "xlsx-billion-laughs-in-sheet",
        "campaign_data",
        "q3.xlsx",
        hostile.xlsx_billion_laughs,
        "q3.xlsx: xl/worksheets/sheet1.xml holds a document type declaration",
    ),
    Case(
        "xlsx-dtd-in-workbook",
        "campaign_data",
        "q3.xlsx",
        hostile.xlsx_billion_laughs_in_workbook,
        "q3.xlsx: xl/workbook.xml holds a document type declaration",
    ),
    Case(
        "docx-utf7-prolog",
        "other",
        "guide.docx",
        hostile.docx_unknown_encoding,
        "guide.docx: word/document.xml is not well-formed XML (multi-byte encodings are not "
        "supported).",
    ),
    Case(
        "docx-bad-checksum",
        "other",
        "guide.docx",
        lambda: hostile.bad_checksum(hostile.docx_numbered_paragraphs(10), "word/document.xml"),
        "guide.docx is damaged: word/document.xml fails its checksum.",
    ),
    Case(
        "docx-scrambled-data",
        "other",
        "guide.docx",
        lambda: hostile.corrupt(
            hostile.docx_package(hostile.docx_document("<w:p/>" * 3000 + "<w:p>Hi</w:p>")),
            "word/document.xml",
        ),
        "guide.docx: word/document.xml inflates to more than the 18 KB it declares (a zip bomb, "
        "or a damaged file).",
    ),
    Case(
        "xlsx-truncated",
        "campaign_data",
        "q3.xlsx",
        lambda: hostile.truncated(hostile.xlsx_package(hostile.sheet_xml(hostile.SMALL_TABLE))),
        "q3.xlsx is not a readable XLSX workbook: the archive is damaged or incomplete",
    ),
    Case(
        "xlsx-not-a-zip",
        "campaign_data",
        "q3.xlsx",
        lambda: b"date,clicks\n2026-07-01,1\n",
        "q3.xlsx is not a readable XLSX workbook: it is not a zip archive, as every .xlsx file is.",
    ),
    Case(
        "xlsx-encrypted-or-xls",
        "campaign_data",
        "q3.xlsx",
        hostile.ole_file,
        "q3.xlsx is password-protected or saved in the old Excel 97-2003 (.xls) format",
    ),
    Case(
        "csv-1m-columns",
        "campaign_data",
        "q3.csv",
        once(hostile.csv_wide),
        "Line 1 of q3.csv is 7,888,886 characters long (about 1,000,000 columns); the limit is "
        "1,048,576 characters and 200 columns.",
    ),
    Case(
        "csv-500-columns",
        "campaign_data",
        "q3.csv",
        lambda: hostile.csv_columns(500),
        "The table of q3.csv has 500 columns; the limit is 200.",
    ),
]
IDS = [case.id for case in CASES]


def file_of(case: Case) -> SimpleUploadedFile:
    return SimpleUploadedFile(case.name, case.build())


def nothing_left(media) -> None:  # noqa: F811 - the fixture's value
    assert not ContextAsset.objects.exists()
    folder = media / jobs.FOLDER
    assert not folder.exists() or list(folder.iterdir()) == []
    assert not UploadJob.objects.filter(status__in=["queued", "running"]).exists()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_service_refuses_it_naming_the_problem(case, editor, media):  # noqa: F811
    with pytest.raises(ValidationFailed) as refused:
        services.asset_create(
            actor=editor.actor,
            organization=editor.org,
            kind=case.kind,
            slug="hostile",
            title="Hostile",
            upload=services.Upload(case.name, case.build()),
        )
    assert case.says in refused.value.message
    assert refused.value.fields == {"file": [refused.value.message]}
    nothing_left(media)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_api_refuses_it_with_a_json_error(
    case,
    api_client,
    editor,
    media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = api_client(editor)
    form = {"kind": case.kind, "slug": "hostile", "title": "Hostile", "file": file_of(case)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/context/upload", form)
    if case.on_receipt:
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert (error["code"], error["fields"]) == ("invalid", {"file": [error["message"]]})
        assert case.says in error["message"]
        assert not UploadJob.objects.exists()
    else:
        assert response.status_code == 202, response.content
        assert work() == 1
        job = client.get(f"/api/v1/context/uploads/{response.json()['id']}").json()
        assert (job["status"], job["asset"]) == ("failed", None)
        assert case.says in job["error"]
    nothing_left(media)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_page_says_why(
    case,
    login,
    editor,
    media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client = login(editor)
    form = {"title": "Hostile", "slug": "hostile", "visibility": "org", "file": file_of(case)}
    if case.kind == "brand":
        form["voice"] = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/acme/context/new/{case.kind}/", form)
    if case.on_receipt:
        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert case.says in page
        assert 'name="slug" value="hostile"' in page  # the form is shown again, as it was
    else:
        assert response.status_code == 302
        assert work() == 1
        page = html.unescape(client.get(response["Location"]).content.decode())
        assert 'data-status="failed"' in page
        assert case.says in page
        assert f'href="/o/acme/context/new/{case.kind}/">Try again' in page
    nothing_left(media)


# --- the child process's hard limits: a failed job with a message, and the worker carries on --


def _queue(actor, name: str, raw: bytes, capture, kind: str = "brand") -> UploadJob:
    with capture(execute=True):
        return jobs.upload_job_for_asset(
            actor=actor, file=SimpleUploadedFile(name, raw), kind=kind, slug="s", title="S"
        )


def _run(job: UploadJob) -> UploadJob:
    assert work() == 1
    job.refresh_from_db()
    return job


def test_a_parse_past_its_processor_time_fails_the_job(
    editor,
    settings,
    media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Within every limit, yet slow to read: 5 pages of 1.5 MB of text instructions (about 10
    s of pypdf's extraction), read with 1 second of processor time."""
    settings.HUDDLE_UPLOAD_PARSE_SECONDS = 1
    raw = hostile.pdf_shared_stream(pages=5, megabytes=1.5)
    job = _run(_queue(editor.actor, "slow.pdf", raw, django_capture_on_commit_callbacks))
    assert job.status == "failed"
    assert job.error == (
        "Reading slow.pdf needs more than 1 second of processing, the limit; save a smaller or "
        "simpler file and upload it again."
    )
    nothing_left(media)


def test_a_parse_past_its_memory_fails_the_job(
    editor,
    settings,
    media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Within every limit, but python-docx's tree of its 600,000 elements takes over 100 MB: read
    with 96 MB (``HUDDLE_UPLOAD_PARSE_MB`` can't be set below 256; 480,000 runs take 350 MB)."""
    settings.HUDDLE_UPLOAD_PARSE_MB = 96
    raw = hostile.docx_heavy_runs()
    job = _run(_queue(editor.actor, "guide.docx", raw, django_capture_on_commit_callbacks))
    assert job.status == "failed"
    assert job.error == (
        "Reading guide.docx needs more than 96 MB of memory, the limit; save a smaller or "
        "simpler file and upload it again."
    )
    nothing_left(media)


def test_a_parsing_process_that_dies_fails_its_job_and_the_next_job_runs(
    editor,
    monkeypatch,
    media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(
        isolated, "command", lambda: [sys.executable, "-c", "import os; os.abort()"]
    )
    job = _run(
        _queue(editor.actor, "guide.pdf", pdf_bytes("Hi"), django_capture_on_commit_callbacks)
    )
    assert job.status == "failed"
    assert job.error.startswith("Reading guide.pdf stopped unexpectedly (exit status -6)")
    monkeypatch.undo()
    job = _run(
        _queue(
            editor.actor,
            "again.pdf",
            pdf_bytes("Warm and brief"),
            django_capture_on_commit_callbacks,
        )
    )
    assert job.status == "done", job.error
    assert job.asset.approved_version.parts["voice"] == "Warm and brief"


# --- what looks odd but is fine ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "text"),
    [
        # pypdf finds the objects again by scanning the file.
        ("guide.pdf", hostile.pdf_broken_xref, "Warm and brief"),
        # A chart's workbook is a zip inside the DOCX: neither the checks nor python-docx open
        # it, so a bomb in there inflates nothing (it counts towards the sizes as it is stored).
        ("guide.docx", hostile.nested_zip_docx, "Hello"),
    ],
    ids=["pdf-broken-xref", "docx-holding-a-zip-bomb"],
)
def test_what_looks_odd_but_is_fine_is_read(editor, name, build, text):
    asset = services.asset_create(
        actor=editor.actor,
        organization=editor.org,
        kind="other",
        slug="guide",
        title="Guide",
        upload=services.Upload(name, build()),
    )
    assert asset.approved_version.data["text"] == text
