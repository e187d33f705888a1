"""The one export module: a Sheet as XLSX with typed cells and as CSV with a BOM, and the one
download response (RFC 5987 names)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

from openpyxl import load_workbook

from backend.core.export import (
    CSV,
    XLSX,
    Money,
    Sheet,
    content_disposition,
    csv_bytes,
    download,
    xlsx_bytes,
)
from backend.core.money import YUAN_FORMAT

_ROWS = [
    ["张三", 22, Money(132_000), dt.date(2026, 3, 1), "529801001201"],
    ["李四", 0, Money(5), None, "007"],
]
_SHEET = Sheet("明细", ["姓名", "天数", "金额（元）", "日期", "村代码"], _ROWS,
               bold_rows=frozenset({1}), widths=(10, None, 14), text_columns=(4,))


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_xlsx_keeps_numbers_dates_and_money_typed():
    book = _book(xlsx_bytes([_SHEET], title="三月"))
    ws = book["明细"]
    assert [c.value for c in ws[1]] == ["姓名", "天数", "金额（元）", "日期", "村代码"]
    _name, days, amount, day, code = ws[2]
    assert days.value == 22 and isinstance(days.value, int)
    assert amount.value == 1320 and amount.number_format == YUAN_FORMAT
    assert ws["C3"].value == 0.05 and ws["C3"].number_format == YUAN_FORMAT
    assert day.is_date and day.value == dt.datetime(2026, 3, 1)
    assert code.value == "529801001201" and code.number_format == "@"
    assert ws["D3"].value is None
    assert book.properties.title == "三月"


def test_xlsx_header_and_chosen_rows_are_bold_and_widths_are_set():
    ws = _book(xlsx_bytes([_SHEET]))["明细"]
    assert all(c.font.bold for c in ws[1])
    assert not any(c.font.bold for c in ws[2]) and all(c.font.bold for c in ws[3])
    assert ws.column_dimensions["A"].width == 10 and ws.column_dimensions["C"].width == 14


def test_xlsx_writes_every_sheet_in_order_and_a_sheet_without_headers():
    notes = Sheet("说明", [], [["第一行"], ["第二行"]])
    book = _book(xlsx_bytes([_SHEET, notes]))
    assert book.sheetnames == ["明细", "说明"]
    assert [r[0].value for r in book["说明"].iter_rows()] == ["第一行", "第二行"]


def test_text_columns_cover_blank_rows_of_a_template():
    template = Sheet("导入", ["姓名", "手机号"], [], text_columns=(1,), text_rows=3)
    ws = _book(xlsx_bytes([template]))["导入"]
    assert [ws.cell(r, 2).number_format for r in (2, 3, 4)] == ["@"] * 3
    assert ws.cell(2, 1).number_format != "@"


def test_aware_times_are_written_in_china_time():
    moment = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)
    sheet = Sheet("t", ["时间"], [[moment]])
    assert _book(xlsx_bytes([sheet]))["t"]["A2"].value == dt.datetime(2026, 3, 1, 10, 30)
    assert csv_bytes(sheet).decode("utf-8-sig").splitlines()[1] == "2026-03-01 10:30"


def test_csv_has_a_bom_and_money_and_dates_as_text():
    data = csv_bytes(_SHEET)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "姓名,天数,金额（元）,日期,村代码",
        "张三,22,1320.00,2026-03-01,529801001201",
        "李四,0,0.05,,007",
    ]


def test_a_chinese_file_name_is_encoded_per_rfc_5987_with_an_ascii_fallback():
    header = content_disposition("保单导入模板.xlsx", "policies-template.xlsx")
    assert header.startswith('attachment; filename="policies-template.xlsx"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and unquote(encoded) == "保单导入模板.xlsx"
    # Without a fallback a Chinese name still gives an ASCII one, with its suffix.
    assert 'filename="download.csv"' in content_disposition("村.csv")
    assert content_disposition('a"b.csv').startswith('attachment; filename="a_b.csv"')


def test_download_answers_with_the_media_type_and_the_name():
    response = download(b"x", "dashboard-2026-03.xlsx")
    assert response.media_type == XLSX
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="dashboard-2026-03.xlsx"; '
        "filename*=UTF-8''dashboard-2026-03.xlsx"
    )
    assert download(b"x", "a.csv", CSV).media_type == CSV
