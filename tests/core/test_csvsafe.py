"""``core.csvsafe``: which cells are written as text, and that numbers stay numbers."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle.core.csvsafe import PLAIN_NUMBER, TRIGGERS, neutral, writer


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1", '=HYPERLINK("https://evil.test","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
        "\tx", "\r=1", " =1+1", "\n@x", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(1)", "-",
        "+", "-Search", "-1e5+1", "--1",
    ],
)  # fmt: skip
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert neutral(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-5", "+3.5", "-1,234.50", "-12%", "1e-3", "-.5", "-0", "plain", "", "a=b", "'=x"]
)
def test_plain_numbers_and_ordinary_text_are_unchanged(cell):
    assert neutral(cell) == cell


@pytest.mark.parametrize("value", [-5, -0.25, 0, 3, None, True])
def test_values_that_are_not_strings_are_unchanged(value):
    assert neutral(value) is value


def test_the_writer_neutralises_every_cell_and_keeps_numbers():
    out = io.StringIO()
    writer(out).writerows([["=1+1", -5, "-5", "ok"], ["@x", None]])
    assert out.getvalue() == "'=1+1,-5,-5,ok\r\n'@x,\r\n"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_no_string_comes_out_starting_a_formula(text):
    cell = neutral(text)
    assert cell in (text, "'" + text)
    starts = cell[:1] in TRIGGERS or cell.lstrip()[:1] in TRIGGERS
    assert not starts or PLAIN_NUMBER.fullmatch(cell)
