"""Importing each vendor's usage report, built from its documented columns, and the refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from huddle.core.errors import ValidationFailed
from huddle.core.models import Event
from huddle.usage.models import ImportStatus, UsageImport, UsageWeek
from tests.usage import reports

MONDAY = date(2026, 9, 7)


def weeks(org, email):
    return {
        (w.week_start, w.tool): w
        for w in UsageWeek.objects.filter(organization=org, user__email=email)
    }


def test_a_chatgpt_weekly_export_stores_each_persons_week(org, members, run_import):
    rows = reports.chatgpt_week(MONDAY, {"ann@acme.test": 40, "bob@acme.test": 3})
    rows += reports.chatgpt_week(MONDAY + timedelta(weeks=1), {"ann@acme.test": 55})
    record = run_import(reports.to_csv(reports.CHATGPT_COLUMNS, rows), "chatgpt")
    assert record.status == ImportStatus.DONE
    ann = weeks(org, "ann@acme.test")
    assert ann[(MONDAY, "chatgpt")].messages == 40
    assert ann[(MONDAY + timedelta(weeks=1), "chatgpt")].messages == 55
    assert ann[(MONDAY, "chatgpt")].active_days == 2  # first and last active day of the week
    assert weeks(org, "bob@acme.test")[(MONDAY, "chatgpt")].messages == 3
    assert record.report["matched"] == 2
    assert Event.objects.filter(kind="usage.imported", organization=org).count() == 1


def test_a_monthly_chatgpt_export_is_refused_and_says_to_export_the_weekly_one(
    org, members, run_import
):
    rows = reports.chatgpt_week(MONDAY, {"ann@acme.test": 40})
    rows[0]["period_end"] = (MONDAY + timedelta(days=29)).isoformat()
    with pytest.raises(ValidationFailed) as error:
        run_import(reports.to_csv(reports.CHATGPT_COLUMNS, rows), "chatgpt")
    assert "weekly report" in " ".join(error.value.fields["file"])
    assert not UsageWeek.objects.exists()


def test_claude_daily_activity_is_summed_per_week_with_its_active_days(org, members, run_import):
    days = [MONDAY + timedelta(days=d) for d in range(10)]  # a week and three days
    rows = reports.claude_days(days, {"ann@acme.test": 5, "cat@acme.test": 0})
    run_import(reports.to_csv(reports.CLAUDE_COLUMNS, rows), "claude")
    ann = weeks(org, "ann@acme.test")
    assert ann[(MONDAY, "claude")].messages == 35
    assert ann[(MONDAY, "claude")].active_days == 7
    assert ann[(MONDAY + timedelta(weeks=1), "claude")].messages == 15
    assert ann[(MONDAY + timedelta(weeks=1), "claude")].active_days == 3
    assert weeks(org, "cat@acme.test")[(MONDAY, "claude")].active_days == 0


def test_copilot_last_activity_dates_mark_active_days_and_later_snapshots_add_to_them(
    org, members, run_import
):
    first = reports.copilot_snapshot(
        MONDAY + timedelta(days=2),
        {
            "ann@acme.test": {"Word": MONDAY, "Microsoft Teams": MONDAY + timedelta(days=1)},
            "bob@acme.test": {"Word": None},  # licensed, never used
        },
    )
    run_import(reports.to_csv(reports.COPILOT_COLUMNS, first), "copilot")
    second = reports.copilot_snapshot(
        MONDAY + timedelta(days=4),
        {"ann@acme.test": {"Outlook": MONDAY + timedelta(days=3), "Copilot Chat": None}},
    )
    record = run_import(reports.to_csv(reports.COPILOT_COLUMNS, second), "copilot")
    week = weeks(org, "ann@acme.test")[(MONDAY, "copilot")]
    assert week.active_days == 3  # Monday and Tuesday from the first report, Thursday after
    assert week.messages == 0  # the report has no counts
    assert weeks(org, "bob@acme.test") == {}
    assert record.report["people"] == 1


def test_the_generic_csv_reads_tools_minutes_and_dates(org, members, run_import):
    data = reports.to_csv(
        reports.GENERIC_COLUMNS,
        [
            {"email": "ANN@acme.test", "date": "2026-09-07", "tool": "Gemini", "messages": 4,
             "active_minutes": "12.5"},
            {"email": "ann@acme.test", "date": "2026-09-08", "tool": "gemini", "messages": 1,
             "active_minutes": 3},
            {"email": "ann@acme.test", "date": "2026-09-08", "tool": "perplexity", "messages": 2},
        ],
    )  # fmt: skip
    record = run_import(data, "generic")
    ann = weeks(org, "ann@acme.test")
    assert ann[(MONDAY, "gemini")].messages == 5
    assert ann[(MONDAY, "gemini")].active_minutes == pytest.approx(15.5)
    assert ann[(MONDAY, "other")].messages == 2
    assert record.report["other_tools"] == {"perplexity": 1}


def test_importing_the_same_report_twice_stores_the_same_figures(org, members, run_import):
    days = [MONDAY + timedelta(days=d) for d in range(14)]
    data = reports.to_csv(
        reports.CLAUDE_COLUMNS, reports.claude_days(days, {"ann@acme.test": 3, "bob@acme.test": 1})
    )
    run_import(data, "claude")
    before = sorted(UsageWeek.objects.values_list("user_id", "week_start", "messages"))
    run_import(data, "claude")
    assert sorted(UsageWeek.objects.values_list("user_id", "week_start", "messages")) == before
    assert UsageWeek.objects.count() == 4


def test_two_files_that_share_a_week_fill_it_together(org, members, run_import):
    """A month's file ends on a Wednesday, the next starts on Thursday: the week holds both."""
    wednesday = MONDAY + timedelta(days=2)
    first = [MONDAY + timedelta(days=d) for d in range(3)]
    second = [wednesday + timedelta(days=d) for d in range(1, 5)]
    for days in (first, second):
        data = reports.to_csv(
            reports.CLAUDE_COLUMNS, reports.claude_days(days, {"ann@acme.test": 2})
        )
        run_import(data, "claude")
    week = weeks(org, "ann@acme.test")[(MONDAY, "claude")]
    assert week.messages == 14
    assert week.active_days == 7


def test_people_who_are_not_members_are_reported_or_added_on_request(org, members, run_import):
    rows = reports.chatgpt_week(MONDAY, {"ann@acme.test": 5, "zed@elsewhere.test": 9})
    data = reports.to_csv(reports.CHATGPT_COLUMNS, rows)
    record = run_import(data, "chatgpt")
    assert record.report["unknown"] == ["zed@elsewhere.test"]
    assert not UsageWeek.objects.filter(user__email="zed@elsewhere.test").exists()
    record = run_import(data, "chatgpt", create_members=True)
    assert record.report["created"] == 1
    assert record.report["unknown_count"] == 0
    assert weeks(org, "zed@elsewhere.test")[(MONDAY, "chatgpt")].messages == 9
    assert org.memberships.filter(user__email="zed@elsewhere.test", role="member").exists()


@pytest.mark.parametrize(
    ("source", "columns", "missing"),
    [
        ("chatgpt", reports.CLAUDE_COLUMNS, "period_start"),
        ("claude", reports.COPILOT_COLUMNS, "date"),
        ("copilot", reports.GENERIC_COLUMNS, "User Principal Name"),
        ("generic", ["email", "day_of_week", "count"], "messages"),
    ],
)
def test_a_report_of_another_shape_is_refused_naming_the_missing_columns(
    org, members, run_import, source, columns, missing
):
    data = reports.to_csv(columns, [{c: "1" for c in columns}])
    with pytest.raises(ValidationFailed) as error:
        run_import(data, source)
    assert missing in error.value.message
    assert "Nothing was imported" in error.value.message
    record = UsageImport.objects.get()
    assert record.status == ImportStatus.REFUSED
    assert missing in record.error
    assert not UsageWeek.objects.exists()


def test_a_latin1_file_is_refused_as_not_utf8_and_nothing_is_written(org, members, run_import):
    rows = [{"email": "ann@acme.test", "date": "2026-09-07", "tool": "other", "messages": 1}]
    rows += [{"email": "bob@acme.test", "date": "2026-09-07", "tool": "Café", "messages": 2}]
    data = reports.to_csv(reports.GENERIC_COLUMNS, rows, encoding="latin-1")
    with pytest.raises(ValidationFailed) as error:
        run_import(data, "generic")
    assert "not UTF-8" in error.value.message
    assert "line 3" in error.value.message
    assert not UsageWeek.objects.exists()


def test_bad_values_are_listed_by_line_and_nothing_is_written(org, members, run_import):
    rows = [{"email": "ann@acme.test", "date": "2026-09-07", "messages": 3}]
    rows += [{"email": "bob@acme.test", "date": "07/09/2026", "messages": 1}]
    rows += [{"email": "no-at-sign", "date": "2026-09-07", "messages": 1}]
    rows += [{"email": "cat@acme.test", "date": "2026-09-07", "messages": "-4"}]
    with pytest.raises(ValidationFailed) as error:
        run_import(reports.to_csv(reports.GENERIC_COLUMNS, rows), "generic")
    problems = error.value.fields["file"]
    assert problems[0].startswith("line 3: date '07/09/2026'")
    assert problems[1].startswith("line 4:")
    assert "below zero" in problems[2]
    assert not UsageWeek.objects.exists()


def test_a_spreadsheet_or_an_empty_file_is_refused_with_what_it_is(org, members, run_import):
    with pytest.raises(ValidationFailed, match="Excel workbook"):
        run_import(b"PK\x03\x04rest-of-a-zip", "generic")
    with pytest.raises(ValidationFailed, match="empty"):
        run_import(b"", "generic")
    assert not UsageWeek.objects.exists()
