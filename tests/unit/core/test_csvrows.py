"""The one reader of uploaded tables: CSV and XLSX give the same rows, bounded."""

from __future__ import annotations

import datetime as dt

from backend.core.csvrows import read_rows, read_table
from tests.sheets import xlsx

HEADERS = {"code": "code", "代码": "code", "name": "name", "名称": "name", "day": "day"}




def test_csv_and_xlsx_give_the_same_rows():
    text = "\ufeff代码,名称,day\n522324003,三宝街道,2026-06-01\n\n,,\n522324004, 乙 ,\n"
    book = xlsx([["代码", "名称", "day"], [522324003, "三宝街道", dt.date(2026, 6, 1)],
                  [None, None, None], [None, None, None], [522324004.0, " 乙 ", None]])
    expected = [
        (2, {"code": "522324003", "name": "三宝街道", "day": "2026-06-01"}),
        (5, {"code": "522324004", "name": "乙", "day": ""}),
    ]
    assert read_rows(text, HEADERS, ("code",)) == (expected, [])
    assert read_rows(text.encode("utf-8"), HEADERS, ("code",)) == (expected, [])
    assert read_rows(text.encode("gb18030"), HEADERS, ("code",)) == (expected, [])
    rows, errors = read_rows(book, HEADERS, ("code",))
    assert errors == []
    assert rows[0] == expected[0] and rows[1][1] == {"code": "522324004", "name": "乙", "day": ""}


def test_header_problems_are_row_one_and_name_their_column():
    table = read_table("代码,colour,代码\n1,2,3\n", HEADERS, ("code", "name"))
    assert table.rows == []
    assert {(e.field, e.code, e.row, e.column) for e in table.errors} == {
        ("colour", "unknown_field", 1, "colour"),
        ("code", "duplicate", 1, "代码"),
        ("name", "required", 1, None),
    }


def test_named_adds_the_file_column_and_sorts_by_row():
    from backend.core.errors import FieldError

    table = read_table("名称,代码\nx,1\n", HEADERS, ())
    named = table.named([FieldError("code", "invalid", row=3), FieldError("name", "x", row=2)])
    assert [(e.row, e.column) for e in named] == [(2, "名称"), (3, "代码")]


def test_empty_and_garbage_files():
    assert read_table("", HEADERS, ()).errors[0].code == "required"
    assert read_table(b"PK\x03\x04\x00", HEADERS, ()).errors[0].code == "not_table"
    assert read_table(b"\xd0\xcf\x11\xe0rest", HEADERS, ()).errors[0].code == "xls_not_supported"

