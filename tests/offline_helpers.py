"""Helpers of the offline-form tests (tests/web/offline, tests/system/offline): find rows and
columns of a downloaded workbook by the keys of its hidden first row, edit it as a spreadsheet
program would save it, and upload it."""

from __future__ import annotations

import io
from typing import Any

import openpyxl


def answer_column(ws: Any, key: str) -> int:
    """1-based column of ``key`` (``text``, ``stamp``, …) in the hidden key row."""
    for cell in ws[1]:
        if cell.value == key:
            return cell.column
    raise KeyError(key)


def row_of(ws: Any, code: str) -> int:
    """The row of activity ``code``."""
    for row in range(3, ws.max_row + 1):
        if ws.cell(row=row, column=answer_column(ws, "code")).value == code:
            return row
    raise KeyError(code)


def edit_cell(content: bytes, code: str, values: dict[str, Any]) -> bytes:
    """The workbook with the answer cells of ``code``'s row set to ``values`` (texts stay text)."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["Plnění"]
    row = row_of(ws, code)
    for key, value in values.items():
        cell = ws.cell(row=row, column=answer_column(ws, key))
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client: Any, content: bytes, filename: str = "plneni.xlsx") -> Any:
    """POST the file to the upload form, as the browser does."""
    return client.post(
        "/moje-ukoly/xlsx", data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )
