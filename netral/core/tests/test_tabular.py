"""The shared table reader: the same rows from CSV and XLSX, headers mapped, the row report."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from netral.core.tabular import (
    LOST_DIGITS,
    ImportFileError,
    RowIssue,
    column_values,
    map_header,
    read_rows,
    report_text,
    uploaded_path,
)

COLUMNS = {"nip": ("nip",), "name": ("name", "nama"), "born": ("born", "tanggal_lahir")}


def test_csv_and_xlsx_read_as_the_same_strings(tmp_path):
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("NIP;Nama;Tanggal Lahir\n 1 ; Ani ;1990-01-02\n;;\n", encoding="utf-8-sig")
    book = Workbook()
    sheet = book.active
    sheet.append(["NIP", "Nama", "Tanggal Lahir"])
    sheet.append([1, " Ani ", datetime(1990, 1, 2)])
    sheet.append([None, None, None])
    xlsx_path = tmp_path / "a.xlsx"
    book.save(xlsx_path)
    for path in (csv_path, xlsx_path):
        header, rows, estimate = read_rows(path)
        assert header == ["NIP", "Nama", "Tanggal Lahir"]
        assert estimate == 2
        assert [r[:3] for r in rows] == [["1", "Ani", "1990-01-02"], ["", "", ""]]
        assert map_header(header, COLUMNS, ("nip", "name")) == {"nip": 0, "name": 1, "born": 2}


def test_a_number_too_long_for_a_spreadsheet_says_so(tmp_path):
    book = Workbook()
    book.active.append(["nip"])
    book.active.append([199001022015031001])  # stored as a double: digits are lost
    book.active.append([date(2024, 8, 1)])
    path = tmp_path / "n.xlsx"
    book.save(path)
    _header, rows, _estimate = read_rows(path)
    assert [r[0] for r in rows] == [LOST_DIGITS, "2024-08-01"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        (b"\xff\xfe\x00nip\n", "a.csv", "UTF-8"),
        (b"not a workbook", "a.xlsx", "XLSX"),
        (b"PK\x03\x04broken", "a.csv", "XLSX"),
    ],
)
def test_an_unreadable_file_is_refused_whole(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as raised, translation.override("en"):
        read_rows(path, name)
    with translation.override("en"):
        assert message in str(raised.value.message)


def test_missing_required_columns_are_named():
    with pytest.raises(ImportFileError) as raised:
        map_header(["nama"], COLUMNS, ("nip", "name", "born"))
    # The message names the canonical columns in every language.
    assert "nip, born" in str(raised.value.message)


def test_one_column_of_an_upload_with_its_row_numbers(tmp_path):
    upload = SimpleUploadedFile("daftar.csv", b"no,NIP\n1,111\n\n2,\n3,333\n")
    with uploaded_path(upload) as path:
        assert path.suffix == ".csv"
        assert column_values(path, "nip", upload.name) == [(2, "111"), (4, ""), (5, "333")]
        with pytest.raises(LookupError):
            column_values(path, "nama", upload.name)
    assert not path.exists()


def test_the_row_report_speaks_the_users_language():
    issues = [
        RowIssue(3, "nip", "12", "too short", "error"),
        RowIssue(4, "nip", "199", "odd", "flagged"),
    ]
    text = report_text(issues, "id")
    assert text.splitlines()[0] == "baris,kolom,nilai,masalah,hasil"
    assert text.splitlines()[1] == "3,nip,12,too short,tidak diimpor"
    assert report_text(issues, "en").splitlines()[2] == '4,nip,199,odd,"imported, flagged"'
