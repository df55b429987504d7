"""Uploaded files: each bad input is handled or refused with a message saying what and where."""

from __future__ import annotations

import gzip

import pytest

from huddle.context.parsing import document_text, parse_table, read_upload
from huddle.context.parsing.glossary import glossary_terms
from huddle.context.parsing.tables import table_rows
from huddle.core.errors import HuddleError, ValidationFailed
from tests.context.helpers import CAMPAIGN_CSV, docx_bytes, pdf_bytes, xlsx_bytes


def refused(raw: bytes, name: str = "q3.csv", **kwargs) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_table(raw, name, **kwargs)
    return caught.value.message


def test_a_clean_csv_gives_rows_preview_and_summary_with_rates():
    table = parse_table(CAMPAIGN_CSV.encode(), "q3.csv")
    assert table.row_count == 4
    assert table.notes == []
    summary = table.summary
    assert (summary["date_from"], summary["date_to"]) == ("2026-07-01", "2026-09-30")
    totals = summary["totals"]
    assert totals["impressions"] == 12000
    assert totals["clicks"] == 200
    assert totals["spend"] == 800
    assert totals["ctr"] == pytest.approx(200 / 12000, abs=1e-6)
    assert totals["cpl"] == pytest.approx(800 / 20)
    assert totals["conversion_rate"] == pytest.approx(5 / 200)
    email = next(g for g in summary["by_channel"] if g["name"] == "Email")
    assert (email["clicks"], email["ctr"], email["cpl"]) == (80, 0.04, 20)
    search = next(g for g in summary["by_channel"] if g["name"] == "Search")
    assert search["cpl"] is None  # no leads: no cost per lead rather than a division by zero
    assert [g["name"] for g in summary["by_campaign"]] == ["Launch", "Retarget"]
    assert list(table_rows(table.table_gz))[1][:3] == ["2026-07-01", "Email", "Launch"]


def test_latin1_csv_is_read_and_says_so():
    raw = "date,channel,campaign,clicks\n2026-07-01,Email,Rentrée été,12\n".encode("latin-1")
    table = parse_table(raw, "fr.csv")
    assert table.preview[0][2] == "Rentrée été"
    assert "Windows-1252" in table.notes[0]


def test_bom_is_not_part_of_the_first_header():
    raw = ("\ufeff" + CAMPAIGN_CSV).encode("utf-8")
    table = parse_table(raw, "q3.csv")
    assert table.columns[0] == "date"
    assert table.summary["date_from"] == "2026-07-01"


def test_semicolons_and_decimal_commas():
    raw = b"Date;Channel;Clicks;Spend\n01/07/2026;Email;1.200;1.234,50\n02/07/2026;Email;10;0,50\n"
    table = parse_table(raw, "eu.csv")
    assert "semicolons" in table.notes[0]
    assert table.summary["totals"]["spend"] == 1235.0
    assert table.summary["totals"]["clicks"] == 1210
    assert table.summary["date_from"] == "2026-07-01"  # day first


def test_tab_separated():
    raw = b"channel\tclicks\nEmail\t5\nSearch\t7\n"
    assert parse_table(raw, "t.tsv").summary["totals"]["clicks"] == 12


def test_ragged_row_is_refused_naming_the_row():
    raw = CAMPAIGN_CSV.encode() + b"2026-10-01,Email,Launch,1000,50\n"
    message = refused(raw)
    assert "Row 6 has 5 values" in message
    assert "8 columns" in message


def test_trailing_empty_cells_are_tolerated():
    raw = b"channel,clicks\nEmail,5,,\n"
    assert parse_table(raw, "x.csv").row_count == 1


def test_a_value_that_is_not_a_number_names_row_and_column():
    raw = b"channel,clicks\nEmail,5\nSearch,lots\n"
    assert refused(raw) == "Row 3, column B ('clicks'): 'lots' is not a number."


def test_a_bad_date_names_row_and_column():
    message = refused(b"date,clicks\n2026-13-45,1\n")
    assert message.startswith("Row 2, column A ('date'): '2026-13-45' is not a date")


@pytest.mark.parametrize("raw", [b"", b"   \n\n"])
def test_empty_file_is_refused(raw):
    assert "empty" in refused(raw)


def test_header_without_rows_is_refused():
    assert "no rows" in refused(b"channel,clicks\n")


def test_data_without_header_is_refused():
    assert "looks like data, not a header" in refused(b"1,2,3\n4,5,6\n")


def test_a_table_without_any_metric_column_is_refused():
    assert "no column is recognised as a metric" in refused(b"name,colour\nA,red\n")


def test_blank_or_repeated_header_is_refused():
    assert "column B: the header is blank" in refused(b"clicks,,x\n1,2,3\n")
    assert "column B: the header 'Clicks' is repeated" in refused(b"clicks,Clicks\n1,2\n")


def test_200k_rows_are_handled_in_bounded_form():
    lines = ["date,channel,campaign,impressions,clicks,spend"]
    lines += [
        f"2026-07-{1 + i % 28:02d},C{i % 5},K{i % 40},100,{i % 7},1.5" for i in range(200_000)
    ]
    table = parse_table(("\n".join(lines) + "\n").encode(), "big.csv")
    assert table.row_count == 200_000
    assert len(table.preview) == 100
    assert table.summary["totals"]["impressions"] == 20_000_000
    # 25 campaigns listed by spend, the other 15 folded into one line.
    assert table.summary["by_campaign"][-1]["name"] == "Other (15 more)"
    assert len(table.table_gz) < 2_000_000
    assert gzip.decompress(table.table_gz).count(b"\n") == 200_001


def test_more_rows_than_the_cap_are_refused(settings):
    settings.HUDDLE_CONTEXT_MAX_ROWS = 3
    message = refused(CAMPAIGN_CSV.encode())
    assert "more than 3 rows (the limit)" in message


def test_xlsx_uses_cached_formula_results():
    raw = xlsx_bytes(
        {"Results": [["channel", "clicks", "spend"], ["Email", 10, "=B2*2"]]}, cached={"C2": "20"}
    )
    table = parse_table(raw, "q3.xlsx")
    assert table.preview[0] == ["Email", "10", "20"]
    assert table.notes == []


def test_xlsx_formula_without_a_saved_result_names_the_cell():
    raw = xlsx_bytes({"Results": [["channel", "clicks", "spend"], ["Email", 10, "=B2*2"]]})
    message = refused(raw, "q3.xlsx")
    assert "Cell C2 of sheet 'Results' holds a formula (=B2*2) with no saved result" in message


def test_xlsx_with_several_sheets_uses_the_first_and_says_so():
    raw = xlsx_bytes(
        {"Q3": [["channel", "clicks"], ["Email", 3]], "Notes": [["just", "notes"]]},
    )
    table = parse_table(raw, "q3.xlsx")
    assert table.summary["totals"]["clicks"] == 3
    assert table.notes == ["The workbook has 2 sheets ('Q3', 'Notes'); the first, 'Q3', was used."]


def test_xlsx_dates_and_a_broken_workbook():
    from datetime import datetime

    raw = xlsx_bytes({"S": [["date", "clicks"], [datetime(2026, 7, 1), 4]]})
    assert parse_table(raw, "d.xlsx").summary["date_from"] == "2026-07-01"
    assert "not a readable XLSX workbook" in refused(b"PK not really", "d.xlsx")


def test_other_file_types_are_refused():
    assert "old Excel .xls" in refused(b"\xd0\xcf\x11\xe0", "q3.xls")
    assert "upload a CSV or XLSX" in refused(b"%PDF", "q3.pdf")


def test_upload_over_the_cap_is_refused_before_reading(settings):
    settings.HUDDLE_MAX_UPLOAD_MB = 20

    class Huge:
        name = "huge.csv"
        size = 100 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("must not be read")

    with pytest.raises(HuddleError, match=r"huge.csv is 100.0 MB; uploads are limited to 20"):
        read_upload(Huge(), "huge.csv")


def test_upload_without_a_size_is_cut_at_the_cap(settings):
    import io

    settings.HUDDLE_MAX_UPLOAD_MB = 1
    with pytest.raises(HuddleError, match="limited to 1 MB"):
        read_upload(io.BytesIO(b"x" * (1024 * 1024 + 10)), "big.md")


def test_pdf_text_is_extracted_and_a_pdf_without_text_is_refused():
    assert "Be brief and warm" in document_text(pdf_bytes("Be brief and warm"), "guide.pdf")
    with pytest.raises(ValidationFailed, match="no text layer in its 1 page"):
        document_text(pdf_bytes(None), "scan.pdf")
    with pytest.raises(ValidationFailed, match="not a readable PDF"):
        document_text(b"%PDF-1.4 garbage", "broken.pdf")


def test_docx_headings_and_lists_become_markdown():
    raw = docx_bytes([("Heading 1", "Voice"), ("Normal", "Warm."), ("List Bullet", "Short")])
    assert document_text(raw, "guide.docx") == "# Voice\n\nWarm.\n\n- Short"
    with pytest.raises(ValidationFailed, match="not a readable DOCX"):
        document_text(b"nope", "guide.docx")


def test_markdown_and_text_documents():
    assert document_text("\ufeff# Hi\r\nthere".encode(), "a.md") == "# Hi\nthere"
    with pytest.raises(ValidationFailed, match="has no text"):
        document_text(b"   ", "a.txt")
    with pytest.raises(ValidationFailed, match="Markdown, text, DOCX or PDF"):
        document_text(b"x", "a.exe")


def test_glossary_csv():
    raw = b"term,kind,replacement\nleverage,banned,use\nHuddle,product,\nusers,preferred\n"
    assert glossary_terms(raw, "g.csv") == [
        {"term": "leverage", "kind": "banned", "replacement": "use"},
        {"term": "Huddle", "kind": "product", "replacement": ""},
        {"term": "users", "kind": "preferred", "replacement": ""},
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"word,type\nx,y\n", "Line 1 of g.csv must be the header term,kind,replacement"),
        (b"term,kind,replacement\nx,slang,y\n", "Line 2, column kind: 'slang' must be"),
        (b"term,kind,replacement\nsynergy,banned,\n", "Line 2: the banned term 'synergy' needs"),
        (b"term,kind,replacement\na,b,c,d\n", "Line 2 has 4 values"),
        (b"term,kind,replacement\n", "has the header but no terms"),
    ],
)
def test_bad_glossary_csv_names_the_line(raw, message):
    with pytest.raises(ValidationFailed, match=message):
        glossary_terms(raw, "g.csv")
